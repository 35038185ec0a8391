"""What the domains' demo loaders share."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from app.state import AppState
from models.accounts import User
from resolvers.accounts.auth import load_user_actor
from resolvers.core.context import Actor, RequestMeta

DEMO_PASSWORD = "smallworks-demo"
DEMO_REGION = "320583"


@dataclass
class Demo:
    """What the domains' demo loaders share: the app state, the organisations created so
    far by key, and the demo people as actors."""

    state: AppState
    organisations: dict[str, int] = field(default_factory=dict)
    meta: RequestMeta = field(default_factory=lambda: RequestMeta(request_id="demo-data"))

    async def actor(self, username: str) -> Actor:
        async with self.state.db.read() as session:
            user_id = (await session.execute(select(User.id).where(User.username == username))).scalar_one()
            actor = await load_user_actor(session, user_id, None)
        assert actor is not None
        return actor


def demo_pdf(title: str) -> bytes:
    """A small valid PDF, so demo documents download and open."""
    text = title.encode("ascii", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\nBT /F1 18 Tf 72 760 Td (%s) Tj ET\nendstream" % (len(text) + 35, text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
