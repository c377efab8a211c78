"""Sending prepared item writes through the provider's batch endpoint (pure plan code)."""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any
from urllib.parse import urlencode

from engine.errors import RemoteError, UnimapError
from engine.loader import ProviderMapping
from engine.plan.build import fill_template, pacing_buckets, provider_request
from engine.plan.calls import CallContext
from engine.plan.messages import Plan, ProviderRequest, ProviderResponse
from engine.plan.responses import error_for

BATCH_RETRY_ROUNDS = 3
_RETRYABLE_ITEM_STATUSES = frozenset({429, 500, 502, 503, 504})

ItemFinish = Callable[[int, ProviderResponse], Plan[dict[str, Any]]]
"""Turns item `index`'s response into its result (never raises: errors become results)."""


def batch_buckets(mapping: ProviderMapping, sub_requests: list[tuple[str, str]]) -> tuple[str, ...]:
    """Buckets a batch of `(method, path)` sub-requests consumes: the defaults, plus each
    declared extra bucket whose method and path every sub-request matches (paths without the
    batch prefix, e.g. an import limit for upsert-only batches)."""
    buckets = list(pacing_buckets(mapping))
    batch = mapping.provider.batch
    if batch is not None and sub_requests:
        for rule in batch.extra_buckets:
            if all(m == rule.method and p == rule.path for m, p in sub_requests):
                buckets.append(rule.bucket)
    return tuple(buckets)


def _sub_request(prefix: str, request: ProviderRequest) -> dict[str, Any]:
    path = prefix.rstrip("/") + request.path if prefix else request.path.lstrip("/")
    if request.query:
        path += "?" + urlencode(request.query)
    sub: dict[str, Any] = {"method": request.method, "path": path}
    if request.body is not None:
        sub["body"] = request.body
    return sub


def _batch_request(
    ctx: CallContext, requests: list[ProviderRequest], purpose: str
) -> ProviderRequest:
    batch = ctx.mapping.provider.batch
    assert batch is not None
    return provider_request(
        ctx.mapping,
        "POST",
        fill_template(batch.path, {}),
        body={batch.requests_key: [_sub_request(batch.path_prefix, r) for r in requests]},
        buckets=batch_buckets(ctx.mapping, [(r.method, r.path) for r in requests]),
        idempotent=all(r.idempotent for r in requests),
        purpose=purpose,
    )


def _sub_responses(
    ctx: CallContext, response: ProviderResponse, count: int
) -> list[ProviderResponse] | UnimapError:
    """One response per sub-request, or the error that applies to the whole chunk."""
    batch = ctx.mapping.provider.batch
    assert batch is not None
    if not response.ok:
        return error_for(ctx.mapping, response, what=f"{ctx.name} batch")
    subs = ctx.mapping.expression(batch.responses_path).search(response.body)
    if not isinstance(subs, list) or len(subs) != count:
        return RemoteError(
            f"{ctx.name}: the batch response does not hold one answer per request",
            remote=True,
            raw_response=response.body,
        )
    answers = []
    for sub in subs:
        status = ctx.mapping.expression(batch.status_path).search(sub)
        body = ctx.mapping.expression(batch.body_path).search(sub)
        digits = isinstance(status, int | str) and str(status).isdigit()
        answers.append(ProviderResponse(int(status) if digits else 502, {}, body))
    return answers


def run_batched(
    ctx: CallContext,
    requests: dict[int, ProviderRequest],
    results: list[dict[str, Any] | None],
    finish: ItemFinish,
    failed: Callable[[UnimapError], dict[str, Any]],
) -> Generator[ProviderRequest, ProviderResponse, None]:
    """Send item requests in batches of the provider's `max_items`, retrying items whose
    sub-response is retryable (when idempotent); fill `results` by index."""
    batch = ctx.mapping.provider.batch
    assert batch is not None
    pending = list(requests)
    for round_no in range(BATCH_RETRY_ROUNDS + 1):
        retry: list[int] = []
        for start in range(0, len(pending), batch.max_items):
            chunk = pending[start : start + batch.max_items]
            request = _batch_request(
                ctx, [requests[i] for i in chunk], f"{ctx.name} batch of {len(chunk)}"
            )
            try:
                response = yield request
            except UnimapError as failure:
                response = None
                answers: list[ProviderResponse] | UnimapError = failure
            if response is not None:
                answers = _sub_responses(ctx, response, len(chunk))
            if isinstance(answers, UnimapError):
                for index in chunk:
                    results[index] = failed(answers)
                continue
            for index, answer in zip(chunk, answers, strict=True):
                if (
                    answer.status in _RETRYABLE_ITEM_STATUSES
                    and requests[index].idempotent
                    and round_no < BATCH_RETRY_ROUNDS
                ):
                    retry.append(index)
                    continue
                results[index] = yield from finish(index, answer)
        if not retry:
            return
        pending = retry
