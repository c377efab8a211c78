"""`--mappings DIR` (repeatable) and `UNIMAP_MAPPINGS`: mapping folders on top of the bundled.

Every command that loads mappings adds the option with `add_mappings_argument` and loads
with `load_engine`. Folders apply in order, `UNIMAP_MAPPINGS` first, then each `--mappings`;
a provider of a later folder replaces one of the same name (a logged warning says so,
printed on stderr).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.paths import MAPPINGS_ENV, env_mapping_folders

if TYPE_CHECKING:
    from engine.api import Engine


def add_mappings_argument(parser: argparse.ArgumentParser) -> None:
    """Add `--mappings DIR` (repeatable) to a command's parser."""
    parser.add_argument(
        "--mappings",
        action="append",
        default=[],
        metavar="DIR",
        help="a provider folder, or a folder of provider folders, loaded on top of the bundled "
        f"mappings (repeatable; also ${MAPPINGS_ENV}, separated by ':')",
    )


def mapping_folders(args: argparse.Namespace) -> list[Path]:
    """The extra folders of a command: `UNIMAP_MAPPINGS` first, then each `--mappings`."""
    return [*env_mapping_folders(), *(Path(p) for p in getattr(args, "mappings", []))]


def load_engine(args: argparse.Namespace, **options: Any) -> Engine:
    """The engine over the bundled mappings plus the command's extra folders."""
    from engine.api import Engine

    return Engine.load(*mapping_folders(args), **options)
