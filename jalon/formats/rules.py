"""The checks an invoice passes before it leaves: French legal mentions, EN 16931, customer requirements.

`check(invoice, requirements)` returns findings with a stable code, a severity and a message a person
understands; `decision(findings)` says send or hold (any error holds). French mentions (Code de commerce
L441-9 / R123-237, CGI art. 242 nonies A, and the 2026 e-invoicing reform) are table rows below; the EN 16931
business rules live in en16931/ and come back here under the French code they share when there is one (a
total that does not add up is `totals_inconsistent` whichever rule saw it, with the rule id in `rule`).

An invoice read from PDF text is checked on what a PDF can show: the EN 16931 rules about XML structure, lines
and codes apply only to structured invoices. Duplicates and hold rules from config need the database: the
pipeline adds those findings.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from jalon.formats import en16931
from jalon.formats import identifiers as ids
from jalon.formats.extract import NOT_FOUND
from jalon.formats.model import Invoice

REFORM_DATE = dt.date(
    2026, 9, 1
)  # new mentions (buyer SIREN, category of operation…) required from this date
ISO_4217 = frozenset(
    [
        "AED",
        "AFN",
        "ALL",
        "AMD",
        "ANG",
        "AOA",
        "ARS",
        "AUD",
        "AWG",
        "AZN",
        "BAM",
        "BBD",
        "BDT",
        "BGN",
        "BHD",
        "BIF",
        "BMD",
        "BND",
        "BOB",
        "BRL",
        "BSD",
        "BTN",
        "BWP",
        "BYN",
        "BZD",
        "CAD",
        "CDF",
        "CHF",
        "CLP",
        "CNY",
        "COP",
        "CRC",
        "CUP",
        "CVE",
        "CZK",
        "DJF",
        "DKK",
        "DOP",
        "DZD",
        "EGP",
        "ERN",
        "ETB",
        "EUR",
        "FJD",
        "FKP",
        "GBP",
        "GEL",
        "GHS",
        "GIP",
        "GMD",
        "GNF",
        "GTQ",
        "GYD",
        "HKD",
        "HNL",
        "HTG",
        "HUF",
        "IDR",
        "ILS",
        "INR",
        "IQD",
        "IRR",
        "ISK",
        "JMD",
        "JOD",
        "JPY",
        "KES",
        "KGS",
        "KHR",
        "KMF",
        "KPW",
        "KRW",
        "KWD",
        "KYD",
        "KZT",
        "LAK",
        "LBP",
        "LKR",
        "LRD",
        "LSL",
        "LYD",
        "MAD",
        "MDL",
        "MGA",
        "MKD",
        "MMK",
        "MNT",
        "MOP",
        "MRU",
        "MUR",
        "MVR",
        "MWK",
        "MXN",
        "MYR",
        "MZN",
        "NAD",
        "NGN",
        "NIO",
        "NOK",
        "NPR",
        "NZD",
        "OMR",
        "PAB",
        "PEN",
        "PGK",
        "PHP",
        "PKR",
        "PLN",
        "PYG",
        "QAR",
        "RON",
        "RSD",
        "RUB",
        "RWF",
        "SAR",
        "SBD",
        "SCR",
        "SDG",
        "SEK",
        "SGD",
        "SHP",
        "SLE",
        "SOS",
        "SRD",
        "SSP",
        "STN",
        "SVC",
        "SYP",
        "SZL",
        "THB",
        "TJS",
        "TMT",
        "TND",
        "TOP",
        "TRY",
        "TTD",
        "TWD",
        "TZS",
        "UAH",
        "UGX",
        "USD",
        "UYU",
        "UZS",
        "VES",
        "VND",
        "VUV",
        "WST",
        "XAF",
        "XCD",
        "XOF",
        "XPF",
        "YER",
        "ZAR",
        "ZMW",
        "ZWL",
    ]
)


@dataclass(frozen=True)
class Finding:
    """One thing wrong (or worth knowing) about an invoice."""

    code: str  # stable: invoice_number, totals_inconsistent, purchase_order, BR-CO-25…
    severity: str  # error (holds the invoice) | warning | info
    message: str  # for a person, in English
    field: str | None = None  # the to_json field concerned
    rule: str | None = None  # the legal or EN 16931 rule behind it (BR-CO-15, CGI 242 nonies A…)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Requirements:
    """What this customer (from the directory) and this sending require, beyond the law."""

    requires_po: bool = False
    requires_buyer_reference: bool = False
    is_public_buyer: bool = False
    required_documents: list[str] = field(
        default_factory=list
    )  # kinds: timesheet, delivery_note, purchase_order…
    documents_present: list[str] = field(
        default_factory=list
    )  # kinds of the files travelling with the invoice
    buyer_country: str | None = None  # ISO code, when the directory knows it
    buyer_is_business: bool = True  # B2B: the mentions of Code de commerce L441-9 apply
    check_en16931: bool = True
    today: dt.date | None = None  # for "issued in the future"; today by default
    reform_date: dt.date = REFORM_DATE
    min_confidence: float = 0.5  # text reading below this is reported as unsure

    @classmethod
    def from_customer(cls, customer: Any, **extra: Any) -> Requirements:
        """From a directory row (jalon.models.Customer or any object/dict with the same names)."""

        def get(name: str, default: Any = None) -> Any:
            if isinstance(customer, Mapping):
                return customer.get(name, default)
            return getattr(customer, name, default)

        settings = get("settings") or {}
        return cls(
            requires_po=bool(get("requires_po", False)),
            requires_buyer_reference=bool(get("requires_buyer_reference", False)),
            is_public_buyer=bool(get("public_buyer", get("is_public_buyer", False))),
            required_documents=list(get("required_documents") or []),
            buyer_country=get("country"),
            buyer_is_business=bool(settings.get("business", True)) if isinstance(settings, Mapping) else True,
            **extra,
        )

    @classmethod
    def of(cls, value: Requirements | Mapping[str, Any] | None) -> Requirements:
        if value is None:
            return cls()
        if isinstance(value, Requirements):
            return value
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in value.items() if k in known})


# --- the context a check sees -------------------------------------------------------------------------------


@dataclass
class Context:
    inv: Invoice
    req: Requirements
    text: bool  # read from PDF text (not structured XML)

    def sure(self, name: str) -> bool:
        """The reader is confident about a field (always true for structured XML)."""
        return not self.text or self.inv.confidence.get(name, 0.0) >= self.req.min_confidence

    @property
    def buyer_country(self) -> str | None:
        buyer = self.inv.buyer
        return buyer.address.country or ids.vat_country(buyer.vat_id) or self.req.buyer_country

    @property
    def categories(self) -> set[str]:
        found = {b.category for b in self.inv.vat_breakdown}
        found |= {line.vat_category for line in self.inv.lines if line.vat_category}
        return found

    @property
    def franchise(self) -> bool:
        """VAT-exempt small business (art. 293 B): no VAT number needed, no VAT charged."""
        reasons = " ".join(
            (b.exemption_reason or "") + (b.exemption_reason_code or "") for b in self.inv.vat_breakdown
        )
        return "293" in reasons or "VATEX-FR-FRANCHISE" in reasons.upper()

    @property
    def after_reform(self) -> bool:
        return self.inv.issue_date is not None and self.inv.issue_date >= self.req.reform_date


Check = Callable[[Context], Iterable[Finding]]


def _missing(ctx: Context, name: str, what: str) -> str:
    """'missing' said honestly: a PDF reader that found nothing may have missed it."""
    if ctx.text:
        return f"{what} was not found on the invoice"
    return f"{what} is missing"


# --- French mandatory mentions (B2B) ------------------------------------------------------------------------


def _number(ctx: Context) -> Iterable[Finding]:
    if not (ctx.inv.number or "").strip():
        yield Finding(
            "invoice_number",
            "error",
            _missing(ctx, "invoice_number", "The invoice number") + ".",
            "invoice_number",
            "CGI 242 nonies A I 7°",
        )


def _issue_date(ctx: Context) -> Iterable[Finding]:
    inv = ctx.inv
    if inv.issue_date is None:
        yield Finding(
            "issue_date",
            "error",
            _missing(ctx, "issue_date", "The issue date") + ".",
            "issue_date",
            "CGI 242 nonies A I 6°",
        )
        return
    today = ctx.req.today or dt.date.today()
    if inv.issue_date > today + dt.timedelta(days=3):
        yield Finding(
            "issue_date_future",
            "warning",
            f"The invoice is dated {inv.issue_date}, in the future.",
            "issue_date",
        )


def _parties(ctx: Context) -> Iterable[Finding]:
    inv = ctx.inv
    for party, who, rule in ((inv.seller, "seller", "BR-06"), (inv.buyer, "buyer", "BR-07")):
        if not (party.name or "").strip():
            yield Finding(
                f"{who}_name",
                "error",
                _missing(ctx, f"{who}_name", f"The {who}'s name") + ".",
                f"{who}_name",
                rule,
            )
        address = party.address
        if not (address.line1 or address.postcode or address.city):
            yield Finding(
                f"{who}_address",
                "error",
                _missing(ctx, f"{who}_address", f"The {who}'s address") + ".",
                f"{who}_address",
                "BR-08" if who == "seller" else "BR-10",
            )


def _seller_ids(ctx: Context) -> Iterable[Finding]:
    seller = ctx.inv.seller
    if not (seller.siren or seller.siret) and (seller.address.country in (None, "FR")):
        yield Finding(
            "seller_siren",
            "error",
            _missing(ctx, "seller_siren", "The seller's SIREN or SIRET number") + ".",
            "seller_siren",
            "Code de commerce R123-237",
        )
    if seller.siren and seller.siret and seller.siret[:9] != seller.siren:
        yield Finding(
            "seller_siren_mismatch",
            "warning",
            f"The seller's SIRET {seller.siret} does not belong to its SIREN {seller.siren}.",
            "seller_siret",
        )
    vat_siren = ids.siren_of_vat(seller.vat_id)
    if seller.siren and vat_siren and vat_siren != seller.siren:
        yield Finding(
            "seller_siren_mismatch",
            "warning",
            f"The seller's VAT number {seller.vat_id} is not that of SIREN {seller.siren}.",
            "seller_vat",
        )
    if (
        not seller.vat_id
        and not ctx.franchise
        and not (ctx.inv.tax_representative and ctx.inv.tax_representative.vat_id)
    ):
        yield Finding(
            "seller_vat",
            "error",
            _missing(ctx, "seller_vat", "The seller's VAT number") + ".",
            "seller_vat",
            "CGI 242 nonies A I 2°",
        )
    elif seller.vat_id and seller.vat_id[:2].upper() in ids.EU_VAT_PREFIXES and not ids.vat(seller.vat_id):
        yield Finding(
            "seller_vat",
            "error",
            f"The seller's VAT number {seller.vat_id} is not valid (check digits).",
            "seller_vat",
        )


def _buyer_ids(ctx: Context) -> Iterable[Finding]:
    inv, buyer = ctx.inv, ctx.inv.buyer
    country = ctx.buyer_country
    intra = country in ids.EU_COUNTRIES and country != "FR" and (ctx.req.buyer_is_business)
    needs_vat = intra or bool(ctx.categories & {"K", "AE"})
    if needs_vat and not buyer.vat_id:
        why = (
            "the buyer is a business in another EU country"
            if intra
            else "VAT is reverse charged or intra-EU exempt"
        )
        yield Finding(
            "buyer_vat",
            "error",
            _missing(ctx, "buyer_vat", "The buyer's VAT number") + f" ({why}).",
            "buyer_vat",
            "CGI 242 nonies A I 3°",
        )
    elif buyer.vat_id and buyer.vat_id[:2].upper() in ids.EU_VAT_PREFIXES and not ids.vat(buyer.vat_id):
        yield Finding(
            "buyer_vat",
            "error",
            f"The buyer's VAT number {buyer.vat_id} is not valid (check digits).",
            "buyer_vat",
        )
    french_buyer = country in (None, "FR") and ctx.req.buyer_is_business
    if french_buyer and not (buyer.siren or buyer.siret):
        severity = "error" if ctx.after_reform else "info"
        yield Finding(
            "buyer_siren",
            severity,
            _missing(ctx, "buyer_siren", "The buyer's SIREN")
            + (
                " (mandatory on invoices issued from 1 September 2026)."
                if severity == "error"
                else " (mandatory from 1 September 2026)."
            ),
            "buyer_siren",
            "Loi de finances 2024 art. 91",
        )
    if ctx.req.is_public_buyer and not buyer.siret:
        yield Finding(
            "buyer_siret",
            "warning",
            "Public buyer without its SIRET: Chorus Pro routes invoices by SIRET.",
            "buyer_siret",
        )
    if inv.buyer.siren and ids.siren(inv.buyer.siren) is None:
        yield Finding(
            "buyer_siren",
            "error",
            f"The buyer's SIREN {inv.buyer.siren} is not valid (check digit).",
            "buyer_siren",
        )


def _vat_and_totals(ctx: Context) -> Iterable[Finding]:
    inv, totals = ctx.inv, ctx.inv.totals
    if ctx.text:
        for name, label in (("total_without_vat", "total without VAT"), ("total_with_vat", "total with VAT")):
            if inv.confidence.get(name, 0.0) < NOT_FOUND:
                yield Finding(
                    "totals",
                    "error",
                    f"The {label} was not found on the invoice.",
                    name,
                    "CGI 242 nonies A I 9°",
                )
        if inv.confidence.get("total_vat", 0.0) < NOT_FOUND and totals.vat_total is None:
            yield Finding(
                "totals",
                "error",
                "The VAT total was not found on the invoice.",
                "total_vat",
                "CGI 242 nonies A I 9°",
            )
    vat_due = (totals.vat_total or Decimal("0")) != 0
    if not inv.vat_breakdown and (vat_due or not ctx.text):
        yield Finding(
            "vat_breakdown",
            "error",
            "No VAT breakdown by rate: each rate's base and VAT must be shown.",
            "vat_breakdown",
            "CGI 242 nonies A I 8°",
        )
    if ctx.text and not vat_due and totals.tax_exclusive and not ctx.categories & {"E", "AE", "K", "G", "O"}:
        yield Finding(
            "vat_exemption",
            "warning",
            "No VAT is charged and no exemption mention (article of the CGI or directive) was found.",
            "vat_breakdown",
            "CGI 242 nonies A I 13°",
        )


# Terms that make the invoice payable at once: they state when payment is due (L441-9; BT-20 for BR-CO-25).
_IMMEDIATE = re.compile(
    r"\b(?:[àa] (?:la )?r[ée]ception|d[èe]s r[ée]ception|comptant|upon receipt|on receipt|immediate(?:ly)?"
    r"|imm[ée]diat)",
    re.IGNORECASE,
)


def _due_and_late_payment(ctx: Context) -> Iterable[Finding]:
    inv = ctx.inv
    if inv.doc_type == "credit_note":
        return  # the buyer pays nothing: no due date nor late-payment terms to print (BR-CO-25: BT-115 > 0)
    payable = inv.totals.payable
    nothing_due = payable is not None and payable <= 0 and bool(inv.totals.tax_inclusive)  # paid in advance
    # "à réception", "comptant": the terms say when payment is due (L441-9; BT-20 meets BR-CO-25)
    immediate = bool(inv.payment_terms and _IMMEDIATE.search(inv.payment_terms))
    if inv.due_date is None and not (nothing_due or immediate):
        terms = (
            f' (the terms "{inv.payment_terms}" are printed, not the date they give)'
            if inv.payment_terms
            else ""
        )
        yield Finding(
            "due_date",
            "error",
            _missing(ctx, "due_date", "The payment due date") + terms + ".",
            "due_date",
            "Code de commerce L441-9",
        )
    elif inv.due_date is not None and inv.issue_date and inv.due_date < inv.issue_date:
        yield Finding(
            "due_date",
            "error",
            f"The due date {inv.due_date} is before the issue date {inv.issue_date}.",
            "due_date",
        )
    elif inv.due_date is not None and inv.issue_date and (inv.due_date - inv.issue_date).days > 60:
        yield Finding(
            "payment_terms",
            "warning",
            f"Payment term of {(inv.due_date - inv.issue_date).days} days: over "
            "the 60-day limit of Code de commerce L441-10 (unless agreed otherwise).",
            "due_date",
        )
    if not ctx.req.buyer_is_business:
        return
    if not inv.penalty_rate_text:
        yield Finding(
            "penalty_rate",
            "error",
            _missing(ctx, "penalty_rate", "The late-payment penalty rate mention") + ".",
            None,
            "Code de commerce L441-9",
        )
    if not inv.recovery_indemnity_text:
        yield Finding(
            "recovery_indemnity",
            "error",
            _missing(ctx, "recovery_indemnity", "The 40 € fixed recovery indemnity mention") + ".",
            None,
            "Code de commerce L441-10 / D441-5",
        )


def _reform(ctx: Context) -> Iterable[Finding]:
    if not ctx.after_reform or not ctx.req.buyer_is_business:
        return
    if ctx.inv.operation_category is None and not ctx.inv.business_process:
        yield Finding(
            "operation_category",
            "warning",
            "The category of operation (goods, services or both) is not "
            "stated; it is required from 1 September 2026.",
            None,
            "CGI 242 nonies A (reform)",
        )


def _credit_note(ctx: Context) -> Iterable[Finding]:
    inv = ctx.inv
    if inv.doc_type == "credit_note" and not inv.preceding_invoices:
        yield Finding(
            "credit_note_reference",
            "warning",
            "This credit note does not name the invoice it corrects.",
            "preceding_invoices",
            "CGI 242 nonies A I 10°",
        )
    if (inv.currency or "").upper() not in ISO_4217:
        yield Finding("currency", "error", f"Unknown currency code {inv.currency!r}.", "currency", "BR-CL-04")


def _customer(ctx: Context) -> Iterable[Finding]:
    inv, req = ctx.inv, ctx.req
    if req.requires_po and not (inv.purchase_order or "").strip():
        yield Finding(
            "purchase_order",
            "error",
            "This customer requires a purchase-order number; the invoice has none.",
            "purchase_order",
            "customer requirement",
        )
    if (req.requires_buyer_reference or req.is_public_buyer) and not (inv.buyer_reference or "").strip():
        if req.requires_buyer_reference:
            text = (
                "This public buyer requires its Chorus Pro service code; the invoice has none."
                if req.is_public_buyer
                else "This customer requires its buyer reference; the invoice has none."
            )
            yield Finding("buyer_reference", "error", text, "buyer_reference", "customer requirement")
        else:
            yield Finding(
                "buyer_reference",
                "info",
                "Public buyer: no service code on the invoice (fine unless the "
                "entity requires one in Chorus Pro).",
                "buyer_reference",
            )
    present = {kind.lower() for kind in req.documents_present}
    present |= {(a.description or "").lower() for a in inv.attachments} | {
        (a.id or "").lower() for a in inv.attachments
    }
    missing = [kind for kind in req.required_documents if kind.lower() not in present]
    if missing:
        yield Finding(
            "supporting_documents",
            "error",
            "This customer requires these documents with the invoice: "
            f"{', '.join(missing)}; they are not attached.",
            "attachments",
            "customer requirement",
        )


def _confidence(ctx: Context) -> Iterable[Finding]:
    if not ctx.text:
        return
    unsure = [
        name
        for name in ("invoice_number", "issue_date", "total_with_vat", "seller_name", "buyer_name")
        if 0 < ctx.inv.confidence.get(name, 0.0) < ctx.req.min_confidence
    ]
    if unsure:
        yield Finding(
            "low_confidence",
            "warning",
            f"Read from the PDF text with little certainty: {', '.join(unsure)}. "
            "A person should confirm them.",
            None,
        )


LEGAL_CHECKS: tuple[Check, ...] = (
    _number,
    _issue_date,
    _parties,
    _seller_ids,
    _buyer_ids,
    _vat_and_totals,
    _due_and_late_payment,
    _reform,
    _credit_note,
    _customer,
    _confidence,
)

# EN 16931 rules that say the same as a French check: reported under the French code, rule id kept.
EN_CODES: dict[str, str] = {
    "BR-02": "invoice_number",
    "BR-03": "issue_date",
    "BR-06": "seller_name",
    "BR-07": "buyer_name",
    "BR-08": "seller_address",
    "BR-10": "buyer_address",
    "BR-CO-18": "vat_breakdown",
    "BR-CO-10": "totals_inconsistent",
    "BR-CO-11": "totals_inconsistent",
    "BR-CO-12": "totals_inconsistent",
    "BR-CO-13": "totals_inconsistent",
    "BR-CO-14": "totals_inconsistent",
    "BR-CO-15": "totals_inconsistent",
    "BR-CO-16": "totals_inconsistent",
    "BR-CO-17": "totals_inconsistent",
    "BR-S-08": "totals_inconsistent",
    "BR-S-09": "totals_inconsistent",
    "BR-AF-08": "totals_inconsistent",
    "BR-AF-09": "totals_inconsistent",
    "BR-AG-08": "totals_inconsistent",
    "BR-AG-09": "totals_inconsistent",
}
# What a PDF's text can show: the EN 16931 rules checked on text-read invoices (the others need structure).
TEXT_RULES = frozenset(
    {
        "BR-CO-09",
        "BR-CO-14",
        "BR-CO-15",
        "BR-CO-16",
        "BR-CO-17",
        "BR-S-09",
        "BR-DEC-12",
        "BR-DEC-13",
        "BR-DEC-14",
    }
)
TEXT_LINE_RULES = frozenset({"BR-CO-10"})  # only when the item lines were read with confidence


def check(invoice: Invoice, requirements: Requirements | Mapping[str, Any] | None = None) -> list[Finding]:
    """Every finding on `invoice`, errors first. Never raises: a check that breaks is a finding."""
    req = Requirements.of(requirements)
    ctx = Context(invoice, req, text=invoice.source == "text")
    findings: list[Finding] = []
    for legal in LEGAL_CHECKS:
        try:
            findings.extend(legal(ctx))
        except Exception as error:  # a check that breaks on odd data must not let the invoice through
            findings.append(
                Finding("check_failed", "error", f"A check could not run ({legal.__name__}: {error}).", None)
            )
    if req.check_en16931:
        findings.extend(_en16931(ctx, {f.code for f in findings}))
    order = {"error": 0, "warning": 1, "info": 2}
    unique: dict[tuple[str, str | None, str], Finding] = {}
    for finding in findings:
        unique.setdefault((finding.code, finding.rule, finding.message), finding)
    return sorted(unique.values(), key=lambda f: order.get(f.severity, 3))


def _en16931(ctx: Context, already: set[str]) -> list[Finding]:
    inv = ctx.inv
    try:
        failures = en16931.check(inv)
    except Exception as error:
        return [Finding("check_failed", "error", f"EN 16931 rules could not run: {error}", None)]
    lines_sure = inv.confidence.get("lines", 0.0) >= 0.9
    found = []
    for failure in failures:
        if (
            ctx.text
            and failure.rule not in TEXT_RULES
            and not (lines_sure and failure.rule in TEXT_LINE_RULES)
        ):
            continue
        code = EN_CODES.get(failure.rule, failure.rule)
        if ctx.text and "totals" in already and failure.rule == "BR-CO-15":
            continue  # a total was not found: saying it does not add up would say it twice
        if code in already and code != "totals_inconsistent":
            continue  # the French check already said it, in its own words
        found.append(
            Finding(
                code, failure.severity, f"{failure.message} [{failure.rule}]", failure.field, failure.rule
            )
        )
    return found


def decision(findings: Iterable[Finding]) -> str:
    """send | hold: any error holds the invoice for a person."""
    return "hold" if any(f.severity == "error" for f in findings) else "send"


def unreadable(error: str | None) -> list[Finding]:
    """The finding for an invoice that could not be read at all (scan, encrypted, malformed, hostile XML)."""
    return [
        Finding("unreadable", "error", f"The invoice could not be read: {error or 'unknown reason'}.", None)
    ]


def check_result(result: Any, requirements: Requirements | Mapping[str, Any] | None = None) -> list[Finding]:
    """Findings for an extract.ReadResult: `unreadable` when nothing was read, else `check` on the invoice
    and the reader's warnings that matter (an embedded XML was broken, so the PDF text was read instead)."""
    if result.invoice is None:
        return unreadable(result.error)
    return check(result.invoice, requirements) + reader_findings(result.warnings)


def reader_findings(warnings: Iterable[str]) -> list[Finding]:
    """The reader's warnings that matter: an embedded or attached XML it could not use. A PDF whose Factur-X
    (ZUGFeRD, XRechnung) data is broken holds the invoice: the customer's system reads that data, not the
    text, so it must not leave as it is; any other unusable XML is a warning."""
    from jalon.formats.facturx import INVOICE_XML_NAMES

    findings = []
    for warning in warnings:
        if not warning.startswith(("embedded", "attached")):
            continue
        name = warning.split(":", 1)[0].split(" ", 1)[-1].rsplit("/", 1)[-1].lower()
        broken_data = warning.startswith("embedded") and name in INVOICE_XML_NAMES
        if broken_data and "not a CII or UBL invoice" not in warning:
            message = f"{warning}: the PDF's invoice data is broken (its text was read); the tool must fix it"
            findings.append(Finding("xml_unreadable", "error", message, None))
        else:
            findings.append(
                Finding("xml_unreadable", "warning", f"{warning}; the PDF text was read instead.", None)
            )
    return findings
