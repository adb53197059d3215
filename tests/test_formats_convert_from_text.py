"""Invoices read from PDF text become structured outputs that pass the official rules, freight and all.

A billing tool prints freight or a discount between the items and the totals, and a delivery address without
its country: the Factur-X / CII / UBL made from it must carry them (BG-20/21, BT-80), or the official rules
refuse the output and the invoice waits for a person.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from jalon.formats import convert, validation
from jalon.formats.completion import complete
from jalon.formats.extract import read_invoice

BLIND2 = Path(__file__).resolve().parent / "data" / "invoices_blind2"
BLIND1 = Path(__file__).resolve().parent / "data" / "invoices_blind"


@pytest.mark.parametrize("fmt", ["cii", "ubl"])
def test_freight_printed_under_the_items_is_a_document_level_charge(fmt: str) -> None:
    """Lines 9,541.61 + "Freight & insurance" 522.77 = total 10,064.38: charge read, output valid."""
    invoice = read_invoice((BLIND2 / "rl_export_1.pdf").read_bytes()).invoice
    assert invoice is not None
    charges = [(ac.is_charge, ac.amount, ac.reason) for ac in invoice.allowances_charges]
    assert charges == [(True, Decimal("522.77"), "Freight & insurance")]
    assert invoice.totals.charge_total == Decimal("522.77")
    report = validation.check_output(convert.write(invoice, fmt), fmt=fmt, profile="EN16931")
    assert report.valid, [e.rule for e in report.errors]


def _wholesale_pdf(
    summary: tuple[str, ...] = ("117,60", "6,47", "211,00", "42,20", "48,67", "377,27"),
) -> bytes:
    """A one-page wholesale invoice: lines coded A (5,5 %) and B (20 %), a 2 % discount and freight."""
    import io

    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    rows = [
        ("Grossiste du Port SARL", "", "", "", "", ""),
        ("12 quai des Chartrons, 33000 Bordeaux", "", "", "", "", ""),
        ("Facture n° FG-1042 du 02/11/2026", "", "", "", "", ""),
        ("Client : Bistrot du Marché, 4 rue Neuve, 69002 Lyon", "", "", "", "", ""),
        ("Désignation", "Qté", "PU HT", "Code TVA", "Montant HT", ""),
        ("Jus de pomme 1 L x6", "10", "12,00", "A", "120,00", ""),
        ("Vin rouge 75 cl x6", "5", "40,00", "B", "200,00", ""),
        ("", "", "", "Sous-total", "320,00", ""),
        ("", "", "", "Remise 2 %", "-6,40", ""),
        ("", "", "", "Frais de port", "15,00", ""),
        ("", "", "", "Total HT", "328,60", ""),
        ("Code", "Taux", "Base HT", "TVA", "", ""),
        ("A", "5,5 %", summary[0], summary[1], "", ""),
        ("B", "20 %", summary[2], summary[3], "", ""),
        ("", "", "", "Total TVA", summary[4], ""),
        ("", "", "", "Total TTC", summary[5], ""),
        (
            "Code A : TVA 5,5 % – Code B : TVA 20 %. SIRET 552 100 554 00025 – TVA FR27552100554",
            "",
            "",
            "",
            "",
            "",
        ),
    ]
    for index, row in enumerate(rows):
        for x, text in zip((40, 250, 300, 360, 450, 520), row, strict=True):
            page.drawString(x, 800 - 22 * index, text)
    page.save()
    return buffer.getvalue()


def test_discount_and_freight_are_split_by_rate_when_every_rate_balances() -> None:
    """2 % off each rate's lines, the freight at the one rate that makes the summary's bases: 5,5 % gets
    -2,40, 20 % gets -4,00 and the freight 15,00: the official rules on sums and bases by rate pass."""
    invoice = read_invoice(_wholesale_pdf()).invoice
    assert invoice is not None
    found = sorted((ac.is_charge, ac.amount, ac.vat_rate) for ac in invoice.allowances_charges)
    assert found == [
        (False, Decimal("2.40"), Decimal("5.5")),
        (False, Decimal("4.00"), Decimal("20")),
        (True, Decimal("15.00"), Decimal("20")),
    ]
    report = validation.check_output(convert.write(invoice, "cii"), fmt="cii", profile="EN16931")
    sums = {"BR-CO-10", "BR-CO-11", "BR-CO-12", "BR-CO-13", "BR-CO-15", "BR-S-08"}
    assert not sums & {e.rule for e in report.errors}  # the sketch lacks addresses: only the sums are asked


def test_figures_that_do_not_balance_give_no_charge() -> None:
    """The same totals, but a VAT summary whose bases no split of discount and freight can make (120,60 at
    5,5 %, 208,00 at 20 %): none is guessed, so the output is refused and the invoice waits for a person."""
    invoice = read_invoice(_wholesale_pdf(("120,60", "6,63", "208,00", "41,60", "48,23", "376,83"))).invoice
    assert invoice is not None
    assert sorted(bd.taxable_amount for bd in invoice.vat_breakdown) == [Decimal("120.60"), Decimal("208.00")]
    assert invoice.allowances_charges == []


def test_a_delivery_address_without_country_is_in_the_buyers_country() -> None:
    """The delivery block prints no country: the output says the buyer's (BR-57) and passes the rules."""
    invoice = read_invoice((BLIND1 / "quickbooks_01.pdf").read_bytes()).invoice
    assert invoice is not None
    assert (
        invoice.delivery.address.postcode
        and invoice.delivery.address.country == invoice.buyer.address.country
    )
    report = validation.check_output(convert.write(invoice, "cii"), fmt="cii", profile="EN16931")
    assert report.valid, [e.rule for e in report.errors]


TEAM = Path(__file__).resolve().parent / "data" / "invoices"


@pytest.mark.parametrize("fmt", ["cii", "ubl"])
def test_an_intra_community_supply_read_from_text_passes_the_official_rules(fmt: str) -> None:
    """0 % lines under "Exonération … art. 262 ter I" are category K; the goods go to the buyer's country,
    supplied on the invoice's date (French law prints that date only when it differs): BR-IC-01…12 pass."""
    invoice = read_invoice((TEAM / "classic_fr-04-foreign_eu.pdf").read_bytes()).invoice
    assert invoice is not None
    completed = complete(invoice)
    assert {line.vat_category for line in completed.lines} == {"K"}
    assert completed.delivery.address.country == "LU"
    assert completed.delivery.date == invoice.issue_date
    report = validation.check_output(convert.write(invoice, fmt), fmt=fmt, profile="EN16931")
    assert report.valid, [e.rule for e in report.errors]


@pytest.mark.parametrize(
    ("folder", "name", "categories"),
    [
        (TEAM, "uk_ordinal-01-gbp.pdf", {"G"}),  # export outside the EU, in pounds
        (BLIND1, "quickbooks_02.pdf", {"S", "Z"}),  # 20 % lines and zero-rated books
    ],
)
def test_lines_with_a_printed_rate_take_that_rates_category(folder: Path, name: str, categories: set) -> None:
    """A line printed at 0 % on an invoice whose summary says "zero-rated" or "export" is that category."""
    invoice = read_invoice((folder / name).read_bytes()).invoice
    assert invoice is not None
    report = validation.check_output(convert.write(invoice, "cii"), fmt="cii", profile="EN16931")
    assert report.valid, [e.rule for e in report.errors]
    assert {line.vat_category for line in complete(invoice).lines} == categories


def test_a_buyer_address_without_country_is_in_the_sellers_country() -> None:
    """A Swiss seller bills "Commune de Martigny, 1920 Martigny": domestic: no country line (BR-11)."""
    invoice = read_invoice((BLIND2 / "fp_swiss_4.pdf").read_bytes()).invoice
    assert invoice is not None
    assert (invoice.seller.address.country, invoice.buyer.address.country) == ("CH", "CH")
    report = validation.check_output(convert.write(invoice, "cii"), fmt="cii", profile="EN16931")
    assert report.valid, [e.rule for e in report.errors]


def test_a_seller_without_vat_number_is_identified_by_its_siren_for_exempt_lines() -> None:
    """A micro-entrepreneur ("TVA non applicable, art. 293 B du CGI") prints a SIRET, no VAT number: its
    SIREN is the seller's tax registration (BT-32), so BR-E-02 passes and the invoice is not held."""
    invoice = read_invoice((BLIND2 / "fp_micro_1.pdf").read_bytes()).invoice
    assert invoice is not None and invoice.seller.vat_id is None
    assert complete(invoice).seller.tax_registration_id == invoice.seller.siren
    for fmt in ("cii", "ubl"):
        report = validation.check_output(convert.write(invoice, fmt), fmt=fmt, profile="EN16931")
        assert report.valid, (fmt, [e.rule for e in report.errors])


def test_an_energy_bill_reads_its_metered_lines_in_kwh() -> None:
    """ "Consommation électricité — 475 kWh | 475 kWh | 0,1832 | 87,02 €": quantity and unit in one cell
    (KWH, MON for "1 mois"), so the four lines make the total and the CII passes the official rules."""
    invoice = read_invoice((BLIND1 / "utility_01.pdf").read_bytes()).invoice
    assert invoice is not None
    units = [(line.quantity, line.unit, line.net_amount) for line in invoice.lines]
    assert (Decimal("475"), "KWH", Decimal("87.02")) in units
    assert (Decimal("1"), "MON", Decimal("36.19")) in units
    assert sum(line.net_amount for line in invoice.lines) == invoice.totals.tax_exclusive
    report = validation.check_output(convert.write(invoice, "cii"), fmt="cii", profile="EN16931")
    assert report.valid, [e.rule for e in report.errors]


def test_a_vat_column_of_bare_rates_gives_each_line_its_rate() -> None:
    """A 48-line, two-page wholesale invoice prints "TVA %" as 20, 5,5, 10 without the sign: each line gets
    its rate, the lines of each rate make that rate's base, and the CII passes BR-S-08."""
    invoice = read_invoice((BLIND1 / "multipage_01.pdf").read_bytes()).invoice
    assert invoice is not None and len(invoice.lines) == 48
    assert all(line.vat_rate is not None for line in invoice.lines)
    # the items are grouped under "Bon de livraison BL… du …" headings: a heading is not a description
    assert not [line.name for line in invoice.lines if "livraison" in line.name.lower()]
    for bd in invoice.vat_breakdown:
        assert sum(line.net_amount for line in invoice.lines if line.vat_rate == bd.rate) == bd.taxable_amount
    report = validation.check_output(convert.write(invoice, "cii"), fmt="cii", profile="EN16931")
    assert report.valid, [e.rule for e in report.errors]


def test_vat_codes_are_read_through_the_invoices_own_legend() -> None:
    """ "Code A : TVA 5,5 % – Code B : TVA 20 %": the juices under code A are at 5,5 %, the wines under B at
    20 %, and the code letter no longer ends up in the description."""
    invoice = read_invoice((BLIND2 / "lo_grossiste_1.pdf").read_bytes()).invoice
    assert invoice is not None
    rates = {line.name: line.vat_rate for line in invoice.lines}
    assert rates["Jus de pomme artisanal 1 L x6 carton"] == Decimal("5.5")
    assert rates["Vin rouge AOP Madiran 75 cl x6 carton"] == Decimal("20")
    # its 2,5 % discount shared by rate, its freight at 20 %: the whole invoice passes the official rules
    report = validation.check_output(convert.write(invoice, "cii"), fmt="cii", profile="EN16931")
    assert report.valid, [e.rule for e in report.errors]


def test_a_deposit_received_is_not_taken_for_the_invoice_total() -> None:
    """ "Total 185,46 € | Acompte reçu le 29/03/2026 -55,64 € | Net à payer 129,82 €" with no VAT charged:
    the invoice is 185,46, of which 55,64 paid, 129,82 due (BT-112, BT-113, BT-115)."""
    invoice = read_invoice((BLIND2 / "fp_micro_3.pdf").read_bytes()).invoice
    assert invoice is not None
    totals = invoice.totals
    assert (totals.tax_exclusive, totals.tax_inclusive) == (Decimal("185.46"), Decimal("185.46"))
    assert (totals.prepaid, totals.payable) == (Decimal("55.64"), Decimal("129.82"))
    report = validation.check_output(convert.write(invoice, "cii"), fmt="cii", profile="EN16931")
    assert report.valid, [e.rule for e in report.errors]
