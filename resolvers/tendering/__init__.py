"""Tendering and bidding (招标采购)."""
