"""One request builder and one idempotency rule for every provider request the engine makes."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.plan.build import is_idempotent

ENGINE = Path(__file__).resolve().parent.parent / "engine"


def test_only_the_builder_constructs_provider_requests() -> None:
    builders = {
        str(path.relative_to(ENGINE.parent))
        for path in ENGINE.rglob("*.py")
        if "ProviderRequest(" in path.read_text(encoding="utf-8")
    }
    assert builders == {"engine/plan/build.py"}


def test_no_module_restates_the_default_buckets() -> None:
    restating = {
        str(path.relative_to(ENGINE.parent))
        for path in ENGINE.rglob("*.py")
        if "rate_limits.default_buckets" in path.read_text(encoding="utf-8")
    }
    assert restating == {"engine/plan/build.py"}


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "get"])
def test_safe_http_methods_are_idempotent_by_default(method: str) -> None:
    assert is_idempotent(method)


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_post_and_patch_are_not_idempotent_by_default(method: str) -> None:
    assert not is_idempotent(method)


def test_a_read_is_idempotent_whatever_its_method() -> None:
    assert is_idempotent("POST", read=True)


def test_what_the_mapping_declares_wins() -> None:
    assert is_idempotent("POST", True)
    assert not is_idempotent("GET", False)
    assert not is_idempotent("POST", False, read=True)
