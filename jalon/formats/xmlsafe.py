"""Parse untrusted XML without letting it reach the disk, the network or the memory limit: one hardened door.

Every reader and the validator go through `parse`. A document type declaration has no business in an
invoice: any DOCTYPE or ENTITY declaration is refused outright (`HostileXML`), before and after parsing, so
that XXE, billion laughs and parameter-entity tricks never get a chance. lxml runs with DTD loading, entity
resolution and network access off and its own size guards on (`huge_tree=False`).
"""

from __future__ import annotations

import re

from lxml import etree

MAX_BYTES = 20 * 1024 * 1024  # a 20 MB invoice XML is already absurd; attachments ride inside the PDF

_UTF8_BOM = b"\xef\xbb\xbf"
# Declarations that only a DTD can carry; ASCII-compatible encodings show them as is. UTF-16/32 inputs are
# checked after decoding (see _prescan).
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)", re.IGNORECASE)


class HostileXML(ValueError):
    """The XML tries something an invoice never needs: a DOCTYPE, entities, external references."""


# cXML's one allowed form: `<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/…/InvoiceDetail.dtd">`, never loaded.
_SYSTEM_DOCTYPE = re.compile(
    rb"<!DOCTYPE\s+[A-Za-z_][\w.-]*\s+(SYSTEM\s+(\"[^\"<>\[\]]*\"|'[^'<>\[\]]*')|PUBLIC\s+(\"[^\"<>\[\]]*\"|'[^'<>\[\]]*')"
    rb"\s+(\"[^\"<>\[\]]*\"|'[^'<>\[\]]*'))\s*>"
)


def _blank_system_doctype(data: bytes) -> bytes:
    """Blank out (same length, so line numbers hold) a DOCTYPE that only names an external DTD."""
    match = _SYSTEM_DOCTYPE.search(data[:4096])
    if not match:
        return data
    return data[: match.start()] + b" " * (match.end() - match.start()) + data[match.end() :]


def wide_codec(data: bytes) -> str | None:
    """The codec of an XML document written in UTF-16 or UTF-32, as some ERPs write it (its byte-order mark,
    or the zero bytes around its first "<"), else None."""
    head = data[:64]
    marks = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe", "utf-16"))
    codec = next((codec for bom, codec in (*marks, (b"\xfe\xff", "utf-16")) if head.startswith(bom)), None)
    if codec is None and len(head) >= 4 and b"\x00" in head[:4]:
        if head[:3] == b"\x00\x00\x00" or head[1:4] == b"\x00\x00\x00":
            codec = "utf-32-be" if head[0] == 0 else "utf-32-le"
        else:
            codec = "utf-16-be" if head[0] == 0 else "utf-16-le"
    if codec is None:
        return None
    text = head[: len(head) // 4 * 4].decode(codec, errors="replace").lstrip("\ufeff \t\r\n")
    return codec if text.startswith("<") else None


def _prescan(data: bytes) -> None:
    if _DECLARATION.search(data):
        raise HostileXML(
            "XML with a DOCTYPE or entity declaration is refused (no DTD is allowed in an invoice)"
        )
    head = data[:4]
    wide = head.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(head) == 4 and (head[0] == 0 or head[1] == 0))
    if wide:
        for codec in ("utf-16", "utf-32"):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                continue
            if _DECLARATION.search(text.encode("utf-8", "replace")):
                raise HostileXML("XML with a DOCTYPE or entity declaration is refused (no DTD is allowed)")


def _parser() -> etree.XMLParser:
    # A new parser per call: lxml parsers keep state and must not be shared across threads.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
        collect_ids=False,
    )


def parse(data: bytes, *, max_bytes: int = MAX_BYTES, allow_doctype_system: bool = False) -> etree._Element:
    """Parse XML bytes into an lxml root element, or raise.

    `allow_doctype_system` lets through one DOCTYPE that only names an external DTD (cXML always has one);
    the DTD is never loaded, and a DOCTYPE with an internal subset or any declaration is still refused.

    Raises `HostileXML` (a `ValueError`) for DTD/entity tricks and oversized input, `ValueError` for anything
    that is not well-formed XML.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("xmlsafe.parse wants bytes")
    data = bytes(data)
    if len(data) > max_bytes:
        raise HostileXML(f"XML of {len(data):,} bytes refused: the limit is {max_bytes:,} bytes")
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    if not data.strip():
        raise ValueError("empty document: no XML")
    if allow_doctype_system:
        # libxml2 would still try to fetch an external DTD it is shown: it never sees this one.
        data = _blank_system_doctype(data)
    _prescan(data)
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as error:
        raise ValueError(f"not well-formed XML: {error}") from None
    if root is None:
        raise ValueError("not well-formed XML: no root element")
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise HostileXML("XML with a DOCTYPE is refused (no DTD is allowed in an invoice)")
    return root


def is_xml(data: bytes) -> bool:
    """Cheap sniff: does this look like XML (after an optional BOM and whitespace)?"""
    head = data[:512].lstrip(_UTF8_BOM).lstrip()
    return head.startswith(b"<")


def serialize(root: etree._Element) -> bytes:
    """UTF-8 bytes with an XML declaration: what our writers emit and what Saxon is handed."""
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
