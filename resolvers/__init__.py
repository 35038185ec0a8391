"""Business logic: plain async functions over a unit of work. No GraphQL, no HTTP.

``core`` is the shared kernel, ``security`` the infrastructure adapters, and every other
package one domain. Importing a domain package registers what it contributes to the
kernel's registries (message codes, event types, reminder rules).
"""

from __future__ import annotations


def load_domains() -> list:
    """Import every domain's package, so every registry is complete (the worker, the CLI
    and the schema call this)."""
    from models import domain_modules

    return domain_modules("resolvers")
