"""What signing and verifying contracts cost, per algorithm, without a database.

    .venv/bin/python bench/contract_signatures.py [--clauses 60] [--repeat 200]

For a contract of N clauses (60 by default, about what a works contract holds) with 4
milestones and 4 payment terms: serialising its canonical content and hashing it (what every
edit and every verification does), then signing and verifying the 32-byte digest with each
algorithm (Ed25519 through ``cryptography``; SM2 with SM3 through ``gmalg``, pure Python), and
verifying a three-party bundle offline as ``smallworks verify-contract`` does. Prints the
median time of each step and what it means for ``verifyContract`` of a contract with one or
two versions.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def timed(fn, repeat: int) -> float:
    """Median seconds of ``fn()`` over ``repeat`` runs."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    from resolvers.contracts import bundle
    from resolvers.contracts import content as cc
    from resolvers.security import signing

    parser = argparse.ArgumentParser()
    parser.add_argument("--clauses", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()

    start = date(2027, 3, 1)
    content = cc.ContractContent(
        code="HT-2027-000001",
        number="ZSH-2027-001",
        title="周市镇村道提档升级工程",
        project_code="XM-2027-000001",
        tender_code="ZB-2027-000001",
        amount=Decimal("438215.37"),
        award_value=Decimal("438215.37"),
        amount_reason=None,
        works_start=start,
        works_end=start + timedelta(days=120),
        defect_liability_months=12,
        parties=[
            cc.Party("owner", 1, "昆山市周市镇人民政府", "11320583MB1234567X"),
            cc.Party("contractor", 2, "昆山市某某市政工程有限公司", "91320583MA1234567Y"),
            cc.Party("supervisor", 3, "苏州某某工程监理有限公司", "91320500MA7654321Z"),
        ],
        clauses=[cc.Clause("other", f"第{i}条", "本条款约定双方的权利义务。" * 20, {}) for i in range(1, args.clauses + 1)],
        milestones=[cc.Milestone(f"M{i}", f"节点{i}", start + timedelta(days=30 * i), Decimal("25")) for i in range(1, 5)],
        terms=cc.with_amounts(
            [
                cc.Term("预付款", Decimal("30"), "signing"),
                cc.Term("进度款", Decimal("40"), "milestone", "M2"),
                cc.Term("竣工结算款", Decimal("27"), "final_acceptance"),
                cc.Term("质保金", Decimal("3"), "retention"),
            ],
            Decimal("438215.37"),
        ),
    )
    data = cc.canonical(content)
    text = bundle.canonical_json(data)
    digest = bundle.content_digest(data)
    print(f"contract: {args.clauses} clauses, canonical JSON {len(text.encode()) / 1024:.1f} KiB")
    hashing = timed(lambda: bundle.content_digest(cc.canonical(content)), args.repeat)
    print(f"  serialise + SHA-256: {hashing * 1000:.2f} ms")

    keys = {}
    for algorithm in signing.ALGORITHMS:
        pair = signing.generate_key(algorithm)
        keys[algorithm] = pair
        value = signing.sign(algorithm, pair.private_key, digest)
        sign_s = timed(lambda a=algorithm, p=pair: signing.sign(a, p.private_key, digest), args.repeat // 4 or 1)
        verify_s = timed(lambda a=algorithm, p=pair, v=value: signing.verify(a, p.public_key, digest, v), args.repeat // 4 or 1)
        print(f"  {algorithm:<8} sign {sign_s * 1000:7.2f} ms   verify {verify_s * 1000:7.2f} ms")

    entries = []
    for party, algorithm in (("owner", "ed25519"), ("contractor", "sm2-sm3"), ("supervisor", "sm2-sm3")):
        pair = keys[algorithm]
        entries.append(
            {
                "party": party,
                "algorithm": algorithm,
                "keyId": signing.key_id(algorithm, pair.public_key),
                "publicKey": signing.encode(pair.public_key),
                "value": signing.encode(signing.sign(algorithm, pair.private_key, digest)),
            }
        )
    made = bundle.build_bundle(data, entries)
    assert bundle.verify_bundle(made).valid
    offline = timed(lambda: bundle.verify_bundle(made), args.repeat // 10 or 1)
    print(f"  three-party bundle (1 Ed25519, 2 SM2) verified offline: {offline * 1000:.1f} ms")
    print(
        f"verifyContract, CPU besides its queries: about {offline * 1000:.0f} ms for one version, "
        f"{2 * offline * 1000:.0f} ms for an original and one amendment"
    )


if __name__ == "__main__":
    main()
