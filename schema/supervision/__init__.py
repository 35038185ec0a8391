"""Supervision and open data (数据统计与监管).

The root fields this domain adds to the schema (``schema.root`` merges every domain's): each
part of the domain adds its class to the tuple merged here. Importing it registers the
domain's DataLoaders."""

from strawberry.tools import merge_types

from schema.supervision import loaders  # noqa: F401  (registers this domain's DataLoaders)
from schema.supervision.ocds import OcdsQuery

Query = merge_types("SupervisionQuery", (OcdsQuery,))

__all__ = ["Query"]
