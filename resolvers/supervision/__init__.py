"""Supervision and open data (数据统计与监管): reports computed in SQL, red flags, OCDS
publication, signed checkpoints of the audit chain and evidence bundles, and exports."""

from resolvers.supervision import (
    messages,  # noqa: F401  (registers the domain's message codes)
    reports,  # noqa: F401  (-- reports: registers the reports as export sources)
)
