"""Another contractor, another owner and another county see nothing of a procurement they
take no part in, through lists, node, nodes, nested fields and downloads, and their
mutations are refused without confirming that the object exists. A page of tenders with
their bids, committee, sheets and documents costs the same number of statements whatever
its size."""

from __future__ import annotations

from conftest import count_statements
from factories import new_owner, people_elsewhere
from flows import (
    bid_ok,
    clock_kept,
    committee_usernames,
    evaluate,
    new_supplier,
    open_tender,
    published,
    tender,
)

NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
TENDERS = "query($first: Int) { tenders(first: $first) { nodes { id } } }"
CANCEL = "mutation($input: CancelTenderInput!) { cancelTender(input: $input) { tender { id } errors { code } } }"
OBJECT = "mutation($input: FileObjectionInput!) { fileObjection(input: $input) { objection { id } errors { code } } }"
PAGE = """query($first: Int) { tenders(first: $first) { nodes { id code status bidCount
  bids { id price rank receiptVerified bidderName content { documents { filename sha256 downloadUrl } } receipts { contentHash } }
  committee { expertName status } evaluationSheets { expertName qualified scores { criterion score } }
  project { code } ocds { procurementMethod } } } }"""


async def test_outsiders_see_nothing_and_their_changes_are_refused_as_not_found(api, state):
    with clock_kept(state):
        p = await published(api, state, "rfq")
        bids = [
            await bid_ok(api, s, p.tender["id"], price) for s, price in zip(p.suppliers, ["8800.00", "8500.00", "8700.00"], strict=True)
        ]
        bid_ids = [b["bid"]["id"] for b in bids]
        outsider = await new_supplier(api)  # a contractor of the same county, not invited
        other_owner = await new_owner(api, allocation=None)
        elsewhere = await people_elsewhere(state)
        far = await api.password_token((await _username(state, elsewhere["user"])), "smallworks-demo")
        tokens = {"other contractor": outsider.token, "other owner": other_owner.staff.token, "other county": far["access_token"]}
        for who, token in tokens.items():
            assert await tender(api, token, p.tender["id"]) is None, who
            listed = await api.gql(TENDERS, {"first": 50}, token=token)
            assert p.tender["id"] not in str(listed), who
            nodes = await api.gql(NODES, {"ids": [p.tender["id"], *bid_ids]}, token=token)
            assert all(n is None for n in (nodes.get("data") or {}).get("nodes") or [None]), who
            refused = await api.gql(CANCEL, {"input": {"id": p.tender["id"], "reason": "试探"}}, token=token)
            assert _code(refused) in ("NOT_FOUND", "FORBIDDEN"), (who, refused)
            # A missing tender answers exactly the same way: nothing is confirmed.
            missing = await api.gql(CANCEL, {"input": {"id": "VGVuZGVyOjk5OTk5OTk", "reason": "试探"}}, token=token)
            assert _code(missing) == _code(refused), who

        t = (await open_tender(api, state, p))["tender"]
        # After opening, the outsiders still see nothing; the bidders see the opening record.
        for who, token in tokens.items():
            assert await tender(api, token, p.tender["id"]) is None, who
        assert len((await tender(api, p.suppliers[0].token, p.tender["id"]))["bids"]) == 3
        # The committee stays hidden from bidders until the award publicity.
        assert (await tender(api, p.suppliers[0].token, p.tender["id"]))["committee"] == []
        assert (await tender(api, p.suppliers[0].token, p.tender["id"]))["draw"]["seed"] is None
        refused = await api.gql(OBJECT, {"input": {"tenderId": t["id"], "text": "质疑"}}, token=outsider.token)
        assert _code(refused) in ("NOT_FOUND", "FORBIDDEN")
        # The opened documents download for the buyer, never for an outsider.
        detail = await api.ok(
            "query($id: ID!) { tender(id: $id) { bids { content { documents { downloadUrl } } } } }",
            {"id": t["id"]},
            token=p.owner.staff.token,
        )
        link = detail["tender"]["bids"][0]["content"]["documents"][0]["downloadUrl"]
        assert (await api.client.get(link)).status_code == 200
        response = await api.client.get(link.split("?")[0], headers={"Authorization": f"Bearer {outsider.token}"})
        assert response.status_code == 404


def _code(body: dict) -> str | None:
    errors = body.get("errors") or []
    if errors:
        return errors[0]["extensions"]["code"]
    payload = next(iter((body.get("data") or {}).values()), None) or {}
    return (payload.get("errors") or [{}])[0].get("code")


async def _username(state, user_gid: str) -> str:
    import base64

    from sqlalchemy import select

    from models.accounts import User

    pk = int(base64.urlsafe_b64decode(user_gid + "=" * (-len(user_gid) % 4)).decode().split(":")[1])
    async with state.db.read() as session:
        return (await session.execute(select(User.username).where(User.id == pk))).scalar_one()


async def test_a_page_of_tenders_costs_the_same_statements_whatever_its_size(api, state):
    token = await api.token("auditor")  # signed in before the clock moves
    with clock_kept(state):
        procurements = []
        for _ in range(3):
            p = await published(api, state, "rfq")
            for s, price in zip(p.suppliers, ["8800.00", "8500.00", "8700.00"], strict=True):
                await bid_ok(api, s, p.tender["id"], price)
            procurements.append(p)
        for p in procurements:
            t = (await open_tender(api, state, p))["tender"]
            for username in committee_usernames(t):
                await evaluate(api, username, t, {b["id"]: (True, {}) for b in t["bids"]})
        counts = []
        await api.ok(PAGE, {"first": 1}, token=token)  # the caller is looked up once, then cached
        for first in (2, 3):
            with count_statements(state) as statements:
                data = await api.ok(PAGE, {"first": first}, token=token)
            assert len(data["tenders"]["nodes"]) == first
            counts.append(len(statements))
        assert counts[0] == counts[1], counts


async def test_an_integrators_system_reads_what_participants_may_read_and_no_more(api, state):
    """A third party's read-only client sees opened tenders of its region, never the
    committee, the sheets, the invitations or the signals, and writes nothing."""
    import base64

    from conftest import unique as fresh

    admin = await api.token("admin")
    organisation = (await api.ok("query { viewer { organisation { id } } }", token=await api.token("reviewer")))["viewer"]["organisation"][
        "id"
    ]
    created = await api.ok(
        "mutation($name: String!, $org: ID!) { createApiClient(input: {name: $name, organisationId: $org}) { apiClient { clientId } clientSecret errors { code } } }",
        {"name": fresh("接口"), "org": organisation},
        token=admin,
    )
    client_id, secret = created["createApiClient"]["apiClient"]["clientId"], created["createApiClient"]["clientSecret"]
    basic = "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    token = (await api.client.post("/auth/token", data={"grant_type": "client_credentials"}, headers={"Authorization": basic})).json()[
        "access_token"
    ]
    with clock_kept(state):
        p = await published(api, state, "rfq")
        for s, price in zip(p.suppliers, ["8800.00", "8500.00", "8700.00"], strict=True):
            await bid_ok(api, s, p.tender["id"], price)
        await open_tender(api, state, p)
        seen = await api.ok(
            "query($id: ID!) { tender(id: $id) { status bids { price } committee { expertName } invitations { invitedAt } signals { bids } } }",
            {"id": p.tender["id"]},
            token=token,
        )
        t = seen["tender"]
        assert t["status"] == "OPENED" and len(t["bids"]) == 3
        assert t["committee"] == [] and t["invitations"] == [] and t["signals"] is None
        # An API client whose id happens to be a member's user id is still not that member.
        from factories import pk_of
        from sqlalchemy import select

        from models.tendering import CommitteeMember, EvaluationSheet
        from policies.scope.tendering import committee_members, evaluation_sheets
        from resolvers.core.context import Actor

        tender_pk = pk_of(p.tender["id"])
        async with state.db.read() as session:
            member = (
                (
                    await session.execute(
                        select(CommitteeMember.user_id).where(CommitteeMember.tender_id == tender_pk, CommitteeMember.status == "drawn")
                    )
                )
                .scalars()
                .first()
            )
            client = Actor("client", member, "client:x", 1, "platform", "320583", frozenset({"integrator"}), scopes=frozenset({"read"}))
            seats = select(CommitteeMember.id).where(CommitteeMember.tender_id == tender_pk, committee_members(client))
            sheets = select(EvaluationSheet.id).where(EvaluationSheet.tender_id == tender_pk, evaluation_sheets(client))
            assert (await session.execute(seats)).first() is None and (await session.execute(sheets)).first() is None
        refused = await api.gql(
            "mutation($i: CancelTenderInput!) { cancelTender(input: $i) { errors { code } } }",
            {"i": {"id": p.tender["id"], "reason": "x"}},
            token=token,
        )
        assert refused["errors"][0]["extensions"]["code"] in ("FORBIDDEN", "READ_ONLY_CLIENT")
