"""`unimap accounts doctor`: is the account store usable, and which accounts can be read?

Three checks, each a `Finding`: the credential key loads, the database opens (and, for the
embedded SQLite file, passes `PRAGMA quick_check`), and every account decrypts with the key.
Findings name files, environment variables and account ids — never a secret's value.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine.accounts.database import database_url, open_store
from engine.accounts.errors import AccountsError
from engine.accounts.keys import load_key
from engine.accounts.postgres_store import safe_url
from engine.accounts.sqlite_store import SqliteAccountStore
from engine.accounts.store_errors import store_error


@dataclass(frozen=True)
class Finding:
    """One check's outcome: `ok`, what was checked, and what was found (with a remedy)."""

    ok: bool
    check: str
    detail: str

    def to_dict(self) -> dict[str, Any]:
        """The JSON form printed by `unimap accounts doctor --format json`."""
        return {"ok": self.ok, "check": self.check, "detail": self.detail}


def _integrity(store: Any) -> str:
    """`ok`, or what SQLite's quick check found (other stores are not checked here)."""
    if not isinstance(store, SqliteAccountStore):
        return "ok"
    try:
        with store._transaction() as conn:
            rows = conn.execute("PRAGMA quick_check").fetchall()
    except AccountsError as exc:
        return exc.message
    found = "; ".join(str(row[0]) for row in rows[:5])
    return "ok" if found == "ok" else found


def diagnose(url: str | None = None, key: Callable[[], bytes] = load_key) -> list[Finding]:
    """Check the key, the database at `url` (default: `database_url()`) and every account."""
    where = safe_url(url or database_url())
    try:
        secret = key()
    except AccountsError as exc:
        return [Finding(False, "key", exc.message)]
    findings = [Finding(True, "key", "the credential key loads")]
    try:
        store = open_store(url, key=secret)
    except AccountsError as exc:
        return [*findings, Finding(False, "database", exc.message)]
    except sqlite3.Error as exc:  # pragma: no cover - the store translates its own errors
        return [*findings, Finding(False, "database", store_error(where, exc).message)]
    with store:
        integrity = _integrity(store)
        if integrity != "ok":
            message = store_error(where, sqlite3.DatabaseError(integrity)).message
            return [*findings, Finding(False, "database", message)]
        findings.append(Finding(True, "database", f"{where} opens and passes its checks"))
        try:
            readable, unreadable = store.scan()
        except AccountsError as exc:
            return [*findings, Finding(False, "accounts", exc.message)]
    findings.append(Finding(True, "accounts", f"{len(readable)} account(s) readable"))
    for account in unreadable:
        what = f"account {account.id} ({account.provider}, {account.status})"
        findings.append(Finding(False, what, f"unreadable: {account.reason}"))
    return findings
