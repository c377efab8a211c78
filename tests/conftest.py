"""Suite-wide setting: the test run keeps its keys and databases in a throw-away home."""

from __future__ import annotations

import os
import tempfile

if not os.environ.get("UNIMAP_HOME"):
    os.environ["UNIMAP_HOME"] = tempfile.mkdtemp(prefix="unimap-test-home-")
