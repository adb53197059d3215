"""A credit note is set against the invoice it corrects, as soon as it is released.

The customer pays the invoice less the credit note; without this, the invoice would show the credit note's
amount as still owed, and reminders, the formal notice and its penalties would chase money nobody owes. The
invoices a credit note names (BT-25, "Avoir sur facture F-1050") of the same customer get its amount, in the
order named, each up to what it still owes (the last one the rest: a credit beyond what was owed is money to
give back, said as an overpayment, with a case). A credit note naming no invoice that has left is said on
its journey; the scheduler sets it against its invoice once that leaves (it was held for approval, or came
later), for 90 days.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jalon import events
from jalon.db import Database, utcnow
from jalon.models import Event, Invoice

SOURCE = "credit_note"
RELEASED = ("ready", "sent", "paid")  # an invoice (or credit note) that left, or is leaving
WAITING = dt.timedelta(days=90)  # how long a credit note waits for the invoice it names to leave


def apply_credit_note(
    session: Session,
    credit_note: Invoice,
    *,
    actor: str,
    now: dt.datetime | None = None,
    say_unallocated: bool = True,
) -> list[tuple[str, Decimal]]:
    """Set a released credit note against the invoices it names; returns (invoice number, amount) per
    invoice credited. Applied once: a credit note released again (a resend, a second release) adds nothing.
    `say_unallocated`: record that none of them could be found (once, at its release)."""
    from jalon import payments

    if credit_note.doc_type != "credit_note" or applied(session, credit_note):
        return []
    now = now or utcnow()
    amount = Decimal(credit_note.amount_due or credit_note.total_with_vat or 0)
    named = _named_numbers(credit_note.data)
    targets = [found for number in named if (found := _corrected(session, credit_note, number)) is not None]
    if amount <= 0 or not targets:
        if say_unallocated:
            events.record(session, "credit_note.unallocated", invoice_id=credit_note.id, actor=actor,
                          named=named, amount=amount)  # fmt: skip
        return []
    owing = [invoice for invoice in targets if payments.owed_now(invoice) > 0] or targets[-1:]
    credited: list[tuple[str, Decimal]] = []
    for allocation in payments.Matcher.allocate(owing, amount):
        invoice, share = allocation.invoice, allocation.amount
        payments.record_payment(
            session,
            invoice,
            share,
            credit_note.issue_date or now.date(),
            actor=actor,
            source=SOURCE,
            currency=credit_note.currency,
            reference=credit_note.number,
            data={"credit_note_id": credit_note.id},
            now=now,
        )
        over = payments.excess(invoice)
        if over > 0:
            origin = f"credit note {credit_note.number}"
            payments.open_overpaid_case(
                session, invoice, over, credit_note.currency, reference=credit_note.number, origin=origin
            )
        credited.append((invoice.number, share))
    events.record(session, "credit_note.applied", invoice_id=credit_note.id, actor=actor,
                  invoices=[{"number": n, "amount": a} for n, a in credited])  # fmt: skip
    return credited


def allocate_waiting(database: Database, now: dt.datetime) -> int:
    """Credit notes released while no invoice they name had left (it was held, or came later): set against
    it once it has (a scheduler pass; the release itself stays free of this look-up). Returns how many."""
    recent = now - WAITING
    with database.session() as session:
        credited_ids = select(Event.invoice_id).where(Event.type == "credit_note.applied")
        waiting = session.scalars(
            select(Event.invoice_id)
            .where(
                Event.type == "credit_note.unallocated",
                Event.at >= recent,
                Event.invoice_id.not_in(credited_ids),
            )
            .distinct()
        ).all()
        done = 0
        for credit_note_id in waiting:
            credit_note = session.get(Invoice, credit_note_id)
            if credit_note is not None and credit_note.state in RELEASED:
                done += bool(
                    apply_credit_note(session, credit_note, actor="jalon", now=now, say_unallocated=False)
                )
        return done


def _named_numbers(data: dict[str, Any] | None) -> list[str]:
    numbers = []
    for preceding in (data or {}).get("preceding_invoices") or []:
        number = (preceding or {}).get("number") if isinstance(preceding, dict) else None
        if number and number not in numbers:
            numbers.append(str(number))
    return numbers


def _corrected(session: Session, credit_note: Invoice, number: str) -> Invoice | None:
    """The invoice `number` of the credit note's issuer, customer and currency that left (the newest copy)."""
    query = (
        select(Invoice)
        .where(
            Invoice.number == number,
            Invoice.issuer == credit_note.issuer,
            Invoice.doc_type != "credit_note",
            Invoice.currency == credit_note.currency,  # a credit in another currency is for a person
            Invoice.state.in_(RELEASED),
        )
        .order_by(Invoice.version.desc(), Invoice.id.desc())
    )
    if credit_note.customer_id is not None:
        query = query.where(Invoice.customer_id == credit_note.customer_id)
    return session.scalars(query.limit(1)).first()


def applied(session: Session, credit_note: Invoice) -> bool:
    """Has this credit note been set against an invoice already?"""
    return events.last_at(session, credit_note.id, "credit_note.applied") is not None
