"""`connection.contacts.list(limit=50)`: attribute access to one resource's methods."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.api.connections import AsyncConnection, Connection


class ResourceClient:
    """`connection.contacts.list(limit=50)`: attribute access to one resource's methods.

    On an async connection every method returns an awaitable (and `iterate` an async
    iterator), exactly like `AsyncConnection.call`.
    """

    def __init__(self, connection: Connection | AsyncConnection, resource: str) -> None:
        self._connection = connection
        self._resource = resource

    def __repr__(self) -> str:
        return f"ResourceClient({self._resource!r})"

    def _call(self, method: str, **kwargs: Any) -> Any:
        return self._connection.call(self._resource, method, **kwargs)

    def list(self, *, remote_data: bool = True, **query: Any) -> Any:
        """One page: filters, `limit` and `next_cursor` as keyword arguments."""
        return self._call("list", query=query, remote_data=remote_data)

    def iterate(self, *, remote_data: bool = True, **query: Any) -> Any:
        """Every record, lazily."""
        return self._connection.iterate(self._resource, query, remote_data=remote_data)

    def get(self, id: str, *, remote_data: bool = True) -> Any:
        """One record by id (contacts: id or email)."""
        return self._call("get", id=id, remote_data=remote_data)

    def create(self, body: dict[str, Any]) -> Any:
        """Create a record."""
        return self._call("create", body=body)

    def update(self, id: str, body: dict[str, Any]) -> Any:
        """Change only the given fields of a record."""
        return self._call("update", id=id, body=body)

    def upsert(self, body: dict[str, Any]) -> Any:
        """Create or update by identity (contacts: email); reports `created`."""
        return self._call("upsert", body=body)

    def delete(self, id: str) -> Any:
        """Delete a record; answers `{"id": ...}`."""
        return self._call("delete", id=id)

    def bulk_upsert(self, contacts: Sequence[dict[str, Any]]) -> Any:
        """Upsert many contacts; one result per input, in order."""
        return self._call("bulk_upsert", body={"contacts": [*contacts]})

    def add_contacts(self, id: str, contact_ids: Sequence[str]) -> Any:
        """Add contacts to a list; one result per contact id."""
        return self._call("add_contacts", id=id, body={"contact_ids": [*contact_ids]})

    def remove_contacts(self, id: str, contact_ids: Sequence[str]) -> Any:
        """Remove contacts from a list; one result per contact id."""
        return self._call("remove_contacts", id=id, body={"contact_ids": [*contact_ids]})
