"""`docs/providers.md`, generated from the bundled mappings: which provider supports what, how.

Regenerate with `python -m engine.loader.providers_doc` after changing a mapping; a test
fails while the committed file differs from what this module renders.
"""

from __future__ import annotations

import sys
from pathlib import Path

from engine.format.provider import RateLimitBucket
from engine.format.resource import Operation
from engine.loader.load import load_mappings
from engine.loader.mapping import ProviderMapping
from engine.paths import mappings_dir

DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "providers.md"

_HEADER = """# Providers

Generated from `mappings/` by `python -m engine.loader.providers_doc`; do not edit by hand.
Every unified method of every bundled provider: ✓ supported, ✗ not supported (the reason is
in the provider's section). `unimap conformance PROVIDER` checks them against an account.
"""


def _bucket(bucket: RateLimitBucket) -> str:
    """`general` 120/60s, or `connections` 10 in flight for a concurrency bucket."""
    if bucket.concurrency is not None:
        return f"`{bucket.name}` {bucket.concurrency} in flight"
    return f"`{bucket.name}` {bucket.limit}/{bucket.period_seconds:g}s"


def _operations(providers: list[ProviderMapping]) -> list[tuple[str, str]]:
    seen: dict[tuple[str, str], None] = {}
    for mapping in providers:
        for resource_name, resource in sorted(mapping.resources.items()):
            for method in resource.operations:
                seen[(resource_name, method)] = None
    return sorted(seen)


def _supported(mapping: ProviderMapping, resource: str, method: str) -> bool:
    mapped = mapping.resources.get(resource)
    operation = mapped.operations.get(method) if mapped else None
    return operation is not None and operation.not_supported is None


def matrix(providers: list[ProviderMapping]) -> str:
    """The summary table: one row per unified method, one column per provider."""
    names = [m.name for m in providers]
    lines = [
        "| resource | method | " + " | ".join(names) + " |",
        "|---|---|" + "---|" * len(names),
    ]
    for resource, method in _operations(providers):
        marks = ["✓" if _supported(m, resource, method) else "✗" for m in providers]
        lines.append(f"| {resource} | {method} | " + " | ".join(marks) + " |")
    return "\n".join(lines)


def how(operation: Operation) -> str:
    """One line saying how the provider carries out a unified method."""
    if operation.not_supported is not None:
        return f"not supported: {operation.not_supported}"
    parts: list[str] = []
    if operation.request is not None:
        parts.append(f"`{operation.request.method} {operation.request.path}`")
    if operation.pagination:
        parts.append(f"paged by `{operation.pagination}`")
    for route in operation.routes:
        parts.append(f"when {', '.join(route.when) or 'the id matches'}: `{route.path}`")
    if operation.before:
        steps = ", ".join(f"`{s.request.method} {s.request.path}`" for s in operation.before)
        parts.append(f"first {steps}")
    if operation.each is not None:
        each = operation.each
        target = f"`{each.operation}`" if each.operation else "a request"
        if each.request is not None:
            target = f"`{each.request.method} {each.request.path}`"
        parts.append(f"each item of `{each.items}` through {target}")
    if operation.lookup is not None:
        parts.append(f"by scanning `list` for a matching `{operation.lookup.match_field}`")
    return "; ".join(parts)


def provider_section(mapping: ProviderMapping) -> str:
    """A provider's section: its connection facts and one line per unified method."""
    provider = mapping.provider
    lines = [f"## {provider.label} (`{provider.provider}`)", ""]
    lines.append(f"Base URL `{provider.base_url}`; authentication `{provider.auth.type}`.")
    credentials = ", ".join(f"`{c.name}`" for c in provider.credentials)
    lines.append(f"Credentials: {credentials or 'none'}.")
    buckets = ", ".join(_bucket(b) for b in provider.rate_limits.buckets)
    lines.append(f"Rate limits: {buckets or 'none declared'}.")
    webhooks = "declared" if provider.webhooks is not None else "none"
    lines.append(f"Webhooks: {webhooks}.")
    lines += ["", "| resource | method | how |", "|---|---|---|"]
    for resource_name, resource in sorted(mapping.resources.items()):
        for method, operation in resource.operations.items():
            cell = how(operation).replace("|", "\\|")
            lines.append(f"| {resource_name} | {method} | {cell} |")
    return "\n".join(lines)


def providers_markdown(providers: list[ProviderMapping]) -> str:
    """The whole document."""
    ordered = sorted(providers, key=lambda m: m.name)
    sections = [_HEADER.strip(), matrix(ordered), *(provider_section(m) for m in ordered)]
    return "\n\n".join(sections) + "\n"


def render_bundled() -> str:
    """The document for the bundled mappings (which must be valid)."""
    result = load_mappings([mappings_dir()])
    if not result.ok:
        raise SystemExit("the bundled mappings are invalid; run `unimap validate mappings`")
    return providers_markdown(list(result.providers.values()))


def main() -> int:
    """Write `docs/providers.md`."""
    DOC_PATH.write_text(render_bundled(), encoding="utf-8")
    print(f"wrote {DOC_PATH}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
