"""The outbox sender: what was committed leaves, after the commit, and its outcome is recorded.

Mail goes through `[outbound]` with aiosmtplib: VERP envelope sender, DSN requested where the relay offers it
(NOTIFY=SUCCESS,FAILURE,DELAY with ORCPT per recipient, RET=HDRS, ENVID=token). A 4xx or a connection
problem is retried with exponential backoff; a 5xx is recorded as a refusal and handed to the bounce use case.
Other outbox kinds (chat cards, webhooks, platform channels) are sent by the callables registered for them.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import re
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiosmtplib
from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from jalon import events
from jalon.config import Settings
from jalon.db import Database, claim, load_blobs, store_blob, utcnow
from jalon.mailbox.compose import Composed
from jalon.mailbox.waiting import idle
from jalon.models import Customer, Dispatch, Invoice, Outbox

log = logging.getLogger(__name__)
LEASE = dt.timedelta(minutes=5)
BATCH_WAIT = 0.05  # seconds an outbox pass that found a partial batch waits before the next one
_ENHANCED = re.compile(r"\b([245]\.\d{1,3}\.\d{1,3})\b")


def xtext(value: str) -> str:
    """RFC 3461 xtext: printable ASCII except '+' and '=' as is, the rest as +HH."""
    return "".join(
        ch if 33 <= ord(ch) <= 126 and ch not in "+=" else "".join(f"+{b:02X}" for b in ch.encode())
        for ch in value
    )


def queue_mail(
    session: Session, composed: Composed, *, dispatch_id: int | None = None, about: list[int] | None = None
) -> Outbox:
    """Put a composed mail in the outbox; it leaves after the surrounding transaction commits."""
    digest = store_blob(session, composed.data)
    item = Outbox(
        kind="mail",
        dispatch_id=dispatch_id,
        mail_from=composed.mail_from,
        rcpt_to=list(composed.rcpt_to),
        blob_sha256=digest,
        payload={
            "envid": composed.envid,
            "message_id": composed.message_id,
            "subject": composed.subject,
            **({"about_invoices": about} if about else {}),  # a reminder: it asks for these to be paid
        },
        next_attempt_at=utcnow(),
    )
    session.add(item)
    return item


@dataclass
class MailResult:
    outbox_id: int
    ok: bool
    permanent: bool = False
    code: int | None = None
    message: str = ""
    dsn: bool = False

    @property
    def status(self) -> str | None:
        found = _ENHANCED.search(self.message)
        if found:
            return found.group(1)
        if self.code:
            return f"{str(self.code)[0]}.0.0"
        return None


@dataclass
class MailItem:
    outbox_id: int
    mail_from: str
    rcpt_to: list[str]
    data: bytes
    envid: str | None


KindSender = Callable[[Database, Settings, Outbox], Awaitable[None]]


class OutboxSender:
    """Claims due outbox items, sends them, records the outcome. Safe to run in several processes."""

    def __init__(self, settings: Settings, database: Database, senders: dict[str, KindSender] | None = None):
        self.settings = settings
        self.database = database
        self.senders = dict(senders or {})
        self.owner = f"{socket.gethostname()}:{os.getpid()}:outbox:{id(self):x}"

    # claiming -----------------------------------------------------------------------------------------------

    def _claim(self, now: dt.datetime) -> tuple[list[MailItem], list[int]]:
        with self.database.session() as session:
            ids = claim(
                session,
                Outbox,
                Outbox.status == "pending",
                Outbox.next_attempt_at <= now,
                owner=self.owner,
                lease=LEASE,
                now=now,
                limit=self.settings.outbound.batch_size,
                order_by=Outbox.next_attempt_at,
            )
            if not ids:
                return [], []
            mails: list[MailItem] = []
            others: list[int] = []
            items = list(session.scalars(select(Outbox).where(Outbox.id.in_(ids)).order_by(Outbox.id)))
            items = [item for item in items if not _settled_before_leaving(session, item, now)]
            data = load_blobs(session, [i.blob_sha256 for i in items if i.kind == "mail" and i.blob_sha256])
            for item in items:
                if item.kind == "mail" and item.blob_sha256:
                    mails.append(
                        MailItem(
                            item.id,
                            item.mail_from or self.settings.from_address,
                            list(item.rcpt_to),
                            data[item.blob_sha256],
                            (item.payload or {}).get("envid"),
                        )
                    )
                else:
                    others.append(item.id)
            return mails, others

    async def send_due(self, now: dt.datetime | None = None) -> int:
        """Send what is due now; returns the number of items handled."""
        now = now or utcnow()
        mails, others = await asyncio.to_thread(self._claim, now)
        if mails:
            results = await self._deliver(mails)
            await asyncio.to_thread(self._record_mail_results, results)
        await self._send_others(others)
        return len(mails) + len(others)

    async def _send_others(self, others: list[int]) -> None:
        """In order, except kinds whose sender declares a `concurrency` (CPU work in the pool: conversions),
        which run side by side so that every core works."""
        if not others:
            return

        def kinds_of() -> dict[int, str]:
            with self.database.session() as session:
                return dict(
                    session.execute(select(Outbox.id, Outbox.kind).where(Outbox.id.in_(others))).all()
                )

        kinds = await asyncio.to_thread(kinds_of)
        parallel = [i for i in others if getattr(self.senders.get(kinds.get(i, "")), "concurrency", 1) > 1]
        for outbox_id in others:
            if outbox_id not in parallel:
                await self._send_other(outbox_id)
        if parallel:
            await asyncio.gather(*(self._send_other(outbox_id) for outbox_id in parallel))

    async def run(
        self, stop: asyncio.Event, wake: asyncio.Event | None = None, interval: float = 1.0
    ) -> None:
        wake = wake or asyncio.Event()
        while not stop.is_set():
            try:
                handled = await self.send_due()
            except Exception:
                log.exception("outbox pass failed")
                handled = 0
            if handled >= self.settings.outbound.batch_size:
                continue
            if handled:
                # Under a steady flow the worker wakes the outbox after every message: a short pause lets a
                # batch gather, so that one connection and one transaction serve several mails.
                await asyncio.wait([asyncio.ensure_future(stop.wait())], timeout=BATCH_WAIT)
                continue
            await idle(stop, wake, interval)

    # mail -------------------------------------------------------------------------------------------------

    async def _deliver(self, items: list[MailItem]) -> list[MailResult]:
        out = self.settings.outbound
        client = aiosmtplib.SMTP(
            hostname=out.host,
            port=out.port,
            timeout=out.timeout.total_seconds(),
            use_tls=out.use_tls,
            start_tls=out.starttls if out.starttls else False,
            local_hostname=self.settings.gateway.domain,
        )
        try:
            await client.connect()
            if client.last_ehlo_response is None:  # connect() greets lazily; DSN support is known after EHLO
                await client.ehlo()
            if out.user:
                await client.login(out.user, self.settings.secret(out.password_env) or "")
        except aiosmtplib.SMTPResponseException as error:
            # The relay refused us as a client (greeting, auth): our problem, never the recipient's; retry.
            return [
                MailResult(i.outbox_id, False, code=error.code, message=f"relay refused: {error.message}")
                for i in items
            ]
        except (aiosmtplib.SMTPException, OSError) as error:
            return [
                MailResult(i.outbox_id, False, message=f"cannot connect to {out.host}:{out.port}: {error}")
                for i in items
            ]
        results = []
        try:
            dsn = client.supports_extension("dsn")
            for item in items:
                results.append(await self._send_one(client, item, dsn))
        finally:
            try:
                await client.quit()
            except Exception:
                client.close()
        return results

    async def _send_one(self, client: aiosmtplib.SMTP, item: MailItem, dsn: bool) -> MailResult:
        mail_options = ["RET=HDRS"] + ([f"ENVID={xtext(item.envid)}"] if item.envid else []) if dsn else []
        try:
            await client.mail(item.mail_from, options=mail_options)
            for rcpt in item.rcpt_to:
                options = ["NOTIFY=SUCCESS,FAILURE,DELAY", f"ORCPT=rfc822;{xtext(rcpt)}"] if dsn else []
                await client.rcpt(rcpt, options=options)
            response = await client.data(item.data)
            return MailResult(item.outbox_id, True, code=response.code, message=response.message, dsn=dsn)
        except aiosmtplib.SMTPResponseException as error:
            with contextlib.suppress(Exception):
                await client.rset()
            return MailResult(
                item.outbox_id,
                False,
                permanent=error.code >= 500,
                code=error.code,
                message=error.message,
                dsn=dsn,
            )
        except (aiosmtplib.SMTPException, OSError) as error:
            return MailResult(item.outbox_id, False, message=str(error), dsn=dsn)

    def _backoff(self, attempts: int) -> dt.timedelta:
        out = self.settings.outbound
        return min(out.retry_base * (2 ** max(attempts - 1, 0)), out.retry_max)

    def _record_mail_results(self, results: list[MailResult]) -> None:
        """The outcomes of one batch, in one transaction; if that fails, one transaction per outcome, so that
        one bad record never leaves the others unrecorded (and their mails sent twice after the lease)."""
        try:
            with self.database.session() as session:
                loaded = _load_for_recording(session, [result.outbox_id for result in results])
                for result in results:
                    self._record_mail_result(session, result)
                del loaded
        except Exception:
            log.exception("recording %d mail results together failed: one by one", len(results))
            for result in results:
                try:
                    with self.database.session() as session:
                        self._record_mail_result(session, result)
                except Exception:
                    log.exception("recording the result of outbox item %s failed", result.outbox_id)

    def _record_mail_result(self, session: Session, result: MailResult) -> None:
        from jalon.handlers import actions

        item = session.get(Outbox, result.outbox_id)
        if item is None or item.locked_by != self.owner or item.status != "pending":
            return
        item.attempts += 1
        item.locked_by = None
        item.locked_until = None
        dispatch = session.get(Dispatch, item.dispatch_id) if item.dispatch_id else None
        now = utcnow()
        if result.ok:
            item.status = "sent"
            item.sent_at = now
            if dispatch is not None:
                mark_dispatch_sent(session, dispatch, item, result, now, settings=self.settings)
            else:
                events.record(
                    session,
                    "mail.sent",
                    rcpt_to=item.rcpt_to,
                    subject=item.payload.get("subject"),
                    response=f"{result.code} {result.message}",
                )
            return
        item.last_error = f"{result.code or ''} {result.message}".strip()
        exhausted = item.attempts >= self.settings.outbound.max_attempts
        if result.permanent or exhausted:
            item.status = "failed"
            if dispatch is not None:
                actions.on_send_failed(
                    session,
                    self.settings,
                    dispatch,
                    code=result.code,
                    status=result.status,
                    message=result.message,
                    permanent=result.permanent,
                )
            else:
                events.record(session, "mail.failed", rcpt_to=item.rcpt_to, error=item.last_error)
        else:
            item.next_attempt_at = now + self._backoff(item.attempts)
            events.record(
                session,
                "dispatch.deferred" if dispatch else "mail.deferred",
                invoice_id=dispatch.invoice_id if dispatch else None,
                dispatch_id=dispatch.id if dispatch else None,
                attempt=item.attempts,
                error=item.last_error,
                retry_at=item.next_attempt_at,
            )

    # other kinds ------------------------------------------------------------------------------------------

    async def _send_other(self, outbox_id: int) -> None:
        with self.database.session() as session:
            item = session.get(Outbox, outbox_id)
            if item is None or item.locked_by != self.owner:
                return
            kind = item.kind
            session.expunge(item)
        sender = self.senders.get(kind)
        with self.database.session() as session:
            row = session.get(Outbox, outbox_id)
            assert row is not None
            row.locked_by = None
            row.locked_until = None
            if sender is None:
                row.status = "skipped"
                row.last_error = f"no sender configured for {kind!r} items"
                return
        try:
            await sender(self.database, self.settings, item)
        except Exception as error:
            log.exception("outbox %s item %s failed", kind, outbox_id)
            with self.database.session() as session:
                row = session.get(Outbox, outbox_id)
                assert row is not None
                row.attempts += 1
                row.last_error = str(error)[:2000]
                if row.attempts >= self.settings.outbound.max_attempts:
                    row.status = "failed"
                else:
                    row.next_attempt_at = utcnow() + self._backoff(row.attempts)
            return
        with self.database.session() as session:
            row = session.get(Outbox, outbox_id)
            assert row is not None
            row.status = "sent"
            row.sent_at = utcnow()
            row.attempts += 1


SETTLED = ("paid", "cancelled", "replaced")


def _settled_before_leaving(session: Session, item: Outbox, now: dt.datetime) -> bool:
    """A reminder whose invoice was paid or cancelled while it waited (the relay was down, it was retried):
    it must not reach the customer. Marked cancelled, with why, and an event on each invoice."""
    about = (item.payload or {}).get("about_invoices") if item.kind == "mail" else None
    if not about:
        return False
    states = dict(session.execute(select(Invoice.id, Invoice.state).where(Invoice.id.in_(about))).all())
    settled = [invoice_id for invoice_id in about if states.get(invoice_id) in SETTLED]
    if not settled:
        return False
    item.status = "cancelled"
    item.locked_by = None
    item.locked_until = None
    item.last_error = "not sent: the invoice was settled before the reminder left"
    for invoice_id in settled:
        events.record(
            session,
            "reminder.withdrawn",
            invoice_id=invoice_id,
            at=now,
            subject=(item.payload or {}).get("subject"),
            state=states[invoice_id],
        )
    return True


def _load_for_recording(session: Session, outbox_ids: list[int]) -> list[object]:
    """The rows that recording a batch of outcomes reads (outbox items, their dispatches, invoices and
    customers), in one query per table instead of four look-ups per mail; the session's `get` then finds them
    in its identity map. Returned so that the caller keeps them referenced while it records."""

    def rows(model: Any, ids: set[int], *options: Any) -> list[Any]:
        return list(session.scalars(select(model).where(model.id.in_(ids)).options(*options))) if ids else []

    items = rows(Outbox, set(outbox_ids))
    dispatches = rows(Dispatch, {item.dispatch_id for item in items if item.dispatch_id})
    # without the invoice's model (`data`, its whole reading as JSON): recording a sent mail never reads it
    invoices = rows(Invoice, {dispatch.invoice_id for dispatch in dispatches}, defer(Invoice.data))
    customers = rows(Customer, {invoice.customer_id for invoice in invoices if invoice.customer_id})
    return [*items, *dispatches, *invoices, *customers]


def mark_dispatch_sent(
    session: Session,
    dispatch: Dispatch,
    item: Outbox,
    result: MailResult,
    now: dt.datetime,
    *,
    settings: Settings | None = None,
) -> None:
    """Our relay took the mail: the 'accepted' level of evidence (not yet delivered)."""
    if dispatch.state in ("pending", "queued"):
        dispatch.state = "sent"
    dispatch.sent_at = dispatch.sent_at or now
    dispatch.message_id = item.payload.get("message_id") or dispatch.message_id
    events.record(
        session,
        "dispatch.sent",
        invoice_id=dispatch.invoice_id,
        dispatch_id=dispatch.id,
        at=now,
        recipient=dispatch.recipient,
        role=dispatch.role,
        response=f"{result.code} {result.message}",
        dsn_requested=result.dsn,
        message_id=dispatch.message_id,
        level="accepted",
    )
    invoice = session.get(Invoice, dispatch.invoice_id)
    if invoice is not None and invoice.state == "ready":
        invoice.state = "sent"
    if invoice is not None and invoice.sent_at is None:
        invoice.sent_at = now
        if settings is not None and invoice.state == "sent":
            from jalon.planning import enrol

            enrol(session, settings, invoice, now)  # on its timeline at once (the tick also catches up)
