"""Building provider request bodies from per-key expressions (pure).

A body's keys (`spec` and `always`) become one generated function per mapping
(`engine.expressions.programs.body_program`), built once and cached on the mapping; the
key-by-key loop below is the reference it follows, and runs whenever the function cannot
be generated or fails (so a failure reads exactly as before).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from engine.expressions.programs import BodyEntry, Program, body_program
from engine.loader import ProviderMapping
from engine.plan.build import CONTEXT_NAMES, given, reads_context_only

_IMMUTABLE = frozenset({str, int, float, bool, type(None)})


def set_path(target: dict[str, Any], dotted: str, value: Any) -> None:
    """Set `a.b.c` inside nested dicts, merging into dicts already there."""
    set_parts(target, tuple(dotted.split(".")), value)


def set_parts(target: dict[str, Any], keys: tuple[str, ...], value: Any) -> None:
    """Set the value at the path `keys` inside nested dicts (a copy of it: the body never
    shares a container with the input), merging into a dict already there."""
    node = target
    for key in keys[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            child = {}
            node[key] = child
        node = child
    last = keys[-1]
    copied = value if type(value) in _IMMUTABLE else copy.deepcopy(value)
    if isinstance(copied, dict) and isinstance(node.get(last), dict):
        node[last].update(copied)
    else:
        node[last] = copied


def build_body(
    mapping: ProviderMapping,
    spec: Mapping[str, str] | None,
    always: Mapping[str, str],
    data: Mapping[str, Any],
) -> dict[str, Any] | None:
    """The provider body: a key is sent when the input gives what its expression reads (a
    key reading only `id` or `settings` is sent when its value is not null).

    Shallower keys are set first, so `fields: custom_fields` and `fields.name: first_name`
    merge into one `fields` object.
    """
    if spec is None and not always:
        return None
    program = _program(mapping, spec, always)
    if program is not None:
        try:
            body: dict[str, Any] = program(data)
            return body
        except Exception:  # the key-by-key loop raises what it raises
            pass
    return interpret_body(mapping, spec, always, data)


def interpret_body(
    mapping: ProviderMapping,
    spec: Mapping[str, str] | None,
    always: Mapping[str, str],
    data: Mapping[str, Any],
) -> dict[str, Any]:
    """`build_body` key by key on the expressions' closures (the reference)."""
    body: dict[str, Any] = {}
    for key, source in _ordered(spec, always):
        compiled = mapping.expression(source)
        if key not in always and not given(compiled, data):
            continue
        value = compiled.search(data)
        if value is None and key not in always and reads_context_only(compiled):
            continue
        set_path(body, key, value)
    return body


def _ordered(spec: Mapping[str, str] | None, always: Mapping[str, str]) -> list[tuple[str, str]]:
    """The body's keys, shallower first."""
    return sorted({**(spec or {}), **always}.items(), key=lambda kv: kv[0].count("."))


def _program(
    mapping: ProviderMapping, spec: Mapping[str, str] | None, always: Mapping[str, str]
) -> Program | None:
    key = ("body", tuple((spec or {}).items()), tuple(always.items()))
    return mapping.memo(key, lambda: _generate(mapping, spec, always))


def _generate(
    mapping: ProviderMapping, spec: Mapping[str, str] | None, always: Mapping[str, str]
) -> Program | None:
    entries = []
    for key, source in _ordered(spec, always):
        compiled = mapping.expression(source)
        inputs = compiled.root_fields - CONTEXT_NAMES
        checked = key not in always and not compiled.reads_whole_input and bool(inputs)
        entries.append(
            BodyEntry(
                path=tuple(key.split(".")),
                compiled=compiled,
                needs=tuple(sorted(inputs)) if checked else None,
                skip_null=key not in always and reads_context_only(compiled),
            )
        )
    return body_program(entries, set_parts, mapping.provider.value_maps)
