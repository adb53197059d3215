"""Use cases shared by every entry point (mail pipeline, CLI, REST API, chat buttons, portal, scheduler).

Each takes the database (or a session) and an actor, does one thing in one transaction, records an event
with the actor, and returns an `ActionResult` that every edge can show as it likes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jalon import events
from jalon.config import Settings
from jalon.db import Database, utcnow
from jalon.handlers import cases
from jalon.models import Contact, Dispatch, Invoice


@dataclass
class ActionResult:
    ok: bool
    message: str
    invoice: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "message": self.message, "invoice": self.invoice, **self.data}


def find_invoice(session: Session, number: str) -> Invoice | None:
    """The current version of an invoice by number (the newest version that was not replaced)."""
    versions = list(
        session.scalars(
            select(Invoice)
            .where(Invoice.number == number)
            .order_by(Invoice.version.desc(), Invoice.id.desc())
        )
    )
    current = [v for v in versions if v.state != "replaced"]
    return (current or versions or [None])[0]


def release(
    database: Database,
    settings: Settings,
    number: str,
    *,
    actor: str,
    force: bool = False,
    reason: str | None = None,
) -> ActionResult:
    """Release a held invoice. Blocking findings need `force` and a reason ("release anyway")."""
    from jalon.handlers.checks import blocking
    from jalon.handlers.dispatching import dispatch_invoice

    with database.session() as session:
        invoice = find_invoice(session, number)
        if invoice is None:
            return ActionResult(False, f"no invoice {number}", number)
        if invoice.state != "held":
            return ActionResult(False, f"invoice {number} is {invoice.state}, not held", number)
        errors = blocking(invoice.findings or [])
        if invoice.customer_id is None:
            return ActionResult(
                False, f"invoice {number} has no customer: choose one before releasing", number
            )
        if errors and not force:
            codes = ", ".join(f["code"] for f in errors)
            return ActionResult(
                False,
                f"invoice {number} has blocking findings ({codes}): release with force and a reason",
                number,
                {"findings": errors},
            )
        if force and not reason:
            return ActionResult(False, "releasing anyway needs a reason", number)
        invoice.state = "ready"
        invoice.hold_reason = None
        events.record(
            session,
            "invoice.released",
            invoice_id=invoice.id,
            actor=actor,
            forced=force,
            reason=reason,
            overridden=[f["code"] for f in errors],
        )
        created = dispatch_invoice(session, settings, invoice, actor=actor)
        cases.close_invoice_cases(
            session,
            invoice.id,
            actor=actor,
            kinds=("held",),
            resolution=f"released{' anyway: ' + reason if force else ''} by {actor}",
        )
        return ActionResult(
            True,
            f"invoice {number} released to {len(created)} recipient(s)",
            number,
            {"dispatches": [d.recipient for d in created]},
        )


def cancel(
    database: Database, settings: Settings, number: str, *, actor: str, reason: str | None = None
) -> ActionResult:
    with database.session() as session:
        invoice = find_invoice(session, number)
        if invoice is None:
            return ActionResult(False, f"no invoice {number}", number)
        if invoice.state in ("cancelled", "paid"):
            return ActionResult(False, f"invoice {number} is already {invoice.state}", number)
        previous = invoice.state
        invoice.state = "cancelled"
        cancel_pending(session, invoice)
        events.record(
            session,
            "invoice.cancelled",
            invoice_id=invoice.id,
            actor=actor,
            reason=reason,
            previous_state=previous,
        )
        cases.close_invoice_cases(
            session, invoice.id, actor=actor, resolution=f"invoice cancelled by {actor}"
        )
        return ActionResult(True, f"invoice {number} cancelled", number)


def cancel_pending(session: Session, invoice: Invoice) -> None:
    """Nothing more leaves for a cancelled invoice: queued mails and scheduled steps are cancelled."""
    from jalon.models import Outbox, ScenarioStep

    dispatch_ids = [d.id for d in invoice.dispatches]
    if dispatch_ids:
        for item in session.scalars(
            select(Outbox).where(Outbox.dispatch_id.in_(dispatch_ids), Outbox.status == "pending")
        ):
            item.status = "cancelled"
    for step in session.scalars(
        select(ScenarioStep).where(ScenarioStep.invoice_id == invoice.id, ScenarioStep.state == "scheduled")
    ):
        step.state = "cancelled"


def next_contact(session: Session, dispatch: Dispatch) -> Contact | None:
    """Another valid contact of the same role that has not had this invoice yet."""
    invoice = session.get(Invoice, dispatch.invoice_id)
    if invoice is None or invoice.customer_id is None:
        return None
    already = {d.recipient.lower() for d in invoice.dispatches}
    candidates = session.scalars(
        select(Contact)
        .where(
            Contact.customer_id == invoice.customer_id, Contact.role == dispatch.role, Contact.valid.is_(True)
        )
        .order_by(Contact.priority, Contact.id)
    )
    return next((c for c in candidates if c.email.lower() not in already), None)


def hard_bounce(
    session: Session,
    settings: Settings,
    dispatch: Dispatch,
    *,
    status: str | None,
    diagnostic: str,
    evidence: dict[str, Any] | None = None,
    actor: str = "jalon",
) -> ActionResult:
    """The address does not work: the contact is marked invalid and the next contact of the role gets the
    invoice; with no other contact, a case for a person."""
    from jalon.handlers.dispatching import new_dispatch, send_dispatch

    invoice = session.get(Invoice, dispatch.invoice_id)
    assert invoice is not None
    contact = session.get(Contact, dispatch.contact_id) if dispatch.contact_id else None
    if contact is not None and contact.valid:
        contact.valid = False
        contact.invalid_reason = f"{status or ''} {diagnostic}".strip()[:1000]
        events.record(
            session,
            "contact.invalidated",
            invoice_id=invoice.id,
            dispatch_id=dispatch.id,
            customer_id=contact.customer_id,
            email=contact.email,
            role=contact.role,
            status=status,
            actor=actor,
        )
    alternate = next_contact(session, dispatch)
    if alternate is not None and invoice.state not in ("cancelled", "paid"):
        replacement = new_dispatch(session, invoice, alternate)
        send_dispatch(session, settings, replacement, actor=actor)
        events.record(
            session,
            "dispatch.rerouted",
            invoice_id=invoice.id,
            dispatch_id=replacement.id,
            actor=actor,
            from_recipient=dispatch.recipient,
            to_recipient=alternate.email,
            role=alternate.role,
        )
        return ActionResult(True, f"sent to {alternate.email} instead", invoice.number)
    cases.open_case(
        session,
        "bounced",
        f"Invoice {invoice.number} bounced at {dispatch.recipient}",
        key=cases.case_key("bounced", "dispatch", dispatch.id),
        facts={
            "number": invoice.number,
            "recipient": dispatch.recipient,
            "role": dispatch.role,
            "status": status,
            "diagnostic": diagnostic[:500],
            **(evidence or {}),
        },
        invoice_id=invoice.id,
        dispatch_id=dispatch.id,
        customer_id=invoice.customer_id,
        actor=actor,
    )
    return ActionResult(False, f"no other {dispatch.role} contact: case opened", invoice.number)


def on_send_failed(
    session: Session,
    settings: Settings,
    dispatch: Dispatch,
    *,
    code: int | None,
    status: str | None,
    message: str,
    permanent: bool,
) -> None:
    """The relay refused the recipient (5xx at send time), or retries are exhausted."""
    dispatch.status_code = status
    dispatch.diagnostic = f"{code or ''} {message}".strip()[:2000]
    if permanent:
        dispatch.state = "bounced"
        events.record(
            session,
            "dispatch.refused",
            invoice_id=dispatch.invoice_id,
            dispatch_id=dispatch.id,
            recipient=dispatch.recipient,
            code=code,
            status=status,
            message=message,
            hard=True,
            at=utcnow(),
        )
        hard_bounce(
            session,
            settings,
            dispatch,
            status=status,
            diagnostic=message,
            evidence={"evidence": "refused by the relay at send time"},
        )
        return
    dispatch.state = "failed"
    events.record(
        session,
        "dispatch.failed",
        invoice_id=dispatch.invoice_id,
        dispatch_id=dispatch.id,
        recipient=dispatch.recipient,
        code=code,
        message=message,
    )
    invoice = session.get(Invoice, dispatch.invoice_id)
    cases.open_case(
        session,
        "send_failed",
        f"Invoice {invoice.number if invoice else '?'} could not be sent to {dispatch.recipient}",
        key=cases.case_key("send_failed", "dispatch", dispatch.id),
        facts={"recipient": dispatch.recipient, "error": dispatch.diagnostic},
        invoice_id=dispatch.invoice_id,
        dispatch_id=dispatch.id,
    )
