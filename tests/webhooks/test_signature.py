"""Signature verification: the fact-sheet vector, header lookup, encodings, forgeries."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from engine.api import Engine
from engine.errors import SignatureError
from engine.format.provider import SignatureSpec
from engine.webhooks import sign, verify
from tests.webhooks.conftest import SECRET

VECTOR_BODY = b'{"events":[{"type":"subscriber.created"}]}'
VECTOR_SIG = "12339eeb74101f7166729ab5480539b73820a99c5569bf4c87353816bd34cc15"


@pytest.fixture
def spec(engine: Engine) -> SignatureSpec:
    webhooks = engine.mapping("mailerlite").provider.webhooks
    assert webhooks is not None
    return webhooks.signature


def test_fact_sheet_test_vector(spec: SignatureSpec) -> None:
    assert sign(spec, VECTOR_BODY, SECRET) == VECTOR_SIG
    verify(spec, {"Signature": VECTOR_SIG}, VECTOR_BODY, SECRET)


@pytest.mark.parametrize("name", ["Signature", "signature", "SIGNATURE", "sIgNaTuRe"])
def test_header_lookup_is_case_insensitive(spec: SignatureSpec, name: str) -> None:
    verify(spec, {"Content-Type": "application/json", name: VECTOR_SIG}, VECTOR_BODY, SECRET)


def test_upper_case_hex_and_surrounding_spaces_are_accepted(spec: SignatureSpec) -> None:
    verify(spec, {"Signature": f"  {VECTOR_SIG.upper()} "}, VECTOR_BODY, SECRET)


@pytest.mark.parametrize(
    ("headers", "body", "secret"),
    [
        ({}, VECTOR_BODY, SECRET),
        ({"Signature": ""}, VECTOR_BODY, SECRET),
        ({"X-MailerLite-Signature": VECTOR_SIG}, VECTOR_BODY, SECRET),
        ({"Signature": VECTOR_SIG[:-1] + "0"}, VECTOR_BODY, SECRET),
        ({"Signature": VECTOR_SIG[:32]}, VECTOR_BODY, SECRET),
        ({"Signature": "not-hex"}, VECTOR_BODY, SECRET),
        ({"Signature": "sha256=" + VECTOR_SIG}, VECTOR_BODY, SECRET),
        ({"Signature": VECTOR_SIG}, VECTOR_BODY + b" ", SECRET),
        ({"Signature": VECTOR_SIG}, b'{"events": [{"type": "subscriber.created"}]}', SECRET),
        ({"Signature": VECTOR_SIG}, VECTOR_BODY, "wrong-secret"),
        ({"Signature": VECTOR_SIG}, VECTOR_BODY, ""),
        (
            {"Signature": base64.b64encode(bytes.fromhex(VECTOR_SIG)).decode()},
            VECTOR_BODY,
            SECRET,
        ),
    ],
)
def test_forged_or_missing_signatures_are_rejected(
    spec: SignatureSpec, headers: dict[str, str], body: bytes, secret: str
) -> None:
    with pytest.raises(SignatureError) as caught:
        verify(spec, headers, body, secret)
    assert caught.value.to_dict()["error"] == "invalid_signature"
    assert caught.value.status_code == 401


def test_base64_with_a_prefix_and_another_digest() -> None:
    spec = SignatureSpec(
        header="X-Hub-Signature", algorithm="sha512", encoding="base64", prefix="sha512="
    )
    mac = hmac.new(b"k", b"body", hashlib.sha512).digest()
    value = "sha512=" + base64.b64encode(mac).decode()
    assert sign(spec, b"body", "k") == value
    verify(spec, {"x-hub-signature": value}, b"body", "k")
    with pytest.raises(SignatureError, match="prefix"):
        verify(spec, {"x-hub-signature": base64.b64encode(mac).decode()}, b"body", "k")
    with pytest.raises(SignatureError):
        verify(spec, {"x-hub-signature": "sha512=!!!"}, b"body", "k")


def test_handle_rejects_before_parsing(engine: Engine) -> None:
    # an invalid body with a bad signature is a signature error, never a parse error
    with pytest.raises(SignatureError):
        engine.webhooks.handle("mailerlite", {"Signature": "00" * 32}, b"{not json", secret=SECRET)
    with pytest.raises(SignatureError):
        engine.webhooks.handle("mailerlite", {}, VECTOR_BODY, secret=SECRET)
    with pytest.raises(SignatureError, match="no webhook secret"):
        engine.webhooks.handle("mailerlite", {"Signature": VECTOR_SIG}, VECTOR_BODY)


def test_handle_accepts_the_vector(engine: Engine) -> None:
    events = engine.webhooks.handle(
        "mailerlite", {"signature": VECTOR_SIG}, VECTOR_BODY, secret=SECRET
    )
    assert [e["type"] for e in events] == ["contact.created"]
