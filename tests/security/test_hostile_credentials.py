"""Hostile credentials are refused where they enter, with a validation error naming the
credential and never holding its value (message, args, repr, to_dict, causes, logs).

Every hostile value is built around the canary key, so the canary watch also checks the logs
and outputs of these tests."""

from __future__ import annotations

import pytest
from canary_watch import CANARY_KEY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.api import Engine
from engine.errors import ValidationError
from engine.run.credentials import MAX_CREDENTIAL_LENGTH

from .conftest import Recorder, rendered

HEADER_PROVIDERS = ["mailerlite", "brevo", "kit", "urlkey"]
"""Providers sending the key in a header (bearer or a named header)."""
OTHER_PROVIDERS = ["querykey", "mailchimp", "basickey"]
"""Providers sending it in the query string or as the HTTP basic password."""

CONTROL = st.sampled_from(
    [chr(c) for c in range(0x20)] + ["\x7f"] + [chr(c) for c in range(0x80, 0xA0)]
    + ["\u2028", "\u2029"]
)
WHITESPACE = st.sampled_from([" ", "\t", "\n", "\r\n", "\r", "\x0b", "\x0c", "\u00a0", "\u3000"])
NON_ASCII = st.characters(min_codepoint=0xA0, exclude_categories=["Cs", "Cc", "Zl", "Zp", "Zs"])
SURROGATE = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
HOSTILE = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _inserted(data: st.DataObject, char: str) -> str:
    position = data.draw(st.integers(1, len(CANARY_KEY) - 1))
    return CANARY_KEY[:position] + char + CANARY_KEY[position:]


@st.composite
def hostile_anywhere(draw: st.DrawFn) -> tuple[str, str]:
    """(value, what the error says) for values refused in every place."""
    kind = draw(st.sampled_from(["control", "leading", "trailing", "surrogate", "huge"]))
    data = draw(st.data())
    if kind == "control":
        return _inserted(data, draw(CONTROL)), "control character"
    if kind == "leading":
        return draw(WHITESPACE) + CANARY_KEY, "starts with whitespace"
    if kind == "trailing":
        return CANARY_KEY + draw(WHITESPACE), "ends with"
    if kind == "surrogate":
        return _inserted(data, draw(SURROGATE)), "unpaired surrogate"
    copies = draw(st.integers(MAX_CREDENTIAL_LENGTH // len(CANARY_KEY) + 1, 2000))
    return CANARY_KEY * copies, "too long"


def _connect(engine: Engine, provider: str, key: str, **kwargs: object) -> None:
    credentials = {"api_key": key}
    if provider == "basickey":
        credentials["account"] = "acme"
    with engine.connect(provider, credentials=credentials, transport=Recorder(), **kwargs):  # type: ignore[arg-type]
        pass


def _assert_refused(engine: Engine, provider: str, key: str, says: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _connect(engine, provider, key)
    error = caught.value
    assert [problem.field for problem in error.details] == ["api_key"]
    assert "credential api_key" in error.message and says in error.message
    assert CANARY_KEY[4:-4] not in rendered(error)


@HOSTILE
@given(case=hostile_anywhere(), provider=st.sampled_from(HEADER_PROVIDERS + OTHER_PROVIDERS))
def test_hostile_credentials_are_refused_in_every_place(
    engine: Engine, case: tuple[str, str], provider: str
) -> None:
    value, says = case
    _assert_refused(engine, provider, value, says)


@HOSTILE
@given(char=NON_ASCII, provider=st.sampled_from(HEADER_PROVIDERS), data=st.data())
def test_a_non_ascii_credential_is_refused_in_a_header(
    engine: Engine, char: str, provider: str, data: st.DataObject
) -> None:
    _assert_refused(engine, provider, _inserted(data, char), "non-ASCII character")


@HOSTILE
@given(char=NON_ASCII, provider=st.sampled_from(["querykey", "mailchimp"]), data=st.data())
def test_a_non_ascii_credential_travels_encoded_in_a_query_or_basic_auth(
    engine: Engine, char: str, provider: str, data: st.DataObject
) -> None:
    _connect(engine, provider, _inserted(data, char))


def test_a_key_read_from_a_file_with_its_newline_says_so(engine: Engine) -> None:
    with pytest.raises(ValidationError) as caught:
        _connect(engine, "mailerlite", CANARY_KEY + "\n")
    assert caught.value.message == (
        "MailerLite: credential api_key ends with a line break (a key read from a file often "
        "keeps it); remove it"
    )


def test_a_colon_in_the_basic_auth_user_name_is_refused(engine: Engine) -> None:
    with pytest.raises(ValidationError) as caught:
        engine.connect("basickey", credentials={"account": "a:b", "api_key": CANARY_KEY})
    assert [p.field for p in caught.value.details] == ["account"]
    assert "may not hold ':'" in caught.value.message


def test_a_credential_that_is_not_text_is_a_validation_error(engine: Engine) -> None:
    with pytest.raises(ValidationError) as caught:
        engine.connect("mailerlite", credentials={"api_key": 12345})  # type: ignore[dict-item]
    assert str(caught.value) == (
        "validation_error: MailerLite: credential api_key must be text, not int"
    )


def test_every_bad_credential_is_named_in_one_error(engine: Engine) -> None:
    with pytest.raises(ValidationError) as caught:
        engine.connect("basickey", credentials={"account": " acme", "api_key": CANARY_KEY + " "})
    assert sorted(p.field for p in caught.value.details) == ["account", "api_key"]


def test_an_ordinary_key_is_accepted_and_sent(engine: Engine) -> None:
    wire = Recorder()
    with engine.connect("mailerlite", credentials={"api_key": CANARY_KEY}, transport=wire) as ml:
        ml.call("lists", "list", query={"limit": 1})
    assert wire.sent[0].headers["authorization"] == "Bearer " + CANARY_KEY
