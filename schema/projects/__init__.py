from schema.projects.types import *  # noqa: F401,F403
