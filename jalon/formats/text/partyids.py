"""Company identifiers in PDF text (SIREN, SIRET, VAT numbers, IBAN, BIC), tied to the seller or the buyer.

An identifier goes to the buyer when it sits in the buyer's block or the lines under it, when its label names
the buyer ("N° TVA client") or the heading of its block does ("Vos identifiants"); to nobody when that heading
names a third party (payee, tax representative, delivery); otherwise to the seller (letterhead, footer, legal
line). Identifiers count only when their check digits hold; a SIREN-looking number needs a label or the
3-3-3 spacing before it is believed. A legal line wrapped inside a number is read across the wrap.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from jalon.formats import identifiers as ids
from jalon.formats.model import Party
from jalon.formats.text import labels
from jalon.formats.text.layout import Cell
from jalon.formats.text.reader import Reader
from jalon.formats.text.values import fold

_VAT_RE = re.compile(
    r"(?<![A-Za-z0-9])(AT|BE|BG|CY|CZ|DE|DK|EE|EL|ES|FI|FR|GB|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|SK|XI|CH|NO)"
    r"[ .\u00a0-]?([0-9A-Z]+(?:[ .\u00a0-][0-9A-Z]+){0,6})(?![0-9A-Za-z])"
)
_SIRET_RE = re.compile(r"(?<![\dA-Z])(\d{3}[ .\u00a0]?\d{3}[ .\u00a0]?\d{3}[ .\u00a0]?\d{5})(?![\d])")
_SIREN_RE = re.compile(r"(?<![\dA-Z])(\d{3}([ .\u00a0]?)\d{3}\2\d{3})(?![\d]|[ .\u00a0]\d)")
_IBAN_RE = re.compile(r"\b([A-Z]{2}\d{2}(?:[ \u00a0]?[A-Z0-9]{1,4}){3,8})")
_BIC_RE = re.compile(r"\b([A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?)\b")


@dataclass
class _Found:
    kind: str  # siren | siret | vat
    value: str
    cell: Cell
    labelled: bool
    buyer_words: bool


def assign_identifiers(reader: Reader, seller: Party, buyer: Party, buyer_cells: list[Cell]) -> None:
    """Each valid SIREN, SIRET and VAT number found to the seller or the buyer (or to neither: a payee, a
    delivery party); a kind with two different values for one party is left empty."""
    # the buyer's region: its block, and the few lines under it where its identifiers are often printed
    in_region = region(buyer_cells)
    found: list[_Found] = []
    for cell in reader.cells:
        found.extend(_scan(reader, cell))
        wrapped = _wrapped(reader, cell)
        if wrapped is not None:  # a legal line cut inside a number: "… FR 82 816" / "806 145 – …"
            found.extend(_scan(reader, wrapped, straddle=len(cell.text)))
    known = {fold(v).upper().replace(" ", "") for v in reader.hints.seller_ids}
    kept: list[_Found] = []
    for item in found:
        cell = item.cell
        in_block = in_region(cell)
        above = heading(reader, item.cell)
        if known:
            item.buyer_words = item.value not in known and item.value[:9] not in known
        elif not item.buyer_words:
            if above and labels.THIRD_PARTY_WORDS.search(above):
                continue  # payee, tax representative, delivery party: not the seller, not the buyer
            if in_block or (
                above and labels.BUYER_WORDS.search(above) and not labels.SELLER_WORDS.search(above)
            ):
                item.buyer_words = True
        kept.append(item)
    found = kept
    for party, is_buyer in ((seller, False), (buyer, True)):
        mine = [f for f in found if f.buyer_words == is_buyer]
        prefix = "buyer" if is_buyer else "seller"
        for kind in ("siret", "siren", "vat"):
            values = {f.value for f in mine if f.kind == kind and (f.labelled or kind == "vat")}
            if not values:
                values = {f.value for f in mine if f.kind == kind}
            if len(values) > 1 and kind == "siren":
                siret_sirens = {f.value[:9] for f in mine if f.kind == "siret"}
                values = values & siret_sirens or values
            if len(values) == 1:
                setattr(party, "vat_id" if kind == "vat" else kind, values.pop())
                reader.confidence[f"{prefix}_{kind}"] = 0.95
            else:
                reader.confidence[f"{prefix}_{kind}"] = 0.2 if values else 0.0
                if values:
                    reader.warnings.append(f"{prefix}_{kind}: several values, left empty")
        if party.siren is None and party.siret:
            party.siren = party.siret[:9]
            reader.confidence[f"{prefix}_siren"] = 0.95
        if party.siren and party.siret and party.siret[:9] != party.siren:
            reader.warnings.append(f"{prefix}: SIRET {party.siret} does not start with SIREN {party.siren}")
            reader.confidence[f"{prefix}_siren"] = reader.confidence[f"{prefix}_siret"] = 0.5


def region(cells: list[Cell]) -> Callable[[Cell], bool]:
    """Whether a cell lies in a party's region: its block, and the few lines under it where its identifiers
    are often printed."""
    if not cells:
        return lambda cell: False
    line = max(c.height for c in cells)
    left, right = min(c.x0 for c in cells) - 12, max(c.x1 for c in cells) + 12
    top, bottom = min(c.top for c in cells) - 2, max(c.bottom for c in cells) + 4.5 * line
    page = cells[0].page
    return lambda cell: cell.page == page and left <= cell.x0 <= right and top <= cell.top <= bottom


def _scan(reader, cell: Cell, straddle: int | None = None) -> list[_Found]:
    """The valid identifiers printed in a cell; with `straddle`, only those running across that offset."""
    found: list[_Found] = []
    text = masked = cell.text

    def keep(match: re.Match[str]) -> bool:
        return straddle is None or match.start() < straddle < match.end()

    for match in _VAT_RE.finditer(text):
        if "iban" in cell.folded[: match.start()] or not keep(match):
            continue
        value = _valid_vat(match.group(1), match.group(2))
        if value:
            found.append(_Found("vat", value, cell, True, _buyer_words(reader, cell, match.start())))
            masked = masked[: match.start()] + " " * (match.end() - match.start()) + masked[match.end() :]
    for match in _SIRET_RE.finditer(masked):
        value = ids.siret(match.group(1))
        if value and keep(match) and _id_label(reader, cell, match.start(), "siret"):
            found.append(_Found("siret", value, cell, True, _buyer_words(reader, cell, match.start())))
            masked = masked[: match.start()] + " " * (match.end() - match.start()) + masked[match.end() :]
    for match in _SIREN_RE.finditer(masked):
        value = ids.siren(match.group(1))
        if value is None or not keep(match):
            continue
        labelled = _id_label(reader, cell, match.start(), "siren")
        if labelled or match.group(2):
            found.append(_Found("siren", value, cell, labelled, _buyer_words(reader, cell, match.start())))
    return found


def _wrapped(reader, cell: Cell) -> Cell | None:
    """The cell joined with the start of the next line, when the line ends in digits and the next one opens
    with digits (a long legal line wrapped inside a number)."""
    rows = reader.layout.rows
    row = rows[cell.row]
    if cell.index != len(row.cells) - 1 or cell.row + 1 >= len(rows) or not cell.text[-1:].isdigit():
        return None
    following = rows[cell.row + 1]
    first = following.cells[0]
    if following.page != row.page or first.top - cell.bottom > cell.height or not first.text[:1].isdigit():
        return None
    text = f"{cell.text} {first.text}"
    return Cell(cell.page, cell.x0, cell.x1, cell.top, cell.bottom, text, fold(text), cell.row, cell.index)


def heading(reader: Reader, cell: Cell) -> str | None:
    """The short heading above a cell's block ("Vos identifiants", "Bénéficiaire"), if one is close."""
    current = cell
    for row in reversed(reader.layout.rows[max(0, cell.row - 10) : cell.row]):
        if row.page != cell.page or current.top - row.bottom > 3.5 * current.height:
            return None
        above = [c for c in row.cells if abs(c.x0 - cell.x0) <= 12 or (c.x0 <= cell.x0 <= c.x1)]
        if not above:
            continue
        head = above[0]
        if len(head.folded) <= 32 and not any(ch.isdigit() for ch in head.folded) and ":" not in head.folded:
            return head.folded
        current = head
    return None


def _valid_vat(prefix: str, rest: str) -> str | None:
    """The longest run of whole groups after the prefix that is a valid VAT number ("FR 40 303 265 045")."""
    groups = re.split(r"[ .\u00a0-]", rest)
    for count in range(len(groups), 0, -1):
        compact = "".join(groups[:count])
        if len(compact) > 14:
            continue
        value = ids.vat(prefix + compact)
        if value:
            return value
    return None


def _id_label(reader, cell: Cell, start: int, kind: str) -> bool:
    before = cell.folded[:start]
    if labels.SELLER_ID_WORDS.search(before[-40:]) or re.search(
        r"\b(?:identifiant|id|immatriculation)\b", before[-30:]
    ):
        return True
    left = reader.layout.rows[cell.row].cells[cell.index - 1] if cell.index > 0 else None
    return bool(start == 0 and left is not None and labels.SELLER_ID_WORDS.search(left.folded))


def _buyer_words(reader, cell: Cell, start: int) -> bool:
    before = cell.folded[:start]
    if labels.BUYER_WORDS.search(before[-30:]):
        return True
    if start <= 1 and cell.index > 0:
        left = reader.layout.rows[cell.row].cells[cell.index - 1]
        return bool(labels.BUYER_WORDS.search(left.folded))
    return False


def read_bank(reader: Reader) -> tuple[str | None, str | None]:
    """The IBAN and BIC printed beside their labels, when their check digits hold."""
    iban: str | None = None
    bic: str | None = None
    for cell in reader.cells:
        if "iban" in cell.folded and iban is None:
            for match in _IBAN_RE.finditer(cell.text.upper()):
                compact = re.sub(r"\s", "", match.group(1))
                for length in range(len(compact), 14, -1):
                    if ids.iban(compact[:length]):
                        iban = compact[:length]
                        break
        if re.search(r"\b(?:bic|swift)\b", cell.folded) and bic is None:
            for match in _BIC_RE.finditer(cell.text.upper()):
                if match.group(1) not in {"IBAN"} and ids.bic(match.group(1)):
                    bic = match.group(1)
                    break
    return iban, bic
