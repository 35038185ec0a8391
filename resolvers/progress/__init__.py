"""Construction progress (进度与质量): daily logs, site photos, check-ins, milestones,
quality inspections and warnings."""

from resolvers.progress import (
    messages,  # noqa: F401  (registers this domain's message codes)
    templates,  # noqa: F401  (declares this domain's events)
    warnings,  # noqa: F401  (registers the warning rules)
)
