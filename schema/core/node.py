"""Relay object identification: opaque global IDs, the ``Node`` interface and the registry of
node types that ``node(id:)`` resolves through."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

import strawberry
from strawberry.types import get_object_definition

from resolvers.core.errors import BadInput
from schema.core.fields import from_row

# GraphQL type name -> (DataLoader attribute on ``Loaders``, Strawberry class). Filled by
# ``register_node``; ``node(id:)`` resolves through the same scoped loaders as nested fields.
NODE_TYPES: dict[str, tuple[str, type[Node]]] = {}

N = TypeVar("N", bound="Node")


def to_global_id(type_name: str, pk: Any) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def from_global_id(global_id: str) -> tuple[str, str]:
    try:
        raw = base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()
        type_name, _, pk = raw.partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadInput("INVALID_ID", id=global_id) from None
    if not type_name or not pk:
        raise BadInput("INVALID_ID", id=global_id)
    return type_name, pk


def decode_id(global_id: strawberry.ID | str, expected: str) -> int:
    type_name, pk = from_global_id(str(global_id))
    if type_name != expected:
        raise BadInput("WRONG_ID_TYPE", id=global_id, expected=expected)
    if not pk.isdigit():
        raise BadInput("INVALID_ID", id=global_id)
    return int(pk)


def register_node(loader: str) -> Callable[[type[N]], type[N]]:
    def wrap(cls: type[N]) -> type[N]:
        NODE_TYPES[get_object_definition(cls, strict=True).name] = (loader, cls)
        return cls

    return wrap


_TYPE_NAMES: dict[type, str] = {}


@strawberry.interface(description="An object with a global ID (Relay). 可按全局ID获取的对象。")
class Node:
    pk: strawberry.Private[Any]
    # The row attribute that the global ID carries.
    pk_attribute: ClassVar[str] = "id"

    id: strawberry.ID = strawberry.field(description="Opaque global ID. 全局唯一标识。")

    @classmethod
    def of(cls, row: Any) -> Any:
        """The GraphQL object showing ``row`` (see ``fields.from_row``), with its global ID."""
        pk = getattr(row, cls.pk_attribute)
        name = _TYPE_NAMES.get(cls)
        if name is None:
            name = _TYPE_NAMES[cls] = get_object_definition(cls, strict=True).name
        return from_row(cls, row, pk=pk, id=strawberry.ID(to_global_id(name, pk)))
