"""``smallworks trusted-documents``: register, list and remove the GraphQL documents a
server in trusted-documents mode runs (``SMALLWORKS_TRUSTED_DOCUMENTS_ONLY``)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import typer

documents_app = typer.Typer(help="Trusted documents: the GraphQL documents that may run.", no_args_is_help=True)


class ManifestError(Exception):
    pass


def read_documents(path: Path) -> list[tuple[str | None, str, str | None]]:
    """``(given hash, text, operation name)`` of each document in a file: an Apollo
    persisted-query manifest, a JSON object of hash → text (GraphQL Codegen, Relay), or a
    ``.graphql`` file holding one document."""
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path}: cannot be read as UTF-8 text ({type(exc).__name__})") from None
    if path.suffix in (".graphql", ".gql"):
        return [(None, raw, None)]
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ManifestError(f"{path}: not JSON ({exc.msg}, line {exc.lineno})") from None
    if isinstance(data, dict) and data.get("format") == "apollo-persisted-query-manifest":
        operations = data.get("operations")
        if not isinstance(operations, list):
            raise ManifestError(f"{path}: an Apollo manifest needs a list of operations")
        found = []
        for i, op in enumerate(operations):
            if not isinstance(op, dict) or not isinstance(op.get("body"), str):
                raise ManifestError(f"{path}: operation {i} has no body")
            given = op.get("id")
            found.append(
                (given if isinstance(given, str) else None, op["body"], op.get("name") if isinstance(op.get("name"), str) else None)
            )
        return found
    if isinstance(data, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        return [(k, v, None) for k, v in data.items()]
    raise ManifestError(f"{path}: neither an Apollo persisted-query manifest nor an object of hash to document")


def checked(paths: list[Path]) -> list:
    """The documents of every file, each checked: its hash (when given) is its text's
    SHA-256, and it parses and is valid against this server's schema."""
    from graphql import GraphQLError, OperationDefinitionNode, parse, validate

    from app.settings import get_settings
    from resolvers.permissions.trusted import Document
    from schema import build_schema
    from schema.core.documents import digest_of

    schema = build_schema(get_settings())._schema
    documents: dict[str, Document] = {}
    problems: list[str] = []
    for path in paths:
        for given, text, name in read_documents(path):
            digest = digest_of(text)
            label = f"{path}: {name or given or digest[:12]}"
            if given is not None and given.lower() != digest:
                problems.append(f"{label}: hash {given} is not the SHA-256 of its text ({digest})")
                continue
            try:
                document = parse(text)
            except GraphQLError as exc:
                problems.append(f"{label}: does not parse: {exc.message}")
                continue
            errors = validate(schema, document)
            if errors:
                problems.append(f"{label}: not valid against the schema: {errors[0].message}")
                continue
            if name is None:
                names = [d.name.value for d in document.definitions if isinstance(d, OperationDefinitionNode) and d.name]
                name = ", ".join(names)[:200] or None
            documents[digest] = Document(digest, text, name)
    if problems:
        raise ManifestError("\n".join(problems))
    return list(documents.values())


def _in_transaction(operation: str, work):
    from app.settings import get_settings
    from app.state import AppState
    from resolvers.core.context import SYSTEM_ACTOR, RequestMeta
    from resolvers.core.transaction import unit_of_work

    async def run():
        state = AppState.create(get_settings())
        try:
            async with unit_of_work(state, operation, SYSTEM_ACTOR, RequestMeta(request_id=operation)) as uow:
                result = await work(uow)
            await state.broker.announce("trusted-documents")
            return result
        finally:
            await state.close()

    return asyncio.run(run())


@documents_app.command("add")
def add(
    files: list[Path] = typer.Argument(..., help="Apollo persisted-query manifests, hash → text JSON files, or .graphql files."),
) -> None:
    """Register documents (all or none: one bad document registers nothing)."""
    from resolvers.permissions import trusted

    try:
        documents = checked(files)
    except ManifestError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    added = _in_transaction("cli.trusted-documents.add", lambda uow: trusted.register(uow, documents))
    for document in added:
        typer.echo(f"registered {document.sha256} {document.name or ''}".rstrip())
    typer.echo(f"{len(added)} registered, {len(documents) - len(added)} already registered")


@documents_app.command("list")
def list_documents() -> None:
    """Every registered document: its hash and operation names."""
    from resolvers.permissions import trusted

    for sha256, name in _in_transaction("cli.trusted-documents.list", trusted.listed):
        typer.echo(f"{sha256} {name or ''}".rstrip())


@documents_app.command("remove")
def remove(sha256: str = typer.Argument(..., help="The document's SHA-256 (hex).")) -> None:
    """Stop trusting a document."""
    from resolvers.permissions import trusted

    if not _in_transaction("cli.trusted-documents.remove", lambda uow: trusted.remove(uow, sha256.strip().lower())):
        typer.echo(f"no registered document has the hash {sha256}", err=True)
        raise typer.Exit(1)
    typer.echo(f"removed {sha256}")
