"""httpx, imported without its command line.

`import httpx` also imports httpx's own `httpx` command (`httpx._main`: click, rich and
pygments) whenever those happen to be installed: about 45 ms and 5 MB that the engine never
uses. The engine's sending code imports httpx from here; when httpx is not imported yet, its
command is left out of that first import (`httpx.main` is then the stub httpx installs when
they are missing; `import httpx._main` still works afterwards).
"""

from __future__ import annotations

import sys

_SKIP = "httpx" not in sys.modules and "httpx._main" not in sys.modules
if _SKIP:
    sys.modules["httpx._main"] = None  # type: ignore[assignment]  # an import of it fails
try:
    import httpx
finally:
    if _SKIP and "httpx._main" in sys.modules and sys.modules["httpx._main"] is None:
        del sys.modules["httpx._main"]

__all__ = ["httpx"]
