"""SQLAlchemy 2 ORM models. No GraphQL, no HTTP: tables, constraints and relationships only.

Importing this package registers every table on ``Base.metadata`` (Alembic relies on it).
"""

from models.base import Base
from models import accounts, audit, auth, notifications, policy, projects  # noqa: F401  (register tables)

__all__ = ["Base"]
