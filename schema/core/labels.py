"""The labels of coded values as a root query: every value of a set with its label in the
request's language, for the choices a client offers (a status filter, a category select,
the sort order) without a table of its own.

Objects show the label of their own values next to them (``statusLabel`` beside
``status``, ``schema.core.fields.label``); ``enumLabels`` lists a whole set. Both read the
one catalogue (``resolvers.core.i18n.LABELS``).
"""

from __future__ import annotations

import enum
import re
from typing import TYPE_CHECKING

import strawberry
from strawberry.types.enum import StrawberryEnumDefinition

from resolvers import load_domains
from resolvers.core.i18n import LABELS, label
from schema.core.context import Info
from schema.core.fields import functional_enum


def set_member(name: str) -> str:
    """The ``LabelledEnum`` value of label set ``name``: ``ProjectStatus`` -> ``PROJECT_STATUS``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).upper()


def _labelled_enum() -> type[enum.Enum]:
    """One value per label set of every domain (``register_labels``)."""
    load_domains()
    members = {
        set_member(name): strawberry.enum_value(name, description=f"The values of `{name}`. {name} 的取值。") for name in sorted(LABELS)
    }
    return strawberry.enum(
        functional_enum("LabelledEnum", members),
        description="A set of coded values that have labels: an enum of the schema, or the codes of a string field. 有名称的代码集。",
    )


if TYPE_CHECKING:

    class LabelledEnum(enum.Enum):
        """What type checkers see of the enum made by ``_labelled_enum``."""

else:
    LabelledEnum = _labelled_enum()


@strawberry.type(description="A coded value and its label. 代码及其名称。")
class EnumLabel:
    value: str = strawberry.field(
        description="The value as the API shows it: an enum value's name (`IN_PROGRESS`), or the code a string field holds "
        "(`submit`, `project.submitted`). 取值。"
    )
    label: str = strawberry.field(description="Its label in the request's language. 名称。")


@strawberry.type
class LabelQuery:
    @strawberry.field(
        description="Every value of a set with its label in the request's language (Accept-Language), in the set's order. "
        "代码集的全部取值及名称。"
    )
    def enum_labels(self, info: Info, enum: LabelledEnum) -> list[EnumLabel]:
        name = enum.value
        locale = info.context.meta.locale
        definition = info.schema.get_type_by_name(name)
        if isinstance(definition, StrawberryEnumDefinition):
            # The enum's values in its order, by the names clients send and receive.
            return [EnumLabel(value=value.name, label=label(name, value.value, locale)) for value in definition.values]
        return [EnumLabel(value=value, label=label(name, value, locale)) for value in LABELS[name]]
