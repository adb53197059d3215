"""EN 16931 rules on the document as a whole: mandatory terms, parties, lines, allowances and charges, the VAT
breakdown, the sums (BR-CO-10..16), decimals (BR-DEC-*) and references (payment, attachments, VAT
prefixes).
"""

from __future__ import annotations

from collections.abc import Iterator

from jalon.formats.en16931.base import (
    ZERO,
    Failure,
    _acs,
    _fail,
    _within_one,
    decimals,
    money,
    r0,
    r2,
    rule,
)
from jalon.formats.model import AllowanceCharge, Invoice

ISO_PREFIXES = frozenset(
    str.split(
        "1A AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR "
        "BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC "
        "EE EG EH EL ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY "
        "HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA "
        "LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY "
        "MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS "
        "RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM "
        "TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XI YE YT ZA ZM ZW"
    )
)
# Which rules each Factur-X profile applies, from the official profile schematrons (Factur-X 1.09): MINIMUM
# and BASIC WL carry no lines (MINIMUM not even a VAT breakdown); EXTENDED replaces the sum rules by its own
# BR-FXEXT variants (left to the official Schematron). Other profiles (EN16931, BASIC, PEPPOL, XRECHNUNG,
# UBL) apply every rule.


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
                yield _fail(
                    "BR-CO-17",
                    f"VAT at {b.rate}% on {money(b.taxable_amount)} should be {money(expected)}, "
                    f"the invoice says {money(b.tax_amount)}.",
                    "vat_breakdown",
                )
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
        yield _fail(
            "BR-CO-11",
            f"Allowances add up to {money(allowance_sum)}, total of allowances says "
            f"{money(t.allowance_total)}.",
            "totals",
        )
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
        yield _fail(
            "BR-CO-13",
            f"Total without VAT should be lines {money(t.line_total)} - allowances + charges = "
            f"{money(expected)}, the invoice says {money(t.tax_exclusive)}.",
            "total_without_vat",
        )
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
        yield _fail(
            "BR-CO-15",
            f"Total with VAT {money(t.tax_inclusive)} is not total without VAT "
            f"{money(t.tax_exclusive)} + VAT {money(t.vat_total)} = "
            f"{money(r2(t.tax_exclusive + t.vat_total))}.",
            "total_with_vat",
        )
    rounding = t.rounding if t.rounding is not None else ZERO
    due = r2(t.tax_inclusive - (t.prepaid or ZERO))
    if r2(t.payable - rounding) != due:
        yield _fail(
            "BR-CO-16",
            f"Amount due {money(t.payable)} is not total with VAT {money(t.tax_inclusive)} - paid "
            f"{money(t.prepaid or ZERO)} + rounding {money(rounding)}.",
            "amount_due",
        )


@rule(
    "BR-DEC-09",
    "BR-DEC-10",
    "BR-DEC-11",
    "BR-DEC-12",
    "BR-DEC-13",
    "BR-DEC-14",
    "BR-DEC-15",
    "BR-DEC-16",
    "BR-DEC-17",
    "BR-DEC-18",
    "BR-DEC-23",
)
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
        yield _fail(
            "BR-51",
            "A full card number (BT-87) must not appear; show at most 6 first and 4 last digits.",
            "payment",
            "warning",
        )
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
            yield _fail(
                "BR-CO-09",
                f"The {what}'s VAT number {party.vat_id} does not start with a country code.",
                f"{what.split()[0]}_vat",
            )
    seller = inv.seller
    if not (seller.identifiers or seller.siren or seller.siret or seller.legal_id or seller.vat_id):
        yield _fail(
            "BR-CO-26",
            "The seller has no identifier: no SIREN/SIRET, legal registration or VAT number.",
            "seller_siren",
        )
