"""Accounts: organisations, users, roles, API clients, sign-in.

The root fields this domain adds to the schema: ``Query``, ``Mutation`` and ``Subscription``
(``schema.root`` merges every domain's). Importing it registers its DataLoaders."""

from schema.accounts import loaders  # noqa: F401  (registers this domain's DataLoaders)
from schema.accounts.mutations import AccountsMutation as Mutation
from schema.accounts.queries import AccountsQuery as Query

__all__ = ["Query", "Mutation"]
