"""GraphQL schema: types, inputs, enums, connections and DataLoader wiring. No business rules."""

from schema.root import build_schema

__all__ = ["build_schema"]
