from schema.accounts.types import *  # noqa: F401,F403
