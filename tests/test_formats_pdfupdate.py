"""Factur-X is embedded as an incremental update: the billing tool's PDF/A-3 bytes stay untouched, and
every reader (pypdf, PDFium, jalon's PDF/A-3 audit, the official rules) finds the invoice XML and files."""

from __future__ import annotations

import io
import shutil

import pytest
from conftest import need
from pypdf import PdfReader, PdfWriter
from test_formats_write_samples import billing_tool_pdf, samples

from jalon.formats import facturx, pdfa, pdfupdate, validation
from jalon.formats.cii import write_cii
from jalon.formats.model import Attachment


@pytest.fixture(scope="module")
def pdfa3() -> bytes:
    """A billing tool's invoice made PDF/A-3 by Ghostscript (a classic cross-reference table)."""
    need(shutil.which("gs") is not None, "Ghostscript (gs) not installed: apt-get install -y ghostscript")
    return pdfa.to_pdfa3(billing_tool_pdf(samples()["simple"]), title="Facture F2026-0001")


def last_xref_is_a_stream(pdf: bytes) -> bool:
    start = int(pdf[pdf.rfind(b"startxref") + 9 :].split()[0])
    return not pdf[start:].startswith(b"xref")


def test_the_billing_tools_bytes_are_kept_and_the_factur_x_is_complete(pdfa3: bytes) -> None:
    """The output starts with the very bytes the billing tool made; the XML, the XMP and the document
    information are appended; the result passes the PDF/A-3 audit and the official Factur-X rules."""
    invoice = samples()["simple"]
    out = facturx.write_facturx(invoice, pdfa3, profile="EN16931")
    assert out.startswith(pdfa3) and out.count(b"%PDF-") == 1 and not last_xref_is_a_stream(out)
    assert pdfa.check_pdfa3(out) == []
    assert validation.check_output(out, fmt="facturx", profile="EN16931").valid
    name, xml = facturx.embedded_xml(out)  # read by PDFium
    assert name == "factur-x.xml" and xml == write_cii(invoice, profile="EN16931")
    reader = PdfReader(io.BytesIO(out))
    assert reader.metadata.title == f"{invoice.seller.name} Facture {invoice.number}"
    assert reader.metadata.creator == reader.metadata.producer == "jalon"
    assert len(reader.pages) == len(PdfReader(io.BytesIO(pdfa3)).pages)
    xmp = reader.trailer["/Root"]["/Metadata"].get_data()
    assert (
        b"<pdfaid:part>3</pdfaid:part>" in xmp
        and b"<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>" in xmp
    )
    assert invoice.number.encode() in xmp, "the XMP title says what the document information says"


def test_a_pdf_whose_last_cross_reference_is_a_stream_gets_a_stream_too(pdfa3: bytes) -> None:
    """A PDF last saved with a cross-reference stream (as pypdf's incremental writer leaves it) is updated
    with a cross-reference stream, as the standard asks, and still reads everywhere."""
    writer = PdfWriter(io.BytesIO(pdfa3), incremental=True)
    writer.add_metadata({"/Subject": "saved again by another tool"})
    buffer = io.BytesIO()
    writer.write(buffer)
    resaved = buffer.getvalue()
    assert last_xref_is_a_stream(resaved), "control: the input ends with a cross-reference stream"
    invoice = samples()["simple"]
    out = facturx.embed(resaved, write_cii(invoice), profile="EN16931", metadata={"title": "F"})
    assert out.startswith(resaved) and last_xref_is_a_stream(out)
    assert facturx.embedded_xml(out) is not None
    assert pdfa.xmp_level(out) == "EN 16931" and pdfa.check_pdfa3(out) == []


def test_supporting_documents_with_any_name_travel_as_supplements(pdfa3: bytes) -> None:
    """A delivery note with accents in its name rides along, byte for byte, marked Supplement and listed in
    the catalog /AF beside the XML."""
    note = b"%PDF-1.4 bon de livraison " + bytes(range(256))
    attachment = Attachment(
        id="BL-1", description="Bon de livraison", filename="bon-livré n°1.pdf", content=note
    )
    out = facturx.embed(pdfa3, b"<x/>", profile="BASIC-WL", attachments=[attachment])
    assert dict(facturx.supporting_files(out)) == {"bon-livré n°1.pdf": note}
    catalog = PdfReader(io.BytesIO(out)).trailer["/Root"]
    names = catalog["/Names"]["/EmbeddedFiles"]["/Names"]
    relationships = {
        str(names[i]): names[i + 1].get_object()["/AFRelationship"] for i in range(0, len(names), 2)
    }
    assert relationships == {"factur-x.xml": "/Data", "bon-livré n°1.pdf": "/Supplement"}
    assert len(catalog["/AF"]) == 2 and not [p for p in pdfa.check_pdfa3(out) if p[0] == "PDFA-AF"]


def test_a_pdf_that_already_carries_files_is_rewritten_rather_than_updated(pdfa3: bytes) -> None:
    """A billing tool's PDF with its own attachment cannot simply get a second /EmbeddedFiles: jalon falls
    back to a full rewrite, and the output is still one PDF carrying the invoice XML."""
    writer = PdfWriter(clone_from=io.BytesIO(pdfa3))
    writer.add_attachment("notes.txt", b"internal notes")
    buffer = io.BytesIO()
    writer.write(buffer)
    out = facturx.embed(buffer.getvalue(), write_cii(samples()["simple"]), profile="EN16931")
    assert not out.startswith(buffer.getvalue()) and out.count(b"%PDF-") == 1
    assert facturx.embedded_xml(out)[0] == "factur-x.xml"


def test_an_update_refuses_what_it_cannot_update() -> None:
    """Bytes without a startxref cannot take an incremental update: the caller is told, nothing is made."""
    with pytest.raises(pdfupdate.Unsupported):
        pdfupdate.Update(b"%PDF-1.7\n1 0 obj << >> endobj\n", {"/Size": 2})


def test_pdf_strings_and_names_are_written_as_the_standard_spells_them() -> None:
    """Parentheses and backslashes escaped, non-ASCII text in UTF-16BE with its mark, MIME types as names."""
    assert pdfupdate.literal("a (b) \\ c") == "(a \\(b\\) \\\\ c)"
    assert pdfupdate.literal("é") == "<FEFF00E9>"
    assert pdfupdate.name("text/xml") == "/text#2Fxml"


def test_a_pdf_that_only_claims_pdfa3_is_made_pdfa_by_ghostscript_anyway(pdfa3: bytes) -> None:
    """A billing tool's PDF whose XMP says PDF/A-3 but whose fonts are not embedded is not trusted: the
    embedded result fails the audit, so Ghostscript makes the pages PDF/A first, and the Factur-X passes."""
    from pypdf.generic import DecodedStreamObject, NameObject

    invoice = samples()["simple"]
    writer = PdfWriter(clone_from=io.BytesIO(billing_tool_pdf(invoice)))
    claim = DecodedStreamObject()
    claim.set_data(
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">'
        b"<pdfaid:part>3</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>"
        b"</rdf:Description></rdf:RDF></x:xmpmeta>"
    )
    claim.update({NameObject("/Type"): NameObject("/Metadata"), NameObject("/Subtype"): NameObject("/XML")})
    writer.root_object[NameObject("/Metadata")] = writer._add_object(claim)
    buffer = io.BytesIO()
    writer.write(buffer)
    claiming = buffer.getvalue()
    assert pdfa.declares_pdfa3(claiming), "control: the XMP claims PDF/A-3"
    assert "PDFA-FONTS" in {rule for rule, _ in pdfa.check_pdfa3(claiming)}, "control: fonts not embedded"
    out = facturx.write_facturx(invoice, claiming, profile="EN16931")
    assert pdfa.check_pdfa3(out) == [] and not out.startswith(claiming)
    assert validation.check_output(out, fmt="facturx", profile="EN16931").valid
