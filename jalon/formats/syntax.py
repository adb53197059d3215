"""Tell which invoice syntax some bytes are in, and read any supported XML invoice into the model.

Syntax names used across jalon: `cii` (D16B/D22B, Factur-X, ZUGFeRD 2, XRechnung CII), `zugferd1`,
`ubl` (Invoice or CreditNote), `cxml`, `gs1`, `edifact`, `pdf`, `cdar` (French life-cycle status), `unknown`.
"""

from __future__ import annotations

from lxml import etree

from jalon.formats import xmlsafe
from jalon.formats.model import Invoice

_ROOTS = {
    "{urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}CrossIndustryInvoice": "cii",
    "{urn:ferd:CrossIndustryDocument:invoice:1p0}CrossIndustryDocument": "zugferd1",
    "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice": "ubl",
    "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote": "ubl",
    "cXML": "cxml",
    "{urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100}"
    "CrossDomainAcknowledgementAndResponse": "cdar",
}


def of_root(root: etree._Element) -> str:
    """The syntax of an already parsed XML root."""
    tag = root.tag if isinstance(root.tag, str) else ""
    if tag in _ROOTS:
        return _ROOTS[tag]
    if tag.endswith("}StandardBusinessDocument") or (
        tag.startswith("{urn:gs1:ecom:invoice") and tag.endswith("}invoiceMessage")
    ):
        return "gs1"
    return "unknown"


def parse(data: bytes) -> etree._Element:
    """xmlsafe.parse, letting through only the cXML DTD reference cXML documents always carry."""
    return xmlsafe.parse(data, allow_doctype_system=b"<!DOCTYPE cXML" in data[:2048])


def sniff(data: bytes) -> str:
    """The syntax of raw bytes, looking only at the head for non-XML ones (no full parse for PDF/EDIFACT)."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"%PDF-") or b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith((b"UNA", b"UNB")):
        return "edifact"
    if head.startswith(b"<") or xmlsafe.wide_codec(data):
        return of_root(parse(data))  # parse refuses DTD tricks in every encoding
    return "unknown"


def sniff_safely(data: bytes) -> str:
    """Like `sniff`, but 'unknown' instead of raising for hostile or broken XML (the reader will say why)."""
    try:
        return sniff(data)
    except ValueError:
        return "unknown"


def read_xml(xml: bytes | etree._Element) -> Invoice:
    """Any supported XML invoice -> model. ValueError (HostileXML included) for anything else."""
    root = parse(xml) if isinstance(xml, bytes | bytearray) else xml
    kind = of_root(root)
    if kind in ("cii", "zugferd1"):
        from jalon.formats.cii import read_cii

        return read_cii(root)
    if kind == "ubl":
        from jalon.formats.ubl import read_ubl

        return read_ubl(root)
    if kind == "cxml":
        from jalon.formats.cxml import read_cxml

        return read_cxml(root)
    if kind == "gs1":
        from jalon.formats.gs1 import read_gs1

        return read_gs1(root)
    raise ValueError(f"not an invoice syntax jalon reads: root element {etree.QName(root).localname!r}")
