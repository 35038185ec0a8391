"""Contracts (合同管理).

The root fields this domain adds to the schema (``schema.root`` merges every domain's).
Importing it registers its DataLoaders."""

from schema.contracts import loaders  # noqa: F401  (registers this domain's DataLoaders)
from schema.contracts.mutations import ContractsMutation as Mutation
from schema.contracts.queries import ContractsQuery as Query

__all__ = ["Query", "Mutation"]
