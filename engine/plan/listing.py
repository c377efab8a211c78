"""List calls: filters, routes, one page at a time, and the unified envelope."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engine.errors import FieldProblem, InvalidCursorError, ValidationError
from engine.expressions.templates import names_read
from engine.plan.build import build_query, fill_headers, fill_template, provider_request
from engine.plan.calls import CallContext
from engine.plan.cursor import CursorPayload, decode_cursor, encode_cursor
from engine.plan.messages import ProviderRequest, ProviderResponse
from engine.plan.pagination import (
    PageResult,
    Paginator,
    State,
    page_fingerprint,
    paginator_for,
)
from engine.plan.pending import PendingPage
from engine.plan.responses import raise_for_response
from engine.plan.scope import ParentRef
from engine.plan.states import MAX_INDEX, MAX_TEXT, check_state
from engine.suggest import did_you_mean
from engine.unified import schemas as unified

if TYPE_CHECKING:
    from engine.format.resource import Route
    from engine.plan.parents import ParentScan

_RESERVED = ("limit", "next_cursor", "cursor")


def _filter_problems(ctx: CallContext, filters: dict[str, Any]) -> list[FieldProblem]:
    allowed = ctx.operation.filters
    problems: list[FieldProblem] = []
    for name, value in filters.items():
        if name not in allowed:
            hint = did_you_mean(name, [*allowed, *_RESERVED])
            accepted = ", ".join(allowed) or "none"
            problems.append(
                FieldProblem(name, f"unknown filter '{name}'{hint}; accepted: {accepted}")
            )
            continue
        if not isinstance(value, str | int) or (isinstance(value, int) and abs(value) >= 2**63):
            problems.append(FieldProblem(name, "must be a string"))
            continue
        if isinstance(value, str) and len(value) > MAX_TEXT:
            problems.append(FieldProblem(name, f"is too long (at most {MAX_TEXT} characters)"))
            continue
        enum = unified.field_enum(ctx.resource.resource, name)
        if enum and value not in enum:
            problems.append(
                FieldProblem(name, f"must be one of: {', '.join(enum)} (got {value!r})")
            )
    return problems


def limit_cap(ctx: CallContext) -> int | None:
    """The largest page size any pagination of the operation (its own, its routes') takes;
    None when none has a page size."""
    operation = ctx.operation
    names = {operation.pagination, *(route.pagination for route in operation.routes)}
    styles = [ctx.mapping.provider.pagination.get(name) for name in names if name]
    found = [getattr(style, "max_limit", None) for style in styles]
    caps = [cap for cap in found if isinstance(cap, int)]
    return max(caps) if caps else None


def choose_route(ctx: CallContext, filters: dict[str, Any], call_id: str | None = None) -> int:
    """Index of the first route whose conditions hold, or -1 for the operation itself."""
    for index, route in enumerate(ctx.operation.routes):
        if not all(filters.get(name) not in (None, "") for name in route.when):
            continue
        if route.id_pattern is not None and (
            call_id is None or not re.search(route.id_pattern, call_id)
        ):
            continue
        return index
    return -1


def _consumed(
    ctx: CallContext, route: Route | None, query_spec: dict[str, str], path: str
) -> set[str]:
    """Filters the chosen request reads: its query, its path placeholders, the route's `when`."""
    used = names_read(path, ctx.mapping.expression)
    for source in query_spec.values():
        used |= ctx.mapping.expression(source).root_fields
    if route is not None:
        used |= set(route.when)
    return used


@dataclass(frozen=True)
class ListCall:
    """A list call's filters, limit, route and paging state (None: the first page)."""

    filters: dict[str, Any]
    limit: int | None
    route: int
    state: State | None = None


def open_call(
    ctx: CallContext, filters: dict[str, Any] | None, limit: int | None, cursor: str | None
) -> ListCall:
    """The call from its arguments, or from the cursor it continues (checked either way)."""
    filters = {k: v for k, v in (filters or {}).items() if v is not None}
    if cursor is None:
        bad_limit = not isinstance(limit, int) or isinstance(limit, bool) or limit < 1
        if limit is not None and bad_limit:
            raise ValidationError(
                "limit must be a positive integer",
                details=[FieldProblem("limit", "must be a positive integer")],
            )
        problems = _filter_problems(ctx, filters)
        if problems:
            raise ValidationError(f"invalid filters for {ctx.name}", details=problems)
        # Past the largest page size asked for changes nothing; a cursor then carries no more.
        cap = limit_cap(ctx)
        limit = limit if limit is None or cap is None else min(limit, cap)
        return ListCall(filters, limit, choose_route(ctx, filters))
    payload = decode_cursor(
        cursor, ctx.cursor_key, provider=ctx.mapping.name, resource=ctx.resource.resource
    )
    if filters and filters != payload.filters:
        raise InvalidCursorError(
            "a cursor continues the call it came from: give the cursor alone, without other filters"
        )
    if payload.route >= len(ctx.operation.routes) or payload.route < -1:
        raise InvalidCursorError("the cursor names a route this mapping does not have")
    if payload.limit is not None and not 1 <= payload.limit <= (limit_cap(ctx) or MAX_INDEX):
        raise InvalidCursorError("the cursor's page size is out of range for this resource")
    if _filter_problems(ctx, payload.filters):
        raise InvalidCursorError("the cursor holds filters this call does not accept")
    return ListCall(payload.filters, payload.limit, payload.route, payload.state)


class ListPlan:
    """Reads one list call page by page; `request()` then `receive()` until `done`.

    A parent-scoped resource listed without its parent filter reads every parent in turn
    (`engine.plan.parents.ParentScan`); otherwise one endpoint is paged (`ScopeListing`).
    """

    def __init__(
        self,
        ctx: CallContext,
        filters: dict[str, Any] | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> None:
        call = open_call(ctx, filters, limit, cursor)
        parent = ctx.resource.parent
        self._listing: ScopeListing | ParentScan
        if parent is not None and parent.filter not in call.filters:
            from engine.plan.parents import ParentScan

            self._listing = ParentScan(ctx, call)
        else:
            ref = ParentRef(str(call.filters[parent.filter])) if parent is not None else None
            self._listing = ScopeListing(ctx, call, ref)

    @property
    def done(self) -> bool:
        """Whether the last page was read."""
        return self._listing.done

    def request(self) -> ProviderRequest:
        """The provider request for the current page."""
        return self._listing.request()

    def receive(self, response: ProviderResponse) -> list[dict[str, Any]]:
        """Map one response's records and advance; `done` is set after the last page."""
        return self._listing.receive(response)

    def receive_pending(self, response: ProviderResponse) -> PendingPage:
        """`receive`, the records mapped only when they are read (see `PendingPage`)."""
        return self._listing.receive_pending(response)

    def envelope(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        """The unified list envelope for the page just received."""
        return self._listing.envelope(records)

    def describe(self) -> dict[str, Any]:
        """The pagination plan, for `--explain`."""
        return self._listing.describe()


class ScopeListing:
    """Pages one endpoint of a list call (under one parent, for parent-scoped resources)."""

    def __init__(self, ctx: CallContext, call: ListCall, parent: ParentRef | None = None) -> None:
        self.ctx = ctx
        self.filters, self.limit, self.route_index = call.filters, call.limit, call.route
        self.route = ctx.operation.routes[self.route_index] if self.route_index >= 0 else None
        request = ctx.operation.request
        assert request is not None
        route = self.route
        self.query_spec = route.query if route and route.query is not None else request.query
        self.path_template = route.path if route else request.path
        style = route.pagination if route and route.pagination else ctx.operation.pagination
        self.paginator: Paginator = paginator_for(ctx.mapping, style)
        self.records_path = (
            route.records_path if route and route.records_path else None
        ) or ctx.operation.response.records_path
        if call.state is None:
            unused = sorted(
                set(self.filters) - _consumed(ctx, route, self.query_spec, self.path_template)
            )
            if unused:
                raise ValidationError(
                    f"{ctx.mapping.provider.label} cannot combine these filters for {ctx.name}",
                    details=[
                        FieldProblem(name, "cannot be combined with the other filters given")
                        for name in unused
                    ],
                )
        self.state: State = (
            self.paginator.first_state()
            if call.state is None
            else check_state(self.paginator, call.state)
        )
        self.page_limit = self.paginator.clamp_limit(self.limit)
        self.done = False
        self.next_state: State | None = None
        self.prev_state: State | None = None
        self._mapper = ctx.mapper(scope=parent)
        self._seen: set[str] = set()

    def _payload(self, state: State) -> CursorPayload:
        return CursorPayload(
            self.ctx.mapping.name,
            self.ctx.resource.resource,
            self.filters,
            self.limit,
            self.route_index,
            state,
        )

    def request(self) -> ProviderRequest:
        """The provider request for the current page."""
        ctx = self.ctx
        main = ctx.operation.request
        assert main is not None
        url = self.paginator.next_url(self.state)
        if url is not None and not self.paginator.keep_query:
            query: list[tuple[str, str]] = []  # the link is followed exactly as given
        else:
            query = build_query(ctx.mapping, self.query_spec, ctx.scope(self.filters))
            query += self.paginator.limit_query(self.page_limit)
            query += self.paginator.query(self.state)
        path = fill_template(self.path_template, ctx.scope(self.filters), mapping=ctx.mapping)
        return provider_request(
            ctx.mapping,
            main.method,
            path,
            query=query,
            headers=fill_headers(ctx.mapping, main.headers, ctx.scope(self.filters)),
            buckets=ctx.operation.buckets,
            idempotent=ctx.operation.idempotent,
            read=True,
            url=url,
            purpose=f"{ctx.name} page {self.state.get('page_no', 1)}",
        )

    def receive(self, response: ProviderResponse) -> list[dict[str, Any]]:
        """Map one page's records and advance; `done` is set after the last page."""
        return self.receive_pending(response).all()

    def receive_pending(self, response: ProviderResponse) -> PendingPage:
        """`receive`, the page's records mapped only when they are read."""
        ctx = self.ctx
        if response.status == 404 and self.route is not None and self.route.empty_on_not_found:
            self.done, self.next_state = True, None
            return PendingPage.of_unified([])
        raise_for_response(ctx.mapping, response, what=ctx.name)
        records = self._select(response.body)
        ids = self._mapper.id_keys(records)
        if ids is None:
            mapped = self._mapper.map_many(records, remote_data=ctx.remote_data)
            page = PendingPage.of_unified(mapped)
            ids = [record.get("id") for record in mapped]
        else:
            page = PendingPage(records, self._mapper, remote_data=ctx.remote_data)
        fingerprint = page_fingerprint(records, ids) if records else None
        # A provider repeating a page already read (the one before, or any earlier one in this
        # listing) ends the listing, and the repeated records are not emitted a second time.
        repeated = fingerprint is not None and (
            fingerprint == self.state.get("fp") or fingerprint in self._seen
        )
        if fingerprint is not None:
            self._seen.add(fingerprint)
        result = PageResult(
            response.body, response.headers, records, self.page_limit or len(records), fingerprint
        )
        self.next_state = None if repeated else self.paginator.next_state(self.state, result)
        self.prev_state = self.paginator.prev_state(self.state, result)
        if self.next_state is None:
            self.done = True
        else:
            self.state = self.next_state
        return PendingPage.of_unified([]) if repeated else page

    def _select(self, body: Any) -> list[Any]:
        if self.records_path is None:
            return []
        records = self.ctx.mapping.expression(self.records_path).search(body)
        if records is None:
            return []
        if not isinstance(records, list):
            from engine.errors import RemoteError

            raise RemoteError(
                f"{self.ctx.name}: the provider's response has no record list "
                f"at '{self.records_path}'",
                remote=True,
                raw_response=body,
            )
        return records if None not in records else [r for r in records if r is not None]

    def envelope(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        """The unified list envelope for the page just received."""
        key = self.ctx.cursor_key
        return {
            "result": records,
            "next_cursor": encode_cursor(self._payload(self.next_state), key)
            if self.next_state
            else None,
            "prev_cursor": encode_cursor(self._payload(self.prev_state), key)
            if self.prev_state
            else None,
            "result_count": len(records),
        }

    def describe(self) -> dict[str, Any]:
        """The pagination plan, for `--explain`."""
        return self.paginator.describe(self.page_limit)
