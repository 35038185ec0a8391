"""Reading the XML file of a fully digital invoice (全面数字化的电子发票, 数电票).

The tax bureau issues every 数电票 as an XML file (beside the PDF and OFD renderings); a
contractor uploads it with a payment request, and this module reads from it what the payment
checks need: the 20-digit number, the issue date, seller and buyer with their taxpayer
identification numbers, the three totals and the item lines. It is pure code: no database,
no GraphQL, no I/O.

The file comes from outside, so it is parsed defensively. ``defusedxml`` refuses any document
type definition, and with it every entity declaration (billion laughs, quadratic blow-up),
external entity and external DTD reference: an invoice never needs one, and resolving one
could read the server's files, reach the network or exhaust memory. The size, the nesting
depth and the number of elements are bounded before and while parsing. What is read is then
checked strictly where a wrong value would mislead a payment (numbers, tax ids, amounts,
totals) and leniently where real files differ (tax-rate spellings, date-time forms,
namespaces, elements this module does not know).

Every refusal is an ``InvoiceXmlError`` with a stable ``code`` and ``params``; ``MESSAGES``
holds their zh-CN and en texts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
from defusedxml.ElementTree import DefusedXMLParser  # type: ignore[import-untyped]

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_ELEMENTS",
    "MESSAGES",
    "InvoiceItem",
    "InvoiceXmlError",
    "ParsedInvoice",
    "is_digital_number",
    "is_legacy_code",
    "is_legacy_number",
    "parse_digital_invoice",
]

MAX_BYTES = 1024 * 1024
# A real invoice nests 5 levels deep and has about ten elements per item line; these bounds
# leave room for thousands of lines and refuse documents built to wear the parser out.
MAX_DEPTH = 32
MAX_ELEMENTS = 50_000
VALUE_SHOWN = 40  # characters of an invalid value repeated in an error

CENT = Decimal("0.01")

MESSAGES: dict[str, tuple[str, str]] = {
    "INVOICE_XML_TOO_LARGE": (
        "发票 XML 文件超过 {limit} 字节的大小上限，不予读取。",
        "The invoice XML file is larger than the limit of {limit} bytes and is not read.",
    ),
    "INVOICE_XML_FORBIDDEN": (
        "发票 XML 含有文档类型定义或实体声明，出于安全原因拒收。",
        "The invoice XML contains a document type definition or entity declarations and is refused for safety.",
    ),
    "INVOICE_XML_MALFORMED": (
        "发票 XML 格式不正确（第 {line} 行附近），无法读取。",
        "The invoice XML is not well-formed (near line {line}) and cannot be read.",
    ),
    "INVOICE_XML_TOO_COMPLEX": (
        "发票 XML 的元素嵌套超过 {max_depth} 层或元素多于 {max_elements} 个，不像一张发票，不予读取。",
        "The invoice XML nests elements more than {max_depth} deep or has more than {max_elements} of them; it is not an invoice and is not read.",
    ),
    "INVOICE_XML_NOT_EINVOICE": (
        "该 XML 文件的根元素是 {root}，不是数电票；请上传税务机关开具的数电票 XML 文件。",
        "The XML file's root element is {root}, so it is not a fully digital invoice; upload the XML file the tax bureau issued.",
    ),
    "INVOICE_XML_MISSING": (
        "发票 XML 缺少 {field}，或其内容为空。",
        "The invoice XML lacks {field}, or it is empty.",
    ),
    "INVOICE_XML_INVALID": (
        "发票 XML 中 {field} 的值“{value}”无效。",
        "The invoice XML's {field} has an invalid value: “{value}”.",
    ),
}


class InvoiceXmlError(ValueError):
    """Why an invoice XML file was refused: ``code`` (a key of ``MESSAGES``) and the
    ``params`` its message takes."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        template = MESSAGES.get(code, (code, code))[1]
        super().__init__(f"{code}: {template.format(**params)}")


@dataclass(frozen=True)
class InvoiceItem:
    """One item line. ``tax_rate`` is a fraction (0.09 for 9 %; 0 for 免税 and 不征税);
    ``quantity`` and ``unit_price`` are as written (unit prices carry many places) or None
    when the line has none (services, tolls)."""

    name: str
    spec: str | None
    unit: str | None
    quantity: Decimal | None
    unit_price: Decimal | None
    amount: Decimal
    tax_rate: Decimal
    tax: Decimal


@dataclass(frozen=True)
class ParsedInvoice:
    """What a 数电票 says, money quantised to the fen. ``label`` is the kind of invoice as
    the file names it (普通发票, 增值税专用发票), None when the file does not say."""

    number: str
    issued_on: date
    seller_name: str
    seller_tax_id: str
    buyer_name: str
    buyer_tax_id: str
    amount_without_tax: Decimal
    tax_amount: Decimal
    total_amount: Decimal
    items: tuple[InvoiceItem, ...]
    label: str | None


# ---------------------------------------------------------------------------
# Numbers a person types
# ---------------------------------------------------------------------------

# [0-9], never \d or str.isdigit: those accept full-width and other Unicode digits.
_DIGITAL_NUMBER = re.compile(r"[0-9]{20}")
_LEGACY_CODE = re.compile(r"[0-9]{10}|[0-9]{12}")
_LEGACY_NUMBER = re.compile(r"[0-9]{8}")
_TAX_ID = re.compile(r"[0-9A-Z]{15,20}")


def is_digital_number(s: str) -> bool:
    """A 数电票 number: exactly 20 ASCII digits (strip whitespace first)."""
    return _DIGITAL_NUMBER.fullmatch(s) is not None


def is_legacy_code(s: str) -> bool:
    """A pre-数电 invoice code (发票代码): 10 digits (paper) or 12 (electronic)."""
    return _LEGACY_CODE.fullmatch(s) is not None


def is_legacy_number(s: str) -> bool:
    """A pre-数电 invoice number (发票号码): 8 digits."""
    return _LEGACY_NUMBER.fullmatch(s) is not None


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------


class _TooComplex(Exception):
    pass


class _BoundedBuilder:
    """A tree builder that stops the parse as soon as the document nests deeper or holds
    more elements than an invoice could, before the tree for it is built."""

    def __init__(self, max_depth: int, max_elements: int) -> None:
        self._builder = TreeBuilder()
        self._depth = 0
        self._elements = 0
        self._max_depth = max_depth
        self._max_elements = max_elements

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        self._depth += 1
        self._elements += 1
        if self._depth > self._max_depth or self._elements > self._max_elements:
            raise _TooComplex
        return self._builder.start(tag, attrs)

    def end(self, tag: str) -> Element:
        self._depth -= 1
        return self._builder.end(tag)

    def data(self, text: str) -> None:
        self._builder.data(text)

    def close(self) -> Element:
        return self._builder.close()


def _parse_xml(data: bytes, max_depth: int, max_elements: int) -> Element:
    parser = DefusedXMLParser(target=_BoundedBuilder(max_depth, max_elements), forbid_dtd=True, forbid_entities=True, forbid_external=True)
    try:
        parser.feed(data)
        root: Element = parser.close()
    except DefusedXmlException:
        # Raised at the DOCTYPE itself, before any declaration in it is read or resolved.
        raise InvoiceXmlError("INVOICE_XML_FORBIDDEN") from None
    except ParseError as exc:
        raise InvoiceXmlError("INVOICE_XML_MALFORMED", line=exc.position[0]) from None
    except _TooComplex:
        raise InvoiceXmlError("INVOICE_XML_TOO_COMPLEX", max_depth=max_depth, max_elements=max_elements) from None
    except ValueError:
        # expat's refusal of a declared encoding it cannot read (GBK and other multi-byte
        # encodings), which it raises before reading a line.
        raise InvoiceXmlError("INVOICE_XML_MALFORMED", line=1) from None
    return root


def _local(tag: str) -> str:
    """The element's name without its namespace (``{urn:…}SellerName`` → ``SellerName``)."""
    return tag.rpartition("}")[2]


def _children(element: Element, name: str) -> Iterator[Element]:
    return (child for child in element if _local(child.tag) == name)


def _text(element: Element | None, name: str) -> str | None:
    """The stripped text of ``element``'s first child called ``name``; None when there is no
    such child or it is empty."""
    if element is None:
        return None
    for child in _children(element, name):
        text = (child.text or "").strip()
        return text or None
    return None


_SECTIONS = ("Header", "SellerInformation", "BuyerInformation", "BasicInformation", "TaxSupervisionInfo")


class _Reader:
    """The sections of one invoice, found by local name wherever they sit (the published
    layout puts them under EInvoice and EInvoiceData), and the checks on their values.
    Field paths in errors are ``Section/Element``, as the layout names them."""

    def __init__(self, root: Element) -> None:
        self.sections: dict[str, Element] = {}
        self.items: list[Element] = []
        for element in root.iter():
            name = _local(element.tag)
            if name == "IssuItemInformation":
                self.items.append(element)
            elif name in _SECTIONS:
                self.sections.setdefault(name, element)

    def optional(self, section: str, name: str) -> str | None:
        return _text(self.sections.get(section), name)

    def required(self, section: str, name: str) -> str:
        value = self.optional(section, name)
        if value is None:
            raise InvoiceXmlError("INVOICE_XML_MISSING", field=f"{section}/{name}")
        return value

    def label(self) -> str | None:
        header = self.sections.get("Header")
        if header is None:
            return None
        for element in header.iter():
            if _local(element.tag) == "GeneralOrSpecialVAT":
                return _text(element, "LabelName")
        return None


def _invalid(field: str, value: str) -> InvoiceXmlError:
    return InvoiceXmlError("INVOICE_XML_INVALID", field=field, value=value[:VALUE_SHOWN])


_MONEY = re.compile(r"-?[0-9]{1,15}(?:\.[0-9]{1,2})?")
_NUMBER = re.compile(r"-?[0-9]{1,15}(?:\.[0-9]{1,15})?")


def _money(value: str, field: str) -> Decimal:
    """An amount in yuan with at most two places. A minus sign is accepted: red-letter
    invoices (红字发票) and discount lines carry negative amounts."""
    if not _MONEY.fullmatch(value):
        raise _invalid(field, value)
    return Decimal(value).quantize(CENT)


def _number(value: str | None, field: str) -> Decimal | None:
    """A quantity or unit price, as written (regexp first: ``Decimal`` would also take
    ``1_000``, ``NaN`` and full-width digits)."""
    if value is None:
        return None
    if not _NUMBER.fullmatch(value):
        raise _invalid(field, value)
    return Decimal(value)


# 免税 (exempt), 不征税 (outside the tax) and 零税率 are printed in the rate column instead of 0.
_ZERO_RATES = frozenset({"免税", "不征税", "免征", "零税率"})
_PERCENT = re.compile(r"([0-9]{1,3}(?:\.[0-9]{1,6})?)\s*[%％]")
_FRACTION = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,6})?")


def _tax_rate(value: str, field: str) -> Decimal:
    """A tax rate as a fraction. Files write ``0.13``, ``0.130000`` or ``13%``; a bare number
    of 1 or more is read as a percentage (no rate is 100 % or more, and ``1`` and ``3`` are
    the small-scale taxpayers' 1 % and 3 %)."""
    if value in _ZERO_RATES:
        return Decimal(0)
    if match := _PERCENT.fullmatch(value):
        rate = Decimal(match.group(1)) / 100
    elif _FRACTION.fullmatch(value):
        rate = Decimal(value)
        if rate >= 1:
            rate /= 100
    else:
        raise _invalid(field, value)
    if rate >= 1:
        raise _invalid(field, value)
    return rate.normalize() if rate else Decimal(0)


_DASHED_TIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[ T]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]{1,6})?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?"
)
_COMPACT_TIME = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})(?:([0-9]{2})([0-9]{2})([0-9]{2})[0-9]{0,6})?")


def _issue_date(value: str, field: str) -> date:
    """The date of ``YYYY-MM-DD``, ``YYYY-MM-DD HH:MM:SS``, ``YYYY-MM-DDTHH:MM:SS`` or
    ``YYYYMMDD[HHMMSS[fraction]]``, as written (China time: no zone conversion). A time, when
    given, must be a real one too."""
    match = _DASHED_TIME.fullmatch(value) or _COMPACT_TIME.fullmatch(value)
    if match is None:
        raise _invalid(field, value)
    year, month, day, hour, minute, second = (int(part or 0) for part in match.groups())
    try:
        return datetime(year, month, day, hour, minute, second).date()
    except ValueError:
        raise _invalid(field, value) from None


def _item(element: Element, index: int) -> InvoiceItem:
    section = f"IssuItemInformation[{index}]"

    def text(name: str) -> str | None:
        return _text(element, name)

    def required(name: str) -> str:
        value = text(name)
        if value is None:
            raise InvoiceXmlError("INVOICE_XML_MISSING", field=f"{section}/{name}")
        return value

    name = required("ItemName")
    amount = _money(required("Amount"), f"{section}/Amount")
    rate = _tax_rate(required("TaxRate"), f"{section}/TaxRate")
    tax_text = text("ComTaxAm")
    # An exempt line may show its tax as empty or ***, as the printed invoice does.
    if rate == 0 and (tax_text is None or tax_text.strip("*") == ""):
        tax = Decimal("0.00")
    else:
        tax = _money(required("ComTaxAm"), f"{section}/ComTaxAm")
    return InvoiceItem(
        name=name,
        spec=text("SpecMod"),
        unit=text("MeaUnits"),
        quantity=_number(text("Quantity"), f"{section}/Quantity"),
        unit_price=_number(text("UnPrice"), f"{section}/UnPrice"),
        amount=amount,
        tax_rate=rate,
        tax=tax,
    )


def _invoice_number(reader: _Reader) -> str:
    """TaxSupervisionInfo/InvoiceNumber, else Header/EIid (the same number in the header);
    when both are there they must agree."""
    number = reader.optional("TaxSupervisionInfo", "InvoiceNumber")
    eiid = reader.optional("Header", "EIid")
    if number is None and eiid is None:
        raise InvoiceXmlError("INVOICE_XML_MISSING", field="TaxSupervisionInfo/InvoiceNumber")
    if number is not None and not is_digital_number(number):
        raise _invalid("TaxSupervisionInfo/InvoiceNumber", number)
    if eiid is not None and not is_digital_number(eiid):
        raise _invalid("Header/EIid", eiid)
    if number is not None and eiid is not None and number != eiid:
        raise _invalid("Header/EIid", eiid)
    result = number or eiid
    assert result is not None
    return result


def _tax_id(reader: _Reader, section: str, name: str) -> str:
    """A taxpayer identification number: the 18-character unified social credit code, or an
    older 15- to 20-character one; digits and capital letters only."""
    value = reader.required(section, name)
    if not _TAX_ID.fullmatch(value):
        raise _invalid(f"{section}/{name}", value)
    return value


def parse_digital_invoice(
    data: bytes, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH, max_elements: int = MAX_ELEMENTS
) -> ParsedInvoice:
    """Read a 数电票 XML file, or raise ``InvoiceXmlError`` saying why not.

    The item lines are read and checked one by one, but their sums are not held against the
    totals: the issuing system rounds tax per line, so they may differ by a fen or so. The
    totals must agree with each other exactly.
    """
    if len(data) > max_bytes:
        raise InvoiceXmlError("INVOICE_XML_TOO_LARGE", limit=max_bytes)
    root = _parse_xml(data, max_depth, max_elements)
    if _local(root.tag) != "EInvoice":
        raise InvoiceXmlError("INVOICE_XML_NOT_EINVOICE", root=_local(root.tag)[:VALUE_SHOWN])
    reader = _Reader(root)

    number = _invoice_number(reader)
    issued_on = _issue_date(reader.required("TaxSupervisionInfo", "IssueTime"), "TaxSupervisionInfo/IssueTime")
    seller_name = reader.required("SellerInformation", "SellerName")
    seller_tax_id = _tax_id(reader, "SellerInformation", "SellerIdNum")
    buyer_name = reader.required("BuyerInformation", "BuyerName")
    buyer_tax_id = _tax_id(reader, "BuyerInformation", "BuyerIdNum")

    totals: dict[str, Decimal] = {}
    for name in ("TotalAmWithoutTax", "TotalTaxAm", "TotalTax-includedAmount"):
        totals[name] = _money(reader.required("BasicInformation", name), f"BasicInformation/{name}")
    amount, tax, total = totals.values()
    if total != amount + tax:
        raise _invalid("BasicInformation/TotalTax-includedAmount", str(total))

    items = tuple(_item(element, index) for index, element in enumerate(reader.items, start=1))
    return ParsedInvoice(
        number=number,
        issued_on=issued_on,
        seller_name=seller_name,
        seller_tax_id=seller_tax_id,
        buyer_name=buyer_name,
        buyer_tax_id=buyer_tax_id,
        amount_without_tax=amount,
        tax_amount=tax,
        total_amount=total,
        items=items,
        label=reader.label(),
    )
