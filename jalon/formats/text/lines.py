"""Item lines from PDF text: rows under a table header where quantity x unit price = amount.

A row of figures alone is a line when its product holds (its description wraps on the rows around it); text
rows under a line continue its description. The lines' sum against the total without VAT sets their
confidence.
"""

from __future__ import annotations

import re
from decimal import Decimal

from jalon.formats.model import Line
from jalon.formats.text import labels
from jalon.formats.text.amounts import CENT, Totals, is_totals_cell
from jalon.formats.text.layout import Cell
from jalon.formats.text.reader import TOTALS_TABLE, Reader
from jalon.formats.text.values import find_amounts, percents


def read_lines(reader: Reader, totals: Totals) -> list[Line]:
    """Item rows under a table header: quantity x unit price = amount, descriptions from the text cells."""
    rows = reader.layout.rows
    lines: list[Line] = []
    header: list[tuple[str, Cell]] | None = None
    unparsed = 0
    for row in rows:
        kinds = _header_kinds(row.cells)
        if len({k for k, _ in kinds}) >= 3 and any(k == "description" for k, _ in kinds):
            header = kinds
            continue
        if header is None:
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
        elif lines and row.cells and not find_amounts(row.text, reader.decimal):
            if row.page == lines[-1].__dict__.get("_page", row.page):
                lines[-1].name = (lines[-1].name + " " + " ".join(c.text for c in row.cells)).strip()
        elif find_amounts(row.text, reader.decimal) and not re.search(
            r"report|page|carried|brought", row.folded
        ):
            unparsed += 1
    total = sum((line.net_amount for line in lines), Decimal("0"))
    exact = totals.without_vat is not None and total in {totals.without_vat, -totals.without_vat}
    reader.confidence["lines"] = (
        0.95 if lines and exact else (0.5 if lines and not unparsed else 0.2 if lines else 0.0)
    )
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


def _line_of_row(reader: Reader, cells: list[Cell]) -> Line | None:
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
    if len(numbers) < (2 if texts else 3):
        return None
    amount = numbers[-1][0]
    for i, (qty, _) in enumerate(numbers[:-1]):
        for price, _ in numbers[i + 1 : -1] or []:
            if abs(abs(qty * price).quantize(CENT) - abs(amount)) <= CENT:
                return Line(
                    name=" ".join(texts),
                    quantity=qty,
                    net_price=price,
                    net_amount=amount,
                    vat_rate=rate,
                    vat_category="S" if rate else None,
                    unit="C62",
                )
    if len(numbers) == 2 and texts and abs(numbers[0][0] - amount) <= CENT:
        return Line(
            name=" ".join(texts),
            quantity=Decimal("1"),
            net_price=amount,
            net_amount=amount,
            vat_rate=rate,
            vat_category="S" if rate else None,
            unit="C62",
        )
    return None
