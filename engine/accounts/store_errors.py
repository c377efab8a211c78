"""Database errors of the account store, surfaced as unified errors with a remedy.

A raw `sqlite3.DatabaseError` (a corrupt file, a file that is not a database, a lock held by
another process past the timeout) would reach the host as a traceback; `translated_errors`
turns each into an `AccountStoreError` whose message says what happened and what to do.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from engine.accounts.errors import AccountStoreError

DOCTOR = "run `unimap accounts doctor` to see which accounts can still be read"


def store_error(where: str, exc: sqlite3.Error) -> AccountStoreError:
    """The unified error for a database error at `where` (a path), with its remedy."""
    text = str(exc) or type(exc).__name__
    if "locked" in text or "busy" in text:
        return AccountStoreError(
            f"the account database {where} is locked by another process ({text}); retry "
            "when it is done, or find the process holding it (e.g. `fuser` on the file)",
            status_code=503,
        )
    if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
        return AccountStoreError(
            f"the account database {where} is damaged ({text}); restore it from a backup, "
            f"or move it aside to start afresh and re-link the accounts; {DOCTOR}"
        )
    return AccountStoreError(
        f"the account database {where} cannot be used ({text}); check that the file and its "
        f"folder are readable and writable by this user and the disk is not full; {DOCTOR}"
    )


@contextmanager
def translated_errors(where: str) -> Iterator[None]:
    """Re-raise any `sqlite3.Error` of the block as an `AccountStoreError`."""
    try:
        yield
    except sqlite3.Error as exc:
        raise store_error(where, exc) from None
