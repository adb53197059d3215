"""EN 16931 rules per VAT category: standard (BR-S), zero (BR-Z), exempt (BR-E), reverse charge (BR-AE),
intra-community (BR-IC), export (BR-G), not subject (BR-O), IGIC (BR-AF), IPSI (BR-AG), split payment (BR-B).
Each category is one row of CATEGORIES: the nine families of ten rules ask the same questions per row.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from jalon.formats.en16931.base import (
    Failure,
    _acs,
    _breakdown,
    _categories_used,
    _category_sum,
    _fail,
    _has_seller_tax_id,
    _within_one,
    money,
    r2,
    rule,
)
from jalon.formats.model import Invoice


@dataclass(frozen=True)
class Category:
    code: str
    prefix: str  # rule id prefix: BR-S, BR-Z, BR-E, BR-AE, BR-IC, BR-G, BR-O, BR-AF, BR-AG
    name: str
    exactly_one: bool  # -01: exactly one breakdown of this category (else: at least one)
    seller_ids: (
        str  # -02..04: "vat+reg" (VAT or tax registration), "vat" (VAT only), "none" (O: none allowed)
    )
    buyer_id: str  # AE: "vat_or_legal", IC: "vat", else ""
    line_rate: str  # -05..07: "positive", "zero", "absent", "non_negative"
    tolerance: bool  # -08/-09 with ±1 tolerance per rate (S, L, M) or exact sums with zero VAT (others)
    exemption: str  # -10: "forbidden" or "required"


CATEGORIES = (
    Category("S", "BR-S", "Standard rated", False, "vat+reg", "", "positive", True, "forbidden"),
    Category("Z", "BR-Z", "Zero rated", True, "vat+reg", "", "zero", False, "forbidden"),
    Category("E", "BR-E", "Exempt from VAT", True, "vat+reg", "", "zero", False, "required"),
    Category("AE", "BR-AE", "Reverse charge", True, "vat+reg", "vat_or_legal", "zero", False, "required"),
    Category("K", "BR-IC", "Intra-community supply", True, "vat", "vat", "zero", False, "required"),
    Category("G", "BR-G", "Export outside the EU", True, "vat", "", "zero", False, "required"),
    Category("O", "BR-O", "Not subject to VAT", True, "none", "", "absent", False, "required"),
    Category("L", "BR-AF", "IGIC (Canary Islands)", False, "vat+reg", "", "non_negative", True, "forbidden"),
    Category(
        "M", "BR-AG", "IPSI (Ceuta and Melilla)", False, "vat+reg", "", "non_negative", True, "forbidden"
    ),
)


def _rate_ok(rate: Decimal | None, how: str) -> bool:
    if how == "positive":
        return rate is not None and rate > 0
    if how == "zero":
        return rate is not None and rate == 0
    if how == "absent":
        return rate is None
    return rate is not None and rate >= 0


def _category_rules(inv: Invoice, cat: Category) -> Iterator[Failure]:
    p, name = cat.prefix, cat.name
    lines = [line for line in inv.lines if line.vat_category == cat.code]
    allowances = [ac for ac in _acs(inv, False) if ac.vat_category == cat.code]
    charges = [ac for ac in _acs(inv, True) if ac.vat_category == cat.code]
    breakdowns = _breakdown(inv, cat.code)
    used = bool(lines or allowances or charges)
    if not used and not breakdowns:
        return
    # -01: the breakdown has this category when lines or allowances/charges use it
    if cat.code == "S":
        if used != bool(breakdowns):
            yield _fail(
                f"{p}-01",
                "Standard-rated lines need a standard-rated VAT breakdown, and the other way round.",
                "vat_breakdown",
            )
    elif cat.exactly_one and used and len(breakdowns) != 1:
        yield _fail(
            f"{p}-01",
            f'Items in category "{name}" need exactly one VAT breakdown of that category '
            f"({len(breakdowns)} found).",
            "vat_breakdown",
        )
    elif not cat.exactly_one and used and not breakdowns:
        yield _fail(
            f"{p}-01", f'Items in category "{name}" need a VAT breakdown of that category.', "vat_breakdown"
        )
    # -02..04: who must (or must not) have a VAT number
    for rule_id, present in ((f"{p}-02", lines), (f"{p}-03", allowances), (f"{p}-04", charges)):
        if not present:
            continue
        if cat.seller_ids == "none":
            if (
                inv.seller.vat_id
                or (inv.tax_representative and inv.tax_representative.vat_id)
                or inv.buyer.vat_id
            ):
                yield _fail(
                    rule_id,
                    f'Category "{name}": seller, tax representative and buyer must not show a VAT number.',
                    "seller_vat",
                )
            continue
        seller_ok = _has_seller_tax_id(inv, tax_registration=cat.seller_ids == "vat+reg")
        buyer_ok = {
            "": True,
            "vat": bool(inv.buyer.vat_id),
            "vat_or_legal": bool(inv.buyer.vat_id or inv.buyer.siren or inv.buyer.legal_id),
        }[cat.buyer_id]
        if not seller_ok:
            yield _fail(
                rule_id,
                f"Category \"{name}\" needs the seller's VAT number (BT-31) or its tax representative's.",
                "seller_vat",
            )
        elif not buyer_ok:
            yield _fail(rule_id, f'Category "{name}" needs the buyer\'s VAT number (BT-48).', "buyer_vat")
    # -05..07: rates on lines, allowances, charges
    rate_text = {
        "positive": "above zero",
        "zero": "zero",
        "absent": "absent",
        "non_negative": "zero or more",
    }[cat.line_rate]
    for rule_id, items, what in (
        (f"{p}-05", lines, "line"),
        (f"{p}-06", allowances, "allowance"),
        (f"{p}-07", charges, "charge"),
    ):
        for item in items:
            if not _rate_ok(item.vat_rate, cat.line_rate):
                yield _fail(
                    rule_id,
                    f'A {what} in category "{name}" has VAT rate {item.vat_rate}; it must be {rate_text}.',
                    "vat_breakdown",
                )
    # -08..10: the breakdown's base, VAT and exemption reason
    for b in breakdowns:
        if cat.tolerance:
            if b.rate is not None:
                if not (
                    any(line.vat_rate == b.rate for line in lines)
                    or any(ac.vat_rate == b.rate for ac in allowances + charges)
                ) or not _within_one(b.taxable_amount, _category_sum(inv, cat.code, b.rate)):
                    yield _fail(
                        f"{p}-08",
                        f"VAT base at {b.rate}% is {money(b.taxable_amount)}, lines and allowances at that "
                        "rate "
                        f"give {money(_category_sum(inv, cat.code, b.rate))}.",
                        "vat_breakdown",
                    )
                expected = r2(abs(b.taxable_amount) * b.rate / 100)
                if not _within_one(abs(b.tax_amount), expected):
                    yield _fail(
                        f"{p}-09",
                        f"VAT at {b.rate}% on {money(b.taxable_amount)} should be {money(expected)}, "
                        f"not {money(b.tax_amount)}.",
                        "vat_breakdown",
                    )
        else:
            expected_base = _category_sum(inv, cat.code)
            if not inv.lines or b.taxable_amount != expected_base:
                yield _fail(
                    f"{p}-08",
                    f'Base of "{name}" is {money(b.taxable_amount)}, its lines and allowances give '
                    f"{money(expected_base)}.",
                    "vat_breakdown",
                )
            if b.tax_amount != 0:
                yield _fail(
                    f"{p}-09",
                    f'"{name}" carries no VAT, the breakdown says {money(b.tax_amount)}.',
                    "vat_breakdown",
                )
        has_reason = bool(b.exemption_reason or b.exemption_reason_code)
        if cat.exemption == "forbidden" and has_reason:
            yield _fail(
                f"{p}-10", f'Category "{name}" must not give a VAT exemption reason.', "vat_breakdown"
            )
        if cat.exemption == "required" and not has_reason:
            yield _fail(
                f"{p}-10",
                f'Category "{name}" must give the VAT exemption reason (text or code).',
                "vat_breakdown",
            )
    if cat.code == "K" and breakdowns:
        if inv.delivery.date is None and inv.period_start is None and inv.period_end is None:
            yield _fail(
                "BR-IC-11",
                "Intra-community supply needs the delivery date or the invoicing period.",
                "delivery",
            )
        if not inv.delivery.address.country:
            yield _fail(
                "BR-IC-12", "Intra-community supply needs the deliver-to country (BT-80).", "delivery"
            )
    if cat.code == "O" and breakdowns:
        if any(b.category != "O" for b in inv.vat_breakdown):
            yield _fail(
                "BR-O-11", 'A "not subject to VAT" invoice cannot have other VAT breakdowns.', "vat_breakdown"
            )
        if any(line.vat_category != "O" for line in inv.lines):
            yield _fail(
                "BR-O-12",
                'A "not subject to VAT" invoice cannot have lines in another VAT category.',
                "vat_breakdown",
            )
        if any(ac.vat_category != "O" for ac in _acs(inv, False)):
            yield _fail(
                "BR-O-13",
                'A "not subject to VAT" invoice cannot have allowances in another VAT category.',
                "vat_breakdown",
            )
        if any(ac.vat_category != "O" for ac in _acs(inv, True)):
            yield _fail(
                "BR-O-14",
                'A "not subject to VAT" invoice cannot have charges in another VAT category.',
                "vat_breakdown",
            )


@rule("BR-S-*", "BR-Z-*", "BR-E-*", "BR-AE-*", "BR-IC-*", "BR-G-*", "BR-O-*", "BR-AF-*", "BR-AG-*", "BR-B-*")
def _per_category(inv: Invoice) -> Iterator[Failure]:
    for cat in CATEGORIES:
        yield from _category_rules(inv, cat)
    used = _categories_used(inv) | {b.category for b in inv.vat_breakdown}
    if "B" in used:
        countries = {inv.seller.address.country, inv.buyer.address.country} - {None}
        if countries - {"IT"}:
            yield _fail(
                "BR-B-01",
                "Split payment (category B) is only for domestic Italian invoices.",
                "vat_breakdown",
            )
        if "S" in used:
            yield _fail(
                "BR-B-02",
                "Split payment (B) and standard rate (S) cannot be mixed in one invoice.",
                "vat_breakdown",
            )
