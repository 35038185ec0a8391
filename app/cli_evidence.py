"""``smallworks export-evidence`` and ``smallworks verify-bundle``: evidence an inspector
verifies without trusting the database (``resolvers.supervision.evidence``).

Both speak zh-CN or en: ``--lang``, else the locale of the environment (``LC_ALL``,
``LC_MESSAGES``, ``LANG``, the first one set: ``zh…`` is Chinese, anything else English),
else zh-CN. ``verify-bundle`` reads no settings and opens no database: it runs anywhere the
package is installed, on a bundle copied there.
"""

from __future__ import annotations

import os
from pathlib import Path

import typer

LANG_HELP = "zh-CN or en (default: from LC_ALL, LC_MESSAGES or LANG; zh-CN when none is set)."


def cli_locale(given: str | None) -> str:
    """The language of the command's output."""
    from resolvers.supervision.evidence import output_locale

    return output_locale(given)


def _operator() -> str:
    import getpass
    import socket

    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid()) if hasattr(os, "getuid") else "unknown"
    return f"{user}@{socket.gethostname()}"


def export_evidence(
    region: str = typer.Option(..., "--region", help="6-digit region code; a province or city code covers what lies below it."),
    start: str = typer.Option(..., "--from", help="First day (YYYY-MM-DD, China time)."),
    end: str = typer.Option(..., "--to", help="Last day, included (YYYY-MM-DD, China time)."),
    out: Path = typer.Option(..., "--out", help="The bundle file to write (JSON)."),
    operator: str | None = typer.Option(None, help="Who exports, as the audit trail records it (default: login name@host)."),
    lang: str | None = typer.Option(None, "--lang", help=LANG_HELP),
) -> None:
    """Write an evidence bundle: the audit events of a region and period, the signed
    checkpoints around them and their public keys (审计证据包).

    Other regions' events between the checkpoints appear only as their hashes. Exit 0 when
    written, 1 when it cannot be made, 2 when an option is wrong. The export is audited."""
    import asyncio

    from app.cli import _settings
    from app.state import AppState
    from resolvers.core.errors import UserErrors
    from resolvers.core.i18n import translate
    from resolvers.supervision.evidence_export import EvidenceError, evidence_request
    from resolvers.supervision.evidence_export import export_evidence as export

    locale = cli_locale(lang)
    try:
        request = evidence_request(region, start, end)
    except UserErrors as exc:
        for p in exc.problems:
            typer.echo(f"--{p.field}: {translate(p.code, locale, **p.params)}", err=True)
        raise typer.Exit(2) from None
    settings = _settings()

    async def run():
        state = AppState.create(settings)
        try:
            return await export(state, request, out, operator or _operator())
        finally:
            await state.close()

    try:
        summary = asyncio.run(run())
    except EvidenceError as exc:
        typer.echo(translate(exc.code, locale, **exc.params), err=True)
        raise typer.Exit(1) from None
    where = {"region": summary.region, "start": summary.start.isoformat(), "end": summary.end.isoformat()}
    if not summary.events:
        typer.echo(translate("EVIDENCE_NO_EVENTS", locale, **where))
    typer.echo(
        translate(
            "EVIDENCE_EXPORTED",
            locale,
            path=str(summary.path),
            events=summary.events,
            links=summary.links,
            checkpoints=summary.checkpoints,
            sha256=summary.sha256,
            **where,
        )
    )


def verify_bundle(
    file: Path = typer.Argument(..., help="An evidence bundle (JSON) as export-evidence writes it; - reads standard input."),
    trust_key: list[str] = typer.Option(
        [], "--trust-key", help="A key id the checkpoints must be signed with (repeat for several); default: any key in the bundle."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    lang: str | None = typer.Option(None, "--lang", help=LANG_HELP),
) -> None:
    """Verify an evidence bundle offline: every hash link, every checkpoint signature, and
    that the checkpoints cover the events (审计证据包核验).

    Needs no settings, no database and no network. Prints the first broken place (its seq
    and why) or a summary; exit 0 when the bundle is valid, 1 when it is not, 2 when FILE
    cannot be read or is not JSON."""
    from resolvers.supervision.evidence import check_file

    status, lines = check_file(str(file), trust_key, as_json, cli_locale(lang))
    for line, problem in lines:
        typer.echo(line, err=problem)
    raise typer.Exit(status)
