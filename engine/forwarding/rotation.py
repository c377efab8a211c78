"""The installation's rotated forwarding secrets, kept in `$UNIMAP_HOME/forward-secrets.json`.

`unimap webhook secret rotate` writes it: `current` signs every forwarded webhook from then
on; `previous` (the secret it replaced) keeps signing alongside until `previous_until` (Unix
seconds), so a receiver still configured with it verifies every delivery while the host app
switches over, then it is dropped. Both values are encrypted with the installation's
credential key (AES-256-GCM, each bound to its role); the file is owner-only. Without the file
nothing was rotated yet and the secret derived from the credential key is current.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from engine.accounts.crypto import SecretCipher, associated_data
from engine.accounts.home import default_home, ensure_private_dir
from engine.errors import ConfigurationError

__all__ = ["SECRETS_FILE_NAME", "RotatedSecrets", "read_rotated", "write_rotated"]

#: The file, in the installation's home, holding the rotated secrets.
SECRETS_FILE_NAME = "forward-secrets.json"


@dataclass(frozen=True)
class RotatedSecrets:
    """The current secret, and the previous one with the end of its grace period."""

    current: str
    previous: str | None = None
    previous_until: float | None = None

    def signing(self, now: float) -> list[str]:
        """The secrets that sign a delivery made at `now`: current first."""
        until = self.previous_until
        if self.previous and until is not None and now < until:
            return [self.current, self.previous]
        return [self.current]


def _path(home: Path | None) -> Path:
    return (home if home is not None else default_home()) / SECRETS_FILE_NAME


def _bound(role: str) -> bytes:
    return associated_data("installation", "forwarding_secret", role)


def read_rotated(home: Path | None, key: bytes) -> RotatedSecrets | None:
    """The rotated secrets, or None when none was rotated; `ConfigurationError` when the file
    is malformed (`CredentialDecryptionError` when it was written with another key)."""
    path = _path(home)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        cipher = SecretCipher(key)

        def reveal(role: str) -> str | None:
            sealed = data.get(role)
            if sealed is None:
                return None
            blob = base64.b64decode(sealed, validate=True)
            return cipher.decrypt(blob, _bound(role), what=f"the {role} forwarding secret")

        current = reveal("current")
        until = data.get("previous_until")
        if current is None or not isinstance(until, int | float | None):
            raise ValueError("incomplete")
        return RotatedSecrets(current, reveal("previous"), until)
    except FileNotFoundError:
        return None
    except (ValueError, AttributeError, binascii.Error):
        raise ConfigurationError(f"{path} is malformed; rotate the secret again") from None


def write_rotated(home: Path | None, key: bytes, rotated: RotatedSecrets) -> None:
    """Replace the file (atomically, owner-only) with `rotated`, encrypted with `key`."""
    cipher = SecretCipher(key)

    def seal(role: str, value: str | None) -> str | None:
        if value is None:
            return None
        return base64.b64encode(cipher.encrypt(value, _bound(role))).decode("ascii")

    data = {
        "current": seal("current", rotated.current),
        "previous": seal("previous", rotated.previous),
        "previous_until": rotated.previous_until,
    }
    path = _path(home)
    ensure_private_dir(path.parent)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
