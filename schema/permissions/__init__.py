from schema.permissions.types import *  # noqa: F401,F403
