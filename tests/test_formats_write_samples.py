"""Invoices the team writes by hand (French B2B, credit note, multi-rate, foreign currency, public buyer):
each is consistent to the cent, and each passes the official rules of every format jalon writes."""

from __future__ import annotations

import datetime as dt
import io
from decimal import ROUND_HALF_UP, Decimal

import pytest

from jalon.formats import validation
from jalon.formats.cii import write_cii
from jalon.formats.model import (
    Address,
    AllowanceCharge,
    Attachment,
    Contact,
    Invoice,
    Line,
    Party,
    Payment,
    PrecedingInvoice,
    VatBreakdown,
)
from jalon.formats.ubl import write_ubl

CENT = Decimal("0.01")


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def seller() -> Party:
    return Party(
        name="Ateliers Jalon SAS",
        siren="732829320",
        siret="73282932000074",
        vat_id="FR44732829320",
        legal_form="SAS au capital de 50 000 EUR, RCS Lyon 732 829 320",
        address=Address(line1="12 rue de la Gare", city="Lyon", postcode="69002", country="FR"),
        contact=Contact(
            name="Service facturation", email="factures@ateliers-jalon.example", phone="+33 4 72 00 00 00"
        ),
        electronic_address="732829320",
        electronic_address_scheme="0225",
    )


def buyer() -> Party:
    return Party(
        name="Boulangerie Dupain SARL",
        siren="552100554",
        siret="55210055400013",
        vat_id="FR17552100554",
        identifiers=["CLI-0042"],
        address=Address(line1="3 place du Marché", city="Annecy", postcode="74000", country="FR"),
        electronic_address="552100554",
        electronic_address_scheme="0225",
    )


def make(
    lines: list[tuple[str, str, str, str]],
    *,
    number: str = "F2026-0001",
    type_code: str = "380",
    currency: str = "EUR",
    allowance: Decimal | None = None,
    prepaid: Decimal | None = None,
) -> Invoice:
    """An invoice from (name, quantity, unit price, VAT rate) lines, with every total computed to the cent."""
    inv = Invoice(
        number=number,
        issue_date=dt.date(2026, 9, 15),
        type_code=type_code,
        currency=currency,
        due_date=dt.date(2026, 10, 15),
        buyer_reference="SERVICE-ACHATS",
        purchase_order="PO-7781",
        seller=seller(),
        buyer=buyer(),
        payment=Payment(
            means_code="58", iban="FR7630006000011234567890189", bic="AGRIFRPP", remittance_info=number
        ),
        payment_terms="Paiement à 30 jours",
        penalty_rate_text="Pénalités de retard : trois fois le taux d'intérêt légal",
        recovery_indemnity_text="Indemnité forfaitaire pour frais de recouvrement : 40 EUR",
        early_payment_discount_text="Pas d'escompte pour paiement anticipé",
        operation_category="services",
        vat_on_debits=True,
    )
    by_rate: dict[Decimal, Decimal] = {}
    for index, (name, quantity, price, rate) in enumerate(lines, 1):
        net = _money(Decimal(quantity) * Decimal(price))
        inv.lines.append(
            Line(
                id=str(index),
                name=name,
                quantity=Decimal(quantity),
                unit="C62",
                net_price=Decimal(price),
                net_amount=net,
                vat_category="S",
                vat_rate=Decimal(rate),
            )
        )
        by_rate[Decimal(rate)] = by_rate.get(Decimal(rate), Decimal("0")) + net
    line_total = sum(by_rate.values(), Decimal("0"))
    if allowance is not None:
        top_rate = max(by_rate)
        inv.allowances_charges.append(
            AllowanceCharge(
                amount=allowance,
                vat_category="S",
                vat_rate=top_rate,
                reason="Remise fidélité",
                reason_code="95",
            )
        )
        by_rate[top_rate] -= allowance
    for rate, base in sorted(by_rate.items()):
        inv.vat_breakdown.append(
            VatBreakdown(category="S", rate=rate, taxable_amount=base, tax_amount=_money(base * rate / 100))
        )
    vat = sum((b.tax_amount for b in inv.vat_breakdown), Decimal("0"))
    exclusive = line_total - (allowance or Decimal("0"))
    inv.totals.line_total = line_total
    inv.totals.allowance_total = allowance
    inv.totals.tax_exclusive = exclusive
    inv.totals.vat_total = vat
    inv.totals.tax_inclusive = exclusive + vat
    inv.totals.prepaid = prepaid
    inv.totals.payable = exclusive + vat - (prepaid or Decimal("0"))
    return inv


def samples() -> dict[str, Invoice]:
    """The hand-made set, by name."""
    credit = make([("Avoir sur prestation", "2", "150.00", "20")], number="AV2026-0007", type_code="381")
    credit.preceding_invoices.append(PrecedingInvoice("F2026-0001", dt.date(2026, 9, 15)))
    usd = make([("Consulting", "10", "125.50", "20")], number="F2026-0100", currency="USD")
    usd.vat_currency = "EUR"
    usd.totals.vat_total_accounting = Decimal("231.45")
    public = make([("Maintenance annuelle", "1", "2400.00", "20")], number="F2026-0200")
    public.buyer.name = "Commune de Saint-Jalon"
    public.buyer_reference = "SERV-TECH-01"  # Chorus Pro service code
    with_doc = make([("Livraison de farine", "40", "1.255", "5.5")], number="F2026-0300")
    with_doc.operation_category = "goods"
    with_doc.attachments.append(
        Attachment(
            id="BL-2026-88",
            description="BON_LIVRAISON",
            content=b"%PDF-1.4 delivery note",
            mime_code="application/pdf",
            filename="bon-de-livraison.pdf",
        )
    )
    return {
        "simple": make([("Audit de sécurité", "3", "800.00", "20")]),
        "multi_rate": make(
            [
                ("Pain de campagne", "120", "2.35", "5.5"),
                ("Formation HACCP", "1", "450.00", "20"),
                ("Livre de recettes", "3", "19.90", "5.5"),
                ("Abonnement presse", "1", "12.00", "2.1"),
            ],
            number="F2026-0002",
            allowance=Decimal("25.00"),
        ),
        "credit_note": credit,
        "foreign_currency": usd,
        "public_buyer": public,
        "with_attachment": with_doc,
        "prepaid": make(
            [("Développement", "5", "650.00", "20")], number="F2026-0400", prepaid=Decimal("1000.00")
        ),
    }


def billing_tool_pdf(invoice: Invoice) -> bytes:
    """A plain PDF like a billing tool prints: base-14 Helvetica (not embedded), no XMP, no output intent."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.setFont("Helvetica", 11)
    page.setFillColorRGB(0.1, 0.2, 0.5)
    y = 800
    for text in (
        invoice.seller.name,
        f"Facture n° {invoice.number}",
        f"Date : {invoice.issue_date}",
        f"Client : {invoice.buyer.name}",
        f"Total TTC : {invoice.totals.tax_inclusive} {invoice.currency}",
    ):
        page.drawString(60, y, text or "")
        y -= 18
    page.showPage()
    page.save()
    return buffer.getvalue()


OUTPUTS = [
    ("cii-en16931", lambda i: write_cii(i, profile="EN16931"), "cii", "EN16931"),
    ("cii-en16931-br-fr", lambda i: write_cii(i, profile="EN16931", french=True), "cii", "EN16931+BR-FR"),
    (
        "facturx-basic-wl",
        lambda i: write_cii(i, profile="BASIC-WL", french=True),
        "facturx",
        "BASIC-WL+BR-FR",
    ),
    ("facturx-basic", lambda i: write_cii(i, profile="BASIC", french=True), "facturx", "BASIC+BR-FR"),
    ("facturx-en16931", lambda i: write_cii(i, profile="EN16931", french=True), "facturx", "EN16931+BR-FR"),
    (
        "facturx-extended",
        lambda i: write_cii(i, profile="EXTENDED", french=True),
        "facturx",
        "EXTENDED+BR-FR",
    ),
    ("cii-extended-ctc-fr", lambda i: write_cii(i, profile="EXTENDED-CTC-FR"), "cii", "EXTENDED-CTC-FR"),
    ("ubl", lambda i: write_ubl(i), "ubl", "EN16931"),
    ("ubl-br-fr", lambda i: write_ubl(i, french=True), "ubl", "EN16931+BR-FR"),
    ("ubl-extended-ctc-fr", lambda i: write_ubl(i, profile="EXTENDED-CTC-FR"), "ubl", "EXTENDED-CTC-FR"),
    ("peppol", lambda i: write_ubl(i, peppol=True), "peppol", "PEPPOL"),
]


@pytest.mark.parametrize(("output", "write", "fmt", "profile"), OUTPUTS, ids=[o[0] for o in OUTPUTS])
def test_every_hand_made_invoice_passes_the_official_rules_of_each_output(
    output, write, fmt, profile
) -> None:
    """What jalon sends in each format passes XSD and every official rule set of that format and profile."""
    failures = {}
    for name, invoice in samples().items():
        report = validation.check_output(write(invoice), fmt=fmt, profile=profile)
        if not report.valid:
            failures[name] = [f"{e.rule}: {e.message[:140]}" for e in report.errors[:4]]
        assert not report.skipped, report.skipped
    assert not failures, failures


def test_the_samples_add_up_to_the_cent() -> None:
    """Control: the hand-made totals are consistent (otherwise the official rules would rightly fail)."""
    for invoice in samples().values():
        t = invoice.totals
        assert sum(line.net_amount for line in invoice.lines) == t.line_total
        assert t.tax_exclusive + (t.vat_total or 0) == t.tax_inclusive
        assert sum(b.taxable_amount for b in invoice.vat_breakdown) == t.tax_exclusive


def test_a_peppol_invoice_whose_parties_give_e_mail_addresses_gets_endpoints_peppol_knows() -> None:
    """A billing tool's CII names e-mail endpoints (EM): Peppol has no such scheme; SIREN or VAT serve."""
    for name, invoice in samples().items():
        invoice.seller.electronic_address, invoice.seller.electronic_address_scheme = "ventes@acme.fr", "EM"
        invoice.buyer.electronic_address, invoice.buyer.electronic_address_scheme = "achats@client.fr", "EM"
        invoice.buyer.siren = None
        report = validation.check_output(write_ubl(invoice, peppol=True), fmt="peppol", profile="PEPPOL")
        assert report.valid, (name, [e.rule for e in report.errors])
        ubl = write_ubl(invoice, peppol=True).decode()
        assert 'schemeID="0002"' in ubl and 'schemeID="EM"' not in ubl
