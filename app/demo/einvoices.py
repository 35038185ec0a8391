"""数电票 XML files in the layout the tax bureau issues (全面数字化的电子发票): what the demo's
contractor uploads with its payment requests, and what the tests build their invoices from.
Names, tax ids and numbers are the caller's; nothing here is copied from a real invoice."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from xml.etree import ElementTree as ET

from resolvers.payments.einvoice import InvoiceItem

CENT = Decimal("0.01")
DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_PLACES = ((3, "仟"), (2, "佰"), (1, "拾"), (0, ""))
_GROUPS = ("", "万", "亿")


def _four_digits(n: int) -> str:
    """1 to 9999 in words: zeros between digits collapse to one 零, trailing zeros vanish."""
    words = ""
    zero = False
    for power, unit in _PLACES:
        digit = n // 10**power % 10
        if digit == 0:
            zero = bool(words)
        else:
            words += ("零" if zero else "") + _DIGITS[digit] + unit
            zero = False
    return words


def rmb_uppercase(amount: Decimal) -> str:
    """An amount in the uppercase Chinese numerals of money (大写金额), as the invoice's
    TotalTax-includedAmountInChinese writes it: 壹拾万元整, 叁万元零伍分, 壹仟贰佰叁拾肆元伍角陆分.
    Negative amounts (red-letter invoices) are prefixed with （负数）."""
    if amount != amount.quantize(CENT):
        raise ValueError(f"{amount} is not an amount in fen")
    if amount < 0:
        return "（负数）" + rmb_uppercase(-amount)
    fen_total = int(amount * 100)
    yuan, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    if yuan >= 10**12:
        raise ValueError(f"{amount} is too large")
    words = ""
    zero = False
    for index in reversed(range(len(_GROUPS))):
        group = yuan // 10 ** (4 * index) % 10**4
        if group == 0:
            zero = zero or bool(words)
            continue
        if words and (zero or group < 1000):
            words += "零"
        words += _four_digits(group) + _GROUPS[index]
        zero = False
    if words:
        words += "元"
    if jiao == 0 and fen == 0:
        return (words or "零元") + "整"
    if jiao:
        words += _DIGITS[jiao] + "角"
    if fen:
        words += ("零" if words and not jiao else "") + _DIGITS[fen] + "分"
    return words


# ---------------------------------------------------------------------------
# A good invoice
# ---------------------------------------------------------------------------

_LABEL_CODES = {"增值税专用发票": "01", "普通发票": "02"}


def construction_item(total: Decimal) -> InvoiceItem:
    """The default line: construction services (建筑服务) at 9 %, amount and tax adding up
    to ``total``."""
    amount = (total / Decimal("1.09")).quantize(CENT, rounding=ROUND_HALF_UP)
    return InvoiceItem(
        name="*建筑服务*工程服务",
        spec=None,
        unit="项",
        quantity=Decimal(1),
        unit_price=amount,
        amount=amount,
        tax_rate=Decimal("0.09"),
        tax=total - amount,
    )


def _add(parent: ET.Element, tag: str, text: object = None) -> ET.Element:
    element = ET.SubElement(parent, tag)
    if text is not None:
        element.text = format(text, "f") if isinstance(text, Decimal) else str(text)
    return element


def _serialise(root: ET.Element, pretty: bool) -> bytes:
    if pretty:
        ET.indent(root)
    return DECLARATION + ET.tostring(root, encoding="unicode", short_empty_elements=False).encode("utf-8")


def digital_invoice_xml(
    *,
    number: str,
    issued_on: date,
    seller_name: str,
    seller_tax_id: str,
    buyer_name: str,
    buyer_tax_id: str,
    items: Sequence[InvoiceItem] | None = None,
    total: Decimal | str | int | None = None,
    label: str | None = "普通发票",
    drawer: str = "王会计",
    pretty: bool = False,
    remark: str = "建筑服务发生地：北京市东城区；建筑项目名称：测试工程",
    tax_bureau: tuple[str, str] = ("11100000000", "国家税务总局北京市税务局"),
) -> bytes:
    """A 数电票 XML file, every element of the published layout present.

    Without ``items`` there is one construction line whose amount and 9 % tax add up to
    ``total`` (default 10,900.00: 10,000.00 and 900.00). With ``items`` the totals are their
    sums, and ``total``, if given, must agree. ``label`` None leaves out the invoice kind
    (GeneralOrSpecialVAT). ``issued_on`` may be a datetime; only its date is written as the
    IssueTime, and the time of the request (RequestTime) is that day's 10:00 or the time given.
    """
    if items is None:
        gross = Decimal(total if total is not None else "10900.00").quantize(CENT)
        items = [construction_item(gross)]
    amount = sum((item.amount for item in items), Decimal("0.00"))
    tax = sum((item.tax for item in items), Decimal("0.00"))
    gross = amount + tax
    if total is not None and Decimal(total) != gross:
        raise ValueError(f"the items add up to {gross}, not {total}")
    requested = issued_on if isinstance(issued_on, datetime) else datetime(issued_on.year, issued_on.month, issued_on.day, 10)
    day = requested.date()

    root = ET.Element("EInvoice")
    header = _add(root, "Header")
    _add(header, "EIid", number)
    _add(header, "EInvoiceTag", "SWEI1100")
    _add(header, "Version", "0.32")
    inherent = _add(header, "InherentLabel")
    if label is not None:
        kind = _add(inherent, "GeneralOrSpecialVAT")
        _add(kind, "LabelCode", _LABEL_CODES.get(label, "99"))
        _add(kind, "LabelName", label)

    data = _add(root, "EInvoiceData")
    seller = _add(data, "SellerInformation")
    _add(seller, "SellerIdNum", seller_tax_id)
    _add(seller, "SellerName", seller_name)
    _add(seller, "SellerAddr", "北京市朝阳区测试路1号")
    _add(seller, "SellerTelNum", "010-00000001")
    _add(seller, "SellerBankName", "测试银行北京朝阳支行")
    _add(seller, "SellerBankAccNum", "0000000000000000001")
    buyer = _add(data, "BuyerInformation")
    _add(buyer, "BuyerIdNum", buyer_tax_id)
    _add(buyer, "BuyerName", buyer_name)
    _add(buyer, "BuyerAddr", "北京市东城区测试街2号")
    _add(buyer, "BuyerTelNum", "010-00000002")
    _add(buyer, "BuyerBankName", "测试银行北京东城支行")
    _add(buyer, "BuyerBankAccNum", "0000000000000000002")
    basic = _add(data, "BasicInformation")
    _add(basic, "TotalAmWithoutTax", amount)
    _add(basic, "TotalTaxAm", tax)
    _add(basic, "TotalTax-includedAmount", gross)
    _add(basic, "TotalTax-includedAmountInChinese", rmb_uppercase(gross))
    _add(basic, "Drawer", drawer)
    _add(basic, "RequestTime", f"{requested:%Y-%m-%d %H:%M:%S}")
    for item in items:
        line = _add(data, "IssuItemInformation")
        _add(line, "ItemName", item.name)
        _add(line, "SpecMod", item.spec or "")
        _add(line, "MeaUnits", item.unit or "")
        _add(line, "Quantity", "" if item.quantity is None else item.quantity)
        _add(line, "UnPrice", "" if item.unit_price is None else item.unit_price)
        _add(line, "Amount", item.amount)
        _add(line, "TaxRate", item.tax_rate)
        _add(line, "ComTaxAm", item.tax)
        _add(line, "TotaltaxIncludedAmount", item.amount + item.tax)
    _add(data, "SpecificInformation")
    additional = _add(data, "AdditionalInformation")
    _add(additional, "Remark", remark)

    supervision = _add(root, "TaxSupervisionInfo")
    _add(supervision, "InvoiceNumber", number)
    _add(supervision, "IssueTime", f"{day:%Y-%m-%d}")
    _add(supervision, "TaxBureauCode", tax_bureau[0])
    _add(supervision, "TaxBureauName", tax_bureau[1])
    return _serialise(root, pretty)
