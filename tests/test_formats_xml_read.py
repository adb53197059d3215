"""Reading structured invoices: every CII, UBL and Factur-X example of the corpus gives the XML's facts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import corpus
from lxml import etree

from jalon.formats import facturx, syntax
from jalon.formats.cii import read_cii
from jalon.formats.ubl import read_ubl

CII_DIRS = ("examples/cii", "examples/facturx-xml", "examples/fr-ctc")
UBL_DIRS = ("examples/ubl", "examples/peppol", "examples/fr-ctc")


def _files(dirs: tuple[str, ...], kinds: set[str]) -> list[Path]:
    root = corpus("einvoice")
    found = []
    for folder in dirs:
        for path in sorted((root / folder).iterdir()):
            if path.is_file() and path.suffix.lower() == ".xml" and syntax.sniff(path.read_bytes()) in kinds:
                found.append(path)
    return found


def _xpath_value(root: etree._Element, *names: str) -> str | None:
    """An independent look-up by local names only (no namespace, no jalon code)."""
    expr = "/".join(f"*[local-name()='{n}']" for n in names)
    hits = root.xpath("./" + expr)
    return hits[0].text.strip() if hits and hits[0].text else None


def _cii_facts(root: etree._Element) -> dict[str, object]:
    settlement = ["SupplyChainTradeTransaction", "ApplicableHeaderTradeSettlement"]
    if etree.QName(root).localname == "CrossIndustryDocument":
        settlement = ["SpecifiedSupplyChainTradeTransaction", "ApplicableSupplyChainTradeSettlement"]
        doc, agreement = "HeaderExchangedDocument", "ApplicableSupplyChainTradeAgreement"
        sums = "SpecifiedTradeSettlementMonetarySummation"
    else:
        doc, agreement = "ExchangedDocument", "ApplicableHeaderTradeAgreement"
        sums = "SpecifiedTradeSettlementHeaderMonetarySummation"
    issue = _xpath_value(root, doc, "IssueDateTime", "DateTimeString")
    return {
        "number": _xpath_value(root, doc, "ID"),
        "issue": dt.datetime.strptime(issue, "%Y%m%d").date() if issue else None,
        "seller": _xpath_value(root, settlement[0], agreement, "SellerTradeParty", "Name"),
        "buyer": _xpath_value(root, settlement[0], agreement, "BuyerTradeParty", "Name"),
        "grand": _xpath_value(root, *settlement, sums, "GrandTotalAmount"),
        "basis": _xpath_value(root, *settlement, sums, "TaxBasisTotalAmount"),
    }


def test_every_cii_example_reads_with_the_numbers_dates_and_parties_of_its_xml() -> None:
    """Any CII of the corpus (Factur-X profiles, ZUGFeRD, XRechnung) reads with its own facts."""
    files = _files(CII_DIRS, {"cii", "zugferd1"})
    assert len(files) >= 25
    for path in files:
        data = path.read_bytes()
        invoice = read_cii(data)
        facts = _cii_facts(etree.fromstring(data.removeprefix(b"\xef\xbb\xbf")))
        assert invoice.source == "xml"
        assert invoice.number == facts["number"], path.name
        if invoice.issue_date is not None or facts["issue"] is not None:
            assert invoice.issue_date == facts["issue"], path.name
        assert invoice.seller.name == facts["seller"], path.name
        assert invoice.buyer.name == facts["buyer"], path.name
        assert invoice.totals.tax_inclusive == Decimal(facts["grand"] or "0"), path.name
        assert invoice.totals.tax_exclusive == Decimal(facts["basis"] or "0"), path.name
        assert invoice.profile, path.name


def test_every_ubl_example_reads_with_its_totals_and_parties() -> None:
    """UBL invoices and credit notes (EN 16931, Peppol BIS 3, French CTC) read into the same model."""
    files = _files(UBL_DIRS, {"ubl"})
    assert len(files) >= 25
    for path in files:
        data = path.read_bytes()
        invoice = read_ubl(data)
        root = etree.fromstring(data)
        party = ["AccountingSupplierParty", "Party", "PartyLegalEntity", "RegistrationName"]
        assert invoice.number == _xpath_value(root, "ID"), path.name
        assert invoice.issue_date == dt.date.fromisoformat(_xpath_value(root, "IssueDate") or ""), path.name
        assert invoice.seller.name == _xpath_value(root, *party), path.name
        assert invoice.totals.payable == Decimal(
            _xpath_value(root, "LegalMonetaryTotal", "PayableAmount") or ""
        ), path.name
        line_tag = "InvoiceLine" if invoice.doc_type == "invoice" else "CreditNoteLine"
        assert len(invoice.lines) == len(root.xpath(f"./*[local-name()='{line_tag}']")), path.name
        assert sum(b.tax_amount for b in invoice.vat_breakdown) == invoice.totals.vat_total, path.name


def test_a_credit_note_is_a_credit_note_and_keeps_its_preceding_invoice() -> None:
    """A UBL CreditNote says credit_note, with the invoice it corrects."""
    invoice = read_ubl((corpus("einvoice", "examples/peppol/base-creditnote-correction.xml")).read_bytes())
    assert invoice.doc_type == "credit_note"
    assert invoice.preceding_invoices and invoice.preceding_invoices[0].number


def test_french_mentions_come_out_of_the_notes_and_the_business_process() -> None:
    """The French CTC example's PMT/PMD/AAB notes and BT-23 fill the mentions the checks look for."""
    invoice = read_ubl(corpus("einvoice", "examples/fr-ctc/akretion-ubl-21-extended-ctc-fr.xml").read_bytes())
    assert invoice.profile == "EXTENDED-CTC-FR"
    assert invoice.recovery_indemnity_text and "40" in invoice.recovery_indemnity_text
    assert invoice.penalty_rate_text and "pénalité" in invoice.penalty_rate_text
    assert invoice.early_payment_discount_text
    assert invoice.operation_category == "services"  # BT-23 = S1
    assert (
        invoice.seller.siren
        and invoice.seller.siret
        and invoice.seller.siret.startswith(invoice.seller.siren)
    )


@pytest.mark.parametrize(
    ("name", "profile"),
    [
        ("factur-x-minimum.xml", "MINIMUM"),
        ("factur-x-basicwl.xml", "BASIC-WL"),
        ("factur-x-basic.xml", "BASIC"),
        ("factur-x-en16931.xml", "EN16931"),
        ("factur-x-extended.xml", "EXTENDED"),
        ("zugferd1-comfort.xml", "ZUGFERD1-COMFORT"),
    ],
)
def test_the_profile_is_recognised_from_the_guideline(name: str, profile: str) -> None:
    """Validation picks its rule sets by profile: each Factur-X level is named the same way."""
    invoice = read_cii(corpus("einvoice", "examples/facturx-xml", name).read_bytes())
    assert invoice.profile == profile


def test_a_bad_date_in_a_line_costs_that_date_only() -> None:
    """The ZUGFeRD 1 EXTENDED sample has a line period '20139102': the invoice still reads, with a warning."""
    invoice = read_cii(corpus("einvoice", "examples/facturx-xml/zugferd1-extended.xml").read_bytes())
    assert invoice.number and invoice.totals.tax_inclusive > 0
    assert any("20139102" in w for w in invoice.reader_warnings)


def test_every_factur_x_pdf_gives_its_embedded_invoice_xml() -> None:
    """Factur-X, ZUGFeRD 2.1 and XRechnung-in-PDF samples: the embedded XML is found and reads."""
    pdfs = sorted(corpus("einvoice", "examples/facturx-pdf").glob("*.pdf"))
    assert len(pdfs) >= 10
    for path in pdfs:
        found = facturx.embedded_xml(path.read_bytes())
        assert found is not None, path.name
        name, xml = found
        assert name.lower().endswith(".xml")
        invoice = syntax.read_xml(xml)
        assert invoice.number and invoice.totals.payable is not None, path.name


def test_a_pdf_without_xml_gives_none_and_a_broken_pdf_a_clear_error() -> None:
    """Plain PDFs have no embedded invoice; garbage and truncated PDFs raise ValueError, never crash."""
    for path in sorted(corpus("einvoice", "examples/plain-pdf").glob("*.pdf")):
        assert facturx.embedded_xml(path.read_bytes()) is None
    with pytest.raises(ValueError, match="PDF"):
        facturx.embedded_xml(
            corpus("einvoice", "invalid/mustang/corrupt-factur-x-waytoosmall.pdf").read_bytes()
        )
    with pytest.raises(ValueError, match="not a PDF"):
        facturx.embedded_xml(b"hello, this is not a pdf at all")
    with pytest.raises(ValueError):
        facturx.embedded_xml(b"%PDF-1.7\n" + b"\x00" * 200)


def test_something_else_is_refused_by_the_readers_with_its_root_named() -> None:
    """A UBL handed to the CII reader (and the reverse) is refused, saying what it is."""
    ubl = corpus("einvoice", "examples/ubl/ubl-tc434-example1.xml").read_bytes()
    cii = corpus("einvoice", "examples/cii/CII_example1.xml").read_bytes()
    with pytest.raises(ValueError, match="Invoice"):
        read_cii(ubl)
    with pytest.raises(ValueError, match="CrossIndustryInvoice"):
        read_ubl(cii)
    with pytest.raises(ValueError, match="well-formed"):
        read_cii(b"<rsm:CrossIndustryInvoice")
