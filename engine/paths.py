"""Where the bundled data lives (`mappings/`, `schemas/`), and the extra mapping folders.

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
