"""The seller's registered name, as its legal line prints it (BT-27), rather than a letterhead's trade name.

The legal line is the small print that registers the company: the name before its capital ("X SAS au
capital de …", the legal form kept where the line writes it as part of the name), else before a registration
("X SARL – RCS Lyon …", "Fiduciaire Léman SA · CHE-…"), for a sole trader the person ("Bruno Lambert, EI –
SIRET …"), else a footer or sender line made of a name and its legal form ("Brenner Maschinenbau GmbH ·
Industriestraße 14"). Lines in the buyer's block and the parties of a payment slip are never the seller's.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from jalon.formats.text import labels
from jalon.formats.text.layout import Cell
from jalon.formats.text.partyids import heading
from jalon.formats.text.reader import PARTY_TABLE, Reader
from jalon.formats.text.values import fold

NOT_NAME = re.compile(
    r"^(?:facture|invoice|avoir|credit note|tax invoice|(?:handels)?rechnung|page|date|tel|phone|fax|e-?mail|"
    r"siret|siren|tva|vat|rcs|iban|bic|n\s?[°o]|ref|total|client|customer|logo)\b|@|https?://|www\.|\blogo\b"
)
STREET = re.compile(r"^\d+\s?(?:bis|ter|[a-z])?[\s,]")
RETURN_LINE = re.compile(r"[●•·|]| - .* - ")  # the sender line printed above an envelope window
_CAPITAL = re.compile(
    r"\b(?:au capital (?:social )?de|capital social|share capital|with a capital of|capital de)\b"
)
_SEGMENTS = re.compile(r"\s+[–—|·•-]\s+|,\s+|\s*\|\s*")


# What follows the registered name in a legal line when no capital is printed ("Dupont SARL – RCS Lyon …",
# "Bruno Lambert, EI – SIRET …", "Fiduciaire Léman SA · CHE-989.168.120 TVA · Registre du commerce …")
_REGISTRATION = re.compile(
    r"\b(?:rcs|r\.c\.s\.?|siret|siren|registre du commerce|rm\b|immatricul\w*|"
    r"registered (?:office|in|number)|company (?:no|number|registration)|handelsregister|amtsgericht|hrb|kvk|"
    r"che-\d)"
)
_SOLE_TRADER = re.compile(
    r"^(?:ei|e\.i\.|eirl|entrepreneur individuel|entreprise individuelle|micro-?entrepreneur|"
    r"auto-?entrepreneur)$"
)


def registered_name(reader: Reader, buyers: Callable[[Cell], bool]) -> tuple[str, Cell] | None:
    """The registered name and the legal line it was read from: the first segment before the capital mention
    ("X SAS au capital de …"), else before a registration ("X SARL – RCS …", "Bruno Lambert, EI – SIRET …"),
    else a footer or sender line that is a name with its legal form ("Brenner Maschinenbau GmbH ·
    Industriestraße 14")."""
    for marker in (_CAPITAL, _REGISTRATION):
        for cell in reversed(reader.cells):
            match = marker.search(cell.folded)
            if match and (marker is _CAPITAL or not (_CAPITAL.search(cell.folded) or buyers(cell))):
                name = _name_before(cell.text[: match.start()])
                if name:
                    return name, cell
    for cell in _footer_and_sender_cells(reader):
        if buyers(cell):
            continue
        above = heading(reader, cell)
        if above and any(p.search(above) for patterns in PARTY_TABLE.values() for p, _ in patterns):
            continue  # a party's block at the foot of the page (a payment slip's "Payable par"), not a footer
        name = _SEGMENTS.split(cell.text)[0].strip(" ,–—-")
        words = fold(name).split()
        if (
            len(words) >= 2
            and (labels.LEGAL_FORMS.fullmatch(words[-1]) or labels.LEGAL_FORMS.fullmatch(words[0]))
            and _name_before(name) == name
        ):
            return name, cell
    return None


def is_legal_mention(folded: str) -> bool:
    """A capital or registration mention ("capital social 50 000 €", "RCS Lyon 123…"): not an address."""
    return bool(_CAPITAL.search(folded) or _REGISTRATION.search(folded))


def _name_before(text: str) -> str | None:
    before = text.strip(" ,–—-·|")
    before = re.sub(r"(?i)[,\s–—-]*(?:soci[ée]t[ée]|company)?$", "", before).strip(" ,–—-")
    parts = [part.strip(" ,–—-") for part in _SEGMENTS.split(before)] if before else []
    name = parts[0] if parts else ""
    if len(parts) > 1 and _SOLE_TRADER.match(fold(parts[1])):
        return name if _person_like(name) else None  # a sole trader: the person's name is the seller's
    bare_form = labels.LEGAL_FORMS.fullmatch(fold(name).strip(" ."))  # "SAS au capital…": no name here
    if (
        2 < len(name) <= 60
        and not bare_form
        and ":" not in name
        and not _CAPITAL.search(fold(name))
        and not _REGISTRATION.search(fold(name))
        and not NOT_NAME.search(fold(name))
        and not mostly_numbers_text(name)
        and not STREET.match(fold(name))
    ):
        return name
    return None


def _person_like(name: str) -> bool:
    return 2 <= len(name.split()) <= 4 and not any(ch.isdigit() for ch in name)


def _footer_and_sender_cells(reader: Reader) -> list[Cell]:
    """The last lines of each page read (its footer) and, on page one, sender lines printed above the
    address window ("Brenner Maschinenbau GmbH · Industriestraße 14 · 70565 Stuttgart")."""
    rows = reader.layout.rows
    found: list[Cell] = []
    for index, row in enumerate(rows):
        last_of_page = index + 1 >= len(rows) or rows[index + 1].page != row.page
        if last_of_page:
            page_rows = [r for r in rows[max(0, index - 5) : index + 1] if r.page == row.page]
            found.extend(c for r in page_rows for c in r.cells)
    for row in rows[:40]:
        if row.page == reader.layout.first_page:
            found.extend(c for c in row.cells if RETURN_LINE.search(c.text))
    return found


def mostly_numbers_text(text: str) -> bool:
    return sum(ch.isdigit() for ch in text) > len(text) * 0.4
