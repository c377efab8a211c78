"""The key that encrypts stored credentials: where it comes from and how it is kept.

Resolution order:

1. `UNIMAP_SECRET_KEY`, when set: the URL-safe base64 encoding of 32 random bytes (standard
   base64 and missing padding are accepted too). A malformed or empty value is an error that
   names the variable, never a silent fallback to another key (which would encrypt new
   accounts under a key the operator does not know about). The value is never echoed.
2. Otherwise the key file `$UNIMAP_HOME/secret.key`, generated on first use: created
   exclusively (`O_CREAT | O_EXCL`, mode 0600) under a temporary name, written and synced,
   then published with a hard link, which fails if another process won the race (its key is
   then used). Readers therefore never see a half-written file. The file holds the same text
   format as the variable, so it can be moved into a secret manager as is.

A key file accessible by group or others, or owned by another user, is refused with
`InsecureKeyFileError` (POSIX only).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path

from engine.accounts.errors import InsecureKeyFileError, SecretKeyError
from engine.accounts.home import default_home, ensure_private_dir

__all__ = [
    "KEY_BYTES",
    "KEY_FILE_NAME",
    "SECRET_KEY_ENV",
    "cursor_key",
    "decode_key",
    "encode_key",
    "generate_key",
    "key_file_path",
    "load_key",
    "read_key_file",
]

#: The environment variable holding the key.
SECRET_KEY_ENV = "UNIMAP_SECRET_KEY"
#: The key file's name inside `$UNIMAP_HOME`.
KEY_FILE_NAME = "secret.key"
#: Key length: AES-256.
KEY_BYTES = 32

_HOW_TO_MAKE_ONE = (
    "generate one with: python -c "
    '"from engine.accounts.keys import generate_key; print(generate_key())"'
)


def encode_key(key: bytes) -> str:
    """Return the text form of a key: URL-safe base64 with padding (44 characters)."""
    return base64.urlsafe_b64encode(key).decode("ascii")


def generate_key() -> str:
    """Return a new random key in text form, suitable for `UNIMAP_SECRET_KEY`."""
    return encode_key(secrets.token_bytes(KEY_BYTES))


def decode_key(text: str, *, source: str) -> bytes:
    """Decode the text form of a key; `source` names where it came from in error messages.

    Raises `SecretKeyError` naming `source` (and never quoting the value) when malformed.
    """
    value = text.strip()
    if not value:
        raise SecretKeyError(f"{source} is set but empty; {_HOW_TO_MAKE_ONE}")
    value = value.replace("-", "+").replace("_", "/")
    value += "=" * (-len(value) % 4)
    try:
        key = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise SecretKeyError(
            f"{source} is malformed: it is not base64 (expected the URL-safe base64 encoding "
            f"of {KEY_BYTES} random bytes); {_HOW_TO_MAKE_ONE}"
        ) from None
    if len(key) != KEY_BYTES:
        raise SecretKeyError(
            f"{source} is malformed: it decodes to {len(key)} bytes, expected {KEY_BYTES} "
            f"(an AES-256 key); {_HOW_TO_MAKE_ONE}"
        )
    return key


def key_file_path(home: Path | None = None) -> Path:
    """Return the key file's path: `<home>/secret.key`, home defaulting to `default_home()`."""
    return (home if home is not None else default_home()) / KEY_FILE_NAME


def _check_private(path: Path, info: os.stat_result) -> None:
    if os.name != "posix":
        return
    if not stat.S_ISREG(info.st_mode):
        raise InsecureKeyFileError(f"key file {path} is not a regular file")
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        raise InsecureKeyFileError(
            f"key file {path} is accessible by group or others (mode {mode:04o}); "
            f"restrict it with: chmod 600 {path}"
        )
    if info.st_uid != os.getuid():
        raise InsecureKeyFileError(
            f"key file {path} is owned by uid {info.st_uid}, not by the current user "
            f"(uid {os.getuid()})"
        )


def read_key_file(path: Path) -> bytes:
    """Read and check an existing key file (owner-only permissions, valid key)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        _check_private(path, os.fstat(fd))
        data = os.read(fd, 4096)
    finally:
        os.close(fd)
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise SecretKeyError(f"key file {path} is malformed: not ASCII text") from None
    return decode_key(text, source=f"key file {path}")


def _write_new_key_file(path: Path) -> bool:
    """Create the key file with a fresh key; return False if it already exists."""
    text = (generate_key() + "\n").encode("ascii")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(temporary, flags, 0o600)
    try:
        try:
            os.write(fd, text)
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(temporary, path)  # atomic and exclusive: fails if the key file exists
        except FileExistsError:
            return False
        except OSError:
            # No hard links on this file system: create the final name exclusively instead.
            try:
                fd = os.open(path, flags, 0o600)
            except FileExistsError:
                return False
            try:
                os.write(fd, text)
                os.fsync(fd)
            finally:
                os.close(fd)
    finally:
        temporary.unlink(missing_ok=True)
    return True


def load_key(home: Path | None = None, *, environ: Mapping[str, str] | None = None) -> bytes:
    """Return the 32-byte credential key (see the module documentation for the order).

    `home` defaults to `default_home()`; `environ` to `os.environ`. Raises `SecretKeyError`
    (or its subclass `InsecureKeyFileError`) with a message saying what to fix.
    """
    env = os.environ if environ is None else environ
    if SECRET_KEY_ENV in env:
        return decode_key(env[SECRET_KEY_ENV], source=SECRET_KEY_ENV)
    path = key_file_path(home)
    if not path.exists():
        ensure_private_dir(path.parent)
        _write_new_key_file(path)
    return read_key_file(path)


CURSOR_KEY_ENV = "UNIMAP_CURSOR_KEY"


def cursor_key(home: Path | None = None, *, environ: Mapping[str, str] | None = None) -> bytes:
    """The key unified cursors are sealed with: secret unless an operator chooses otherwise.

    `UNIMAP_CURSOR_KEY` (any text) when set; otherwise derived from the credential key
    (`load_key`: `UNIMAP_SECRET_KEY`, else the owner-only key file made on first use), so
    every process of one installation accepts the others' cursors and nobody else can forge
    one.
    """
    env = os.environ if environ is None else environ
    configured = env.get(CURSOR_KEY_ENV, "")
    if configured:
        return hashlib.sha256(b"unimap-cursor\x00" + configured.encode()).digest()
    return hmac.new(load_key(home, environ=environ), b"unimap-cursor", hashlib.sha256).digest()
