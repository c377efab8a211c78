"""`SqliteOutbox`: the webhook outbox in a SQLite file (by default the accounts' database,
`$UNIMAP_HOME/unimap.db`); everything but opening the file is `SqlOutbox`'s."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from engine.accounts.sqlite_store import SqliteDatabase
from engine.forwarding.sql_outbox import SqlOutbox, open_outbox

__all__ = ["SqliteOutbox", "default_outbox"]


class SqliteOutbox(SqlOutbox):
    """An `Outbox` in the SQLite file at `path` (created and migrated when needed)."""

    def __init__(
        self, path: str | os.PathLike[str], *, clock: Callable[[], float] = time.time
    ) -> None:
        """Open (creating if needed) the database at `path`."""
        self.path = Path(path)
        super().__init__(SqliteDatabase(self.path), clock=clock)

    def __repr__(self) -> str:
        """Show the database path."""
        return f"SqliteOutbox({str(self.path)!r})"


def default_outbox() -> SqlOutbox:
    """The installation's outbox: in the database of `UNIMAP_DATABASE_URL`, else in
    `$UNIMAP_HOME/unimap.db`."""
    return open_outbox()
