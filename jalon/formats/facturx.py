"""Factur-X / ZUGFeRD / XRechnung-in-PDF: find the invoice XML a PDF carries, and embed ours into a PDF/A-3.

Reading uses PDFium (pypdfium2, ~0.3 ms per file) to list the embedded files, with pypdf as a fallback for
damaged PDFs PDFium refuses; the factur-x library's own reader is not used because it parses the XML with
lxml's default (entity-resolving) parser and only looks for two file names. Every candidate goes through
`xmlsafe.parse`. Writing (`embed`) delegates the attachment and XMP work to the factur-x library.
"""

from __future__ import annotations

import io
import logging

from jalon.formats import xmlsafe

MAX_PDF_BYTES = 64 * 1024 * 1024
MAX_ATTACHMENT_BYTES = xmlsafe.MAX_BYTES

# File names the specifications give the invoice XML, best first; other *.xml files are tried after them.
KNOWN_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml", "order-x.xml")
_INVOICE_ROOTS = {
    "{urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}CrossIndustryInvoice",
    "{urn:ferd:CrossIndustryDocument:invoice:1p0}CrossIndustryDocument",
    "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice",
    "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote",
}


def _attachments_pdfium(pdf: bytes) -> list[tuple[str, bytes]]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        found = []
        for index in range(document.count_attachments()):
            attachment = document.get_attachment(index)
            name = attachment.get_name()
            if name.lower().endswith(".xml"):
                found.append((name, bytes(attachment.get_data())))
        return found
    finally:
        document.close()


def _attachments_pypdf(pdf: bytes) -> list[tuple[str, bytes]]:
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    reader = PdfReader(io.BytesIO(pdf))
    if reader.is_encrypted:
        reader.decrypt("")
    return [(a.name, a.content) for a in reader.attachment_list if a.name.lower().endswith(".xml")]


def _rank(name: str) -> int:
    low = name.lower().rsplit("/", 1)[-1]
    return KNOWN_NAMES.index(low) if low in KNOWN_NAMES else len(KNOWN_NAMES)


def xml_attachments(pdf: bytes) -> list[tuple[str, bytes]]:
    """Every embedded *.xml file of a PDF, as (name, bytes); ValueError when the PDF cannot be read."""
    if not isinstance(pdf, bytes | bytearray):
        raise TypeError("embedded_xml wants the PDF bytes")
    if len(pdf) > MAX_PDF_BYTES:
        raise ValueError(f"PDF of {len(pdf):,} bytes refused: the limit is {MAX_PDF_BYTES:,}")
    if not bytes(pdf[:1024]).lstrip().startswith(b"%PDF-") and b"%PDF-" not in pdf[:1024]:
        raise ValueError("not a PDF: no %PDF- header")
    try:
        return _attachments_pdfium(bytes(pdf))
    except Exception as first:
        try:
            return _attachments_pypdf(bytes(pdf))
        except Exception:
            raise ValueError(f"unreadable PDF: {first}") from None


def embedded_xml(pdf: bytes) -> tuple[str, bytes] | None:
    """The invoice XML embedded in a PDF (Factur-X, ZUGFeRD 1/2, XRechnung, UBL) as (filename, xml bytes).

    None when the PDF carries no invoice XML. Raises ValueError when the PDF cannot be read, and
    `xmlsafe.HostileXML` when the embedded invoice XML tries DTD/entity tricks.
    """
    candidates = sorted(xml_attachments(pdf), key=lambda item: _rank(item[0]))
    hostile: xmlsafe.HostileXML | None = None
    for name, data in candidates:
        if len(data) > MAX_ATTACHMENT_BYTES:
            hostile = xmlsafe.HostileXML(f"embedded {name} of {len(data):,} bytes refused")
            continue
        try:
            root = xmlsafe.parse(data)
        except xmlsafe.HostileXML as error:
            hostile = hostile or error
            continue
        except ValueError:
            continue
        if root.tag in _INVOICE_ROOTS:
            return name, data.removeprefix(b"\xef\xbb\xbf")
    if hostile is not None:
        raise hostile
    return None
