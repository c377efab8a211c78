"""Providers are data: the engine package names no provider and no provider host."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import yaml

from engine.paths import mappings_dir
from simulators import SANDBOX_PROVIDERS

ENGINE = Path(__file__).resolve().parents[1] / "engine"


def _provider_words() -> set[str]:
    words = set(SANDBOX_PROVIDERS)
    for provider_file in mappings_dir().glob("*/provider.yaml"):
        data = yaml.safe_load(provider_file.read_text(encoding="utf-8"))
        words.add(str(data["provider"]).lower())
        words.add(str(data.get("label", "")).lower())
        # The host after any template placeholder (a computed data-centre prefix, say).
        authority = str(data["base_url"]).split("://", 1)[-1].split("/", 1)[0]
        host = urlparse("https://" + authority.rsplit("}", 1)[-1].lstrip(".")).hostname or ""
        labels = host.split(".")
        if len(labels) >= 2:
            words.add(labels[-2])  # the registered name, e.g. the provider's own domain
    return {w for w in words if w}


def test_no_engine_source_names_a_provider() -> None:
    words = _provider_words()
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(words))) + r")\b", re.I)
    found = [
        f"{path.relative_to(ENGINE.parent)}:{number}: {line.strip()}"
        for path in sorted(ENGINE.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert not found, "provider knowledge in engine/:\n" + "\n".join(found)
