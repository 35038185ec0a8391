"""Payments (财务支付): payment requests, approvals, payments, e-invoices and their archive."""

from resolvers.payments import (
    archive,  # noqa: F401  (registers the archiving job and its reaction)
    messages,  # noqa: F401  (registers this domain's message codes)
    reactions,  # noqa: F401  (raises payment requests as terms fall due)
    service,  # noqa: F401  (declares the encrypted bank accounts)
    templates,  # noqa: F401  (declares this domain's events)
)
