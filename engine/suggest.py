"""'Did you mean' suggestions for misspelled keys and names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to `name` ignoring case, or None when none is close enough."""
    by_lower = {option.lower(): option for option in sorted(set(candidates))}
    matches = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.6)
    return by_lower[matches[0]] if matches else None


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """` (did you mean 'x'?)` for the closest candidate, or the empty string."""
    match = closest(name, candidates)
    return f" (did you mean '{match}'?)" if match else ""


def unknown_name_message(kind: str, name: str, candidates: Iterable[str]) -> str:
    """`unknown <kind> '<name>'`, followed by ` (did you mean '<x>'?)` when one is close."""
    return f"unknown {kind} '{name}'{did_you_mean(name, candidates)}"
