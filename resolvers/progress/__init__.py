"""Construction progress (进度与质量): daily logs, site photos, check-ins and milestones."""

from resolvers.progress import (
    messages,  # noqa: F401  (registers this domain's message codes)
    templates,  # noqa: F401  (declares this domain's events)
)
