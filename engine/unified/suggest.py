"""Find the likely intended name for a misspelt one ("did you mean 'email'?")."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to ``name``, or ``None`` when none is close enough.

    Comparison ignores case; ``did_you_mean("emial", {"email", "status"}) == "email"``.
    """
    options = sorted(set(candidates))
    by_lower = {option.lower(): option for option in options}
    matches = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.6)
    return by_lower[matches[0]] if matches else None


def unknown_name_message(kind: str, name: str, candidates: Iterable[str]) -> str:
    """``unknown <kind> '<name>'``, followed by ``(did you mean '<x>'?)`` when one is close."""
    suggestion = did_you_mean(name, candidates)
    hint = f" (did you mean '{suggestion}'?)" if suggestion else ""
    return f"unknown {kind} '{name}'{hint}"
