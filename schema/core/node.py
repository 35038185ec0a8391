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


ID_SHOWN = 64  # characters of a bad ID that its error repeats
MAX_KEY = 2**63 - 1  # primary keys are BIGINT (64-bit signed) on every backend


def shown(global_id: Any) -> str:
    """An ID as an error repeats it: at most ``ID_SHOWN`` characters."""
    text = str(global_id)
    return text if len(text) <= ID_SHOWN else text[:ID_SHOWN] + "…"


def from_global_id(global_id: str) -> tuple[str, str]:
    try:
        raw = base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()
        type_name, _, pk = raw.partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadInput("INVALID_ID", id=shown(global_id)) from None
    if not type_name or not pk:
        raise BadInput("INVALID_ID", id=shown(global_id))
    return type_name, pk


def primary_key(pk: str, global_id: Any) -> int:
    """The primary key an ID carries: ASCII decimal digits within BIGINT, else INVALID_ID
    (a number no table can hold must not reach the database as an overflow)."""
    if not (pk.isascii() and pk.isdigit()) or len(pk) > 19 or int(pk) > MAX_KEY:
        raise BadInput("INVALID_ID", id=shown(global_id))
    return int(pk)


def decode_id(global_id: strawberry.ID | str, expected: str) -> int:
    type_name, pk = from_global_id(str(global_id))
    if type_name != expected:
        raise BadInput("WRONG_ID_TYPE", id=shown(global_id), expected=expected)
    return primary_key(pk, global_id)


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
