"""Field helpers: model-backed fields in one line, enums from the models' allowed values."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any, cast

import strawberry


def column(attribute: str, description: str, convert: Callable[[Any], Any] | None = None) -> Any:
    """A field that shows one attribute of the wrapped model row (``self.row``), optionally
    converted (e.g. to a GraphQL enum); its GraphQL type is the class annotation."""

    def resolve(root) -> Any:
        value = getattr(root.row, attribute)
        return convert(value) if convert is not None and value is not None else value

    resolve.__annotations__.pop("return", None)
    return strawberry.field(resolver=resolve, description=description)


def functional_enum(name: str, members: dict[str, Any]) -> type[enum.Enum]:
    """``enum.Enum(name, members)``: a new enum class. Type checkers read the functional
    API's call only when its arguments are literals, so they are told what it returns."""
    return cast("type[enum.Enum]", enum.Enum(name, members))


def enum_of(name: str, values: tuple[str, ...], description: str) -> type[enum.Enum]:
    """A GraphQL enum whose values are the model's allowed values (one list, in models/).

    Type checkers cannot use the returned class in annotations: a module that does declares
    an empty ``enum.Enum`` subclass of the same name for them under ``TYPE_CHECKING``."""
    return strawberry.enum(functional_enum(name, {value.upper(): value for value in values}), description=description)
