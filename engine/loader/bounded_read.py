"""Reading mapping files within limits: regular files only, and no more than a set size.

CI pipelines validate mapping folders contributed by others, so a file is checked before it is
read: a FIFO would block forever, a symlink to `/dev/zero` would never end, a huge file would
eat memory. Each is refused with a message instead.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_FILE_BYTES = 1_000_000
"""The largest mapping or example file read (bytes); the bundled files are below 10 kB."""


class FileRefused(ValueError):
    """A file that is not read: not a regular file, too large, unreadable or not UTF-8."""


def _kind(mode: int) -> str:
    """What a non-regular file is, for messages."""
    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def _check(info: os.stat_result, limit: int) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise FileRefused(f"not a regular file ({_kind(info.st_mode)}): only plain files are read")
    if info.st_size > limit:
        raise FileRefused(f"file too large ({info.st_size} bytes; the limit is {limit} bytes)")


def read_text_bounded(path: Path, limit: int | None = None) -> str:
    """The UTF-8 text of `path`; `FileRefused` when it is not a regular file of at most `limit`
    bytes (default `MAX_FILE_BYTES`; checked before opening, on the open descriptor, and while
    reading)."""
    limit = MAX_FILE_BYTES if limit is None else limit
    try:
        _check(os.stat(path), limit)
        # O_NONBLOCK: if the file was swapped for a FIFO since the check, opening cannot hang.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise FileRefused(f"cannot read file: {exc.strerror or exc}") from None
    with os.fdopen(descriptor, "rb") as handle:
        _check(os.fstat(descriptor), limit)
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise FileRefused(f"file too large (more than {limit} bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        message = f"cannot read file: not UTF-8 ({exc.reason} at byte {exc.start})"
        raise FileRefused(message) from None
