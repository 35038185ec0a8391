"""Business logic: plain async functions over a unit of work. No GraphQL, no HTTP."""
