"""Where Unimap keeps its local state: `$UNIMAP_HOME`, or `~/.unimap` when unset.

Defined in `engine.paths` (the mapping cache lives there too); re-exported here for the
account store and keys.
"""

from __future__ import annotations

from engine.paths import HOME_ENV, default_home, ensure_private_dir

__all__ = ["HOME_ENV", "default_home", "ensure_private_dir"]
