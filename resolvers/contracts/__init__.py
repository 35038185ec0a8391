"""Contracts (合同) and their electronic signatures."""
