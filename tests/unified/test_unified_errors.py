"""The unified error classes: codes, statuses, bodies and what they never reveal."""

from __future__ import annotations

import pickle

import pytest

from engine import errors
from engine.errors import (
    ConfigurationError,
    ConnectionFailedError,
    FieldProblem,
    ForbiddenError,
    InvalidCursorError,
    NotFoundError,
    NotSupportedError,
    RateLimitedError,
    RemoteError,
    RequestTimeoutError,
    SignatureError,
    UnauthorizedError,
    UnimapError,
    ValidationError,
    error_for_status,
    error_from_response,
)
from engine.unified import schemas

ERROR_TABLE: list[tuple[type[UnimapError], str, int]] = [
    (NotFoundError, "not_found", 404),
    (ValidationError, "validation_error", 422),
    (UnauthorizedError, "unauthorized", 401),
    (ForbiddenError, "forbidden", 403),
    (RateLimitedError, "rate_limited", 429),
    (NotSupportedError, "not_supported", 501),
    (RemoteError, "remote_error", 502),
    (InvalidCursorError, "invalid_cursor", 400),
    (RequestTimeoutError, "timeout", 504),
    (ConnectionFailedError, "connection_error", 502),
    (ConfigurationError, "configuration_error", 400),
    (SignatureError, "invalid_signature", 401),
]

SECRET = "mlsk_live_SECRET_TOKEN"


def error_problems(body: object) -> list[str]:
    """Messages of every way ``body`` breaks ``error.json``."""
    validator = schemas.validator_for(schemas.schema_by_name("error.json"))
    return [e.message for e in validator.iter_errors(body)]


@pytest.mark.parametrize(("cls", "code", "status"), ERROR_TABLE)
def test_each_class_has_its_code_and_default_status(
    cls: type[UnimapError], code: str, status: int
) -> None:
    error = cls()
    assert (error.error, error.status_code, error.remote) == (code, status, False)
    assert isinstance(error, UnimapError)
    assert error.message


@pytest.mark.parametrize(("cls", "code", "status"), ERROR_TABLE)
def test_to_dict_validates_against_error_json(
    cls: type[UnimapError], code: str, status: int
) -> None:
    assert error_problems(cls("boom").to_dict()) == []
    remote = cls("boom", remote=True, remote_status=500, raw_response={"message": "x"})
    assert error_problems(remote.to_dict()) == []


def test_every_error_code_is_declared_in_error_json() -> None:
    declared = schemas.schema_by_name("error.json")["properties"]["error"]["enum"]
    assert sorted(declared) == sorted(code for _, code, _ in ERROR_TABLE)


def test_a_local_error_has_no_remote_keys() -> None:
    assert NotFoundError("gone").to_dict() == {
        "status_code": 404,
        "error": "not_found",
        "message": "gone",
        "remote": False,
    }


def test_a_remote_error_carries_remote_status_and_raw_response() -> None:
    body = {"message": "Unauthenticated."}
    error = UnauthorizedError(remote=True, remote_status=401, raw_response=body)
    assert error.to_dict()["remote_status"] == 401
    assert error.to_dict()["raw_response"] == body


def test_validation_error_to_dict_lists_fields() -> None:
    error = ValidationError("bad", details=[FieldProblem("email", "is required")])
    body = error.to_dict()
    assert body["fields"] == [{"field": "email", "message": "is required"}]
    assert error_problems(body) == []


def test_rate_limited_error_reports_retry_after() -> None:
    error = RateLimitedError(retry_after=119.0, remote=True, remote_status=429, raw_response={})
    assert error.retry_after == 119.0
    assert error.to_dict()["retry_after"] == 119.0
    assert error_problems(error.to_dict()) == []


def test_not_supported_error_names_operation_and_provider() -> None:
    error = NotSupportedError(operation="contacts.upsert", provider="acme")
    assert error.message == "contacts.upsert is not supported by acme"


def test_repr_and_str_show_only_code_and_message() -> None:
    error = error_from_response(401, {"message": "Unauthenticated."})
    error.__cause__ = RuntimeError(f"Authorization: Bearer {SECRET}")
    assert repr(error).startswith("UnauthorizedError(error='unauthorized', message=")
    assert str(error).startswith("unauthorized: ")
    for text in (repr(error), str(error), repr(error.args)):
        assert SECRET not in text
        assert "Authorization" not in text


def test_error_for_status_maps_http_statuses() -> None:
    expected = {
        400: RemoteError,
        401: UnauthorizedError,
        403: ForbiddenError,
        404: NotFoundError,
        405: RemoteError,
        408: RequestTimeoutError,
        409: ValidationError,
        410: NotFoundError,
        422: ValidationError,
        429: RateLimitedError,
        500: RemoteError,
        502: RemoteError,
        503: RemoteError,
        504: RequestTimeoutError,
    }
    assert {status: error_for_status(status) for status in expected} == expected


def test_error_from_response_builds_a_remote_error() -> None:
    error = error_from_response(404, {"message": "No query results for model."})
    assert isinstance(error, NotFoundError)
    assert (error.status_code, error.remote, error.remote_status) == (404, True, 404)
    assert "No query results" in error.message
    assert error_problems(error.to_dict()) == []


def test_a_provider_400_keeps_status_400() -> None:
    error = error_from_response(400, None)
    assert (error.error, error.status_code) == ("remote_error", 400)


def test_a_provider_5xx_is_a_502_remote_error() -> None:
    error = error_from_response(503, "<html>down</html>")
    assert (error.error, error.status_code, error.remote_status) == ("remote_error", 502, 503)


def test_error_from_response_passes_retry_after_on_429() -> None:
    error = error_from_response(429, {"message": "Too Many Attempts."}, retry_after=119)
    assert isinstance(error, RateLimitedError)
    assert error.retry_after == 119


def test_errors_survive_pickling() -> None:
    error = RateLimitedError("slow down", retry_after=3.0, remote=True, remote_status=429)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.message, copy.retry_after, copy.remote_status) == ("slow down", 3.0, 429)


def test_every_public_error_has_a_docstring() -> None:
    for name in errors.__all__:
        assert getattr(errors, name).__doc__, name
