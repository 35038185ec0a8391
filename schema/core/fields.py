"""Field helpers: model-backed fields in one line, enums from the models' allowed values."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any, TypeVar, cast

import strawberry
from strawberry.types import get_object_definition

T = TypeVar("T")


COLUMN = "smallworks.column"


def column(attribute: str, description: str, convert: Callable[[Any], Any] | None = None) -> Any:
    """A field that shows one attribute of the row, optionally converted (e.g. to a GraphQL
    enum); its GraphQL type is the class annotation. The value is copied when the object is
    made (``from_row``), so no resolver runs for the field: it is a plain attribute."""
    return strawberry.field(description=description, metadata={COLUMN: (attribute, convert)})


# Per GraphQL class: (field, row attribute, converter) of every ``column`` field.
_PLANS: dict[type, list[tuple[str, str, Callable[[Any], Any] | None]]] = {}


def from_row(cls: type[T], row: Any, **extra: Any) -> T:
    """The GraphQL object of ``cls`` showing ``row`` (an ORM object or a Core row): its
    ``column`` fields filled from the row, the row kept as ``row`` for the fields that
    resolve (nested objects, masked values)."""
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = [
            (f.python_name, *f.metadata[COLUMN]) for f in get_object_definition(cls, strict=True).fields if COLUMN in (f.metadata or {})
        ]
    values = {}
    for name, attribute, convert in plan:
        value = getattr(row, attribute)
        values[name] = convert(value) if convert is not None and value is not None else value
    return cls(row=row, **values, **extra)  # type: ignore[call-arg]  # strawberry types take their fields as keywords


def functional_enum(name: str, members: dict[str, Any]) -> type[enum.Enum]:
    """``enum.Enum(name, members)``: a new enum class. Type checkers read the functional
    API's call only when its arguments are literals, so they are told what it returns."""
    return cast("type[enum.Enum]", enum.Enum(name, members))


def enum_of(name: str, values: tuple[str, ...], description: str) -> type[enum.Enum]:
    """A GraphQL enum whose values are the model's allowed values (one list, in models/).

    Type checkers cannot use the returned class in annotations: a module that does declares
    an empty ``enum.Enum`` subclass of the same name for them under ``TYPE_CHECKING``."""
    return strawberry.enum(functional_enum(name, {value.upper(): value for value in values}), description=description)
