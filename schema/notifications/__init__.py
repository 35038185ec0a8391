from schema.notifications.types import *  # noqa: F401,F403
