"""The append-only event log: every step of every invoice, dispatch and message, with its evidence."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from jalon.models import Event, _now


@dataclass(slots=True)
class PendingEvent:
    """An event recorded in this transaction and not written yet: plain data, written at commit with the
    others in one statement (an ORM object per event, a dozen per invoice, cost more than writing them)."""

    type: str
    invoice_id: int | None
    dispatch_id: int | None
    inbound_id: int | None
    case_id: int | None
    customer_id: int | None
    actor: str
    data: dict[str, Any]
    at: dt.datetime | None = None
    written: Event | None = None  # its row, when a query about events made it an ORM object first

    @property
    def id(self) -> int | None:
        return self.written.id if self.written is not None else None

    def row(self) -> dict[str, Any]:
        if self.at is None:
            self.at = _now()  # what the column default would give, kept for the caller holding the event
        return {column: getattr(self, column) for column in _COLUMNS}


def record(
    session: Session,
    type_: str,
    *,
    invoice_id: int | None = None,
    dispatch_id: int | None = None,
    inbound_id: int | None = None,
    case_id: int | None = None,
    customer_id: int | None = None,
    actor: str = "jalon",
    at: dt.datetime | None = None,
    **data: Any,
) -> Event | PendingEvent:
    """Append one event; never updated nor deleted afterwards."""
    pending = PendingEvent(
        type_, invoice_id, dispatch_id, inbound_id, case_id, customer_id, actor, _jsonable(data), at=at
    )
    if session.in_nested_transaction():
        # a savepoint rolled back must take its events with it: the ORM does
        pending.written = Event(**pending.row())
        session.add(pending.written)
        return pending.written
    session.info.setdefault(_PENDING, []).append(pending)
    return pending


# Events are written when the transaction commits, all in one statement, rather than one flush at a time:
# an invoice's pipeline records a dozen of them between its queries, and each made the next query flush.
# The statement is a plain executemany: handed to the ORM, SQLite's INSERT … RETURNING (the ORM wants each
# new id back, in order) went out one row at a time. A query that reads events first writes the pending ones
# (then through the ORM), so a transaction always sees its own events.
_PENDING = "jalon_pending_events"
_COLUMNS = (
    *("type", "invoice_id", "dispatch_id", "inbound_id", "case_id", "customer_id", "actor", "data"),
    "at",
)


@sa_event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    pending: list[PendingEvent] | None = session.info.pop(_PENDING, None)
    if pending:
        session.connection().execute(Event.__table__.insert(), [event.row() for event in pending])


@sa_event.listens_for(Session, "do_orm_execute")
def _before_reading_events(state: ORMExecuteState) -> None:
    if state.session.info.get(_PENDING) and any(m.class_ is Event for m in state.all_mappers):
        for pending in state.session.info.pop(_PENDING):
            pending.written = Event(**pending.row())
            state.session.add(pending.written)


@sa_event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous: SessionTransaction) -> None:
    if not previous.nested:
        session.info.pop(_PENDING, None)


def last_at(session: Session, invoice_id: int, type_: str) -> dt.datetime | None:
    """When an event of this type was last recorded for the invoice (None: never)."""
    return session.scalar(
        select(Event.at)
        .where(Event.invoice_id == invoice_id, Event.type == type_)
        .order_by(Event.at.desc())
        .limit(1)
    )


def for_invoice(session: Session, invoice_id: int) -> list[Event]:
    return list(session.scalars(select(Event).where(Event.invoice_id == invoice_id).order_by(Event.id)))


def as_dict(event: Event) -> dict[str, Any]:
    return {
        "type": event.type,
        "at": event.at.isoformat() if event.at else None,
        "actor": event.actor,
        "dispatch_id": event.dispatch_id,
        "data": event.data,
    }


def _jsonable(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value
