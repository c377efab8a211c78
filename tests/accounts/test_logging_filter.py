"""`SecretRedactingFilter`: registered secrets never reach log output."""

from __future__ import annotations

import logging

import pytest

from engine.accounts import Secret, SecretRedactingFilter

LOGGER = logging.getLogger("tests.accounts.redaction")


@pytest.fixture
def redactor(caplog: pytest.LogCaptureFixture) -> SecretRedactingFilter:
    """A filter installed on the capturing handler, with nothing registered yet."""
    caplog.set_level(logging.DEBUG, logger=LOGGER.name)
    redacting = SecretRedactingFilter()
    caplog.handler.addFilter(redacting)
    return redacting


def test_secret_in_message_is_masked(
    redactor: SecretRedactingFilter, caplog: pytest.LogCaptureFixture, canary: str
) -> None:
    redactor.register(Secret(canary))
    LOGGER.info(f"calling with key {canary}")
    assert canary not in caplog.text
    assert "calling with key ***" in caplog.text


def test_secret_in_arguments_is_masked(
    redactor: SecretRedactingFilter, caplog: pytest.LogCaptureFixture, canary: str
) -> None:
    redactor.register(canary)
    LOGGER.warning("headers: %r", {"Authorization": f"Bearer {canary}"})
    assert canary not in caplog.text
    assert "Bearer ***" in caplog.text


def test_secret_in_traceback_is_masked(
    redactor: SecretRedactingFilter, caplog: pytest.LogCaptureFixture, canary: str
) -> None:
    redactor.register(canary)
    try:
        raise RuntimeError(f"provider refused {canary}")
    except RuntimeError:
        LOGGER.exception("call failed")
    assert "RuntimeError: provider refused ***" in caplog.text
    assert canary not in caplog.text


def test_unregistered_secret_is_no_longer_masked(
    redactor: SecretRedactingFilter, caplog: pytest.LogCaptureFixture
) -> None:
    redactor.register("temporary-value")
    redactor.unregister("temporary-value")
    LOGGER.info("temporary-value")
    assert "temporary-value" in caplog.text


def test_records_are_never_dropped(
    redactor: SecretRedactingFilter, caplog: pytest.LogCaptureFixture
) -> None:
    LOGGER.info("a %s message", "plain")
    assert caplog.messages == ["a plain message"]
