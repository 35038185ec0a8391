"""Organisations, users, roles, API clients and sign-in."""
