"""Driving a plan generator: hand each request to a sender, feed the response back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from engine.errors import UnimapError
from engine.plan.messages import Plan, ProviderRequest, ProviderResponse

T = TypeVar("T")


def run_sync(plan: Plan[T], send: Callable[[ProviderRequest], ProviderResponse]) -> T:
    """Run a plan to completion with a blocking sender; returns the plan's result.

    A request that fails for good (a unified error from the sender) is thrown into the plan,
    which may answer it (a batch turns it into per-item errors) or let it propagate.
    """
    try:
        request = next(plan)
        while True:
            try:
                response = send(request)
            except UnimapError as error:
                request = plan.throw(error)
            else:
                request = plan.send(response)
    except StopIteration as stop:
        result: T = stop.value
        return result


async def run_async(
    plan: Plan[T], send: Callable[[ProviderRequest], Awaitable[ProviderResponse]]
) -> T:
    """Run a plan to completion with an async sender; returns the plan's result (see `run_sync`)."""
    try:
        request = next(plan)
        while True:
            try:
                response = await send(request)
            except UnimapError as error:
                request = plan.throw(error)
            else:
                request = plan.send(response)
    except StopIteration as stop:
        result: T = stop.value
        return result


def first_request(plan: Plan[T]) -> ProviderRequest | None:
    """The first request a plan would send (for `--explain`); nothing is sent."""
    try:
        request = next(plan)
    except StopIteration:
        return None
    plan.close()
    return request
