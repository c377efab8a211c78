"""A canary API key through linking, calls that succeed and fail, explain, DEBUG logs and
tracebacks: it must appear in no output, no error, no repr and no byte of the database files.

The engine's log records are checked twice: raw (no redacting filter, so the engine itself
must never log the key) and through `SecretRedactingFilter` (the documented set-up).
"""

from __future__ import annotations

import io
import json
import logging
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from engine.accounts import SecretRedactingFilter, SqliteAccountStore, default_store
from engine.api import Connection, Engine
from engine.errors import (
    ConnectionFailedError,
    NotFoundError,
    RemoteError,
    UnauthorizedError,
    UnimapError,
    ValidationError,
)
from engine.linking import connect_account, link_account
from engine.run.clock import FakeClock
from engine.run.retry import RetryPolicy
from simulators.core.faults import FaultInjector, FaultPlan
from simulators.mailerlite import IN_PROCESS_BASE_URL, Simulator, serve_in_thread

if TYPE_CHECKING:
    from engine.loader import ProviderMapping

CANARY = "canary-9f8e7d6c5b4a"
CORE = "9f8e7d6c5b4a"
"""The distinctive part: finding it anywhere means (part of) the key leaked."""


pytestmark = pytest.mark.usefixtures("embedded_database")  # checks the files it writes

def assert_clean(text: str, where: str) -> None:
    assert CORE not in text, f"the canary leaked into {where}"


def assert_files_clean(home: Path) -> None:
    files = [p for p in home.rglob("*") if p.is_file()]
    assert any(p.name == "unimap.db" for p in files)
    for path in files:  # unimap.db, -wal, -shm, -journal, secret.key
        data = path.read_bytes()
        assert CORE.encode() not in data, f"the canary is in {path.name}"
        assert CORE.encode("utf-16-le") not in data, f"the canary is in {path.name} (UTF-16)"


class Outputs:
    """Every text the run produced, to search at the end."""

    def __init__(self) -> None:
        self.texts: dict[str, str] = {}

    def add(self, where: str, text: str) -> None:
        self.texts[f"{where} #{len(self.texts)}"] = text

    def error(self, where: str, error: BaseException) -> None:
        self.add(f"{where}: str", str(error))
        self.add(f"{where}: repr", repr(error))
        if isinstance(error, UnimapError):
            self.add(f"{where}: to_dict", json.dumps(error.to_dict(), default=str))
        self.add(f"{where}: traceback", "".join(traceback.format_exception(error)))
        locals_tb = traceback.TracebackException.from_exception(error, capture_locals=True)
        self.add(f"{where}: traceback with locals", "".join(locals_tb.format()))
        logging.getLogger("canary.app").exception("call failed: %s", error)

    def check(self) -> None:
        for where, text in self.texts.items():
            assert_clean(text, where)


@pytest.fixture
def logs() -> Iterator[tuple[io.StringIO, io.StringIO]]:
    """DEBUG logging of every logger into a raw handler and a redacting one."""
    root = logging.getLogger()
    raw, redacted = io.StringIO(), io.StringIO()
    raw_handler = logging.StreamHandler(raw)
    redacting_handler = logging.StreamHandler(redacted)
    redacting = SecretRedactingFilter()
    redacting.register(CANARY)
    redacting_handler.addFilter(redacting)
    formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")
    for handler in (raw_handler, redacting_handler):
        handler.setFormatter(formatter)
        handler.setLevel(logging.DEBUG)
        root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.DEBUG)
    try:
        yield raw, redacted
    finally:
        root.setLevel(old_level)
        root.removeHandler(raw_handler)
        root.removeHandler(redacting_handler)


def expect(
    outputs: Outputs, where: str, kind: type[BaseException], action: Callable[[], Any]
) -> BaseException:
    with pytest.raises(kind) as caught:
        action()
    outputs.error(where, caught.value)
    return caught.value


def exercise(conn: Connection, sim: Simulator, outputs: Outputs) -> None:
    """Calls that succeed and fail in every way, explain, reprs."""
    page = conn.contacts.list(limit=5)
    outputs.add("list result", json.dumps(page))
    outputs.add("iterate", json.dumps(list(conn.iterate("contacts", {"limit": 3}))))
    created = conn.contacts.upsert({"email": "canary-check@example.org", "first_name": "C"})
    outputs.add("upsert result", json.dumps(created))
    for resource, method, kwargs in (
        ("contacts", "list", {"query": {"limit": 10}}),
        ("contacts", "upsert", {"body": {"email": "x@example.org"}}),
        ("contacts", "get", {"id": "123"}),
        ("contacts", "bulk_upsert", {"body": {"contacts": [{"email": "a@example.org"}] * 2}}),
    ):
        explained = conn.explain(resource, method, **kwargs)
        text = json.dumps(explained)
        assert "***" in text  # the Authorization header is shown, masked
        outputs.add(f"explain {resource}.{method}", text)
        print(json.dumps(explained, indent=2))
    outputs.add("repr connection", repr(conn))
    outputs.add("repr session", repr(conn.session))
    outputs.add("repr engine", repr(conn.engine))
    outputs.add("stats", json.dumps(conn.stats.snapshot()))

    expect(outputs, "404", NotFoundError, lambda: conn.contacts.get("999999999"))
    error = expect(outputs, "422", ValidationError, lambda: conn.lists.create({"name": "n" * 300}))
    assert isinstance(error, ValidationError) and error.remote
    expect(outputs, "local validation", ValidationError, lambda: conn.lists.create({"name": ""}))

    for spec, kind in (
        ("drop:1", ConnectionFailedError),
        ("500:1", RemoteError),
        ("malformed:1", RemoteError),
        ("truncate:1", RemoteError),
    ):
        sim.faults = FaultInjector(FaultPlan.parse(spec), seed=0)
        expect(outputs, f"fault {spec} (read)", kind, lambda: conn.contacts.list(limit=2))
        expect(
            outputs,
            f"fault {spec} (create)",
            UnimapError,
            lambda: conn.lists.create({"name": "Faulty"}),
        )
    sim.faults = FaultInjector(FaultPlan(), seed=0)

    sim.token = "rotated-token"
    expect(outputs, "401", UnauthorizedError, lambda: conn.contacts.list(limit=1))
    sim.token = CANARY


def run_everything(
    store: SqliteAccountStore,
    sim: Simulator,
    base_url: str,
    transport: Any,
    providers: dict[str, ProviderMapping],
) -> Outputs:
    outputs = Outputs()
    engine = Engine(
        providers,
        retry_policy=RetryPolicy(base_delay=0.001, max_attempts=3),
        clock=FakeClock(),
    )
    sim.token = "other-token"
    expect(
        outputs,
        "link refused",
        UnauthorizedError,
        lambda: link_account(
            engine,
            store,
            "mailerlite",
            {"api_key": CANARY},
            base_url=base_url,
            transport=transport,
        ),
    )
    assert store.list() == []
    sim.token = CANARY
    account = link_account(
        engine,
        store,
        "mailerlite",
        {"api_key": CANARY},
        label="Canary",
        base_url=base_url,
        transport=transport,
    )
    outputs.add("repr account", repr(account))
    outputs.add("str account", str(account))
    outputs.add("account vars", repr(vars(account)) if hasattr(account, "__dict__") else "")
    with connect_account(engine, store, account.id, transport=transport) as conn:
        exercise(conn, sim, outputs)
    outputs.add("repr stored account", repr(store.get(account.id)))
    assert str(store.get(account.id).status) == "needs_reauth"
    return outputs


def test_canary_in_process(
    unimap_home: Path,
    bundled_providers: dict[str, ProviderMapping],
    logs: tuple[io.StringIO, io.StringIO],
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    sim = Simulator(seed=9, token=CANARY, rate_limit=None).seed_data(subscribers=20)
    with default_store() as store:
        outputs = run_everything(
            store, sim, IN_PROCESS_BASE_URL, sim.transport(), bundled_providers
        )
        assert_files_clean(unimap_home)  # while open (WAL/journal present)
    sim.close()
    assert_files_clean(unimap_home)  # after close
    outputs.check()
    raw, redacted = logs
    assert "call failed" in raw.getvalue()  # the logging path really ran
    assert "unimap.http" in raw.getvalue()  # engine DEBUG records were emitted
    assert_clean(raw.getvalue(), "raw DEBUG logs")
    assert_clean(redacted.getvalue(), "redacted DEBUG logs")
    assert_clean(caplog.text, "caplog")
    captured = capsys.readouterr()
    assert "Bearer ***" in captured.out
    assert_clean(captured.out, "stdout")
    assert_clean(captured.err, "stderr")


def test_canary_over_loopback_http(
    unimap_home: Path,
    bundled_providers: dict[str, ProviderMapping],
    logs: tuple[io.StringIO, io.StringIO],
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Same run over real HTTP on 127.0.0.1: httpx, httpcore and uvicorn log at DEBUG too."""
    caplog.set_level(logging.DEBUG)
    sim = Simulator(seed=9, token=CANARY, rate_limit=None).seed_data(subscribers=20)
    with serve_in_thread(sim) as base_url, default_store() as store:
        outputs = run_everything(store, sim, base_url, None, bundled_providers)
        assert_files_clean(unimap_home)
    sim.close()
    assert_files_clean(unimap_home)
    outputs.check()
    raw, redacted = logs
    assert "httpcore" in raw.getvalue() or "httpx" in raw.getvalue()
    assert_clean(raw.getvalue(), "raw DEBUG logs")
    assert_clean(redacted.getvalue(), "redacted DEBUG logs")
    assert_clean(caplog.text, "caplog")
    captured = capsys.readouterr()
    assert_clean(captured.out + captured.err, "stdout/stderr")
