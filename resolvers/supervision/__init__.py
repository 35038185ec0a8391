"""Supervision and open data (数据统计与监管): reports computed in SQL, red flags, OCDS
publication, signed checkpoints of the audit chain and evidence bundles, and exports."""

from resolvers.supervision import (
    checkpoints,  # noqa: F401  -- evidence: registers the checkpoint job
    messages,  # noqa: F401  (registers this domain's message codes)
)
