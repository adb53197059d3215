"""cXML InvoiceDetailRequest (Coupa, Ariba) and GS1 XML invoices: written from the model, read back the same
for what each carries, and a cXML's DTD reference is never followed."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_formats_write_samples import samples
from test_formats_xml_hostile import Tripwire

from jalon.formats import cxml, gs1, syntax, validation, xmlsafe

CARRIED = (
    "number",
    "type_code",
    "issue_date",
    "due_date",
    "currency",
    "purchase_order",
    "buyer_reference",
    "payment_terms",
    "vat_breakdown",
    "preceding_invoices",
)


def _same_lines(a, b) -> bool:
    keys = ("id", "name", "quantity", "unit", "net_price", "net_amount", "vat_category", "vat_rate")
    return [[getattr(x, k) for k in keys] for x in a.lines] == [
        [getattr(x, k) for k in keys] for x in b.lines
    ]


@pytest.mark.parametrize(
    ("write", "read", "kind"),
    [(cxml.write_cxml, cxml.read_cxml, "cxml"), (gs1.write_gs1, gs1.read_gs1, "gs1")],
    ids=["cxml", "gs1"],
)
def test_model_to_format_to_model_keeps_what_the_format_carries(write, read, kind) -> None:
    """Every hand-made invoice (credit note included) comes back with its number, dates, references, VAT
    breakdown, totals, lines and parties' identifiers."""
    for name, invoice in samples().items():
        data = write(invoice)
        assert syntax.sniff(data) == kind
        back = read(data)
        for field in CARRIED:
            assert getattr(back, field) == getattr(invoice, field), (name, field)
        expected_totals = invoice.totals
        if kind == "gs1":
            expected_totals.vat_total_accounting = None  # GS1 XML does not carry BT-111
        else:  # cXML: the tax Money's alternate amount and currency
            assert back.vat_currency == invoice.vat_currency, name
        assert back.totals == expected_totals, name
        assert _same_lines(back, invoice), name
        for role in ("seller", "buyer"):
            mine, theirs = getattr(back, role), getattr(invoice, role)
            assert (mine.name, mine.vat_id, mine.siren, mine.siret, mine.address) == (
                theirs.name,
                theirs.vat_id,
                theirs.siren,
                theirs.siret,
                theirs.address,
            ), (name, role)
        assert back.recovery_indemnity_text == invoice.recovery_indemnity_text
        report = validation.validate(data)
        assert report.valid and report.format == kind, report.as_dict()


def test_a_cxml_names_its_dtd_which_is_never_fetched_nor_read(tmp_path: Path) -> None:
    """cXML must carry its DOCTYPE; jalon accepts that one form without loading it, even when it points at
    a local file, and still refuses an internal subset."""
    wire = Tripwire(tmp_path / "cXML.dtd")
    try:
        data = cxml.write_cxml(samples()["simple"]).replace(
            b"http://xml.cxml.org/schemas/cXML/1.2.060/InvoiceDetail.dtd", wire.path.as_uri().encode()
        )
        assert cxml.read_cxml(data).number == "F2026-0001"
        assert not wire.opened.wait(0.3)
    finally:
        wire.close()
    evil = data.replace(b'.dtd">', b'.dtd" [<!ENTITY x SYSTEM "file:///etc/passwd">]>')
    with pytest.raises(xmlsafe.HostileXML):
        cxml.read_cxml(evil)
    assert validation.validate(evil).errors[0].rule == "HOSTILE-XML"


def test_a_cxml_without_invoice_detail_is_refused_clearly() -> None:
    """A cXML OrderRequest is not an invoice: the reader says so."""
    with pytest.raises(ValueError, match="InvoiceDetailRequest"):
        cxml.read_cxml(b"<cXML><Request><OrderRequest/></Request></cXML>")
    with pytest.raises(ValueError, match="GS1"):
        gs1.read_gs1(b'<invoice:invoiceMessage xmlns:invoice="urn:gs1:ecom:invoice:xsd:3"/>')


def test_cxml_carries_the_document_allowances_and_charges_and_its_sums_add_up() -> None:
    """Coupa or Ariba checks Gross = Subtotal + Tax and Net = Gross + charges - allowances: each document
    allowance and charge travels as a modification with its reason, and reads back."""
    from decimal import Decimal

    from jalon.formats.model import AllowanceCharge

    invoice = samples()["multi_rate"]
    charge = AllowanceCharge(
        True, Decimal("0.00"), reason="Frais de port", reason_code="FC", vat_category="S"
    )
    invoice.allowances_charges.append(charge)  # a zero charge keeps the hand-made totals to the cent
    root = xmlsafe.parse(cxml.write_cxml(invoice), allow_doctype_system=True)
    summary = root.find("Request/InvoiceDetailRequest/InvoiceDetailSummary")

    def money(path: str) -> Decimal:
        return Decimal(summary.find(f"{path}/Money").text)

    assert money("GrossAmount") == money("SubtotalAmount") + money("Tax")
    assert money("NetAmount") == money("GrossAmount") + money("TotalCharges") - money("TotalAllowances")
    assert money("NetAmount") == invoice.totals.tax_inclusive
    back = cxml.read_cxml(cxml.write_cxml(invoice))
    assert [
        (a.is_charge, a.amount, a.reason, a.reason_code, a.vat_category) for a in back.allowances_charges
    ] == [
        (a.is_charge, a.amount, a.reason, a.reason_code, a.vat_category) for a in invoice.allowances_charges
    ]


def test_an_output_whose_sums_do_not_add_up_read_back_is_not_valid() -> None:
    """No official rules for cXML or GS1 here: the totals read back must still add up (EN 16931 sums)."""
    from decimal import Decimal

    invoice = samples()["simple"]
    good = cxml.write_cxml(invoice)
    invoice.totals.tax_inclusive += Decimal("10.00")  # a writer that got the total wrong
    bad = cxml.write_cxml(invoice)
    assert validation.check_output(good, fmt="cxml").valid
    report = validation.check_output(bad, fmt="cxml")
    assert not report.valid and {e.rule for e in report.errors} & set(validation.SUM_RULES)


def test_gs1_carries_the_document_allowances_and_charges() -> None:
    """Each document allowance and charge, with its reason and VAT, comes back from the GS1 invoice."""
    from decimal import Decimal

    from jalon.formats.model import AllowanceCharge

    invoice = samples()["multi_rate"]
    invoice.allowances_charges.append(
        AllowanceCharge(True, Decimal("0.00"), reason="Frais de port", reason_code="FC", vat_category="S")
    )
    invoice.totals.charge_total = Decimal("0.00")  # BT-108 goes with a charge (BR-CO-12)
    back = gs1.read_gs1(gs1.write_gs1(invoice))
    fields = ("is_charge", "amount", "reason", "reason_code", "vat_category", "vat_rate")
    assert [tuple(getattr(a, f) for f in fields) for a in back.allowances_charges] == [
        tuple(getattr(a, f) for f in fields) for a in invoice.allowances_charges
    ]
    assert validation.check_output(gs1.write_gs1(invoice), fmt="gs1").valid


def test_cxml_gives_the_vat_in_the_accounting_currency_as_the_tax_alternate_amount() -> None:
    """An invoice in USD whose VAT is accounted in EUR (BT-6, BT-111): Coupa and Ariba read the EUR VAT from
    the tax Money's alternateAmount and alternateCurrency, and it reads back."""
    from decimal import Decimal

    invoice = next(i for i in samples().values() if i.vat_currency and i.vat_currency != i.currency)
    root = xmlsafe.parse(cxml.write_cxml(invoice), allow_doctype_system=True)
    money = root.find("Request/InvoiceDetailRequest/InvoiceDetailSummary/Tax/Money")
    assert money.get("currency") == invoice.currency == "USD"
    assert (money.get("alternateCurrency"), Decimal(money.get("alternateAmount"))) == (
        "EUR",
        invoice.totals.vat_total_accounting,
    )
    back = cxml.read_cxml(cxml.write_cxml(invoice))
    assert (back.vat_currency, back.totals.vat_total_accounting) == ("EUR", Decimal("231.45"))
