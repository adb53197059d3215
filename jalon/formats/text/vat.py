"""The VAT breakdown from PDF text: one base and one VAT per rate, chosen so that they add up.

Rows that print a rate with two amounts where base x rate = VAT (in either order on a row that says it is
VAT), rate columns without "%", rates named by codes (the rate read from the arithmetic), summaries laid out
sideways (rates heading columns); then the set of rows whose VAT sums to the VAT total and whose bases sum to
the total without VAT, bases of rates printed with their VAT alone solved from the lines or the totals, else
one standard rate that explains the totals exactly.
"""

from __future__ import annotations

import re
from decimal import Decimal

from jalon.formats.model import Line, VatBreakdown
from jalon.formats.text.amounts import CENT, RateRows, Totals
from jalon.formats.text.reader import Reader
from jalon.formats.text.values import find_amounts, percents

STANDARD_RATES = tuple(
    Decimal(r)
    for r in str.split("20 10 5.5 2.1 8.5 13 0.9 19 7 21 6 9 12 22 23 24 25 17 16 15 8.1 2.6 3.8 14 4 5")
)
_NOT_VAT_ROW = re.compile(
    r"\b(?:remise|rabais|ristourne|discount|escompte|allowance|charge|frais|majoration)\b"
)
_VAT_WORD = re.compile(r"\b(?:tva|vat|tax|mwst|ust|iva|btw)\b")
_CATEGORY_CODES = {"s", "z", "e", "ae", "k", "g", "o", "l", "m"}


def read_rate_rows(reader: Reader) -> RateRows:
    """Rows that print a VAT rate with its VAT (and usually its base: base x rate = VAT), by rate; the last
    of a rate wins (a summary comes after the item lines)."""
    entries: RateRows = {}
    for row_index, row in enumerate(reader.layout.rows):
        cells = row.cells
        folded = row.folded
        if _NOT_VAT_ROW.search(folded) and not re.search(r"\b(?:tva|vat|taxe?s?|mwst|ust)\b", folded):
            # a discount or a charge in percent is not a VAT rate; a VAT table may share its row with it
            # ("2 | 20 % | 5 847,04 | 1 169,41 | Remise 2 % | -269,85"): the cells before it are read
            cut = next(i for i, cell in enumerate(cells) if _NOT_VAT_ROW.search(cell.folded))
            if cut < 2:
                continue
            cells = cells[:cut]
            folded = "  ".join(cell.folded for cell in cells)
        found = percents(folded)
        rates = [r for r in found if 0 < r < 30]
        text = "  ".join(cell.text for cell in cells)
        amounts = [a.value for a in find_amounts(text, reader.decimal) if a.decimals == 2]
        if found and not rates and found[0] == 0 and 0 in amounts and any(amounts):
            # an exempt or zero-rated part: base printed with a zero VAT
            base = next(a for a in amounts if a)
            code = next((c.text.strip().upper() for c in cells if c.folded.strip() in _CATEGORY_CODES), None)
            vatex = re.search(r"\bvatex-[a-z0-9-]+", folded)
            reader.zero_rows.append((base, code, vatex.group(0).upper() if vatex else None))
            continue
        if not rates:
            # a rate column without "%" ("20.0 | -20,48 € | -4,10 €", "T1 | 1 234,56 | 5,5 | 67,90"): believed
            # only when base x rate = VAT among the other cells' amounts
            for position, cell in enumerate(cells):
                rate = _bare_rate(cell.text)
                if rate is None:
                    continue
                others = [
                    a.value
                    for other in cells[:position] + cells[position + 1 :]
                    for a in find_amounts(other.text, reader.decimal)
                    if a.decimals == 2
                ]
                pair = _base_and_vat(rate, others)
                if pair:
                    entries[rate] = (pair[0], pair[1], row_index)
                    break
            else:
                coded = _coded_rate_row(reader, row_index, cells, amounts)
                if coded is not None:
                    entries[coded[0]] = (coded[1], coded[2], row_index)
            continue
        rate = rates[0]
        pair = _base_and_vat(rate, amounts, bool(_VAT_WORD.search(folded)))
        if pair is not None:
            entries[rate] = (pair[0], pair[1], row_index)
        elif (
            len(amounts) == 1
            and re.search(r"\b(?:tva|vat|tax|mwst|ust)\b", folded)
            and (rate not in entries or entries[rate][0] is None)
        ):
            entries[rate] = (None, amounts[-1], row_index)
    _rate_columns(reader, entries)
    return entries


def _coded_rate_row(
    reader: Reader, index: int, cells: list, amounts: list[Decimal]
) -> tuple[Decimal, Decimal, Decimal] | None:
    """A row of a VAT summary that names its rate by a code ("B | 2 286,68 | 457,34" under "Code | Base HT |
    Montant TVA", the codes explained elsewhere): the rate is the standard one that turns the base into the
    VAT, to the cent. (rate, base, VAT) or None."""
    if len(amounts) != 2 or not cells or len(cells[0].text) > 3 or not cells[0].text.isalnum():
        return None
    rows = reader.layout.rows
    for above in reversed(rows[max(0, index - 6) : index]):
        if _BASE_LABEL.search(above.folded) and _VAT_WORD.search(above.folded) and "code" in above.folded:
            break
    else:
        return None
    base, vat = sorted(amounts, key=abs, reverse=True)
    matches = [
        rate for rate in STANDARD_RATES if abs((abs(base) * rate / 100).quantize(CENT) - abs(vat)) == 0
    ]
    return (matches[0], base, vat) if len(matches) == 1 else None


_BASE_LABEL = re.compile(r"\b(?:base|bases|ht|net|taxable|hors taxes?|netto)\b")


def _rate_columns(reader: Reader, entries: RateRows) -> None:
    """A VAT summary laid out sideways: the rates head the columns ("1 — 5,50 % | 2 — 10,00 % | 3 — 20,00 %
    | Total") and rows below give each rate's base and VAT ("Base HT | …", "Montant TVA | …"). Each amount
    belongs to the rate above it; a rate is kept when base x rate = VAT."""
    rows = reader.layout.rows
    for index, row in enumerate(rows):
        heads = [(cell, percents(cell.folded)) for cell in row.cells]
        heads = [(cell, found[0]) for cell, found in heads if len(found) == 1 and 0 < found[0] < 30]
        if len(heads) < 2:
            continue
        bases: dict[Decimal, Decimal] = {}
        vats: dict[Decimal, Decimal] = {}
        for below in rows[index + 1 : index + 5]:
            if below.page != row.page or not below.cells:
                break
            label = below.cells[0].folded
            target = vats if _VAT_WORD.search(label) else bases if _BASE_LABEL.search(label) else None
            if target is None or re.search(r"\bttc\b|\bincl", label):
                continue
            for head, rate in heads:
                under = [c for c in below.cells[1:] if min(c.x1, head.x1) - max(c.x0, head.x0) > 0]
                money = [
                    a for c in under[:1] for a in find_amounts(c.text, reader.decimal) if a.decimals == 2
                ]
                if money:
                    target.setdefault(rate, money[-1].value)
        for _, rate in heads:
            base, vat = bases.get(rate), vats.get(rate)
            if base is not None and vat is not None and _base_and_vat(rate, [base, vat]):
                entries[rate] = (base, vat, index)


def _solve_bases(unknown: list[tuple[Decimal, Decimal]], remaining: Decimal) -> dict[Decimal, Decimal] | None:
    """Bases of rates printed with their VAT only, when exactly one set of bases in cents gives each VAT
    (base x rate rounded) and sums to what is left of the total HT. Several solutions: None (not guessed)."""
    if len(unknown) > 3:
        return None
    options: list[list[Decimal]] = []
    for rate, vat in unknown:
        low = ((vat - Decimal("0.005")) * 100 / rate).quantize(CENT)
        high = ((vat + Decimal("0.005")) * 100 / rate).quantize(CENT)
        steps = int((high - low) / CENT) + 1
        if steps > 400:
            return None
        options.append(
            [b for b in (low + CENT * i for i in range(steps)) if (b * rate / 100).quantize(CENT) == vat]
        )
    solutions: list[tuple[Decimal, ...]] = []

    def walk(index: int, chosen: tuple[Decimal, ...], total: Decimal) -> None:
        if len(solutions) > 1:
            return
        if index == len(options) - 1:
            last = remaining - total
            if last in options[index]:
                solutions.append((*chosen, last))
            return
        for base in options[index]:
            walk(index + 1, (*chosen, base), total + base)

    walk(0, (), Decimal("0"))
    if len(solutions) != 1:
        return None
    return {rate: base for (rate, _), base in zip(unknown, solutions[0], strict=True)}


def _vat_subset(entries: RateRows, vat_total: Decimal) -> RateRows:
    """The rate rows whose VAT adds up to the VAT total: the largest such set, standard rates first."""
    rates = list(entries)
    if len(rates) > 10:
        return {}
    best: tuple[int, int, list[Decimal]] | None = None
    for mask in range(1, 1 << len(rates)):
        chosen = [rate for bit, rate in enumerate(rates) if mask >> bit & 1]
        if sum((entries[rate][1] for rate in chosen), Decimal("0")) != vat_total:
            continue
        key = (sum(rate in STANDARD_RATES for rate in chosen), len(chosen), chosen)
        if best is None or key[:2] > best[:2]:
            best = key
    return {rate: entries[rate] for rate in best[2]} if best else {}


def _bases_from_lines(entries: RateRows, lines: list[Line]) -> None:
    """Rates printed with their VAT only ("TVA 5,5 % : 7,50"): the base is the sum of that rate's lines, when
    base x rate gives that VAT."""
    for rate, (base, vat, row) in list(entries.items()):
        if base is not None:
            continue
        from_lines = sum((abs(line.net_amount) for line in lines if line.vat_rate == rate), Decimal("0"))
        if from_lines and abs((from_lines * rate / 100).quantize(CENT) - vat) <= CENT:
            entries[rate] = (from_lines, vat, row)


def read_vat_breakdown(
    reader: Reader, totals: Totals, rows: RateRows, exempt_category: tuple[str, str] | None, lines: list[Line]
) -> list[VatBreakdown]:
    """The rate rows that sum to the totals (Σ VAT = total VAT, Σ bases = total HT), else a single rate
    derived from the totals when one standard rate explains them exactly."""
    entries = {rate: (abs(b) if b is not None else None, abs(v), r) for rate, (b, v, r) in rows.items()}
    _bases_from_lines(entries, lines)
    result: list[VatBreakdown] = []
    if totals.vat is not None and entries:
        total_vat = sum((e[1] for e in entries.values()), Decimal("0"))
        if total_vat != totals.vat:
            entries = _vat_subset(entries, totals.vat)
        unknown = [rate for rate, e in entries.items() if e[0] is None]
        known_base = sum((e[0] for e in entries.values() if e[0] is not None), Decimal("0"))
        if unknown and totals.without_vat is not None:
            solved = _solve_bases(
                [(rate, entries[rate][1]) for rate in unknown], totals.without_vat - known_base
            )
            for rate, base in (solved or {}).items():
                entries[rate] = (base, entries[rate][1], entries[rate][2])
        for rate, (base, vat, _) in sorted(entries.items(), key=lambda item: -item[0]):
            if base is not None:
                result.append(VatBreakdown(category="S", rate=rate, taxable_amount=base, tax_amount=vat))
        bases = sum((b.taxable_amount for b in result), Decimal("0"))
        zero_bases = sum((abs(z[0]) for z in reader.zero_rows), Decimal("0"))
        if (
            result
            and totals.without_vat is not None
            and zero_bases
            and bases + zero_bases == totals.without_vat
        ):
            for base, code, vatex in reader.zero_rows:  # the exempt or zero-rated part of a mixed invoice
                category = code or (exempt_category[0] if exempt_category else "Z")
                reason = exempt_category[1] if exempt_category and exempt_category[0] == category else None
                result.append(
                    VatBreakdown(
                        category=category,
                        rate=Decimal("0"),
                        taxable_amount=abs(base),
                        tax_amount=Decimal("0"),
                        exemption_reason=reason,
                        exemption_reason_code=vatex,
                    )
                )
            bases += zero_bases
        if result and (
            (totals.without_vat is not None and bases != totals.without_vat) or len(result) < len(entries)
        ):
            result = []
    if not result and totals.without_vat is not None and totals.vat is not None:
        if totals.vat == 0:
            code, reason = exempt_category or ("Z", None)
            reader.confidence["vat_breakdown"] = 0.8 if exempt_category else 0.5
            return [
                VatBreakdown(
                    category=code,
                    rate=Decimal("0"),
                    taxable_amount=totals.without_vat,
                    tax_amount=Decimal("0"),
                    exemption_reason=reason,
                )
            ]
        for rate in STANDARD_RATES:
            if totals.without_vat and (totals.without_vat * rate / 100).quantize(CENT) == totals.vat:
                reader.confidence["vat_breakdown"] = 0.7
                return [
                    VatBreakdown(
                        category="S", rate=rate, taxable_amount=totals.without_vat, tax_amount=totals.vat
                    )
                ]
    reader.confidence["vat_breakdown"] = 0.95 if result else 0.0
    return result


def _bare_rate(text: str) -> Decimal | None:
    match = re.fullmatch(r"\s*(\d{1,2}(?:[.,]\d{1,2})?)\s*", text)
    if not match:
        return None
    rate = Decimal(match.group(1).replace(",", "."))
    return rate if rate in STANDARD_RATES else None


def _base_and_vat(
    rate: Decimal, amounts: list[Decimal], either_order: bool = False
) -> tuple[Decimal, Decimal] | None:
    """Two amounts of the row with base x rate = VAT, the base first; on a row that says it is VAT
    (`either_order`), the base may come last ("VAT @ 20% | 373.40 | 1,867.00"). An item line never reads
    backwards: 5 x 6,98 = 34,90 and 20 % of 34,90 is 6,98."""
    for i, first in enumerate(amounts):
        for second in amounts[i + 1 :]:
            for base, vat in ((first, second), (second, first))[: 2 if either_order else 1]:
                if base and abs((abs(base) * rate / 100).quantize(CENT) - abs(vat)) <= CENT:
                    return base, vat
    return None
