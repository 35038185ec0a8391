"""Supervision and open data (数据统计与监管).

The root fields this domain adds to the schema (``schema.root`` merges every domain's): each
part of the domain has its own classes, merged here. Importing it registers the DataLoaders
of the parts."""

from strawberry.tools import merge_types

from schema.supervision.flags import FlagsMutation, FlagsQuery  # -- red flags

Query = merge_types("SupervisionQuery", (FlagsQuery,))
Mutation = merge_types("SupervisionMutation", (FlagsMutation,))

__all__ = ["Query", "Mutation"]
