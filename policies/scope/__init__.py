from policies.scope.legacy import *  # noqa: F401,F403
