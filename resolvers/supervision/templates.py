"""The events of supervision and the text of their notifications, in zh-CN and en. Each part
of the domain declares its events in a block of its own."""

from __future__ import annotations

from resolvers.core.i18n import register_labels
from resolvers.core.outbox import declare_events

# -- red flags: told to the auditors whose region covers the flag's
declare_events(
    "supervision",
    {
        "red_flag.raised": (
            "风险预警：{flag}",
            "Red flag: {flag}",
            "{region} {year} 年，{subject}：{explanation_zh}",
            "{region}, {year}, {subject}: {explanation_en}",
        ),
    },
    labels={"flag": "RedFlagCode"},
)
register_labels("EventType", {"red_flag.raised": ("发现风险预警", "Red flag raised")})
