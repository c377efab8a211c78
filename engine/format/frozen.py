"""Read-only twins of the format models: what the engine runs loaded mappings on.

The pydantic models of this package define the mapping language and validate mapping files;
once a mapping is loaded and checked, the loader turns every model into its twin
(`engine.loader.freeze`): an instance of a plain class named like the model, with the same
attributes holding the same values, compared and hashed by value, that cannot be changed.
Twins pickle by the model's name and their values, so a mapping read back from the on-disk
cache needs neither pydantic nor the model classes: a command that only runs mappings does
not pay for importing them.

Code that must tell the kinds of a union apart reads their `type` field (every tagged union
of the format has one) rather than testing the class.
"""

from __future__ import annotations

from typing import Any, ClassVar

_CLASSES: dict[tuple[str, tuple[str, ...]], type[Frozen]] = {}


class Frozen:
    """Base of the twins: attributes set once, compared and hashed by value, pickled by name."""

    _origin: ClassVar[str] = ""
    """The model's dotted name, e.g. `engine.format.provider.BearerAuth`."""
    _fields: ClassVar[tuple[str, ...]] = ()
    """The model's field names, in their order."""

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash((self._origin, *self.__dict__.values()))

    def __repr__(self) -> str:
        values = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__name__}({values})"

    def __reduce__(self) -> tuple[Any, ...]:
        return rebuild, (self._origin, self._fields, tuple(map(self.__dict__.get, self._fields)))

    def model_copy(self, *, update: dict[str, Any] | None = None) -> Any:
        """A copy with some attributes replaced (like the model's `model_copy`: unchecked)."""
        unknown = set(update or ()) - set(self._fields)
        if unknown:
            raise AttributeError(f"{type(self).__name__} has no field {sorted(unknown)[0]!r}")
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__, **(update or {}))
        return copy


def twin_class(origin: str, fields: tuple[str, ...]) -> type[Frozen]:
    """The twin class of the model named `origin` with `fields` (one class per pair)."""
    found = _CLASSES.get((origin, fields))
    if found is None:
        name = origin.rpartition(".")[2]
        namespace = {"_origin": origin, "_fields": fields, "__doc__": f"Read-only `{origin}`."}
        found = _CLASSES[(origin, fields)] = type(name, (Frozen,), namespace)
    return found


def rebuild(origin: str, fields: tuple[str, ...], values: tuple[Any, ...]) -> Any:
    """The twin of model `origin` whose `fields` hold `values` (what unpickling calls)."""
    twin = object.__new__(twin_class(origin, fields))
    twin.__dict__.update(zip(fields, values, strict=True))
    return twin


def twin(origin: str, **values: Any) -> Any:
    """A twin built from keyword values (for the few the engine makes itself)."""
    return rebuild(origin, tuple(values), tuple(values.values()))
