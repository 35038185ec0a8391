"""Composition root: settings, ASGI application, database, request context, CLI."""
