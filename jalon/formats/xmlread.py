"""What the CII and UBL readers share: text and number look-ups below an element, and the model rules that
do not depend on the syntax (a party identifier by its scheme, a legal id, a classification code, an embedded
attachment).
"""

from __future__ import annotations

import base64
import binascii
from decimal import Decimal

from lxml import etree

from jalon.formats.mentions import FRENCH_SIREN_SCHEME
from jalon.formats.model import Attachment, Line, Party
from jalon.formats.xmltext import decimal, text


class XmlReader:
    """Values below an element; a subclass says how a path is found (namespaces, renamed elements)."""

    def __init__(self) -> None:
        self.warnings: list[str] = []

    def find(self, el: etree._Element | None, path: str) -> etree._Element | None:
        raise NotImplementedError

    def findall(self, el: etree._Element | None, path: str) -> list[etree._Element]:
        raise NotImplementedError

    def t(self, el: etree._Element | None, path: str) -> str | None:
        return text(self.find(el, path))

    def num(self, el: etree._Element | None, path: str) -> Decimal | None:
        return decimal(self.t(el, path), path.rsplit(":", 1)[-1])

    def attachment(
        self, ref: etree._Element, ident: str, description: str, uri: str, content: str
    ) -> Attachment:
        """A supporting document (BG-24) from the paths of its id, description, URI and embedded content."""
        att = Attachment(
            id=self.t(ref, ident) or "", description=self.t(ref, description), uri=self.t(ref, uri)
        )
        binary = self.find(ref, content)
        if binary is not None and text(binary):
            try:
                att.content = base64.b64decode("".join((binary.text or "").split()), validate=True)
            except (binascii.Error, ValueError):
                raise ValueError(f"attachment {att.id!r}: content is not valid base64") from None
            att.mime_code, att.filename = binary.get("mimeCode"), binary.get("filename")
        return att


def add_identifier(party: Party, value: str, scheme: str | None) -> None:
    """A party identifier (BT-29/46/60): the first SIRET (scheme 0009) is kept as such, the rest as listed."""
    if scheme == "0009" and party.siret is None:
        party.siret = value
    else:
        party.identifiers.append(value)
        if scheme:
            party.identifier_schemes[value] = scheme


def set_legal_id(party: Party, value: str | None, scheme: str | None) -> None:
    """A legal registration id (BT-30/47): a SIREN under scheme 0002, any other kept with its scheme."""
    if value and scheme == FRENCH_SIREN_SCHEME:
        party.siren = value
    elif value:
        party.legal_id, party.legal_id_scheme = value, scheme


def add_classification(line: Line, code: etree._Element) -> None:
    """An item classification code (BT-158) and its list id, when the element holds one."""
    value = text(code)
    if value:
        line.classification_ids.append(value)
        if code.get("listID"):
            line.classification_schemes[value] = code.get("listID")  # type: ignore[assignment]
