"""The catalogue of operations, generated from the schema itself: every root Query, Mutation
and Subscription field and every guarded field (``policies.gate.guarded``), with its action,
its description in zh-CN and en, and the module (domain) that defines it. A new root field is
in the catalogue the moment it is in the schema; nobody keeps a list."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from policies.engine import ACTIONS
from policies.gate import GUARDED_FIELDS


@dataclass(frozen=True)
class Operation:
    name: str
    action: str
    module: str
    description_en: str
    description_zh: str


# Where a Chinese part may begin: a Chinese character at the start or after a space.
ZH_START = re.compile(r"(?:^|(?<=\s))[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def split_description(text: str | None) -> tuple[str, str]:
    """A description as this schema writes them (English, then the Chinese term) in its two
    languages: the Chinese is the first part from which on no Latin word follows (so a
    Chinese word inside the English, 代理, stays in the English)."""
    text = (text or "").strip()
    for start in ZH_START.finditer(text):
        tail = text[start.start() :]
        if not LATIN_WORD.search(tail):
            return text[: start.start()].strip(), tail.strip()
    return text, ""


def _module_of(strawberry_schema: Any, type_name: str, field_name: str) -> str:
    """The domain whose schema module defines the field (``schema.projects.queries`` →
    ``projects``), from the field's resolver or, for a plain field, its type's class."""
    definition = strawberry_schema.get_type_by_name(type_name)
    origin = getattr(definition, "origin", None)
    for field in getattr(definition, "fields", ()):
        if strawberry_schema.config.name_converter.get_graphql_name(field) != field_name:
            continue
        resolver = getattr(field, "base_resolver", None)
        function = getattr(resolver, "wrapped_func", None)
        module = str(getattr(function, "__module__", None) or getattr(origin, "__module__", ""))
        parts = module.split(".")
        return parts[1] if len(parts) > 1 and parts[0] == "schema" else module
    return ""


_CACHE: dict[int, list[Operation]] = {}


def catalogue(strawberry_schema: Any) -> list[Operation]:
    """Every operation of the schema, in name order (computed once per schema)."""
    key = id(strawberry_schema)
    if key not in _CACHE:
        graphql_schema = strawberry_schema._schema
        found: list[Operation] = []
        for root in (graphql_schema.query_type, graphql_schema.mutation_type, graphql_schema.subscription_type):
            if root is None:
                continue
            for name, field in root.fields.items():
                if name.startswith("__"):
                    continue
                en, zh = split_description(field.description)
                found.append(Operation(f"{root.name}.{name}", ACTIONS[root.name], _module_of(strawberry_schema, root.name, name), en, zh))
        for guarded in sorted(GUARDED_FIELDS):
            type_name, _, field_name = guarded.partition(".")
            owner = graphql_schema.get_type(type_name)
            field = getattr(owner, "fields", {}).get(field_name) if owner is not None else None
            en, zh = split_description(field.description if field is not None else None)
            found.append(Operation(guarded, "read_full", _module_of(strawberry_schema, type_name, field_name), en, zh))
        _CACHE[key] = sorted(found, key=lambda op: op.name)
    return _CACHE[key]


def operations(strawberry_schema: Any) -> dict[str, str]:
    """``{operation: action}`` of the catalogue: what policy lines are checked against."""
    return {op.name: op.action for op in catalogue(strawberry_schema)}
