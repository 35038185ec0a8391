"""Demo data for the demo county (320583), one module per domain (``app/demo/<domain>.py``),
loaded in domain order (``models.DOMAINS``).

Loaded through the same resolver functions as the API, so it is validated and audited
like any other change. Idempotent: a second run finds the demo organisations and stops.
Never loaded in production.
"""

from __future__ import annotations

from app.demo.core import Demo
from app.state import AppState
from models import domain_modules


async def load_demo_data(state: AppState) -> bool:
    """Returns False if the demo data was already there."""
    if state.settings.production:
        raise RuntimeError("demo data is never loaded in production")
    modules = domain_modules("app.demo")
    for module in modules:
        present = getattr(module, "present", None)
        if present is not None and await present(state):
            return False
    demo = Demo(state)
    for module in modules:
        await module.load(demo)
    return True
