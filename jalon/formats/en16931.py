"""EN 16931 business rules (BR-xx, BR-CO-xx, BR-DEC-xx and the per-VAT-category rules) on the invoice model.

Native Python, so a check takes a fraction of a millisecond and says in plain words what is wrong, with the
amounts. The rules follow CEN/TC 434's validation artefacts (v1.3.x): same ids, same tolerances (BR-S-08/09
and BR-CO-17 accept one unit of difference, the other sums are exact to the cent), same rounding (XPath
`round(x * 100) div 100`, halves upwards). Rules about XML syntax, code lists (BR-CL-*) and what the model
cannot tell apart (an element present but empty) are left to the official Schematron run by validation.py.

`check(invoice)` returns `Failure`s; rules.py turns them into findings. Failures carry the official id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from jalon.formats.model import AllowanceCharge, Invoice

ZERO = Decimal("0")
ONE = Decimal("1")
ISO_PREFIXES = frozenset(
    "1A AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW "
    "BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH EL ER ES ET FI FJ "
    "FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR "
    "IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML "
    "MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR "
    "PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ "
    "TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XI YE YT ZA ZM ZW".split()
)
# Which rules each Factur-X profile applies, from the official profile schematrons (Factur-X 1.09): MINIMUM
# and BASIC WL carry no lines (MINIMUM not even a VAT breakdown); EXTENDED replaces the sum rules by its own
# BR-FXEXT variants (left to the official Schematron). Other profiles (EN16931, BASIC, PEPPOL, XRECHNUNG,
# UBL) apply every rule.
MINIMUM_RULES = frozenset(
    "BR-01 BR-02 BR-03 BR-04 BR-05 BR-06 BR-07 BR-08 BR-09 BR-13 BR-14 BR-15 BR-CO-09 BR-CO-26 BR-DEC-12 "
    "BR-DEC-13 BR-DEC-14 BR-DEC-18 BR-E-02 BR-E-03 BR-E-04 BR-E-05 BR-E-06 BR-E-07 BR-E-10 BR-G-02 BR-G-03 "
    "BR-G-04 BR-G-05 BR-G-06 BR-G-07 BR-G-08 BR-G-09 BR-G-10 BR-IC-02 BR-IC-03 BR-IC-04 BR-IC-05 BR-IC-06 "
    "BR-IC-07 BR-IC-08 BR-IC-09 BR-IC-10 BR-IC-11 BR-IC-12 BR-O-03 BR-O-04 BR-O-06 BR-O-08 BR-O-09 BR-O-10 "
    "BR-O-11 BR-O-12 BR-O-13 BR-O-14".split()
)
NOT_IN_PROFILE: dict[str, frozenset[str]] = {
    "BASIC-WL": frozenset(
        "BR-16 BR-21 BR-22 BR-23 BR-24 BR-25 BR-26 BR-27 BR-28 BR-30 BR-41 BR-42 BR-43 BR-44 BR-51 BR-52 BR-54 "
        "BR-64 BR-65 BR-AE-01 BR-AE-02 BR-AE-05 BR-AE-08 BR-AF-01 BR-AF-02 BR-AF-05 BR-AF-08 BR-AG-01 BR-AG-02 "
        "BR-AG-05 BR-AG-08 BR-B-01 BR-B-02 BR-CO-04 BR-CO-07 BR-CO-08 BR-CO-10 BR-CO-20 BR-CO-23 BR-CO-24 "
        "BR-DEC-23 BR-DEC-24 BR-DEC-25 BR-DEC-27 BR-DEC-28 BR-E-01 BR-E-02 BR-E-05 BR-E-08 BR-G-01 BR-G-02 "
        "BR-G-05 BR-G-08 BR-IC-01 BR-IC-02 BR-IC-05 BR-IC-08 BR-O-01 BR-O-02 BR-O-05 BR-O-08 BR-O-12 BR-S-01 "
        "BR-S-02 BR-S-05 BR-S-08 BR-Z-01 BR-Z-02 BR-Z-05 BR-Z-08".split()
    ),
    "BASIC": frozenset({"BR-51", "BR-52"}),
    "EXTENDED": frozenset(
        "BR-22 BR-23 BR-24 BR-26 BR-27 BR-28 BR-38 BR-44 BR-54 BR-AE-01 BR-AE-08 BR-AF-01 BR-AF-08 BR-AF-10 "
        "BR-AG-01 BR-AG-08 BR-AG-10 BR-CO-04 BR-CO-06 BR-CO-08 BR-CO-10 BR-CO-11 BR-CO-12 BR-CO-13 BR-CO-15 "
        "BR-CO-16 BR-CO-17 BR-CO-22 BR-CO-24 BR-E-01 BR-E-08 BR-G-01 BR-G-08 BR-IC-01 BR-IC-08 BR-O-01 BR-O-02 "
        "BR-O-03 BR-O-04 BR-O-08 BR-O-11 BR-O-12 BR-O-13 BR-O-14 BR-S-01 BR-S-08 BR-S-09 BR-S-10 BR-Z-01 "
        "BR-Z-08 BR-Z-10".split()
    ),
}
NOT_IN_PROFILE["EXTENDED-CTC-FR"] = NOT_IN_PROFILE["EXTENDED"]


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


@rule("BR-01", "BR-02", "BR-03", "BR-04", "BR-05", "BR-06", "BR-07")
def _mandatory(inv: Invoice) -> Iterator[Failure]:
    if not (inv.specification_id or "").strip():
        yield _fail(
            "BR-01",
            "No specification identifier (BT-24): which standard or profile the invoice follows.",
            "specification_id",
        )
    if not (inv.number or "").strip():
        yield _fail("BR-02", "The invoice has no number (BT-1).", "invoice_number")
    if inv.issue_date is None:
        yield _fail("BR-03", "The invoice has no issue date (BT-2).", "issue_date")
    if not (inv.type_code or "").strip():
        yield _fail("BR-04", "The invoice has no type code (BT-3): invoice, credit note…", "type_code")
    if not (inv.currency or "").strip():
        yield _fail("BR-05", "The invoice has no currency code (BT-5).", "currency")
    if not (inv.seller.name or "").strip():
        yield _fail("BR-06", "The seller's name (BT-27) is missing.", "seller_name")
    if not (inv.buyer.name or "").strip():
        yield _fail("BR-07", "The buyer's name (BT-44) is missing.", "buyer_name")


ABSENT_RULES = (
    ("BT-3", "BR-04", "The invoice has no type code (BT-3).", "type_code"),
    ("BT-5", "BR-05", "The invoice has no currency code (BT-5).", "currency"),
    ("BT-106", "BR-12", "The invoice has no sum of line net amounts (BT-106).", "totals"),
    ("BT-109", "BR-13", "The invoice has no total amount without VAT (BT-109).", "total_without_vat"),
    ("BT-112", "BR-14", "The invoice has no total amount with VAT (BT-112).", "total_with_vat"),
    ("BT-115", "BR-15", "The invoice has no amount due for payment (BT-115).", "amount_due"),
    ("BT-129", "BR-22", "An invoice line has no invoiced quantity (BT-129).", "lines"),
    ("BT-131", "BR-24", "An invoice line has no net amount (BT-131).", "lines"),
    ("BT-146", "BR-26", "An invoice line has no net price (BT-146).", "lines"),
    ("BT-116", "BR-45", "A VAT breakdown has no taxable amount (BT-116).", "vat_breakdown"),
    ("BT-117", "BR-46", "A VAT breakdown has no VAT amount (BT-117).", "vat_breakdown"),
)


@rule("BR-04", "BR-05", "BR-12", "BR-13", "BR-14", "BR-15", "BR-22", "BR-24", "BR-26", "BR-45", "BR-46")
def _absent(inv: Invoice) -> Iterator[Failure]:
    """Mandatory elements the XML reader found absent (the model's amounts would read zero)."""
    absent = {w.split(None, 1)[1] for w in inv.reader_warnings if w.startswith("absent: ")}
    if not absent:
        return
    for term, rule_id, message, field in ABSENT_RULES:
        if term in absent:
            yield _fail(rule_id, message, field)


@rule("BR-08", "BR-09", "BR-10", "BR-11", "BR-57")
def _addresses(inv: Invoice) -> Iterator[Failure]:
    if inv.seller.address.is_empty():
        yield _fail("BR-08", "The seller's postal address (BG-5) is missing.", "seller_address")
    elif not inv.seller.address.country:
        yield _fail("BR-09", "The seller's address has no country code (BT-40).", "seller_address")
    if inv.buyer.address.is_empty():
        yield _fail("BR-10", "The buyer's postal address (BG-8) is missing.", "buyer_address")
    elif not inv.buyer.address.country:
        yield _fail("BR-11", "The buyer's address has no country code (BT-55).", "buyer_address")
    if not inv.delivery.address.is_empty() and not inv.delivery.address.country:
        yield _fail("BR-57", "The deliver-to address has no country code (BT-80).", "delivery_address")


@rule("BR-16", "BR-21", "BR-23", "BR-25", "BR-27", "BR-28", "BR-30", "BR-CO-04")
def _lines(inv: Invoice) -> Iterator[Failure]:
    if not inv.lines:
        yield _fail("BR-16", "The invoice has no line (BG-25).", "lines")
    for line in inv.lines:
        label = f"line {line.id or '?'}"
        if not (line.id or "").strip():
            yield _fail("BR-21", "An invoice line has no identifier (BT-126).", "lines")
        if not line.unit:
            yield _fail("BR-23", f"{label}: the quantity has no unit of measure (BT-130).", "lines")
        if not (line.name or "").strip():
            yield _fail("BR-25", f"{label}: the item has no name (BT-153).", "lines")
        if line.net_price < 0:
            yield _fail(
                "BR-27", f"{label}: the net price {money(line.net_price)} is negative (BT-146).", "lines"
            )
        if line.gross_price is not None and line.gross_price < 0:
            yield _fail(
                "BR-28", f"{label}: the gross price {money(line.gross_price)} is negative (BT-148).", "lines"
            )
        if line.period_start and line.period_end and line.period_end < line.period_start:
            yield _fail("BR-30", f"{label}: the period ends before it starts (BT-135 < BT-134).", "lines")
        if not line.vat_category:
            yield _fail("BR-CO-04", f"{label}: no VAT category code (BT-151).", "lines")


@rule("BR-17", "BR-18", "BR-19", "BR-20", "BR-56")
def _other_parties(inv: Invoice) -> Iterator[Failure]:
    payee = inv.payee
    if payee is not None and (not payee.name or payee.name == inv.seller.name):
        yield _fail("BR-17", "A payee (BG-10) different from the seller must have a name (BT-59).", "payee")
    rep = inv.tax_representative
    if rep is not None:
        if not (rep.name or "").strip():
            yield _fail("BR-18", "The seller's tax representative has no name (BT-62).", "tax_representative")
        if rep.address.is_empty():
            yield _fail(
                "BR-19",
                "The seller's tax representative has no postal address (BG-12).",
                "tax_representative",
            )
        elif not rep.address.country:
            yield _fail(
                "BR-20", "The tax representative's address has no country code (BT-69).", "tax_representative"
            )
        if not rep.vat_id:
            yield _fail(
                "BR-56",
                "The seller's tax representative has no VAT identifier (BT-63).",
                "tax_representative",
            )


@rule("BR-29", "BR-CO-03")
def _dates(inv: Invoice) -> Iterator[Failure]:
    if inv.period_start and inv.period_end and inv.period_end < inv.period_start:
        yield _fail("BR-29", "The invoicing period ends before it starts (BT-74 < BT-73).", "period")
    if inv.tax_point_date and inv.vat_due_date_code:
        yield _fail(
            "BR-CO-03", "VAT point date (BT-7) and its code (BT-8) cannot both be given.", "tax_point_date"
        )


def _charge_rules(kind: str, acs: list[AllowanceCharge], ids: tuple[str, str, str, str]) -> Iterator[Failure]:
    category_id, reason_id, co_id, dec_ids = ids[0], ids[1], ids[2], ids[3]
    for ac in acs:
        if not ac.vat_category and category_id:
            yield _fail(
                category_id,
                f"A document-level {kind} ({money(ac.amount)}) has no VAT category code.",
                "allowances_charges",
            )
        if not (ac.reason or ac.reason_code):
            yield _fail(
                reason_id,
                f"A {kind} ({money(ac.amount)}) gives neither a reason nor a reason code.",
                "allowances_charges",
            )
            yield _fail(
                co_id,
                f"A {kind} ({money(ac.amount)}) must carry a reason or a reason code, or both.",
                "allowances_charges",
            )
        first, second = dec_ids.split("/")
        if decimals(ac.amount) > 2:
            yield _fail(
                first, f"A {kind} amount ({ac.amount}) has more than 2 decimals.", "allowances_charges"
            )
        if decimals(ac.base_amount) > 2:
            yield _fail(
                second,
                f"A {kind} base amount ({ac.base_amount}) has more than 2 decimals.",
                "allowances_charges",
            )


@rule("BR-32", "BR-33", "BR-CO-21", "BR-37", "BR-38", "BR-CO-22", "BR-42", "BR-44", "BR-CO-23", "BR-CO-24")
def _allowances(inv: Invoice) -> Iterator[Failure]:
    yield from _charge_rules(
        "allowance", _acs(inv, False), ("BR-32", "BR-33", "BR-CO-21", "BR-DEC-01/BR-DEC-02")
    )
    yield from _charge_rules("charge", _acs(inv, True), ("BR-37", "BR-38", "BR-CO-22", "BR-DEC-05/BR-DEC-06"))
    for line in inv.lines:
        for ac in line.allowances_charges:
            if ac.is_charge:
                yield from _charge_rules(
                    "line charge", [ac], ("", "BR-44", "BR-CO-24", "BR-DEC-27/BR-DEC-28")
                )
            else:
                yield from _charge_rules(
                    "line allowance", [ac], ("", "BR-42", "BR-CO-23", "BR-DEC-24/BR-DEC-25")
                )


@rule("BR-47", "BR-48", "BR-CO-17", "BR-CO-18", "BR-DEC-19", "BR-DEC-20")
def _breakdown_rules(inv: Invoice) -> Iterator[Failure]:
    if not inv.vat_breakdown:
        yield _fail(
            "BR-CO-18",
            "The invoice has no VAT breakdown (BG-23): VAT per category and rate.",
            "vat_breakdown",
        )
    for b in inv.vat_breakdown:
        if not b.category:
            yield _fail("BR-47", "A VAT breakdown has no VAT category code (BT-118).", "vat_breakdown")
        if b.rate is None and b.category != "O":
            yield _fail(
                "BR-48", f"The VAT breakdown of category {b.category} has no rate (BT-119).", "vat_breakdown"
            )
        if b.rate is not None and r0(b.rate) != 0:
            expected = r2(abs(b.taxable_amount) * b.rate / 100)
            if not _within_one(abs(b.tax_amount), expected):
                yield _fail("BR-CO-17", f"VAT at {b.rate}% on {money(b.taxable_amount)} should be {money(expected)}, "
                            f"the invoice says {money(b.tax_amount)}.", "vat_breakdown")  # fmt: skip
        elif r0(b.tax_amount) != 0:
            yield _fail(
                "BR-CO-17",
                f"VAT of {money(b.tax_amount)} at a zero rate in category {b.category}.",
                "vat_breakdown",
            )
        if decimals(b.taxable_amount) > 2:
            yield _fail(
                "BR-DEC-19", f"A VAT base ({b.taxable_amount}) has more than 2 decimals.", "vat_breakdown"
            )
        if decimals(b.tax_amount) > 2:
            yield _fail(
                "BR-DEC-20", f"A VAT amount ({b.tax_amount}) has more than 2 decimals.", "vat_breakdown"
            )


@rule("BR-CO-10", "BR-CO-11", "BR-CO-12", "BR-CO-13", "BR-CO-14", "BR-CO-15", "BR-CO-16")
def _sums(inv: Invoice) -> Iterator[Failure]:
    t = inv.totals
    if inv.lines:
        lines = r2(sum((line.net_amount for line in inv.lines), ZERO))
        if t.line_total != lines:
            yield _fail(
                "BR-CO-10",
                f"Sum of line amounts is {money(lines)} but the invoice says {money(t.line_total)}.",
                "totals",
            )
    allowances, charges = _acs(inv, False), _acs(inv, True)
    allowance_sum = r2(sum((ac.amount for ac in allowances), ZERO))
    charge_sum = r2(sum((ac.amount for ac in charges), ZERO))
    if not (t.allowance_total == allowance_sum if t.allowance_total is not None else not allowances):
        yield _fail("BR-CO-11", f"Allowances add up to {money(allowance_sum)}, total of allowances says "
                    f"{money(t.allowance_total)}.", "totals")  # fmt: skip
    if not (t.charge_total == charge_sum if t.charge_total is not None else not charges):
        yield _fail(
            "BR-CO-12",
            f"Charges add up to {money(charge_sum)}, total of charges says {money(t.charge_total)}.",
            "totals",
        )
    expected = r2(t.line_total + (t.charge_total or ZERO) - (t.allowance_total or ZERO))
    if t.charge_total is None and t.allowance_total is None:
        expected = t.line_total
    if t.tax_exclusive != expected:
        yield _fail("BR-CO-13", f"Total without VAT should be lines {money(t.line_total)} - allowances + charges = "
                    f"{money(expected)}, the invoice says {money(t.tax_exclusive)}.", "total_without_vat")  # fmt: skip
    if inv.vat_breakdown and t.vat_total is not None:
        vat = r2(sum((b.tax_amount for b in inv.vat_breakdown), ZERO))
        if t.vat_total != vat:
            yield _fail(
                "BR-CO-14",
                f"VAT total {money(t.vat_total)} is not the sum of the VAT breakdown, {money(vat)}.",
                "total_vat",
            )
    # CII accepts a missing VAT total when total with VAT = total without VAT; UBL wants the VAT total always.
    # One model for both: the lenient reading, a missing VAT total is only wrong when VAT is due.
    if t.vat_total is None:
        if t.tax_inclusive != t.tax_exclusive:
            yield _fail(
                "BR-CO-15",
                "The invoice has no total VAT amount (BT-110) but totals with and without VAT differ.",
                "total_vat",
            )
    elif t.tax_inclusive != r2(t.tax_exclusive + t.vat_total) and t.tax_inclusive != t.tax_exclusive:
        yield _fail("BR-CO-15", f"Total with VAT {money(t.tax_inclusive)} is not total without VAT "
                    f"{money(t.tax_exclusive)} + VAT {money(t.vat_total)} = {money(r2(t.tax_exclusive + t.vat_total))}.",
                    "total_with_vat")  # fmt: skip
    rounding = t.rounding if t.rounding is not None else ZERO
    due = r2(t.tax_inclusive - (t.prepaid or ZERO))
    if r2(t.payable - rounding) != due:
        yield _fail("BR-CO-16", f"Amount due {money(t.payable)} is not total with VAT {money(t.tax_inclusive)} - paid "
                    f"{money(t.prepaid or ZERO)} + rounding {money(rounding)}.", "amount_due")  # fmt: skip


@rule("BR-DEC-09", "BR-DEC-10", "BR-DEC-11", "BR-DEC-12", "BR-DEC-13", "BR-DEC-14", "BR-DEC-15", "BR-DEC-16",
      "BR-DEC-17", "BR-DEC-18", "BR-DEC-23")  # fmt: skip
def _decimal_places(inv: Invoice) -> Iterator[Failure]:
    t = inv.totals
    for rule_id, name, value in (
        ("BR-DEC-09", "sum of lines (BT-106)", t.line_total),
        ("BR-DEC-10", "sum of allowances (BT-107)", t.allowance_total),
        ("BR-DEC-11", "sum of charges (BT-108)", t.charge_total),
        ("BR-DEC-12", "total without VAT (BT-109)", t.tax_exclusive),
        ("BR-DEC-13", "total VAT (BT-110)", t.vat_total),
        ("BR-DEC-14", "total with VAT (BT-112)", t.tax_inclusive),
        ("BR-DEC-15", "VAT in accounting currency (BT-111)", t.vat_total_accounting),
        ("BR-DEC-16", "paid amount (BT-113)", t.prepaid),
        ("BR-DEC-17", "rounding amount (BT-114)", t.rounding),
        ("BR-DEC-18", "amount due (BT-115)", t.payable),
    ):
        if decimals(value) > 2:
            yield _fail(rule_id, f"The {name} {value} has more than 2 decimals.", "totals")
    for line in inv.lines:
        if decimals(line.net_amount) > 2:
            yield _fail(
                "BR-DEC-23",
                f"Line {line.id}: net amount {line.net_amount} has more than 2 decimals.",
                "lines",
            )


@rule(
    "BR-49",
    "BR-50",
    "BR-51",
    "BR-61",
    "BR-52",
    "BR-53",
    "BR-55",
    "BR-62",
    "BR-63",
    "BR-64",
    "BR-CO-09",
    "BR-CO-26",
)
def _references(inv: Invoice) -> Iterator[Failure]:
    pay = inv.payment
    instructions = any((pay.iban, pay.card_pan, pay.mandate_ref, pay.account_name, pay.bic, pay.means_text))
    if instructions and not pay.means_code:
        yield _fail(
            "BR-49", "Payment instructions are given without a payment means code (BT-81).", "payment"
        )
    if pay.means_code in ("30", "58") and not (pay.iban or "").strip():
        yield _fail("BR-61", "Payment by credit transfer without the account to pay to (BT-84).", "payment")
    if pay.card_pan and len(pay.card_pan.strip()) > 10:
        yield _fail("BR-51", "A full card number (BT-87) must not appear; show at most 6 first and 4 last digits.",
                    "payment", "warning")  # fmt: skip
    for attachment in inv.attachments:
        if not (attachment.id or "").strip():
            yield _fail("BR-52", "A supporting document (BG-24) has no reference (BT-122).", "attachments")
    if inv.vat_currency and inv.vat_currency != inv.currency and inv.totals.vat_total_accounting is None:
        yield _fail(
            "BR-53",
            f"VAT accounting currency {inv.vat_currency} (BT-6) without the VAT total in it (BT-111).",
            "total_vat",
        )
    for preceding in inv.preceding_invoices:
        if not (preceding.number or "").strip():
            yield _fail(
                "BR-55",
                "A preceding invoice reference (BG-3) has no invoice number (BT-25).",
                "preceding_invoices",
            )
    if inv.seller.electronic_address and not inv.seller.electronic_address_scheme:
        yield _fail("BR-62", "The seller's electronic address (BT-34) has no scheme.", "seller")
    if inv.buyer.electronic_address and not inv.buyer.electronic_address_scheme:
        yield _fail("BR-63", "The buyer's electronic address (BT-49) has no scheme.", "buyer")
    for line in inv.lines:
        if line.standard_item_id and not line.standard_item_scheme:
            yield _fail(
                "BR-64", f"Line {line.id}: the standard item identifier (BT-157) has no scheme.", "lines"
            )
    for party, what in (
        (inv.seller, "seller"),
        (inv.buyer, "buyer"),
        (inv.tax_representative, "tax representative"),
    ):
        if party is not None and party.vat_id and party.vat_id.strip()[:2].upper() not in ISO_PREFIXES:
            yield _fail("BR-CO-09", f"The {what}'s VAT number {party.vat_id} does not start with a country code.",
                        f"{what.split()[0]}_vat")  # fmt: skip
    seller = inv.seller
    if not (seller.identifiers or seller.siren or seller.siret or seller.legal_id or seller.vat_id):
        yield _fail(
            "BR-CO-26",
            "The seller has no identifier: no SIREN/SIRET, legal registration or VAT number.",
            "seller_siren",
        )


# --- per VAT category ---------------------------------------------------------------------------------------


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
        yield _fail(f"{p}-01", f"Items in category \"{name}\" need exactly one VAT breakdown of that category "
                    f"({len(breakdowns)} found).", "vat_breakdown")  # fmt: skip
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
        buyer_ok = {"": True, "vat": bool(inv.buyer.vat_id),
                    "vat_or_legal": bool(inv.buyer.vat_id or inv.buyer.siren or inv.buyer.legal_id)}[cat.buyer_id]  # fmt: skip
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
                if not (any(line.vat_rate == b.rate for line in lines) or any(ac.vat_rate == b.rate for ac in allowances + charges)) \
                        or not _within_one(b.taxable_amount, _category_sum(inv, cat.code, b.rate)):  # fmt: skip
                    yield _fail(f"{p}-08", f"VAT base at {b.rate}% is {money(b.taxable_amount)}, lines and allowances at that rate "
                                f"give {money(_category_sum(inv, cat.code, b.rate))}.", "vat_breakdown")  # fmt: skip
                expected = r2(abs(b.taxable_amount) * b.rate / 100)
                if not _within_one(abs(b.tax_amount), expected):
                    yield _fail(f"{p}-09", f"VAT at {b.rate}% on {money(b.taxable_amount)} should be {money(expected)}, "
                                f"not {money(b.tax_amount)}.", "vat_breakdown")  # fmt: skip
        else:
            expected_base = _category_sum(inv, cat.code)
            if not inv.lines or b.taxable_amount != expected_base:
                yield _fail(f"{p}-08", f"Base of \"{name}\" is {money(b.taxable_amount)}, its lines and allowances give "
                            f"{money(expected_base)}.", "vat_breakdown")  # fmt: skip
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


# --- running them -------------------------------------------------------------------------------------------


def applies(rule_id: str, profile: str | None) -> bool:
    """Whether an EN 16931 rule applies to an invoice of this profile (see NOT_IN_PROFILE)."""
    profile = (profile or "").upper()
    if profile == "MINIMUM":
        return rule_id in MINIMUM_RULES
    return rule_id not in NOT_IN_PROFILE.get(profile, ())


def check(inv: Invoice, only: Iterable[str] | None = None) -> list[Failure]:
    """Every EN 16931 rule that fails on `inv` (those that apply to its profile)."""
    wanted = set(only) if only is not None else None
    failures: list[Failure] = []
    for _, function in RULES:
        for failure in function(inv):
            if applies(failure.rule, inv.profile) and (wanted is None or failure.rule in wanted):
                failures.append(failure)
    return failures
