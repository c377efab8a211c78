"""Standard Webhooks signing and verification: the published test vector, tampering, replays,
and where the installation's forwarding secret comes from."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from engine.accounts.keys import generate_key
from engine.errors import ConfigurationError, SignatureError
from engine.forwarding.standard import (
    FORWARD_SECRET_ENV,
    forwarding_secret,
    sign_standard_webhook,
    standard_webhook_headers,
    verify_standard_webhook,
)

# The vector published with the Standard Webhooks reference libraries.
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = b'{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
NOW = 1_700_000_000


def test_signatures_reproduce_the_specification_vector() -> None:
    assert sign_standard_webhook(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY) == SPEC_SIGNATURE


def test_the_secret_prefix_is_optional() -> None:
    bare = SPEC_SECRET.removeprefix("whsec_")
    assert sign_standard_webhook(bare, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY) == SPEC_SIGNATURE


def test_the_specification_vector_verifies_and_returns_the_parsed_body() -> None:
    headers = {
        "Webhook-Id": SPEC_ID,
        "Webhook-Timestamp": str(SPEC_TIMESTAMP),
        "Webhook-Signature": "v1,bm9wZQ== " + SPEC_SIGNATURE,  # one of several may match
    }
    assert verify_standard_webhook(SPEC_SECRET, headers, SPEC_BODY, now=SPEC_TIMESTAMP + 10) == {
        "test": 2432232314
    }


def test_headers_carry_id_timestamp_and_signature() -> None:
    headers = standard_webhook_headers(SPEC_SECRET, SPEC_ID, SPEC_BODY, SPEC_TIMESTAMP)
    assert headers["webhook-id"] == SPEC_ID
    assert headers["webhook-timestamp"] == str(SPEC_TIMESTAMP)
    assert headers["webhook-signature"] == SPEC_SIGNATURE


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"body": b'{"test": 2432232315}'}, "no webhook-signature matches"),
        ({"secret": "whsec_" + base64.b64encode(b"k" * 32).decode()}, "no webhook-signature"),
        ({"id": "msg_other"}, "no webhook-signature matches"),
        ({"signature": None}, "no webhook-signature matches"),
        ({"id": None}, "webhook-id header is missing"),
        ({"timestamp": "soon"}, "not a number"),
    ],
)
def test_a_tampered_or_incomplete_delivery_is_refused(
    change: dict[str, object], message: str
) -> None:
    headers = standard_webhook_headers(SPEC_SECRET, SPEC_ID, SPEC_BODY, NOW)
    body = change.get("body", SPEC_BODY)
    secret = change.get("secret", SPEC_SECRET)
    for name in ("id", "timestamp", "signature"):
        if name in change:
            headers.pop(f"webhook-{name}")
            if change[name] is not None:
                headers[f"webhook-{name}"] = str(change[name])
    with pytest.raises(SignatureError, match=message) as caught:
        verify_standard_webhook(str(secret), headers, body, now=NOW)  # type: ignore[arg-type]
    assert caught.value.status_code == 401


@pytest.mark.parametrize("skew", [-301, 301, 86_400])
def test_a_delivery_signed_outside_the_tolerance_is_refused_as_a_replay(skew: int) -> None:
    headers = standard_webhook_headers(SPEC_SECRET, SPEC_ID, SPEC_BODY, NOW)
    with pytest.raises(SignatureError, match="outside the 300 s tolerance"):
        verify_standard_webhook(SPEC_SECRET, headers, SPEC_BODY, now=NOW + skew)
    assert verify_standard_webhook(SPEC_SECRET, headers, SPEC_BODY, now=NOW + 299) == {
        "test": 2432232314
    }


def test_the_forwarding_secret_is_derived_from_the_installation_key(tmp_path: Path) -> None:
    environ = {"UNIMAP_SECRET_KEY": generate_key()}
    first = forwarding_secret(tmp_path, environ=environ)
    assert first.startswith("whsec_")
    assert len(base64.b64decode(first.removeprefix("whsec_"))) == 32
    assert forwarding_secret(tmp_path, environ=environ) == first
    assert forwarding_secret(tmp_path, environ={"UNIMAP_SECRET_KEY": generate_key()}) != first


def test_the_forwarding_secret_is_generated_once_in_the_home_folder(tmp_path: Path) -> None:
    first = forwarding_secret(tmp_path, environ={})
    assert (tmp_path / "secret.key").exists()
    assert forwarding_secret(tmp_path, environ={}) == first


def test_the_environment_overrides_the_forwarding_secret(tmp_path: Path) -> None:
    assert forwarding_secret(tmp_path, environ={FORWARD_SECRET_ENV: SPEC_SECRET}) == SPEC_SECRET
    bare = SPEC_SECRET.removeprefix("whsec_")
    assert forwarding_secret(tmp_path, environ={FORWARD_SECRET_ENV: bare}) == SPEC_SECRET
    assert not (tmp_path / "secret.key").exists()


def test_a_malformed_forwarding_secret_names_the_variable_not_the_value(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as caught:
        forwarding_secret(tmp_path, environ={FORWARD_SECRET_ENV: "whsec_not*base64"})
    assert FORWARD_SECRET_ENV in str(caught.value)
    assert "not*base64" not in str(caught.value)
