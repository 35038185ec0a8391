"""Rotating the field-encryption key: values sealed under an old key id are re-encrypted."""

from __future__ import annotations

import base64
import json
import os

from conftest import make_settings
from sqlalchemy import text

from app.state import AppState
from resolvers.accounts.service import phone_context
from resolvers.core.context import SYSTEM_ACTOR, RequestMeta
from resolvers.core.transaction import unit_of_work
from resolvers.security.keys import reencrypt_all


async def _raw_phone(state, username: str) -> str:
    async with state.db.read() as session:
        return (await session.execute(text("SELECT phone FROM users WHERE username = :u"), {"u": username})).scalar_one()


async def _user_id(state, username: str) -> int:
    async with state.db.read() as session:
        return (await session.execute(text("SELECT id FROM users WHERE username = :u"), {"u": username})).scalar_one()


async def _rotate(state) -> dict[str, int]:
    async with unit_of_work(state, "test.reencrypt", SYSTEM_ACTOR, RequestMeta(request_id="rotate")) as uow:
        return await reencrypt_all(uow)


async def test_reencrypt_moves_every_value_to_the_active_key(state, database_url, api):
    old_id = state.settings.data_key_id
    old_key = base64.b64encode(state.settings.key_ring[old_id]).decode()
    new_key = base64.b64encode(os.urandom(32)).decode()
    before = await _raw_phone(state, "owner")
    assert before.startswith(f"v1:{old_id}:")

    rotated = AppState.create(make_settings(database_url, data_keys=json.dumps({old_id: old_key, "k2": new_key}), data_key_id="k2"))
    restored = AppState.create(make_settings(database_url, data_keys=json.dumps({old_id: old_key, "k2": new_key}), data_key_id=old_id))
    try:
        counts = await _rotate(rotated)
        assert counts["users.phone"] >= 15 and counts["organisations.bank_account_number"] >= 5
        assert counts["payment_requests.payer_account"] >= 1 and counts["payment_requests.payee_account"] >= 1  # the demo's paid advance
        after = await _raw_phone(state, "owner")
        assert after.startswith("v1:k2:") and after != before
        assert rotated.cipher.decrypt(after, phone_context(await _user_id(state, "owner"))) == "13800000003"
        # A second run finds nothing left to do.
        # Webhook secrets, tenders' sealing keys and bidders' own copies are sealed too, and rotate with the rest.
        assert await _rotate(rotated) == {
            "users.phone": 0,
            "organisations.bank_account_number": 0,
            "webhook_subscriptions.secret": 0,
            "tenders.sealing_private_key": 0,
            "bids.own_copy": 0,
            "bids.final_own_copy": 0,
            "signing_keys.private_key": 0,
            "payment_requests.payer_account": 0,
            "payment_requests.payee_account": 0,
        }
    finally:
        # Back to the key the shared test database's other users expect.
        await _rotate(restored)
        await rotated.close()
        await restored.close()
    assert (await _raw_phone(state, "owner")).startswith(f"v1:{old_id}:")
    token = await api.token("owner")
    data = await api.ok("{ viewer { user { phone } } }", token=token)
    assert data["viewer"]["user"]["phone"] == "13800000003"
