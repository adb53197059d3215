"""Channels other than e-mail: the outbox senders that hand a dispatch's file to a platform and follow it.

A dispatch on a channel is queued by `dispatching.send_dispatch` as an outbox item of kind "channel"; its
file is the converted document of the dispatch's format (`handlers.conversion` made and validated it). Each
adapter is a thin module with `deliver(settings, delivery) -> Accepted` and, when the platform reports
statuses later, `follow(database, settings, payload) -> Followed`; what they report is recorded by
`lifecycle`. Follow-ups are outbox items too (kind "follow"), each queuing the next one, so they survive a
restart and run once even with several jalon processes.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from jalon import events
from jalon.config import Settings
from jalon.db import Database, utcnow
from jalon.models import Contact, Dispatch, Invoice, Outbox

log = logging.getLogger(__name__)

ADAPTERS = {
    "chorus": "jalon.channels.chorus",
    "pa": "jalon.channels.pa",
    "https": "jalon.channels.https",
    "sftp": "jalon.channels.sftp",
}
# The format a channel takes when the directory leaves the contact's format at "pdf".
DEFAULT_FORMATS = {"chorus": "facturx", "pa": "facturx", "https": "cxml", "sftp": "edifact"}
# The formats each channel can carry.
ACCEPTS = {
    "chorus": ("facturx", "cii", "ubl"),
    "pa": ("facturx", "cii", "ubl", "peppol"),
    "https": ("cxml", "ubl", "cii", "gs1", "peppol"),
    "sftp": ("edifact", "cii", "ubl", "gs1", "cxml", "facturx", "peppol"),
}


@dataclass
class Delivery:
    """One dispatch's file, ready to hand over."""

    dispatch_id: int
    token: str
    recipient: str
    endpoint: str | None
    invoice_id: int
    invoice_number: str
    fmt: str
    filename: str
    content_type: str
    data: bytes
    profile: str | None = None


@dataclass
class Accepted:
    ref: str  # the platform's id of the deposit (flow number, remote path, payload id)
    detail: dict[str, Any] = field(default_factory=dict)
    follow: dict[str, Any] | None = None  # payload of the first follow-up item; None: nothing to follow
    statuses: list[Any] = field(default_factory=list)  # lifecycle.Status known at once


@dataclass
class Update:
    """A status for one of our dispatches, found by id or by the invoice number the platform quotes."""

    status: Any  # lifecycle.Status
    dispatch_id: int | None = None
    invoice_number: str | None = None
    token: str | None = None  # our tracking id, when the platform quotes it


@dataclass
class Followed:
    updates: list[Update] = field(default_factory=list)
    next: dict[str, Any] | None = None  # payload of the next follow-up; None: done
    delay: dt.timedelta | None = None


def adapter(channel: str) -> Any:
    if channel not in ADAPTERS:
        raise LookupError(f"no channel {channel!r}: use email or one of {', '.join(ADAPTERS)}")
    return importlib.import_module(ADAPTERS[channel])


def effective_format(channel: str, fmt: str | None) -> str:
    """The format a dispatch really needs: the channel's own when the directory left the default 'pdf'."""
    fmt = (fmt or "pdf").lower()
    if channel != "email" and fmt == "pdf":
        return DEFAULT_FORMATS.get(channel, fmt)
    return fmt


# --- outbox senders ----------------------------------------------------------------------------------------


def _load(database: Database, item: Outbox) -> Delivery | None:
    from jalon.handlers.dispatching import documents_to_send

    with database.session() as session:
        dispatch = session.get(Dispatch, item.dispatch_id) if item.dispatch_id else None
        if dispatch is None or dispatch.state not in ("queued", "pending"):
            return None  # cancelled, or already handed over by another attempt
        invoice = session.get(Invoice, dispatch.invoice_id)
        contact = session.get(Contact, dispatch.contact_id) if dispatch.contact_id else None
        assert invoice is not None
        files = documents_to_send(session, invoice, dispatch.format)
        if not files:
            return None
        main = files[0]
        return Delivery(
            dispatch_id=dispatch.id,
            token=dispatch.token,
            recipient=dispatch.recipient,
            endpoint=contact.endpoint if contact else None,
            invoice_id=invoice.id,
            invoice_number=invoice.number,
            fmt=dispatch.format,
            filename=main.filename,
            content_type=main.content_type,
            data=main.data,
        )


def _record_delivery(
    database: Database, settings: Settings, delivery: Delivery, channel: str, outcome: Accepted | str
) -> None:
    from jalon.channels import lifecycle

    with database.session() as session:
        dispatch = session.get(Dispatch, delivery.dispatch_id)
        assert dispatch is not None
        if isinstance(outcome, str):
            lifecycle.record_refused(session, dispatch, channel=channel, reason=outcome)
            return
        lifecycle.record_accepted(session, dispatch, channel=channel, ref=outcome.ref, detail=outcome.detail)
        session.flush()
        for status in outcome.statuses:
            lifecycle.apply(session, settings, dispatch, status, channel=channel)
        if outcome.follow is not None and not (
            outcome.follow.get("singleton") and _following(session, channel)
        ):
            queue_follow(session, settings, {"channel": channel, **outcome.follow})


def _following(session: Any, channel: str) -> bool:
    """A follow-up of this channel is already planned (platform-wide follow-ups run as one chain)."""
    pending = session.scalars(
        select(Outbox.payload).where(Outbox.kind == "follow", Outbox.status == "pending")
    )
    return any((payload or {}).get("channel") == channel for payload in pending)


def queue_follow(
    session: Any, settings: Settings, payload: dict[str, Any], delay: dt.timedelta | None = None
) -> Outbox:
    """Queue the next follow-up; `delay` defaults to the channel's poll interval."""
    channel = payload["channel"]
    if delay is None:
        section = getattr(settings, channel, None)
        delay = getattr(section, "poll_interval", dt.timedelta(hours=1))
    item = Outbox(
        kind="follow",
        dispatch_id=payload.get("dispatch_id"),
        payload=payload,
        next_attempt_at=utcnow() + delay,
    )
    session.add(item)
    return item


async def send_channel(database: Database, settings: Settings, item: Outbox) -> None:
    """Outbox kind "channel": hand the dispatch's file to its platform, record what it answered."""
    import asyncio

    from jalon.channels.oauth import Refused, Temporary

    channel = (item.payload or {}).get("channel") or "?"
    delivery = await asyncio.to_thread(_load, database, item)
    if delivery is None:
        return
    try:
        module = adapter(channel)
        if delivery.fmt not in ACCEPTS.get(channel, ()):
            raise Refused(
                f"{channel} does not take {delivery.fmt} files (it takes {', '.join(ACCEPTS[channel])})"
            )
        outcome: Accepted | str = await module.deliver(settings, delivery)
    except (Refused, LookupError) as error:
        outcome = str(error)
    except Temporary as error:
        if item.attempts + 1 < settings.outbound.max_attempts:
            raise
        outcome = f"gave up after {item.attempts + 1} attempts: {error}"
    await asyncio.to_thread(_record_delivery, database, settings, delivery, channel, outcome)


def _apply_updates(database: Database, settings: Settings, channel: str, followed: Followed) -> None:
    from jalon.channels import lifecycle

    with database.session() as session:
        for update in followed.updates:
            dispatch = _dispatch_for(session, channel, update)
            if dispatch is None:
                events.record(
                    session,
                    "platform.unmatched",
                    actor=channel,
                    number=update.invoice_number,
                    code=update.status.code,
                    ref=update.status.ref,
                )
                continue
            lifecycle.apply(session, settings, dispatch, update.status, channel=channel)
        if followed.next is not None:
            queue_follow(session, settings, {"channel": channel, **followed.next}, followed.delay)


def _dispatch_for(session: Any, channel: str, update: Update) -> Dispatch | None:
    if update.dispatch_id is not None:
        return session.get(Dispatch, update.dispatch_id)
    if update.token:
        return session.scalar(select(Dispatch).where(Dispatch.token == update.token))
    if not update.invoice_number:
        return None
    query = (
        select(Dispatch)
        .join(Invoice, Invoice.id == Dispatch.invoice_id)
        .where(Invoice.number == update.invoice_number, Dispatch.channel == channel)
        .order_by(Invoice.version.desc(), Dispatch.id.desc())
    )
    return session.scalars(query).first()


async def follow(database: Database, settings: Settings, item: Outbox) -> None:
    """Outbox kind "follow": ask the platform what became of what we deposited, record it, plan the next."""
    import asyncio

    from jalon.channels.oauth import ChannelError

    payload = dict(item.payload or {})
    channel = payload.pop("channel", "?")
    try:
        followed: Followed = await adapter(channel).follow(database, settings, payload)
    except ChannelError as error:
        # A platform down must not end the follow-up: ask again at the next interval.
        log.warning("follow-up on %s failed: %s", channel, error)
        followed = Followed(next=payload)
    await asyncio.to_thread(_apply_updates, database, settings, channel, followed)


def senders(settings: Settings) -> dict[str, Any]:
    """The outbox senders of this package, for `app.build`."""
    return {"channel": send_channel, "follow": follow}
