"""The append-only event log: every step of every invoice, dispatch and message, with its evidence."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jalon.models import Event


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
) -> Event:
    """Append one event; never updated nor deleted afterwards."""
    event = Event(
        type=type_,
        invoice_id=invoice_id,
        dispatch_id=dispatch_id,
        inbound_id=inbound_id,
        case_id=case_id,
        customer_id=customer_id,
        actor=actor,
        data=_jsonable(data),
    )
    if at is not None:
        event.at = at
    session.add(event)
    return event


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
