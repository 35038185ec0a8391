"""The layout's promises, checked on copies of the source tree: a new domain is new files
plus one line in ``models.DOMAINS``, and the import contracts catch a domain reaching into
another or the policies reaching into the service layer."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "schema", "resolvers", "models", "policies", "workers", "migrations")

# These work on copies of the source tree and a database of their own: they do not depend
# on the backend under test, so they run once, in the SQLite run.
pytestmark = [
    pytest.mark.subprocess,
    pytest.mark.skipif(
        os.environ.get("SMALLWORKS_TEST_BACKEND", "sqlite") != "sqlite", reason="backend-independent; runs in the SQLite run"
    ),
]


def _copy_tree(destination: Path) -> Path:
    for name in PACKAGES:
        shutil.copytree(ROOT / name, destination / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / ".importlinter", destination / ".importlinter")
    return destination


def _run(cwd: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = dict(os.environ, PYTHONPATH=str(cwd), **(env or {}))
    return subprocess.run(args, cwd=cwd, env=environment, capture_output=True, text=True, timeout=240)


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return _run(cwd, str(Path(sys.executable).parent / "lint-imports"), "--no-cache")


TOY_FILES = {
    "models/toys.py": '''
        """Toys: a domain that exists only in this test."""

        from sqlalchemy import ForeignKey, String
        from sqlalchemy.orm import Mapped, mapped_column

        from models.base import Base, BigId


        class Toy(Base):
            __tablename__ = "toys"

            id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
            name: Mapped[str] = mapped_column(String(50))
            organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    ''',
    "migrations/versions/0099_toys.py": '''
        """Toys."""

        import sqlalchemy as sa
        from alembic import op

        from migrations.policy_lines import add_domain_lines

        revision = "0099"
        down_revision = "LATEST"
        branch_labels = None
        depends_on = None


        def upgrade() -> None:
            op.create_table(
                "toys",
                sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
                sa.Column("name", sa.String(50), nullable=False),
                sa.Column("organisation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), sa.ForeignKey("organisations.id"), nullable=False),
            )
            add_domain_lines("toys")


        def downgrade() -> None:
            op.drop_table("toys")
    ''',
    "policies/lines/toys.csv": """
        # Toys.
        p, owner_staff, *, Query.toys, read
    """,
    "policies/scope/toys.py": """
        from models.toys import Toy
        from policies.scope import scope_of


        @scope_of(Toy)
        def toys(actor):
            return Toy.organisation_id == actor.organisation_id
    """,
    "resolvers/toys/__init__.py": """
        from resolvers.toys import messages  # noqa: F401
    """,
    "resolvers/toys/messages.py": """
        from resolvers.core.i18n import register

        register("toys", {"TOY_BROKEN": ("玩具坏了。", "The toy is broken.")})
    """,
    "resolvers/toys/queries.py": """
        from sqlalchemy import select

        from models.toys import Toy
        from policies.scope.toys import toys as visible
        from resolvers.core.pagination import ListQuery


        def toys(actor) -> ListQuery:
            return ListQuery(select(Toy).where(visible(actor)), [(Toy.id, False)])
    """,
    "schema/toys/__init__.py": """
        from schema.toys import loaders  # noqa: F401
        from schema.toys.queries import ToysQuery as Query

        __all__ = ["Query"]
    """,
    "schema/toys/loaders.py": """
        from models.toys import Toy
        from schema.core import loaders

        loaders.by_id("toy", Toy)
    """,
    "schema/toys/types.py": """
        import strawberry

        from models.toys import Toy as ToyRow
        from schema.core.fields import column
        from schema.core.node import Node, register_node


        @register_node("toy")
        @strawberry.type(description="A toy. 玩具。")
        class Toy(Node):
            row: strawberry.Private[ToyRow]

            name: str = column("name", "Name. 名称。")
    """,
    "schema/toys/queries.py": """
        import strawberry
        from strawberry.types import Info

        from resolvers.toys import queries
        from schema.core.connection import Connection, list_page
        from schema.toys.types import Toy


        @strawberry.type
        class ToysQuery:
            @strawberry.field(description="Toys you can see. 玩具。")
            async def toys(self, info: Info, first: int | None = None, after: str | None = None) -> Connection[Toy] | None:
                actor = await info.context.actor()
                return await list_page(info, queries.toys(actor), Toy, first, after, None, None)
    """,
    "app/demo/toys.py": """
        from sqlalchemy import insert

        from app.demo.core import Demo
        from models.toys import Toy


        async def load(demo: Demo) -> None:
            async with demo.state.db.write() as session:
                await session.execute(insert(Toy).values(name="陀螺", organisation_id=demo.organisations["owner"]))
    """,
}

PROBE = """
import asyncio, json, os, sys

import httpx

from app.demo import load_demo_data
from app.main import create_app
from app.migrate import upgrade
from app.settings import Settings
from app.state import AppState
from policies.scope import load_all
from schema.core.payload import UserErrorCode
from models.toys import Toy


async def main(settings):
    state = AppState.create(settings)
    await load_demo_data(state)
    app = create_app(state=state)
    result = {"scope": Toy in load_all(), "error_code": "TOY_BROKEN" in UserErrorCode.__members__}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://toy") as client:
        for username in ("owner", "contractor1"):
            token = (await client.post("/auth/token", data={"grant_type": "password", "username": username,
                                                            "password": "smallworks-demo"})).json()["access_token"]
            body = (await client.post("/graphql", json={"query": "{ toys { nodes { id name } } }"},
                                      headers={"Authorization": f"Bearer {token}"})).json()
            result[username] = body
        sdl = (await client.post("/graphql", json={"query": "{ __type(name: \\"Query\\") { fields { name } } }"})).json()
        result["query_fields"] = [f["name"] for f in sdl["data"]["__type"]["fields"]]
    await state.close()
    print(json.dumps(result, ensure_ascii=False))

settings = Settings(env="test", database_url=os.environ["TOY_DATABASE_URL"], storage_dir=os.environ["TOY_STORAGE"])
upgrade(settings.database_url)
asyncio.run(main(settings))
"""


def test_a_toy_domain_is_new_files_and_one_registration(tmp_path):
    tree = _copy_tree(tmp_path / "tree")
    from alembic.script import ScriptDirectory

    # The head revision, whatever its id (a part's migration is named 0016_<part> until merged).
    latest = ScriptDirectory(str(tree / "migrations")).get_current_head()
    for relative, text in TOY_FILES.items():
        path = tree / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip().replace('"LATEST"', repr(latest)), encoding="utf-8")
    # The one registration: the domain's name in models.DOMAINS.
    init = tree / "models" / "__init__.py"
    source = init.read_text()
    registered = re.sub(r"(DOMAINS: tuple\[str, \.\.\.\] = \([^)]*?),?\s*\)", r'\1, "toys")', source, count=1)
    assert registered != source
    init.write_text(registered)

    changed = [
        str(p.relative_to(tree))
        for p in tree.rglob("*")
        if p.is_file()
        and "__pycache__" not in p.parts
        and (ROOT / p.relative_to(tree)).exists()
        and (ROOT / p.relative_to(tree)).read_bytes() != p.read_bytes()
    ]
    assert changed == ["models/__init__.py"], "adding a domain edited other files"

    env = {
        "TOY_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'toy.db'}",
        "TOY_STORAGE": str(tmp_path / "storage"),
        "SMALLWORKS_DEV_SECRETS_FILE": str(tmp_path / "dev-secrets.json"),
        "SMALLWORKS_ENV": "test",
    }
    probe = _run(tree, sys.executable, "-c", PROBE, env=env)
    assert probe.returncode == 0, probe.stderr[-3000:]
    result = json.loads(probe.stdout.strip().splitlines()[-1])
    assert "toys" in result["query_fields"]  # the schema
    assert result["scope"] is True  # the scope registry
    assert result["error_code"] is True  # the message catalogue and the UserErrorCode enum
    assert [n["name"] for n in result["owner"]["data"]["toys"]["nodes"]] == ["陀螺"]  # demo data, through the gate and scope
    assert result["contractor1"]["errors"][0]["extensions"]["code"] == "FORBIDDEN"  # the gate denies what no line allows

    lint = _lint_imports(tree)
    assert lint.returncode == 0, lint.stdout[-3000:]


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        (
            "resolvers/accounts/service.py",
            "from resolvers.projects import service as _projects  # noqa",
            "resolvers.accounts is not allowed to import resolvers.projects",
        ),
        (
            "schema/projects/mutations.py",
            "from schema.notifications import types as _n  # noqa",
            "schema.projects is not allowed to import schema.notifications",
        ),
        ("policies/gate.py", "from resolvers.core import errors as _errors  # noqa", "policies is not allowed to import resolvers"),
        ("resolvers/core/pagination.py", "from schema.core import node as _node  # noqa", "resolvers is not allowed to import schema"),
    ],
)
def test_the_import_contracts_catch_a_crossing(tmp_path, module, line, broken):
    tree = _copy_tree(tmp_path / "tree")
    path = tree / module
    path.write_text(path.read_text() + "\n" + line + "\n")
    lint = _lint_imports(tree)
    assert lint.returncode != 0
    assert broken in lint.stdout, lint.stdout[-3000:]
