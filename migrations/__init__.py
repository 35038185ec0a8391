"""Alembic migrations (PostgreSQL, MariaDB/MySQL and SQLite)."""
