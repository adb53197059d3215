"""Each item line's VAT rate from the table's VAT column: the rate itself ("TVA %": 20, 5,5) or a code
("Code TVA": A, B; 1, 2) that the invoice explains elsewhere, in a legend ("Code A : TVA 5,5 % – Code B :
TVA 20 %", "code 1 = 5,5 %") or in its VAT summary ("B | 20 % | 2 286,68 | 457,34").

A code is believed only when the invoice explains it, a bare figure only when it is one of the rates of the
invoice's VAT breakdown; the line then takes that rate and its category. Anything else is left as it was.
"""

from __future__ import annotations

import itertools
import re
from decimal import Decimal, InvalidOperation

from jalon.formats.model import Line, VatBreakdown
from jalon.formats.text.reader import Reader
from jalon.formats.text.values import percents

_LEGEND = re.compile(
    r"\bcode\s*(?:tva\s*|vat\s*)?([a-z]\d?|\d{1,2})\s*[:=]\s*(?:tva|vat|taux)?\s*(\d{1,2}(?:[.,]\d{1,2})?)\s*%"
)
_CODE_CELL = re.compile(r"[A-Za-z]\d?|\d{1,2}")


def apply_vat_column(reader: Reader, lines: list[Line], breakdown: list[VatBreakdown]) -> None:
    """Rates (and categories) for the lines whose VAT column printed a code or a bare rate."""
    if not reader.line_vat_codes or not breakdown:
        return
    categories: dict[Decimal, set[str]] = {}
    for bd in breakdown:
        if bd.rate is not None:
            categories.setdefault(bd.rate, set()).add(bd.category or "S")
    codes = _explained_codes(reader, set(categories))
    for line in lines:
        token = reader.line_vat_codes.get(line.id or "")
        if token is None or line.vat_rate is not None:
            continue
        rate = codes.get(token.upper())
        if rate is None:
            rate = _bare_rate(token)
        if rate is not None and rate in categories and len(categories[rate]) == 1:
            printed = next(r for r in categories if r == rate)  # the summary's own figure, as it prints it
            line.vat_rate, line.vat_category = printed, next(iter(categories[rate]))


def _explained_codes(reader: Reader, rates: set[Decimal]) -> dict[str, Decimal]:
    """Code -> rate, from a legend or from the summary's rows that print a code beside a rate."""
    codes: dict[str, Decimal] = {}
    for row in reader.layout.rows:
        for match in _LEGEND.finditer(row.folded):
            rate = _bare_rate(match.group(2))
            if rate is not None:
                codes.setdefault(match.group(1).upper(), rate)
        cells = row.cells
        for first, second in itertools.pairwise(cells):
            if not _CODE_CELL.fullmatch(first.text.strip()):
                continue
            found = percents(second.folded)
            if found and found[0] in rates:
                codes.setdefault(first.text.strip().upper(), found[0])
    return codes


def _bare_rate(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace("%", "").replace(",", ".").strip())
    except InvalidOperation:
        return None
