"""An invoice that breaks a French mention, a total or a customer requirement is held with a clear finding."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

import pytest

from jalon.formats import rules
from jalon.formats.extract import ReadResult
from jalon.formats.model import Address, Attachment, Invoice, Line, Party, PrecedingInvoice, VatBreakdown

D = Decimal


def good_invoice() -> Invoice:
    """A French B2B invoice that says everything the law and EN 16931 ask for."""
    invoice = Invoice(
        number="F2026-0042",
        issue_date=dt.date(2026, 10, 1),
        due_date=dt.date(2026, 10, 31),
        currency="EUR",
        specification_id="urn:cen.eu:en16931:2017",
        profile="EN16931",
        source="xml",
        seller=Party(
            name="Atelier Lumière SARL",
            siren="732829320",
            siret="73282932000074",
            vat_id="FR44732829320",
            address=Address(line1="12 rue des Lilas", postcode="75011", city="Paris", country="FR"),
        ),
        buyer=Party(
            name="Maison Bertrand SARL",
            siren="303265045",
            vat_id="FR40303265045",
            address=Address(line1="4 avenue Jean Jaurès", postcode="69003", city="Lyon", country="FR"),
        ),
        lines=[
            Line(
                id="1",
                name="Conseil",
                quantity=D("2"),
                unit="DAY",
                net_price=D("500.00"),
                net_amount=D("1000.00"),
                vat_category="S",
                vat_rate=D("20"),
            )
        ],
        vat_breakdown=[
            VatBreakdown(category="S", rate=D("20"), taxable_amount=D("1000.00"), tax_amount=D("200.00"))
        ],
        penalty_rate_text="Pénalités de retard : trois fois le taux d'intérêt légal.",
        recovery_indemnity_text="Indemnité forfaitaire pour frais de recouvrement : 40 €.",
        operation_category="services",
    )
    t = invoice.totals
    t.line_total, t.tax_exclusive, t.vat_total, t.tax_inclusive, t.payable = (
        D("1000.00"),
        D("1000.00"),
        D("200.00"),
        D("1200.00"),
        D("1200.00"),
    )
    invoice.payment.means_code, invoice.payment.iban = "58", "FR7630006000011234567890189"
    return invoice


def errors(invoice: Invoice, requirements=None) -> set[str]:
    return {f.code for f in rules.check(invoice, requirements) if f.severity == "error"}


def test_a_complete_invoice_is_sent():
    """Nothing missing, everything adds up: no error, the decision is send."""
    findings = rules.check(good_invoice())
    assert [f for f in findings if f.severity == "error"] == []
    assert rules.decision(findings) == "send"


def _without(path: str):
    def change(invoice: Invoice) -> None:
        target, _, name = path.rpartition(".")
        obj = invoice
        for part in filter(None, target.split(".")):
            obj = getattr(obj, part)
        setattr(obj, name, "" if name == "number" else None)

    return change


@pytest.mark.parametrize(
    ("code", "change"),
    [
        ("invoice_number", _without("number")),
        ("issue_date", _without("issue_date")),
        ("due_date", _without("due_date")),
        ("penalty_rate", _without("penalty_rate_text")),
        ("recovery_indemnity", _without("recovery_indemnity_text")),
        ("seller_vat", _without("seller.vat_id")),
        ("seller_name", _without("seller.name")),
        ("buyer_name", _without("buyer.name")),
    ],
)
def test_each_missing_french_mention_holds_the_invoice_with_its_own_code(code, change):
    """Taking one mandatory mention away gives exactly that finding, as an error."""
    invoice = good_invoice()
    change(invoice)
    findings = rules.check(invoice)
    assert code in {f.code for f in findings if f.severity == "error"}
    assert rules.decision(findings) == "hold"
    message = next(f.message for f in findings if f.code == code)
    assert message[0].isupper() and message.endswith((".", ")"))


def test_a_seller_without_siren_or_siret_is_held():
    """The SIREN (or the SIRET that contains it) must be printed."""
    invoice = good_invoice()
    invoice.seller.siren = invoice.seller.siret = None
    assert "seller_siren" in errors(invoice)


def test_the_buyer_siren_is_required_from_the_reform_date_only():
    """From 1 September 2026 the buyer's SIREN is a mandatory mention; before, it is only noted."""
    invoice = good_invoice()
    invoice.buyer.siren = None
    assert "buyer_siren" in errors(invoice)
    invoice.issue_date, invoice.due_date = dt.date(2026, 6, 1), dt.date(2026, 7, 1)
    assert "buyer_siren" not in errors(invoice)
    assert any(f.code == "buyer_siren" and f.severity == "info" for f in rules.check(invoice))


def test_a_buyer_in_another_eu_country_needs_its_vat_number():
    """Intra-EU business customers must show their VAT number; French ones need their SIREN instead."""
    invoice = good_invoice()
    invoice.buyer = Party(
        name="Müller GmbH",
        address=Address(line1="Hauptstraße 1", postcode="80331", city="München", country="DE"),
    )
    assert "buyer_vat" in errors(invoice)
    assert "buyer_siren" not in errors(invoice)
    invoice.buyer.vat_id = "DE136695976"
    assert "buyer_vat" not in errors(invoice)


def test_vat_numbers_with_wrong_check_digits_are_errors():
    """A VAT number printed with a wrong key would be rejected by the buyer's tax system."""
    invoice = good_invoice()
    invoice.seller.vat_id = "FR45732829320"
    assert "seller_vat" in errors(invoice)


def test_totals_that_do_not_add_up_to_the_cent_are_inconsistent():
    """HT + TVA != TTC by one cent is enough; the message gives the amounts and the rule."""
    invoice = good_invoice()
    invoice.totals.tax_inclusive = invoice.totals.payable = D("1200.01")
    findings = [f for f in rules.check(invoice) if f.code == "totals_inconsistent"]
    assert findings and findings[0].severity == "error"
    assert any(f.rule == "BR-CO-15" and "1 200.01" in f.message for f in findings)


def test_lines_that_do_not_add_up_to_the_total_are_inconsistent():
    """Σ line amounts must equal the sum of lines (BR-CO-10)."""
    invoice = good_invoice()
    invoice.lines[0].net_amount = D("999.99")
    assert {f.rule for f in rules.check(invoice) if f.code == "totals_inconsistent"} >= {"BR-CO-10"}


def test_a_due_date_before_the_issue_date_is_an_error():
    invoice = good_invoice()
    invoice.due_date = dt.date(2026, 9, 1)
    assert "due_date" in errors(invoice)


def test_what_the_customer_requires_is_checked():
    """PO number, buyer reference (Chorus service code) and supporting documents, from the directory."""
    invoice = good_invoice()
    requirements = rules.Requirements(
        requires_po=True,
        requires_buyer_reference=True,
        is_public_buyer=True,
        required_documents=["timesheet"],
    )
    found = {f.code: f for f in rules.check(invoice, requirements)}
    assert found["purchase_order"].severity == "error"
    assert "Chorus" in found["buyer_reference"].message
    assert found["supporting_documents"].severity == "error"
    invoice.purchase_order, invoice.buyer_reference = "EJ1234567890", "SERV-ACHATS"
    invoice.attachments.append(Attachment(id="timesheet", description="timesheet"))
    assert errors(invoice, requirements) == set()


def test_requirements_come_from_a_directory_row():
    """The directory's customer row (public buyer, PO required…) becomes the requirements of the check."""
    row = {
        "requires_po": True,
        "public_buyer": True,
        "requires_buyer_reference": False,
        "required_documents": [],
        "country": "FR",
        "settings": {},
    }
    requirements = rules.Requirements.from_customer(row, documents_present=["timesheet"])
    assert requirements.requires_po and requirements.is_public_buyer
    assert requirements.documents_present == ["timesheet"]
    assert "purchase_order" in errors(good_invoice(), requirements)


def test_a_credit_note_should_name_the_invoice_it_corrects():
    """An avoir without its original invoice number gets a warning, not a hold."""
    invoice = good_invoice()
    invoice.type_code = "381"
    assert any(f.code == "credit_note_reference" and f.severity == "warning" for f in rules.check(invoice))
    invoice.preceding_invoices.append(PrecedingInvoice(number="F2026-0001"))
    assert not any(f.code == "credit_note_reference" for f in rules.check(invoice))


def test_a_credit_note_is_not_held_for_payment_terms_it_has_no_use_for():
    """An avoir owes the buyer money: no due date, late-payment penalty nor 40 € indemnity is asked of it
    (EN 16931 BR-CO-25 asks a due date only when an amount is due), while an invoice without them is held."""
    invoice = good_invoice()
    invoice.due_date = None
    invoice.penalty_rate_text = invoice.recovery_indemnity_text = None
    assert {"due_date", "penalty_rate", "recovery_indemnity"} <= errors(invoice)
    invoice.type_code = "381"
    invoice.preceding_invoices.append(PrecedingInvoice(number="F2026-0001"))
    assert not {"due_date", "penalty_rate", "recovery_indemnity"} & errors(invoice)


def test_an_invoice_paid_in_advance_needs_no_due_date():
    """Nothing left to pay (the deposit covered it all, BT-115 = 0): no due date is asked (BR-CO-25)."""
    invoice = good_invoice()
    invoice.due_date = None
    assert "due_date" in errors(invoice)
    invoice.totals.prepaid, invoice.totals.payable = invoice.totals.tax_inclusive, Decimal("0")
    assert "due_date" not in errors(invoice)


def test_an_invoice_payable_on_receipt_needs_no_separate_due_date():
    """ "Paiement à réception de facture" says when payment is due (BT-20 meets BR-CO-25): no hold for a due
    date; "30 jours fin de mois" printed without its date still asks for the date."""
    invoice = good_invoice()
    invoice.due_date = None
    invoice.payment_terms = "à réception de facture"
    assert "due_date" not in errors(invoice)
    invoice.payment_terms = "30 jours fin de mois"
    assert "due_date" in errors(invoice)


def test_a_text_read_invoice_is_not_held_for_what_a_pdf_cannot_show():
    """From PDF text, no lines nor specification id are expected; the legal mentions still are."""
    invoice = good_invoice()
    invoice.source = "text"
    invoice.lines, invoice.specification_id, invoice.profile = [], None, None
    invoice.confidence = {
        k: 0.95 for k in ("total_without_vat", "total_with_vat", "total_vat", "invoice_number")
    }
    assert errors(invoice) == set()
    invoice.penalty_rate_text = None
    found = {f.code: f for f in rules.check(invoice)}
    assert found["penalty_rate"].message.endswith("was not found on the invoice.")


def test_an_unreadable_invoice_is_held_with_the_reason():
    """A scan, an encrypted PDF or hostile XML: one finding, unreadable, with the reader's reason."""
    findings = rules.check_result(ReadResult(None, "none", "encrypted PDF: a password is needed to open it"))
    assert [f.code for f in findings] == ["unreadable"]
    assert "password" in findings[0].message
    assert rules.decision(findings) == "hold"


def test_warnings_alone_do_not_hold():
    """Late-payment terms over 60 days are flagged, but the invoice still leaves."""
    invoice = good_invoice()
    invoice.due_date = dt.date(2027, 1, 15)
    findings = rules.check(invoice)
    assert any(f.code == "payment_terms" and f.severity == "warning" for f in findings)
    assert rules.decision(findings) == "send"


def test_check_does_not_change_the_invoice():
    """Checking is read-only: the invoice stored is the invoice read."""
    invoice = good_invoice()
    before = copy.deepcopy(invoice)
    rules.check(invoice, rules.Requirements(requires_po=True))
    assert invoice == before
