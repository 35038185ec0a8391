from schema.audit.types import *  # noqa: F401,F403
