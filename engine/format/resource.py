"""Resource files: how one unified resource maps onto a provider's endpoints and fields."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from engine.format.common import Expression, RequestSpec, Strict, Template
from engine.format.scope import CompositeId, ParentScope
from engine.unified import schemas as unified

if TYPE_CHECKING:
    MethodName = str
else:
    MethodName = Literal[tuple(unified.all_methods())]
    """A method name of the unified contract (read from `schemas/unified`, never restated)."""
READ_METHODS: frozenset[str] = frozenset({"list", "get"})


class Route(Strict):
    """Another endpoint chosen when the call matches (e.g. `list_id` picks a group's members)."""

    when: list[str] = Field(
        default_factory=list,
        description="Filters that must all be given for this route to apply.",
    )
    id_pattern: str | None = Field(
        default=None, description="Regular expression the call's id must match (e.g. an email)."
    )
    path: Template = Field(description="Path template used instead of the operation's.")
    query: dict[str, Expression] | None = Field(
        default=None,
        description="Query parameters replacing the operation's, when given (on a `get` "
        "they read `id`, e.g. `{email_address: id}`).",
    )
    pagination: str | None = Field(
        default=None, description="Pagination style replacing the operation's, when given."
    )
    records_path: Expression | None = Field(
        default=None,
        description="Record selector replacing the operation's, when given; on a `get` the "
        "first record it selects is the answer (none: `not_found`).",
    )
    empty_on_not_found: bool = Field(
        default=False,
        description="A 404 from this route means no records (e.g. a lookup by email).",
    )


WriteResult = Literal["record", "read_back", "input"]


class ResponseSpec(Strict):
    """Where the records are in a response, and what its status code means."""

    records_path: Expression | None = Field(
        default=None, description="Path of the record array (list operations)."
    )
    record_path: Expression | None = Field(
        default=None, description="Path of the single record (other operations)."
    )
    fields: dict[str, Expression] | None = Field(
        default=None, description="Per-field mapping replacing the resource's `fields`."
    )
    outcome: dict[int, Literal["created", "updated"]] = Field(
        default_factory=dict,
        description="Status code → what happened (e.g. `201: created`, `200: updated`).",
    )
    created: Expression | None = Field(
        default=None,
        description="Upserts: expression over `{status, body, input}` that is true when the "
        "write created the record (an alternative to `outcome`), e.g. \"status == `201`\".",
    )
    result: WriteResult = Field(
        default="record",
        description="What a create, update or upsert answers: `record` maps the record in the "
        "response; `read_back` calls this resource's `get` with `read_back_id` (for responses "
        "holding no record, e.g. `204` or `{id}` only); `input` answers the unified input "
        "merged with `merge`.",
    )
    read_back_id: Expression | None = Field(
        default=None,
        description="With `result: read_back`: expression over `{input, body, status, id}` "
        "giving the id passed to `get` (e.g. `body.id || input.email`).",
    )
    merge: dict[str, Expression] = Field(
        default_factory=dict,
        description="With `result: input`: unified field → expression over "
        "`{input, body, status, id}` set on the answered record (e.g. `id: to_string(body.id)`).",
    )

    @model_validator(mode="after")
    def _result_settings(self) -> ResponseSpec:
        if self.outcome and self.created is not None:
            raise ValueError("give either 'outcome' or 'created', not both")
        if (self.result == "read_back") != (self.read_back_id is not None):
            raise ValueError("'read_back_id' is given exactly when 'result' is 'read_back'")
        if self.merge and self.result != "input":
            raise ValueError("'merge' applies only with 'result: input'")
        if self.result != "record" and (self.record_path or self.fields is not None):
            raise ValueError(
                f"'record_path' and 'fields' are unused with 'result: {self.result}'"
            )
        return self


class AcceptError(Strict):
    """A provider error response treated as success (e.g. \"already a member\")."""

    status: int = Field(ge=400, le=599, description="HTTP status of the accepted error.")
    when: Expression | None = Field(
        default=None,
        description="Expression over the error body that must be true (e.g. "
        "`code == 'duplicate_parameter'`); without it every response of `status` is accepted.",
    )


class Step(Strict):
    """A request made once per value before the main request (e.g. one per list id)."""

    for_each: Expression = Field(description="Expression over the unified body giving the values.")
    as_: str = Field(alias="as", description="Placeholder name of each value in the request.")
    request: RequestSpec = Field(description="Request made for each value.")


class ItemGroup(Strict):
    """One request carrying up to `max_items` items (e.g. a list's add-members endpoint)."""

    max_items: int = Field(ge=1, description="Most items one request may carry.")
    request: RequestSpec = Field(
        description="Request per group: its expressions see `items` (this group's items) "
        "and `id` (the call's id)."
    )
    item_failed: Expression | None = Field(
        default=None,
        description="Expression over `{item, id, body, status}` that is true when the "
        "provider's answer reports this item as failed (e.g. `contains(body.failed, item)`).",
    )


class EachItem(Strict):
    """A custom method that applies one provider request per input item, one result each."""

    items: str = Field(description="Key of the input body holding the list of items.")
    item_name: str = Field(
        default="item", description="Placeholder name of a scalar item in the request template."
    )
    operation: str | None = Field(
        default=None,
        description="Method of this resource applied to each item (item = its body), with its "
        "`before` steps, `accept_errors` and `response` handling.",
    )
    request: RequestSpec | None = Field(
        default=None, description="Request made per item, when no operation is reused."
    )
    group: ItemGroup | None = Field(
        default=None, description="One request per group of items, instead of one per item."
    )
    via_batch: bool = Field(
        default=True,
        description="Group items through the provider's batch endpoint when it has one.",
    )
    result: dict[str, Expression] = Field(
        default_factory=dict,
        description="Per-item result fields for request items: expression over `{item, id}`.",
    )
    accept_errors: list[AcceptError] = Field(
        default_factory=list,
        description="Provider errors of `request` or `group` treated as success for the item.",
    )

    @model_validator(mode="after")
    def _one_target(self) -> EachItem:
        targets = [self.operation, self.request, self.group]
        if sum(target is not None for target in targets) != 1:
            raise ValueError("give exactly one of 'operation', 'request' or 'group'")
        if self.group is not None and "via_batch" in self.model_fields_set:
            raise ValueError("'via_batch' does not apply to 'group' (one request per group)")
        if self.operation is not None and (self.accept_errors or self.result):
            raise ValueError(
                "'accept_errors' and 'result' apply to 'request' or 'group'; a reused "
                "operation uses its own"
            )
        return self


class ListLookup(Strict):
    """A `get` done by scanning the resource's `list` (for providers with no get endpoint)."""

    match_field: str = Field(default="id", description="Unified field compared with the call's id.")


RETIRED_KEYS: dict[str, str] = {
    "upsert": "removed in language v2, as it changed nothing at run time; a create-or-update is "
    "the `upsert` method (with `outcome` or `created`)",
}
"""Keys earlier versions of the language accepted → why they are refused now."""


class Operation(Strict):
    """One unified method of a resource."""

    not_supported: str | None = Field(
        default=None,
        description="Reason the provider cannot do this; the engine answers `not_supported`.",
    )
    request: RequestSpec | None = Field(default=None, description="The main provider request.")
    pagination: str | None = Field(
        default=None, description="Name of a pagination style declared in the provider file."
    )
    filters: list[str] = Field(
        default_factory=list, description="Filters a list call accepts (besides limit and cursor)."
    )
    routes: list[Route] = Field(default_factory=list, description="Alternative endpoints.")
    before: list[Step] = Field(
        default_factory=list,
        description="Requests made before the main one (every method but `list`; for `get` "
        "and `delete` the step expressions read `id`).",
    )
    accept_errors: list[AcceptError] = Field(
        default_factory=list,
        description="Provider errors of the main request and `before` steps treated as "
        "success (e.g. a 400 saying the contact is already a member).",
    )
    each: EachItem | None = Field(
        default=None,
        description="Per-item custom method: one request per item of the body (only methods "
        "taking a body).",
    )
    lookup: ListLookup | None = Field(
        default=None, description="Answer a `get` by scanning this resource's `list`."
    )
    response: ResponseSpec = Field(default_factory=ResponseSpec, description="Response handling.")
    unsupported_fields: dict[str, str] = Field(
        default_factory=dict,
        description="Unified input fields this provider cannot write → the reason; giving one is "
        "a validation error and nothing is sent.",
    )
    idempotent: bool | None = Field(
        default=None,
        description="Safe to repeat after an ambiguous failure. Default: true for GET, PUT and "
        "DELETE, false otherwise (an upsert by key should say true).",
    )
    buckets: list[str] | None = Field(
        default=None, description="Rate-limit buckets consumed, replacing the provider's defaults."
    )

    @model_validator(mode="after")
    def _request_or_reason(self) -> Operation:
        targets = [self.request is not None, self.each is not None, self.lookup is not None]
        if self.not_supported is None and not any(targets):
            raise ValueError("an operation needs 'request', 'each', 'lookup' or 'not_supported'")
        if self.not_supported is not None and any(targets):
            raise ValueError("'not_supported' excludes 'request', 'each' and 'lookup'")
        return self


class CustomFieldRules(Strict):
    """How custom-field keys of writes are checked against the account's definitions."""

    source: str = Field(
        default="custom_fields", description="Resource whose `list` gives the definitions."
    )
    key_field: str = Field(
        default="key", description="Unified field of a definition naming the key."
    )
    reserved_keys: list[str] = Field(
        default_factory=list,
        description="Provider keys consumed by unified fields; not writable as custom fields.",
    )


class EnrichGroup(Strict):
    """One request for the related data of many records (a provider's bulk endpoint)."""

    max_items: int = Field(ge=1, description="Most records per request.")
    request: RequestSpec = Field(
        description="The request; its templates and expressions read `ids` (this chunk's "
        "unified record ids) and `settings`."
    )
    records_path: Expression | None = Field(
        default=None, description="Where the related items are in the response (default: it all)."
    )
    key: Expression = Field(
        description="Over one related item: the unified id of the record it belongs to."
    )


class Enrichment(Strict):
    """A unified field filled by a second request, made for every record a `get`, `list` or
    write returns (e.g. a contact's tags from `/subscribers/{id}/tags`). Enrichment requests are
    reads: paced and retried like any request, and the field replaces what `fields` gave."""

    request: RequestSpec | None = Field(
        default=None,
        description="One request per record: `{id}` is the record's unified id; query and "
        "body expressions read the unified record, `id` and `settings`.",
    )
    records_path: Expression | None = Field(
        default=None,
        description="With `request`: where the related data is in the response (default: it all).",
    )
    group: EnrichGroup | None = Field(
        default=None, description="One request per chunk of records instead of per record."
    )
    when: Expression | None = Field(
        default=None,
        description="Over the unified record as `fields` mapped it: only records for which "
        "this is true (JMESPath truthiness) are enriched, e.g. `lists == null` when some "
        "endpoints already include the data; default: every record.",
    )
    value: Expression = Field(
        description="The field's value, over what `records_path` selected (with `group`: the "
        "list of related items whose `key` is the record's id), e.g. "
        "`[*].{id: to_string(id), name: name}`."
    )

    @model_validator(mode="after")
    def _one_form(self) -> Enrichment:
        if (self.request is None) == (self.group is None):
            raise ValueError("an enrichment needs exactly one of 'request' or 'group'")
        if self.group is not None and self.records_path is not None:
            raise ValueError("with 'group', give 'records_path' inside the group")
        return self


class ResourceFile(Strict):
    """`mappings/<provider>/<resource>.yaml`: one unified resource of one provider."""

    schema_: str | None = Field(default=None, alias="$schema", description="Editor schema hint.")
    resource: str = Field(description="Unified resource name, e.g. `contacts`.")
    model: str = Field(default="marketing_automation", description="Unified model family.")
    fields: dict[str, Expression] = Field(
        description="Provider record → unified record, one expression per unified field."
    )
    custom_fields: CustomFieldRules | None = Field(
        default=None, description="Checks for custom-field keys on writes."
    )
    operations: dict[MethodName, Operation] = Field(description="Unified method → operation.")
    enrich: dict[str, Enrichment] = Field(
        default_factory=dict,
        description="Unified field → the second request filling it on every `get`, `list` "
        "and write record (a field the endpoints do not all include).",
    )
    parent: ParentScope | None = Field(
        default=None, description="The parent collection records of this resource live under."
    )
    composite_id: CompositeId | None = Field(
        default=None,
        description="A unified id built from several parts (replaces `fields.id`).",
    )
