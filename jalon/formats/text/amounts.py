"""Totals from PDF text, chosen so that they add up.

HT + TVA = TTC to the cent picks the totals among every amount beside a totals label (after a label, on its
right, under it, or in the same column of a bar of headings over values); a subtotal followed by charges and
discounts (freight, shipping, "Remise") gives a total without VAT of its own; a deposit paid lowers the amount
due, never the totals. What does not add up is kept but marked unsure, never "fixed".
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from decimal import Decimal

from jalon.formats.text import labels
from jalon.formats.text.layout import Cell
from jalon.formats.text.reader import TOTALS_TABLE, Candidate, Reader
from jalon.formats.text.values import ZERO_DECIMAL, Amount, find_amounts

CENT = Decimal("0.01")
# by rate, (base or None, VAT, row index) of the rows that print a VAT rate with its VAT
RateRows = dict[Decimal, tuple[Decimal | None, Decimal, int]]
_DISCOUNT_ROW = re.compile(r"\b(?:remise|rabais|ristourne|discount|escompte|reduction|rebate)\b")
_CHARGE_ROW = re.compile(
    r"\b(?:remise|rabais|ristourne|discount|escompte|reduction|rebate|frais|port|shipping|freight|delivery|"
    r"livraison|transport|emballages?|packing|packaging|handling|manutention|eco-?participation|"
    r"eco-?contribution|surcharge|insurance|assurance|majoration|charges?|postage|carriage)\b"
)


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
    holdback: Decimal | None = None
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
            if any(is_totals_cell(cell) for cell in row.cells) or not _CHARGE_ROW.search(label):
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
        settled = exempt and _total_before_deposit(cands, totals_pool, result)
        if not settled and (result.without_vat is not None or result.with_vat is not None):
            reader.warnings.append("totals do not add up (HT + VAT != TTC) or were not all found")
    if result.with_vat is not None:
        _deductions(result, cands)
    values = [x for x in (result.without_vat, result.with_vat) if x is not None]
    if values and all(x < 0 for x in values):
        result.negative = True
        for kind in ("without_vat", "vat", "with_vat", "payable", "prepaid", "holdback"):
            value = getattr(result, kind)
            if value is not None:
                setattr(result, kind, -value)
    return result


def _deductions(result: Totals, cands: dict[str, list[Candidate]]) -> None:
    """A deposit (BT-113) and a holdback taken off the total, each only when the amount printed to pay is the
    total less them ("Total TTC 6 603,60 | Retenue de garantie 5 % -330,18 | Net à payer 6 273,42"). The
    amount due (BT-115) is the total less the deposit: the holdback is owed, later."""
    assert result.with_vat is not None
    prepaid = [abs(c.value) for c in cands["prepaid"] if c.value]  # printed "-300,00" as often as "300,00"
    held = [abs(c.value) for c in cands["holdback"] if c.value]
    payable = {c.value for c in cands["payable"]}
    result.payable = result.with_vat
    for paid, hold in itertools.product([None, *prepaid], [None, *held]):
        if (paid or hold) and result.with_vat - (paid or 0) - (hold or 0) in payable:
            result.prepaid, result.holdback, result.payable = paid, hold, result.with_vat - (paid or 0)
            return


def _total_before_deposit(cands: dict[str, list[Candidate]], pool: list[Candidate], result: Totals) -> bool:
    """No VAT charged, and the one total picked is the balance after a deposit ("Total 185,46 | Acompte reçu
    -55,64 | Net à payer 129,82"): the total is the figure that, less the deposit, is that balance."""
    paid = {abs(c.value) for c in cands["prepaid"] if c.value}
    payable = {c.value for c in cands["payable"]}
    if not paid or not payable or result.with_vat not in payable:
        return False
    for candidate in pool:
        if candidate.value not in payable and any(candidate.value - p in payable for p in paid):
            result.without_vat = result.with_vat = candidate.value
            result.vat = Decimal("0")
            return True
    return False


def _last_wins(pool: list[Candidate]) -> list[Candidate]:
    """Totals printed twice (a summary box and a final line) agree; when they do not, the last one counts."""
    if not pool:
        return []
    top = max(c.score for c in pool)
    strong = [c for c in pool if c.score >= top - 0.1]
    last = max(strong, key=lambda c: c.order)
    return [Candidate(last.value, last.score + 0.2, last.cell)] + [c for c in pool if c is not last]


def is_totals_cell(cell: Cell) -> bool:
    return any(p.search(cell.folded) for patterns in TOTALS_TABLE.values() for p, _ in patterns)
