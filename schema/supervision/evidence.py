"""Evidence (审计证据): the signed checkpoints of the audit chain, for auditors to compare
with the copies published outside the database."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from models.supervision import CHECKPOINT_TARGETS
from models.supervision import AuditCheckpoint as AuditCheckpointRow
from resolvers.core.i18n import label as label_of
from resolvers.supervision.checkpoints import audit_checkpoints
from schema.contracts.types import SigningAlgorithm
from schema.core.connection import Connection, list_page
from schema.core.context import Info, signed_in_actor
from schema.core.fields import column, enum_of, label
from schema.core.node import Node, register_node

if TYPE_CHECKING:

    class CheckpointTarget(enum.Enum): ...

else:
    CheckpointTarget = enum_of("CheckpointTarget", CHECKPOINT_TARGETS, "Where checkpoints are published. 检查点发布位置。")


def _algorithm(value: str) -> Any:
    return SigningAlgorithm(value)


@strawberry.type(description="Where a checkpoint was published outside the database, or why not yet. 检查点的发布记录。")
class CheckpointPublication:
    target: CheckpointTarget = strawberry.field(description="A directory or a webhook. 发布位置类型。")
    target_label: str = strawberry.field(description="Target, in the request's language. 发布位置类型名称。")
    location: str | None = strawberry.field(
        description="The file written, or the URL posted to (without credentials or query). 文件路径或回调地址。"
    )
    published_at: datetime | None = strawberry.field(description="When it was published; null while it has not been. 发布时间。")
    attempts: int = strawberry.field(description="POSTs made so far (a directory: writes). 尝试次数。")
    last_error: str | None = strawberry.field(description="The last failure while not published. 最近一次失败原因。")


def _publications(row: Any, locale: str) -> list[CheckpointPublication]:
    found = []
    if row.directory_location or row.directory_published_at or row.directory_error:
        found.append(
            CheckpointPublication(
                target=CheckpointTarget("directory"),
                target_label=label_of("CheckpointTarget", "directory", locale),
                location=row.directory_location,
                published_at=row.directory_published_at,
                attempts=1 if row.directory_published_at or row.directory_error else 0,
                last_error=row.directory_error,
            )
        )
    if row.webhook_location or row.webhook_published_at or row.webhook_attempts:
        found.append(
            CheckpointPublication(
                target=CheckpointTarget("webhook"),
                target_label=label_of("CheckpointTarget", "webhook", locale),
                location=row.webhook_location,
                published_at=row.webhook_published_at,
                attempts=row.webhook_attempts,
                last_error=row.webhook_error,
            )
        )
    return found


@register_node("audit_checkpoint")
@strawberry.type(
    description="A signed statement of the audit chain's head: at `sequence` the last event's hash was `headHash`. 审计链检查点（已签名）。"
)
class AuditCheckpoint(Node):
    row: strawberry.Private[AuditCheckpointRow]

    sequence: int = column("seq", "Sequence number of the last event it covers. 覆盖至的事件序号。")
    head_hash: str = column("head_hash", "That event's hash. 该事件哈希。")
    previous_sequence: int = column("previous_seq", "Sequence number of the previous checkpoint (0 for the first). 前一检查点序号。")
    links_sha256: str = column(
        "links_sha256", "SHA-256 over the hash of every event since the previous checkpoint. 自前一检查点以来各事件哈希的摘要。"
    )
    signed_at: datetime = column("signed_at", "When it was signed (UTC). 签署时间。")
    algorithm: SigningAlgorithm = column("algorithm", "Signature algorithm. 签名算法。", _algorithm)
    algorithm_label: str = label("algorithm", "SigningAlgorithm", "Algorithm, in the request's language. 算法名称。")
    key_id: str = column("key_id", "Fingerprint of the signing key. 签名密钥标识。")
    public_key: str = column("public_key", "The public key (base64 of the raw key). 公钥。")
    signature: str = column("signature", "The signature (base64). 签名值。")

    @strawberry.field(description="Where it was published outside the database. 发布记录。")
    def publications(self, info: Info) -> list[CheckpointPublication]:
        return _publications(self.row, info.context.meta.locale)


@strawberry.type
class EvidenceQuery:
    @strawberry.field(
        description="Signed checkpoints of the audit chain, newest first: compare them with the published copies, "
        "and verify evidence bundles against them. 审计链检查点。"
    )
    async def audit_checkpoints(
        self,
        info: Info,
        unpublished: Annotated[
            bool, strawberry.argument(description="Only those not yet published everywhere configured. 仅未完成发布的。")
        ] = False,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[AuditCheckpoint] | None:
        actor = await signed_in_actor(info.context)
        settings = info.context.settings
        targets = [
            target
            for target, configured in (("directory", settings.checkpoint_publish_dir), ("webhook", settings.checkpoint_webhook_url))
            if configured
        ]
        return await list_page(
            info, audit_checkpoints(actor, targets if unpublished else None), AuditCheckpoint, first, after, last, before
        )
