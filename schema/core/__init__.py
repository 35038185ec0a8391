"""GraphQL building blocks shared by every domain: Node and global IDs, connections, payloads,
fields, loaders, limits, error presentation and the permission gate extension."""
