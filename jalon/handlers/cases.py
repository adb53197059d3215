"""Exception cases: what jalon could not settle on its own, opened once per subject, closed with who and why.

Opening, updating and closing a case also queues a `chat` outbox item, so that the card in Slack/Teams is
posted or refreshed after the transaction commits.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jalon import events
from jalon.db import utcnow
from jalon.models import Case, Customer, Dispatch, Invoice, Outbox

CASE_KINDS = (
    "held",  # an invoice held before sending (findings, suspicious sender, unmatched customer, unreadable)
    "bounced",  # hard bounce with no other contact, or soft bounces exhausted
    "late",  # a milestone still late after its scenario steps
    "dispute",  # the customer disputes the invoice
    "missing_info",  # the customer says something is missing (PO number…)
    "contact_change",  # a change of address or bank details asked by mail: a human approves
    "contact_left",  # "no longer works here"
    "set_aside",  # a message jalon could not place or process
    "unmatched",  # a message that could not be tied to any invoice
    "not_received",  # the customer says the invoice did not arrive (resent; watched)
    "send_failed",  # the invoice could not be sent
    "complaint",  # a spam complaint (feedback report) about our mail
    "question",  # a customer's question or an unclassified human answer
    "promise_review",  # a payment plan or a payment date far off: a person accepts the terms or not
    "overpaid",  # a bank transfer paid more than owed: refund it or set it against another invoice
    "holdback_due",  # the guarantee of a retenue de garantie has ended: claim the amount kept back
)


def case_key(kind: str, subject: str, subject_id: int | str) -> str:
    return f"{kind}:{subject}:{subject_id}"


def _queue_chat(session: Session, case: Case, operation: str) -> None:
    session.add(Outbox(kind="chat", payload={"case_id": case.id, "op": operation}, next_attempt_at=utcnow()))


def open_case(
    session: Session,
    kind: str,
    title: str,
    *,
    key: str | None = None,
    facts: dict[str, Any] | None = None,
    invoice_id: int | None = None,
    dispatch_id: int | None = None,
    inbound_id: int | None = None,
    customer_id: int | None = None,
    actor: str = "jalon",
) -> Case:
    """Open a case, or update the open case with the same key (one card per subject, updated in place)."""
    facts = dict(facts or {})
    if key is not None:
        existing = session.scalar(select(Case).where(Case.open_key == key))
        if existing is not None:
            existing.facts = {**existing.facts, **facts}
            existing.title = title
            events.record(
                session,
                "case.updated",
                case_id=existing.id,
                invoice_id=existing.invoice_id,
                actor=actor,
                title=title,
                facts=facts,
            )
            _queue_chat(session, existing, "update")
            return existing
    case = Case(
        kind=kind,
        open_key=key,
        title=title,
        facts=facts,
        invoice_id=invoice_id,
        dispatch_id=dispatch_id,
        inbound_id=inbound_id,
        customer_id=customer_id,
        state="open",
        opened_at=utcnow(),
    )
    session.add(case)
    session.flush()
    events.record(
        session,
        "case.opened",
        case_id=case.id,
        invoice_id=invoice_id,
        dispatch_id=dispatch_id,
        inbound_id=inbound_id,
        customer_id=customer_id,
        actor=actor,
        kind=kind,
        title=title,
    )
    _queue_chat(session, case, "open")
    return case


def open_held_case(session: Session, invoice: Invoice, title: str, **facts: Any) -> Case:
    """The card of a held invoice (one per invoice, updated in place): its number, its customer, and why."""
    customer = session.get(Customer, invoice.customer_id) if invoice.customer_id else None
    return open_case(
        session,
        "held",
        title,
        key=case_key("held", "invoice", invoice.id),
        facts={"number": invoice.number, "customer": customer.name if customer else None, **facts},
        invoice_id=invoice.id,
        customer_id=invoice.customer_id,
        inbound_id=invoice.inbound_id,
    )


def open_bounce_case(
    session: Session,
    invoice: Invoice,
    dispatch: Dispatch,
    title: str,
    *,
    status: str | None,
    diagnostic: str,
    key: str | None = None,
    actor: str = "jalon",
    **facts: Any,
) -> Case:
    """The card of an invoice that does not reach a recipient: the invoice, the address, what its server said.
    One per dispatch unless another key is given."""
    return open_case(
        session,
        "bounced",
        title,
        key=key or case_key("bounced", "dispatch", dispatch.id),
        facts={
            "number": invoice.number,
            "recipient": dispatch.recipient,
            "status": status,
            "diagnostic": diagnostic[:500],
            **facts,
        },
        invoice_id=invoice.id,
        dispatch_id=dispatch.id,
        customer_id=invoice.customer_id,
        actor=actor,
    )


def close_case(
    session: Session, case: Case, *, actor: str, resolution: str, at: dt.datetime | None = None
) -> None:
    if case.state == "closed":
        return
    case.state = "closed"
    case.open_key = None
    case.closed_at = at or utcnow()
    case.closed_by = actor
    case.resolution = resolution
    events.record(
        session,
        "case.closed",
        case_id=case.id,
        invoice_id=case.invoice_id,
        actor=actor,
        resolution=resolution,
    )
    _queue_chat(session, case, "close")


def open_cases(
    session: Session, *, invoice_id: int | None = None, kinds: tuple[str, ...] | None = None
) -> list[Case]:
    query = select(Case).where(Case.state == "open")
    if invoice_id is not None:
        query = query.where(Case.invoice_id == invoice_id)
    if kinds:
        query = query.where(Case.kind.in_(kinds))
    return list(session.scalars(query.order_by(Case.id)))


def close_invoice_cases(
    session: Session, invoice_id: int, *, actor: str, resolution: str, kinds: tuple[str, ...] | None = None
) -> int:
    """Close the open cases of an invoice that got unstuck by other means; returns how many."""
    cases = open_cases(session, invoice_id=invoice_id, kinds=kinds)
    for case in cases:
        close_case(session, case, actor=actor, resolution=resolution)
    return len(cases)


def close_case_for_inbound(session: Session, inbound_id: int, *, actor: str, resolution: str) -> None:
    for case in session.scalars(select(Case).where(Case.inbound_id == inbound_id, Case.state == "open")):
        close_case(session, case, actor=actor, resolution=resolution)
