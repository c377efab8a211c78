"""Connection settings: the non-secret per-account values a provider declares in `settings:`.

`resolve_settings` checks what a connection is given against the declaration (unknown names,
missing required ones, value types) and applies the declared defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from engine.errors import FieldProblem, ValidationError
from engine.suggest import did_you_mean

if TYPE_CHECKING:
    from engine.format.provider import ProviderFile

SettingValue = str | int | float | bool
"""The value of one setting (JSON scalars; the CLI gives strings)."""


def resolve_settings(
    provider: ProviderFile, given: Mapping[str, Any] | None
) -> dict[str, SettingValue | None]:
    """Every declared setting with its value (given, else its default, else null); raise a
    `validation_error` naming each unknown, missing or ill-typed setting."""
    values = dict(given or {})
    declared = {s.name: s for s in provider.settings}
    problems: list[FieldProblem] = []
    for name in sorted(set(values) - set(declared)):
        hint = did_you_mean(name, sorted(declared))
        accepted = ", ".join(sorted(declared)) or "none"
        message = f"unknown setting '{name}'{hint}; accepted: {accepted}"
        problems.append(FieldProblem(f"settings.{name}", message))
    resolved: dict[str, SettingValue | None] = {}
    for name, setting in declared.items():
        value = values.get(name)
        if value is not None and not isinstance(value, SettingValue):
            problems.append(
                FieldProblem(f"settings.{name}", "must be a string, a number or a boolean")
            )
            continue
        if value is None or value == "":
            value = setting.default
        if setting.required and value in (None, ""):
            problems.append(FieldProblem(f"settings.{name}", f"setting '{name}' is required"))
        resolved[name] = value
    if problems:
        raise ValidationError(
            f"{provider.label}: invalid connection settings: "
            + "; ".join(problem.message for problem in problems),
            details=problems,
        )
    return resolved
