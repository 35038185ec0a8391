"""Electronic signatures (电子签章) of contracts: the organisations' signing keys, signing a
version's content hash, verifying every signature, and the bundle that verifies offline.

Each party signs the 32-byte SHA-256 of a version's canonical content with its
organisation's active key (``resolvers.security.signing``: Ed25519, or SM2 with SM3). A key
held by the server signs here, its private half unsealed from the data key for that moment
only; an organisation that signs on its own device registers its public key and uploads the
signature, which is verified before it is recorded. The version comes into force when every
party has a standing signature over the same hash.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from models.accounts import Organisation
from models.contracts import Contract, ContractSignature, ContractVersion, SigningKey
from resolvers.contracts import bundle as bundles
from resolvers.contracts import content as cc
from resolvers.contracts import events
from resolvers.contracts.service import (
    come_into_force,
    content_of,
    get_contract,
    open_version,
    parties_of,
    party_of,
    sha256_of,
)
from resolvers.core.context import UnitOfWork
from resolvers.core.errors import Forbidden, NotFound, Problem, UserErrors
from resolvers.core.i18n import Label
from resolvers.security import signing

PARTY_ROLE_NAMES = ("owner_staff", "contractor", "supervisor")


# -- keys ---------------------------------------------------------------------------------------


def _require_signer(uow: UnitOfWork):
    """Keys are kept by the people who sign for their organisation."""
    actor = uow.require_actor()
    if actor.kind != "user" or not actor.roles & set(PARTY_ROLE_NAMES):
        raise Forbidden("NOT_A_SIGNER", operation=uow.operation)
    return actor


def _key_context(key: SigningKey) -> str:
    return f"signing_keys.private_key:{key.id}"


async def _replace_active(uow: UnitOfWork, organisation_id: int) -> SigningKey | None:
    stmt = select(SigningKey).where(SigningKey.active_for_organisation == organisation_id).with_for_update()
    previous = (await uow.session.execute(stmt)).scalar_one_or_none()
    if previous is not None:
        previous.active_for_organisation, previous.revoked_at = None, uow.now
        await uow.session.flush()
    return previous


async def _add_key(uow: UnitOfWork, algorithm: str, custody: str, public_key: bytes, private_key: bytes | None) -> SigningKey:
    actor = uow.require_actor()
    kid = signing.key_id(algorithm, public_key)
    taken = (await uow.session.execute(select(SigningKey.id).where(SigningKey.key_id == kid))).scalar_one_or_none()
    if taken is not None:
        raise UserErrors(Problem("KEY_ALREADY_REGISTERED", "publicKey"))
    previous = await _replace_active(uow, actor.organisation_id)
    key = SigningKey(
        organisation_id=actor.organisation_id,
        active_for_organisation=actor.organisation_id,
        algorithm=algorithm,
        custody=custody,
        key_id=kid,
        public_key=signing.encode(public_key),
        created_by_id=actor.id,
        created_at=uow.now,
    )
    uow.session.add(key)
    await uow.session.flush()
    if private_key is not None:
        key.private_key = uow.cipher.encrypt(signing.encode(private_key), _key_context(key))
    await uow.session.flush()
    uow.audit(
        "SigningKey",
        key.id,
        {"algorithm": algorithm, "custody": custody, "key_id": kid, "replaces": previous.key_id if previous else None},
        region_code=actor.region_code,
    )
    return key


async def create_signing_key(uow: UnitOfWork, algorithm: str) -> SigningKey:
    """A new key held by the server for the actor's organisation, in the algorithm the
    organisation chooses; it replaces the organisation's active key."""
    _require_signer(uow)
    if algorithm not in signing.ALGORITHMS:
        raise UserErrors(Problem("INVALID_ALGORITHM", "algorithm"))
    pair = signing.generate_key(algorithm)
    return await _add_key(uow, algorithm, "server", pair.public_key, pair.private_key)


async def register_signing_key(uow: UnitOfWork, algorithm: str, public_key: str | None) -> SigningKey:
    """Register the public key of a key the organisation keeps on its own device."""
    _require_signer(uow)
    if algorithm not in signing.ALGORITHMS:
        raise UserErrors(Problem("INVALID_ALGORITHM", "algorithm"))
    if not public_key or len(public_key) > 2000:
        raise UserErrors(Problem("INVALID_PUBLIC_KEY", "publicKey", {"reason": Label("KeyFormatProblem", "encoding")}))
    try:
        raw = signing.parse_public_key(algorithm, public_key)
    except signing.SignatureFormatError as exc:
        raise UserErrors(Problem("INVALID_PUBLIC_KEY", "publicKey", {"reason": Label("KeyFormatProblem", exc.reason)})) from None
    return await _add_key(uow, algorithm, "device", raw, None)


async def revoke_signing_key(uow: UnitOfWork, key_id: int) -> SigningKey:
    """Stop using a key. Signatures made with it stay valid: each keeps its public key."""
    actor = _require_signer(uow)
    key = (await uow.session.execute(select(SigningKey).where(SigningKey.id == key_id).with_for_update())).scalar_one_or_none()
    if key is None or key.organisation_id != actor.organisation_id:
        raise NotFound()
    if key.revoked_at is not None:
        raise UserErrors(Problem("KEY_REVOKED", None))
    key.active_for_organisation, key.revoked_at = None, uow.now
    await uow.session.flush()
    uow.audit("SigningKey", key.id, {"revoked": key.key_id}, region_code=actor.region_code)
    return key


# -- signing ------------------------------------------------------------------------------------


async def sign_contract(uow: UnitOfWork, contract_id: int, content_sha256: str | None, signature: str | None) -> Contract:
    """Sign the version waiting for signatures, for the party the actor acts for.
    ``content_sha256`` is the hash the signer reviewed: if the content changed since, nothing
    is signed. With a server-held key the server signs; with a device key ``signature`` is
    the device's signature over the hash, checked before it is recorded."""
    contract = await get_contract(uow, contract_id, lock=True)
    actor = uow.require_actor()
    party = party_of(actor, contract)
    if party is None:
        raise Forbidden("NOT_A_PARTY", operation=uow.operation)
    version = await open_version(uow, contract)
    if version is None or version.status != "pending_signature":
        raise UserErrors(Problem("NOTHING_TO_SIGN", None))
    if (content_sha256 or "").lower() != version.content_sha256:
        raise UserErrors(Problem("CONTENT_CHANGED", "contentSha256", {"current": version.content_sha256}))
    standing = (
        await uow.session.execute(select(ContractSignature).where(ContractSignature.standing == f"{version.id}:{party}"))
    ).scalar_one_or_none()
    if standing is not None:
        raise UserErrors(Problem("ALREADY_SIGNED", None))
    organisation_id = parties_of(contract)[party]
    key = (await uow.session.execute(select(SigningKey).where(SigningKey.active_for_organisation == organisation_id))).scalar_one_or_none()
    if key is None:
        raise UserErrors(Problem("NO_SIGNING_KEY", None))
    digest = bytes.fromhex(version.content_sha256)
    if key.custody == "server":
        if signature:
            raise UserErrors(Problem("SIGNATURE_NOT_EXPECTED", "signature"))
        assert key.private_key is not None
        private = base64.b64decode(uow.cipher.decrypt(key.private_key, _key_context(key)))
        value = signing.sign(key.algorithm, private, digest)
    else:
        if not signature:
            raise UserErrors(Problem("SIGNATURE_REQUIRED", "signature"))
        try:
            value = signing.parse_signature(key.algorithm, signature[:2000])
        except signing.SignatureFormatError as exc:
            raise UserErrors(Problem("INVALID_SIGNATURE_FORMAT", "signature", {"reason": Label("KeyFormatProblem", exc.reason)})) from None
        if not signing.verify(key.algorithm, base64.b64decode(key.public_key), digest, value):
            raise UserErrors(Problem("SIGNATURE_INVALID", "signature"))
    row = ContractSignature(
        contract_id=contract.id,
        version_id=version.id,
        standing=f"{version.id}:{party}",
        party=party,
        organisation_id=organisation_id,
        signer_id=actor.id,
        signer_name=actor.display_name,
        signing_key_id=key.id,
        key_id=key.key_id,
        algorithm=key.algorithm,
        public_key=key.public_key,
        content_sha256=version.content_sha256,
        value=signing.encode(value),
        signed_at=uow.now,
    )
    uow.session.add(row)
    contract.updated_at = uow.now
    await uow.session.flush()
    uow.audit(
        "Contract",
        contract.id,
        {"signed": party, "version": version.number, "content_sha256": version.content_sha256, "key_id": key.key_id},
        region_code=contract.region_code,
    )
    signed = set(
        (
            await uow.session.execute(
                select(ContractSignature.party).where(ContractSignature.version_id == version.id, ContractSignature.standing.is_not(None))
            )
        ).scalars()
    )
    waiting = [p for p in parties_of(contract) if p not in signed]
    await events.signed(uow, contract, version, party, waiting)
    if not waiting:
        await come_into_force(uow, contract, version)
    await uow.session.flush()
    return contract


# -- verification -------------------------------------------------------------------------------


@dataclass
class SignatureCheck:
    signature: ContractSignature
    hash_matches: bool
    valid: bool


@dataclass
class VersionCheck:
    version: ContractVersion
    recomputed_sha256: str
    stored_matches: bool
    # Whether the contract's rows still say what this version says (the version in force,
    # or the draft being signed); None for versions the rows no longer hold.
    rows_match: bool | None
    signatures: list[SignatureCheck] = field(default_factory=list)
    missing_parties: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.stored_matches and self.rows_match is not False and all(s.valid for s in self.signatures)


@dataclass
class Verification:
    contract: Contract
    checked_at: datetime
    versions: list[VersionCheck]

    @property
    def valid(self) -> bool:
        return all(v.valid for v in self.versions)


def _check_signature(s: ContractSignature, digest_hex: str) -> SignatureCheck:
    hash_matches = s.content_sha256 == digest_hex
    try:
        public = base64.b64decode(s.public_key, validate=True)
        value = base64.b64decode(s.value, validate=True)
    except ValueError:
        return SignatureCheck(s, hash_matches, False)
    ok = (
        hash_matches
        and signing.key_id(s.algorithm, public) == s.key_id
        and signing.verify(s.algorithm, public, bytes.fromhex(digest_hex), value)
    )
    return SignatureCheck(s, hash_matches, ok)


async def verify_contract(uow: UnitOfWork, contract_id: int) -> Verification:
    """Recompute every version's hash from its stored content, check the version in force
    (or the one being signed) against the contract's rows, and verify every standing
    signature over the recomputed hash with the public key it was made with."""
    contract = await get_contract(uow, contract_id)
    versions = list(
        (
            await uow.session.execute(
                select(ContractVersion)
                .where(ContractVersion.contract_id == contract.id, ContractVersion.status != "withdrawn")
                .order_by(ContractVersion.number)
            )
        ).scalars()
    )
    signatures = list(
        (
            await uow.session.execute(
                select(ContractSignature)
                .where(ContractSignature.contract_id == contract.id, ContractSignature.voided_at.is_(None))
                .order_by(ContractSignature.id)
            )
        ).scalars()
    )
    parties = list(parties_of(contract))
    checks = []
    for version in versions:
        try:
            stored = json.loads(version.content)
            recomputed = sha256_of(stored)[1]
            named = [cc.Party(p["role"], 0, p["name"], p["creditCode"]) for p in stored["parties"]]
        except (ValueError, KeyError, TypeError):
            recomputed, named = "", None
        rows_match = None
        holds_rows = (version.kind == "original" and version.status in ("draft", "pending_signature")) or version.status == "active"
        if holds_rows:
            rows = await content_of(uow, contract, version.number, named)
            rows_match = sha256_of(cc.canonical(rows))[1] == recomputed
        own = [_check_signature(s, recomputed) for s in signatures if s.version_id == version.id]
        signed = {c.signature.party for c in own}
        missing = [p for p in parties if p not in signed] if version.status in ("active", "superseded") else []
        check = VersionCheck(version, recomputed, recomputed == version.content_sha256, rows_match, own, missing)
        checks.append(check)
    return Verification(contract, uow.now, checks)


async def bundle_of(uow: UnitOfWork, contract_id: int, number: int | None = None) -> dict[str, Any]:
    """The version in force (or the latest) with its standing signatures and their public
    keys, as a bundle ``smallworks verify-contract`` checks without this service."""
    contract = await get_contract(uow, contract_id)
    wanted = number or contract.effective_version or contract.latest_version
    version = (
        await uow.session.execute(
            select(ContractVersion).where(ContractVersion.contract_id == contract.id, ContractVersion.number == wanted)
        )
    ).scalar_one_or_none()
    if version is None:
        raise NotFound()
    rows = (
        await uow.session.execute(
            select(ContractSignature, Organisation.name, Organisation.uscc)
            .join(Organisation, Organisation.id == ContractSignature.organisation_id)
            .where(ContractSignature.version_id == version.id, ContractSignature.voided_at.is_(None))
            .order_by(ContractSignature.id)
        )
    ).all()
    entries = [
        {
            "party": s.party,
            "organisation": name,
            "creditCode": uscc,
            "signer": s.signer_name,
            "keyId": s.key_id,
            "algorithm": s.algorithm,
            "publicKey": s.public_key,
            "signedAt": s.signed_at.isoformat(),
            "value": s.value,
        }
        for s, name, uscc in rows
    ]
    return bundles.build_bundle(json.loads(version.content), entries)
