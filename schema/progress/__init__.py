"""Construction progress (进度与质量).

The root fields this domain adds to the schema (``schema.root`` merges every domain's).
Importing it registers its DataLoaders."""

from schema.progress import loaders  # noqa: F401  (registers this domain's DataLoaders)
from schema.progress.mutations import ProgressMutation as Mutation
from schema.progress.queries import ProgressQuery as Query

__all__ = ["Query", "Mutation"]
