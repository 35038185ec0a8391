"""DataLoaders of the supervision domain."""

from __future__ import annotations

# -- evidence
from models.supervision import AuditCheckpoint
from schema.core import loaders

loaders.by_id("audit_checkpoint", AuditCheckpoint)
