"""Cross-reference checks: what the models alone cannot see.

Every expression compiles; every name points at something that exists (pagination styles,
buckets, value maps, unified fields, operations); every path placeholder is filled; every
unified method is declared. Problems carry the location of the offending node.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from pydantic import BaseModel

from engine.expressions import CompiledExpression, ExpressionError, compile_expression
from engine.expressions.templates import placeholders as template_placeholders
from engine.format.common import EXPRESSION, RequestSpec
from engine.format.provider import ProviderFile
from engine.format.resource import Operation, ResourceFile
from engine.format.walk import marked_values
from engine.loader.enums import check_enum_maps
from engine.loader.limit_checks import check_rate_limits
from engine.loader.problems import DataPath, Problem, format_path
from engine.loader.requests import (
    check_get,
    check_settings,
    check_settings_read,
    check_template,
    request_inputs,
)
from engine.loader.scope_checks import check_scope, id_parts, mapped_fields
from engine.loader.webhook_checks import check_webhooks
from engine.loader.write_checks import check_write_features
from engine.loader.yaml_source import YamlDocument
from engine.suggest import did_you_mean
from engine.unified import schemas as unified


def _unknown(kind: str, name: str, known: Iterable[str]) -> str:
    """`unknown <kind> '<name>'` with a did-you-mean suggestion from `known`."""
    return f"unknown {kind} '{name}'{did_you_mean(name, sorted(known))}"


def placeholders(template: str) -> list[str]:
    """The placeholders of a template (bare names or expression sources), in order."""
    return [placeholder.source for placeholder in template_placeholders(template)]


class _AnyValueMaps(Mapping[str, dict[str, str | None]]):
    """Value maps of a provider file that could not be loaded: every name is accepted."""

    def __getitem__(self, name: str) -> dict[str, str | None]:
        return {}

    def __contains__(self, name: object) -> bool:
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __bool__(self) -> bool:
        return True


@dataclass
class _Checker:
    document: YamlDocument
    file: str
    value_maps: Mapping[str, dict[str, str | None]] = field(default_factory=dict)
    settings: set[str] | None = None
    problems: list[Problem] = field(default_factory=list)
    _compiled: dict[DataPath, CompiledExpression | None] = field(default_factory=dict)

    def report(self, path: DataPath, message: str, *, key: bool = False) -> None:
        line, column = self.document.position(path, key=key)
        problem = Problem(self.file, line, column, format_path(path), message)
        if problem not in self.problems:
            self.problems.append(problem)

    def expression(self, path: DataPath, source: str) -> CompiledExpression | None:
        """The compiled expression at `path` (compiled and reported once per path)."""
        if path in self._compiled:
            return self._compiled[path]
        compiled: CompiledExpression | None
        try:
            compiled = compile_expression(source, self.value_maps)
        except ExpressionError as exc:
            self.report(path, str(exc))
            compiled = None
        self._compiled[path] = compiled
        return compiled

    def every_marked_value(self, model: BaseModel) -> None:
        """Compile every expression and parse every template of `model` (from the types)."""
        for path, kind, text in marked_values(model):
            if kind == EXPRESSION:
                self.expression(path, text)
            else:
                self.template_syntax(path, text)

    def template_syntax(self, path: DataPath, template: str) -> None:
        """Report a template that does not parse."""
        try:
            placeholders(template)
        except ValueError as exc:
            self.report(
                path, f"invalid template: {exc} (write a literal brace as '{{{{' or '}}}}')"
            )

    def names_exist(
        self, path: DataPath, names: Iterable[str], known: Iterable[str], kind: str
    ) -> None:
        known_list = sorted(known)
        for index, name in enumerate(names):
            if name not in known_list:
                self.report(
                    (*path, index), f"unknown {kind} '{name}'{did_you_mean(name, known_list)}"
                )

    template = check_template
    settings_exist = check_settings_read


def check_provider(provider: ProviderFile, document: YamlDocument, file: str) -> list[Problem]:
    """Cross-reference problems of a provider file."""
    settings = {s.name for s in provider.settings}
    checker = _Checker(document, file, dict(provider.value_maps), settings)
    checker.every_marked_value(provider)
    check_settings(checker, provider)
    credentials = {c.name for c in provider.credentials}
    checker.template(("base_url",), provider.base_url, credentials, "credential")
    auth = provider.auth
    for key in ("token", "name", "value", "username", "password"):
        value = getattr(auth, key, None)
        if isinstance(value, str) and key != "name":
            checker.template(("auth", key), value, credentials, "credential")
    for name, value in provider.headers.items():
        checker.template(("headers", name), value, credentials, "credential")
    buckets = {b.name for b in provider.rate_limits.buckets}
    check_rate_limits(checker, provider.rate_limits)
    for name, style in provider.pagination.items():
        base: DataPath = ("pagination", name)
        for message in style.problems():
            checker.report(base, message)
    checker.template(
        ("check", "path"),
        provider.check.path,
        set(),
        "value (check requests take none)",
        is_path=True,
        settings=False,
    )
    if provider.check.buckets:
        checker.names_exist(
            ("check", "buckets"), provider.check.buckets, buckets, "rate-limit bucket"
        )
    if provider.batch is not None:
        for index, rule in enumerate(provider.batch.extra_buckets):
            if rule.bucket not in buckets:
                checker.report(
                    ("batch", "extra_buckets", index, "bucket"),
                    _unknown("rate-limit bucket", rule.bucket, buckets),
                )
    if provider.webhooks is not None:
        check_webhooks(checker, provider)
    return checker.problems


def check_resource(
    resource: ResourceFile, provider: ProviderFile | None, document: YamlDocument, file: str
) -> list[Problem]:
    """Cross-reference problems of a resource file (against its provider file when loaded)."""
    value_maps = dict(provider.value_maps) if provider else _AnyValueMaps()
    settings = {s.name for s in provider.settings} if provider else None
    checker = _Checker(document, file, value_maps, settings)
    checker.every_marked_value(resource)
    known_resources = unified.resources()
    if resource.resource not in known_resources:
        checker.report(
            ("resource",),
            _unknown("unified resource", resource.resource, known_resources),
        )
        return checker.problems
    record_fields = unified.resource_fields(resource.resource)
    _check_fields(checker, ("fields",), resource.fields, record_fields)
    if provider is not None:
        check_enum_maps(checker, resource, dict(provider.value_maps))
    for required in sorted(
        unified.required_fields(resource.resource)
        - {"remote_data"}
        - mapped_fields(resource)
        - set(resource.enrich)
    ):
        checker.report(
            ("fields",), f"required unified field '{required}' is never mapped", key=True
        )
    _check_enrich(checker, resource, record_fields)
    check_scope(checker, resource, record_fields)
    contract_methods = unified.methods(resource.resource)
    for method in contract_methods:
        if method not in resource.operations:
            checker.report(
                ("operations",),
                f"unified method '{method}' is not declared: map it or mark it 'not_supported'",
                key=True,
            )
    for method, operation in resource.operations.items():
        path: DataPath = ("operations", method)
        if method not in contract_methods:
            checker.report(
                path,
                f"'{method}' is not a method of the unified '{resource.resource}' resource "
                f"(its methods: {', '.join(contract_methods)})",
                key=True,
            )
            continue
        _check_operation(checker, resource, provider, method, operation, path, record_fields)
    return checker.problems


def _check_fields(
    checker: _Checker, path: DataPath, fields: dict[str, str], known: set[str]
) -> None:
    for name, source in fields.items():
        if name not in known:
            checker.report(
                (*path, name),
                f"unknown unified field '{name}'{did_you_mean(name, known)}",
                key=True,
            )
        checker.expression((*path, name), source)


def _check_style(
    checker: _Checker, path: DataPath, name: str | None, styles: set[str] | None
) -> None:
    """A `pagination:` value names a declared style (or `none`); an empty name never does."""
    if name is None:
        return
    if not name.strip():
        listed = ", ".join(sorted(styles)) if styles else "a style of provider.yaml"
        checker.report(path, f"empty pagination style name; expected one of {listed}")
    elif styles is not None and name not in styles:
        checker.report(path, f"unknown pagination style '{name}'{did_you_mean(name, styles)}")


def _check_operation(
    checker: _Checker,
    resource: ResourceFile,
    provider: ProviderFile | None,
    method: str,
    operation: Operation,
    path: DataPath,
    record_fields: set[str],
) -> None:
    if operation.not_supported is not None:
        return
    _check_answer(checker, resource, method, operation, path)
    filters = set(operation.filters)
    if operation.filters and method == "list":
        checker.names_exist(
            (*path, "filters"),
            operation.filters,
            unified.filters(resource.resource),
            f"unified {resource.resource} filter",
        )
    takes_id = unified.takes_id(resource.resource, method)
    fillers = set(filters) | ({"id", *id_parts(resource)} if takes_id else set())
    writable = unified.writable_fields(resource.resource)
    styles = (set(provider.pagination) | {"none"}) if provider else None
    buckets = {b.name for b in provider.rate_limits.buckets} if provider else None
    _check_style(checker, (*path, "pagination"), operation.pagination, styles)
    if operation.buckets and buckets is not None:
        checker.names_exist((*path, "buckets"), operation.buckets, buckets, "rate-limit bucket")
    inputs, what = request_inputs(method, filters, writable)
    if method == "get":
        check_get(checker, operation, path)
    if operation.request is not None:
        _check_request(checker, (*path, "request"), operation.request, fillers, inputs, what)
    for index, route in enumerate(operation.routes):
        route_path: DataPath = (*path, "routes", index)
        checker.names_exist((*route_path, "when"), route.when, filters, "filter")
        if route.id_pattern is not None:
            try:
                re.compile(route.id_pattern)
            except re.error as exc:
                checker.report((*route_path, "id_pattern"), f"invalid regular expression: {exc}")
        checker.template((*route_path, "path"), route.path, fillers, "id or filter", is_path=True)
        for key, source in (route.query or {}).items():
            compiled = checker.expression((*route_path, "query", key), source)
            if compiled is not None and inputs:
                _check_reads(checker, (*route_path, "query", key), compiled, inputs, what)
        _check_style(checker, (*route_path, "pagination"), route.pagination, styles)
    check_write_features(checker, resource, method, operation, path, fillers, _check_request)
    response = operation.response
    if method == "list" and operation.request is not None and response.records_path is None:
        checker.report((*path, "response"), "a list operation needs 'records_path'")
    if response.fields is not None:
        _check_fields(checker, (*path, "response", "fields"), response.fields, record_fields)


def _check_answer(
    checker: _Checker, resource: ResourceFile, method: str, operation: Operation, path: DataPath
) -> None:
    """An operation is answered as its method can be: `each` by a method taking a body (its
    items), `lookup` by `get`; any other sends its `request`."""
    takes_body = unified.write_schema(resource.resource, method) is not None
    if operation.each is not None and not takes_body:
        checker.report(
            (*path, "each"), f"'{method}' takes no body, so no items for 'each': use 'request'"
        )
    if operation.lookup is not None and method != "get":
        checker.report((*path, "lookup"), "only a 'get' is answered by a 'lookup': use 'request'")


def _check_enrich(checker: _Checker, resource: ResourceFile, record_fields: set[str]) -> None:
    """Enriched fields are unified fields; their requests read only what they are given."""
    readable = (record_fields - {"remote_data"}) | {"id"}
    for name, spec in resource.enrich.items():
        path: DataPath = ("enrich", name)
        if name not in record_fields or name in ("id", "remote_data"):
            checker.report(path, _unknown("enrichable unified field", name, readable), key=True)
        if spec.request is not None:
            _check_request(
                checker, (*path, "request"), spec.request, {"id"}, readable, "unified field"
            )
        if spec.when is not None and (when := checker.expression((*path, "when"), spec.when)):
            _check_reads(checker, (*path, "when"), when, readable, "unified field")
        if spec.group is not None:
            group_path: DataPath = (*path, "group", "request")
            _check_request(checker, group_path, spec.group.request, set(), {"ids"}, "value")


def _check_request(
    checker: _Checker,
    path: DataPath,
    request: RequestSpec,
    fillers: set[str],
    inputs: set[str],
    what: str,
) -> None:
    """Path placeholders filled, expressions compiled, and reading only `inputs` (`what`),
    `settings`, and `id` when the call has one."""
    scope = fillers | (inputs - {"limit"})
    checker.template((*path, "path"), request.path, scope, "id, filter or item", is_path=True)
    for name, value in request.headers.items():
        checker.template((*path, "headers", name), value, scope, "id, filter or item")
    inputs = inputs | (fillers & {"id"})
    if not request.path.startswith("/"):
        checker.report((*path, "path"), "a path must start with '/'")
    for key, source in request.query.items():
        compiled = checker.expression((*path, "query", key), source)
        if compiled is not None and inputs:
            _check_reads(checker, (*path, "query", key), compiled, inputs, what)
    for key, source in (request.body or {}).items():
        compiled = checker.expression((*path, "body", key), source)
        if compiled is not None and inputs:
            _check_reads(checker, (*path, "body", key), compiled, inputs, what)
    for key, source in request.body_always.items():
        if checker.expression((*path, "body_always", key), source) is not None:
            checker.settings_exist((*path, "body_always", key), source)


def _check_reads(
    checker: _Checker, path: DataPath, compiled: CompiledExpression, inputs: set[str], what: str
) -> None:
    """Report each top-level input field the expression reads that is not in `inputs` (or
    `settings`), and each undeclared setting."""
    checker.settings_exist(path, compiled.source)
    for name in sorted(compiled.root_fields - inputs - {"settings"}):
        checker.report(path, f"reads '{name}', which is not a {what}{did_you_mean(name, inputs)}")
