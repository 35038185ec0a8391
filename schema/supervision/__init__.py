"""Supervision and open data (数据统计与监管).

The root fields this domain adds to the schema (``schema.root`` merges every domain's): each
part of the domain has its own ``<Part>Query`` / ``<Part>Mutation`` classes, merged here."""

from strawberry.tools import merge_types

# -- reports
from schema.supervision.reports import ReportsQuery

Query = merge_types("SupervisionQuery", (ReportsQuery,))

__all__ = ["Query"]
