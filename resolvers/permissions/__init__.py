"""Permission administration: the live policy, its versions, grants of roles to people in
regions, explanations and previews, and changes waiting for a second administrator."""

from resolvers.permissions import (
    messages,  # noqa: F401  (registers this domain's message codes and labels)
    templates,  # noqa: F401  (declares this domain's events)
)
