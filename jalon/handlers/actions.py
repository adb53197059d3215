"""Use cases shared by every entry point (mail pipeline, CLI, REST API, chat buttons, portal, scheduler).

Each takes the database (or a session) and an actor, does one thing in one transaction, records an event
with the actor, and returns an `ActionResult` that every edge can show as it likes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jalon import events
from jalon.config import Settings
from jalon.db import Database, utcnow
from jalon.handlers import cases
from jalon.models import Case, Contact, Dispatch, Invoice


@dataclass
class ActionResult:
    ok: bool
    message: str
    invoice: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "message": self.message, "invoice": self.invoice, **self.data}


def find_invoice(
    session: Session, number: str, *, held: bool = False, invoice_id: int | None = None
) -> Invoice | None:
    """The invoice a person means by its number, among the copies that were not replaced; `invoice_id` (a
    case's own invoice, pressed on its card) names the copy itself.

    A number can name several rows: a second copy of an invoice held as a duplicate, a forged copy held as
    suspicious, next to the genuine one that left. What happened to the invoice (paid, disputed, resent, its
    journey) is about the genuine copy that left; a forgery is found by number only when nothing else has
    it. `held=True` (release, cancel) means the copy waiting for a person instead. Then the newest."""
    if invoice_id is not None:
        chosen = session.get(Invoice, invoice_id)
        return chosen if chosen is not None and chosen.number == number else None
    versions = list(
        session.scalars(
            select(Invoice)
            .where(Invoice.number == number)
            .order_by(Invoice.version.desc(), Invoice.id.desc())
        )
    )
    current = [v for v in versions if v.state != "replaced"] or versions
    if not current:
        return None

    def rank(invoice: Invoice) -> tuple[bool, bool]:
        if held:
            return invoice.state != "held", bool(invoice.suspicious)
        return bool(invoice.suspicious), invoice.state in ("received", "held")

    return min(current, key=rank)  # stable: the newest of the best-ranked


def _lock(session: Session, invoice: Invoice) -> None:
    """Read the invoice again under a row lock (PostgreSQL's FOR UPDATE; SQLite's writer is alone already): of
    two people releasing or cancelling it at the same moment, the second waits, then sees what the first
    did, and the customer never gets it twice."""
    session.refresh(invoice, with_for_update=True)


def release(
    database: Database,
    settings: Settings,
    number: str,
    *,
    actor: str,
    force: bool = False,
    reason: str | None = None,
    customer: str | None = None,
    invoice_id: int | None = None,
) -> ActionResult:
    """Release a held invoice. A hold that waits for an approval (amount, duplicate, sender, blocked customer)
    is lifted by releasing; a defect in the invoice needs `force` and a reason ("release anyway").
    `customer` assigns the customer (by its code) when none matched."""
    from jalon.handlers.checks import APPROVAL_CODES, blocking
    from jalon.handlers.dispatching import dispatch_invoice
    from jalon.models import Customer

    with database.session() as session:
        invoice = find_invoice(session, number, held=True, invoice_id=invoice_id)
        if invoice is None:
            return ActionResult(False, f"no invoice {number}", number)
        _lock(session, invoice)
        if invoice.state != "held":
            return ActionResult(False, f"invoice {number} is {invoice.state}, not held", number)
        if customer is not None:
            chosen = session.scalar(select(Customer).where(Customer.code == customer))
            if chosen is None:
                return ActionResult(False, f"no customer {customer} in the directory", number)
            if invoice.customer_id is not None and invoice.customer_id != chosen.id:
                matched = session.get(Customer, invoice.customer_id)
                return ActionResult(
                    False,
                    f"invoice {number} is for customer {matched.code if matched else invoice.customer_id}; "
                    "choosing a customer only applies to an invoice no customer matched",
                    number,
                )
            invoice.customer_id = chosen.id
            invoice.findings = [f for f in invoice.findings or [] if f["code"] != "customer_unmatched"]
            events.record(
                session,
                "invoice.matched",
                invoice_id=invoice.id,
                customer_id=chosen.id,
                customer=chosen.code,
                method="manual",
                actor=actor,
            )
        if invoice.customer_id is None:
            return ActionResult(
                False, f"invoice {number} has no customer: choose one before releasing", number
            )
        errors = [f for f in blocking(invoice.findings or []) if f["code"] not in APPROVAL_CODES]
        approved = [f for f in blocking(invoice.findings or []) if f["code"] in APPROVAL_CODES]
        if errors and not force:
            codes = ", ".join(f["code"] for f in errors)
            return ActionResult(
                False,
                f"invoice {number} has blocking findings ({codes}): release with force and a reason",
                number,
                {"findings": errors},
            )
        if force and errors and not reason:
            return ActionResult(False, "releasing anyway needs a reason", number)
        invoice.state = "ready"
        invoice.hold_reason = None
        events.record(
            session,
            "invoice.released",
            invoice_id=invoice.id,
            actor=actor,
            forced=bool(force and errors),
            reason=reason,
            overridden=[f["code"] for f in errors],
            approved=[f["code"] for f in approved],
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
    database: Database,
    settings: Settings,
    number: str,
    *,
    actor: str,
    reason: str | None = None,
    invoice_id: int | None = None,
) -> ActionResult:
    with database.session() as session:
        invoice = find_invoice(session, number, held=True, invoice_id=invoice_id)
        if invoice is None:
            return ActionResult(False, f"no invoice {number}", number)
        _lock(session, invoice)
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
    cases.open_bounce_case(
        session,
        invoice,
        dispatch,
        f"Invoice {invoice.number} bounced at {dispatch.recipient}",
        status=status,
        diagnostic=diagnostic,
        actor=actor,
        role=dispatch.role,
        **(evidence or {}),
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


# --- chat buttons: resend, resend to another address, dispute, contact changes, case assignment -----------

RESENDABLE = ("ready", "sent")  # held/cancelled/paid/replaced invoices are never resent


def _root(session: Session, dispatch: Dispatch) -> Dispatch:
    """The first sending a resend cites as proof."""
    while dispatch.copy_of_id:
        parent = session.get(Dispatch, dispatch.copy_of_id)
        if parent is None:
            break
        dispatch = parent
    return dispatch


def resend(database: Database, settings: Settings, number: str, *, actor: str) -> ActionResult:
    """Send the invoice again to every recipient that had it and is still valid, citing the first sending."""
    from jalon.handlers.dispatching import new_dispatch, send_dispatch

    with database.session() as session:
        invoice = find_invoice(session, number)
        if invoice is None:
            return ActionResult(False, f"no invoice {number}", number)
        if invoice.state not in RESENDABLE:
            return ActionResult(False, f"invoice {number} is {invoice.state}: nothing to resend", number)
        latest: dict[str, Dispatch] = {}
        for dispatch in invoice.dispatches:
            latest[dispatch.recipient.lower()] = dispatch
        sent = []
        for dispatch in latest.values():
            contact = session.get(Contact, dispatch.contact_id) if dispatch.contact_id else None
            if contact is None or not contact.valid:
                continue
            copy = new_dispatch(
                session, invoice, contact, copy_of=_root(session, dispatch), recipient=dispatch.recipient
            )
            send_dispatch(session, settings, copy, actor=actor)
            sent.append(copy.recipient)
        if not sent:
            return ActionResult(
                False, f"invoice {number} has no valid recipient left: resend to another address", number
            )
        events.record(session, "invoice.resent", invoice_id=invoice.id, actor=actor, recipients=sent)
        cases.close_invoice_cases(
            session,
            invoice.id,
            actor=actor,
            kinds=("not_received", "send_failed"),
            resolution=f"resent by {actor} to {', '.join(sent)}",
        )
        return ActionResult(True, f"invoice {number} sent again to {', '.join(sent)}", number, {"to": sent})


def valid_address(text: str | None) -> str | None:
    """The address if it looks like one person's mailbox, else None."""
    import re
    from email.utils import parseaddr

    address = parseaddr((text or "").strip())[1].strip()
    return address if re.fullmatch(r"[^@\s<>,;]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+", address) else None


def _replace_contact(
    session: Session, customer_id: int, email: str, role: str, old: Contact | None, *, actor: str, source: str
) -> Contact:
    """The new address takes the old one's place for the role: same priority, the old one is retired."""
    contact = session.scalar(
        select(Contact).where(
            Contact.customer_id == customer_id, Contact.email == email, Contact.role == role
        )
    )
    if contact is None:
        contact = Contact(customer_id=customer_id, email=email, role=role, source=source)
        if old is not None:
            contact.language, contact.channel, contact.format = old.language, old.channel, old.format
        session.add(contact)
    contact.valid = True
    contact.invalid_reason = None
    contact.priority = old.priority if old is not None else 0
    if old is not None and old.id != contact.id and old.email.lower() != email.lower():
        old.valid = False
        old.invalid_reason = f"replaced by {email} ({actor})"
    session.flush()
    events.record(
        session,
        "contact.replaced" if old is not None else "contact.added",
        customer_id=customer_id,
        actor=actor,
        email=email,
        role=role,
        replaces=old.email if old is not None else None,
    )
    return contact


def resend_to(
    database: Database,
    settings: Settings,
    number: str,
    email: str,
    *,
    actor: str,
    dispatch_id: int | None = None,
) -> ActionResult:
    """Send the invoice to another address, which becomes the customer's contact for that role."""
    from jalon.handlers.dispatching import new_dispatch, send_dispatch

    address = valid_address(email)
    if address is None:
        return ActionResult(False, f"not an e-mail address: {email!r}", number)
    with database.session() as session:
        invoice = find_invoice(session, number)
        if invoice is None:
            return ActionResult(False, f"no invoice {number}", number)
        if invoice.state not in RESENDABLE:
            return ActionResult(False, f"invoice {number} is {invoice.state}: nothing to resend", number)
        if invoice.customer_id is None:
            return ActionResult(False, f"invoice {number} has no customer", number)
        previous = session.get(Dispatch, dispatch_id) if dispatch_id else None
        if previous is None or previous.invoice_id != invoice.id:
            previous = invoice.dispatches[-1] if invoice.dispatches else None
        old = session.get(Contact, previous.contact_id) if previous and previous.contact_id else None
        role = previous.role if previous is not None else "buyer"
        contact = _replace_contact(
            session, invoice.customer_id, address, role, old, actor=actor, source="staff"
        )
        copy = new_dispatch(session, invoice, contact, copy_of=_root(session, previous) if previous else None)
        send_dispatch(session, settings, copy, actor=actor)
        events.record(
            session,
            "invoice.resent",
            invoice_id=invoice.id,
            dispatch_id=copy.id,
            actor=actor,
            recipients=[address],
            replaces=previous.recipient if previous else None,
        )
        cases.close_invoice_cases(
            session,
            invoice.id,
            actor=actor,
            kinds=("bounced", "send_failed", "not_received", "contact_left"),
            resolution=f"sent to {address} by {actor}",
        )
        return ActionResult(True, f"invoice {number} sent to {address}, now the {role} contact", number)


def mark_disputed(
    database: Database,
    settings: Settings,
    number: str,
    *,
    actor: str,
    reason: str,
    now: dt.datetime | None = None,
) -> ActionResult:
    """A person learnt of a dispute (phone, meeting): reminders stop and a dispute case follows it. `now`:
    when (a dispute learnt earlier, recorded late; tests of the scenarios' calendar)."""
    from jalon.handlers.returns import DISPUTE_PAUSE

    if not (reason or "").strip():
        return ActionResult(False, "a dispute needs a reason", number)
    with database.session() as session:
        invoice = find_invoice(session, number)
        if invoice is None:
            return ActionResult(False, f"no invoice {number}", number)
        if invoice.state in ("cancelled", "paid", "replaced"):
            return ActionResult(False, f"invoice {number} is {invoice.state}", number)
        now = now or utcnow()
        invoice.paused_until = now + DISPUTE_PAUSE
        invoice.pause_reason = "dispute"
        events.record(session, "invoice.disputed", invoice_id=invoice.id, actor=actor, reason=reason, at=now)
        cases.close_invoice_cases(
            session,
            invoice.id,
            actor=actor,
            kinds=("late", "not_received", "question"),
            resolution=f"disputed: {reason} ({actor})",
        )
        cases.open_case(
            session,
            "dispute",
            f"{invoice.number} disputed by the customer",
            key=cases.case_key("dispute", "invoice", invoice.id),
            facts={"number": invoice.number, "reason": reason, "reported_by": actor},
            invoice_id=invoice.id,
            customer_id=invoice.customer_id,
            actor=actor,
        )
        return ActionResult(True, f"invoice {number} marked disputed: reminders paused", number)


def _open_case(session: Session, case_id: int, kind: str | None = None) -> Case | None:
    """The case while it is open (and of that kind, when one is named), else None."""
    case = session.get(Case, case_id)
    if case is None or case.state != "open" or (kind is not None and case.kind != kind):
        return None
    return case


def approve_contact_change(
    database: Database, settings: Settings, case_id: int, *, actor: str, email: str | None = None
) -> ActionResult:
    """Apply a change of address asked by mail, once a person has checked it with the customer."""
    from sqlalchemy import func

    from jalon.models import InboundMessage

    with database.session() as session:
        case = _open_case(session, case_id, "contact_change")
        if case is None:
            return ActionResult(False, f"no open contact change #{case_id}")
        invoice = session.get(Invoice, case.invoice_id) if case.invoice_id else None
        number = invoice.number if invoice else None
        address = valid_address(email or (case.facts or {}).get("new_contact"))
        if address is None:
            return ActionResult(
                False,
                "no new address in the message: bank details are never changed from chat, "
                "change them in the billing tool",
                number,
            )
        customer_id = case.customer_id or (invoice.customer_id if invoice else None)
        if customer_id is None:
            return ActionResult(False, "the message is tied to no customer", number)
        dispatch = session.get(Dispatch, case.dispatch_id) if case.dispatch_id else None
        inbound = session.get(InboundMessage, case.inbound_id) if case.inbound_id else None
        old = session.get(Contact, dispatch.contact_id) if dispatch and dispatch.contact_id else None
        if old is None and inbound is not None:
            old = session.scalar(
                select(Contact).where(
                    Contact.customer_id == customer_id, func.lower(Contact.email) == inbound.mail_from.lower()
                )
            )
        role = old.role if old is not None else "buyer"
        _replace_contact(session, customer_id, address, role, old, actor=actor, source="approved_change")
        events.record(
            session,
            "contact.change_approved",
            case_id=case.id,
            invoice_id=case.invoice_id,
            customer_id=customer_id,
            actor=actor,
            email=address,
            role=role,
        )
        cases.close_case(session, case, actor=actor, resolution=f"{address} approved as {role} by {actor}")
        return ActionResult(True, f"{address} is now the {role} contact", number)


def reject_contact_change(
    database: Database, settings: Settings, case_id: int, *, actor: str, reason: str | None = None
) -> ActionResult:
    """Refuse a change asked by mail (it may be an invoice fraud attempt): nothing changes."""
    with database.session() as session:
        case = _open_case(session, case_id, "contact_change")
        if case is None:
            return ActionResult(False, f"no open contact change #{case_id}")
        events.record(
            session,
            "contact.change_rejected",
            case_id=case.id,
            invoice_id=case.invoice_id,
            actor=actor,
            reason=reason,
        )
        cases.close_case(
            session,
            case,
            actor=actor,
            resolution=f"change rejected by {actor}{': ' + reason if reason else ''}",
        )
        return ActionResult(True, "contact change rejected: nothing changed")


def assign_case(database: Database, case_id: int, *, actor: str) -> ActionResult:
    """Someone takes the case: the card shows who is on it."""
    with database.session() as session:
        case = _open_case(session, case_id)
        if case is None:
            return ActionResult(False, f"case #{case_id} is not open")
        previous = case.assignee
        case.assignee = actor
        events.record(
            session,
            "case.assigned",
            case_id=case.id,
            invoice_id=case.invoice_id,
            actor=actor,
            previous=previous,
        )
        return ActionResult(True, f"case assigned to {actor}")


def snooze_case(database: Database, case_id: int, days: int, *, actor: str) -> ActionResult:
    """Put a case aside for N days; its invoice's reminders wait as long."""
    if not 1 <= days <= 365:
        return ActionResult(False, "snooze between 1 and 365 days")
    with database.session() as session:
        case = _open_case(session, case_id)
        if case is None:
            return ActionResult(False, f"case #{case_id} is not open")
        until = utcnow() + dt.timedelta(days=days)
        case.snoozed_until = until
        invoice = session.get(Invoice, case.invoice_id) if case.invoice_id else None
        if invoice is not None and (invoice.paused_until is None or invoice.paused_until < until):
            invoice.paused_until = until
            invoice.pause_reason = invoice.pause_reason or "snoozed"
        events.record(
            session,
            "case.snoozed",
            case_id=case.id,
            invoice_id=case.invoice_id,
            actor=actor,
            days=days,
            until=until,
        )
        return ActionResult(True, f"snoozed until {until:%Y-%m-%d}", invoice.number if invoice else None)


# --- milestones, scenarios and payments (issue 5): what chat buttons, the API and the CLI call -----------


def mark_paid(
    database: Database,
    settings: Settings,
    number: str,
    *,
    actor: str,
    amount: Any = None,
    paid_on: Any = None,
    reference: str | None = None,
    source: str = "manual",
) -> ActionResult:
    """Money received for an invoice: the whole outstanding amount unless `amount` says less (a partial
    payment is kept and reminders go on for the rest). Paid in full stops every scenario step."""
    from decimal import Decimal, InvalidOperation

    from jalon.payments import pay

    try:
        value = Decimal(str(amount)) if amount not in (None, "") else None
    except InvalidOperation:
        return ActionResult(False, f"not an amount: {amount!r}", number)
    if value is not None and (not value.is_finite() or abs(value) >= MAX_AMOUNT):
        return ActionResult(False, f"not an amount: {amount!r}", number)  # NaN, Infinity, 1e400
    try:
        day = dt.date.fromisoformat(str(paid_on)[:10]) if paid_on not in (None, "") else None
    except ValueError:
        return ActionResult(False, f"not a date (YYYY-MM-DD): {paid_on!r}", number)
    if day is not None and day > utcnow().date() + dt.timedelta(days=1):
        return ActionResult(False, f"not a date (YYYY-MM-DD): {paid_on!r} is still to come", number)
    ok, message, data = pay(
        database, number, actor=actor, amount=value, paid_on=day, reference=reference, source=source
    )
    return ActionResult(ok, message, number, data)


MAX_AMOUNT = 10**12  # no invoice is paid a thousand billion: beyond, a typo or a probe


def _confirm(database: Database, number: str, event_type: str, *, actor: str, **data: Any) -> ActionResult:
    from jalon.scenarios import settle_milestones

    with database.session() as session:
        invoice = find_invoice(session, number)
        if invoice is None:
            return ActionResult(False, f"no invoice {number}", number)
        if invoice.state in ("cancelled", "replaced"):
            return ActionResult(False, f"invoice {number} is {invoice.state}", number)
        events.record(session, event_type, invoice_id=invoice.id, actor=actor, **data)
        session.flush()
        met = settle_milestones(session, invoice, actor=actor)
        return ActionResult(True, f"invoice {number}: {event_type} recorded", number, {"milestones_met": met})


def mark_received(database: Database, settings: Settings, number: str, *, actor: str) -> ActionResult:
    """A person knows the customer has the invoice (a call, a portal): the 'received' milestone is met."""
    return _confirm(database, number, "invoice.receipt_confirmed", actor=actor, level="confirmed")


def mark_approved(
    database: Database, settings: Settings, number: str, *, actor: str, source: str = "staff"
) -> ActionResult:
    """The customer approved the invoice for payment (validator, platform status, a call)."""
    return _confirm(database, number, "invoice.approved", actor=actor, source=source, level="approved")


def resume_reminders(
    database: Database,
    settings: Settings,
    number: str,
    *,
    actor: str,
    resolution: str | None = None,
    now: dt.datetime | None = None,
) -> ActionResult:
    """Lift a pause (dispute settled, promise withdrawn, snooze ended early): the scenario goes on at the
    next tick, with only the latest due step of each ladder (no burst of stale reminders)."""
    from jalon.scenarios import release_parked

    with database.session() as session:
        invoice = find_invoice(session, number)
        if invoice is None:
            return ActionResult(False, f"no invoice {number}", number)
        reason = invoice.pause_reason
        invoice.paused_until = None
        invoice.pause_reason = None
        shifted = _shift_after_dispute(session, invoice, now or utcnow()) if reason == "dispute" else 0
        released = release_parked(session, invoice_id=invoice.id)
        if invoice.customer_id is not None:
            released += release_parked(session, customer_id=invoice.customer_id)
        kind = "invoice.dispute_resolved" if reason == "dispute" else "invoice.pause_lifted"
        events.record(
            session, kind, invoice_id=invoice.id, actor=actor, reason=reason, resolution=resolution, at=now
        )
        if reason == "dispute":
            cases.close_invoice_cases(
                session,
                invoice.id,
                actor=actor,
                kinds=("dispute",),
                resolution=f"dispute resolved by {actor}{': ' + resolution if resolution else ''}",
            )
        return ActionResult(
            True,
            f"invoice {number}: reminders resume",
            number,
            {"released_steps": released, "shifted_steps": shifted},
        )


def _shift_after_dispute(session: Session, invoice: Invoice, now: dt.datetime) -> int:
    """A settled dispute stopped the clock: every step still to come (of this invoice, and of the customer's
    other invoices it paused) moves on by the time the dispute lasted, so the ladder goes on where it stood
    instead of jumping to the formal notice whose date passed meanwhile."""
    from jalon.models import ScenarioStep

    began = events.last_at(session, invoice.id, "invoice.disputed")
    if began is None:
        return 0
    lasted = now - began
    if lasted <= dt.timedelta(0):
        return 0
    scope = ScenarioStep.invoice_id == invoice.id
    if invoice.customer_id is not None:
        scope = scope | (ScenarioStep.customer_id == invoice.customer_id)
    steps = list(session.scalars(select(ScenarioStep).where(scope, ScenarioStep.state == "scheduled")))
    for step in steps:
        step.due_at = step.due_at + lasted
    return len(steps)


def resolve_dispute(
    database: Database,
    settings: Settings,
    number: str,
    *,
    actor: str,
    resolution: str | None = None,
    now: dt.datetime | None = None,
) -> ActionResult:
    return resume_reminders(database, settings, number, actor=actor, resolution=resolution, now=now)


def hand_over(database: Database, settings: Settings, number: str, *, actor: str) -> ActionResult:
    """Hand the invoice over to the collection agency now (mail, CSV or API as configured)."""
    from jalon.businesstime import BusinessCalendar
    from jalon.collection import hand_over as hand_over_action
    from jalon.dunning import ActionContext, StepProblem
    from jalon.models import ScenarioStep

    after_commit: list[Any] = []
    with database.session() as session:
        invoice = find_invoice(session, number)
        if invoice is None:
            return ActionResult(False, f"no invoice {number}", number)
        if invoice.state != "sent":
            return ActionResult(False, f"invoice {number} is {invoice.state}: nothing to collect", number)
        context = ActionContext(
            session, settings, BusinessCalendar.from_settings(settings), utcnow(), after_commit
        )
        step = ScenarioStep(name=f"by {actor}"[:64], action="hand_over", params={}, milestone="paid")
        try:
            result = hand_over_action(context, step, invoice)
        except StepProblem as problem:
            return ActionResult(False, str(problem), number)
    for action in after_commit:
        action()
    return ActionResult(True, f"invoice {number} handed over ({result['mode']})", number, result)
