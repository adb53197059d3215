"""Complete an invoice read from a PDF's text with what EN 16931 requires and its own figures prove.

A printed invoice often shows VAT per rate in its summary but not on each line, or lines the text reader
could not take apart. Before writing a structured format, `complete` fills only what the amounts decide:
- line VAT rates: when one assignment of lines to the breakdown's rates makes each rate's lines add up to
  its taxable amount to the cent (one rate: trivially; several: searched, and used only if unique);
- VAT category S for a positive rate with no category; a line's category from the breakdown's when its
  printed rate belongs to one category only (0 % lines of an export or intra-community invoice: G, K);
- for an intra-community supply (K) or an export (G), the country the goods go to (BT-80) is the buyer's
  when no delivery address says otherwise; for a French seller's intra-community supply with no date of
  supply printed, that date (BT-72) is the invoice's: French law asks for it only when it differs (CGI
  art. 242 nonies A, I-7°);
- for a French seller with no VAT number billing exempt lines (franchise en base, art. 293 B), its SIREN as
  the seller's tax registration identifier (BT-32), as French e-invoicing practice does: BR-E-02 asks for
  one of BT-31, BT-32, BT-63;
- when no line was read at all, one line per VAT rate carrying that rate's taxable amount, named as such
  ("Total HT soumis à TVA 20 %"), with a reader warning saying so.
Nothing else is touched; a copy is returned.
"""

from __future__ import annotations

from decimal import Decimal

from jalon.formats.model import Invoice, Line, Note

CROSS_BORDER = frozenset({"K", "G"})  # intra-community supply, export outside the EU

SEARCH_BUDGET = 200_000  # backtracking steps before giving up on matching lines to rates
MAX_LINES = 40


def _unique_assignment(amounts: list[Decimal], targets: list[Decimal]) -> list[int] | None:
    """Index of the target each amount goes to, when exactly one assignment hits every target exactly."""
    order = sorted(range(len(amounts)), key=lambda i: -abs(amounts[i]))
    found: list[list[int]] = []
    steps = 0
    choice = [0] * len(amounts)

    def walk(position: int, remaining: list[Decimal]) -> bool:
        nonlocal steps
        steps += 1
        if steps > SEARCH_BUDGET or len(found) > 1:
            return False
        if position == len(order):
            if all(r == 0 for r in remaining):
                found.append(choice.copy())
            return True
        index = order[position]
        rest = sum((abs(amounts[i]) for i in order[position + 1 :]), Decimal(0))
        for target in range(len(targets)):
            after = remaining[target] - amounts[index]
            remaining[target] = after
            if all(abs(r) <= rest for r in remaining):
                choice[index] = target
                if not walk(position + 1, remaining):
                    remaining[target] = after + amounts[index]
                    return False
            remaining[target] = after + amounts[index]
        return True

    complete = walk(0, list(targets))
    return found[0] if complete and len(found) == 1 else None


def _holdback_note(inv: Invoice) -> None:
    """A retenue de garantie has no EN 16931 term: the amount due stays the total (BR-CO-16) and a note says
    what the buyer keeps back, so that the e-invoice tells what the PDF prints ("Net à payer")."""
    held = inv.totals.holdback
    if not held or any("retenue de garantie" in note.text.lower() for note in inv.notes):
        return
    due, currency = inv.totals.payable - held, inv.currency
    said = (
        f"Retenue de garantie : {held:f} {currency}, payable à la fin de la période de garantie ; "
        f"net à payer à l'échéance : {due:f} {currency}."
    )
    inv.notes.append(Note(said, "AAI"))


def complete(invoice: Invoice) -> Invoice:
    """A copy with line VAT rates/categories and summary lines filled where the figures decide them."""
    inv = invoice.copied()
    _holdback_note(inv)
    for bd in inv.vat_breakdown:
        if not bd.category and bd.rate:
            bd.category = "S"
    if not inv.lines and inv.vat_breakdown:
        for index, bd in enumerate(inv.vat_breakdown, 1):
            rate = "" if bd.rate is None else f" {bd.rate.normalize():f} %"
            inv.lines.append(
                Line(id=str(index), name=f"Total HT soumis à TVA{rate}", quantity=Decimal(1), unit="C62",
                     net_price=bd.taxable_amount, net_amount=bd.taxable_amount,
                     vat_category=bd.category, vat_rate=bd.rate)
            )  # fmt: skip
        inv.reader_warnings.append("no line could be read: one summary line per VAT rate was written")
        return inv
    _line_categories(inv)
    _cross_border(inv)
    _exempt_seller(inv)
    missing = [line for line in inv.lines if line.vat_rate is None and line.vat_category is None]
    if missing and len(inv.vat_breakdown) == 1:  # one rate: every line has it, charges or not
        bd = inv.vat_breakdown[0]
        for line in missing:
            line.vat_category, line.vat_rate = bd.category, bd.rate
        return inv
    if not missing or inv.allowances_charges or len(inv.lines) > MAX_LINES:
        return inv
    if len(missing) != len(inv.lines) or not inv.vat_breakdown:
        return inv
    assignment = _unique_assignment(
        [line.net_amount for line in inv.lines], [b.taxable_amount for b in inv.vat_breakdown]
    )
    if assignment is not None:
        for line, target in zip(inv.lines, assignment, strict=True):
            bd = inv.vat_breakdown[target]
            line.vat_category, line.vat_rate = bd.category, bd.rate
    return inv


def _line_categories(inv: Invoice) -> None:
    """A line with a printed rate and no category takes the category of that rate, when only one has it."""
    by_rate: dict[Decimal, set[str]] = {}
    for bd in inv.vat_breakdown:
        if bd.rate is not None and bd.category:
            by_rate.setdefault(bd.rate, set()).add(bd.category)
    for line in inv.lines:
        categories = by_rate.get(line.vat_rate) if line.vat_rate is not None else None
        if line.vat_category is None and categories and len(categories) == 1:
            line.vat_category = next(iter(categories))


def _cross_border(inv: Invoice) -> None:
    categories = {bd.category for bd in inv.vat_breakdown}
    if not categories & CROSS_BORDER:
        return
    delivery = inv.delivery.address
    if delivery.country is None and inv.buyer.address.country:
        delivery.country = inv.buyer.address.country
    if (
        "K" in categories
        and inv.seller.address.country == "FR"
        and inv.delivery.date is None
        and inv.period_start is None
        and inv.period_end is None
        and inv.issue_date is not None
    ):
        inv.delivery.date = inv.issue_date


def _exempt_seller(inv: Invoice) -> None:
    seller = inv.seller
    if (
        any(bd.category == "E" for bd in inv.vat_breakdown)
        and seller.address.country == "FR"
        and not seller.vat_id
        and not seller.tax_registration_id
        and seller.siren
    ):
        seller.tax_registration_id = seller.siren
