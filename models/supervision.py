"""Supervision and open data (数据统计与监管): red flags and their acknowledgements, OCDS
releases as published, signed checkpoints of the audit chain, and export jobs.

Reports have no tables of their own: they aggregate the other domains' tables in SQL.
"""

from __future__ import annotations
