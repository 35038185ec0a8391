"""OCDS publication: its messages (the public endpoints' refusals) and the labels of the release
tags, in zh-CN and en."""

from __future__ import annotations

from resolvers.core.i18n import register, register_labels

# The refusals of GET /ocds/releases and GET /ocds/records/{ocid}, and of ocdsReleases' filters.
register(
    "supervision",
    {
        "OCDS_INVALID_MOMENT": (
            "`{argument}` 须为带时区的 ISO 8601 时间（如 2026-12-01T10:00:00+08:00）或日期（如 2026-12-01），收到“{value}”。",
            "`{argument}` must be an ISO 8601 date-time with its offset (2026-12-01T10:00:00+08:00) or a date (2026-12-01); got “{value}”.",
        ),
        "OCDS_INVALID_LIMIT": ("`limit` 须为 1 至 {limit} 之间的整数。", "`limit` must be a whole number from 1 to {limit}."),
        "OCDS_NO_RELEASES": ("没有符合条件的已发布数据。", "No published release matches."),
        "OCDS_RECORD_NOT_FOUND": ("开放合同标识 {ocid} 下没有已发布的数据。", "Nothing is published under the ocid {ocid}."),
    },
    user_errors=False,
)

# releaseTag.csv: what the release reports.
register_labels(
    "OcdsReleaseTag",
    {
        "planning": ("立项", "Planning"),
        "tender": ("招标公告", "Tender"),
        "tenderUpdate": ("招标更新", "Tender update"),
        "award": ("定标", "Award"),
        "contract": ("合同签订", "Contract"),
        "implementation": ("合同履行", "Implementation"),
    },
)
