"""How OCDS 1.1.5 names an organisation: its 统一社会信用代码 under org-id.guide's scheme for it,
``CN-USCI`` (Unified Social Credit Identifier), and the party id made of the two, as the
standard's organisation identifier guidance recommends (``{scheme}-{id}``)."""

from __future__ import annotations

SCHEME = "CN-USCI"


def party_id(uscc: str) -> str:
    return f"{SCHEME}-{uscc}"
