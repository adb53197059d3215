"""Item lines from PDF text: rows under a table header where quantity x unit price = amount.

A row of figures alone is a line when its product holds (its description wraps on the rows around it); text
rows under a line continue its description, up to a rule drawn with characters ("-----") that closes the
table. A first text cell that is a code ("A001") is the seller's item id. With no table header anywhere
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
    tables = 0
    unparsed = 0
    last: Row | None = None  # the row the last line (or its description's last part) is on
    for row in rows:
        kinds = _header_kinds(row.cells)
        if len({k for k, _ in kinds}) >= 3 and any(k == "description" for k, _ in kinds):
            header = kinds
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
        parsed = _line_of_row(reader, row.cells)
        if parsed is not None:
            parsed.id = str(len(lines) + 1)
            lines.append(parsed)
            last = row
        elif lines and row.cells and not find_amounts(row.text, reader.decimal):
            if _continues(last, row):
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


def _header_kinds(cells: list[Cell]) -> list[tuple[str, Cell]]:
    kinds = []
    for cell in cells:
        if len(cell.folded) > 40 or any(ch.isdigit() for ch in cell.folded):
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
    for cell in cells:
        found = find_amounts(cell.text, reader.decimal)
        rates = percents(cell.folded)
        if rates:
            rate = rates[0]
        if found and sum(a.end - a.start for a in found) >= len(cell.text.replace(" ", "")) * 0.6:
            numbers.extend((a.value, a.decimals) for a in found)
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
    amount = numbers[-1][0]
    for i, (qty, _) in enumerate(numbers[:-1]):
        for price, _ in numbers[i + 1 : -1] or []:
            if abs(abs(qty * price).quantize(CENT) - abs(amount)) <= CENT:
                return Line(
                    name=" ".join(texts),
                    seller_item_id=code,
                    quantity=qty,
                    net_price=price,
                    net_amount=amount,
                    vat_rate=rate,
                    vat_category="S" if rate else None,
                    unit="C62",
                )
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
