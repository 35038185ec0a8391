"""Project application and approval (项目申报与立项)."""

from resolvers.projects import (
    messages,  # noqa: F401  (registers this domain's message codes)
    reminders,  # noqa: F401  (registers its reminder rules)
    templates,  # noqa: F401  (declares this domain's events)
)
