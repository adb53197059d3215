"""Read models for the CLI, the REST API, the portal and the demo: invoices with their state and journey."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from jalon import events
from jalon.handlers.actions import find_invoice
from jalon.models import Customer, Invoice


def _money(value: Any) -> float | None:
    return float(value) if value is not None else None


def invoice_summary(invoice: Invoice, customer: Customer | None) -> dict[str, Any]:
    return {
        "number": invoice.number,
        "version": invoice.version,
        "state": invoice.state,
        "doc_type": invoice.doc_type,
        "customer": customer.code if customer else None,
        "customer_name": customer.name if customer else None,
        "issue_date": invoice.issue_date.isoformat() if invoice.issue_date else None,
        "due_date": invoice.due_date.isoformat() if invoice.due_date else None,
        "currency": invoice.currency,
        "total_without_vat": _money(invoice.total_without_vat),
        "total_vat": _money(invoice.total_vat),
        "total_with_vat": _money(invoice.total_with_vat),
        "amount_paid": _money(invoice.amount_paid),
        "holdback": _money(invoice.holdback),  # a retenue de garantie: owed when the guarantee ends
        "purchase_order": invoice.purchase_order,
        "source": invoice.source,
        "hold_reason": invoice.hold_reason,
        "suspicious": invoice.suspicious,
        "paused_until": invoice.paused_until.isoformat() if invoice.paused_until else None,
        "pause_reason": invoice.pause_reason,
        "received_at": invoice.created_at.isoformat() if invoice.created_at else None,
        "sent_at": invoice.sent_at.isoformat() if invoice.sent_at else None,
    }


def list_invoices(
    session: Session,
    *,
    state: str | None = None,
    include_replaced: bool = False,
    limit: int = 1000,
    offset: int = 0,
) -> list[dict[str, Any]]:
    query = select(Invoice).options(selectinload(Invoice.customer)).order_by(Invoice.id)
    query = query.where(*_listed(state, include_replaced))
    return [invoice_summary(i, i.customer) for i in session.scalars(query.limit(limit).offset(offset))]


def count_invoices(session: Session, *, state: str | None = None, include_replaced: bool = False) -> int:
    """How many invoices `list_invoices` has to show in all, page after page."""
    return int(session.scalar(select(func.count(Invoice.id)).where(*_listed(state, include_replaced))) or 0)


def _listed(state: str | None, include_replaced: bool) -> list[Any]:
    if state:
        return [Invoice.state == state]
    return [] if include_replaced else [Invoice.state != "replaced"]


def invoice_detail(session: Session, number: str) -> dict[str, Any] | None:
    invoice = find_invoice(session, number)
    return None if invoice is None else invoice_detail_of(session, invoice)


def invoice_detail_of(session: Session, invoice: Invoice) -> dict[str, Any]:
    number = invoice.number
    customer = session.get(Customer, invoice.customer_id) if invoice.customer_id else None
    detail = invoice_summary(invoice, customer)
    detail["customer"] = (
        {
            "customer_id": customer.code,
            "name": customer.name,
            "siren": customer.siren,
            "vat": customer.vat,
            "group": customer.group,
            "language": customer.language,
        }
        if customer
        else None
    )
    detail["findings"] = invoice.findings
    detail["dispatches"] = [
        {
            "recipient": d.recipient,
            "role": d.role,
            "channel": d.channel,
            "format": d.format,
            "state": d.state,
            "token": d.token,
            "status": d.status_code,
            "diagnostic": d.diagnostic,
            "message_id": d.message_id,
            "copy": d.copy_of_id is not None,
            "sent_at": d.sent_at.isoformat() if d.sent_at else None,
            "delivered_at": d.delivered_at.isoformat() if d.delivered_at else None,
            "read_at": d.read_at.isoformat() if d.read_at else None,
        }
        for d in invoice.dispatches
    ]
    detail["documents"] = [
        {"filename": d.filename, "role": d.role, "content_type": d.content_type, "sha256": d.blob_sha256}
        for d in invoice.documents
    ]
    history = list(
        session.scalars(
            select(Invoice)
            .where(Invoice.number == number, Invoice.issuer == invoice.issuer)
            .order_by(Invoice.version)
        )
    )
    detail["versions"] = [{"version": v.version, "state": v.state} for v in history]
    dispatch_recipients = {d.id: d.recipient for d in invoice.dispatches}
    detail["events"] = []
    for event in events.for_invoice(session, invoice.id):
        item = events.as_dict(event)
        if event.dispatch_id in dispatch_recipients:
            item["recipient"] = dispatch_recipients[event.dispatch_id]
        detail["events"].append(item)
    return detail


# How the terminal journey names what happened to an invoice, in the order a reader meets them. Events
# missing here are shown by their type, except the bookkeeping ones below: a journey hides nothing that
# happened to the invoice or its mails.
_LABELS = {
    "invoice.received": "received",
    "invoice.read": "read",
    "invoice.replaces": "new version",
    "invoice.matched": "matched",
    "invoice.unmatched": "no customer",
    "contact.added": "contact added",
    "invoice.checked": "checked",
    "invoice.held": "HELD",
    "invoice.released": "released",
    "invoice.converted": "converted",
    "invoice.no_recipient": "NO RECIPIENT",
    "dispatch.queued": "queued",
    "dispatch.sent": "sent",
    "dispatch.relayed": "relayed",
    "dispatch.delivered": "delivered",
    "dispatch.receipt": "receipt",
    "dispatch.read": "read by",
    "dispatch.viewed": "link opened",
    "dispatch.downloaded": "downloaded by",
    "dispatch.delayed": "delayed",
    "dispatch.deferred": "deferred",
    "dispatch.retry_scheduled": "retry planned",
    "dispatch.bounced": "BOUNCED",
    "dispatch.refused": "REFUSED",
    "dispatch.failed": "FAILED",
    "dispatch.cancelled": "not sent",
    "dispatch.complaint": "COMPLAINT",
    "dispatch.rerouted": "rerouted",
    "invoice.enrolled": "on timeline",
    "platform.status": "platform",
    "invoice.acknowledged": "acknowledged",
    "invoice.approved": "approved",
    "invoice.refused": "REFUSED",
    "invoice.resent": "resent",
    "reply.received": "reply",
    "reply.autoreply": "auto-reply",
    "milestone.met": "milestone met",
    "milestone.late": "LATE",
    "milestone.excepted": "EXCEPTION",
    "reminder.queued": "reminder",
    "reminder.withdrawn": "not sent",
    "payment.difference_written_off": "written off",
    "payment.overpaid": "OVERPAID",
    "payment.holdback_retained": "holdback kept",
    "credit_note.applied": "applied to",
    "credit_note.unallocated": "UNALLOCATED",
    "payment.holdback_received": "holdback paid",
    "invoice.holdback_due": "HOLDBACK DUE",
    "collection.settled": "agency told",
    "dunning.formal_notice": "formal notice",
    "invoice.handed_over": "handed over",
    "payment.promised": "promise",
    "payment.promise_lapsed": "promise lapsed",
    "payment.announced": "paid (said)",
    "payment.received": "payment",
    "invoice.paid": "PAID",
    "invoice.disputed": "DISPUTED",
    "invoice.suspended": "suspended",
    "invoice.replaced": "replaced",
    "invoice.cancelled": "cancelled",
    "case.opened": "case opened",
    "case.closed": "case closed",
}
_BOOKKEEPING = {
    "invoice.converting", "case.updated", "case.assigned", "case.snoozed", "sender.checked",
    "message.correlated",
}  # fmt: skip


def _journey_detail(event: dict[str, Any]) -> str:
    """The few words after an event's label: who, what, why."""
    kind, data = event["type"], event["data"] or {}
    if kind == "invoice.read":
        return f"from {data.get('source')}" + (f" ({data['error']})" if data.get("error") else "")
    if kind == "invoice.matched":
        return f"{data.get('customer')} by {data.get('method')}"
    if kind == "invoice.checked":
        return ", ".join(data.get("findings") or []) or "no findings"
    if kind == "invoice.converted":
        return f"{data.get('format')} {data.get('profile') or ''}".strip()
    if kind == "payment.promised":
        return f"to pay on {data.get('promised_date') or '?'}"
    if kind == "payment.received":
        source = data.get("source") or "?"
        if source == "credit_note":
            source = f"credit note {data.get('reference') or '?'}"
        return f"{data.get('amount')} {data.get('currency') or ''} ({source})".strip()
    if kind == "payment.holdback_retained":
        return f"{data.get('holdback')} {data.get('currency') or ''} owed when the guarantee ends".strip()
    if kind == "credit_note.applied":
        return ", ".join(f"{item.get('number')} {item.get('amount')}" for item in data.get("invoices") or [])
    if kind == "credit_note.unallocated":
        return "names " + (", ".join(data.get("named") or []) or "no invoice") + ": nothing credited"
    if kind == "dispatch.rerouted":
        return f"{data.get('from_recipient')} → {data.get('to_recipient')}"
    if kind == "reply.received":
        return f"{data.get('intent')} from {data.get('sender')}"
    if kind.startswith("milestone."):
        return str(data.get("milestone") or "")
    if kind in ("reminder.queued", "dunning.formal_notice", "invoice.handed_over"):
        recipients = ", ".join(data.get("recipients") or [])
        to = data.get("recipient") or recipients or data.get("file") or data.get("url") or ""
        return f"{data.get('step') or ''} {to}".strip()
    if kind == "invoice.enrolled":
        return f"{data.get('scenario') or 'no scenario'}: {', '.join(data.get('milestones') or [])}"
    if kind == "platform.status":
        return str(data.get("status") or "")
    if "recipient" in event:
        extra = f"{event['recipient']}" + (f" ({data.get('role')})" if data.get("role") else "")
        if data.get("status"):
            extra += f" {data['status']}"
        if data.get("hint"):
            extra += " (hint: automated fetch)"
        return extra
    return str(data.get("message") or data.get("reason") or data.get("title") or "")


def _local(at: str | None, zone: str) -> str:
    """'YYYY-MM-DD HH:MM:SS ZONE' of a stored ISO time (naive: UTC), as lived in `zone`."""
    from jalon.businesstime import shown

    return shown(dt.datetime.fromisoformat(at), zone, "%Y-%m-%d %H:%M:%S %Z") if at else ""


def render_journey(detail: dict[str, Any], zone: str = "UTC") -> str:
    """A few terminal lines telling an invoice's journey, its times in `zone` (the gateway's timezone)."""
    customer = detail["customer"]["name"] if detail.get("customer") else "no customer"
    amount = (
        f"{detail['total_with_vat']:.2f} {detail['currency']}"
        if detail.get("total_with_vat") is not None
        else ""
    )
    lines = [f"{detail['number']}  {customer}  {amount}  [{detail['state']}]"]
    if detail.get("holdback"):  # owed, but not asked for until the guarantee ends
        lines[0] += f"  holdback {detail['holdback']:.2f} {detail['currency']}"
    day = None
    for event in detail["events"]:
        if event["type"] in _BOOKKEEPING:
            continue
        label = _LABELS.get(event["type"], event["type"])
        at = _local(event["at"], zone)
        if at[:10] != day:  # a journey lasts weeks: the date when it changes, the time on every line
            day = at[:10]
            lines.append(f"  {day} {at[20:]}".rstrip())
        lines.append(f"   {at[11:19]}  {label:<14} {_journey_detail(event)}".rstrip())
    return "\n".join(lines)
