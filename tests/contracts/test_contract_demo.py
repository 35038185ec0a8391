"""The contracts demo data (``app/demo/contracts.py``), as the session's demo load left it and
as the demo users see it through GraphQL: the road contract in force, signed by all three
parties with each kind of key, and a second contract waiting for the contractor's
signature; and no private signing key in clear in the database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.demo.contracts import VERGE
from app.demo.tendering import DEMO_PROJECTS
from models.contracts import SigningKey

# Other tests move the clock and run the scheduled rules, which act on demo rows too: these run first.
pytestmark = pytest.mark.demo_state

CONTRACTS = """query { contracts(first: 20) { nodes { id code title status amount worksStart worksEnd defectLiabilityMonths
  availableActions
  parties { party organisationName hasSigned }
  clauses { kind defectLiabilityMonths standard dailyRatePercent capPercent }
  milestones { code plannedDate share }
  paymentTerms { name percentage amount trigger status dueOn milestone { code } }
  versions { number status signatures { party keyId algorithm isStanding } }
  project { status } } } }"""
VERIFY = "query($id: ID!) { verifyContract(id: $id) { valid versions { number valid signatures { party valid } } } }"
KEYS = "query { signingKeys(first: 10) { nodes { keyId algorithm custody isActive } } }"

ROAD = DEMO_PROJECTS["road"][0]
VERGE_TITLE = VERGE["verge"][0]


async def demo_contracts(api, username: str) -> dict[str, dict]:
    """The demo contracts ``username`` sees, by title."""
    nodes = (await api.ok(CONTRACTS, token=await api.token(username)))["contracts"]["nodes"]
    return {c["title"]: c for c in nodes if c["title"] in (ROAD, VERGE_TITLE)}


async def test_the_road_contract_is_in_force_signed_by_each_party_with_its_own_kind_of_key(api):
    road = (await demo_contracts(api, "owner"))[ROAD]
    # In force, and its works under way: the progress demo started the first milestone.
    assert road["status"] == "ACTIVE" and road["project"]["status"] == "IN_PROGRESS"
    assert [(p["party"], p["organisationName"]) for p in road["parties"]] == [
        ("OWNER", "昆山市周市镇人民政府"),
        ("CONTRACTOR", "昆山通达市政工程有限公司"),
        ("SUPERVISOR", "昆山正信工程监理有限公司"),
    ]
    # The clauses, milestones and payment schedule the demo drafts.
    assert [c["kind"] for c in road["clauses"]] == ["SCOPE", "PAYMENT_TERM", "ACCEPTANCE", "WARRANTY", "PENALTY"]
    assert road["clauses"][2]["standard"].startswith("CJJ 1-2008") and road["clauses"][3]["defectLiabilityMonths"] == 12
    assert road["defectLiabilityMonths"] == 12
    assert 2 <= len(road["milestones"]) <= 3
    assert all(road["worksStart"] <= m["plannedDate"] <= road["worksEnd"] for m in road["milestones"])
    terms = road["paymentTerms"]
    assert [(t["trigger"], t["percentage"]) for t in terms] == [
        ("SIGNING", "20.00"),
        ("SIGNING", "5.00"),
        ("SIGNING", "5.00"),
        ("MILESTONE", "40.00"),
        ("FINAL_ACCEPTANCE", "27.00"),
        ("RETENTION", "3.00"),
    ]
    assert terms[3]["milestone"] is not None and sum(Decimal(t["amount"]) for t in terms) == Decimal(road["amount"])
    assert all(t["dueOn"] is not None for t in terms[:3])
    assert [t["status"] for t in terms] == ["PAID", "DUE", "DUE"] + ["SCHEDULED"] * 3  # the advance is paid (app/demo/payments.py)

    # Three standing signatures: the owner's with its Ed25519 key and the supervisor's with
    # its SM2 key, both held by the service, and the contractor's made on its own device.
    (version,) = road["versions"]
    assert version["status"] == "ACTIVE"
    standing = {s["party"]: s for s in version["signatures"] if s["isStanding"]}
    assert len(version["signatures"]) == 3 and set(standing) == {"OWNER", "CONTRACTOR", "SUPERVISOR"}
    expected = {
        "owner": ("OWNER", "ED25519", "SERVER"),
        "contractor1": ("CONTRACTOR", "SM2_SM3", "DEVICE"),
        "supervisor": ("SUPERVISOR", "SM2_SM3", "SERVER"),
    }
    for username, (party, algorithm, custody) in expected.items():
        keys = (await api.ok(KEYS, token=await api.token(username)))["signingKeys"]["nodes"]
        key = next(k for k in keys if k["keyId"] == standing[party]["keyId"])
        assert (standing[party]["algorithm"], key["algorithm"], key["custody"], key["isActive"]) == (algorithm, algorithm, custody, True)

    verified = (await api.ok(VERIFY, {"id": road["id"]}, token=await api.token("owner")))["verifyContract"]
    assert verified["valid"] is True
    assert [(v["number"], v["valid"], [s["valid"] for s in v["signatures"]]) for v in verified["versions"]] == [(1, True, [True] * 3)]
    # The contractor and the supervisor see it too, with nothing left for them to do.
    for username in ("contractor1", "supervisor"):
        theirs = (await demo_contracts(api, username))[ROAD]
        assert theirs["status"] == "ACTIVE" and theirs["availableActions"] == []


async def test_the_second_contract_waits_for_the_contractor_after_the_owner_signed(api):
    owner_view = (await demo_contracts(api, "owner"))[VERGE_TITLE]
    assert owner_view["status"] == "PENDING_SIGNATURE" and owner_view["project"]["status"] == "TENDERING"
    assert [(p["party"], p["organisationName"], p["hasSigned"]) for p in owner_view["parties"]] == [
        ("OWNER", "昆山市周市镇人民政府", True),
        ("CONTRACTOR", "苏州绿园景观建设有限公司", False),
    ]
    assert "SIGN" not in owner_view["availableActions"]
    assert [t["status"] for t in owner_view["paymentTerms"]] == ["SCHEDULED"] * 6

    winner_view = (await demo_contracts(api, "contractor2"))[VERGE_TITLE]
    assert winner_view["availableActions"] == ["SIGN"]
    assert [p["hasSigned"] for p in winner_view["parties"]] == [True, False]
    # The bidders who lost the second award do not see its contract.
    assert VERGE_TITLE not in await demo_contracts(api, "contractor3")
    assert set(await demo_contracts(api, "contractor1")) == {ROAD}


async def test_no_private_signing_key_is_kept_in_clear(state):
    async with state.db.read() as session:
        keys = (await session.execute(select(SigningKey.custody, SigningKey.algorithm, SigningKey.private_key))).all()
    assert sorted((custody, algorithm) for custody, algorithm, _ in keys) == [
        ("device", "sm2-sm3"),
        ("server", "ed25519"),
        ("server", "sm2-sm3"),
    ]
    for custody, _algorithm, private_key in keys:
        if custody == "server":
            assert private_key is not None and private_key.startswith("v1:")  # sealed by the field cipher
        else:
            assert private_key is None  # the device keeps its own
