"""Sealed bids: before opening, a bid's price and documents reach nobody but the bidding
organisation, through any path (lists, node, nodes, nested fields, the audit trail,
notifications, error messages, downloads) and not even a dump of the database or of the
file store; after opening, they match the bidder's receipt."""

from __future__ import annotations

import json

from conftest import global_id
from flows import bid, bid_ok, clock_kept, open_tender, published, tender
from sqlalchemy import text

PRICE = "8765.43"
SCALED = "876543"  # how the Money column would store it in clear

NODE = "query($id: ID!) { node(id: $id) { id ... on Bid { price status content { sha256 } } } }"
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
MY_BIDS = "query { myBids(first: 20) { nodes { id price receipts { contentHash } content { documents { downloadUrl sha256 } } } } }"
AUDIT = """query($type: String) { auditEvents(filter: {targetType: $type}, first: 100) { nodes { targetType targetId changes } } }"""


def leaks(value) -> bool:
    dumped = json.dumps(value, ensure_ascii=False)
    return PRICE in dumped or SCALED in dumped


async def test_nobody_but_the_bidder_reads_a_bid_before_opening(api, state):
    with clock_kept(state):
        p = await published(api, state, "rfq")
        mine = await bid_ok(api, p.suppliers[0], p.tender["id"], PRICE)
        bid_id = mine["bid"]["id"]
        await bid_ok(api, p.suppliers[1], p.tender["id"], "8000.00")
        await bid_ok(api, p.suppliers[2], p.tender["id"], "8100.00")

        # The bidder reads its own bid, receipt and documents.
        own = (await api.ok(MY_BIDS, token=p.suppliers[0].token))["myBids"]["nodes"]
        assert [b["price"] for b in own if b["id"] == bid_id] == [PRICE]
        link = next(b for b in own if b["id"] == bid_id)["content"]["documents"][0]["downloadUrl"]
        assert (await api.client.get(link)).status_code == 200

        viewers = {
            "owner": p.owner.staff.token,
            "admin": await api.token("admin"),
            "auditor": await api.token("auditor"),
            "reviewer": await api.token("reviewer"),
            "other bidder": p.suppliers[1].token,
        }
        for who, token in viewers.items():
            t = await tender(api, token, p.tender["id"])
            # (the other bidder sees its own bid only)
            assert t is None or (all(b["id"] != bid_id for b in t["bids"]) and t["bidCount"] is None and not leaks(t)), who
            assert (await api.ok(NODE, {"id": bid_id}, token=token))["node"] is None, who
            assert (await api.ok(NODES, {"ids": [bid_id]}, token=token))["nodes"] == [None], who
            mine_only = (await api.gql(MY_BIDS, token=token)).get("data") or {}
            assert not leaks(mine_only), who
            # The signed link is the bidder's: nobody else's session may use it.
            response = await api.client.get(link.split("?")[0], headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 404, who

        # The audit trail, as an auditor reads it, records the receipt and never the price.
        trail = (await api.ok(AUDIT, {"type": "Bid"}, token=await api.token("auditor")))["auditEvents"]["nodes"]
        assert any(e["changes"].get("receipt") == mine["receipt"]["contentHash"] for e in trail)
        assert not leaks(trail)

        # An error message tells a bidder about the public ceiling, never another bid.
        refused = await bid(api, p.suppliers[1], p.tender["id"], "99999.00")
        assert [e["code"] for e in refused["errors"]] == ["PRICE_OVER_CEILING"] and not leaks(refused)

        # A raw read of the tables (a database dump) finds no price in clear.
        async with state.db.read() as session:
            rows = (await session.execute(text("SELECT * FROM bids"))).all()
            receipts = (await session.execute(text("SELECT * FROM bid_receipts"))).all()
            events = (await session.execute(text("SELECT payload FROM outbox_events"))).all()
            audit = (await session.execute(text("SELECT changes FROM audit_events"))).all()
            files = (await session.execute(text(f"SELECT storage_key FROM bid_files WHERE bid_id = {int(_pk(bid_id))}"))).scalars().all()
        for dump in (rows, receipts, events, audit):
            assert not leaks([[str(v) for v in row] for row in dump])
        assert files
        for key in files:
            assert b"%PDF" not in await state.storage.get(key)

        # After opening, everyone concerned reads the price, and it matches the receipt.
        opened = await open_tender(api, state, p)
        t = opened["tender"]
        opened_bid = next(b for b in t["bids"] if b["id"] == bid_id)
        assert opened_bid["price"] == PRICE and opened_bid["receiptVerified"] is True
        assert opened_bid["receiptHash"] == mine["receipt"]["contentHash"] == opened_bid["openedHash"]
        other = await tender(api, p.suppliers[1].token, p.tender["id"])
        assert PRICE in [b["price"] for b in other["bids"]]


def _pk(gid: str) -> int:
    import base64

    return int(base64.urlsafe_b64decode(gid + "=" * (-len(gid) % 4)).decode().split(":")[1])


__all__ = ["global_id"]


async def test_a_document_changed_in_the_store_after_submission_invalidates_its_bid(api, state):
    """The opening decrypts every document and checks it against the hash the receipt covers."""
    with clock_kept(state):
        p = await published(api, state, "rfq")
        payloads = [
            await bid_ok(api, s, p.tender["id"], price) for s, price in zip(p.suppliers, ["8800.00", "8500.00", "8700.00"], strict=True)
        ]
        victim = _pk(payloads[1]["bid"]["id"])
        async with state.db.read() as session:
            key = (await session.execute(text(f"SELECT storage_key FROM bid_files WHERE bid_id = {victim}"))).scalar_one()
        path = state.storage._path(key)
        blob = bytearray(path.read_bytes())
        blob[-1] ^= 0x01
        path.write_bytes(bytes(blob))
        t = (await open_tender(api, state, p))["tender"]
        changed = next(b for b in t["bids"] if b["id"] == payloads[1]["bid"]["id"])
        assert changed["disqualificationCode"] == "DOCUMENT_MISMATCH" and changed["receiptVerified"] is not True
        assert changed["disqualificationReason"] == "投标文件与投标回执不符（存储后被改动），投标无效。"
        assert changed["status"] == "DISQUALIFIED"
        # Two valid bids remain, fewer than the three an rfq needs.
        assert t["status"] == "FAILED" and t["numberOfTenderers"] == 2
