"""The pytest plugin (`pytest11` entry point `unimap`): sandbox fixtures for host-app tests.

Importing this module loads nothing but pytest; simulators and the engine are imported only
when a test requests a fixture. Options come from the `unimap` marker, from indirect
parametrisation (`@pytest.mark.parametrize("unimap_kit", [{"contacts": 3}], indirect=True)`,
which wins over the marker), or the defaults of `SandboxOptions`::

    @pytest.mark.unimap(contacts=50, faults="500:0.1")
    def test_signup(unimap_mailerlite): ...

    @pytest.mark.unimap("kit", rate_limits=False)
    def test_any_provider(unimap_sandbox): ...
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from simulators.testing.sandbox import Sandbox

MARKER_HELP = (
    "unimap(provider=None, *, contacts=10, lists=2, segments=1, seed=0, rate_limits=True, "
    "faults=None, mappings=()): options of the Unimap testing kit's sandbox fixtures"
)


def pytest_configure(config: pytest.Config) -> None:
    """Register the `unimap` marker (so `--strict-markers` accepts it)."""
    config.addinivalue_line("markers", MARKER_HELP)


def _values(request: pytest.FixtureRequest) -> dict[str, Any]:
    values: dict[str, Any] = {}
    marker = request.node.get_closest_marker("unimap")
    if marker is not None:
        if len(marker.args) > 1:
            raise TypeError("@pytest.mark.unimap takes at most one positional argument")
        if marker.args:
            values["provider"] = marker.args[0]
        values.update(marker.kwargs)
    param = getattr(request, "param", None)
    if isinstance(param, dict):
        values.update(param)
    elif isinstance(param, str):
        values["provider"] = param
    return values


def _sandbox(request: pytest.FixtureRequest, provider: str | None) -> Iterator[Sandbox]:
    from simulators.testing.sandbox import Sandbox

    values = _values(request)
    if provider is not None:
        values["provider"] = provider
    sandbox = Sandbox(**values)
    sandbox.on_missing_mapping = _skip
    try:
        yield sandbox
    finally:
        sandbox.close()


def _skip(message: str) -> None:
    pytest.skip(message)


@pytest.fixture
def unimap_sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """A sandbox of the provider named by the `unimap` marker (default: mailerlite)."""
    yield from _sandbox(request, None)


@pytest.fixture
def unimap_mailerlite(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """A sandbox simulating a MailerLite account."""
    yield from _sandbox(request, "mailerlite")


@pytest.fixture
def unimap_mailchimp(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """A sandbox simulating a Mailchimp account."""
    yield from _sandbox(request, "mailchimp")


@pytest.fixture
def unimap_brevo(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """A sandbox simulating a Brevo account."""
    yield from _sandbox(request, "brevo")


@pytest.fixture
def unimap_kit(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """A sandbox simulating a Kit account."""
    yield from _sandbox(request, "kit")
