"""Checks of the language-v2 request features: templates (bare names and expressions),
connection settings, and what a `get` may declare."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.expressions import ExpressionError, compile_expression
from engine.expressions.templates import TemplateError, parse_template, settings_read
from engine.format.provider import ProviderFile
from engine.format.resource import Operation
from engine.loader.problems import DataPath
from engine.suggest import did_you_mean

if TYPE_CHECKING:
    from engine.loader.checks import _Checker


def check_template(
    checker: _Checker,
    path: DataPath,
    template: str,
    fillers: set[str],
    what: str,
    *,
    is_path: bool = False,
    settings: bool = True,
) -> None:
    """Placeholders parse, bare names are in `fillers`, expressions compile and read only
    `fillers` and (when `settings`) declared settings; a path holds no literal `?`."""
    try:
        parts = parse_template(template)
    except TemplateError as exc:
        checker.report(
            path, f"invalid template: {exc} (write a literal brace as '{{{{' or '}}}}')"
        )
        return
    if is_path and any("?" in literal for literal, _ in parts):
        checker.report(
            path,
            "a path may not hold '?': declare query parameters under 'query:' "
            "(a query written in the path would be dropped)",
        )
    for _, placeholder in parts:
        if placeholder is None:
            continue
        if placeholder.bare:
            _filled(checker, path, placeholder.source, placeholder.source, fillers, what)
            continue
        try:
            compiled = compile_expression(placeholder.source, checker.value_maps)
        except ExpressionError as exc:
            checker.report(path, f"placeholder '{{{placeholder.source}}}': {exc}")
            continue
        checker.settings_exist(path, placeholder.source)
        context = {"settings"} if settings else set()
        for name in sorted(compiled.root_fields - fillers - context):
            _filled(checker, path, placeholder.source, name, fillers, what)


def _filled(
    checker: _Checker, path: DataPath, source: str, name: str, fillers: set[str], what: str
) -> None:
    if name in fillers:
        return
    hint = did_you_mean(name, sorted(fillers))
    if name == source:
        checker.report(path, f"placeholder '{{{name}}}' is not filled by any {what}{hint}")
    else:
        checker.report(
            path, f"placeholder '{{{source}}}' reads '{name}', not filled by any {what}{hint}"
        )


def check_settings_read(checker: _Checker, path: DataPath, source: str) -> None:
    """Every `settings.<name>` the expression reads is a declared setting (when known)."""
    if checker.settings is None:
        return
    for name in sorted(settings_read(source) - checker.settings):
        hint = did_you_mean(name, sorted(checker.settings))
        checker.report(
            path,
            f"unknown setting '{name}'{hint} (settings are declared under 'settings:' "
            "in provider.yaml)",
        )


def check_settings(checker: _Checker, provider: ProviderFile) -> None:
    """Settings are declared once, apart from the credentials; required ones have no default."""
    seen: set[str] = set()
    credentials = {c.name for c in provider.credentials}
    for index, setting in enumerate(provider.settings):
        if setting.name in seen:
            message = f"setting '{setting.name}' is declared twice"
            checker.report(("settings", index, "name"), message)
        if setting.name in credentials:
            checker.report(
                ("settings", index, "name"), f"'{setting.name}' is already a credential"
            )
        if setting.required and setting.default is not None:
            checker.report(
                ("settings", index, "default"), "a required setting cannot have a default"
            )
        seen.add(setting.name)


def request_inputs(method: str, filters: set[str], writable: set[str]) -> tuple[set[str], str]:
    """What the request expressions of a method may read, and how to name it in messages."""
    if method == "list":
        return filters | {"limit"}, "declared filter"
    if method == "get":
        return {"id"}, "get input (a get reads only its 'id')"
    return writable, "writable unified field"


def check_get(checker: _Checker, operation: Operation, path: DataPath) -> None:
    """A get takes its id alone: no filters, and no route setting a get would ignore."""
    if operation.filters:
        checker.report(
            (*path, "filters"),
            "a get takes no filters (only its id): read 'id' in 'query:' or choose a route "
            "with 'id_pattern'",
        )
    for index, route in enumerate(operation.routes):
        if route.pagination is not None:
            checker.report(
                (*path, "routes", index, "pagination"), "a get route is not paginated"
            )
        if route.empty_on_not_found:
            checker.report(
                (*path, "routes", index, "empty_on_not_found"),
                "a get answers not_found when nothing matches; remove 'empty_on_not_found'",
            )
