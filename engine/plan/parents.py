"""Listing a parent-scoped resource across every parent, behind one unified cursor.

Without its parent filter, a list call reads the parents with the parent resource's own
`list` (one page at a time) and, for each parent, every page of its records. The unified
cursor holds where the scan is: the parents of the current parent page not finished yet
(with their names, for the membership field), the parent listing's next state, and the
current parent's paging state. Each record is therefore returned exactly once, whatever the
page size. A 404 for a parent's records means the parent was deleted meanwhile: it is skipped.
A scan has no previous cursor.
"""

from __future__ import annotations

from typing import Any

from engine.errors import InvalidCursorError
from engine.plan.calls import CallContext, resolve
from engine.plan.cursor import CursorPayload, encode_cursor
from engine.plan.listing import ListCall, ScopeListing, choose_route
from engine.plan.messages import ProviderRequest, ProviderResponse
from engine.plan.paging import State
from engine.plan.pending import PendingPage
from engine.plan.scope import ParentRef
from engine.plan.states import MAX_TEXT

PROBE = "parent"
"""A stand-in parent id, to check a call's filters before any parent is known."""


class ParentScan:
    """Every record of every parent: `request()` then `receive()` until `done`."""

    def __init__(self, ctx: CallContext, call: ListCall) -> None:
        parent = ctx.resource.parent
        assert parent is not None
        self.ctx, self.call, self.filter = ctx, call, parent.filter
        self.parent_ctx = resolve(
            ctx.mapping,
            parent.resource,
            "list",
            ctx.cursor_key,
            ctx.cache,
            remote_data=False,
            settings=ctx.settings,
        )
        scan = _scan_state(call.state)
        self.parents: list[ParentRef] = [ParentRef(i, n) for i, n in scan["parents"]]
        self.parent_state: State | None = scan["next"]
        self.parents_done: bool = scan["end"]
        # Checks the filters combine (routes, query) before anything is sent.
        probe = self._child(ParentRef(PROBE), None if call.state is None else {})
        self._description = probe.describe()
        self._current: ScopeListing | None = None
        self._reading_parents = False
        self._stage(scan["child"])

    @property
    def done(self) -> bool:
        """Whether every parent's records were read."""
        return self._current is None

    def _child(self, parent: ParentRef, state: State | None) -> ScopeListing:
        filters = {**self.call.filters, self.filter: parent.id}
        call = ListCall(filters, self.call.limit, choose_route(self.ctx, filters), state)
        return ScopeListing(self.ctx, call, parent)

    def _parents_listing(self) -> ScopeListing:
        route = choose_route(self.parent_ctx, {})
        return ScopeListing(self.parent_ctx, ListCall({}, None, route, self.parent_state))

    def _stage(self, child_state: State | None = None) -> None:
        """Point at the next thing to read: the current parent's records, or more parents."""
        self._reading_parents = False
        if self.parents:
            self._current = self._child(self.parents[0], child_state)
        elif not self.parents_done:
            self._current, self._reading_parents = self._parents_listing(), True
        else:
            self._current = None

    def request(self) -> ProviderRequest:
        """The provider request of the current step (a parent page or a page of records)."""
        assert self._current is not None, "the scan is done"
        return self._current.request()

    def receive(self, response: ProviderResponse) -> list[dict[str, Any]]:
        """Records of one response (none for a page of parents), then the next step."""
        current = self._current
        assert current is not None, "the scan is done"
        if self._reading_parents:
            found = current.receive(response)
            self.parents = [
                ParentRef(str(r["id"]), r.get("name") if isinstance(r.get("name"), str) else None)
                for r in found
                if r.get("id") not in (None, "")
            ]
            self.parents_done = current.done
            self.parent_state = None if current.done else current.state
            self._stage()
            return []
        if response.status == 404:  # the parent was deleted since it was listed
            records: list[dict[str, Any]] = []
            finished = True
        else:
            records = current.receive(response)
            finished = current.done
        if finished:
            self.parents.pop(0)
            self._stage()
        return records

    def receive_pending(self, response: ProviderResponse) -> PendingPage:
        """`receive` as a page (its records mapped already: a scan maps as it reads)."""
        return PendingPage.of_unified(self.receive(response))

    def envelope(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        """The unified envelope; the next cursor holds the whole scan position."""
        cursor = None
        if self._current is not None:
            child = None if self._reading_parents else self._current.state
            state = {
                "scan": {
                    "parents": [[p.id, p.name] for p in self.parents],
                    "next": self.parent_state,
                    "end": self.parents_done,
                    "child": child,
                }
            }
            payload = CursorPayload(
                self.ctx.mapping.name,
                self.ctx.resource.resource,
                self.call.filters,
                self.call.limit,
                self.call.route,
                state,
            )
            cursor = encode_cursor(payload, self.ctx.cursor_key)
        return {
            "result": records,
            "next_cursor": cursor,
            "prev_cursor": None,
            "result_count": len(records),
        }

    def describe(self) -> dict[str, Any]:
        """The records' pagination, and how parents are found (for `--explain`)."""
        parents = self._parents_listing().describe()
        return {
            **self._description,
            "parents": {
                "resource": self.parent_ctx.resource.resource,
                "filter": self.filter,
                "plan": f"every {self.parent_ctx.resource.resource} record (its own list), then "
                f"this resource's records under each, as '{self.filter}'; a parent answering "
                "404 (deleted meanwhile) is skipped",
                "pagination": parents,
            },
        }


def _scan_state(state: State | None) -> dict[str, Any]:
    """The scan position of a cursor's state (the first one without a cursor)."""
    if state is None:
        return {"parents": [], "next": None, "end": False, "child": None}
    scan = state.get("scan")
    ok = (
        set(state) == {"scan"}
        and isinstance(scan, dict)
        and set(scan) == {"parents", "next", "end", "child"}
        and isinstance(scan["parents"], list)
        and len(scan["parents"]) <= MAX_PARENTS
        and all(_parent_ref(p) for p in scan["parents"])
        and isinstance(scan.get("next"), dict | None)
        and isinstance(scan.get("end"), bool)
        and isinstance(scan.get("child"), dict | None)
    )
    if not ok:
        raise InvalidCursorError("the cursor does not continue a listing across parents")
    assert isinstance(scan, dict)
    return scan


MAX_PARENTS = 10_000
"""The most parents a scan cursor may list (one page of the parent resource)."""


def _parent_ref(item: Any) -> bool:
    """Whether a cursor's parent entry is `[id, name or null]`, both bounded."""
    return (
        isinstance(item, list)
        and len(item) == 2
        and isinstance(item[0], str)
        and 0 < len(item[0]) <= MAX_TEXT
        and (item[1] is None or (isinstance(item[1], str) and len(item[1]) <= MAX_TEXT))
    )
