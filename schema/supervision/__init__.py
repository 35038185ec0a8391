"""Supervision and open data (数据统计与监管).

The root fields this domain adds to the schema (``schema.root`` merges every domain's). Each
part of the domain has its own ``<Part>Query`` and ``<Part>Mutation`` classes, merged here.
Importing it registers its DataLoaders."""

from strawberry.tools import merge_types

from schema.supervision import loaders  # noqa: F401  (registers this domain's DataLoaders)
from schema.supervision.evidence import EvidenceQuery  # -- evidence
from schema.supervision.exports import ExportsMutation, ExportsQuery  # -- exports
from schema.supervision.reports import ReportsQuery  # -- reports

Query = merge_types("SupervisionQuery", (EvidenceQuery, ExportsQuery, ReportsQuery))
Mutation = merge_types("SupervisionMutation", (ExportsMutation,))

__all__ = ["Query", "Mutation"]
