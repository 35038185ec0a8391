"""Supervision and open data (数据统计与监管): reports computed in SQL, red flags, OCDS
publication, signed checkpoints of the audit chain and evidence bundles, and exports."""

from resolvers.supervision import (
    checkpoints,  # noqa: F401  -- evidence: registers the checkpoint job
    messages,  # noqa: F401  (registers every part's message codes and labels)
    reports,  # noqa: F401  (-- reports: registers the reports as export sources)
    templates,  # noqa: F401  (declares this domain's events)
)
from resolvers.supervision.exports import label_sources

# -- exports: every part has registered its export sources by now; label them all.
label_sources()
