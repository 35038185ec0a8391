"""Supervision and open data (数据统计与监管): reports computed in SQL, red flags, OCDS
publication, signed checkpoints of the audit chain and evidence bundles, and exports."""

from resolvers.supervision import (
    flags,  # noqa: F401  (red flags: the reactions and the scheduled recompute)
    messages,  # noqa: F401  (registers this domain's message codes)
    templates,  # noqa: F401  (declares this domain's events)
)
