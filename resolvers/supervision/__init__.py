"""Supervision and open data (数据统计与监管): reports computed in SQL, red flags, OCDS
publication, signed checkpoints of the audit chain and evidence bundles, and exports."""

from resolvers.supervision import (
    messages,  # noqa: F401  (registers this domain's message codes and labels)
    ocds,  # noqa: F401  (publishes OCDS releases as the other domains' events are delivered)
)
