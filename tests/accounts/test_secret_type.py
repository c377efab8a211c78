"""`Secret`: never prints its value, reveals it on request, refuses pickling."""

from __future__ import annotations

import copy
import pickle

import pytest

from engine.accounts import Secret


def test_repr_is_masked(canary: str) -> None:
    assert repr(Secret(canary)) == "Secret('********')"


def test_str_and_format_are_masked(canary: str) -> None:
    secret = Secret(canary)
    old_style = ["{}".format(secret), "%s" % (secret,)]  # noqa: UP031, UP032
    rendered = [str(secret), f"{secret}", f"{secret:>40}", *old_style]
    assert all(canary not in text for text in rendered)
    assert str(secret) == "********"


def test_reveal_returns_the_value(canary: str) -> None:
    assert Secret(canary).reveal() == canary


def test_wrapping_a_secret_unwraps_it(canary: str) -> None:
    assert Secret(Secret(canary)).reveal() == canary


def test_non_string_value_is_refused() -> None:
    with pytest.raises(TypeError, match="str"):
        Secret(12345)  # type: ignore[arg-type]


def test_equal_values_are_equal_and_hash_alike(canary: str) -> None:
    assert Secret(canary) == Secret(canary)
    assert hash(Secret(canary)) == hash(Secret(canary))
    assert Secret(canary) != Secret("other")
    assert Secret(canary) != canary


def test_pickling_is_refused(canary: str) -> None:
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(Secret(canary))


def test_copy_and_deepcopy_keep_the_value(canary: str) -> None:
    secret = Secret(canary)
    assert copy.copy(secret).reveal() == canary
    assert copy.deepcopy({"k": secret})["k"].reveal() == canary


def test_is_immutable(canary: str) -> None:
    secret = Secret(canary)
    with pytest.raises(AttributeError):
        secret._value = "x"
    with pytest.raises(AttributeError):
        secret.other = "x"


def test_has_no_instance_dict(canary: str) -> None:
    assert not hasattr(Secret(canary), "__dict__")
