"""Item lines from PDF text: rows under a table header where quantity x unit price = amount.

A row of figures alone is a line when its product holds (its description wraps on the rows around it); text
rows under a line continue its description, up to a rule drawn with characters ("-----") that closes the
table. A first text cell that is a code ("A001") is the seller's item id. The amount may stand before
trailing codes (a VAT code, a rate), a discount % between price and amount; a unit goes with the quantity
("6 h", "| 4 | kg |") and a percentage inside a description is no VAT rate. With no table header anywhere
("Licence annuelle  10 x 1346,15  TVA 20 %  13461,50" in a letter-like invoice), a row is a line only when
it has a description and its quantity x unit price = amount holds. The lines' sum against the total
without VAT sets their confidence.
"""

from __future__ import annotations

import re
from decimal import Decimal

from jalon.formats.model import Line
from jalon.formats.text import labels
from jalon.formats.text.amounts import CENT, Totals, is_totals_cell
from jalon.formats.text.layout import Cell, Row
from jalon.formats.text.reader import TOTALS_TABLE, Reader
from jalon.formats.text.values import find_amounts, percents


def read_lines(reader: Reader, totals: Totals) -> list[Line]:
    """Item rows under a table header: quantity x unit price = amount, descriptions from the text cells."""
    rows = reader.layout.rows
    lines: list[Line] = []
    header: list[tuple[str, Cell]] | None = None
    code_heading: Cell | None = None  # the header's item code column ("Code", "Réf.", "Article")
    tables = 0
    unparsed = 0
    last: Row | None = None  # the row the last line (or its description's last part) is on
    for row in rows:
        kinds = _header_kinds(row.cells)
        if len({k for k, _ in kinds}) >= 3 and any(k == "description" for k, _ in kinds):
            header = kinds
            code_heading = _code_heading(row.cells, kinds)
            tables += 1
            continue
        if header is None:
            continue
        if _RULE.fullmatch(row.text.strip()):
            if lines:  # the rule under the items (one right under the header only frames it)
                header = None
            continue
        if any(reader.is_label(c) for c in row.cells) and (
            reader.hits(TOTALS_TABLE["without_vat"]) and any(is_totals_cell(c) for c in row.cells)
        ):
            header = None
            continue
        token, cells = _vat_column(header, row.cells)
        code, cells = _code_column(code_heading, cells)
        parsed = _line_of_row(reader, cells)
        if parsed is not None:
            parsed.id = str(len(lines) + 1)
            parsed.seller_item_id = parsed.seller_item_id or code
            lines.append(parsed)
            last = row
            if token and parsed.vat_rate is None:
                reader.line_vat_codes[parsed.id] = token
        elif lines and row.cells and not find_amounts(row.text, reader.decimal):
            if _GROUP_HEADING.match(row.folded):
                last = None  # "Bon de livraison BL831272 du 03/03/2025": the next group's heading
            elif _continues(last, row):
                lines[-1].name = (lines[-1].name + " " + " ".join(c.text for c in row.cells)).strip()
                last = row
        elif find_amounts(row.text, reader.decimal) and not re.search(
            r"report|page|carried|brought", row.folded
        ):
            unparsed += 1
    if not tables:
        lines = _headerless_lines(reader)
    total = sum((line.net_amount for line in lines), Decimal("0"))
    exact = totals.without_vat is not None and total in {totals.without_vat, -totals.without_vat}
    reader.confidence["lines"] = (
        0.95 if lines and exact else (0.5 if lines and not unparsed else 0.2 if lines else 0.0)
    )
    return lines


# Unit words printed beside a quantity, and their UN/ECE Recommendation 20 code (BT-130) where one is sure.
UNITS = {
    "h": "HUR", "heure": "HUR", "heures": "HUR", "hr": "HUR", "hrs": "HUR", "hour": "HUR", "hours": "HUR",
    "j": "DAY", "jour": "DAY", "jours": "DAY", "day": "DAY", "days": "DAY",
    "kg": "KGM", "g": "GRM", "t": "TNE", "l": "LTR", "litre": "LTR", "litres": "LTR", "m": "MTR",
    "m2": "MTK", "m²": "MTK", "m3": "MTQ", "m³": "MTQ", "km": "KMT",
    "kwh": "KWH", "mwh": "MWH", "min": "MIN", "mois": "MON", "month": "MON", "months": "MON",
    "semaine": "WEE", "semaines": "WEE", "week": "WEE", "weeks": "WEE", "an": "ANN", "ans": "ANN",
    "annee": "ANN", "annees": "ANN", "year": "ANN", "years": "ANN",
}  # fmt: skip
UNIT_WORDS = {
    *UNITS, "u", "u.", "un", "unite", "unites", "unite(s)", "pce", "pces", "pc", "pcs", "piece", "pieces",
    "ct", "colis", "carton", "cartons", "caisse", "caisses", "fut", "futs", "kit", "kits", "lot", "lots",
    "ens", "ensemble", "forfait", "forf", "unit", "units", "each", "ea", "box", "boxes", "pack", "packs",
    "sac", "sacs", "bte", "boite", "boites", "rouleau", "rouleaux", "paquet", "paquets", "bouteille",
}  # fmt: skip
_QUANTITY_UNIT = re.compile(
    r"[\d.,\s]+\s?(" + "|".join(re.escape(w) for w in sorted(UNIT_WORDS, key=len, reverse=True)) + r")"
)


def _product(numbers: list[tuple[Decimal, int]]) -> tuple[Decimal, Decimal, Decimal | None, Decimal] | None:
    """(quantity, unit price, discount %, amount) where quantity x price (less the discount) = amount. The
    amount is the last figure of the row, or the one before trailing codes ("| 1" a VAT code, "| 20" a rate
    column); a discount % stands between the price and the amount ("23 | 53,56 | 5 | 1 170,29")."""
    for end in range(len(numbers) - 1, max(len(numbers) - 3, 1), -1):
        if end < len(numbers) - 1 and not all(_small_code(*n) for n in numbers[end + 1 :]):
            break
        amount = numbers[end][0]
        before = numbers[:end]
        for i, (qty, _) in enumerate(before):
            for j in range(i + 1, len(before)):
                price = before[j][0]
                if abs(abs(qty * price).quantize(CENT) - abs(amount)) <= CENT:
                    return qty, price, None, amount
                for discount, _ in before[j + 1 :]:
                    if 0 < discount < 100:
                        discounted = abs(qty * price * (1 - discount / 100)).quantize(CENT)
                        if abs(discounted - abs(amount)) <= CENT:
                            return qty, price, discount, amount
    return None


def _small_code(value: Decimal, decimals: int) -> bool:
    """A figure after the amount that is a code or a rate, not money: "1", "20", "5,5"."""
    return 0 <= value < 100 and decimals <= 1


# A heading that groups the items below it (by delivery note, order or site), not the end of a description.
_GROUP_HEADING = re.compile(
    r"^(?:bon de livraison|bl\s?(?:n\s?[°o]|no|:)|livraison (?:n\s?[°o]|du)\b|delivery note|"
    r"(?:votre |your )?(?:commande|order|po) (?:n\s?[°o]|no\.?|nr|#|:|du\b)|chantier\s?:|site\s?:)"
)
_RULE = re.compile(r"[-=_–—.*~+| ]{8,}")  # a table's rule drawn with characters
_ITEM_CODE = re.compile(r"[A-Z0-9][A-Z0-9._/-]{1,19}")
_DATE = re.compile(r"\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}$")  # a service date column, not an item code


def _continues(last: Row | None, row: Row) -> bool:
    """A text row continues the line above when it sits right under it, on the same page: not a page's
    running header nor a heading further down ("Récapitulatif TVA")."""
    if last is None or row.page != last.page:
        return False
    height = max(last.bottom - last.top, 1.0)
    return row.top - last.bottom <= 0.8 * height


def _headerless_lines(reader: Reader) -> list[Line]:
    """Rows with a description whose quantity x unit price = amount, where no table header is printed;
    labelled rows (totals, VAT, payment) never are."""
    lines: list[Line] = []
    for row in reader.layout.rows:
        if any(reader.is_label(c) for c in row.cells):
            continue
        parsed = _line_of_row(reader, row.cells, strict=True)
        if parsed is not None:
            parsed.id = str(len(lines) + 1)
            lines.append(parsed)
    return lines


_VAT_TOKEN = re.compile(r"[A-Za-z]\d?|\d{1,2}(?:[.,]\d{1,2})?")


def _vat_column(header: list[tuple[str, Cell]], cells: list[Cell]) -> tuple[str | None, list[Cell]]:
    """The short code or rate printed under the header's VAT column, and the row's other cells."""
    column = next((cell for kind, cell in header if kind == "vat"), None)
    if column is None:
        return None, cells
    for cell in cells:
        overlaps = cell.x0 < column.x1 + 2 and cell.x1 > column.x0 - 2
        if overlaps and "%" not in cell.text and _VAT_TOKEN.fullmatch(cell.text.strip()):
            # a percentage is read with the row, as ever; a code or a bare figure is resolved later
            return cell.text.strip(), [c for c in cells if c is not cell]
    return None, cells


_CODE_HEADING = re.compile(r"^(?:code|ref\.?|reference|art\.?|article|item|sku|n[°o]|code article)$")


def _code_heading(cells: list[Cell], kinds: list[tuple[str, Cell]]) -> Cell | None:
    """The header's first cell when it heads item codes, with the description heading after it."""
    descriptions = [cell for kind, cell in kinds if kind == "description"]
    first = cells[0] if cells else None
    if first is None or not _CODE_HEADING.match(first.folded.strip()):
        return None
    return first if any(cell.x0 > first.x1 for cell in descriptions) else None


def _code_column(heading: Cell | None, cells: list[Cell]) -> tuple[str | None, list[Cell]]:
    """The item code printed under the code heading ("SERV", "100871", "MP-20417"), and the other cells."""
    if heading is None or len(cells) < 3:
        return None, cells
    first = cells[0]
    overlaps = first.x0 < heading.x1 + 2 and first.x1 > heading.x0 - 2
    if overlaps and _ITEM_CODE.fullmatch(first.text.strip()) and not _DATE.match(first.text.strip()):
        return first.text.strip(), cells[1:]
    return None, cells


def _header_kinds(cells: list[Cell]) -> list[tuple[str, Cell]]:
    kinds = []
    for cell in cells:
        if len(cell.folded) > 40:
            return []
        if any(ch.isdigit() for ch in cell.folded):
            if sum(ch.isalpha() for ch in cell.folded) >= 3 and " " not in cell.folded.strip():
                continue  # a code column's name ("CIP13", "EAN13"), not a value
            return []
        for kind, pattern in labels.TABLE_HEADER.items():
            if pattern.search(cell.folded):
                kinds.append((kind, cell))
                break
    return kinds


def _line_of_row(reader: Reader, cells: list[Cell], *, strict: bool = False) -> Line | None:
    """The line a row holds; `strict`: only with a description and a quantity x unit price = amount."""
    numbers: list[tuple[Decimal, int]] = []
    texts: list[str] = []
    rate: Decimal | None = None
    unit = "C62"
    percent_cells = [
        i
        for i, cell in enumerate(cells)
        if sum(ch.isalpha() for ch in cell.folded) < 8 and percents(cell.folded)
    ]
    for position, cell in enumerate(cells):
        found = find_amounts(cell.text, reader.decimal)
        # a percentage in a description ("Surcharge gazole (indexation 7,6 %)") is no VAT rate column
        rates = [] if sum(ch.isalpha() for ch in cell.folded) >= 8 else percents(cell.folded)
        if rates and percent_cells and position != percent_cells[-1]:
            # two percentages on a row ("10% | 6%"): the first is the line's discount, the last its VAT rate
            numbers.append((rates[0], 1))
            continue
        if rates:
            rate = rates[0]
        with_unit = _QUANTITY_UNIT.fullmatch(cell.folded.strip())
        if with_unit and found:  # "6 h", "1 forfait", "12 kg": a quantity and its unit in one cell
            numbers.append((found[0].value, found[0].decimals))
            unit = UNITS.get(with_unit.group(1), unit)
        elif found and sum(a.end - a.start for a in found) >= len(cell.text.replace(" ", "")) * 0.6:
            numbers.extend((a.value, a.decimals) for a in found)
        elif texts and numbers and cell.folded.strip() in UNIT_WORDS:
            unit = UNITS.get(cell.folded.strip(), unit)  # a unit column ("| 4 | kg |"), not the description
        elif not rates:
            texts.append(cell.text)
    # a row of figures alone is a line when quantity x price = amount: its description wraps on the lines
    # around it, the figures centred between them
    if len(numbers) < (2 if texts else 3) or (strict and (not texts or len(numbers) < 3)):
        return None
    code = None
    first = texts[0] if texts else ""
    is_code = _ITEM_CODE.fullmatch(first) and any(ch.isdigit() for ch in first) and not _DATE.match(first)
    if len(texts) > 1 and is_code:
        code, texts = texts[0], texts[1:]  # a reference column before the description
    found = _product(numbers)
    if found is not None:
        qty, price, discount, amount = found
        net_price = price if discount is None else (price * (1 - discount / 100)).quantize(Decimal("0.0001"))
        return Line(
            name=" ".join(texts),
            seller_item_id=code,
            quantity=qty,
            net_price=net_price,
            gross_price=None if discount is None else price,
            price_discount=None if discount is None else price - net_price,
            net_amount=amount,
            vat_rate=rate,
            vat_category="S" if rate else None,
            unit=unit,
        )
    amount = numbers[-1][0]
    if not strict and len(numbers) == 2 and texts and abs(numbers[0][0] - amount) <= CENT:
        return Line(
            name=" ".join(texts),
            seller_item_id=code,
            quantity=Decimal("1"),
            net_price=amount,
            net_amount=amount,
            vat_rate=rate,
            vat_category="S" if rate else None,
            unit="C62",
        )
    return None
