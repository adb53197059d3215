"""Seller and buyer from PDF text: names, addresses and identifiers, each tied to the right party.

The buyer is the block under (or beside) a "Client / Bill to / Facturé à" label; the seller is the block under
a "Seller / From / Émetteur" label or, failing that, the letterhead at the top of page one, checked against
the legal footer ("X SAS au capital de … RCS … SIRET …"). An identifier goes to the buyer when it sits in the
buyer block or its label names the buyer ("N° TVA client"); otherwise to the seller. Identifiers count only
when their check digits hold; a SIREN-looking number needs a label or the 3-3-3 spacing before it is believed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from jalon.formats import identifiers as ids
from jalon.formats.model import Address, Party
from jalon.formats.text import labels
from jalon.formats.text.layout import Cell
from jalon.formats.text.reader import PARTY_TABLE, Reader
from jalon.formats.text.values import find_dates, fold

_PARTY_TABLE = PARTY_TABLE  # the reader's own compiled patterns: their hits are memoised once per document
_VAT_RE = re.compile(
    r"(?<![A-Za-z0-9])(AT|BE|BG|CY|CZ|DE|DK|EE|EL|ES|FI|FR|GB|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|SK|XI|CH|NO)"
    r"[ .\u00a0-]?([0-9A-Z]+(?:[ .\u00a0-][0-9A-Z]+){0,6})(?![0-9A-Za-z])"
)
_SIRET_RE = re.compile(r"(?<![\dA-Z])(\d{3}[ .\u00a0]?\d{3}[ .\u00a0]?\d{3}[ .\u00a0]?\d{5})(?![\d])")
_SIREN_RE = re.compile(r"(?<![\dA-Z])(\d{3}([ .\u00a0]?)\d{3}\2\d{3})(?![\d]|[ .\u00a0]\d)")
_IBAN_RE = re.compile(r"\b([A-Z]{2}\d{2}(?:[ \u00a0]?[A-Z0-9]{1,4}){3,8})")
_BIC_RE = re.compile(r"\b([A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?)\b")
_RETURN_LINE = re.compile(r"[●•·|]| - .* - ")  # the sender line printed above an envelope window
_CODE_LABEL = re.compile(r"^(?:client|customer)\s*(?:n\s?[°o]|no\b|number|code|id\b|#|account)")
_POSTCODE_CITY = re.compile(
    r"^(?:[a-z]{1,2}-)?(\d{4,5})\s+([a-z][a-z' .-]+?)(?:\s*(?:cedex\s*\d*)?)?(?:,\s*(.+))?$"
)
_UK_POSTCODE = re.compile(r"\b([a-z]{1,2}\d[a-z\d]?\s*\d[a-z]{2})\b")
_NOT_NAME = re.compile(
    r"^(?:facture|invoice|avoir|credit note|tax invoice|(?:handels)?rechnung|page|date|tel|phone|fax|e-?mail|"
    r"siret|siren|tva|vat|rcs|iban|bic|n\s?[°o]|ref|total|client|customer|logo)\b|@|https?://|www\.|\blogo\b"
)
_STREET_WORD = re.compile(
    r"\b(?:rue|avenue|av\.|boulevard|bd|chemin|route|place|allee|impasse|quai|cours|zone|lieu-dit|street|road|"
    r"strasse|str\.|weg|via|calle)\b"
)
_STREET = re.compile(r"^\d+\s?(?:bis|ter|[a-z])?[\s,]")
_SEGMENT = re.compile(r"\s+[-–—·|•]\s+")  # "Name SARL - 12 rue X - 84340 Ville - France"


@dataclass
class Parties:
    seller: Party = field(default_factory=Party)
    buyer: Party = field(default_factory=Party)
    delivery: Address | None = None
    iban: str | None = None
    bic: str | None = None


@dataclass
class _Found:
    kind: str  # siren | siret | vat
    value: str
    cell: Cell
    labelled: bool
    buyer_words: bool


def read_parties(reader: Reader) -> Parties:
    result = Parties()
    buyer_cells = _block(reader, "buyer")
    seller_cells = _block(reader, "seller")
    delivery_cells = _block(reader, "delivery")
    slips = _block(reader, "payer") + _block(reader, "payee")  # a payment slip repeats both parties
    taken = {id(c) for c in buyer_cells + delivery_cells + slips}

    if delivery_cells:
        result.delivery = _address_of(delivery_cells[1:])

    if not seller_cells:
        seller_cells = _letterhead(reader, taken)
        confidence = 0.65
    else:
        confidence = 0.85
    buyer_confidence = 0.85
    if not buyer_cells:
        # no "Client / Bill to" label: the address block (window envelope position) that is not the seller's
        seller_ids = {id(c) for c in seller_cells}
        # a buyer block opens with a name, not with a street ("3 place du Marché" continues a block above)
        blocks = [
            b
            for b in _address_blocks(reader, seller_ids | taken)
            if b and _name_of(b) and not b[0].text[:1].isdigit()
        ]
        if seller_cells:
            blocks = [b for b in blocks if not _same_name(b[0].text, seller_cells[0].text)]
        if blocks:
            buyer_cells, buyer_confidence = blocks[0], (0.6 if len(blocks) == 1 else 0.4)
    if buyer_cells:
        result.buyer.name = _name_of(buyer_cells)
        result.buyer.address = _address_of(_after_name(buyer_cells, result.buyer.name))
        reader.confidence["buyer_name"] = buyer_confidence if result.buyer.name else 0.0
    else:
        reader.confidence["buyer_name"] = 0.0
    if seller_cells:
        result.seller.name = _name_of(seller_cells)
        result.seller.address = _address_of(_after_name(seller_cells, result.seller.name))
    legal = _legal_name(reader, _region(buyer_cells))
    if legal and result.seller.name and _same_name(legal, result.seller.name):
        # the letterhead and the legal line agree; the legal line writes the registered name (BT-27)
        result.seller.name, confidence = legal, 0.93
    elif legal:
        # the legal line names the registered seller; a letterhead that says otherwise is a brand or a guess
        result.seller.name, confidence = legal, 0.75
    reader.confidence["seller_name"] = confidence if result.seller.name else 0.0
    reader.confidence["seller_address"] = 0.7 if result.seller.address.postcode else 0.0
    reader.confidence["buyer_address"] = 0.75 if result.buyer.address.postcode else 0.0

    _identifiers(reader, result, buyer_cells)
    for party in (result.seller, result.buyer):
        if party.address.country is None and party.vat_id:
            party.address.country = ids.vat_country(party.vat_id)
        five_digits = bool(party.address.postcode) and len(party.address.postcode or "") == 5
        if (
            party.address.country is None
            and five_digits
            and (not party.vat_id or party.vat_id.startswith("FR"))
        ):
            party.address.country = "FR"
    _bank(reader, result)
    return result


def _block(reader, kind: str) -> list[Cell]:
    """A party block: what follows the label in its cell or on its right, then the column below."""
    first = reader.layout.first_page
    hits = [h for h in reader.hits(_PARTY_TABLE[kind]) if h[0].page == first or kind != "seller"]
    # "Client : C0042" or "Customer no. 2" name a customer code, not a block
    hits = [
        h for h in hits if not _is_code(h[0].text[h[1] :].strip(" :")) and not _CODE_LABEL.search(h[0].folded)
    ]
    if not hits:
        return []
    hits.sort(key=lambda h: (-h[2], h[0].row))
    cell, end, _ = hits[0]
    block: list[Cell] = []
    rest = cell.text[end:].strip(" :")
    if rest and not _is_code(rest):
        block.append(
            Cell(cell.page, cell.x0, cell.x1, cell.top, cell.bottom, rest, fold(rest), cell.row, cell.index)
        )
    anchor = cell
    right = reader.layout.right_of(cell)
    if not rest and right is not None and right.x0 - cell.x1 < 6 * cell.height and not reader.is_label(right):
        block.append(right)
        anchor = right
    block.extend(c for c in reader.layout.column_below(anchor) if not _is_code(c.text))
    return [c for c in block if not _party_label(c)]


def _address_blocks(reader, exclude: set[int]) -> list[list[Cell]]:
    """Unlabelled address blocks on page one: a postcode-and-city line and the lines stacked above it."""
    blocks: list[list[Cell]] = []
    rows = reader.layout.rows
    for row in rows[:40]:
        if row.page != reader.layout.first_page:
            break
        for cell in row.cells:
            if id(cell) in exclude or not _POSTCODE_CITY.match(cell.folded) or _RETURN_LINE.search(cell.text):
                continue
            block, current = [cell], cell
            for previous in reversed(rows[: cell.row]):
                if previous.page != cell.page or current.top - previous.bottom > current.height * 2.2:
                    break
                above = [c for c in previous.cells if abs(c.x0 - cell.x0) <= cell.height * 1.5]
                if not above:
                    continue
                if id(above[0]) in exclude or reader.is_label(above[0]) or _RETURN_LINE.search(previous.text):
                    break
                block.insert(0, above[0])
                current = above[0]
                if len(block) >= 5:
                    break
            after = reader.layout.column_below(cell, max_rows=1)
            if after and _country(after[0].text):
                block.append(after[0])
            if len(block) >= 2:
                blocks.append(block)
    return blocks


def _country(text: str) -> str | None:
    """ISO code of a line that is only a country name ("France", "Deutschland / Germany")."""
    for part in re.split(r"\s*[/|]\s*", fold(text).strip(" .")):
        code = labels.COUNTRIES.get(part)
        if code:
            return code
    return None


def _party_label(cell: Cell) -> bool:
    return any(p.search(cell.folded) for patterns in _PARTY_TABLE.values() for p, s in patterns if s >= 1.0)


def _is_code(text: str) -> bool:
    text = text.strip()
    return bool(re.fullmatch(r"[A-Z0-9][A-Z0-9\-_/]{0,14}", text)) and any(ch.isdigit() for ch in text)


def _letterhead(reader, taken: set[int]) -> list[Cell]:
    """No seller label: the top block of page one, preferring a company name (legal form, larger type)."""
    top_rows = [row for row in reader.layout.rows if row.page == reader.layout.first_page][:14]
    if not top_rows:
        return []
    tallest = max(c.height for row in top_rows for c in row.cells)
    best: tuple[float, Cell] | None = None
    for position, row in enumerate(top_rows):
        for cell in row.cells:
            if id(cell) in taken or _NOT_NAME.search(cell.folded) or reader.is_label(cell):
                continue
            if labels.CREDIT_TITLE.search(cell.folded) or find_dates(cell.folded) or _mostly_numbers(cell):
                continue
            if _STREET.match(cell.folded) or _POSTCODE_CITY.match(cell.folded):
                continue  # an address line, not a name
            if len(cell.text) < 3 or len(_SEGMENT.split(cell.text)[0]) > 60 or _TITLE.match(cell.folded):
                continue
            if sum(ch.isalnum() for ch in cell.text) < 0.5 * len(cell.text.replace(" ", "")):
                continue  # a frame drawn with characters ("+=====+"), not a name
            # the letterhead opens the page: a legal form further down is more often the customer's name
            score = (
                0.5 * cell.height / tallest
                + (0.15 if labels.LEGAL_FORMS.search(cell.folded) else 0)
                - 0.05 * position
            )
            if best is None or score > best[0]:
                best = (score, cell)
    if best is None:
        return []
    cell = best[1]
    if not labels.LEGAL_FORMS.search(cell.folded):
        # the logo says "Provence Matériaux", the address block beside it "Provence Matériaux SAS"
        fuller = [
            other
            for row in top_rows
            for other in row.cells
            if other is not cell
            and id(other) not in taken
            and labels.LEGAL_FORMS.search(other.folded)
            and _same_name(other.text, cell.text)
            and len(other.text) <= 60
        ]
        if fuller:
            cell = fuller[0]
    parts = _SEGMENT.split(cell.text)
    if len(parts) > 1:  # one line holds name and address: read it as a block of its own
        return [_part(cell, part) for part in parts]
    return [cell, *[c for c in reader.layout.column_below(cell, loose=True) if id(c) not in taken]]


_TITLE = re.compile(  # "COMMERCIAL INVOICE", "Facture proforma": the document's title, not a name
    r"^(?:\w+ )?(?:invoice|facture|rechnung|avoir|credit note|proforma|bill)(?: \w+)?$"
)


def _part(cell: Cell, text: str) -> Cell:
    return Cell(cell.page, cell.x0, cell.x1, cell.top, cell.bottom, text, fold(text), cell.row, cell.index)


def _mostly_numbers(cell: Cell) -> bool:
    digits = sum(ch.isdigit() for ch in cell.text)
    return digits > len(cell.text) * 0.4


_ROLE_WORDS = re.compile(
    r"^(?:buyer|consignee|client|customer|acheteur|destinataire|bill to|ship to|sold to|seller|supplier|"
    r"vendor|fournisseur|vendeur|emetteur|invoice to|deliver to)\b"
)
_BARE_LABELS = {"nummer", "numero", "number", "no", "name", "nom", "adresse", "address", "anschrift"}
_PERSON = re.compile(r"^(?:contact|attn|a l'attention|m\.|mme|mr|mrs|ms|dr)\b|\bcontact\b")


def _after_name(cells: list[Cell], name: str | None) -> list[Cell]:
    for index, cell in enumerate(cells[:4]):
        if name and cell.text.strip(" ,;:") == name:
            return cells[index + 1 :]
    return cells[1:] if name else cells


def _address_follows(cells: list[Cell], index: int) -> bool:
    """The line after `index` is a street or a postcode and city: the person at `index` is the party itself
    (a private customer), not a contact above a company name."""
    if index + 1 >= len(cells):
        return True
    following = fold(cells[index + 1].text)
    return bool(_STREET.match(following) or _POSTCODE_CITY.match(following) or _STREET_WORD.search(following))


def _name_of(cells: list[Cell]) -> str | None:
    """The block's first line that is a name: not a person ("Contact: …", "Mme …"), not a "label: value" line
    nor a bare label ("Nummer", "N° client :"), among its first lines."""
    for index, cell in enumerate(cells[:4]):
        folded = fold(cell.text).strip()
        address_line = _STREET.match(folded) or _STREET_WORD.match(folded)
        if ":" in folded or folded in _BARE_LABELS or address_line:
            continue  # a label, or an address line where a name should be
        if _country(cell.text) or (_ROLE_WORDS.match(folded) and len(folded.split()) <= 4):
            continue  # "FRANCE", "BUYER / CONSIGNEE": a country or a role, not the party's name
        if _PERSON.search(folded) and not _address_follows(cells, index):
            continue  # a contact person above the company name
        cells = cells[index:]
        break
    else:
        return None
    first = _plain_name(cells[0].text)
    if (
        not first
        or _NOT_NAME.search(fold(first))
        or _mostly_numbers(cells[0])
        or _POSTCODE_CITY.match(fold(first))
    ):
        return None
    return first


_DRAWING = re.compile(r"[\u2500-\u257f|+=_~*#]+")


def _plain_name(text: str) -> str:
    """A name as a person writes it: box-drawing frames dropped, letter-spaced capitals closed up
    ("│ L A M B E R T │" -> "LAMBERT")."""
    text = _DRAWING.sub(" ", text).strip(" ,;:")
    words = text.split()
    if len(words) >= 3 and all(len(word) == 1 for word in words):
        return "".join(words)
    return " ".join(words)


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


def _legal_name(reader, buyers: Callable[[Cell], bool]) -> str | None:
    """The registered name, from the legal line: the first segment before the capital mention ("X SAS au
    capital de …"), else before a registration ("X SARL – RCS …", "Bruno Lambert, EI – SIRET …"), else a
    footer or sender line that is a name with its legal form ("Brenner Maschinenbau GmbH · Industriestraße
    14")."""
    for marker in (_CAPITAL, _REGISTRATION):
        for cell in reversed(reader.cells):
            match = marker.search(cell.folded)
            if match and (marker is _CAPITAL or not (_CAPITAL.search(cell.folded) or buyers(cell))):
                name = _name_before(cell.text[: match.start()])
                if name:
                    return name
    for cell in _footer_and_sender_cells(reader):
        if buyers(cell):
            continue
        heading = _heading(reader, cell)
        if heading and any(p.search(heading) for patterns in _PARTY_TABLE.values() for p, _ in patterns):
            continue  # a party's block at the foot of the page (a payment slip's "Payable par"), not a footer
        name = _SEGMENTS.split(cell.text)[0].strip(" ,–—-")
        words = fold(name).split()
        if (
            len(words) >= 2
            and (labels.LEGAL_FORMS.fullmatch(words[-1]) or labels.LEGAL_FORMS.fullmatch(words[0]))
            and _name_before(name) == name
        ):
            return name
    return None


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
        and not _NOT_NAME.search(fold(name))
        and not _mostly_numbers_text(name)
        and not _STREET.match(fold(name))
    ):
        return name
    return None


def _person_like(name: str) -> bool:
    return 2 <= len(name.split()) <= 4 and not any(ch.isdigit() for ch in name)


def _footer_and_sender_cells(reader) -> list[Cell]:
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
            found.extend(c for c in row.cells if _RETURN_LINE.search(c.text))
    return found


def _mostly_numbers_text(text: str) -> bool:
    return sum(ch.isdigit() for ch in text) > len(text) * 0.4


def _same_name(a: str, b: str) -> bool:
    def core(text: str) -> str:
        return labels.LEGAL_FORMS.sub("", re.sub(r"[^\w ]", " ", fold(text))).split().__str__()

    return core(a) == core(b) or fold(a).startswith(fold(b)) or fold(b).startswith(fold(a))


def _address_of(cells: list[Cell]) -> Address:
    address = Address()
    street: list[str] = []
    for cell in cells:
        folded = fold(cell.text)
        if labels.SELLER_ID_WORDS.search(folded) or re.search(
            r"\b(?:tva|vat|tel|phone|fax|e-?mail|www|iban)\b|@", folded
        ):
            continue
        country = _country(cell.text)
        if country:
            address.country = country
            continue
        match = _POSTCODE_CITY.match(folded)
        if match and address.postcode is None:
            address.postcode = match.group(1)
            city_end = match.end(2)
            address.city = cell.text[match.start(2) : city_end].strip()
            tail = match.group(3)
            if tail and labels.COUNTRIES.get(tail.strip(" .")):
                address.country = labels.COUNTRIES[tail.strip(" .")]
            continue
        uk = _UK_POSTCODE.search(folded)
        if uk and address.postcode is None and street:
            address.postcode = cell.text[uk.start() : uk.end()].upper()
            address.city = cell.text[: uk.start()].strip(" ,") or None
            continue
        if address.postcode is None and len(street) < 3:
            street.append(cell.text)
    for index, text in enumerate(street[:3]):
        setattr(address, ("line1", "line2", "line3")[index], text)
    return address


def _identifiers(reader, result: Parties, buyer_cells: list[Cell]) -> None:
    # the buyer's region: its block, and the few lines under it where its identifiers are often printed
    in_region = _region(buyer_cells)
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
        heading = _heading(reader, item.cell)
        if known:
            item.buyer_words = item.value not in known and item.value[:9] not in known
        elif not item.buyer_words:
            if heading and labels.THIRD_PARTY_WORDS.search(heading):
                continue  # payee, tax representative, delivery party: not the seller, not the buyer
            if in_block or (
                heading and labels.BUYER_WORDS.search(heading) and not labels.SELLER_WORDS.search(heading)
            ):
                item.buyer_words = True
        kept.append(item)
    found = kept
    for party, is_buyer in ((result.seller, False), (result.buyer, True)):
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


def _region(cells: list[Cell]) -> Callable[[Cell], bool]:
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


def _heading(reader, cell: Cell) -> str | None:
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


def _bank(reader, result: Parties) -> None:
    for cell in reader.cells:
        if "iban" in cell.folded and result.iban is None:
            for match in _IBAN_RE.finditer(cell.text.upper()):
                compact = re.sub(r"\s", "", match.group(1))
                for length in range(len(compact), 14, -1):
                    if ids.iban(compact[:length]):
                        result.iban = compact[:length]
                        break
        if re.search(r"\b(?:bic|swift)\b", cell.folded) and result.bic is None:
            for match in _BIC_RE.finditer(cell.text.upper()):
                if match.group(1) not in {"IBAN"} and ids.bic(match.group(1)):
                    result.bic = match.group(1)
                    break
