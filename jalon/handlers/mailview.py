"""A read-only view of one inbound message for classification: parts, notice text, report blocks, returned
headers. Never raises: a broken part is skipped and noted in `defects`.

Parsing gives the compat32 tree (mimeparse builds it several times faster than the email package) and
everything derived from the message is computed once, on first use, and capped, so that 10 MB of quoted text
costs one parse.
"""

from __future__ import annotations

import email.errors
import re
from dataclasses import dataclass
from email.message import Message
from typing import Any

from jalon.handlers import mimeparse
from jalon.handlers.mailtext import (
    ADDRESS,
    MAX_TEXT,
    addresses_in,
    block_text,
    content_type_of,
    decode_header,
    filename_of,
    header_items,
    html_to_text,
    lazy,
    parse_quoted,
    part_text,
    split_inline_original,
)

MAX_DEPTH = 12

# Parts that hold the message a notification is about (the original we sent).
RETURNED_TYPES = ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers", "message/partial")
REPORT_TYPES = (
    "message/delivery-status",
    "message/disposition-notification",
    "message/feedback-report",
    "message/global-delivery-status",
    "message/global-disposition-notification",
    "text/delivery-status",
)

_REPORT_TYPE = re.compile(r"report-type\s*=\s*\"?([\w-]+)", re.IGNORECASE)


@dataclass(frozen=True)
class Leaf:
    content_type: str
    part: Message
    depth: int
    returned: bool  # inside the original message a notification sends back
    attachment: bool = False  # Content-Disposition: attachment


def _leaf(content_type: str, part: Message, depth: int, returned: bool) -> Leaf:
    try:
        disposition = str(part.get("Content-Disposition", "")).lower()
    except Exception:
        disposition = ""
    return Leaf(content_type, part, depth, returned, "attachment" in disposition)


class MailView:
    """Lazily computed facts about one message; every property is safe on broken input."""

    def __init__(self, raw: bytes, message: Message) -> None:
        self.raw = raw
        self.message = message
        self.defects: list[str] = [type(d).__name__ for d in getattr(message, "defects", [])][:20]
        self._decoded: dict[str, str] = {}
        self.memo: dict[str, Any] = {}  # what a reader derives from the view once, for the other readers

    @classmethod
    def parse(cls, raw: bytes) -> MailView:
        if raw.startswith(b"From "):  # mbox "From " separator line
            raw = raw.split(b"\n", 1)[1] if b"\n" in raw else b""
        return cls(raw, mimeparse.message_from_bytes(raw))

    # --- headers ---------------------------------------------------------------------------------------

    @lazy
    def _headers(self) -> dict[str, list[str]]:
        """Header values by lower-cased name, built once (Message.get scans the whole list every call)."""
        table: dict[str, list[str]] = {}
        # compat32 keeps the raw (name, value) pairs; items() would run the policy on every header
        pairs = getattr(self.message, "_headers", None) or self.message.items()
        for name, value in pairs:
            table.setdefault(name.lower(), []).append(str(value))
        return table

    def header(self, name: str, message: Message | None = None) -> str:
        """The first value of a header, decoded; of another message (the returned one) when given."""
        if message is None:
            try:
                return self._decoded[name]  # asked for again and again, by the same spelling
            except KeyError:
                values = self._headers.get(name.lower())
                value = self._decoded[name] = decode_header(values[0]) if values else ""
                return value
        try:
            value = message.get(name)
        except Exception:
            return ""
        return decode_header(value) if value is not None else ""

    @lazy
    def header_names(self) -> frozenset[str]:
        """The lower-cased names of the headers present."""
        return frozenset(self._headers)

    def header_all(self, name: str) -> list[str]:
        return [decode_header(v) for v in self._headers.get(name.lower(), [])]

    @lazy
    def headers_text(self) -> str:
        """All headers as text (for searching correlation keys)."""
        return "\n".join(f"{name}: {value}" for name, values in self._headers.items() for value in values)

    @lazy
    def subject(self) -> str:
        return self.header("Subject")

    @lazy
    def sender(self) -> tuple[str, str]:
        """(display name, address) of From."""
        value = self.header("From")
        found = ADDRESS.search(value)
        if found is None:  # "MAILER-DAEMON", "<>": no address, keep the words
            return value.strip("<> "), value.strip("<> ").lower() if "<" not in value else ""
        name = (value[: found.start()] + value[found.end() :]).strip(' <>()"')
        return name, f"{found.group(1)}@{found.group(2)}".lower()

    @lazy
    def content_type(self) -> str:
        return content_type_of(self.message)

    @lazy
    def report_type(self) -> str:
        found = _REPORT_TYPE.search(self._headers.get("content-type", [""])[0])
        return found.group(1).lower() if found else ""

    def addresses(self, name: str, message: Message | None = None) -> list[str]:
        """Addresses in a header (of another message when given), lower-cased."""
        try:
            raw = self._headers.get(name.lower(), []) if message is None else message.get_all(name, [])
        except Exception:
            return []
        return [address for value in raw for address in addresses_in(str(value))]

    # --- structure -------------------------------------------------------------------------------------

    @lazy
    def leaves(self) -> list[Leaf]:
        found: list[Leaf] = []
        try:
            self._walk(self.message, 0, False, found)
        except RecursionError:
            self.defects.append("nested too deep")
        return found

    def _walk(self, part: Message, depth: int, returned: bool, found: list[Leaf]) -> None:
        if depth > MAX_DEPTH:
            self.defects.append("nested too deep")
            return
        content_type = content_type_of(part)
        # Only its type matters here: get_payload() would also decode a whole 8-bit body for nothing.
        payload = part._payload  # type: ignore[attr-defined]
        if (
            depth > 0
            and not content_type.startswith(("multipart/", "message/"))
            and _is_headers_of_original(part)
        ):
            # A part with no Content-Type whose own headers are the original's (Received, Message-Id, From):
            # the returned message, not declared as such.
            found.append(Leaf("message/rfc822", part, depth, returned))
            found.append(Leaf(content_type, part, depth + 1, True))
            return
        if content_type in REPORT_TYPES or content_type == "text/rfc822-headers":
            found.append(Leaf(content_type, part, depth, returned))
            return
        if content_type.startswith("multipart/") and isinstance(payload, str):
            repaired = _repair_boundary(part)
            if repaired is not part:  # one level deeper, so that a repair that does not take cannot loop
                self._walk(repaired, depth + 1, returned, found)
                return
            content_type = "text/plain"  # broken MIME: read the whole body as text
        if isinstance(payload, list):
            is_message = content_type.startswith("message/")
            if is_message:
                found.append(Leaf(content_type, part, depth, returned))
            for child in payload:
                if isinstance(child, Message):
                    self._walk(child, depth + 1, returned or is_message, found)
            return
        found.append(_leaf(content_type, part, depth, returned))

    @lazy
    def report_blocks(self) -> dict[str, str]:
        """Text of machine-readable report parts, keyed by content type (delivery-status, …)."""
        blocks: dict[str, str] = {}
        for leaf in self.leaves:
            if leaf.content_type in REPORT_TYPES and not leaf.returned:
                key = leaf.content_type.split("/")[1].replace("global-", "")
                blocks[key] = blocks.get(key, "") + _report_text(leaf.part) + "\n"
        return blocks

    @lazy
    def attachments(self) -> list[Leaf]:
        """Leaves outside any returned message that are not body text."""
        out = []
        for leaf in self.leaves:
            if leaf.returned or leaf.content_type in REPORT_TYPES or leaf.content_type in RETURNED_TYPES:
                continue
            try:
                filename = filename_of(leaf.part) if leaf.content_type.startswith("text/") else "?"
            except Exception:
                filename = None
            if leaf.content_type.startswith("text/") and not leaf.attachment and not filename:
                continue
            out.append(leaf)
        return out

    # --- text ------------------------------------------------------------------------------------------

    @lazy
    def _body_and_inline_original(self) -> tuple[str, str]:
        plain: list[Leaf] = []
        html: list[Leaf] = []
        attached: list[Leaf] = []
        for leaf in self.leaves:
            if leaf.returned or leaf.content_type not in ("text/plain", "text/html"):
                continue
            if leaf.attachment and leaf.depth > 0:
                if leaf.content_type == "text/plain":
                    attached.append(leaf)
            elif leaf.content_type == "text/plain":
                plain.append(leaf)
            else:
                html.append(leaf)
        # Plain text first; HTML (rendered, which costs) only when there is none; some gateways attach the
        # explanation as a .txt file: read it when the body says nothing.
        text = "\n".join(part_text(leaf.part)[:MAX_TEXT] for leaf in plain)
        if not text.strip():
            text = "\n".join(html_to_text(part_text(leaf.part)[: MAX_TEXT * 4])[:MAX_TEXT] for leaf in html)
        if not text.strip():
            text = "\n".join(part_text(leaf.part)[:MAX_TEXT] for leaf in attached)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        return split_inline_original(text[: MAX_TEXT * 2])

    @lazy
    def notice(self) -> str:
        """The human-readable text of the message itself, without the original it quotes back (capped)."""
        return self._body_and_inline_original[0][:MAX_TEXT]

    @lazy
    def flat(self) -> str:
        """The notice with all whitespace runs made one space: phrases wrapped over lines still match."""
        return " ".join(self.notice[:16000].split())

    @lazy
    def low(self) -> str:
        """`flat`, lower-cased: phrase families are matched on it."""
        return self.flat.lower()

    @lazy
    def subject_low(self) -> str:
        return self.subject.lower()

    @lazy
    def inline_original(self) -> str:
        """Text of an original message quoted inline by a single-part bounce, if any."""
        return self._body_and_inline_original[1]

    @lazy
    def returned(self) -> Message | None:
        """Headers (and body) of the original message sent back, from a MIME part or quoted inline."""
        for leaf in self.leaves:
            if leaf.content_type in RETURNED_TYPES and not leaf.returned:
                payload = leaf.part.get_payload()
                if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                    return payload[0]
                if leaf.content_type == "message/rfc822" and _is_headers_of_original(leaf.part):
                    return leaf.part
                text = part_text(leaf.part)
                if text.strip():
                    return parse_quoted(text, headers_only=leaf.content_type != "message/rfc822")
        if self.inline_original.strip():
            return parse_quoted(self.inline_original, headers_only=True)
        return None

    @lazy
    def embedded_report(self) -> MailView | None:
        """A report (DSN, MDN) that arrives wrapped in another message: a gateway that adds a disclaimer, or
        a postmaster who forwards the bounce. Only when the outer message carries no report itself."""
        if self.report_blocks:
            return None
        for leaf in self.leaves:
            if leaf.content_type != "message/rfc822" or leaf.returned or leaf.depth > 3:
                continue
            payload = leaf.part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            if isinstance(inner, Message) and content_type_of(inner) == "multipart/report":
                return MailView(self.raw, inner)
        if self.inline_original and not self.returned_attached:
            inner = self.returned
            if inner is not None and content_type_of(inner) == "multipart/report":
                return MailView(self.raw, parse_quoted(self.inline_original))
        return None

    @lazy
    def returned_attached(self) -> bool:
        """True when the original comes back as a MIME part (not only quoted in the text)."""
        return any(leaf.content_type in RETURNED_TYPES and not leaf.returned for leaf in self.leaves)

    @lazy
    def returned_text(self) -> str:
        """A short text of what was returned (headers), for searching correlation keys."""
        original = self.returned
        if original is None:
            return ""
        try:
            return "\n".join(f"{k}: {v}" for k, v in header_items(original))[:MAX_TEXT]
        except Exception:
            return ""


_BOUNDARY_LINE = re.compile(r"^--([^\s]{6,200}?)(?:--)?[ \t]*$", re.MULTILINE)


def _repair_boundary(message: Message) -> Message:
    """A multipart whose declared boundary never occurs (a relay rewrote it): use the one the body uses."""
    body = message.get_payload()
    if not isinstance(body, str):
        return message
    found = _BOUNDARY_LINE.search(body)
    if found is None or body.count("--" + found.group(1)) < 2:
        return message
    try:
        message.set_boundary(found.group(1))
        headers = "".join(f"{name}: {value}\n" for name, value in message.items())
        repaired = mimeparse.message_from_string(headers + "\n" + body)
    except Exception:
        return message
    repaired.defects.append(email.errors.StartBoundaryNotFoundDefect())
    return repaired


def _is_headers_of_original(part: Message) -> bool:
    if part.get("Content-Type") is not None:
        return False
    keys = {k.lower() for k in part}
    return "from" in keys and ("received" in keys or "message-id" in keys)


def _report_text(part: Message) -> str:
    payload = part.get_payload()
    if isinstance(payload, list):
        return "\n".join(block_text(sub) for sub in payload if isinstance(sub, Message))
    return part_text(part)
