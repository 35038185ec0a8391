"""Editing the live permission policy."""
