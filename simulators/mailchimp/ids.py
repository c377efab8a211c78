"""Deterministic Mailchimp-style identifiers derived from the simulator seed."""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime


def subscriber_hash(email: str) -> str:
    """The member id: the MD5 hex digest of the lower-cased address."""
    return hashlib.md5(email.lower().encode()).hexdigest()


def iso(moment: datetime) -> str:
    """Mailchimp's timestamp form, `2025-01-01T00:00:00+00:00`."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


class Ids:
    """Hex ids (audiences, webhooks, unique email ids), web ids and segment ids."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(f"mailchimp-ids:{seed}")
        self._web_id = 100_000 + self._rng.randrange(10_000)
        self._segment_id = 10_000 + self._rng.randrange(1_000)

    def hex(self, length: int = 10) -> str:
        """`length` random lower-case hex digits."""
        return f"{self._rng.getrandbits(length * 4):0{length}x}"

    def web_id(self) -> int:
        """The next web id (increasing)."""
        self._web_id += 1 + self._rng.randrange(97)
        return self._web_id

    def segment_id(self) -> int:
        """The next segment or tag id (increasing)."""
        self._segment_id += 1 + self._rng.randrange(13)
        return self._segment_id
