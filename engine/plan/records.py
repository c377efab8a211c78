"""Mapping provider records to unified records: one generated function per field mapping.

The function (`ProviderMapping.record_program`) evaluates every field's expression inline,
over the provider's record as it is (reading `""` as null where it is used);
the per-field closures stay as the reference: a record the function fails on is mapped
again by them, so a failure reads exactly as before (naming the field), and a mapping whose
code cannot be generated runs on them alone.

The unified contract never holds the empty string: the field expressions read a provider's
`""` (at any depth of its record) as null. `remote_data` keeps the provider's record
untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from jmespath.exceptions import JMESPathError

from engine.errors import RemoteError
from engine.expressions.programs import RecordProgram
from engine.expressions.warnings import collect_warnings
from engine.loader import ProviderMapping
from engine.plan.scope import ParentRef, RecordIdentity
from engine.unified.blanks import blank_to_null

logger = logging.getLogger("unimap.mapping")

REMOTE_DATA = "remote_data"
"""The unified record's key holding the provider's record as it came."""


class RecordMapper:
    """Maps provider records of one resource to unified records (compiled once).

    With an `identity` (parent-scoped resources, composite ids) the `id` and membership fields
    are filled from the record's parts, `scope` (the parent being listed) filling any gap.
    `generated=False` keeps to the per-field closures (the reference, for comparisons).
    """

    def __init__(
        self,
        mapping: ProviderMapping,
        resource: str,
        fields: Mapping[str, str],
        identity: RecordIdentity | None = None,
        scope: ParentRef | None = None,
        *,
        generated: bool = True,
    ) -> None:
        self.resource = resource
        self._identity = identity
        self._scope = scope
        self._fields: list[tuple[str, Callable[[Any], Any]]] = [
            (name, mapping.expression(source).search) for name, source in fields.items()
        ]
        self._program = mapping.record_program(fields) if generated else None
        self._program_keeping = (
            mapping.record_program(fields, REMOTE_DATA)
            if generated and identity is None
            else self._program
        )
        id_source = fields.get("id")
        id_reads = mapping.expression(id_source) if id_source is not None else None
        self._id_roots: tuple[str, ...] | None = (
            tuple(sorted(id_reads.root_fields))
            if identity is None
            and id_reads is not None
            and id_reads.root_fields
            and not id_reads.reads_whole_input
            else None
        )

    def id_keys(self, records: list[Any]) -> list[Any] | None:
        """For each record, the provider's values its unified id is made of (equal values,
        equal ids), read without mapping the record; None when the id is not made so (ids
        from the record's identity, an id reading the whole record, a record that is not
        an object): map the records to read their ids then."""
        roots = self._id_roots
        if roots is None:
            return None
        try:
            if len(roots) == 1:
                name = roots[0]
                return [record.get(name) for record in records]
            return [tuple(map(record.get, roots)) for record in records]
        except AttributeError:
            return None

    def map(self, record: Any, *, remote_data: bool = True) -> dict[str, Any]:
        """The unified record for one provider record; `remote_data` keeps the raw record.

        A field whose value cannot be converted is `null`, and the reason is logged as a
        warning on `unimap.mapping` (naming the resource, record id and field, never the
        value); a record nested too deeply to map is refused with a `RemoteError`.
        """
        return self.map_many([record], remote_data=remote_data)[0]

    def map_many(self, records: list[Any], *, remote_data: bool = True) -> list[dict[str, Any]]:
        """Map a page of records (each as `map` does). The generated function maps them all
        in one pass; when that fails or warns, or identities apply, they are mapped one by
        one (one warnings collector, emptied after each record that warned)."""
        program = self._program_keeping if remote_data else self._program
        if program is not None and self._identity is None:
            with collect_warnings() as warnings:
                try:
                    mapped = [program(record) for record in records]
                except Exception:  # the pass below says what went wrong
                    mapped = None
            if mapped is not None and not warnings:
                return mapped
        return self._map_each(records, program, remote_data)

    def _map_each(
        self, records: list[Any], program: RecordProgram | None, remote_data: bool
    ) -> list[dict[str, Any]]:
        mapped: list[dict[str, Any]] = []
        identity = self._identity
        with collect_warnings() as warnings:
            for record in records:
                unified = None
                if program is not None:
                    try:  # the generated function reads blanks as null itself
                        unified = program(record)
                    except RecursionError:
                        raise self._too_deep() from None
                    except Exception:  # the closures say what went wrong, field by field
                        unified = None
                if unified is None or identity is not None or warnings:
                    unified = self._complete(record, unified, warnings)
                    if remote_data:
                        unified[REMOTE_DATA] = record
                mapped.append(unified)
        return mapped

    def _complete(
        self, record: Any, unified: dict[str, Any] | None, warnings: list[str]
    ) -> dict[str, Any]:
        """A record the generated function did not map (mapped by the closures), its
        identity applied, and the warnings its mapping raised logged, then forgotten."""
        failed: list[str] = []
        try:
            if unified is None:
                warnings.clear()  # the closures run again and say it once
                unified, failed = self._map_fields(blank_to_null(record))
            if self._identity is not None:
                self._identity.apply(record, unified, self._scope)
        except RecursionError:
            raise self._too_deep() from None
        if warnings or failed:
            self._warn(unified.get("id"), warnings, failed)
            warnings.clear()
        return unified

    def _too_deep(self) -> RemoteError:
        message = f"a {self.resource} record of the provider is nested too deeply to map"
        return RemoteError(message, remote=False)

    def interpret(self, source: Any) -> dict[str, Any]:
        """The unified fields of a record (blanks already read as null) by the per-field
        closures: the reference the generated function is checked against (raises on the
        first field that fails, naming it)."""
        return self._map_fields(source, strict=True)[0]

    def _map_fields(self, source: Any, *, strict: bool = False) -> tuple[dict[str, Any], list[str]]:
        """The mapped fields, and a note per field whose expression failed (then `null`);
        `strict` raises a `RemoteError` naming the first field that fails instead."""
        unified: dict[str, Any] = {}
        failed: list[str] = []
        for name, evaluate in self._fields:
            try:
                unified[name] = evaluate(source)
            except JMESPathError as exc:
                if strict:
                    raise RemoteError(
                        f"cannot map {self.resource}.{name} from the provider's record: {exc}",
                        remote=False,
                    ) from None
                unified[name] = None
                failed.append(f"{name}: cannot map it ({type(exc).__name__})")
            except (ArithmeticError, ValueError, TypeError) as exc:
                if strict:
                    raise
                unified[name] = None
                failed.append(f"{name}: cannot map it ({type(exc).__name__})")
        return unified, failed

    def _warn(self, record_id: Any, warnings: list[str], failed: list[str]) -> None:
        for note in [*warnings, *failed]:
            logger.warning("%s %s: mapped to null: %s", self.resource, record_id, note)
