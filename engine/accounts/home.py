"""Where Unimap keeps its local state: `$UNIMAP_HOME`, or `~/.unimap` when unset."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["HOME_ENV", "default_home", "ensure_private_dir"]

#: The environment variable naming the state folder.
HOME_ENV = "UNIMAP_HOME"


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
