"""Totals, VAT breakdown and item lines from PDF text, chosen so that they add up.

HT + TVA = TTC to the cent picks the totals among every amount beside a totals label; the VAT breakdown is the
set of rate rows whose VAT sums to the VAT total (base x rate = VAT on each row); item lines are rows under a
table header where quantity x unit price = amount. What does not add up is kept but marked unsure, never
"fixed".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from jalon.formats.model import Line, VatBreakdown
from jalon.formats.text import labels
from jalon.formats.text.layout import Cell
from jalon.formats.text.reader import TOTALS_TABLE, Candidate, Reader
from jalon.formats.text.values import ZERO_DECIMAL, Amount, find_amounts, percents

CENT = Decimal("0.01")
STANDARD_RATES = tuple(
    Decimal(r)
    for r in str.split("20 10 5.5 2.1 8.5 13 0.9 19 7 21 6 9 12 22 23 24 25 17 16 15 8.1 2.6 3.8 14 4 5")
)
_NOT_VAT_ROW = re.compile(
    r"\b(?:remise|rabais|ristourne|discount|escompte|allowance|charge|frais|majoration)\b"
)
_VAT_WORD = re.compile(r"\b(?:tva|vat|tax|mwst|ust|iva|btw)\b")
_DISCOUNT_ROW = re.compile(r"\b(?:remise|rabais|ristourne|discount|escompte|reduction|rebate)\b")
_CHARGE_ROW = re.compile(
    r"\b(?:remise|rabais|ristourne|discount|escompte|reduction|rebate|frais|port|shipping|freight|delivery|"
    r"livraison|transport|emballages?|packing|packaging|handling|manutention|eco-?participation|"
    r"eco-?contribution|surcharge|insurance|assurance|majoration|charges?|postage|carriage)\b"
)
_CATEGORY_CODES = {"s", "z", "e", "ae", "k", "g", "o", "l", "m"}


def _amount_candidates(reader: Reader, kind: str) -> list[Candidate]:
    """Amounts beside each totals label of `kind`: every amount in the rest of the row (base and VAT may
    share a row) or below the label (a totals table with labels above)."""
    found: list[Candidate] = []
    for cell, end, strength in reader.hits(TOTALS_TABLE[kind]):
        if labels.NOT_A_TOTAL.search(cell.folded[:end]) and kind != "vat":
            continue
        if kind == "vat" and re.search(
            r"\b(?:n\s?[°o]|numero|number|no|id|intra\w*|non applicable|incluses?|comprises?|included)\b",
            cell.folded,
        ):
            continue
        if kind in ("without_vat", "with_vat") and re.search(r"\bpage\b|report", cell.folded):
            continue
        row = reader.layout.rows[cell.row]
        pool: list[tuple[Amount, Cell]] = []
        own = [a for a in find_amounts(cell.text[end:], reader.decimal)]
        pool.extend((a, cell) for a in own)
        for other in row.cells[cell.index + 1 :]:
            if reader.is_label(other):
                break
            pool.extend((a, other) for a in find_amounts(other.text, reader.decimal))
        if not pool and reader.heading_row(cell):
            paired = reader.column_value(cell)
            if paired is not None:
                pool.extend((a, paired) for a in find_amounts(paired.text, reader.decimal))
        if not pool:
            for other in reader.layout.below(cell, max_rows=1):
                if not reader.is_label(other):
                    pool.extend((a, other) for a in find_amounts(other.text, reader.decimal))
                break
        money = [(a, c) for a, c in pool if a.decimals == 2 or (a.decimals == 0 and _zero_decimal(reader))]
        for rank, (amount, where) in enumerate(reversed(money)):
            found.append(Candidate(amount.value, strength * (1.0 if rank == 0 else 0.85), where))
    return found


def _zero_decimal(reader: Reader) -> bool:
    return reader.hints.currency in ZERO_DECIMAL or any(
        "¥" in c.text or "JPY" in c.text for c in reader.cells[:400]
    )


@dataclass
class Totals:
    without_vat: Decimal | None = None
    vat: Decimal | None = None
    with_vat: Decimal | None = None
    payable: Decimal | None = None
    prepaid: Decimal | None = None
    negative: bool = False


def _after_charges(reader: Reader, subtotals: list[Candidate]) -> list[Candidate]:
    """A subtotal followed by charges and discounts ("Sous-total | Remise 2,5 % -74,39 | Frais de port
    42,09"; "Subtotal | Freight & insurance") gives a total without VAT of its own: the subtotal plus the
    charges, less the discounts. It is only a candidate: the arithmetic with VAT and TTC decides."""
    found: list[Candidate] = []
    rows = reader.layout.rows
    for candidate in subtotals:
        row_index, total, changed = candidate.cell.row + 1, candidate.value, False
        last = candidate.cell
        while row_index < len(rows) and row_index <= candidate.cell.row + 6:
            row = rows[row_index]
            row_index += 1
            if row.page != candidate.cell.page:
                break
            label = row.cells[0].folded
            if any(_is_totals_cell(cell) for cell in row.cells) or not _CHARGE_ROW.search(label):
                break
            money = [a for a in find_amounts(row.text, reader.decimal) if a.decimals == 2]
            if not money:
                break
            amount = money[-1].value
            if _DISCOUNT_ROW.search(label) and amount > 0:
                amount = -amount
            total, changed, last = total + amount, True, row.cells[-1]
        if changed:
            found.append(Candidate(total, candidate.score + 0.15, last))
    return found


def read_totals(reader: Reader, exempt: bool, rate_rows: RateRows | None = None) -> Totals:
    cands = {kind: _amount_candidates(reader, kind) for kind in labels.TOTALS}
    cands["without_vat"].extend(_after_charges(reader, cands["without_vat"]))
    summed: list[Candidate] = []
    if rate_rows and len(rate_rows) > 1:
        # several rates and no single VAT total printed: the VAT rows together are a candidate
        last = max(row for _, _, row in rate_rows.values())
        cell = reader.layout.rows[last].cells[-1]
        total = sum((abs(e[1]) for e in rate_rows.values()), Decimal("0"))
        summed = [Candidate(total, 0.85, cell), Candidate(-total, 0.8, cell)]
        cands["vat"].extend(summed)
    totals_pool = cands["with_vat"] + [Candidate(c.value, c.score * 0.95, c.cell) for c in cands["payable"]]
    rows = max(len(reader.layout.rows), 1)
    best: tuple[float, Candidate, Candidate | None, Candidate] | None = None
    vat_pool = cands["vat"] or []
    for h in cands["without_vat"]:
        for t in totals_pool:
            if t.value == h.value and (exempt or not vat_pool):
                options: list[Candidate | None] = [None]
            else:
                # a credit note may print its VAT without the minus sign of its totals
                options = [
                    v
                    for v in vat_pool
                    if h.value + v.value == t.value
                    or (h.value < 0 and t.value < 0 and h.value - abs(v.value) == t.value)
                ]
            for v in options:
                if t.value == 0:
                    continue
                score = (
                    h.score + t.score + (v.score if v else 0.6) + 0.3 * (h.cell.row + t.cell.row) / (2 * rows)
                )
                if best is None or score > best[0]:
                    best = (score, h, v, t)
    result = Totals()
    if best is not None:
        _, h, v, t = best
        vat = (
            (v.value if v else Decimal("0"))
            if h.value + (v.value if v else 0) == t.value
            else -abs(v.value if v else 0)
        )
        result.without_vat, result.vat, result.with_vat = h.value, vat, t.value
        for key in ("total_without_vat", "total_vat", "total_with_vat"):
            reader.confidence[key] = 0.97
    else:
        # Nothing adds up: keep each best reading, say we are unsure (the totals check will hold it).
        if summed:  # one VAT row per rate: their sum is the VAT total
            cands["vat"] = summed[:1]
        for kind, key in (
            ("without_vat", "total_without_vat"),
            ("vat", "total_vat"),
            ("with_vat", "total_with_vat"),
        ):
            pool = cands[kind] if kind != "with_vat" else totals_pool
            if (
                kind != "vat"
            ):  # a zero total beside "Total HT" is a placeholder or a discount line, not a total
                pool = [c for c in pool if c.value != 0]
            value = reader.pick(key, _last_wins(pool))
            setattr(result, kind, value)
            if value is not None:
                reader.confidence[key] = min(reader.confidence[key], 0.55)
        if (
            exempt
            and result.vat is None
            and result.without_vat is not None
            and result.without_vat == result.with_vat
        ):
            result.vat = Decimal("0")
        if exempt and result.without_vat is None and result.with_vat is not None and not result.vat:
            # no VAT charged (franchise, reverse charge, export) and one total printed: it is both totals
            result.without_vat, result.vat = result.with_vat, Decimal("0")
            reader.confidence["total_without_vat"] = reader.confidence["total_vat"] = 0.6
        if result.without_vat is not None or result.with_vat is not None:
            reader.warnings.append("totals do not add up (HT + VAT != TTC) or were not all found")
    prepaid = [abs(c.value) for c in cands["prepaid"] if c.value]  # printed "-300,00" as often as "300,00"
    payable = [c.value for c in cands["payable"]]
    if result.with_vat is not None:
        result.payable = result.with_vat
        for paid in prepaid:
            if result.with_vat - paid in payable:
                result.prepaid, result.payable = paid, result.with_vat - paid
                break
    values = [x for x in (result.without_vat, result.with_vat) if x is not None]
    if values and all(x < 0 for x in values):
        result.negative = True
        for kind in ("without_vat", "vat", "with_vat", "payable", "prepaid"):
            value = getattr(result, kind)
            if value is not None:
                setattr(result, kind, -value)
    return result


def _last_wins(pool: list[Candidate]) -> list[Candidate]:
    """Totals printed twice (a summary box and a final line) agree; when they do not, the last one counts."""
    if not pool:
        return []
    top = max(c.score for c in pool)
    strong = [c for c in pool if c.score >= top - 0.1]
    last = max(strong, key=lambda c: c.order)
    return [Candidate(last.value, last.score + 0.2, last.cell)] + [c for c in pool if c is not last]


RateRows = dict[Decimal, tuple[Decimal | None, Decimal, int]]


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
            reader.hits(TOTALS_TABLE["without_vat"]) and any(_is_totals_cell(c) for c in row.cells)
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


def _is_totals_cell(cell: Cell) -> bool:
    return any(p.search(cell.folded) for patterns in TOTALS_TABLE.values() for p, _ in patterns)


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
