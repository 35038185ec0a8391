"""Infrastructure adapters: field encryption and keys, tokens, passwords, signed download
links, document storage."""
