"""Cross-reference checks of a provider's `rate_limits` section.

Every bucket name points at a declared bucket; the server-header settings only validate when
the runtime uses them (a header without `header_bucket` would be ignored, so it is refused).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.format.provider import RateLimits
from engine.suggest import did_you_mean

if TYPE_CHECKING:
    from engine.loader.checks import _Checker


def check_rate_limits(checker: _Checker, limits: RateLimits) -> None:
    """Report unknown bucket names and header settings the runtime would ignore."""
    base = ("rate_limits",)
    buckets = {b.name for b in limits.buckets}
    rate_buckets = {b.name for b in limits.buckets if b.concurrency is None}
    checker.names_exist(
        (*base, "default_buckets"), limits.default_buckets, buckets, "rate-limit bucket"
    )
    if limits.header_bucket is not None and limits.header_bucket not in rate_buckets:
        name = limits.header_bucket
        message = (
            f"header_bucket '{name}' is a concurrency bucket; it must name a rate bucket"
            if name in buckets
            else f"unknown rate-limit bucket '{name}'{did_you_mean(name, sorted(buckets))}"
        )
        checker.report((*base, "header_bucket"), message)
    # A reset header also times 429 retries, so it is useful without a bucket.
    for attr in ("remaining_header", "limit_header"):
        if getattr(limits, attr) is not None and limits.header_bucket is None:
            checker.report(
                (*base, attr), f"'{attr}' needs 'header_bucket': the bucket its value describes"
            )
    if "reset_unit" in limits.model_fields_set and limits.reset_header is None:
        checker.report((*base, "reset_unit"), "'reset_unit' needs 'reset_header'")
    seen: set[str] = set()
    for index, bucket in enumerate(limits.buckets):
        if bucket.name in seen:
            checker.report(
                (*base, "buckets", index, "name"), f"bucket '{bucket.name}' declared twice"
            )
        seen.add(bucket.name)
