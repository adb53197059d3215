"""What a platform says about an invoice, recorded once: the reform's life-cycle statuses as events, cases
and milestone evidence.

Every channel reads its platform's codes into one neutral status (Chorus Pro `MISE_A_DISPOSITION`, a PA's
CDAR `203`: `made_available`); `STATUSES` says what each one means for jalon, as data. The event types are
the ones `scenarios.EVIDENCE` counts (dispatch.delivered, invoice.acknowledged, invoice.approved,
payment.announced, invoice.paid through `payments.record_payment`), so milestones follow on their own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jalon import events
from jalon.config import Settings
from jalon.db import utcnow
from jalon.handlers import cases
from jalon.models import Dispatch, Event, Invoice, Payment


@dataclass(frozen=True)
class Meaning:
    event: str  # event type recorded on the invoice
    level: str | None = None  # evidence level (scenarios.LEVELS) or None
    dispatch_state: str | None = None  # new state of the dispatch, if any
    case: str | None = None  # case kind opened for people, if any
    final: bool = False  # nothing more to follow after this


# The reform's statuses (XP Z12-012 annex, CDAR codes 200-221, 501), in jalon's words.
STATUSES: dict[str, Meaning] = {
    "deposited": Meaning("platform.deposited", "accepted"),  # 200 Déposée, Chorus IN_INTEGRE
    "issued": Meaning("platform.issued", "accepted"),  # 201 Émise par la plateforme
    "received": Meaning("dispatch.relayed", "accepted"),  # 202 Reçue par la plateforme du destinataire
    "made_available": Meaning("dispatch.delivered", "delivered", "delivered"),  # 203 Mise à disposition
    "taken_over": Meaning("invoice.acknowledged", "acknowledged"),  # 204 Prise en charge
    "approved": Meaning("invoice.approved", "approved"),  # 205 Approuvée
    "partially_approved": Meaning("invoice.approved", "approved", case="dispute"),  # 206
    "disputed": Meaning("invoice.disputed", "received", case="dispute"),  # 207 En litige
    "suspended": Meaning("invoice.suspended", case="missing_info"),  # 208 Suspendue
    "completed": Meaning("invoice.completed"),  # 209 Complétée
    "refused": Meaning("invoice.refused", case="dispute", final=True),  # 210 Refusée (by the buyer)
    "payment_sent": Meaning("payment.announced", "acknowledged"),  # 211 Paiement transmis
    "paid": Meaning("invoice.paid", "paid", final=True),  # 212 Encaissée
    "rejected": Meaning("dispatch.rejected", None, "failed", "send_failed", True),  # 213 / 501 / IN_REJETE
    "cancelled": Meaning("invoice.platform_cancelled", final=True),  # 220 Annulée
    "routing_error": Meaning("dispatch.rejected", None, "failed", "send_failed", True),  # 221
}
CASE_TITLES = {
    "dispute": "{number}: {label} on {channel}",
    "missing_info": "{number}: suspended on {channel}, something must be completed",
    "send_failed": "{number}: rejected by {channel}",
}


@dataclass
class Status:
    """One status a platform gave, with its own code and words kept as evidence."""

    status: str  # a key of STATUSES
    code: str  # the platform's code (212, MISE_A_DISPOSITION, IN_REJETE…)
    label: str = ""
    reason: str | None = None
    at: dt.datetime | None = None
    ref: str | None = None  # the platform's id of this status message (dedupe)
    amount: Decimal | None = None
    currency: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


def already_recorded(session: Session, invoice_id: int, ref: str | None, code: str) -> bool:
    """The same status message (by its platform ref, else by its code) was applied before."""
    query = select(Event.data).where(Event.invoice_id == invoice_id, Event.type == "platform.status")
    for data in session.scalars(query):
        if ref and data.get("ref") == ref:
            return True
        if not ref and data.get("code") == code:
            return True
    return False


def apply(session: Session, settings: Settings, dispatch: Dispatch, status: Status, *, channel: str) -> bool:
    """Record one platform status for a dispatch; returns False when it was already recorded."""
    from jalon.scenarios import settle_milestones

    invoice = session.get(Invoice, dispatch.invoice_id)
    meaning = STATUSES.get(status.status)
    if invoice is None or meaning is None:
        return False
    if already_recorded(session, invoice.id, status.ref, status.code):
        return False
    # Recorded when jalon learns it; the platform's own time stays in the data (its clock, its time zone).
    at = utcnow()
    common = {
        "channel": channel,
        "code": status.code,
        "label": status.label,
        "reason": status.reason,
        "platform_at": status.at,
    }
    events.record(
        session,
        "platform.status",
        invoice_id=invoice.id,
        dispatch_id=dispatch.id,
        actor=channel,
        at=at,
        status=status.status,
        ref=status.ref,
        **common,
        **status.detail,
    )
    if meaning.dispatch_state == "delivered" and dispatch.state in ("queued", "sent"):
        dispatch.state = "delivered"
        dispatch.delivered_at = dispatch.delivered_at or at
    elif meaning.dispatch_state == "failed":
        dispatch.state = "failed"
        dispatch.diagnostic = f"{status.code} {status.label} {status.reason or ''}".strip()[:2000]
    if status.status == "paid":
        _paid(session, invoice, status, channel=channel, at=at)
    else:
        data = {"level": meaning.level} if meaning.level else {}
        events.record(
            session,
            meaning.event,
            invoice_id=invoice.id,
            dispatch_id=dispatch.id,
            actor=channel,
            at=at,
            recipient=dispatch.recipient,
            source=channel,
            **common,
            **data,
        )
    if status.status == "disputed":
        _pause_for_dispute(invoice, at)
    if meaning.case:
        _open_case(session, invoice, dispatch, status, meaning.case, channel=channel)
    session.flush()
    settle_milestones(session, invoice, actor=channel)
    return True


def _paid(session: Session, invoice: Invoice, status: Status, *, channel: str, at: dt.datetime) -> None:
    from jalon.payments import OPEN_STATES, outstanding, record_payment

    source_ref = f"{channel}:{status.ref or status.code}:{invoice.id}"[:255]
    if session.scalar(select(Payment.id).where(Payment.source_ref == source_ref)) is not None:
        return
    amount = status.amount if status.amount is not None else outstanding(invoice)
    if invoice.state not in OPEN_STATES and amount <= 0:
        return
    record_payment(
        session,
        invoice,
        amount,
        (status.at or at).date(),
        actor=channel,
        source=channel,
        currency=status.currency or invoice.currency,
        reference=f"{status.code} {status.label}".strip(),
        source_ref=source_ref,
        now=at,
    )


def _pause_for_dispute(invoice: Invoice, at: dt.datetime) -> None:
    from jalon.handlers.returns import DISPUTE_PAUSE

    invoice.paused_until = at + DISPUTE_PAUSE
    invoice.pause_reason = "dispute"


def _open_case(
    session: Session, invoice: Invoice, dispatch: Dispatch, status: Status, kind: str, *, channel: str
) -> None:
    title = CASE_TITLES[kind].format(
        number=invoice.number, label=status.label or status.status, channel=channel
    )
    cases.open_case(
        session,
        kind,
        title,
        key=cases.case_key(kind, "invoice", invoice.id),
        facts={
            "number": invoice.number,
            "channel": channel,
            "status": status.status,
            "code": status.code,
            "label": status.label,
            "reason": status.reason,
            "recipient": dispatch.recipient,
        },
        invoice_id=invoice.id,
        dispatch_id=dispatch.id,
        customer_id=invoice.customer_id,
        actor=channel,
    )


def record_accepted(
    session: Session, dispatch: Dispatch, *, channel: str, ref: str, detail: dict[str, Any] | None = None
) -> None:
    """The platform took the file (HTTP 2xx, a deposit number, a file renamed in place): 'accepted'."""
    now = utcnow()
    if dispatch.state in ("pending", "queued", "converting"):
        dispatch.state = "sent"
    dispatch.sent_at = dispatch.sent_at or now
    invoice = session.get(Invoice, dispatch.invoice_id)
    if invoice is not None and invoice.state == "ready":
        invoice.state = "sent"
    if invoice is not None and invoice.sent_at is None:
        invoice.sent_at = now
    events.record(
        session,
        "dispatch.sent",
        invoice_id=dispatch.invoice_id,
        dispatch_id=dispatch.id,
        at=now,
        actor=channel,
        recipient=dispatch.recipient,
        role=dispatch.role,
        channel=channel,
        format=dispatch.format,
        ref=ref,
        level="accepted",
        **(detail or {}),
    )


def record_refused(session: Session, dispatch: Dispatch, *, channel: str, reason: str) -> None:
    """The platform refused the file for good (4xx, a rejected deposit): a person must look."""
    dispatch.state = "failed"
    dispatch.diagnostic = reason[:2000]
    events.record(
        session,
        "dispatch.failed",
        invoice_id=dispatch.invoice_id,
        dispatch_id=dispatch.id,
        actor=channel,
        recipient=dispatch.recipient,
        channel=channel,
        message=reason[:2000],
    )
    invoice = session.get(Invoice, dispatch.invoice_id)
    cases.open_case(
        session,
        "send_failed",
        f"Invoice {invoice.number if invoice else '?'} refused by {channel}",
        key=cases.case_key("send_failed", "dispatch", dispatch.id),
        facts={"recipient": dispatch.recipient, "channel": channel, "error": reason[:500]},
        invoice_id=dispatch.invoice_id,
        dispatch_id=dispatch.id,
        customer_id=invoice.customer_id if invoice else None,
    )
