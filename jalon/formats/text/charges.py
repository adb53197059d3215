"""Document-level allowances and charges from PDF text (BG-20 / BG-21): "Remise 2,5 % -74,39", "Frais de port
42,09", "Freight & insurance $522.77" printed between the items and the totals.

Taken only when the figures prove them: the lines' sum less the allowances plus the charges equals the total
without VAT to the cent. Their VAT category and rate are the invoice's when it has a single one; with several
rates the split is not printed, so none is taken (the invoice then keeps its lines as read).
"""

from __future__ import annotations

import re
from decimal import Decimal

from jalon.formats.model import AllowanceCharge, Line, VatBreakdown
from jalon.formats.text.reader import Reader
from jalon.formats.text.values import find_amounts

ALLOWANCE = re.compile(r"^(?:remise|rabais|ristourne|reduction|discount|rebate)\b")
CHARGE = re.compile(
    r"^(?:frais (?:de |d')?(?:port|transport|livraison|expedition|envoi|emballage|dossier|gestion)|port\b"
    r"|transport\b|emballage|eco-?(?:participation|contribution)|freight|shipping|delivery|handling|packing"
    r"|insurance|carriage|postage)"
)


def read_document_charges(
    reader: Reader, lines: list[Line], without_vat: Decimal | None, breakdown: list[VatBreakdown]
) -> list[AllowanceCharge]:
    """The allowances and charges printed after the items, when they make the lines add up to the total."""
    if not lines or without_vat is None or len(breakdown) != 1:
        return []
    found: list[AllowanceCharge] = []
    for row in reader.layout.rows:
        label = row.cells[0].folded.strip() if row.cells else ""
        is_charge = bool(CHARGE.match(label))
        if not is_charge and not ALLOWANCE.match(label):
            continue
        amounts = find_amounts(row.text, reader.decimal)
        if not amounts or len(amounts) > 2 or len(row.cells) < 2:
            continue  # an item row ("Packing and crating | 1 | 173,54 | 173,54") is a line, read as such
        reason = re.sub(r"\s*[-:]?\s*\d[\d\s.,]*\s*%?\s*$", "", row.cells[0].text).strip(" :") or None
        found.append(AllowanceCharge(is_charge=is_charge, amount=abs(amounts[-1].value), reason=reason))
    if not found:
        return []
    line_sum = sum((line.net_amount for line in lines), Decimal("0"))
    net = line_sum + sum((ac.amount if ac.is_charge else -ac.amount for ac in found), Decimal("0"))
    if net != without_vat or line_sum == without_vat:
        return []
    rate = breakdown[0]
    for ac in found:
        ac.vat_category, ac.vat_rate = rate.category, rate.rate
    return found
