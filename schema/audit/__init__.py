"""The audit trail: events and the verification of their hash chain.

The root fields this domain adds to the schema: ``Query``, ``Mutation`` and ``Subscription``
(``schema.root`` merges every domain's). Importing it registers its DataLoaders."""

from schema.audit import loaders  # noqa: F401  (registers this domain's DataLoaders)
from schema.audit.queries import AuditQuery as Query

__all__ = ["Query"]
