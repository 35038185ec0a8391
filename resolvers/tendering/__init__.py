"""Tendering and bidding (招标采购)."""

from resolvers.tendering import (
    evaluation,  # noqa: F401  (registers its scheduled rule: the award after publicity)
    messages,  # noqa: F401  (registers this domain's message codes)
    negotiation,  # noqa: F401  (declares its encrypted column)
    templates,  # noqa: F401  (declares this domain's events)
)
