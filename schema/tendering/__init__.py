"""Tendering and bidding (招标采购).

The root fields this domain adds to the schema (``schema.root`` merges every domain's).
Importing it registers its DataLoaders."""

from schema.tendering import loaders  # noqa: F401  (registers this domain's DataLoaders)
from schema.tendering.mutations import TenderingMutation as Mutation
from schema.tendering.queries import TenderingQuery as Query

__all__ = ["Query", "Mutation"]
