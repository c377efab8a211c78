"""Rotating the forwarding secret without downtime: `unimap webhook secret rotate [--grace S]`
makes a new secret current; the old one keeps signing alongside (a second `v1,` signature in
`webhook-signature`) until the grace period ends, then only the new one signs. Receivers
verify with either. Driven through the CLI in process on a throw-away `$UNIMAP_HOME`, the
forwarder posting to an `httpx.MockTransport` host app, time moved by hand."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from engine.cli import main
from engine.errors import SignatureError
from engine.forwarding import (
    FORWARD_SECRET_ENV,
    Forwarder,
    ForwardingSettings,
    NewMessage,
    SqliteOutbox,
    forwarding_secret,
    forwarding_secrets,
    verify_standard_webhook,
)
from engine.forwarding.rotation import SECRETS_FILE_NAME
from tests.forwarding.conftest import Clock

URL = "https://host.example/hooks"


@pytest.fixture(autouse=True)
def home(tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A throw-away home, no secret from the environment, and `time.time` read from `clock`
    (the rotation's grace period is counted from it)."""
    monkeypatch.setattr("time.time", clock)
    monkeypatch.setenv("UNIMAP_HOME", str(tmp_path))
    monkeypatch.delenv(FORWARD_SECRET_ENV, raising=False)
    monkeypatch.delenv("UNIMAP_SECRET_KEY", raising=False)
    return tmp_path


def rotate(capsys: pytest.CaptureFixture[str], *flags: str) -> str:
    assert main(["webhook", "secret", "rotate", *flags]) == 0
    return capsys.readouterr().out.strip()


def deliver(tmp_path: Path, clock: Clock, message_id: str) -> httpx.Request:
    """Forward one message at `clock.now` with the installation's secrets; the request."""
    sent: list[httpx.Request] = []

    def host(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(204)

    with SqliteOutbox(tmp_path / f"{message_id}.db", clock=clock) as outbox:
        outbox.enqueue([NewMessage(message_id, "acc_1", "t1", "contact.bounced", b'{"a":1}')])
        forwarder = Forwarder(
            outbox,
            lambda: forwarding_secrets(now=clock.now),
            ForwardingSettings(default_url=URL),
            transport=httpx.MockTransport(host),
            clock=clock,
        )
        assert asyncio.run(forwarder.run_once()) == 1
    (request,) = sent
    return request


def test_during_the_grace_period_both_secrets_sign_and_each_verifies(
    tmp_path: Path, clock: Clock, capsys: pytest.CaptureFixture[str]
) -> None:
    old = forwarding_secret()
    new = rotate(capsys, "--grace", "3600")
    assert new != old and new.startswith("whsec_")
    clock.now += 3599
    request = deliver(tmp_path, clock, "msg_1")
    assert len(request.headers["webhook-signature"].split()) == 2
    for secret in (old, new):
        body = verify_standard_webhook(secret, request.headers, request.content, now=clock.now)
        assert body == {"a": 1}


def test_after_the_grace_period_only_the_new_secret_signs(
    tmp_path: Path,
    clock: Clock,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    old = forwarding_secret()
    new = rotate(capsys, "--grace", "60")
    clock.now += 61
    request = deliver(tmp_path, clock, "msg_2")
    assert len(request.headers["webhook-signature"].split()) == 1
    verify_standard_webhook(new, request.headers, request.content, now=clock.now)
    with pytest.raises(SignatureError):
        verify_standard_webhook(old, request.headers, request.content, now=clock.now)


def test_the_rotated_secret_becomes_the_one_printed_and_is_stored_encrypted(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = rotate(capsys)
    assert main(["webhook", "secret"]) == 0
    assert capsys.readouterr().out.strip() == new
    stored = (home / SECRETS_FILE_NAME).read_text()
    assert new.removeprefix("whsec_") not in stored
    assert (home / SECRETS_FILE_NAME).stat().st_mode & 0o077 == 0


def test_rotation_is_refused_when_the_environment_sets_the_secret(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(FORWARD_SECRET_ENV, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    assert main(["webhook", "secret", "rotate"]) == 1
    assert FORWARD_SECRET_ENV in capsys.readouterr().err
