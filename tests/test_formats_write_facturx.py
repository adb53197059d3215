"""Factur-X out: the billing tool's PDF becomes PDF/A-3 with the CII embedded and supporting documents
attached; it passes the official rules and jalon's PDF/A-3 audit, and reads back to the same invoice."""

from __future__ import annotations

import io
import shutil

import pytest
from conftest import corpus, need
from pypdf import PdfReader
from test_formats_write_roundtrip import differences
from test_formats_write_samples import billing_tool_pdf, samples

from jalon.formats import facturx, mentions, pdfa, syntax, validation


@pytest.fixture(scope="module")
def gs() -> None:
    need(shutil.which("gs") is not None, "Ghostscript (gs) not installed: apt-get install -y ghostscript")


def _embedded_specs(pdf: bytes) -> dict[str, dict]:
    catalog = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    names = catalog["/Names"]["/EmbeddedFiles"]["/Names"]
    return {str(names[i]): names[i + 1].get_object() for i in range(0, len(names), 2)}


@pytest.mark.parametrize("profile", ["BASIC-WL", "EN16931", "EXTENDED", "EXTENDED-CTC-FR"])
def test_a_billing_tool_pdf_becomes_a_valid_factur_x_in_each_profile(gs: None, profile: str) -> None:
    """Every hand-made invoice, printed as a plain PDF, comes out as a Factur-X that passes XSD, the profile
    schematron, the French rules and the PDF/A-3 audit (XMP part 3, output intent, embedded fonts)."""
    wanted = profile if profile == "EXTENDED-CTC-FR" else f"{profile}+BR-FR"
    for name, invoice in samples().items():
        source = billing_tool_pdf(invoice)
        assert pdfa.check_pdfa3(source), "control: the billing tool's PDF is not PDF/A"
        out = facturx.write_facturx(invoice, source, profile=profile, french=True)
        report = validation.check_output(out, fmt="facturx", profile=wanted)
        assert report.valid, (name, [(e.rule, e.message[:120]) for e in report.errors])
        assert out.count(b"%PDF-") == 1
        assert pdfa.xmp_level(out) == {"BASIC-WL": "BASIC WL", "EN16931": "EN 16931"}.get(profile, "EXTENDED")


def test_the_factur_x_reads_back_to_the_same_invoice(gs: None) -> None:
    """Round trip through a Factur-X PDF: model -> PDF/A-3 + CII -> embedded XML -> model."""
    for name, invoice in samples().items():
        out = facturx.write_facturx(invoice, billing_tool_pdf(invoice), profile="EN16931")
        found = facturx.embedded_xml(out)
        assert found is not None and found[0] == "factur-x.xml"
        back = syntax.read_xml(found[1])
        expected = mentions.complete_for_output(invoice)
        for (
            attachment
        ) in expected.attachments:  # the file travels as a PDF attachment; BG-24 keeps id and text
            attachment.content = attachment.mime_code = attachment.filename = None
        assert not differences(expected, back), name


def test_supporting_documents_are_attached_with_their_relationship(gs: None) -> None:
    """The delivery note rides as an embedded file marked Supplement; the XML is Alternative (EN 16931)
    or Data (BASIC WL), as the Factur-X specification asks; all are listed in the catalog /AF."""
    invoice = samples()["with_attachment"]
    expected_content = invoice.attachments[0].content
    for profile, relationship in (("EN16931", "/Alternative"), ("BASIC-WL", "/Data")):
        out = facturx.write_facturx(invoice, billing_tool_pdf(invoice), profile=profile, french=True)
        specs = _embedded_specs(out)
        assert specs["factur-x.xml"]["/AFRelationship"] == relationship
        assert specs["bon-de-livraison.pdf"]["/AFRelationship"] == "/Supplement"
        assert dict(facturx.supporting_files(out)) == {"bon-de-livraison.pdf": expected_content}
        assert not [p for p in pdfa.check_pdfa3(out) if p[0] == "PDFA-AF"]


def test_an_already_pdfa3_pdf_is_not_converted_again(gs: None) -> None:
    """A billing tool that already prints PDF/A-3 keeps its own file: only the XML is added."""
    invoice = samples()["simple"]
    already = pdfa.to_pdfa3(billing_tool_pdf(invoice))
    assert pdfa.is_pdfa3(already)
    out = facturx.write_facturx(invoice, already, profile="EN16931")
    assert validation.check_output(out, fmt="facturx").valid


def test_the_pdfa_audit_catches_what_a_careless_embedding_produces(gs: None) -> None:
    """Controls: the library's generate_from_binary glues input and output (two headers), and a plain PDF
    with only the XML added is no PDF/A: the audit says so instead of passing them."""
    from facturx import generate_from_binary

    from jalon.formats.cii import write_cii

    invoice = samples()["simple"]
    plain = billing_tool_pdf(invoice)
    glued = generate_from_binary(pdfa.to_pdfa3(plain), write_cii(invoice), check_xsd=False)
    assert "PDF-HEADER" in {rule for rule, _ in pdfa.check_pdfa3(glued)}
    not_pdfa = facturx.write_facturx(invoice, plain, profile="EN16931", convert=False)
    rules = {f.rule for f in validation.check_output(not_pdfa, fmt="facturx").errors}
    assert rules & {"PDFA-FONTS", "PDFA-OUTPUTINTENT"}


def test_the_corpus_factur_x_pdfs_pass_the_pdfa_audit() -> None:
    """The published Factur-X samples pass jalon's PDF/A-3 audit; the one XRechnung-in-PDF sample draws in
    device RGB without an output intent, which the audit reports (ISO 19005 6.2.4.3)."""
    for path in sorted(corpus("einvoice", "examples/facturx-pdf").glob("*.pdf")):
        problems = pdfa.check_pdfa3(
            path.read_bytes(), facturx=path.name != "horstoeko-pdf_zf_xrechnung_1.pdf"
        )
        expected = {"PDFA-OUTPUTINTENT"} if path.name.startswith("horstoeko") else set()
        assert {rule for rule, _ in problems} == expected, (path.name, problems)


def test_a_pdf_without_invoice_xml_is_not_a_valid_factur_x() -> None:
    """validate() on a plain PDF names the missing XML rather than crashing."""
    report = validation.validate(
        corpus("einvoice", "examples/plain-pdf/horstoeko-pdf_plain.pdf").read_bytes()
    )
    assert not report.valid and report.errors[0].rule == "FX-XML-MISSING"
