"""The events of supervision and the text of their notifications, in zh-CN and en. Each part
of the domain declares its events in a block of its own."""

from __future__ import annotations

from resolvers.core.i18n import register_labels
from resolvers.core.outbox import declare_events

# -- exports ----------------------------------------------------------------------------------

declare_events(
    "supervision",
    {
        "export.ready": (
            "导出文件已生成：{source}",
            "Export ready: {source}",
            "{source}（{format}，共 {rows} 行）已生成，文件 {filename} 可下载至 {expires}。",
            "{source} ({format}, {rows} rows) is ready: {filename} can be downloaded until {expires}.",
        ),
        "export.failed": (
            "导出未能生成：{source}",
            "Export failed: {source}",
            "{source}（{format}）未能生成，请重新发起导出。",
            "{source} ({format}) could not be written; start the export again.",
        ),
    },
    labels={"source": "ExportSource", "format": "ExportFormat"},
)
register_labels(
    "EventType",
    {"export.ready": ("导出文件已生成", "Export ready"), "export.failed": ("导出未能生成", "Export failed")},
)
