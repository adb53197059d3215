"""The new text of a reply: quoted originals, attribution lines, forwarded blocks, signatures and disclaimers
removed, from the plain-text part or, for HTML-only mail, from the HTML rendered to text with lxml.

Line by line, every pattern anchored and applied to at most `SCAN` characters of a line, so the work is linear
in the size of the message (10 MB of quoted text included) and no regular expression can backtrack badly.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from email.message import Message
from functools import lru_cache

from jalon.mailbox.mime import decoded_payload

SCAN = 400  # characters of a line the patterns look at
MAX_NEW_TEXT = 100_000  # a human reply is never longer; the rest is not read
MAX_HTML = 5_000_000
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u1427\u00ad"), None)
BLANK_RUN = re.compile(r"\n(?:[ \t]*\n){2,}")  # where a quote was cut out, one blank line is enough
HAS_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u1427\u00ad]")

# --- what a line is ---------------------------------------------------------------------------------------


# "…wrote:" endings of an attribution line (folded: lower case, no accents), one per mail client language.
def _alternatives(spec: str) -> tuple[str, ...]:
    """Tables below are written as "a|b|c" to stay readable in one screen."""
    return tuple(spec.split("|"))


WROTE = _alternatives(
    "wrote|a ecrit|a ecrit le|schrieb|escribio|ha scritto|schreef|het volgende geschreven|escreveu|skrev"
    "|napisal|napisal(a)|napisał|napisał(a)|написал|написал(а)|пише|写道|kirjoitti"
)
# How an attribution may start when it is wrapped over several lines.
OPENER = re.compile(r"(?:-+\s*)?(?:(?:on|le|am|el|il|op|em|den|dnia|w dniu|pa|in data)\b|\d)")

# Header lines of a quoted original (Outlook, Apple, Zimbra, Lotus, forwards): role <- keys, all clients.
HEADER_ROLES = {
    "from": "from|de|von|van|da|fra|fran|od|от|от кого|expediteur|sender",
    "date": "sent|date|envoye|envoye le|gesendet|datum|verzonden|inviato|data|sendt|skickat|wyslano|enviado"
    "|enviada|отправлено|дата",
    "to": "to|a|an|aan|til|till|do|para|кому|destinataire|destinataires",
    "cc": "cc|cci|bcc|kopie|copie|copie a",
    "subject": "subject|objet|betreff|onderwerp|oggetto|emne|amne|temat|asunto|assunto|тема|sujet",
    "reply": "reply-to|repondre a|risposta|antwort an",
}
HEADER_KEYS = {key: role for role, keys in HEADER_ROLES.items() for key in _alternatives(keys)}
HEADER_LINE = re.compile(r"\*{0,2}\s*([^\W\d_][\w -]{0,18}?)\s*\*{0,2}\s*[:：]")

# Lines that announce the original or a forward ("-----Original Message-----", "Début du message réexpédié").
SEPARATOR = re.compile(
    r"[-_=*\s]*(?:original message|message d'origine|message original|mail original|message transfere"
    r"|courriel original|forwarded message|begin forwarded message|debut du message (?:reexpedie|transfere)"
    r"|ursprungliche nachricht|weitergeleitete nachricht|mensaje original|mensaje reenviado"
    r"|messaggio originale|messaggio inoltrato|oprindelig meddelelse|oorspronkelijk bericht"
    r"|doorgestuurd bericht|reply message|antwort nachricht|ursprungligt meddelande|videresendt melding"
    r"|wiadomosc oryginalna|исходное сообщение|пересылаемое сообщение)\s*[:：]?[-_=*\s]*"
)
RULE = re.compile(r"\s*(?:_{8,}|-{8,}|={8,})\s*")
# Old Gmail: "2014-10-17 11:28 GMT+03:00 Name <a@b>:" and "2011/4/7 Name <a@b>".
DATE_FIRST = re.compile(
    r"(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})\b.{0,120}(?:@.{0,80}>\s*:?|gmt[+-]\d)"
)

# --- what ends the new text -------------------------------------------------------------------------------

MOBILE = re.compile(
    r"(?:\(|<<)?\s*(?:sent|envoye|envoyee|expedie|sendt|skickat|verzonden|gesendet|inviato|enviado|wyslane)"
    r"\s+(?:from|de|depuis|du|via|with|avec|fra|fran|met|von|da|desde|do|z|by|using)\b.{0,70}"
    r"|(?:get|obtenir|telechargez|download)\s+(?:\[)?outlook\s+(?:for|pour)\b.{0,70}"
    r"|von meinem .{0,50}gesendet.{0,5}|diese nachricht wurde von meinem .{0,80}"
    r"|from my (?:iphone|ipad|android).*"
)
DISCLAIMER = re.compile(
    r"(?:ce|cet|le present) (?:message|courriel|mail|e-mail|email)\b.{0,120}"
    r"(?:confidenti|destine|strictement|exclusivement|pieces? jointes?|informations? contenues?)"
    r"|(?:this|the) (?:e-?mail|message|communication|transmission)\b.{0,120}"
    r"(?:confidential|intended (?:only|solely|for)|privileged|addressee)"
    r"|(?:confidentiality (?:notice|note|statement)|disclaimer|avertissement|avis de confidentialite"
    r"|legal notice|mentions? legales?|clause de confidentialite)\b"
    r"|(?:les informations contenues|the information (?:contained|in this|transmitted))\b"
    r"|(?:if you (?:are not the intended|have received this)|si vous (?:n'etes pas|avez recu ce))\b"
    r"|(?:pensez|merci de penser|avant d'imprimer|please consider|think before (?:you )?print|p+ please"
    r"|p+ pensez|respectez l'environnement).{0,80}(?:environ|imprim|print)"
)
# Corporate warnings put on top of the body: the line goes, the message stays.
BANNER = re.compile(
    r"\[?(?:external|externe|ext)\]?\s*(?:email|mail|message|courriel)?\s*[:!-]?\s*$"
    r"|(?:caution|attention|warning|avertissement|securite)\s*[:!-]\s*.{0,60}"
    r"(?:outside|exterieur|externe|external|hors de)"
    r"|(?:ce|this) (?:message|courriel|mail|e-mail|email) (?:provient|vient|originated|comes|was sent from)"
    r"\b.{0,60}(?:exterieur|externe|outside|external)"
)
CLOSING = re.compile(
    r"(?:bien |tres |tres bien |sincerement |tres sincerement )?cordialement|bien a (?:vous|toi)"
    r"|(?:meilleures |sinceres )?salutations(?: distinguees)?|bonne (?:journee|fin de journee|soiree|semaine)"
    r"|merci(?: beaucoup| bien| d'avance| par avance| encore| a vous"
    r"| pour votre (?:aide|retour|comprehension))?"
    r"|respectueusement|amicalement|a bientot|veuillez agreer.{0,80}|recevez.{0,60}salutations.{0,20}"
    r"|(?:best|kind|warm|warmest|many thanks and|with)? ?regards|best wishes|all the best|best|cheers"
    r"|sincerely(?: yours)?|yours (?:sincerely|faithfully|truly)"
    r"|thanks?(?: you)?(?: very much| again| in advance)?"
    r"|many thanks|thx|rgds|br|mit freundlichen grussen|gruss|saludos|un saludo|cordiali saluti"
)
CONTACT_MARK = re.compile(
    r"@|https?://|www\.|\b(?:tel|tél|phone|fax|mobile|mob|portable|ligne directe|direct|standard|m|t|p|f)"
    r"\s*[.:]|\+\d{2}|\b0\d(?:[ .]?\d{2}){4}\b|\b\d{5}\s+[a-z]"
    r"|\bsiret\b|\bsiren\b|\brcs\b|\bs\.?a\.?s\b|\bsarl\b"
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
NAME_LINE = re.compile(r"[/~—–-]{0,3}\s?[^\W\d_][^\d@:;?!]{0,38}")
RULE_CHARS = re.compile(r"[\s\-_=*~#+.•·|]*")
# Lines that announce something new are never signature lines, however short.
NEWS = re.compile(
    r"\b(?:nouvel\w*|new|desormais|dorenavant|going forward|from now on|instead|plutot|a la place|change\w*"
    r"|modifi\w*|remplac\w*|merci de|please|veuillez)\b"
)
# "Isabelle Morel", "J. Martin", "Jean-Luc Perrot", "Dr. Aisha Khan": capitalised words, 2 to 4 of them.
PERSON = re.compile(
    r"(?:(?:Dr|Me|Mme|M|Mr|Mrs|Ms)\.? )?(?:[A-ZÀ-Ý][\w'-]*\.?|[A-ZÀ-Ý]\.)(?: (?:[A-ZÀ-Ý][\w'-]*\.?"
    r"|[A-ZÀ-Ý]\.|de|du|van|von|le|la)){1,3}"
)
PS = re.compile(r"(?:p\.?\s?s\.?|n\.?\s?b\.?)\s*[:.-]?\s")


def fold(text: str) -> str:
    """Lower case, accents and typographic spaces removed, one character for one (offsets still match)."""
    return text.translate(_fold_table(text))


def _fold_table(text: str) -> dict[int, str]:
    return {ord(ch): _fold_char(ch) for ch in set(text) if not ch.isascii() or ch.isupper()}


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch in "\u00a0\u202f\u2007\u2009\u200a\t":
        return " "
    if ch in "\u2019\u2018\u02bc\u00b4`":
        return "'"
    if ch in "\u2013\u2014\u2212":
        return "-"
    low = ch.lower()
    if len(low) != 1:
        return ch
    base = unicodedata.normalize("NFKD", low)[:1]
    return low if not base or unicodedata.combining(base) else base


def _key(line: str) -> str:
    """The folded, trimmed start of a line, for the patterns."""
    return _folded_start(line[:SCAN])


@lru_cache(maxsize=8192)  # a line is looked at by several patterns in a row
def _folded_start(start: str) -> str:
    return fold(start).strip().strip("*").strip()


QUOTE_PREFIX = re.compile(r"\s*(?:>|[A-Za-z]{1,3}>(?:\s|$))")


def _is_quote(line: str) -> bool:
    return QUOTE_PREFIX.match(line) is not None


def _is_blank(line: str) -> bool:
    return not line.strip()


WROTE_INSIDE = re.compile(r"\b(?:schrieb|wrote|a ecrit|napisal|napisał|escribio|skrev)\b")


def _ends_with_wrote(key: str) -> bool:
    tail = key.rstrip(" :：-*")
    if tail.endswith(WROTE):
        return True
    # "Am 3.2.2016 schrieb Max <max@example.org>:" and "Max <…> schrieb am Fr., 28. Apr. 2017 um 11:53 Uhr:"
    return (
        key.endswith(":")
        and WROTE_INSIDE.search(key) is not None
        and (OPENER.match(key) is not None or "schrieb am " in key)
    )


def _attribution(lines: list[str], i: int, inner: bool = False) -> int:
    """Number of lines of an "On … wrote:" attribution starting at line i (0 when there is none)."""
    first = _key(lines[i])
    if not first or len(first) > 300:
        return 0
    joined, count, used = "", 0, 0
    for j in range(i, min(len(lines), i + 6)):
        # A '>' may close an address wrapped over lines ("<\nmailto:…\n> wrote:"): not a quote then.
        if j > i and _is_quote(lines[j]) and joined.count("<") <= joined.count(">"):
            break
        used += 1
        if _is_blank(lines[j]):
            continue
        joined = f"{joined} {_key(lines[j])}".strip()
        count += 1
        if len(joined) > 350:
            break
        if _ends_with_wrote(joined) and (re.search(r"\d|@", joined) or "<" in joined):
            if count == 1:
                return used
            if not (OPENER.match(first) or EMAIL.search(first) or first.endswith("<")):
                break
            # The attribution starts at the latest line that can start it: earlier lines are the reply.
            if not inner:
                for k in range(i + 1, j + 1):
                    later = _attribution(lines, k, inner=True) == i + used - k
                    if later and (not OPENER.match(first) or first.endswith((".", "!", "?", ";"))):
                        return 0
            return used
    return 0


def _header_block(lines: list[str], i: int) -> int:
    """Number of lines of a quoted header block (From/Sent/To/Subject in any client's words) at line i."""
    if i >= len(lines):
        return 0
    match = HEADER_LINE.match(_key(lines[i]))
    first_role = HEADER_KEYS.get(match.group(1).strip()) if match else None
    if first_role is None:
        return 0
    roles: set[str] = set()
    end, loose = i, 0
    for j in range(i, min(len(lines), i + 12)):
        if _is_blank(lines[j]):
            if roles and len(roles) >= 3:
                break
            loose += 1
            if loose > 1:
                break
            continue
        found = HEADER_LINE.match(_key(lines[j]))
        role = HEADER_KEYS.get(found.group(1).strip()) if found else None
        if role:
            roles.add(role)
            end = j
        elif j - end > 2:
            break
    # From or Date first and one more key; any other key first needs both From/Date and two more.
    needed = 2 if first_role in ("from", "date") else 3
    if len(roles) >= needed and roles & {"to", "subject", "date", "cc", "reply"} and roles & {"from", "date"}:
        return end - i + 1
    return 0


def _splitter(lines: list[str], i: int) -> tuple[int, bool]:
    """(number of lines, is_unquoted_original) of a splitter at line i; (0, False) if the line is not one.

    An attribution is usually followed by '>' quotes; separators and header blocks by an unquoted original.
    """
    key = _key(lines[i])
    if not key:
        return 0, False
    if SEPARATOR.fullmatch(key):
        size = 1 + _header_block(lines, _next_text(lines, i + 1)) if i + 1 < len(lines) else 1
        return max(size, 1), True
    if RULE.fullmatch(key):
        j = _next_text(lines, i + 1)
        if j < len(lines) and (size := _header_block(lines, j)):
            return j - i + size, True
        return 0, False
    if size := _header_block(lines, i):
        return size, True
    if size := _attribution(lines, i):
        return size, False
    if DATE_FIRST.match(key):
        return 1, False
    return 0, False


def _next_text(lines: list[str], i: int) -> int:
    while i < len(lines) and _is_blank(lines[i]) and i < len(lines):
        i += 1
    return i


# --- the new text -----------------------------------------------------------------------------------------


def strip_quotes(text: str) -> str:
    """The new text of a reply body: no quoted original, no attribution line, no signature or disclaimer.

    Top posting keeps what comes before the first quoted original (plus any text the sender wrote after a
    '>' quote: "reply wraps quotation"); bottom posting keeps what follows the quote; a message that starts
    with a forwarded block keeps that block's text.
    """
    if not text:
        return ""
    if HAS_INVISIBLE.search(text):
        text = text.translate(INVISIBLE)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    kept = _unquoted(lines)
    return BLANK_RUN.sub("\n\n", _without_signature(kept)[:MAX_NEW_TEXT]).strip("\n")


def _unquoted(lines: list[str]) -> list[str]:
    kept: list[str] = []
    i, n = 0, len(lines)
    any_text = False
    size_kept = 0
    while i < n:
        line = lines[i]
        if _is_quote(line):
            i += 1
            continue
        if _is_blank(line):
            kept.append("")
            i += 1
            continue
        size, unquoted_original = _splitter(lines, i)
        if not size:
            kept.append(line)
            any_text = True
            size_kept += len(line) + 1
            if size_kept > MAX_NEW_TEXT:
                break
            i += 1
            continue
        after = _next_text(lines, i + size)
        if unquoted_original or after >= n or not _is_quote(lines[after]):
            if any_text:
                break  # everything below is the quoted original
            # The message opens with a forward or an unquoted original: its text is all there is.
            end = after
            while end < n:
                if not _is_blank(lines[end]) and not _is_quote(lines[end]) and _splitter(lines, end)[0]:
                    break
                end += 1
            kept.extend(line for line in lines[after:end] if not _is_quote(line))
            break
        # An attribution followed by '>' quotes: skip both, keep reading (bottom or interleaved posting).
        i = after
    return kept


def _without_signature(lines: list[str]) -> str:
    lines = [line for line in lines if not (line.strip() and BANNER.fullmatch(_key(line)))]
    lines = _cut_markers(lines)
    lines = _cut_closing_tail(lines)
    lines = _cut_contact_block(lines)
    lines = _cut_name_block(lines)
    while lines and RULE_CHARS.fullmatch(lines[-1]):
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    return "\n".join(line.rstrip() for line in lines)


def _cut_markers(lines: list[str]) -> list[str]:
    seen_text = False
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        key = _key(line)
        if seen_text and stripped in ("--", "-- ", "—", "__"):
            return lines[:index]
        if seen_text and re.fullmatch(r"[_-]{5,}|[_-]{2,}", stripped) and _short_tail(lines[index + 1 :]):
            return lines[:index]
        if MOBILE.fullmatch(key) or DISCLAIMER.match(key):
            return lines[:index]
        seen_text = True
    return lines


def _short_tail(lines: list[str]) -> bool:
    rows = [line for line in lines if line.strip()]
    return len(rows) <= 8 and all(_signature_like(line) for line in rows)


def _signature_like(line: str) -> bool:
    key = _key(line)
    if not key:
        return True
    if NEWS.search(key):
        return False
    words = len(key.split())
    return (words <= 8 and not key.endswith(("?", ".", "!", ":"))) or (
        bool(CONTACT_MARK.search(key)) and words <= 14
    )


def _cut_closing_tail(lines: list[str]) -> list[str]:
    """A closing followed only by name, title, company and phone lines: keep the closing, drop the rest."""
    text_rows = [index for index, line in enumerate(lines) if line.strip()]
    for position, index in enumerate(text_rows):
        key = _key(lines[index]).rstrip(" ,.!-")
        if len(key) > 60 or not CLOSING.fullmatch(key):
            continue
        tail = text_rows[position + 1 :]
        if not tail:
            return lines
        if len(tail) > 14:
            continue
        cut = None
        for row in tail:
            if PS.match(_key(lines[row]) + " "):
                break
            if not _signature_like(lines[row]):
                cut = None
                break
            cut = row
        if cut is not None:
            keep_from = next((row for row in tail if PS.match(_key(lines[row]) + " ")), None)
            # A bare name under the closing is harmless and says who wrote; the rest of the block goes.
            name = (
                lines[tail[0]]
                if NAME_LINE.fullmatch(lines[tail[0]].strip())
                and len(lines[tail[0]].split()) <= 4
                and tail[0] != keep_from
                else None
            )
            kept = (
                lines[: index + 1] + ([""] if name and tail[0] > index + 1 else []) + ([name] if name else [])
            )
            return kept + (["", *lines[keep_from:]] if keep_from is not None else [])
    return lines


def _last_paragraph(lines: list[str]) -> tuple[int, int]:
    """Where the last run of non-blank lines starts and ends (end exclusive; trailing blank lines skipped)."""
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    start = end
    while start and lines[start - 1].strip():
        start -= 1
    return start, end


def _cut_contact_block(lines: list[str]) -> list[str]:
    """A last paragraph made of short lines with a phone, an address or a URL is a signature."""
    start, end = _last_paragraph(lines)
    block = lines[start:end]
    if len(block) < 2 or start == 0 or len(block) > 8:
        return lines
    if all(_signature_like(line) for line in block) and any(
        CONTACT_MARK.search(_key(line)) for line in block
    ):
        return lines[:start]
    return lines


def _cut_name_block(lines: list[str]) -> list[str]:
    """A last paragraph of a person's name and short title lines is a signature (a bare name stays)."""
    start, end = _last_paragraph(lines)
    block = [line.strip() for line in lines[start:end]]
    if not 2 <= len(block) <= 5 or start == 0 or not any(line.strip() for line in lines[:start]):
        return lines
    if not PERSON.fullmatch(block[0]) or not all(_signature_like(line) for line in block):
        return lines
    return lines[:start]


# --- from a message ---------------------------------------------------------------------------------------


def new_text(message: Message) -> str:
    """The new text of a reply message (plain part preferred, HTML-only mail rendered to text)."""
    return strip_quotes(body_text(message))


def body_text(message: Message) -> str:
    """The text of the message body: its first plain-text part, else its first HTML part as text."""
    plain, html = None, None
    for part in _leaves(message):
        kind = part.get_content_type()
        if kind == "text/plain" and plain is None:
            text = decode_part(part)
            if text.strip():
                plain = text
        elif kind == "text/html" and html is None:
            html = decode_part(part)
        if plain is not None:
            break
    if plain is not None:
        return plain
    return html_to_text(html) if html else ""


def _leaves(message: Message) -> Iterator[Message]:
    """Body parts in order, without attachments and without attached messages (those are quotes too)."""
    stack = [message]
    while stack:
        part = stack.pop()
        try:
            if part.is_multipart():
                payload = part.get_payload()
                if part.get_content_type() == "message/rfc822" or not isinstance(payload, list):
                    continue
                stack.extend(reversed(payload))
                continue
            if part is not message and "attachment" in str(part.get("Content-Disposition", "")).lower():
                continue
        except Exception:  # a broken part is skipped, never fatal
            continue
        yield part


def decode_part(part: Message) -> str:
    """A text part's payload as str, whatever its transfer encoding and (possibly wrong) charset."""
    data = decoded_payload(part)
    if data is None:
        payload = part.get_payload()
        return payload if isinstance(payload, str) else ""
    declared = (part.get_content_charset() or "").strip().lower()
    return decode_bytes(data, declared)


def decode_bytes(data: bytes, declared: str = "") -> str:
    """Decode with the declared charset; mislabelled UTF-8 and unknown charsets are caught."""
    if declared in ("", "us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1", "windows-1252", "cp1252"):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    if declared in ("iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii"):
        declared = "cp1252"  # what mail clients mean by it: dashes and quotes in 0x80-0x9f
    for charset in (declared, "utf-8", "cp1252"):
        if not charset:
            continue
        try:
            return data.decode(charset)
        except (LookupError, UnicodeDecodeError, ValueError):
            continue
    return data.decode("latin-1")


# --- HTML to text -----------------------------------------------------------------------------------------

BLOCK = frozenset(
    _alternatives(
        "p|div|tr|table|tbody|thead|tfoot|ul|ol|li|h1|h2|h3|h4|h5|h6|pre|section|article|header|footer|address"
        "|dl|dt|dd|center|form|fieldset|figure|main|aside|nav"
    )
)
SKIPPED = frozenset(
    _alternatives("script|style|head|title|meta|link|noscript|template|object|svg|button|select")
)


def html_to_text(html: str) -> str:
    """Readable text of an HTML body; <blockquote> content is prefixed with '> ' so quotes stay quotes."""
    from lxml import etree
    from lxml import html as lxml_html

    html = html[:MAX_HTML]
    if not html.strip():
        return ""
    try:
        parser = lxml_html.HTMLParser(encoding="utf-8", remove_comments=True, no_network=True, huge_tree=True)
        root = lxml_html.document_fromstring(html.encode("utf-8", "replace"), parser=parser)
    except (etree.ParserError, ValueError):
        return re.sub(r"<[^>]{0,2000}>", " ", html)
    out = _TextBuilder()
    skipping = 0
    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        if event == "start":
            if skipping or tag in SKIPPED or not tag:
                skipping += 1
                continue
            if tag == "blockquote":
                out.break_line()
                out.depth += 1
            elif tag == "br":
                out.break_line(force=True)
            elif tag == "hr":
                out.break_line()
                out.add("_" * 32)
                out.break_line()
            elif tag in BLOCK:
                out.break_line()
            if element.text:
                out.add(element.text, pre=tag == "pre")
            continue
        if skipping:
            skipping -= 1
            if skipping:
                continue
        elif tag == "blockquote":
            out.break_line()
            out.depth = max(0, out.depth - 1)
        elif tag in BLOCK:
            out.break_line()
        if element.tail:
            out.add(element.tail)
    return out.text()


class _TextBuilder:
    """Lines of text with the blockquote depth of each line kept as '> ' prefixes."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.current: list[str] = []
        self.line_depth = 0
        self.depth = 0

    def add(self, text: str, pre: bool = False) -> None:
        if pre:
            parts = text.split("\n")
            for index, part in enumerate(parts):
                if index:
                    self.break_line(force=True)
                self._append(part)
            return
        text = re.sub(r"[ \t\r\n\f]+", " ", text)
        if not self.current:
            text = text.lstrip(" ")
        if text:
            self._append(text)

    def _append(self, text: str) -> None:
        if not self.current:
            self.line_depth = self.depth
        self.current.append(text)

    def break_line(self, force: bool = False) -> None:
        if self.current or force:
            line = "".join(self.current).rstrip()
            depth = self.line_depth if self.current else self.depth
            self.lines.append(("> " * depth + line) if depth else line)
            self.current = []

    def text(self) -> str:
        self.break_line()
        return re.sub(r"\n{3,}", "\n\n", "\n".join(self.lines)).strip("\n")
