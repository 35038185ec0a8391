"""SQLAlchemy 2 ORM models. No GraphQL, no HTTP: tables, constraints and relationships only.

``DOMAINS`` lists the business domains in dependency order. Every layer has a module or
package of the same name per domain (``models.projects``, ``resolvers.projects``,
``schema.projects``, ``policies/scope/projects.py``, ``policies/lines/projects.csv``,
``app/demo/projects.py``, ``tests/projects/``), and each layer's registry finds them from
this one list: adding a domain adds its name here and edits no other domain's files.

Importing this package registers every table on ``Base.metadata`` (Alembic relies on it).
"""

from importlib import import_module

from models.base import Base

DOMAINS: tuple[str, ...] = (
    "accounts",
    "audit",
    "permissions",
    "projects",
    "notifications",
    "tendering",
    "contracts",
    "progress",
    "payments",
    "supervision",
)


def domain_modules(layer: str, suffix: str = "") -> list:
    """Import ``<layer>.<domain><suffix>`` for every domain that has one, in domain order."""
    modules = []
    for domain in DOMAINS:
        name = f"{layer}.{domain}{suffix}"
        try:
            modules.append(import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name is None or not name.startswith(exc.name):  # a missing module inside it is a real error
                raise
    return modules


domain_modules("models")

__all__ = ["Base", "DOMAINS", "domain_modules"]
