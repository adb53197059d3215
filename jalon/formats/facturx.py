"""Factur-X / ZUGFeRD / XRechnung-in-PDF: find the invoice XML a PDF carries, and embed ours into a PDF/A-3.

Reading uses PDFium (pypdfium2, ~0.3 ms per file) to list the embedded files, with pypdf as a fallback for
damaged PDFs PDFium refuses; the factur-x library's own reader is not used because it parses the XML with
lxml's default (entity-resolving) parser and only looks for two file names. Every candidate goes through
`xmlsafe.parse`. Writing (`embed`) appends the XML, the supporting files, the Factur-X XMP and a new catalog
as an incremental update (`pdfupdate`); the factur-x library rewrites the PDFs an update cannot serve.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable

from jalon.formats import xmlsafe
from jalon.formats.model import Attachment, Invoice

MAX_PDF_BYTES = 64 * 1024 * 1024
MAX_ATTACHMENT_BYTES = xmlsafe.MAX_BYTES

# File names the specifications give the invoice XML, best first; other *.xml files are tried after them.
# The names under which a PDF says "my invoice data is in here" (Factur-X, ZUGFeRD 2, XRechnung).
INVOICE_XML_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml")
KNOWN_NAMES = (*INVOICE_XML_NAMES, "order-x.xml")
_INVOICE_ROOTS = {
    "{urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}CrossIndustryInvoice",
    "{urn:ferd:CrossIndustryDocument:invoice:1p0}CrossIndustryDocument",
    "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice",
    "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote",
}


def _embedded_files(pdf: bytes, wanted: Callable[[str], bool]) -> list[tuple[str, bytes]]:
    """The PDF's embedded files whose name is wanted, as (name, bytes), read with pdfium."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        found = []
        for index in range(document.count_attachments()):
            attachment = document.get_attachment(index)
            name = attachment.get_name()
            if wanted(name):
                found.append((name, bytes(attachment.get_data())))
        return found
    finally:
        document.close()


def _attachments_pdfium(pdf: bytes) -> list[tuple[str, bytes]]:
    return _embedded_files(pdf, lambda name: name.lower().endswith(".xml"))


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


FX_NAMESPACE = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
FX_XMP_LEVEL = {"MINIMUM": "MINIMUM", "BASIC-WL": "BASIC WL", "BASIC": "BASIC", "EN16931": "EN 16931",
              "EXTENDED": "EXTENDED", "EXTENDED-CTC-FR": "EXTENDED"}  # fmt: skip
CREATOR = "jalon"  # the XMP CreatorTool and Info /Creator; the Producer is jalon too (it wrote the update)
# The Factur-X PDF/A extension schema: the fx: properties a PDF/A validator must find described.
FX_PROPERTIES = (
    ("DocumentFileName", "The name of the embedded XML document"),
    ("DocumentType", "The type of the hybrid document in capital letters, e.g. INVOICE or ORDER"),
    ("Version", "The actual version of the standard applying to the embedded XML document"),
    ("ConformanceLevel", "The conformance level of the embedded XML document"),
)
XMP = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
   <pdfaid:part>3</pdfaid:part>
   <pdfaid:conformance>B</pdfaid:conformance>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{subject}</rdf:li></rdf:Alt></dc:description>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <pdf:Producer>{producer}</pdf:Producer>
   <pdf:Keywords>{keywords}</pdf:Keywords>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
   <xmp:CreatorTool>{creator}</xmp:CreatorTool>
   <xmp:CreateDate>{date}</xmp:CreateDate>
   <xmp:ModifyDate>{date}</xmp:ModifyDate>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
    xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
   <pdfaExtension:schemas>
    <rdf:Bag>
     <rdf:li rdf:parseType="Resource">
      <pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>
      <pdfaSchema:namespaceURI>{namespace}</pdfaSchema:namespaceURI>
      <pdfaSchema:prefix>fx</pdfaSchema:prefix>
      <pdfaSchema:property>
       <rdf:Seq>{properties}
       </rdf:Seq>
      </pdfaSchema:property>
     </rdf:li>
    </rdf:Bag>
   </pdfaExtension:schemas>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:fx="{namespace}">
   <fx:DocumentType>INVOICE</fx:DocumentType>
   <fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>
   <fx:Version>1.0</fx:Version>
   <fx:ConformanceLevel>{level}</fx:ConformanceLevel>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
XMP_PROPERTY = """
        <rdf:li rdf:parseType="Resource">
         <pdfaProperty:name>{0}</pdfaProperty:name>
         <pdfaProperty:valueType>Text</pdfaProperty:valueType>
         <pdfaProperty:category>external</pdfaProperty:category>
         <pdfaProperty:description>{1}</pdfaProperty:description>
        </rdf:li>"""


def _xmp(profile: str, metadata: dict[str, str], date: str) -> bytes:
    from xml.sax.saxutils import escape

    values = {key: escape(metadata.get(key, "")) for key in ("title", "author", "subject", "keywords")}
    return XMP.format(
        **values,
        producer=CREATOR,
        creator=CREATOR,
        date=date,
        namespace=FX_NAMESPACE,
        level=FX_XMP_LEVEL[profile.upper()],
        properties="".join(XMP_PROPERTY.format(*item) for item in FX_PROPERTIES),
    ).encode("utf-8")


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

    Written as an incremental update of the PDF (`pdfupdate`): the billing tool's bytes are kept as they are
    and the embedded files, the XMP, the document information and a new catalog are appended. A PDF that
    already carries embedded files, or that cannot take an update, is rewritten with the factur-x library
    instead.
    """
    from jalon.formats import pdfupdate

    level, relationship = LEVELS[profile.upper()]
    try:
        return _embed_update(pdf, xml, profile, relationship, attachments or [], metadata or {}, lang)
    except pdfupdate.Unsupported:
        return _embed_rewrite(pdf, xml, level, relationship, attachments or [], metadata, lang)


def _embed_update(
    pdf: bytes,
    xml: bytes,
    profile: str,
    relationship: str,
    attachments: list[Attachment],
    metadata: dict[str, str],
    lang: str,
) -> bytes:
    import datetime as dt
    import hashlib
    import mimetypes

    from pypdf import PdfReader
    from pypdf.generic import IndirectObject

    from jalon.formats.pdfupdate import Unsupported, Update, literal, name, pdf_object, stream

    try:
        reader = PdfReader(io.BytesIO(pdf))
        trailer = reader.trailer
        root = trailer.raw_get("/Root")
        catalog = root.get_object()
        names = catalog["/Names"].get_object() if "/Names" in catalog else {}
        info = trailer.raw_get("/Info") if "/Info" in trailer else None
    except Exception as error:  # pypdf raises many kinds on odd files: the library gets its chance
        raise Unsupported(f"unreadable PDF: {error}") from None
    if not isinstance(root, IndirectObject) or "/AF" in catalog or "/EmbeddedFiles" in names:
        raise Unsupported("the PDF already has embedded files (or no indirect catalog)")
    update = Update(pdf, trailer)
    now = dt.datetime.now(dt.UTC)
    pdf_date, xmp_date = now.strftime("D:%Y%m%d%H%M%S+00'00'"), now.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    files = [("factur-x.xml", xml, "text/xml", "Factur-X XML file", relationship)]
    for att in attachments:
        if att.content is not None:
            filename = att.filename or f"{att.id}.bin"
            kind = mimetypes.guess_type(filename)[0] or "application/octet-stream"
            files.append((filename, att.content, kind, att.description or att.id or "", "supplement"))
    specs = []
    for filename, data, kind, description, afrelationship in files:
        checksum = hashlib.md5(data).hexdigest()
        params = f"<< /CheckSum <{checksum}> /ModDate {literal(pdf_date)} /Size {len(data)} >>"
        embedded = update.add(
            stream(f"/Type /EmbeddedFile /Subtype {name(kind)} /Params {params}", data, compress=True)
        )
        spec = update.add(
            f"<< /Type /Filespec /F {literal(filename)} /UF {literal(filename)} /Desc {literal(description)}"
            f" /AFRelationship {name(afrelationship.capitalize())}"
            f" /EF << /F {embedded} 0 R /UF {embedded} 0 R >> >>"
        )
        specs.append((literal(filename), spec))
    specs.sort(key=lambda item: item[0])  # a name tree's keys in order
    listed = " ".join(f"{key} {number} 0 R" for key, number in specs)
    af = update.add("[" + " ".join(f"{number} 0 R" for _, number in specs) + "]")
    xmp = update.add(stream("/Type /Metadata /Subtype /XML", _xmp(profile, metadata, xmp_date)))
    replaced = ("/Metadata", "/Names", "/AF", "/PageMode", "/Lang")
    kept = " ".join(f"{pdf_object(k)} {pdf_object(v)}" for k, v in catalog.items() if k not in replaced)
    other_names = " ".join(f"{pdf_object(k)} {pdf_object(v)}" for k, v in names.items())
    update.replace(
        root.idnum,
        root.generation,
        f"<< {kept} /Names << {other_names} /EmbeddedFiles << /Names [{listed}] >> >> /AF {af} 0 R"
        f" /Metadata {xmp} 0 R /PageMode /UseAttachments /Lang {literal(lang)} >>",
    )
    # The document information says what the XMP says (PDF/A: the two must agree), nothing else.
    fields = {
        "/Title": metadata.get("title", ""),
        "/Author": metadata.get("author", ""),
        "/Subject": metadata.get("subject", ""),
        "/Keywords": metadata.get("keywords", ""),
        "/Creator": CREATOR,
        "/Producer": CREATOR,
        "/CreationDate": pdf_date,
        "/ModDate": pdf_date,
    }
    information = "<< " + " ".join(f"{key} {literal(value)}" for key, value in fields.items()) + " >>"
    if isinstance(info, IndirectObject):
        update.replace(info.idnum, info.generation, information)
        info_ref = f"{info.idnum} {info.generation} R"
    else:
        info_ref = f"{update.add(information)} 0 R"
    return update.write(root=f"{root.idnum} {root.generation} R", info=info_ref)


def _embed_rewrite(
    pdf: bytes,
    xml: bytes,
    level: str,
    relationship: str,
    attachments: list[Attachment],
    metadata: dict[str, str] | None,
    lang: str,
) -> bytes:
    """The whole PDF rewritten by the factur-x library's `generate_from_file` on temporary files (its
    `generate_from_binary` returns the input and the output glued together: two %PDF- headers; NOTES.md)."""
    import tempfile

    from facturx import generate_from_file

    extra = {}
    for att in attachments:
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
    metadata = {
        "author": invoice.seller.name or "",
        "keywords": "Factur-X, invoice",
        "title": title.strip(),
        "subject": f"Factur-X {profile} {invoice.number} {invoice.issue_date or ''}".strip(),
    }
    options = {"profile": profile, "attachments": invoice.attachments, "metadata": metadata, "lang": lang}
    if convert and not pdfa.declares_pdfa3(pdf):
        return embed(pdfa.to_pdfa3(pdf, title=title.strip()), xml, **options)
    out = embed(pdf, xml, **options)
    # A PDF that says it is PDF/A-3 is checked once, embedded (the audit of the output covers the billing
    # tool's pages, fonts and colours, which the update keeps as they are; its result is remembered for the
    # validation that follows). If the pages are not PDF/A after all, Ghostscript makes them so.
    if convert and {rule for rule, _ in pdfa.check_pdfa3(out)} & pdfa.PAGE_RULES:
        return embed(pdfa.to_pdfa3(pdf, title=title.strip()), xml, **options)
    return out


def supporting_files(pdf: bytes) -> list[tuple[str, bytes]]:
    """The PDF's embedded files other than the invoice XML (supporting documents), as (name, bytes)."""
    return _embedded_files(pdf, lambda name: name.lower().rsplit("/", 1)[-1] not in KNOWN_NAMES)
