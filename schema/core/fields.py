"""Field helpers: model-backed fields in one line, enums from the models' allowed values,
and the labels of coded values in the request's language."""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import strawberry
from strawberry.types import get_object_definition

from resolvers.core.i18n import label as label_of

T = TypeVar("T")


COLUMN = "smallworks.column"


def column(attribute: str, description: str, convert: Callable[[Any], Any] | None = None) -> Any:
    """A field that shows one attribute of the row, optionally converted (e.g. to a GraphQL
    enum); its GraphQL type is the class annotation. The value is copied when the object is
    made (``from_row``), so no resolver runs for the field: it is a plain attribute."""
    return strawberry.field(description=description, metadata={COLUMN: (attribute, convert)})


LABEL = "smallworks.label"


def label(attribute: str, labels: str, description: str) -> Any:
    """A field that shows the label of the coded value in one attribute of the row (a
    status, a kind, a role), from label set ``labels`` (``resolvers.core.i18n``), in the
    request's language (Accept-Language). Its GraphQL type is the class annotation: ``str``,
    or ``str | None`` for a nullable attribute. Put it next to the field showing the value
    (``status`` and ``statusLabel``), so a client shows the label without a table of its own.

    The compiled path reads the declaration: a plain function of the column and the
    request's locale, read in place like a ``column``."""

    def resolve(self: Any, info: strawberry.Info) -> Any:
        value = getattr(self.row, attribute)
        return None if value is None else label_of(labels, value, info.context.meta.locale)

    resolve.__name__ = f"{attribute}_label"
    return strawberry.field(resolver=resolve, description=description, metadata={LABEL: (attribute, labels)})


def labels_in_request(info: Any, labels: str, values: list[str]) -> list[str]:
    """The labels of ``values`` in the request's language, in their order."""
    locale = info.context.meta.locale
    return [label_of(labels, value, locale) for value in values]


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


def maker(shows: type) -> Callable[[Any], Any]:
    """How a row becomes the GraphQL object of ``shows``: ``shows.of`` for a node (it
    carries a global ID), else ``from_row``."""
    of = getattr(shows, "of", None)
    return of if of is not None else functools.partial(from_row, shows)


ROWS = "__smallworks_rows__"


def rows(read: Callable[[Any], list[Any]]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Marks a resolver whose value is the list of rows ``read(self)``, each made into the
    GraphQL object of the field's item type (``maker``): the compiled path may assemble
    those rows as they are, like the rows of a ``loaded`` field."""

    def mark(resolver: Callable[..., Any]) -> Callable[..., Any]:
        setattr(resolver, ROWS, read)
        return resolver

    return mark


LOADS = "__smallworks_loads__"


@dataclass(frozen=True)
class Loads:
    """What a ``loaded`` field declares: which loader, keyed by which row attribute, what
    narrows the loaded value (given the field's arguments), and which type shows each row."""

    loader: str
    key: str
    declared: type | Callable[[], type] | None
    pick: Callable[..., Any] | None

    @property
    def shows(self) -> type | None:
        """The type that shows each row (declared as a class, or as a function returning a
        class that is defined further down the module)."""
        declared = self.declared
        return declared if declared is None or isinstance(declared, type) else declared()

    @property
    def make(self) -> Callable[[Any], Any]:
        """How one row becomes the GraphQL object of ``shows``."""
        shows = self.shows
        assert shows is not None
        return maker(shows)

    def show(self, value: Any, arguments: dict[str, Any]) -> Any:
        """The field's value from what the loader gave: a row or None, or a list of rows."""
        if self.pick is not None:
            value = self.pick(value, **arguments)
        if self.declared is None or value is None:
            return value
        make = self.make
        if isinstance(value, list):
            return [make(row) for row in value]
        return make(value)


def loaded(
    loader: str, key: str, shows: type | Callable[[], type] | None = None, pick: Callable[..., Any] | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A nested field whose value is ``ctx.loaders.<loader>.load(self.row.<key>)``: a row or
    None (``loaders.by_id``) or a list of rows (``loaders.children``), optionally narrowed
    by ``pick(value, **arguments)`` (the field's arguments), each row shown as ``shows``
    (``shows.of(row)`` for a node, else ``from_row(shows, row)``; ``shows`` may be a
    function returning a class defined further down; without ``shows`` the value is the
    field's value as it is).

    Decorates a resolver stub (its signature and return type give the field; its body is
    not used). The general executor resolves the field from this declaration; the compiled
    path (``schema.core.compiled``) reads it to load a whole level of rows in one call and
    to assemble the rows' JSON without making their objects."""
    declaration = Loads(loader, key, shows, pick)

    def declare(stub: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(stub)
        async def resolve(self: Any, info: Any, **arguments: Any) -> Any:
            value = await getattr(info.context.loaders, loader).load(getattr(self.row, key))
            return declaration.show(value, arguments)

        setattr(resolve, LOADS, declaration)
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


def selects(info: Any, name: str) -> bool:
    """Whether the request selects the field ``name`` of the value this resolver returns
    (directly or through a fragment): for a resolver that can start the field's work early."""
    from strawberry.types.nodes import SelectedField

    def within(selections: list[Any]) -> bool:
        return any(s.name == name if isinstance(s, SelectedField) else within(s.selections) for s in selections)

    return any(within(field.selections) for field in info.selected_fields)
