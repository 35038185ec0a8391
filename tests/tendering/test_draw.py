"""The committee draw: the seed is bound by its commitment, the receipts steer the order, and
the published algorithm recomputed from scratch gives the same committee."""

from __future__ import annotations

import hashlib
import hmac
import random

import pytest

from resolvers.tendering.draw import (
    ALGORITHM,
    ALGORITHM_TEXT,
    Draw,
    PoolTooSmall,
    commitment_of,
    draw_committee,
    draw_key,
    new_seed,
    seed_matches,
    seeded_order,
    validate_committee_size,
)

pytestmark = pytest.mark.once

SEED = "5f0c2a9e7b1d43c8a6e2f09b8d7c1a3e4b5f6a7c8d9e0f1a2b3c4d5e6f7a8b9c"
RECEIPTS = [hashlib.sha256(f"bid {n}".encode()).hexdigest() for n in (1, 2, 3)]
POOL = list(range(101, 116))


def independent_draw(seed: str, receipts: list[str], pool: list[int], size: int, declined=(), recused=()) -> tuple[list[int], list[int]]:
    """ALGORITHM_TEXT implemented again with hashlib and hmac only."""
    message = "smallworks-draw-v1\n" + seed + "\n" + "\n".join(sorted(receipts))
    key = hashlib.sha256(message.encode("utf-8")).digest()
    ranked = sorted((hmac.new(key, str(uid).encode("utf-8"), hashlib.sha256).hexdigest(), uid) for uid in pool)
    order = [uid for _, uid in ranked]
    committee = [uid for uid in order if uid not in declined and uid not in recused][:size]
    return order, committee


def test_a_revealed_seed_matches_its_commitment():
    seed = new_seed()
    assert len(seed) == 64 and int(seed, 16) >= 0
    assert new_seed() != seed
    commitment = commitment_of(seed)
    assert commitment == hashlib.sha256(seed.encode()).hexdigest()
    assert seed_matches(seed, commitment)
    assert seed_matches(seed, commitment.upper())
    assert seed_matches("种子 chosen by hand", commitment_of("种子 chosen by hand"))


@pytest.mark.parametrize(
    "seed, commitment",
    [
        (SEED[:-1] + "d", commitment_of(SEED)),
        (SEED, commitment_of(SEED)[:-1]),
        (SEED, commitment_of(SEED) + "0"),
        (SEED, "z" * 64),
        (SEED, ""),
        (SEED, "é" * 64),
        ("\ud800", commitment_of("x")),
        (None, commitment_of(SEED)),
        (SEED, None),
    ],
    ids=["other-seed", "short", "long", "not-hex", "empty", "non-ascii", "surrogate", "seed-none", "commitment-none"],
)
def test_a_seed_that_does_not_match_or_malformed_input_is_refused(seed, commitment):
    assert seed_matches(seed, commitment) is False


def test_the_draw_recomputed_independently_gives_the_same_committee():
    drawn = draw_committee(SEED, RECEIPTS, POOL, 5)
    order, committee = independent_draw(SEED, RECEIPTS, POOL, 5)
    assert drawn == Draw(order=order, committee=committee, skipped=[])
    assert sorted(drawn.order) == POOL
    assert drawn.committee == drawn.order[:5]
    assert draw_key(SEED, RECEIPTS) == hashlib.sha256(f"{ALGORITHM}\n{SEED}\n{chr(10).join(sorted(RECEIPTS))}".encode()).digest()


def test_the_draw_without_bids_ends_the_key_text_with_the_seed_line():
    assert draw_key(SEED, []) == hashlib.sha256(f"smallworks-draw-v1\n{SEED}\n".encode()).digest()
    assert seeded_order(SEED, [], POOL) == independent_draw(SEED, [], POOL, 3)[0]


def test_the_order_changes_when_a_receipt_changes():
    changed = [*RECEIPTS[:2], hashlib.sha256(b"bid 3, price changed").hexdigest()]
    assert seeded_order(SEED, changed, POOL) != seeded_order(SEED, RECEIPTS, POOL)
    assert seeded_order(SEED, RECEIPTS[:2], POOL) != seeded_order(SEED, RECEIPTS, POOL)
    assert seeded_order(new_seed(), RECEIPTS, POOL) != seeded_order(SEED, RECEIPTS, POOL)


def test_the_order_does_not_depend_on_the_input_order():
    shuffled_pool = POOL[:]
    random.Random(7).shuffle(shuffled_pool)
    expected = seeded_order(SEED, RECEIPTS, POOL)
    assert seeded_order(SEED, list(reversed(RECEIPTS)), shuffled_pool) == expected
    assert seeded_order(SEED, iter(RECEIPTS), iter(shuffled_pool)) == expected
    assert seeded_order(SEED, RECEIPTS, POOL + POOL[:3]) == expected


def test_declined_and_recused_members_are_replaced_by_the_next_in_order_and_reported():
    order = seeded_order(SEED, RECEIPTS, POOL)
    declined = {order[0], order[4]}
    recused = {order[2], order[4], order[14]}
    drawn = draw_committee(SEED, RECEIPTS, POOL, 3, declined=declined, recused=recused)
    assert drawn.order == order
    assert drawn.committee == [order[1], order[3], order[5]]
    # Only those passed over on the way are reported; order[14] was never reached.
    assert drawn.skipped == [(order[0], "declined"), (order[2], "recused"), (order[4], "recused")]
    assert drawn.committee == independent_draw(SEED, RECEIPTS, POOL, 3, declined, recused)[1]


def test_a_pool_too_small_after_declines_is_refused():
    with pytest.raises(PoolTooSmall) as raised:
        draw_committee(SEED, RECEIPTS, [1, 2, 3, 4], 3, declined=[1], recused=[2, 9])
    assert (raised.value.needed, raised.value.available) == (3, 2)
    with pytest.raises(PoolTooSmall) as raised:
        draw_committee(SEED, RECEIPTS, [], 3)
    assert (raised.value.needed, raised.value.available) == (3, 0)
    assert draw_committee(SEED, RECEIPTS, [1, 2, 3, 4], 3, declined=[1]).committee == seeded_order(SEED, RECEIPTS, [2, 3, 4])


def test_a_committee_has_at_least_one_member():
    with pytest.raises(ValueError):
        draw_committee(SEED, RECEIPTS, POOL, 0)


@pytest.mark.parametrize(
    "size, minimum, code",
    [
        (3, 3, None),
        (5, 3, None),
        (7, 5, None),
        (1, 3, "COMMITTEE_TOO_SMALL"),
        (2, 3, "COMMITTEE_TOO_SMALL"),
        (0, 3, "COMMITTEE_TOO_SMALL"),
        (4, 3, "COMMITTEE_NOT_ODD"),
        (6, 3, "COMMITTEE_NOT_ODD"),
        (3, 5, "COMMITTEE_TOO_SMALL"),
    ],
)
def test_committee_size_codes(size, minimum, code):
    assert validate_committee_size(size, minimum) == code


def test_the_algorithm_text_names_every_constant_it_uses():
    assert ALGORITHM == "smallworks-draw-v1"
    for needle in (ALGORITHM, "SHA-256", "HMAC-SHA256", "UTF-8", "ascending", "sorted", "declined", "recused", "评标委员会", "回避"):
        assert needle in ALGORITHM_TEXT
