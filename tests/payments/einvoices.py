"""Test invoices: 数电票 XML files in the layout the tax bureau issues, hostile and broken
samples, and small helpers to take one element out of a good file or change its value.

The files are made here, never copied from real invoices: names, tax ids and numbers are
invented (``next_number`` gives a fresh 20-digit number per call, unique across the test
processes that run in parallel).
"""

from __future__ import annotations

import itertools
import os
import secrets
from datetime import date
from pathlib import Path
from xml.etree import ElementTree as ET

from app.demo.einvoices import CENT, DECLARATION, _serialise, construction_item, digital_invoice_xml, rmb_uppercase
from resolvers.payments.einvoice import InvoiceItem

# The generator itself is shared with the demo data; the tests use it from here.
__all__ = ["CENT", "DECLARATION", "InvoiceItem", "construction_item", "digital_invoice_xml", "next_number", "rmb_uppercase"]


# ---------------------------------------------------------------------------
# Numbers and money in words
# ---------------------------------------------------------------------------

_counter = itertools.count(1)


def next_number() -> str:
    """A fresh 20-digit invoice number: ``26`` (the year), this process's id and a counter,
    then random digits, so parallel test processes never make the same one."""
    return f"26{os.getpid() % 10**6:06d}{next(_counter) % 10**4:04d}{secrets.randbelow(10**8):08d}"


def _element(root: ET.Element, path: str) -> tuple[ET.Element, ET.Element]:
    """The element at ``path`` (``Section/Element`` as in the reader's errors, or longer;
    ``IssuItemInformation[2]/Amount`` for the second line) and its parent."""
    parents = {child: parent for parent in root.iter() for child in parent}
    found = root.find(".//" + path) if path != root.tag else root
    if found is None:
        raise KeyError(f"no element {path}")
    return found, parents.get(found, root)


def without(xml: bytes, path: str) -> bytes:
    """``xml`` with the element at ``path`` removed."""
    root = ET.fromstring(xml)
    element, parent = _element(root, path)
    parent.remove(element)
    return _serialise(root, pretty=False)


def replaced(xml: bytes, path: str, value: str) -> bytes:
    """``xml`` with the text of the element at ``path`` set to ``value`` (escaped as text)."""
    root = ET.fromstring(xml)
    element, _ = _element(root, path)
    element.text = value
    return _serialise(root, pretty=False)


# ---------------------------------------------------------------------------
# Hostile and broken samples
# ---------------------------------------------------------------------------


def _good(**overrides: object) -> bytes:
    fields: dict[str, object] = {
        "number": next_number(),
        "issued_on": date(2026, 3, 16),
        "seller_name": "测试建筑工程有限公司",
        "seller_tax_id": "91110105MA00000001",
        "buyer_name": "测试区住房和城乡建设委员会",
        "buyer_tax_id": "11110101000000000X",
        "pretty": True,
    }
    fields.update(overrides)
    return digital_invoice_xml(**fields)  # type: ignore[arg-type]


def _body_without_declaration() -> bytes:
    return _good().removeprefix(DECLARATION)


def billion_laughs() -> bytes:
    """Ten levels of entities, each ten of the one below: 10⁹ ``lol`` if expanded."""
    entities = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    doctype = "<!DOCTYPE EInvoice [\n" + "\n".join(entities) + "\n]>\n"
    body = _body_without_declaration().replace(b"<Drawer>", b"<Drawer>&lol9;", 1)
    return DECLARATION + doctype.encode() + body


def quadratic_blowup(size: int = 10_000) -> bytes:
    """One entity of ``size`` characters referred to ``size`` times (no nesting, so it slips
    past limits on entity depth): ``size``² characters if expanded."""
    doctype = f'<!DOCTYPE EInvoice [<!ENTITY a "{"a" * size}">]>\n'
    body = _body_without_declaration().replace(b"<Drawer>", b"<Drawer>" + b"&a;" * size, 1)
    return DECLARATION + doctype.encode() + body


def external_entity(path: str | Path = "/etc/passwd") -> bytes:
    """An external entity naming a file on the server, used as the seller's name (XXE)."""
    doctype = f'<!DOCTYPE EInvoice [<!ENTITY xxe SYSTEM "{Path(path).resolve().as_uri()}">]>\n'
    body = _body_without_declaration()
    start = body.index(b"<SellerName>") + len(b"<SellerName>")
    end = body.index(b"</SellerName>")
    return DECLARATION + doctype.encode() + body[:start] + b"&xxe;" + body[end:]


def external_dtd(url: str) -> bytes:
    """A document type definition to be fetched from ``url``."""
    return DECLARATION + f'<!DOCTYPE EInvoice SYSTEM "{url}">\n'.encode() + _body_without_declaration()


def parameter_entity(url: str = "http://127.0.0.1:9/evil.dtd") -> bytes:
    """A parameter entity that pulls in a remote DTD (the out-of-band XXE's first step)."""
    doctype = f'<!DOCTYPE EInvoice [<!ENTITY % remote SYSTEM "{url}"> %remote;]>\n'
    return DECLARATION + doctype.encode() + _body_without_declaration()


def not_well_formed() -> bytes:
    """A good (pretty-printed) invoice whose SellerName closes with the wrong tag."""
    return _good().replace(b"</SellerName>", b"</SellerNam>", 1)


def wrong_root() -> bytes:
    """A well-formed XML invoice of another kind (a UBL invoice), not a 数电票."""
    return (
        DECLARATION + b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" '
        b'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">\n'
        b"  <cbc:ID>INV-1</cbc:ID>\n  <cbc:IssueDate>2026-03-16</cbc:IssueDate>\n</Invoice>\n"
    )
