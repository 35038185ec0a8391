"""Permissions: the Casbin model and default policy (files), the gate, and row-level scope."""
