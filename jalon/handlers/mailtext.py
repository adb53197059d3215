"""Text out of mail parts, never raising: header and charset decoding, HTML to text, addresses, and where a
single-part bounce starts quoting the message it returns.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from email.message import Message
from typing import Any, Generic, TypeVar, overload

from jalon.handlers.mimeparse import ParsedMessage, content_type, message_from_string
from jalon.handlers.phrases import compile_factored
from jalon.mailbox.mime import decode_words, decoded_payload

MAX_TEXT = 64_000  # characters of notice text looked at; bounce explanations are short
MAX_PART_BYTES = 2_000_000
SPLIT_WINDOW = 16_000  # characters searched for the start of a quoted original

ADDRESS = re.compile(
    r"(?<![\w.+=/-])(\"[^\"\r\n@]{1,64}\"|[\w.!#$%&'*+/=?^`{|}~-]{1,64})@"
    r"((?:[A-Za-z0-9-]{1,63}\.)*[A-Za-z0-9-]{1,63})(?![A-Za-z0-9-])"
)

# Where a single-part bounce starts quoting the original message (qmail, Exim, Sendmail, Notes, mfilter…):
# a separator line naming the original / copy / headers / unsent message, in English, French or German.
_RETURNED_MARKER_SOURCE = (
    r"[ \t]*(?:[-=_*#]{2,}[ \t]*)?(?:"
    r"below this line is a copy of the message|this is a copy of the message|"
    r"included is a copy of the message|"
    r"(?:unsent|undelivered|returned|original|rejected|failed)[ \t]+message"
    r"(?:[ \t]+(?:follows|headers?|text))?|"
    r"(?:below|here|attached|following) is (?:a |the )?copy of|"
    r"(?:a |the )copy of (?:the |your )?(?:original )?message|"
    r"(?:text|headers?|content|copy|part) of (?:the |your )?(?:original|returned|unsent) message|"
    r"the (?:header|headers|text) of the original message|original message headers|message headers follow|"
    r"unsent message below|your message reads|"
    r"(?:ceci est une |voici une )?copie du message|message d'origine|message original|"
    r"en-t[eê]tes? du message|"
    r"urspr[uü]ngliche nachricht|kopie der nachricht|nachrichtenkopf|originalnachricht"
    r")\b"
)
_RETURNED_MARKER = re.compile(_RETURNED_MARKER_SOURCE, re.IGNORECASE)
_RETURNED_MARKER_LOW = re.compile(_RETURNED_MARKER_SOURCE)  # on lower-cased text: three times faster
# Every marker above contains one of these words: lines without them are not looked at.
_MARKER_WORD = re.compile(r"message|copy|copie|nachricht|kopie|nachrichtenkopf")
_MARKER_WORD_ANY_CASE = re.compile(_MARKER_WORD.pattern, re.IGNORECASE)
# The start of a quoted header block that no separator announces: three header lines in a row (folded
# continuations allowed), one of which only a real header block has.
_HEADER_NAME = r"(?:[A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*)[ \t]*:[ \t]*\S.*\n(?:[ \t]+\S.*\n)*"
_BLOCK_NAMES = (
    r"(?:Return-Path|Received|Message-I[Dd]|DKIM-Signature|MIME-Version|Content-Type|X-Mailer|Delivered-To)"
)
_HEADER_BLOCK = re.compile(
    r"^(?=(?:" + _HEADER_NAME + r"){0,2}" + _BLOCK_NAMES + r"[ \t]*:)(?:" + _HEADER_NAME + r"){2}"
    r"[A-Z][A-Za-z0-9-]*[ \t]*:",
    re.MULTILINE,
)
# Such a block holds one of those names: without any, the line-by-line search is not run.
_BLOCK_NAME = compile_factored(_BLOCK_NAMES + r"[ \t]*:")
_HTML_BREAK = re.compile(r"<\s*(?:br|/p|/div|/tr|/li|/h\d|p|div|tr|li|hr)\b[^>]*>", re.IGNORECASE)
_HTML_TAG = re.compile(r"<[^>]{0,2000}>")
_HTML_DROP = re.compile(r"<(style|script|head)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_ENTITIES = {
    "&lt;": "<",
    "&gt;": ">",
    "&amp;": "&",
    "&nbsp;": " ",
    "&quot;": '"',
    "&#39;": "'",
    "&#160;": " ",
}
_ENTITY = re.compile("|".join(_ENTITIES))
_FOLD = re.compile(r"\r?\n[ \t]+")


T = TypeVar("T")


class lazy(Generic[T]):
    """functools.cached_property without its lock (Python 3.11 takes an RLock for every value it computes,
    a sizeable share of classifying a short bounce); views are never shared between threads."""

    def __init__(self, function: Callable[[Any], T]) -> None:
        self.function = function
        self.name = function.__name__
        self.__doc__ = function.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> lazy[T]: ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...

    def __get__(self, instance: object, owner: type | None = None) -> T | lazy[T]:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.function(instance)
        return value


_SURROGATE = re.compile("[\ud800-\udfff]")


def clean(text: str) -> str:
    """8-bit bytes compat32 keeps as surrogates, read as UTF-8 (else replaced): output must encode."""
    if text.isascii() or _SURROGATE.search(text) is None:
        return text
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # surrogates that are not escaped bytes
        return text.encode("utf-8", "replace").decode("utf-8")


def decode_header(value: object) -> str:
    """An RFC 2047 header as text; unknown charsets fall back to latin-1, never raise."""
    if value is None:
        return ""
    text = clean(str(value))
    if "=?" not in text:
        return " ".join(text.split())
    try:
        return " ".join(decode_words(text).split())
    except Exception:
        return " ".join(text.split())


def html_to_text(html: str) -> str:
    html = _HTML_DROP.sub(" ", html)
    html = _HTML_BREAK.sub("\n", html)
    html = _HTML_TAG.sub("", html)
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(0)], html)


# Transfer encodings get_payload(decode=True) decodes; any other leaves the text as it is.
_ENCODED = frozenset({"quoted-printable", "base64", "x-uuencode", "uuencode", "uue", "x-uue"})
# Charsets in which ASCII bytes read as the same ASCII text.
_ASCII_READS_AS_ASCII = frozenset(
    {
        "",
        "us-ascii",
        "ascii",
        "utf-8",
        "utf8",
        "iso-8859-1",
        "latin-1",
        "latin1",
        "iso-8859-15",
        "windows-1252",
    }
)


def part_text(part: Message) -> str:
    """The decoded text of a leaf part; a wrong or unknown charset falls back, never raises."""
    payload = getattr(part, "_payload", None)
    if (  # plain ASCII text: decoding would give it back as it is, after two copies
        isinstance(payload, str)
        and payload.isascii()
        and str(part.get("content-transfer-encoding", "")).lower() not in _ENCODED
        and (content_charset(part) or "") in _ASCII_READS_AS_ASCII
    ):
        return payload[:MAX_PART_BYTES]
    data = decoded_payload(part)
    if data is None:
        payload = part.get_payload()
        if isinstance(payload, str):
            return clean(payload[:MAX_PART_BYTES])
        if isinstance(payload, list):  # compat32 parses some report types into sub-messages
            return "\n".join(block_text(sub) for sub in payload if isinstance(sub, Message))[:MAX_PART_BYTES]
        return ""
    data = data[:MAX_PART_BYTES]
    charset = content_charset(part) or ""
    for candidate in (charset, "utf-8"):
        if not candidate:
            continue
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError, ValueError):
            continue
    return data.decode("latin-1", "replace")


_CHARSETS: dict[str, str | None] = {}  # Content-Type value -> its charset (the same few values recur)


def content_charset(part: Message) -> str | None:
    """part.get_content_charset(), which depends on the Content-Type value alone, parsed once per value."""
    value = part.get("content-type")
    if not isinstance(value, str):
        return part.get_content_charset()
    try:
        return _CHARSETS[value]
    except KeyError:
        charset = _CHARSETS[value] = part.get_content_charset()
        if len(_CHARSETS) > 4096:
            _CHARSETS.clear()
        return charset


def filename_of(part: Message) -> str | None:
    """part.get_filename(); a part whose Content-Disposition and Content-Type do not even contain "name"
    has none, and its parameters are not parsed."""
    disposition, kind = part.get("content-disposition"), part.get("content-type")
    if "name" not in str(disposition).lower() and "name" not in str(kind).lower():
        return None
    return part.get_filename()


def header_items(message: Message) -> list[tuple[str, object]]:
    """message.items(): raw (name, value) pairs, through the policy only for values it would change."""
    pairs = getattr(message, "_headers", None)
    if pairs is None:
        return message.items()
    fetch = message.policy.header_fetch_parse
    return [(name, value if value.isascii() else fetch(name, value)) for name, value in pairs]


def block_text(message: Message) -> str:
    """A header-only block (one DSN/MDN/ARF field group) back as text."""
    # compat32 keeps the raw (name, value) pairs; reading them directly skips per-header policy calls
    pairs = getattr(message, "_headers", None) or message.items()
    lines = [f"{name}: {clean(str(value))}" for name, value in pairs]
    payload = getattr(message, "_payload", None)  # a field block's body is nearly always empty
    if isinstance(payload, str) and payload.strip():
        lines.append(message.get_payload())
    return "\n".join(lines) + "\n"


def unfold(text: str) -> str:
    return _FOLD.sub(" ", text)


def addresses_in(text: str) -> list[str]:
    return [f"{m.group(1)}@{m.group(2)}".lower() for m in ADDRESS.finditer(text)]


def content_type_of(part: Message) -> str:
    """The content type, cleaned of the junk a broken header leaves (newlines, missing ';')."""
    try:
        value = content_type(part)
    except Exception:
        return "text/plain"
    value = value.split()[0] if value.strip() else "text/plain"
    return value if "/" in value else "text/plain"


def parse_quoted(text: str, headers_only: bool = False) -> Message:
    """A message quoted as text; only its headers when that is all that is needed (much cheaper)."""
    text = text.lstrip("\n")
    if headers_only:
        return header_block(text)
    try:
        return message_from_string(text[: MAX_TEXT * 4])
    except Exception:
        return Message()


_HEADER_LINE = re.compile(r"([!-9;-~]{1,60})[ \t]*:[ \t]?(.*)")


def header_block(text: str) -> Message:
    """The headers at the top of a quoted message, read line by line (the full parser is ten times slower
    and reads the whole body)."""
    message = ParsedMessage()
    name = value = None
    end = min(len(text), MAX_TEXT)
    position = 0
    while position < end:  # line by line, up to the first line that is not a header
        newline = text.find("\n", position, end)
        newline = end if newline < 0 else newline
        line, position = text[position:newline], newline + 1
        if line[:1] in (" ", "\t") and name is not None:
            value = f"{value}\n{line}"
            continue
        if name is not None:
            message._headers.append((name, value))  # type: ignore[attr-defined]  # compat32's __setitem__
            name = None
        if not line.strip():
            break
        found = _HEADER_LINE.match(line)
        if found is None:
            break
        name, value = found.group(1), found.group(2).rstrip("\r")
    if name is not None:
        message._headers.append((name, value))  # type: ignore[attr-defined]
    return message


def split_inline_original(text: str) -> tuple[str, str]:
    """(notice, original) for a single-part bounce that quotes the message it returns. The quote starts after
    a short notice (corpus: within 4 KB), so only the head is searched."""
    marker = _find_marker(text)
    block = _HEADER_BLOCK.search(text, 0, SPLIT_WINDOW) if _BLOCK_NAME.search(text, 0, SPLIT_WINDOW) else None
    if marker and (block is None or marker[0] <= block.start()):
        return text[: marker[0]], text[marker[1] :]
    if block:
        return text[: block.start()], text[block.start() :]
    return text, ""


def _find_marker(text: str) -> tuple[int, int] | None:
    """(start of the marker line, end of it): a line that announces the quoted original."""
    head = text[: SPLIT_WINDOW + 100]
    low = head.lower()
    words, marker = _MARKER_WORD, _RETURNED_MARKER_LOW
    if len(low) != len(head):  # a character whose lower case is longer: positions would shift
        low, words, marker = head, _MARKER_WORD_ANY_CASE, _RETURNED_MARKER
    for word in words.finditer(low, 0, SPLIT_WINDOW):
        start = text.rfind("\n", 0, word.start()) + 1
        if word.start() - start > 60:  # markers sit at the start of their line
            continue
        if marker.match(low, start, word.end() + 80):
            end = text.find("\n", word.end())
            return start, end if end >= 0 else len(text)
    return None
