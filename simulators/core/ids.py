"""Identifier and secret generation.

MailerLite ids are 17-18 digit decimal strings ("snowflake-like", larger than 2**53). The simulator
hands out one monotonic sequence shared by every resource, so a newer record always has a larger
id (the subscriber list is ordered by descending id, newest first). Everything is derived from a
seed, so two simulators with the same seed produce the same ids in the same order.
"""

from __future__ import annotations

import random
import string

_FIRST_ID = 150_000_000_000_000_000
_SECRET_ALPHABET = string.ascii_letters + string.digits


class IdGenerator:
    """Deterministic, strictly increasing 18-digit ids and short field ids."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(f"ids:{seed}")
        self._last = _FIRST_ID + self._rng.randrange(10**15)
        self._last_field_id = 900_000 + self._rng.randrange(50_000)

    def next_int(self) -> int:
        """The next id as an integer (always larger than the previous one)."""
        self._last += 1 + self._rng.randrange(1 << 22)
        return self._last

    def next_field_id(self) -> int:
        """The next custom-field id (short, like MailerLite's `"947147"`)."""
        self._last_field_id += 1 + self._rng.randrange(64)
        return self._last_field_id


class SecretGenerator:
    """Deterministic 10-character alphanumeric webhook secrets (like `"yaEgW3JvHz"`)."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(f"secrets:{seed}")

    def next(self) -> str:
        """A new secret."""
        return "".join(self._rng.choice(_SECRET_ALPHABET) for _ in range(10))
