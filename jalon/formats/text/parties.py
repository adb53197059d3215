"""Seller and buyer from PDF text: their blocks, names and addresses.

The buyer is the block under (or beside) a "Client / Bill to / Facturé à / Établissement destinataire" label,
else the unlabelled address block that is not the seller's; the seller is the block under a "Seller / From /
Émetteur" label or, failing that, the letterhead at the top of page one. The seller's name is then the
registered one from its legal line (legalname.py) when one is printed; identifiers go to each party in
partyids.py. A payment slip's payer and payee blocks repeat the parties and are set aside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from jalon.formats import identifiers as ids
from jalon.formats.model import Address, Party
from jalon.formats.text import labels
from jalon.formats.text.layout import Cell
from jalon.formats.text.legalname import NOT_NAME, RETURN_LINE, STREET, is_legal_mention, registered_name
from jalon.formats.text.partyids import assign_identifiers, read_bank, region
from jalon.formats.text.reader import PARTY_TABLE, Reader
from jalon.formats.text.values import find_dates, fold

_PARTY_TABLE = PARTY_TABLE  # the reader's own compiled patterns: their hits are memoised once per document
_CODE_LABEL = re.compile(r"^(?:client|customer)\s*(?:n\s?[°o]|no\b|number|code|id\b|#|account)")
_POSTCODE_CITY = re.compile(
    r"^(?:[a-z]{1,2}-)?(\d{4,5})\s+([a-z][a-z' .-]+?)(?:\s*(?:cedex\s*\d*)?)?(?:,\s*(.+))?$"
)
_UK_POSTCODE = re.compile(r"\b([a-z]{1,2}\d[a-z\d]?\s*\d[a-z]{2})\b")
_STREET_WORD = re.compile(
    r"\b(?:rue|avenue|av\.|boulevard|bd|chemin|route|place|allee|impasse|quai|cours|zone|lieu-dit|street|road|"
    r"strasse|str\.|weg|via|calle)\b"
)
_SEGMENT = re.compile(r"\s+[-–—·|•]\s+")  # "Name SARL - 12 rue X - 84340 Ville - France"
_ADDRESS_LABEL = re.compile(r"^(?:siege(?: social)?|registered office|head office|adresse|address)\s*:\s*")
_ADDRESS_PARTS = re.compile(r"\s+[-–—·|•]\s+|,\s+")  # "12 rue X, 84340 Ville, France" on one line


@dataclass
class Parties:
    seller: Party = field(default_factory=Party)
    buyer: Party = field(default_factory=Party)
    delivery: Address | None = None
    iban: str | None = None
    bic: str | None = None


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
    legal_line = registered_name(reader, region(buyer_cells))
    legal = legal_line[0] if legal_line else None
    if legal_line and not result.seller.address.postcode:
        # no address with the name at the top: the legal line's ("X SA – 9 rue Y – 44000 Nantes – capital…")
        cell = legal_line[1]
        parts = [_part(cell, part) for part in _SEGMENT.split(cell.text)[1:]]
        from_legal = _address_of([part for part in parts if not is_legal_mention(part.folded)])
        if from_legal.postcode:
            result.seller.address = from_legal
    if legal and result.seller.name and _same_name(legal, result.seller.name):
        # the letterhead and the legal line agree; the legal line writes the registered name (BT-27)
        result.seller.name, confidence = legal, 0.93
    elif legal:
        # the legal line names the registered seller; a letterhead that says otherwise is a brand or a guess
        result.seller.name, confidence = legal, 0.75
    reader.confidence["seller_name"] = confidence if result.seller.name else 0.0
    reader.confidence["seller_address"] = 0.7 if result.seller.address.postcode else 0.0
    reader.confidence["buyer_address"] = 0.75 if result.buyer.address.postcode else 0.0

    assign_identifiers(reader, result.seller, result.buyer, buyer_cells)
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
    _domestic_buyer(result.seller.address, result.buyer)
    result.iban, result.bic = read_bank(reader)
    return result


def _domestic_buyer(seller: Address, buyer: Party) -> None:
    """A buyer's address printed without a country, with a postcode shaped like the seller's (4 digits in
    Switzerland, Belgium, Luxembourg…), is in the seller's country: a domestic address carries no country
    line. A foreign VAT number says otherwise and wins."""
    postcode, own = buyer.address.postcode or "", seller.postcode or ""
    if buyer.address.country is not None or seller.country is None or not postcode or not own:
        return
    if buyer.vat_id and not buyer.vat_id.upper().startswith(seller.country):
        return
    if postcode.isdigit() and own.isdigit() and len(postcode) == len(own):
        buyer.address.country = seller.country


def _code_beside(reader, cell: Cell, end: int) -> bool:
    """ "CLIENT | : 288350": the label's own cell ends with it and the cell beside holds a code."""
    right = reader.layout.right_of(cell)
    if cell.text[end:].strip(" :") or right is None or right.x0 - cell.x1 > 6 * cell.height:
        return False
    text = right.text.strip()
    return text.startswith(":") and _is_code(text.strip(" :"))


def _block(reader, kind: str) -> list[Cell]:
    """A party block: what follows the label in its cell or on its right, then the column below."""
    first = reader.layout.first_page
    hits = [h for h in reader.hits(_PARTY_TABLE[kind]) if h[0].page == first or kind != "seller"]
    # "Client : C0042" or "Customer no. 2" name a customer code, not a block
    hits = [
        h
        for h in hits
        if not _is_code(h[0].text[h[1] :].strip(" :"))
        and not _CODE_LABEL.search(h[0].folded)
        and not _code_beside(reader, h[0], h[1])
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
            if id(cell) in exclude or not _POSTCODE_CITY.match(cell.folded) or RETURN_LINE.search(cell.text):
                continue
            block, current = [cell], cell
            for previous in reversed(rows[: cell.row]):
                if previous.page != cell.page or current.top - previous.bottom > current.height * 2.2:
                    break
                above = [c for c in previous.cells if abs(c.x0 - cell.x0) <= cell.height * 1.5]
                if not above:
                    continue
                if id(above[0]) in exclude or reader.is_label(above[0]) or RETURN_LINE.search(previous.text):
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
            if id(cell) in taken or NOT_NAME.search(cell.folded) or reader.is_label(cell):
                continue
            if labels.CREDIT_TITLE.search(cell.folded) or find_dates(cell.folded) or _mostly_numbers(cell):
                continue
            if STREET.match(cell.folded) or _POSTCODE_CITY.match(cell.folded):
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
    return bool(STREET.match(following) or _POSTCODE_CITY.match(following) or _STREET_WORD.search(following))


def _name_of(cells: list[Cell]) -> str | None:
    """The block's first line that is a name: not a person ("Contact: …", "Mme …"), not a "label: value" line
    nor a bare label ("Nummer", "N° client :"), among its first lines."""
    for index, cell in enumerate(cells[:4]):
        folded = fold(cell.text).strip()
        address_line = STREET.match(folded) or _STREET_WORD.match(folded)
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
        or NOT_NAME.search(fold(first))
        or _mostly_numbers(cells[0])
        or _POSTCODE_CITY.match(fold(first))
    ):
        return None
    if len(cells) > 1 and _CONTINUED.search(fold(first)):
        rest = _plain_name(cells[1].text)  # "Cabinet d'expertise comptable Morel &" / "Associés"
        if rest and not STREET.match(fold(rest)) and not _mostly_numbers(cells[1]):
            first = f"{first} {rest}"
    return first


_CONTINUED = re.compile(r"(?:&|\bet|\band|\bde|\bdes|\bdu|-|,)$")  # a name wrapped onto the next line


_DRAWING = re.compile(r"[\u2500-\u257f|+=_~*#]+")


def _plain_name(text: str) -> str:
    """A name as a person writes it: box-drawing frames dropped, letter-spaced capitals closed up
    ("│ L A M B E R T │" -> "LAMBERT")."""
    text = _DRAWING.sub(" ", text).strip(" ,;:")
    words = text.split()
    if len(words) >= 3 and all(len(word) == 1 for word in words):
        return "".join(words)
    return " ".join(words)


def _same_name(a: str, b: str) -> bool:
    def core(text: str) -> str:
        return labels.LEGAL_FORMS.sub("", re.sub(r"[^\w ]", " ", fold(text))).split().__str__()

    return core(a) == core(b) or fold(a).startswith(fold(b)) or fold(b).startswith(fold(a))


def _one_line_address(cell: Cell) -> list[Cell]:
    """A line that holds a whole address ("6 allée des Peupliers – 13008 Marseille", "58 quai de la Loire,
    33000 Bordeaux, France") as the lines of a block; any other line as it is."""
    if _POSTCODE_CITY.match(cell.folded):
        return [cell]
    parts = _ADDRESS_PARTS.split(cell.text)
    if len(parts) > 1 and any(_POSTCODE_CITY.match(fold(part)) for part in parts[1:]):
        return [_part(cell, part) for part in parts]
    return [cell]


def _address_of(cells: list[Cell]) -> Address:
    address = Address()
    street: list[str] = []
    for cell in (part for whole in cells for part in _one_line_address(whole)):
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
            label = _ADDRESS_LABEL.match(folded)
            street.append(cell.text[label.end() :] if label else cell.text)
    for index, text in enumerate(street[:3]):
        setattr(address, ("line1", "line2", "line3")[index], text)
    return address
