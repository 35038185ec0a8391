"""Field helpers: model-backed fields in one line, enums from the models' allowed values."""

from __future__ import annotations

import enum
import functools
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


# Per GraphQL class: a function of (row, extra keywords) that makes its object.
_BUILDERS: dict[type, Callable[[Any, dict[str, Any]], Any]] = {}


def from_row(cls: type[T], row: Any, **extra: Any) -> T:
    """The GraphQL object of ``cls`` showing ``row`` (an ORM object or a Core row): its
    ``column`` fields filled from the row, the row kept as ``row`` for the fields that
    resolve (nested objects, masked values)."""
    build = _BUILDERS.get(cls)
    if build is None:
        build = _BUILDERS[cls] = _builder(cls)
    return build(row, extra)


def _builder(cls: type) -> Callable[[Any, dict[str, Any]], Any]:
    """``lambda row, extra: cls(row=row, name=row.name, kind=convert(row.kind), ..., **extra)``
    written out once per class: a page makes thousands of these objects."""
    namespace: dict[str, Any] = {"cls": cls}
    arguments = []
    for index, f in enumerate(get_object_definition(cls, strict=True).fields):
        if COLUMN not in (f.metadata or {}):
            continue
        attribute, convert = f.metadata[COLUMN]
        if not (attribute.isidentifier() and f.python_name.isidentifier()):
            raise ValueError(f"{cls.__name__}.{f.python_name}: {attribute!r} is not an attribute name")
        if convert is None:
            arguments.append(f"{f.python_name}=row.{attribute}")
        else:
            namespace[f"convert{index}"] = convert
            arguments.append(f"{f.python_name}=(None if (v{index} := row.{attribute}) is None else convert{index}(v{index}))")
    source = f"def build(row, extra):\n    return cls(row=row, {', '.join(arguments)}, **extra)\n"
    exec(compile(source, f"<from_row {cls.__name__}>", "exec"), namespace)
    return namespace["build"]


LOADS = "__smallworks_loads__"


def loaded(loader: str, key: str, wrap: Callable[[Any], Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A nested field that is ``wrap(await ctx.loaders.<loader>.load(self.row.<key>))``.

    Decorates a resolver stub (its signature and return type give the field; its body is
    not used): the field resolves from this declaration, and the compiled path
    (``schema.core.compiled``) reads the declaration to load a whole level of rows in
    one call instead of one coroutine per row."""

    def declare(stub: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(stub)
        async def resolve(self: Any, info: Any) -> Any:
            return wrap(await getattr(info.context.loaders, loader).load(getattr(self.row, key)))

        setattr(resolve, LOADS, (loader, key, wrap))
        return resolve

    return declare


def functional_enum(name: str, members: dict[str, Any]) -> type[enum.Enum]:
    """``enum.Enum(name, members)``: a new enum class. Type checkers read the functional
    API's call only when its arguments are literals, so they are told what it returns."""
    return cast("type[enum.Enum]", enum.Enum(name, members))


def enum_of(name: str, values: tuple[str, ...], description: str) -> type[enum.Enum]:
    """A GraphQL enum whose values are the model's allowed values (one list, in models/).

    Type checkers cannot use the returned class in annotations: a module that does declares
    an empty ``enum.Enum`` subclass of the same name for them under ``TYPE_CHECKING``."""
    return strawberry.enum(functional_enum(name, {value.upper(): value for value in values}), description=description)
