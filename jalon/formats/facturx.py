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
from jalon.formats.model import Attachment, Invoice

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


# --- writing ---------------------------------------------------------------------------------------------

# jalon profile -> (factur-x library level, AFRelationship of the XML): the Factur-X specification wants
# "Data" for MINIMUM and BASIC WL (no legal value alone) and "Alternative" when the XML is a full invoice.
LEVELS = {
    "MINIMUM": ("minimum", "data"),
    "BASIC-WL": ("basicwl", "data"),
    "BASIC": ("basic", "alternative"),
    "EN16931": ("en16931", "alternative"),
    "EXTENDED": ("extended", "alternative"),
    "EXTENDED-CTC-FR": ("extended", "alternative"),
}


def embed(
    pdf: bytes,
    xml: bytes,
    *,
    profile: str = "EN16931",
    attachments: list[Attachment] | None = None,
    metadata: dict[str, str] | None = None,
    lang: str = "fr-FR",
) -> bytes:
    """Embed a CII XML as factur-x.xml into a PDF (which should already be PDF/A-3), with the Factur-X XMP;
    supporting documents ride along as attached files with AFRelationship Supplement.

    Uses the factur-x library's `generate_from_file` on temporary files: its `generate_from_binary`
    returns the input and the output glued together (two %PDF- headers; NOTES.md).
    """
    import tempfile

    from facturx import generate_from_file

    level, relationship = LEVELS[profile.upper()]
    extra = {}
    for att in attachments or []:
        if att.content is None:
            continue
        name = att.filename or f"{att.id}.bin"
        extra[name] = {
            "filedata": att.content,
            "description": att.description or att.id,
            "afrelationship": "supplement",
        }
    logging.getLogger("factur-x").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="jalon-fx-") as work:
        source, target = f"{work}/in.pdf", f"{work}/out.pdf"
        with open(source, "wb") as handle:
            handle.write(pdf)
        generate_from_file(
            source,
            xml,
            flavor="factur-x",
            level=level,
            check_xsd=False,  # the caller validates the XML with the official rules
            pdf_metadata=metadata,
            lang=lang,
            output_pdf_file=target,
            attachments=extra or None,
            afrelationship=relationship,
        )
        with open(target, "rb") as handle:
            return handle.read()


def write_facturx(
    invoice: Invoice,
    pdf: bytes,
    *,
    profile: str = "EN16931",
    french: bool = False,
    convert: bool = True,
    lang: str = "fr-FR",
) -> bytes:
    """The billing tool's PDF turned Factur-X: made PDF/A-3 (Ghostscript) unless it already is, the CII of
    the profile embedded, and the invoice's supporting documents attached (their bytes travel as PDF
    attachments; the XML's BG-24 keeps their reference). `convert=False` skips the PDF/A step (tests,
    benchmarks of the embedding alone).
    """
    import copy
    import dataclasses

    from jalon.formats import pdfa
    from jalon.formats.cii import write_cii

    lean = copy.copy(invoice)
    lean.attachments = [dataclasses.replace(a, content=None) for a in invoice.attachments]
    xml = write_cii(lean, profile=profile, french=french)
    kind = "Avoir" if invoice.doc_type == "credit_note" else "Facture"
    title = f"{invoice.seller.name or ''} {kind} {invoice.number}"
    if convert and not pdfa.is_pdfa3(pdf):
        pdf = pdfa.to_pdfa3(pdf, title=title.strip())
    metadata = {
        "author": invoice.seller.name or "",
        "keywords": "Factur-X, invoice",
        "title": title.strip(),
        "subject": f"Factur-X {profile} {invoice.number} {invoice.issue_date or ''}".strip(),
    }
    return embed(pdf, xml, profile=profile, attachments=invoice.attachments, metadata=metadata, lang=lang)


def supporting_files(pdf: bytes) -> list[tuple[str, bytes]]:
    """The PDF's embedded files other than the invoice XML (supporting documents), as (name, bytes)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        found = []
        for index in range(document.count_attachments()):
            attachment = document.get_attachment(index)
            name = attachment.get_name()
            if name.lower().rsplit("/", 1)[-1] not in KNOWN_NAMES:
                found.append((name, bytes(attachment.get_data())))
        return found
    finally:
        document.close()
