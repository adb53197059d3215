"""A faster `email.message_from_bytes(raw, policy=compat32)`: the same tree of `email.message.Message` objects
(headers, payloads, preamble, epilogue, defects), built by searching for boundary lines instead of reading the
message one line at a time.

The standard parser hands every line through a stack of end-of-part tests and compiles one regular expression
per MIME boundary (its cache holds 512, so a stream of messages compiles them again and again); that is most
of its cost. Here a part is a region of the text: headers are matched in one go, a body is a slice, and a
boundary is found with `str.find`. The rules are the standard parser's (email.feedparser), step for step:
what it does on broken input (missing boundaries, headers without a blank line, digest defaults, the first
"From " line) this does too, and `tests/test_classify_mimeparse.py` checks the two trees are equal. The one
case it does not rebuild (a "From " line closing a header block) goes to the standard parser.
"""

from __future__ import annotations

import email
import email.errors
import email.policy
import re
from email.message import Message
from typing import Any

_POLICY = email.policy.compat32
# A header block: lines the standard parser takes as header lines (its headerRE), up to the first other line.
_HEADER_BLOCK = re.compile(r"(?:(?:From |[!-9;-~]*:|[\t ])[^\r\n]*(?:\r\n|\r|\n|\Z))*")
# One ordinary header (a name, a colon, the value and its folded lines), read as compat32 reads it.
_HEADER = re.compile(r"([!-9;-~]+):[ \t]*([^\r\n]*(?:(?:\r\n|\r|\n)[ \t][^\r\n]*)*)(?:\r\n|\r|\n|\Z)")
_NAME_VALUE = re.Match.groups
# A line the feedparser takes as a header line (its headerRE).
_HEADER_LINE = re.compile(r"From |[!-9;-~]*:|[\t ]")
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_EOL = re.compile(r"\r\n|\r|\n")
# What may follow "--boundary" on a boundary line: the closing "--", blanks, the end of the line.
_BOUNDARY_TAIL = re.compile(r"(--)?[ \t]*(?:\r\n|\r|\n|\Z)")
# A blank line after a line end (a bare CR ends a line unless a LF follows it).
_BLANK_AFTER = re.compile(r"(?:\r\n|\r(?!\n)|\n)(?=[\r\n])")
_MULTIPART_CTE = ("7bit", "8bit", "binary")


class ParsedMessage(Message):
    """A compat32 Message whose header lookups compare a name only with names of its length (Message.get
    lower-cases every header name on every call: reading a bounce asks for a few hundred). Header names here
    are ASCII, so the answers are the same."""

    def get(self, name: str, failobj: Any = None) -> Any:
        name = name.lower()
        size = len(name)
        for key, value in self._headers:  # type: ignore[attr-defined]
            if len(key) == size and key.lower() == name:
                return self.policy.header_fetch_parse(key, value)
        return failobj

    def get_all(self, name: str, failobj: Any = None) -> Any:
        name = name.lower()
        size = len(name)
        values = [
            self.policy.header_fetch_parse(key, value)
            for key, value in self._headers  # type: ignore[attr-defined]
            if len(key) == size and key.lower() == name
        ]
        return values or failobj

    def __contains__(self, name: str) -> bool:  # type: ignore[override]
        name = name.lower()
        size = len(name)
        return any(len(key) == size and key.lower() == name for key, _ in self._headers)  # type: ignore[attr-defined]


class _Fallback(Exception):
    """Input this parser does not rebuild exactly: the standard parser reads it instead."""


def message_from_bytes(raw: bytes) -> Message:
    """The message tree `email.message_from_bytes(raw, policy=compat32)` would give."""
    text = raw.decode("ascii", "surrogateescape")
    try:
        return _Parser(text).parse()
    except (_Fallback, RecursionError):  # nesting deeper than this parser's frames allow: the standard one's
        return email.message_from_string(text, policy=_POLICY)


def message_from_string(text: str) -> Message:
    """The message tree `email.message_from_string(text, policy=compat32)` would give."""
    try:
        return _Parser(text).parse()
    except (_Fallback, RecursionError):
        return email.message_from_string(text, policy=_POLICY)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.last: Message | None = None  # the feedparser's `_last`: whose trailing newline a boundary owns
        self.last_type = ""

    def parse(self) -> Message:
        root = ParsedMessage(policy=_POLICY)
        self._part(root, 0, len(self.text))
        if content_type(root).startswith("multipart/") and not root.is_multipart():
            root.defects.append(email.errors.MultipartInvariantViolationDefect())
        return root

    # --- lines ---------------------------------------------------------------------------------------------

    def _line_end(self, pos: int) -> int:
        found = _EOL.search(self.text, pos)
        return found.end() if found else len(self.text)

    def _boundary_line(self, separator: str, pos: int, limit: int) -> tuple[int, re.Match[str]] | None:
        """The first line in [pos, limit) that is a boundary line of `separator` ("--" + boundary)."""
        text = self.text
        start = text.find(separator, pos, limit)
        while start >= 0:
            if start == pos or text[start - 1] in "\r\n":
                tail = _BOUNDARY_TAIL.match(text, start + len(separator))
                if tail is not None:
                    return start, tail
            start = text.find(separator, start + 1, limit)
        return None

    def _blank_line(self, pos: int, limit: int) -> int:
        """The start of the first blank line in [pos, limit), else limit."""
        if pos < limit and self.text[pos] in "\r\n":
            return pos
        found = _BLANK_AFTER.search(self.text, pos, limit)
        return found.end() if found else limit

    # --- parts ---------------------------------------------------------------------------------------------

    def _child(self, parent_type: str, parent: Message, pos: int, limit: int) -> int:
        message = ParsedMessage(policy=_POLICY)
        if parent_type == "multipart/digest":
            message.set_default_type("message/rfc822")
        parent.attach(message)
        return self._part(message, pos, limit)

    def _part(self, message: Message, pos: int, limit: int) -> int:
        """Read one message from the region [pos, limit) (the stream ends at `limit` for it and all it
        holds); return where reading stopped."""
        self.last = message
        text = self.text
        # Usually the block is plain "Name: value" headers (and folds), read in one pass; a line the
        # feedparser takes as a header but that is none of those (a "From " line, a ':' first, a fold first)
        # sends the block the feedparser's way.
        found = list(iter(_HEADER.scanner(text, pos, limit).match, None))  # header after header, no gap
        end = found[-1].end() if found else pos
        plain = end >= limit or _HEADER_LINE.match(text, end, limit) is None
        if not plain:
            end = _HEADER_BLOCK.match(text, pos, limit).end()  # type: ignore[union-attr]
        body = end
        if end < limit:
            if text[end] in "\r\n":  # the blank line between headers and body
                body = self._line_end(end)
            else:
                message.defects.append(email.errors.MissingHeaderBodySeparatorDefect())
        if plain:
            message._headers = list(map(_NAME_VALUE, found))  # type: ignore[attr-defined]
        else:
            self._headers(message, pos, end)
        kind = content_type(message)
        self.last_type = kind
        if kind == "message/delivery-status":
            return self._delivery_status(message, body, limit)
        if kind.startswith("message/"):
            return self._child(kind, message, body, limit)
        if kind.startswith("multipart/"):
            return self._multipart(kind, message, body, limit)
        message._payload = text[body:limit]  # type: ignore[attr-defined]
        return limit

    def _headers(self, message: Message, pos: int, end: int) -> None:
        """The feedparser's _parse_headers on the header block [pos, end), line by line."""
        lines = _LINES.findall(self.text, pos, end)
        name = ""
        value: list[str] = []
        last = len(lines) - 1
        for number, line in enumerate(lines):
            if line[0] in " \t":
                if not name:
                    message.defects.append(email.errors.FirstHeaderLineIsContinuationDefect(line))
                    continue
                value.append(line)
                continue
            if name:
                message._headers.append(_source(value))  # type: ignore[attr-defined]
                name, value = "", []
            if line.startswith("From "):
                if number == 0:
                    message.set_unixfrom(_strip_eol(line))
                    continue
                if number == last:  # pushed back as the first body line: not rebuilt here
                    raise _Fallback
                message.defects.append(email.errors.MisplacedEnvelopeHeaderDefect(line))
                continue
            colon = line.find(":")
            if colon == 0:
                message.defects.append(email.errors.InvalidHeaderDefect("Missing header name."))
                continue
            name, value = line[:colon], [line]
        if name:
            message._headers.append(_source(value))  # type: ignore[attr-defined]

    def _delivery_status(self, message: Message, pos: int, limit: int) -> int:
        """Blocks of fields separated by blank lines, each a header-only message."""
        while True:
            pos = self._child("message/delivery-status", message, pos, self._blank_line(pos, limit))
            if pos >= limit:
                return pos
            pos = self._line_end(pos)  # the blank line
            if pos >= limit:
                return pos

    def _multipart(self, kind: str, message: Message, pos: int, limit: int) -> int:
        text = self.text
        boundary = message.get_boundary()
        if boundary is None:
            message.defects.append(email.errors.NoBoundaryInMultipartDefect())
            message._payload = text[pos:limit]  # type: ignore[attr-defined]
            return limit
        if str(message.get("content-transfer-encoding", "8bit")).lower() not in _MULTIPART_CTE:
            message.defects.append(email.errors.InvalidMultipartContentTransferEncodingDefect())
        separator = "--" + boundary
        if "\r" in separator or "\n" in separator:  # can never match a line: not rebuilt here
            raise _Fallback
        found = self._boundary_line(separator, pos, limit)
        if found is None or found[1].group(1):  # no opening boundary (a closing one ends the reading)
            message.defects.append(email.errors.StartBoundaryNotFoundDefect())
            message._payload = text[pos : found[0] if found else limit]  # type: ignore[attr-defined]
            message.epilogue = ""
            return limit
        start, tail = found
        if start > pos:  # the newline before a boundary belongs to the boundary
            message.preamble = _strip_eol(text[pos:start])
        while True:
            if tail.group(1):  # closing boundary: the rest is the epilogue
                message.epilogue = text[tail.end() : limit]
                return limit
            pos = tail.end()
            # Repeated boundary lines (a closing one included) make no empty parts.
            while pos < limit and text.startswith(separator, pos):
                again = _BOUNDARY_TAIL.match(text, pos + len(separator))
                if again is None:
                    break
                pos = again.end()
            found = self._boundary_line(separator, pos, limit)
            part_end = found[0] if found else limit
            pos = self._child(kind, message, pos, part_end)
            self._trim_last()
            self.last, self.last_type = message, kind
            if found is None:
                message.defects.append(email.errors.CloseBoundaryNotFoundDefect())
                return limit
            start, tail = found

    def _trim_last(self) -> None:
        """The newline before a boundary line is the boundary's, not the part's that precedes it."""
        last = self.last
        if last is None:
            return
        if self.last_type.startswith("multipart/"):
            if last.epilogue == "":
                last.epilogue = None
            elif last.epilogue is not None:
                last.epilogue = _strip_eol(last.epilogue)
        elif isinstance(last._payload, str):  # type: ignore[attr-defined]
            last._payload = _strip_eol(last._payload)  # type: ignore[attr-defined]


def content_type(message: Message) -> str:
    """Message.get_content_type(), without the policy round trip for a plain ASCII header."""
    for name, value in message._headers:  # type: ignore[attr-defined]
        if len(name) == 12 and name.lower() == "content-type":
            if not value.isascii():
                return message.get_content_type()
            kind = value.partition(";")[0].strip().lower()
            return kind if kind.count("/") == 1 else "text/plain"
    return message.get_default_type()


def _source(lines: list[str]) -> tuple[str, str]:
    """compat32's header_source_parse: name, and the value with its folds kept."""
    name, value = lines[0].split(":", 1)
    value = value.lstrip(" \t") + "".join(lines[1:])
    return name, value.rstrip("\r\n")


def _strip_eol(text: str) -> str:
    """Without its last line end (a search for one at the end would scan the whole text)."""
    if text.endswith("\r\n"):
        return text[:-2]
    return text[:-1] if text.endswith(("\r", "\n")) else text
