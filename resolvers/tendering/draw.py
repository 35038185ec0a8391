"""The evaluation committee draw, verifiable by anyone after opening.

Before the bid deadline the owner commits to the SHA-256 of a secret seed and the pool of
eligible experts is snapshotted. At opening the owner reveals the seed, which must hash to the
commitment, so it cannot be changed once the bids are known. The draw key also mixes in the
bids' receipt hashes, which nobody knows when the seed is chosen, so the owner cannot pick a
seed that yields the committee it wants. Everything the draw uses is published afterwards, so
``ALGORITHM_TEXT`` is enough to recompute it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Collection, Iterable
from dataclasses import dataclass

ALGORITHM = "smallworks-draw-v1"

ALGORITHM_TEXT = f"""\
{ALGORITHM}: evaluation committee draw.
1. Before the bid deadline the owner publishes commitment = SHA-256(seed) in lower-case hex,
   where seed is a secret text it chose (UTF-8), and the pool of eligible experts (user ids)
   is fixed.
2. At opening the owner reveals seed; it is accepted only if SHA-256(seed) equals the commitment.
3. draw_key = SHA-256 of the UTF-8 bytes of
   "{ALGORITHM}" + "\\n" + seed + "\\n" + the bids' receipt hashes (lower-case hex), sorted
   as text in ascending order and joined with "\\n" (nothing after the last one; with no
   bids the text ends with seed + "\\n").
4. For each user id in the pool: rank = HMAC-SHA256(key = draw_key, message = the user id
   in decimal digits, UTF-8), as lower-case hex.
5. The seeded order is the pool sorted by rank ascending (as text; the user id breaks a tie).
6. Walking the seeded order, an expert who declined or is recused is skipped and reported
   with the reason ("recused" if both); the first `size` experts not skipped form the committee.

{ALGORITHM}：评标委员会随机抽取。
1. 投标截止前，采购人公布承诺值 commitment = SHA-256(seed)（小写十六进制），seed 为其自选的
   保密文本（UTF-8）；同时固定可抽取专家库（用户 ID）。
2. 开标时采购人公开 seed；仅当 SHA-256(seed) 等于承诺值时才被接受。
3. draw_key = 以下文本 UTF-8 字节的 SHA-256：
   "{ALGORITHM}" + "\\n" + seed + "\\n" + 各投标回执哈希（小写十六进制）按文本升序排列后以
   "\\n" 连接（末尾无换行；无投标时文本以 seed + "\\n" 结尾）。
4. 对专家库中每个用户 ID：rank = HMAC-SHA256（密钥 draw_key，消息为该用户 ID 的十进制数字，
   UTF-8），取小写十六进制。
5. 抽取顺序为专家库按 rank 升序排列（按文本比较；相同时按用户 ID）。
6. 按抽取顺序依次确定：已拒绝参加或需回避的专家跳过并记录原因（两者兼有时记为回避），
   前 size 名未被跳过的专家组成评标委员会。
"""

_HEX_SHA256 = re.compile(r"[0-9a-f]{64}")


class PoolTooSmall(Exception):
    """Fewer experts remain, after declines and recusals, than the committee needs."""

    def __init__(self, needed: int, available: int):
        super().__init__(f"the committee needs {needed} members, {available} are available")
        self.needed = needed
        self.available = available


@dataclass(frozen=True)
class Draw:
    """The whole seeded order (so anyone can check it), the committee drawn from it, and who
    was passed over on the way, with why (``"declined"`` or ``"recused"``)."""

    order: list[int]
    committee: list[int]
    skipped: list[tuple[int, str]]


def new_seed() -> str:
    """32 random bytes as hex: unguessable, so the commitment reveals nothing before opening."""
    return secrets.token_hex(32)


def commitment_of(seed: str) -> str:
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


def seed_matches(seed: str, commitment: str) -> bool:
    """Whether ``seed`` is the one committed to. Constant-time, so a wrong guess learns
    nothing from timing; anything malformed is simply not a match."""
    if not isinstance(seed, str) or not isinstance(commitment, str):
        return False
    commitment = commitment.lower()
    if not _HEX_SHA256.fullmatch(commitment):
        return False
    try:
        computed = commitment_of(seed)
    except UnicodeError:  # a lone surrogate has no UTF-8 form
        return False
    return hmac.compare_digest(computed, commitment)


def draw_key(seed: str, receipt_hashes: Iterable[str]) -> bytes:
    """The key every rank derives from: the seed mixed with the receipts, which nobody knew
    when the seed was chosen. Receipts are sorted, so the order they arrive in does not count."""
    text = f"{ALGORITHM}\n{seed}\n" + "\n".join(sorted(receipt_hashes))
    return hashlib.sha256(text.encode("utf-8")).digest()


def seeded_order(seed: str, receipt_hashes: Iterable[str], pool: Iterable[int]) -> list[int]:
    """The pool sorted by each member's HMAC rank: a permutation nobody could steer and anyone
    can recompute. Duplicates in ``pool`` count once; the input order does not count."""
    key = draw_key(seed, receipt_hashes)

    def rank(user_id: int) -> tuple[str, int]:
        return hmac.new(key, str(user_id).encode("utf-8"), "sha256").hexdigest(), user_id

    return sorted(set(pool), key=rank)


def draw_committee(
    seed: str,
    receipt_hashes: Iterable[str],
    pool: Iterable[int],
    size: int,
    *,
    declined: Collection[int] = (),
    recused: Collection[int] = (),
) -> Draw:
    """The first ``size`` members of the seeded order who neither declined nor are recused.
    A member both declined and recused is reported as recused, the reason that must be on
    record. Raises ``PoolTooSmall`` when fewer than ``size`` members remain."""
    if size < 1:
        raise ValueError(f"a committee has at least one member, not {size}")
    order = seeded_order(seed, receipt_hashes, pool)
    declined, recused = set(declined), set(recused)
    available = sum(1 for user_id in order if user_id not in declined and user_id not in recused)
    if available < size:
        raise PoolTooSmall(size, available)
    committee: list[int] = []
    skipped: list[tuple[int, str]] = []
    for user_id in order:
        if len(committee) == size:
            break
        if user_id in recused:
            skipped.append((user_id, "recused"))
        elif user_id in declined:
            skipped.append((user_id, "declined"))
        else:
            committee.append(user_id)
    return Draw(order=order, committee=committee, skipped=skipped)


def validate_committee_size(size: int, minimum: int = 3) -> str | None:
    """``None`` for an acceptable size, else the error code: committees have an odd number of
    members (so a vote cannot tie) and at least ``minimum``."""
    if size < minimum:
        return "COMMITTEE_TOO_SMALL"
    if size % 2 == 0:
        return "COMMITTEE_NOT_ODD"
    return None
