"""How many random cases the fuzz and property tests try.

By default a quick but still meaningful number, so the whole suite stays fast; with
`UNIMAP_LONG_TESTS=1` the long number (`.ci/run` sets it for its first pass). The cases are
seeded (or drawn by a derandomized Hypothesis), so a failure repeats in the next run.
"""

from __future__ import annotations

import os

LONG = os.environ.get("UNIMAP_LONG_TESTS", "") not in ("", "0")
"""Whether this run is the long one (`UNIMAP_LONG_TESTS=1`)."""


def examples(quick: int, long: int) -> int:
    """`long` in a long run (`UNIMAP_LONG_TESTS=1`), else `quick`."""
    return long if LONG else quick
