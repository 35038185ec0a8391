"""Supervision (数据统计与监管): messages by code, and the labels of the domain's coded values,
in zh-CN and en. Each part of the domain registers its own codes beside its code; this module
imports them so the catalogue is complete whenever the domain is loaded."""

from __future__ import annotations

from resolvers.supervision import (
    evidence_messages,  # noqa: F401  -- evidence
    exports,  # noqa: F401  (-- exports: export jobs and the list sources)
    report_messages,  # noqa: F401  -- reports
)
