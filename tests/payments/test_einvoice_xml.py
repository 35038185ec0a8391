"""Reading a 数电票 XML file: a good invoice gives exactly its values; hostile XML is refused
without reading a file or the network; each broken file gives its code and params; the
lenient parts (date-time forms, tax-rate spellings, namespaces, whitespace, unknown elements)
and the uppercase money words of the test invoices."""

from __future__ import annotations

import builtins
import io
import os
import re
import socket
import time
import urllib.request
from datetime import date, datetime
from decimal import Decimal

import pytest

from resolvers.payments.einvoice import (
    MAX_BYTES,
    MESSAGES,
    InvoiceItem,
    InvoiceXmlError,
    ParsedInvoice,
    is_digital_number,
    is_legacy_code,
    is_legacy_number,
    parse_digital_invoice,
)
from tests.payments.einvoices import (
    billion_laughs,
    digital_invoice_xml,
    external_dtd,
    external_entity,
    next_number,
    not_well_formed,
    parameter_entity,
    quadratic_blowup,
    replaced,
    rmb_uppercase,
    without,
    wrong_root,
)

pytestmark = pytest.mark.once

D = Decimal
SELLER = ("测试建筑工程有限公司", "91110105MA00000001")
BUYER = ("测试区住房和城乡建设委员会", "11110101000000000X")


def invoice(**overrides) -> bytes:
    fields = {
        "number": next_number(),
        "issued_on": date(2026, 3, 16),
        "seller_name": SELLER[0],
        "seller_tax_id": SELLER[1],
        "buyer_name": BUYER[0],
        "buyer_tax_id": BUYER[1],
    }
    fields.update(overrides)
    return digital_invoice_xml(**fields)


def refusal(data: bytes, **limits) -> InvoiceXmlError:
    with pytest.raises(InvoiceXmlError) as caught:
        parse_digital_invoice(data, **limits)
    return caught.value


def check(error: InvoiceXmlError, code: str, **params) -> None:
    assert (error.code, error.params) == (code, params)


# ---------------------------------------------------------------------------
# A good invoice
# ---------------------------------------------------------------------------


def test_a_good_invoice_parses_to_exactly_its_values():
    number = next_number()
    items = [
        InvoiceItem("*建筑服务*道路工程", "沥青路面", "平方米", D("1200"), D("75.123456"), D("90148.15"), D("0.09"), D("8113.33")),
        InvoiceItem("*设计服务*工程设计费", None, None, None, None, D("5000.00"), D("0.06"), D("300.00")),
    ]
    data = invoice(number=number, issued_on=datetime(2026, 3, 16, 14, 5, 9), items=items, label="增值税专用发票", pretty=True)
    assert parse_digital_invoice(data) == ParsedInvoice(
        number=number,
        issued_on=date(2026, 3, 16),
        seller_name=SELLER[0],
        seller_tax_id=SELLER[1],
        buyer_name=BUYER[0],
        buyer_tax_id=BUYER[1],
        amount_without_tax=D("95148.15"),
        tax_amount=D("8413.33"),
        total_amount=D("103561.48"),
        items=tuple(items),
        label="增值税专用发票",
    )


def test_by_default_one_construction_line_at_9_percent_adds_up_to_the_total():
    parsed = parse_digital_invoice(invoice(total="100000.00"))
    assert (parsed.amount_without_tax, parsed.tax_amount, parsed.total_amount) == (D("91743.12"), D("8256.88"), D("100000.00"))
    assert parsed.items == (InvoiceItem("*建筑服务*工程服务", None, "项", D(1), D("91743.12"), D("91743.12"), D("0.09"), D("8256.88")),)
    assert parsed.label == "普通发票"
    # money is quantised to the fen and exact: never a float
    assert all(isinstance(v, Decimal) and v.as_tuple().exponent == -2 for v in (parsed.amount_without_tax, parsed.tax_amount))


def test_the_generated_file_spells_the_total_in_uppercase_money():
    data = invoice(total="30000.05")
    assert "<TotalTax-includedAmountInChinese>叁万元零伍分</TotalTax-includedAmountInChinese>".encode() in data


def test_names_with_markup_characters_come_back_as_written():
    parsed = parse_digital_invoice(invoice(seller_name="甲&乙<联合体>建筑有限公司", buyer_name="“某某”管理处"))
    assert (parsed.seller_name, parsed.buyer_name) == ("甲&乙<联合体>建筑有限公司", "“某某”管理处")


def test_namespaces_whitespace_and_unknown_elements_do_not_matter():
    plain = invoice(pretty=True)
    expected = parse_digital_invoice(plain)
    namespaced = plain.replace(b"<EInvoice>", b'<EInvoice xmlns="urn:example:einvoice">', 1)
    assert parse_digital_invoice(namespaced) == expected
    prefixed = re.sub(rb"<(/?)(?!\?)", rb"<\1e:", plain).replace(b"<e:EInvoice>", b'<e:EInvoice xmlns:e="urn:x">', 1)
    assert parse_digital_invoice(prefixed) == expected
    padded = replaced(plain, "SellerInformation/SellerName", f"\n   {SELLER[0]}\t \n")
    padded = replaced(padded, "BasicInformation/TotalTaxAm", "  900.00\n")
    assert parse_digital_invoice(padded) == expected
    extra = plain.replace(b"<SellerName>", b"<Unknown a='1'><SellerName>nested, not read</SellerName></Unknown><SellerName>", 1)
    extra = extra.replace(b"</Header>", b"<EInvoiceTag2>?</EInvoiceTag2><!-- a comment --><?pi x?></Header>", 1)
    assert parse_digital_invoice(extra) == expected


def test_the_header_number_serves_when_the_supervision_number_is_absent():
    number = next_number()
    parsed = parse_digital_invoice(without(invoice(number=number), "TaxSupervisionInfo/InvoiceNumber"))
    assert parsed.number == number
    assert parse_digital_invoice(without(invoice(number=number), "Header/EIid")).number == number


def test_without_the_kind_of_invoice_the_label_is_none():
    assert parse_digital_invoice(invoice(label=None)).label is None


def test_item_sums_are_not_held_against_the_totals():
    # Real invoices round tax per line: the lines may add up to a fen more or less.
    data = replaced(invoice(), "IssuItemInformation[1]/ComTaxAm", "900.01")
    assert parse_digital_invoice(data).items[0].tax == D("900.01")


def test_a_red_letter_invoice_reads_with_negative_amounts():
    item = InvoiceItem("*建筑服务*工程服务", None, "项", D("-1"), D("10000.00"), D("-10000.00"), D("0.09"), D("-900.00"))
    parsed = parse_digital_invoice(invoice(items=[item]))
    assert (parsed.amount_without_tax, parsed.tax_amount, parsed.total_amount) == (D("-10000.00"), D("-900.00"), D("-10900.00"))


# ---------------------------------------------------------------------------
# Hostile XML: refused, never resolved
# ---------------------------------------------------------------------------


class Reached(BaseException):
    """Raised by the guards below; a BaseException so that nothing on the way swallows it."""


@pytest.fixture
def no_io(monkeypatch):
    """While the parse runs, opening any file or touching the network fails the test."""

    def refuse(what):
        def guard(*args, **kwargs):
            raise Reached(f"{what}{args!r}")

        return guard

    def parse(data: bytes) -> ParsedInvoice | InvoiceXmlError:
        """The parse's result, or the error it raised, with no file or network reached."""
        with monkeypatch.context() as patch:
            for target, name in [
                (builtins, "open"),
                (io, "open"),
                (os, "open"),
                (socket, "getaddrinfo"),
                (socket, "create_connection"),
                (socket.socket, "connect"),
                (urllib.request, "urlopen"),
            ]:
                patch.setattr(target, name, refuse(name))
            started = time.perf_counter()
            try:
                return parse_digital_invoice(data)
            except InvoiceXmlError as error:
                return error
            finally:
                assert time.perf_counter() - started < 0.5

    return parse


@pytest.mark.parametrize(
    "sample",
    [
        billion_laughs,
        quadratic_blowup,
        parameter_entity,
        lambda: external_dtd("http://127.0.0.1:9/invoice.dtd"),
        lambda: external_dtd("file:///etc/passwd"),
    ],
    ids=["billion-laughs", "quadratic-blowup", "parameter-entity", "external-dtd-http", "external-dtd-file"],
)
def test_hostile_xml_is_refused_without_being_resolved(no_io, sample):
    error = no_io(sample())
    assert isinstance(error, InvoiceXmlError)
    check(error, "INVOICE_XML_FORBIDDEN")


def test_an_external_entity_never_reads_the_file(no_io, tmp_path):
    marker = "SECRET-" + next_number()
    secret = tmp_path / "secret.txt"
    secret.write_text(marker, encoding="utf-8")
    error = no_io(external_entity(secret))
    assert isinstance(error, InvoiceXmlError)
    check(error, "INVOICE_XML_FORBIDDEN")
    assert marker not in str(error) + repr(error.params) + repr(error.__cause__) + repr(error.__context__)
    assert marker not in MESSAGES["INVOICE_XML_FORBIDDEN"][0] + MESSAGES["INVOICE_XML_FORBIDDEN"][1]


def test_an_xinclude_is_an_unknown_element_and_never_followed(no_io, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET", encoding="utf-8")
    data = invoice().replace(
        b"<SellerName>",
        f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{secret.as_uri()}" parse="text"/><SellerName>'.encode(),
        1,
    )
    parsed = no_io(data)
    assert isinstance(parsed, ParsedInvoice) and parsed.seller_name == SELLER[0]


def test_the_guard_would_catch_a_read(no_io, monkeypatch):
    # The guard itself works: a parse that opened a file would not pass unnoticed.
    monkeypatch.setattr("resolvers.payments.einvoice._parse_xml", lambda *args: open("/etc/hostname"))
    with pytest.raises(Reached):
        no_io(invoice())


# ---------------------------------------------------------------------------
# Broken files
# ---------------------------------------------------------------------------


def test_a_file_over_the_limit_is_not_parsed():
    check(refusal(invoice(), max_bytes=100), "INVOICE_XML_TOO_LARGE", limit=100)
    check(refusal(b" " * (MAX_BYTES + 1)), "INVOICE_XML_TOO_LARGE", limit=MAX_BYTES)
    assert MAX_BYTES == 1024 * 1024


def test_absurd_nesting_or_element_counts_are_refused():
    deep = invoice().replace(b"<Drawer>", b"<x>" * 40 + b"</x>" * 40 + b"<Drawer>", 1)
    check(refusal(deep), "INVOICE_XML_TOO_COMPLEX", max_depth=32, max_elements=50_000)
    many = invoice().replace(b"<Drawer>", b"<x/>" * 50_001 + b"<Drawer>", 1)
    check(refusal(many), "INVOICE_XML_TOO_COMPLEX", max_depth=32, max_elements=50_000)
    check(refusal(invoice(), max_elements=10), "INVOICE_XML_TOO_COMPLEX", max_depth=32, max_elements=10)


def test_not_well_formed_xml_gives_the_line():
    data = not_well_formed()
    line = data[: data.index(b"</SellerNam>")].count(b"\n") + 1
    assert line > 1
    check(refusal(data), "INVOICE_XML_MALFORMED", line=line)
    check(refusal(b""), "INVOICE_XML_MALFORMED", line=1)
    check(refusal(b"%PDF-1.7\n"), "INVOICE_XML_MALFORMED", line=1)
    check(refusal(b"<EInvoice>\n<a>&nbsp;</a></EInvoice>"), "INVOICE_XML_MALFORMED", line=2)
    gbk = '<?xml version="1.0" encoding="GBK"?><EInvoice>发票</EInvoice>'.encode("gbk")
    check(refusal(gbk), "INVOICE_XML_MALFORMED", line=1)


def test_another_kind_of_xml_is_not_an_einvoice():
    check(refusal(wrong_root()), "INVOICE_XML_NOT_EINVOICE", root="Invoice")
    check(refusal(invoice().replace(b"EInvoice>", b"eInvoice>")), "INVOICE_XML_NOT_EINVOICE", root="eInvoice")


REQUIRED = [
    "TaxSupervisionInfo/IssueTime",
    "SellerInformation/SellerName",
    "SellerInformation/SellerIdNum",
    "BuyerInformation/BuyerName",
    "BuyerInformation/BuyerIdNum",
    "BasicInformation/TotalAmWithoutTax",
    "BasicInformation/TotalTaxAm",
    "BasicInformation/TotalTax-includedAmount",
    "IssuItemInformation[1]/ItemName",
    "IssuItemInformation[1]/Amount",
    "IssuItemInformation[1]/TaxRate",
    "IssuItemInformation[1]/ComTaxAm",
]


@pytest.mark.parametrize("path", REQUIRED)
def test_a_required_element_missing_or_empty(path):
    check(refusal(without(invoice(), path)), "INVOICE_XML_MISSING", field=path)
    check(refusal(replaced(invoice(), path, " \n\t")), "INVOICE_XML_MISSING", field=path)


def test_without_any_number_the_supervision_number_is_missing():
    data = without(without(invoice(), "TaxSupervisionInfo/InvoiceNumber"), "Header/EIid")
    check(refusal(data), "INVOICE_XML_MISSING", field="TaxSupervisionInfo/InvoiceNumber")
    check(refusal(without(invoice(), "SellerInformation")), "INVOICE_XML_MISSING", field="SellerInformation/SellerName")


def test_an_exempt_line_may_leave_its_tax_empty():
    data = replaced(replaced(invoice(), "IssuItemInformation[1]/TaxRate", "免税"), "IssuItemInformation[1]/ComTaxAm", "***")
    assert parse_digital_invoice(data).items[0].tax == D("0.00")


@pytest.mark.parametrize(
    "path, value",
    [
        ("TaxSupervisionInfo/InvoiceNumber", "2611200000013511408"),  # 19 digits
        ("TaxSupervisionInfo/InvoiceNumber", "261120000001351140861"),
        ("TaxSupervisionInfo/InvoiceNumber", "2611200000013511408X"),
        ("TaxSupervisionInfo/InvoiceNumber", "２６１１２０００００１３５１１４０８６"),  # full-width digits
        ("Header/EIid", "12345"),
        ("SellerInformation/SellerIdNum", "91110105ma00000001"),  # lower case
        ("SellerInformation/SellerIdNum", "91110105MA0000"),  # 14
        ("BuyerInformation/BuyerIdNum", "911101050000000000001"),  # 21
        ("BuyerInformation/BuyerIdNum", "911101-05MA0000001"),
        ("BasicInformation/TotalAmWithoutTax", "10,000.00"),
        ("BasicInformation/TotalAmWithoutTax", "10000.001"),
        ("BasicInformation/TotalTaxAm", "9e2"),
        ("BasicInformation/TotalTaxAm", "NaN"),
        ("BasicInformation/TotalTaxAm", "9_00"),
        ("BasicInformation/TotalTaxAm", "¥900.00"),
        ("BasicInformation/TotalTax-includedAmount", "10900.01"),  # not amount + tax
        ("TaxSupervisionInfo/IssueTime", "2026/03/16"),
        ("TaxSupervisionInfo/IssueTime", "2026-02-30"),
        ("TaxSupervisionInfo/IssueTime", "2026-03-16 25:00:00"),
        ("TaxSupervisionInfo/IssueTime", "16-03-2026"),
        ("TaxSupervisionInfo/IssueTime", "202603"),
        ("IssuItemInformation[1]/Amount", "1.005"),
        ("IssuItemInformation[1]/ComTaxAm", "九百"),
        ("IssuItemInformation[1]/Quantity", "一"),
        ("IssuItemInformation[1]/UnPrice", "1e4"),
        ("IssuItemInformation[1]/TaxRate", "九"),
        ("IssuItemInformation[1]/TaxRate", "150%"),
        ("IssuItemInformation[1]/TaxRate", "-0.09"),
    ],
)
def test_a_value_that_does_not_parse(path, value):
    check(refusal(replaced(invoice(), path, value)), "INVOICE_XML_INVALID", field=path, value=value)


def test_the_two_numbers_must_agree():
    data = replaced(invoice(), "Header/EIid", (other := next_number()))
    check(refusal(data), "INVOICE_XML_INVALID", field="Header/EIid", value=other)


def test_an_invalid_value_is_cut_to_40_characters():
    error = refusal(replaced(invoice(), "SellerInformation/SellerIdNum", "9" * 25 + "甲" * 100))
    check(error, "INVOICE_XML_INVALID", field="SellerInformation/SellerIdNum", value="9" * 25 + "甲" * 15)


@pytest.mark.parametrize(
    "value",
    [
        "2026-03-16",
        "2026-03-16 09:47:14",
        "2026-03-16T09:47:14",
        "2026-03-16T09:47:14.123+08:00",
        "20260316",
        "20260316094714",
        "20260316094714000",
    ],
)
def test_issue_time_forms(value):
    assert parse_digital_invoice(replaced(invoice(), "TaxSupervisionInfo/IssueTime", value)).issued_on == date(2026, 3, 16)


@pytest.mark.parametrize(
    "value, rate",
    [
        ("0.13", "0.13"),
        ("0.130000", "0.13"),
        ("13%", "0.13"),
        ("13.00 %", "0.13"),
        ("9％", "0.09"),
        ("0.09", "0.09"),
        ("3", "0.03"),
        ("1", "0.01"),
        ("0", "0"),
        ("0%", "0"),
        ("免税", "0"),
        ("不征税", "0"),
    ],
)
def test_tax_rate_forms(value, rate):
    parsed = parse_digital_invoice(replaced(invoice(), "IssuItemInformation[1]/TaxRate", value))
    assert parsed.items[0].tax_rate == D(rate)
    assert str(parsed.items[0].tax_rate) == rate


# ---------------------------------------------------------------------------
# Messages, validators and the generator's helpers
# ---------------------------------------------------------------------------

PARAMS = {
    "INVOICE_XML_TOO_LARGE": {"limit": 1048576},
    "INVOICE_XML_FORBIDDEN": {},
    "INVOICE_XML_MALFORMED": {"line": 3},
    "INVOICE_XML_TOO_COMPLEX": {"max_depth": 32, "max_elements": 50000},
    "INVOICE_XML_NOT_EINVOICE": {"root": "Invoice"},
    "INVOICE_XML_MISSING": {"field": "SellerInformation/SellerName"},
    "INVOICE_XML_INVALID": {"field": "BasicInformation/TotalTaxAm", "value": "9e2"},
}


@pytest.mark.parametrize("code", sorted(PARAMS))
def test_every_code_has_both_messages_with_exactly_its_params(code):
    zh, en = MESSAGES[code]
    for text in (zh, en):
        assert set(re.findall(r"{(\w+)}", text)) == set(PARAMS[code])
        text.format(**PARAMS[code])
        assert code not in text
    assert re.search(r"[\u4e00-\u9fff]", zh) and zh.endswith("。")
    assert en.endswith(".") and not re.search(r"[\u4e00-\u9fff]", en)
    assert str(InvoiceXmlError(code, **PARAMS[code])).startswith(code + ": ")
    assert set(MESSAGES) == set(PARAMS)


def test_validators_for_typed_numbers():
    assert is_digital_number("26112000000135114086")
    for s in ["2611200000013511408", "261120000001351140860", " 26112000000135114086", "２６１１２０００００１３５１１４０８６"]:
        assert not is_digital_number(s)
    assert is_legacy_code("1100201130") and is_legacy_code("011002100111")
    assert not any(is_legacy_code(s) for s in ["11002011", "11002011301", "1100201130a", ""])
    assert is_legacy_number("01234567")
    assert not any(is_legacy_number(s) for s in ["1234567", "123456789", "1234567O"])


@pytest.mark.parametrize(
    "amount, words",
    [
        ("100000.00", "壹拾万元整"),
        ("30000.05", "叁万元零伍分"),
        ("1234.56", "壹仟贰佰叁拾肆元伍角陆分"),
        ("10900.00", "壹万零玖佰元整"),
        ("1010.10", "壹仟零壹拾元壹角"),
        ("100010000.00", "壹亿零壹万元整"),
        ("10000001.00", "壹仟万零壹元整"),
        ("0.05", "伍分"),
        ("0.00", "零元整"),
        ("-500.00", "（负数）伍佰元整"),
    ],
)
def test_rmb_uppercase(amount, words):
    assert rmb_uppercase(D(amount)) == words


def test_numbers_are_fresh_and_valid():
    numbers = {next_number() for _ in range(1000)}
    assert len(numbers) == 1000 and all(is_digital_number(n) and n.startswith("26") for n in numbers)
