"""Document-level allowances and charges from PDF text (BG-20 / BG-21): "Remise 2,5 % -74,39", "Frais de port
42,09", "Freight & insurance $522.77" printed between the items and the totals.

Taken only when the figures prove them: the lines' sum less the allowances plus the charges equals the total
without VAT to the cent. Their VAT category and rate are the invoice's when it has a single one. With several
rates, each line's rate must be known, and the split must make every rate's lines, less its share of the
allowances plus its charges, equal that rate's base in the VAT summary to the cent: a percentage ("Remise
2,5 %") is shared out by rate in proportion (rounded to the cent, the printed total kept), a fixed amount
("Frais de port") goes to the one rate that balances. Where no split, or more than one, balances, none is
taken (the invoice then keeps its lines as read, and a person sees why the output was refused).
"""

from __future__ import annotations

import itertools
import re
from decimal import ROUND_HALF_UP, Decimal

from jalon.formats.model import AllowanceCharge, Line, VatBreakdown
from jalon.formats.text.reader import Reader
from jalon.formats.text.values import find_amounts, percents

ALLOWANCE = re.compile(
    r"^(?:remise|rabais|ristourne|reduction|discount|rebate|escompte|geste commercial|avoir commercial)\b"
)
# what a seller bills on top of the items: freight, packing, insurance, handling, eco-fees, surcharges
CHARGE = re.compile(
    r"^(?:(?:participation (?:aux |a )?)?frais\b|port\b|transport\b|emballage|conditionnement|palettisation"
    r"|filmage|manutention|assurance|eco-?(?:participation|contribution)|surcharge|supplement|majoration"
    r"|freight|shipping|delivery|handling|packing|packaging|insurance|carriage|postage|fuel surcharge)"
)


def read_document_charges(
    reader: Reader, lines: list[Line], without_vat: Decimal | None, breakdown: list[VatBreakdown]
) -> list[AllowanceCharge]:
    """The allowances and charges printed after the items, when they make the lines add up to the total."""
    if not lines or without_vat is None or not breakdown:
        return []
    found: list[AllowanceCharge] = []
    shares: list[Decimal | None] = []  # the printed percentage of each, if any
    for row in reader.layout.rows:
        at = _label_at(reader, row.cells)
        if at is None:
            continue
        cells = row.cells[at:]
        is_charge = bool(CHARGE.match(cells[0].folded.strip()))
        amounts = find_amounts(" ".join(cell.text for cell in cells), reader.decimal)
        if not amounts or len(amounts) > 2 or len(cells) < 2:
            continue  # an item row ("Packing and crating | 1 | 173,54 | 173,54") is a line, read as such
        reason = re.sub(r"\s*[-:]?\s*\d[\d\s.,]*\s*%?\s*$", "", cells[0].text).strip(" :") or None
        found.append(AllowanceCharge(is_charge=is_charge, amount=abs(amounts[-1].value), reason=reason))
        printed = percents(cells[0].folded)
        shares.append(printed[0] if printed and 0 < printed[0] < 100 else None)
    if not found:
        return []
    line_sum = sum((line.net_amount for line in lines), Decimal("0"))
    net = line_sum + sum((ac.amount if ac.is_charge else -ac.amount for ac in found), Decimal("0"))
    if net != without_vat or line_sum == without_vat:
        return []
    if len(breakdown) > 1:
        return _split_by_rate(lines, found, shares, breakdown)
    rate = breakdown[0]
    for ac in found:
        ac.vat_category, ac.vat_rate = rate.category, rate.rate
    return found


def _label_at(reader: Reader, cells: list) -> int | None:
    """Where an allowance or charge label starts the row, or follows figures only (a VAT summary printed on
    the same rows: "2 | 20 % | 1 287,11 | 257,42 | Remise 2 % | -172,15"); never after a description."""
    for index, cell in enumerate(cells):
        folded = cell.folded.strip()
        if CHARGE.match(folded) or ALLOWANCE.match(folded):
            return index
        figures = find_amounts(cell.text, reader.decimal) or percents(folded)
        if not figures and len(folded) > 3:
            return None
    return None


CENT = Decimal("0.01")
MAX_FIXED = 4  # fixed amounts to place among the rates: a handful at most (rates ** fixed trials)


def _split_by_rate(
    lines: list[Line],
    found: list[AllowanceCharge],
    shares: list[Decimal | None],
    breakdown: list[VatBreakdown],
) -> list[AllowanceCharge]:
    """The allowances and charges split by VAT rate so that every rate balances with the summary, or []."""
    bases = {bd.rate: bd.taxable_amount for bd in breakdown}
    categories = {bd.rate: bd.category or "S" for bd in breakdown}
    if None in bases or any(line.vat_rate not in bases for line in lines):
        return []
    sums = {rate: sum((li.net_amount for li in lines if li.vat_rate == rate), Decimal("0")) for rate in bases}
    balance = dict(sums)
    split: list[AllowanceCharge] = []
    fixed: list[AllowanceCharge] = []
    for ac, share in zip(found, shares, strict=True):
        parts = _shared_out(ac.amount, share, sums) if share is not None else None
        if parts is None:
            fixed.append(ac)
            continue
        for rate, part in parts.items():
            split.append(_at_rate(ac, part, rate, categories[rate]))
            balance[rate] += part if ac.is_charge else -part
    if len(fixed) > MAX_FIXED:
        return []
    solutions = []
    for places in itertools.product(list(bases), repeat=len(fixed)):
        trial = dict(balance)
        for ac, rate in zip(fixed, places, strict=True):
            trial[rate] += ac.amount if ac.is_charge else -ac.amount
        if all(trial[rate] == bases[rate] for rate in bases):
            solutions.append(places)
    if len(solutions) != 1:
        return []
    return split + [
        _at_rate(ac, ac.amount, rate, categories[rate]) for ac, rate in zip(fixed, solutions[0], strict=True)
    ]


def _shared_out(amount: Decimal, share: Decimal, sums: dict) -> dict | None:
    """A percentage allowance or charge by rate, each part rounded to the cent, the parts adding up to the
    printed amount (the largest part takes the rounding); None when the percentage does not make it."""
    parts = {
        rate: (total * share / 100).quantize(CENT, rounding=ROUND_HALF_UP)
        for rate, total in sums.items()
        if total
    }
    gap = amount - sum(parts.values(), Decimal("0"))
    if not parts or abs(gap) > CENT * len(parts):
        return None
    largest = max(parts, key=lambda rate: parts[rate])
    parts[largest] += gap
    return parts


def _at_rate(ac: AllowanceCharge, amount: Decimal, rate: Decimal, category: str) -> AllowanceCharge:
    return AllowanceCharge(
        is_charge=ac.is_charge, amount=amount, reason=ac.reason, vat_category=category, vat_rate=rate
    )
