"""OCDS publication (开放合同数据): the releases published about the projects a viewer may see,
with the event and project each came from. The releases themselves are public, as OCDS
packages, at ``GET /ocds/releases`` and ``GET /ocds/records/{ocid}`` (``app/ocds.py``)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from models import supervision as tables
from resolvers.core.errors import BadInput
from resolvers.supervision import ocds
from schema.core.connection import Connection, list_page
from schema.core.context import Info, signed_in_actor
from schema.core.fields import column, functional_enum, label, loaded
from schema.core.node import Node, decode_id, register_node
from schema.projects.types import Project

if TYPE_CHECKING:

    class OcdsReleaseTag(enum.Enum): ...

else:
    OcdsReleaseTag = strawberry.enum(
        functional_enum("OcdsReleaseTag", {ocds.tag_name(t): t for t in tables.OCDS_RELEASE_TAGS}),
        description="What a release reports (OCDS releaseTag codelist). 发布类型。",
    )


@register_node("ocds_release")
@strawberry.type(description="An OCDS 1.1.5 release as published: never changed once published. 已发布的开放合同数据。")
class OcdsRelease(Node):
    row: strawberry.Private[tables.OcdsRelease]

    release_id: str = column("release_id", "The release's `id`, unique within its ocid. 发布标识。")
    ocid: str = column("ocid", "The contracting process's Open Contracting ID: the prefix and the project's code. 开放合同标识。")
    sequence: int = column("sequence", "Its place among its process's releases, from 1. 序号。")
    tag: OcdsReleaseTag = column("tag", "What it reports. 发布类型。", OcdsReleaseTag)
    tag_label: str = label("tag", "OcdsReleaseTag", "What it reports, in the request's language. 发布类型名称。")
    date: datetime = column("date", "The release's `date` (UTC). 发布日期。")
    event_type: str = column("event_type", "The event it was published on, e.g. `tender.opened`. 来源事件。")
    event_type_label: str = label("event_type", "EventType", "The event, in the request's language. 来源事件名称。")
    sha256: str = column("sha256", "SHA-256 of its JSON text as published. 发布内容哈希。")
    published_at: datetime = column("published_at", "When it was published (UTC). 发布时间。")
    data: str = column("data", "Its JSON text exactly as published and served. 发布内容（JSON）。")

    @strawberry.field(description="Whether its JSON text still has the SHA-256 it was published with. 内容是否完好。")
    def intact(self) -> bool:
        return ocds.sha256_of(self.row.data) == self.row.sha256

    @strawberry.field(description="The project, the contracting process it belongs to. 项目。")
    @loaded("project", "project_id", shows=Project)
    async def project(self, info: Info) -> Project | None:
        raise NotImplementedError  # resolved from the @loaded declaration above


def _moment(name: str, value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise BadInput("OCDS_INVALID_MOMENT", argument=name, value=value.isoformat())
    return value


@strawberry.type
class OcdsQuery:
    @strawberry.field(
        description="The OCDS releases published about the projects you can see, latest first, with the event and project each "
        "came from. 已发布的开放合同数据。"
    )
    async def ocds_releases(
        self,
        info: Info,
        project_id: Annotated[strawberry.ID | None, strawberry.argument(description="One project's releases. 项目。")] = None,
        tags: Annotated[list[OcdsReleaseTag] | None, strawberry.argument(description="Only releases of these tags. 发布类型。")] = None,
        since: Annotated[datetime | None, strawberry.argument(description="Release date from (inclusive). 起始日期。")] = None,
        until: Annotated[datetime | None, strawberry.argument(description="Release date until (exclusive). 截止日期。")] = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[OcdsRelease] | None:
        actor = await signed_in_actor(info.context)
        since, until = _moment("since", since), _moment("until", until)
        if since is not None and until is not None and since >= until:
            raise BadInput("INVALID_TIME_RANGE")
        query = ocds.releases(
            actor,
            decode_id(project_id, "Project") if project_id else None,
            [t.value for t in tags] if tags else None,
            since,
            until,
        )
        return await list_page(info, query, OcdsRelease, first, after, last, before)
