"""ASGI entry point for uvicorn: ``uvicorn app.asgi:app``."""

import logging

from app.main import create_app

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
# Casbin logs its whole model at INFO each time the policy is reloaded.
logging.getLogger("casbin").setLevel(logging.WARNING)

app = create_app()
