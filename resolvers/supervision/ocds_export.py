"""The list of OCDS releases (``ocdsReleases``) as an export source, ``list.ocds_releases``:
the same arguments, row scope and order as the list, one row per release with its tag and
event by their labels in the requester's language (the JSON itself stays at the public
endpoints; a spreadsheet cell would cut it)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from models.projects import Project
from models.supervision import OCDS_RELEASE_TAGS
from resolvers.core.errors import BadInput
from resolvers.core.i18n import Either, label
from resolvers.core.pagination import ListQuery
from resolvers.supervision import ocds
from resolvers.supervision.list_sources import Arg, batches, count, decode_id, parse_arguments, viewer, visible
from resolvers.supervision.sources import Arguments, Column, ExportContext, ExportSource, export_source

TAGS = {ocds.tag_name(tag): tag for tag in OCDS_RELEASE_TAGS}
ARGS = {
    "projectId": Arg("id", id_type="Project"),
    "tags": Arg("text", many=True),  # checked against TAGS below
    "since": Arg("datetime"),
    "until": Arg("datetime"),
}
COLUMNS = (
    Column("release_id", ("发布标识", "Release ID")),
    Column("ocid", ("开放合同标识", "OCID")),
    Column("sequence", ("序号", "Sequence"), "integer"),
    Column("tag", ("发布类型", "Tag")),
    Column("date", ("发布日期", "Release date"), "datetime"),
    Column("event_type", ("来源事件", "Event")),
    Column("project", ("项目编号", "Project")),
    Column("sha256", ("内容哈希", "SHA-256")),
    Column("published_at", ("发布时间", "Published"), "datetime"),
)


def _moment(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def parse(raw: Any) -> Arguments:
    """The list's arguments as a client sends them to ``ocdsReleases`` (tags by their enum names)."""
    args = parse_arguments(ARGS, raw)
    for i, name in enumerate(args.get("tags") or []):
        if name not in TAGS:
            raise BadInput("EXPORT_ARGUMENT_INVALID", argument=f"tags[{i}]", expected=Either(list(TAGS)))
    since, until = _moment(args.get("since")), _moment(args.get("until"))
    if since is not None and until is not None and since >= until:
        raise BadInput("INVALID_TIME_RANGE")
    return args


def query(ctx: ExportContext, args: Arguments) -> ListQuery:
    return ocds.releases(
        viewer(ctx),
        decode_id(args["projectId"], "Project", "projectId") if args.get("projectId") else None,
        [TAGS[name] for name in args.get("tags") or []] or None,
        _moment(args.get("since")),
        _moment(args.get("until")),
    )


async def rows(ctx: ExportContext, args: Arguments) -> AsyncIterator[Sequence[Any]]:
    locale = ctx.locale
    async for batch in batches(ctx, query(ctx, args)):
        projects = await visible(ctx, Project, Project.code, {r.project_id for r in batch})
        for r in batch:
            yield (
                r.release_id,
                r.ocid,
                r.sequence,
                label("OcdsReleaseTag", r.tag, locale),
                r.date,
                label("EventType", r.event_type, locale),
                projects.get(r.project_id),
                r.sha256,
                r.published_at,
            )


async def total(ctx: ExportContext, args: Arguments) -> int:
    return await count(ctx, query(ctx, args))


SOURCE = export_source(
    ExportSource(
        name="list.ocds_releases",
        operation="Query.ocdsReleases",
        title=("开放合同数据发布列表", "OCDS releases"),
        columns=lambda args: COLUMNS,
        parse=parse,
        rows=rows,
        total=total,
    )
)
