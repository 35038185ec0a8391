"""Evidence (审计证据): message codes of checkpoints and evidence bundles, and the labels of
where checkpoints are published, in zh-CN and en."""

from __future__ import annotations

from resolvers.core.i18n import register, register_labels

register(
    "supervision",
    {
        "EVIDENCE_INVALID_DATE": ("“{value}”不是 YYYY-MM-DD 格式的有效日期。", "“{value}” is not a valid date in the form YYYY-MM-DD."),
        "EVIDENCE_PERIOD_REVERSED": ("起始日期不能晚于截止日期。", "The start date must not be after the end date."),
        "EVIDENCE_CHECKPOINTS_OFF": (
            "检查点已关闭（SMALLWORKS_CHECKPOINT_ENABLED），无法签署覆盖这些事件的检查点。",
            "Checkpoints are off (SMALLWORKS_CHECKPOINT_ENABLED): no checkpoint can be signed to cover these events.",
        ),
        "EVIDENCE_CHAIN_BROKEN": (
            "审计链在第 {seq} 号事件处断裂，未导出证据包；请先核查审计链（verifyAuditTrail）。",
            "The audit chain is broken at event {seq}; no bundle was exported. Check the chain first (verifyAuditTrail).",
        ),
        "EVIDENCE_CANNOT_WRITE": ("无法写入 {path}：{reason}", "Cannot write {path}: {reason}"),
        "EVIDENCE_EXPORTED": (
            "已写出证据包 {path}：行政区划 {region}，{start} 至 {end}，完整事件 {events} 条，链接 {links} 个，检查点 {checkpoints} 个，SHA-256 {sha256}。",
            "Wrote the evidence bundle {path}: region {region}, {start} to {end}, {events} events in full, {links} links, "
            "{checkpoints} checkpoints, SHA-256 {sha256}.",
        ),
        "EVIDENCE_NO_EVENTS": (
            "行政区划 {region} 在 {start} 至 {end} 没有已被检查点覆盖的审计事件。",
            "Region {region} has no audit events covered by a checkpoint from {start} to {end}.",
        ),
    },
    user_errors=False,
)

register_labels("CheckpointTarget", {"directory": ("目录", "Directory"), "webhook": ("网络回调（Webhook）", "Webhook")})
