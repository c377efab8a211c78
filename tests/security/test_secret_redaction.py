"""A secret is masked in every form it can take, and wherever the engine or the HTTP libraries
could print it: reprs, `--explain`, error messages, httpx/httpcore log records."""

from __future__ import annotations

import base64
import gc
import json
import logging
import re
import threading
import traceback
from urllib.parse import quote, quote_plus

import httpx
import pytest
from canary_watch import CANARY_KEY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.api import Engine
from engine.errors import ConnectionFailedError, UnimapError, ValidationError
from engine.plan.messages import ProviderRequest
from engine.run.http_logs import HTTP_LOGGERS, http_log_filter
from engine.run.retry import RetryPolicy
from engine.secrets import redact

from .conftest import Recorder, rendered

SECRETS = st.text(min_size=6, max_size=60).filter(lambda s: s.strip() == s and len(set(s)) > 2)


def forms(secret: str) -> list[str]:
    """Every way a secret may show up in text."""
    raw = secret.encode("utf-8", "surrogatepass")
    query = str(httpx.URL("https://h.test/", params={"k": secret}))
    return [
        secret,
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret),
        re.sub("%[0-9A-F]{2}", lambda hexa: hexa.group().lower(), quote(secret, safe="")),
        query,
        json.dumps(secret),
        json.dumps(secret, ensure_ascii=False),
        json.dumps(json.dumps(secret)),
        repr(secret),
        ascii(secret),
        repr(raw),
        f"Illegal header value {('Bearer ' + secret).encode('utf-8', 'surrogatepass')!r}",
        base64.b64encode(b"user:" + raw).decode(),
        base64.b64encode(raw + b":").decode(),
        base64.urlsafe_b64encode(b":" + raw).decode(),
    ]


@settings(max_examples=300, deadline=None)
@given(secret=SECRETS)
def test_every_form_of_a_secret_is_masked(secret: str) -> None:
    for text in forms(secret):
        masked = redact(f"before {text} after", [secret])
        assert "***" in masked, text
        assert redact(masked, [secret]) == masked


def test_the_http_loggers_carry_the_engine_filter() -> None:
    for name in HTTP_LOGGERS:
        assert http_log_filter() in logging.getLogger(name).filters


def test_query_string_auth_is_masked_in_the_httpx_request_log(
    engine: Engine, debug_logs: pytest.LogCaptureFixture
) -> None:
    wire = Recorder()
    with engine.connect("querykey", credentials={"api_key": CANARY_KEY}, transport=wire) as qk:
        qk.call("lists", "list")
    assert wire.sent[0].url.params["key"] == CANARY_KEY
    lines = [r.getMessage() for r in debug_logs.records if r.name == "httpx"]
    assert any("key=***" in line for line in lines)
    assert CANARY_KEY not in debug_logs.text


def test_a_secret_in_the_base_url_is_masked_in_reprs_and_explain(engine: Engine) -> None:
    wire = Recorder()
    with engine.connect("urlkey", credentials={"api_key": CANARY_KEY}, transport=wire) as uk:
        explained = uk.explain("lists", "list", query={"limit": 3})
        texts = [repr(uk), repr(uk.session), json.dumps(explained)]
        uk.call("lists", "list")
    assert CANARY_KEY in str(wire.sent[0].url)
    assert explained["requests"][0]["url"] == "https://api.urlkey.test/accounts/***/v1/lists"
    assert all(CANARY_KEY not in text for text in texts)


def test_a_failed_send_names_no_secret_and_chains_no_cause(engine: Engine) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.LocalProtocolError(f"Illegal header value {request.headers.raw!r}")

    wire = httpx.MockTransport(refuse)
    with (
        engine.connect("mailerlite", credentials={"api_key": CANARY_KEY}, transport=wire) as ml,
        pytest.raises(ConnectionFailedError) as caught,
    ):
        ml.call("lists", "list")
    error = caught.value
    assert error.__context__ is None and error.__cause__ is None
    assert CANARY_KEY not in rendered(error) + "".join(traceback.format_exception(error))
    assert "***" in error.message


def test_a_request_that_cannot_be_encoded_is_a_validation_error_without_its_cause(
    engine: Engine,
) -> None:
    request = ProviderRequest("GET", "/lists", headers=(("X-Note", "caf\u00e9 " + CANARY_KEY),))
    with (
        engine.connect("mailerlite", credentials={"api_key": CANARY_KEY}) as ml,
        pytest.raises(ValidationError) as caught,
    ):
        ml.session.build(request)
    assert caught.value.__suppress_context__
    assert caught.value.message.startswith("the request cannot be encoded")
    assert CANARY_KEY not in rendered(caught.value)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(secret=SECRETS)
def test_the_http_log_filter_masks_every_live_credential(
    engine: Engine, secret: str, debug_logs: pytest.LogCaptureFixture
) -> None:
    key = "k" + "".join(c for c in secret if c.isascii() and c.isprintable()).strip() + "k"
    with engine.connect("querykey", credentials={"api_key": key}, transport=Recorder()):
        logging.getLogger("httpcore.http11").debug("send failed %r", key.encode())
        url = httpx.URL("https://x/", params={"key": key})
        logging.getLogger("httpx").info("HTTP Request: GET %s", url)
    last = [r.getMessage() for r in debug_logs.records[-2:]]
    assert all("***" in line for line in last)


def test_a_session_collected_while_the_log_registry_is_busy_does_not_block() -> None:
    from engine.run import http_logs

    class Owner:
        pass

    def collect_under_the_lock() -> None:
        owner = Owner()
        http_logs.track(owner, ["collected-" + CANARY_KEY])
        with http_logs._LOCK, http_logs.http_log_filter()._lock:
            del owner
            gc.collect()  # the finalizer runs here, in a thread holding both locks

    worker = threading.Thread(target=collect_under_the_lock, daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive()
    http_logs.track(Owner(), [])  # settles the released secret
    assert "collected-" + CANARY_KEY not in http_logs._REGISTERED


@pytest.mark.parametrize("status", [400, 401, 403, 422, 500])
def test_a_provider_echoing_the_key_in_an_error_does_not_leak_it(
    engine: Engine, status: int
) -> None:
    body = {"message": f"Invalid API key {CANARY_KEY}", "errors": {"key": [CANARY_KEY]}}
    wire = Recorder(body, status=status)
    retry = RetryPolicy(max_attempts=1)
    with (
        engine.connect(
            "mailerlite", credentials={"api_key": CANARY_KEY}, transport=wire, retry_policy=retry
        ) as ml,
        pytest.raises(UnimapError) as caught,
    ):
        ml.call("lists", "list")
    assert CANARY_KEY not in rendered(caught.value)
    assert "Invalid API key ***" in json.dumps(caught.value.to_dict())
