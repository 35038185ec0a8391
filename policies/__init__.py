"""Permissions: the Casbin model, the policy lines of each domain, the gate and row-level scope."""
