"""Reading a received message without ever failing: attachments, forwarded originals, authentication results.

Pure functions over bytes; the invoice pipeline runs them in the CPU pool.
"""

from __future__ import annotations

import email
import email.header
import email.policy
import mimetypes
import re
from dataclasses import dataclass, field
from email.message import Message
from email.utils import getaddresses, parseaddr

from jalon.mailbox import archives

MAX_DEPTH = 12
INVOICE_XML_HINTS = (
    "crossindustryinvoice",
    "urn:oasis:names:specification:ubl:schema:xsd:invoice",
    "urn:oasis:names:specification:ubl:schema:xsd:creditnote",
)


@dataclass
class Attachment:
    filename: str
    content_type: str
    data: bytes

    @property
    def is_pdf(self) -> bool:
        return (
            self.content_type == "application/pdf"
            or self.filename.lower().endswith(".pdf")
            or (self.data[:5] == b"%PDF-" and self.content_type in ("application/octet-stream", ""))
        )

    @property
    def is_invoice_xml(self) -> bool:
        if not (self.filename.lower().endswith(".xml") or "xml" in self.content_type):
            return False
        head = self.data[:4096].lower()
        return any(hint.encode() in head for hint in INVOICE_XML_HINTS)


@dataclass
class ParsedMail:
    subject: str = ""
    from_address: str = ""
    from_name: str = ""
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    message_id: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    forwarded_to: list[str] = field(default_factory=list)  # original To/Cc of a forwarded mail
    forwarded_from: str | None = None
    auth_results: dict[str, str] = field(default_factory=dict)  # dkim / spf / dmarc -> pass | fail | …
    defects: list[str] = field(default_factory=list)
    archives_refused: list[str] = field(default_factory=list)  # ZIP attachments not opened, and why
    text: str = ""


def parse_bytes(raw: bytes) -> Message:
    """The tree `email.message_from_bytes(raw, policy=compat32)` gives, built by the classifier's parser
    (handlers.mimeparse: the same tree, several times faster on a PDF's base64 lines)."""
    from jalon.handlers.mimeparse import message_from_bytes

    return message_from_bytes(raw)


def decode_words(value: str) -> str:
    """A header's RFC 2047 encoded words as text; a charset Python does not know reads as latin-1.
    A malformed header may raise: callers fall back to the raw text."""
    chunks = []
    for chunk, charset in email.header.decode_header(value):
        if isinstance(chunk, bytes):
            try:
                chunks.append(chunk.decode(charset or "ascii", "replace"))
            except LookupError:
                chunks.append(chunk.decode("latin-1", "replace"))
        else:
            chunks.append(chunk)
    return "".join(chunks)


def decoded_payload(part: Message) -> bytes | None:
    """A part's payload with its transfer encoding undone; None when it has none or it cannot be decoded."""
    try:
        return part.get_payload(decode=True)
    except Exception:
        return None


def _decode_header(value: object) -> str:
    if value is None:
        return ""
    try:
        return re.sub(r"\s+", " ", decode_words(str(value))).strip()
    except Exception:
        return str(value)


def _addresses(message: Message, name: str) -> list[str]:
    values = [str(v) for v in message.get_all(name, [])]
    return [addr.lower() for _, addr in getaddresses(values) if "@" in addr]


def _filename(part: Message, index: int) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    name = _decode_header(name) if name else ""
    if not name:
        subtype = part.get_content_subtype() or "bin"
        name = f"attachment-{index}.{subtype}"
    return name.replace("/", "_").replace("\\", "_")[:200]


def _payload(part: Message) -> bytes:
    data = decoded_payload(part)
    if data is None:
        payload = part.get_payload()
        data = payload.encode("utf-8", "replace") if isinstance(payload, str) else b""
    return data


def _text_of(part: Message) -> str:
    data = _payload(part)
    charset = part.get_content_charset() or "utf-8"
    try:
        return data.decode(charset, "replace")
    except LookupError:
        return data.decode("latin-1", "replace")


_FORWARD_BLOCK = re.compile(
    r"^(?:-{2,}\s*(?:Forwarded message|Message transféré|Original Message|Message d'origine)\s*-{2,}.*?$)"
    r"|^(?:De|From)\s?:",
    re.IGNORECASE | re.MULTILINE,
)
_HEADER_LINE = re.compile(
    r"^\s*\*?(De|From|À|A|To|Cc|Copie à|Objet|Subject|Date|Envoyé|Sent)\s?\*?\s?:\s*(.+)$", re.IGNORECASE
)
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")


def _forwarded_headers(text: str) -> tuple[str | None, list[str]]:
    """The original From and To/Cc of an inline-forwarded message ("---------- Forwarded message")."""
    match = _FORWARD_BLOCK.search(text)
    if not match:
        return None, []
    sender: str | None = None
    recipients: list[str] = []
    for line in text[match.start() :].splitlines()[:20]:
        header = _HEADER_LINE.match(line)
        if not header:
            continue
        name = header.group(1).lower()
        found = [m.lower() for m in _EMAIL.findall(header.group(2))]
        if name in ("de", "from") and found and sender is None:
            sender = found[0]
        elif name in ("à", "a", "to", "cc", "copie à"):
            recipients.extend(found)
    return sender, recipients


_AUTH_RESULT = re.compile(r"\b(dkim|spf|dmarc)\s*=\s*(\w+)", re.IGNORECASE)


def _auth_results(message: Message) -> dict[str, str]:
    results: dict[str, str] = {}
    for value in message.get_all("Authentication-Results", []):
        for mechanism, verdict in _AUTH_RESULT.findall(str(value)):
            results.setdefault(mechanism.lower(), verdict.lower())
    spf = message.get("Received-SPF")
    if spf and "spf" not in results:
        results["spf"] = str(spf).split()[0].lower()
    return results


def parse_mail(raw: bytes, message: Message | None = None) -> ParsedMail:
    """Everything the invoice pipeline needs from a message; defects are listed, never raised.
    `message`: its tree already parsed (`parse_bytes`), read and never changed here."""
    parsed = ParsedMail()
    try:
        message = message or parse_bytes(raw)
    except Exception as error:  # pragma: no cover - compat32 parsing practically never raises
        parsed.defects.append(f"unparseable message: {error}")
        return parsed
    parsed.subject = _decode_header(message.get("Subject"))
    name, address = parseaddr(str(message.get("From", "")))
    parsed.from_address, parsed.from_name = address.lower(), _decode_header(name)
    parsed.to = _addresses(message, "To")
    parsed.cc = _addresses(message, "Cc")
    parsed.message_id = str(message.get("Message-ID", "")).strip() or None
    parsed.auth_results = _auth_results(message)
    parsed.defects.extend(type(d).__name__ for d in getattr(message, "defects", []))
    texts: list[str] = []
    _walk(message, parsed, texts, depth=0)
    parsed.text = "\n".join(texts)[:200_000]
    if not parsed.forwarded_to:
        sender, recipients = _forwarded_headers(parsed.text)
        parsed.forwarded_from = parsed.forwarded_from or sender
        parsed.forwarded_to = recipients
    return parsed


def _walk(part: Message, parsed: ParsedMail, texts: list[str], depth: int) -> None:
    if depth > MAX_DEPTH:
        parsed.defects.append("message nested too deep")
        return
    content_type = part.get_content_type()
    if part.is_multipart():
        payload = part.get_payload()
        if isinstance(payload, list):
            for child in payload:
                if isinstance(child, Message):
                    _walk(child, parsed, texts, depth + 1)
        return
    if content_type == "message/rfc822":
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        if isinstance(inner, Message):
            if not parsed.forwarded_to:
                parsed.forwarded_to = _addresses(inner, "To") + _addresses(inner, "Cc")
                parsed.forwarded_from = parseaddr(str(inner.get("From", "")))[1].lower() or None
            _walk(inner, parsed, texts, depth + 1)
        return
    disposition = str(part.get("Content-Disposition", "")).lower()
    is_attachment = "attachment" in disposition or (
        part.get_filename() is not None and content_type not in ("text/plain", "text/html")
    )
    if content_type in ("text/plain", "text/html") and not is_attachment:
        text = _text_of(part)
        if content_type == "text/html":
            text = re.sub(r"<[^>]+>", " ", text)
        texts.append(text)
        return
    if content_type.startswith("multipart/"):
        return
    data = _payload(part)
    if not data:
        return
    filename = _filename(part, len(parsed.attachments) + 1)
    if archives.is_zip(filename, content_type, data):
        unpacked = archives.unpack(data, filename)
        if unpacked.refused is None:  # its files stand for it: a PDF is read, the rest travels along
            parsed.attachments.extend(
                Attachment(name, _type_of(name), content) for name, content in unpacked.members
            )
            return
        parsed.archives_refused.append(unpacked.refused)
    parsed.attachments.append(Attachment(filename, content_type, data))


def _type_of(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"
