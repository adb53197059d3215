"""All the findings on one invoice before it leaves: reading, sender, customer, legal and EN 16931 rules,
what the customer requires, duplicates, and the hold rules of the configuration."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, select

from jalon.handlers.context import Context
from jalon.models import Customer, Document, Invoice

Finding = dict[str, Any]


# Holds that wait for a person's approval rather than a correction: releasing lifts them.
APPROVAL_CODES = frozenset(
    {
        "amount_over_threshold",
        "possible_duplicate",
        "duplicate_number",
        "sender_not_allowed",
        "customer_blocked",
        "test_invoice",
    }
)


def finding(code: str, severity: str, message: str, field: str | None = None, rule: str = "jalon") -> Finding:
    return {"code": code, "severity": severity, "message": message, "field": field, "rule": rule}


def blocking(findings: list[Finding], *, hold_on_warnings: bool = False) -> list[Finding]:
    severities = {"error", "warning"} if hold_on_warnings else {"error"}
    return [f for f in findings if f["severity"] in severities]


# What a supporting document is, from its file name: the kinds customers require (delivery notes…).
DOCUMENT_KINDS: tuple[tuple[str, str], ...] = (
    (r"\b(bl|bon[ _-]?de[ _-]?livraison|delivery[ _-]?note|livraison|packing)\b", "delivery_note"),
    (
        r"\b(timesheet|time[ _-]?sheet|feuille[ _-]?de[ _-]?temps|releve[ _-]?d[ _-]?heures|cra)\b",
        "timesheet",
    ),
    (r"\b(bc|po|bon[ _-]?de[ _-]?commande|purchase[ _-]?order|commande|order)\b", "purchase_order"),
    (r"\b(pv|proces[ _-]?verbal|reception|acceptance|recette)\b", "acceptance_report"),
    (r"\b(contrat|contract)\b", "contract"),
)


def document_kind(filename: str) -> str:
    name = re.sub(r"[._-]+", " ", filename.lower())
    for pattern, kind in DOCUMENT_KINDS:
        if re.search(pattern, name):
            return kind
    return "other"


def requirements_for(customer: Customer | None, supporting: list[str]) -> Any:
    from jalon.formats.rules import Requirements

    present = sorted({document_kind(name) for name in supporting})
    if customer is None:
        return Requirements(documents_present=present)
    import dataclasses

    from jalon.channels.chorus import requirements_of

    # What Chorus Pro's Structures look-up said this public buyer requires (service code, engagement number).
    required = Requirements.from_customer(customer, documents_present=present)
    return dataclasses.replace(
        required, **{k: getattr(required, k) or v for k, v in requirements_of(customer).items()}
    )


def findings_for(ctx: Context, invoice: Invoice) -> list[Finding]:
    from jalon.formats.rules import check, reader_findings
    from jalon.handlers.invoices import sender_for_finding

    session, settings = ctx.session, ctx.settings
    out: list[Finding] = []
    suspicious = sender_for_finding(ctx)
    if suspicious:
        out.append(suspicious)
    document = ctx.documents.get(invoice.id)
    model = document.model if document else None
    if model is None:
        reason = (document.error if document else None) or "the invoice could not be read"
        out.append(finding("unreadable", "error", f"{reason}; a person must check it, nothing is guessed"))
    match = ctx.matches.get(invoice.id)
    customer = session.get(Customer, invoice.customer_id) if invoice.customer_id else None
    if customer is None and settings.holds.unmatched_customer:
        detail = match.reason if match else "no customer matched"
        candidates = f" (candidates: {', '.join(match.candidates)})" if match and match.candidates else ""
        out.append(finding("customer_unmatched", "error", f"{detail}{candidates}"))
    if customer is not None and customer.blocked:
        out.append(
            finding("customer_blocked", "error", f"customer {customer.code} is blocked in the directory")
        )
    if model is not None:
        if ctx.prepared is not None:  # the mail's other attachments: stored just now as supporting documents
            supporting = [a.filename for a in ctx.prepared.supporting]
        else:
            supporting = [
                d.filename
                for d in session.scalars(
                    select(Document).where(Document.invoice_id == invoice.id, Document.role == "supporting")
                )
            ]
        for item in [
            *check(model, requirements_for(customer, supporting)),
            *reader_findings(document.warnings),
        ]:
            out.append(
                {
                    "code": item.code,
                    "severity": item.severity,
                    "message": item.message,
                    "field": item.field,
                    "rule": item.rule,
                }
            )
        out.extend(_hold_rules(ctx, invoice, model))
        out.extend(_duplicates(ctx, invoice))
    return out


def _hold_rules(ctx: Context, invoice: Invoice, model: Any) -> list[Finding]:
    holds = ctx.settings.holds
    out = []
    if (
        holds.amount_over is not None
        and invoice.total_with_vat is not None
        and invoice.total_with_vat > Decimal(str(holds.amount_over))
    ):
        out.append(
            finding(
                "amount_over_threshold",
                "error",
                f"total {invoice.total_with_vat} {invoice.currency} is over the approval threshold "
                f"of {holds.amount_over}",
                "total_with_vat",
            )
        )
    markers = [m for m in holds.test_markers if m]
    if markers:
        pattern = re.compile(r"\b(" + "|".join(re.escape(m) for m in markers) + r")\b", re.IGNORECASE)
        subject = ctx.prepared.parsed.subject if ctx.prepared else ""
        haystack = " ".join(filter(None, [invoice.number, subject, *(n.text for n in model.notes)]))
        hit = pattern.search(haystack)
        if hit:
            out.append(
                finding("test_invoice", "error", f"looks like a test or pro-forma invoice ({hit.group(0)!r})")
            )
    return out


# Built once (every invoice asks): building the statement and its cache key cost more than running it.
_TWINS = (
    select(Invoice)
    .where(
        Invoice.customer_id == bindparam("customer_id"),
        Invoice.total_with_vat == bindparam("total"),
        Invoice.id != bindparam("id"),
        Invoice.number != bindparam("number"),
        Invoice.state.notin_(("cancelled", "replaced")),
        Invoice.issue_date >= bindparam("earliest"),
        Invoice.issue_date <= bindparam("latest"),
        Invoice.doc_type == bindparam("doc_type"),
    )
    .limit(3)
)


def _duplicates(ctx: Context, invoice: Invoice) -> list[Finding]:
    """Same customer, amount and issue date within the window, under another number: probably sent twice."""
    if invoice.customer_id is None or invoice.total_with_vat is None or invoice.issue_date is None:
        return []
    window = ctx.settings.holds.duplicate_window
    # No flush first: the only change pending is this invoice's own (its customer, just matched), which the
    # query leaves out by id; it is written with the invoice's state, one UPDATE instead of two.
    with ctx.session.no_autoflush:
        twins = list(
            ctx.session.scalars(
                _TWINS,
                {
                    "customer_id": invoice.customer_id,
                    "total": invoice.total_with_vat,
                    "id": invoice.id,
                    "number": invoice.number,
                    "earliest": invoice.issue_date - window,
                    "latest": invoice.issue_date + window,
                    "doc_type": invoice.doc_type,
                },
            )
        )
    if not twins:
        return []
    names = ", ".join(t.number for t in twins)
    return [
        finding(
            "possible_duplicate",
            "error",
            f"same customer, amount ({invoice.total_with_vat} {invoice.currency}) and date as {names}",
            "invoice_number",
        )
    ]
