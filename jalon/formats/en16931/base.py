"""What every EN 16931 rule module shares: the failure record, the rule registry, XPath-like rounding, and
small questions asked of the invoice model (its allowances, its categories, sums per category)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from jalon.formats.model import AllowanceCharge, Invoice

ZERO = Decimal("0")


@dataclass(frozen=True, slots=True)
class Failure:
    rule: str  # official id, e.g. BR-CO-15
    message: str  # plain English, with the amounts
    field: str | None = None
    severity: str = "error"  # error (fatal in the Schematron) | warning


def r2(value: Decimal) -> Decimal:
    """XPath round(x * 10 * 10) div 100: halves go up (towards +infinity), as the Schematron computes."""
    return ((value * 100) + Decimal("0.5")).to_integral_value(rounding=ROUND_FLOOR) / 100


def r0(value: Decimal) -> Decimal:
    return (value + Decimal("0.5")).to_integral_value(rounding=ROUND_FLOOR)


def decimals(value: Decimal | None) -> int:
    if value is None:
        return 0
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def money(value: Decimal | None) -> str:
    return "none" if value is None else f"{value:,.2f}".replace(",", " ")


# --- helpers over the model ---------------------------------------------------------------------------------


def _acs(inv: Invoice, charge: bool) -> list[AllowanceCharge]:
    return [ac for ac in inv.allowances_charges if ac.is_charge == charge]


def _categories_used(inv: Invoice) -> set[str]:
    used = {line.vat_category for line in inv.lines if line.vat_category}
    used |= {ac.vat_category for ac in inv.allowances_charges if ac.vat_category}
    return used


def _breakdown(inv: Invoice, category: str) -> list:
    return [b for b in inv.vat_breakdown if b.category == category]


def _has_seller_tax_id(inv: Invoice, tax_registration: bool = True) -> bool:
    seller = inv.seller
    rep = inv.tax_representative
    return bool(seller.vat_id or (tax_registration and seller.tax_registration_id) or (rep and rep.vat_id))


def _category_sum(inv: Invoice, category: str, rate: Decimal | None = None) -> Decimal:
    def matches(cat: str | None, vat_rate: Decimal | None) -> bool:
        return cat == category and (rate is None or (vat_rate is not None and vat_rate == rate))

    total = sum((line.net_amount for line in inv.lines if matches(line.vat_category, line.vat_rate)), ZERO)
    total += sum((ac.amount for ac in _acs(inv, True) if matches(ac.vat_category, ac.vat_rate)), ZERO)
    total -= sum((ac.amount for ac in _acs(inv, False) if matches(ac.vat_category, ac.vat_rate)), ZERO)
    return total


def _within_one(value: Decimal, target: Decimal) -> bool:
    return value - 1 < target < value + 1


# --- the rules ----------------------------------------------------------------------------------------------

Rule = Callable[[Invoice], Iterator[Failure]]
RULES: list[tuple[str, Rule]] = []


def rule(*ids: str) -> Callable[[Rule], Rule]:
    def register(function: Rule) -> Rule:
        RULES.append((",".join(ids), function))
        return function

    return register


def _fail(rule_id: str, message: str, field: str | None = None, severity: str = "error") -> Failure:
    return Failure(rule_id, message, field, severity)
