"""DataLoaders of the audit domain."""

from __future__ import annotations

from models.audit import AuditEvent
from schema.core import loaders

loaders.by_id("audit_event", AuditEvent)
