"""What the XML writers share (CII, UBL, cXML, GS1): a child element that carries only the attributes that
have a value, an attachment's embedded base64 object, and the legal registration id a party is written with.
"""

from __future__ import annotations

import base64

from lxml import etree

from jalon.formats.mentions import FRENCH_SIREN_SCHEME
from jalon.formats.model import Attachment, Party


def element(parent: etree._Element, tag: str, text: str | None = None, **attrs: str | None) -> etree._Element:
    """A new child `tag` (plain or `{namespace}local`); attributes whose value is None are left out."""
    child = etree.SubElement(parent, tag)
    if text is not None:
        child.text = text
    for key, value in attrs.items():
        if value is not None:
            child.set(key, value)
    return child


def qualified(namespaces: dict[str, str], tag: str) -> str:
    """`prefix:local` -> `{namespace}local`."""
    prefix, _, local = tag.partition(":")
    return f"{{{namespaces[prefix]}}}{local}"


def binary_object(parent: etree._Element, tag: str, att: Attachment) -> etree._Element:
    """An attachment's content (BT-125) as base64, with its MIME code and file name (BT-125-1, -2)."""
    return element(
        parent,
        tag,
        base64.b64encode(att.content or b"").decode("ascii"),
        mimeCode=att.mime_code or "application/octet-stream",
        filename=att.filename or att.id,
    )


def legal_registration(party: Party) -> tuple[str | None, str | None]:
    """The legal registration id (BT-30/47/61) and its scheme: the SIREN when known, else any other id."""
    if party.siren:
        return party.siren, FRENCH_SIREN_SCHEME
    return party.legal_id, party.legal_id_scheme
