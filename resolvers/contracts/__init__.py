"""Contracts (合同管理) and their electronic signatures (电子签章)."""

from resolvers.contracts import (
    messages,  # noqa: F401  (registers this domain's message codes)
    reminders,  # noqa: F401  (registers the key-date reminders)
    service,  # noqa: F401  (declares the encrypted private keys)
    templates,  # noqa: F401  (declares this domain's events)
)
