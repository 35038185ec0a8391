"""Project application and approval (项目申报与立项).

The root fields this domain adds to the schema: ``Query``, ``Mutation`` and ``Subscription``
(``schema.root`` merges every domain's). Importing it registers its DataLoaders."""

from schema.projects import loaders  # noqa: F401  (registers this domain's DataLoaders)
from schema.projects.mutations import ProjectsMutation as Mutation
from schema.projects.queries import ProjectsQuery as Query

__all__ = ["Query", "Mutation"]
