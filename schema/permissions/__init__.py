"""The live permission policy, readable and editable at run time.

The root fields this domain adds to the schema: ``Query``, ``Mutation`` and ``Subscription``
(``schema.root`` merges every domain's)."""

from schema.permissions.mutations import PermissionsMutation as Mutation
from schema.permissions.queries import PermissionsQuery as Query

__all__ = ["Query", "Mutation"]
