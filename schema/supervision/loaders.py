"""DataLoaders of the supervision domain. Each part registers its loaders in a block of its own."""

from __future__ import annotations

from models.supervision import AuditCheckpoint, ExportJob
from schema.core import loaders

# -- evidence
loaders.by_id("audit_checkpoint", AuditCheckpoint)

# -- exports
loaders.by_id("export_job", ExportJob)
