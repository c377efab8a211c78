"""Where the bundled data lives (`mappings/`, `schemas/`), the extra mapping folders, and
Unimap's local state folder (`$UNIMAP_HOME`, else `~/.unimap`).

In a source checkout (including an editable install) they are the top-level folders of the
repository; in an installed wheel they are packaged under `engine/_bundled/`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

MAPPINGS_ENV = "UNIMAP_MAPPINGS"
"""Extra mapping folders, separated by `os.pathsep`, loaded on top of the bundled ones."""

_PACKAGE_DIR = Path(__file__).resolve().parent


def _bundled(name: str) -> Path:
    checkout = _PACKAGE_DIR.parent / name
    if checkout.is_dir():
        return checkout
    return _PACKAGE_DIR / "_bundled" / name


def mappings_dir() -> Path:
    """The folder holding one sub-folder of mapping YAML per provider."""
    return _bundled("mappings")


def schemas_dir() -> Path:
    """The folder holding `mapping.schema.json` and the unified JSON Schemas."""
    return _bundled("schemas")


def shared_dir() -> Path | None:
    """The read-only `../shared` folder beside a checkout, when present (tests and CI)."""
    candidate = _PACKAGE_DIR.parent.parent / "shared"
    return candidate if candidate.is_dir() else None


def env_mapping_folders(environ: Mapping[str, str] | None = None) -> list[Path]:
    """The folders named by `UNIMAP_MAPPINGS` (separated by `os.pathsep`), in order."""
    value = (os.environ if environ is None else environ).get(MAPPINGS_ENV, "")
    return [Path(part) for part in value.split(os.pathsep) if part.strip()]


HOME_ENV = "UNIMAP_HOME"
"""The environment variable naming the state folder."""


def default_home() -> Path:
    """Return `$UNIMAP_HOME` (with `~` expanded), or `~/.unimap` when it is unset or empty.

    The folder is not created; see `ensure_private_dir`.
    """
    configured = os.environ.get(HOME_ENV, "").strip()
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".unimap"


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (and its parents) if missing, the folder itself with mode 0700.

    An existing folder is left as it is: its permissions are the owner's choice, and the files
    Unimap writes into it are owner-only anyway.
    """
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=False)
    except FileExistsError:
        if not path.is_dir():
            raise NotADirectoryError(f"{path} exists and is not a folder") from None
        return path
    os.chmod(path, 0o700)  # mkdir's mode is filtered by the umask
    return path
