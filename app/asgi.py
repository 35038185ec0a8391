"""ASGI entry point for uvicorn: ``uvicorn app.asgi:app``."""

from app.logs import configure_logging
from app.main import create_app, settle_server_process
from app.settings import get_settings

configure_logging(get_settings())

app = create_app()
settle_server_process()
