"""The worker: route -> classify -> pipeline, for every committed inbound message, exactly once.

A message is claimed with a lease; the CPU work (MIME, PDF, XML, classification, and the formats its
customer wants, made ahead: `_convert_ahead`) runs in the process pool outside any transaction; the
pipeline's steps then run in one transaction that first checks the claim is still ours. `run` is a
pipeline: messages are claimed and sent to the pool while earlier ones are applied, in claim order.
Any error rolls the transaction back and sets the message aside as a case (Retry / Discard).
At start-up, leases left by a crashed process are released, so nothing committed is ever lost.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as dt
import logging
import os
import socket
import traceback
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from jalon import events
from jalon.config import Settings
from jalon.db import Database, claim, load_blobs, utcnow
from jalon.handlers import PIPELINES, cases, steps
from jalon.handlers.context import Context, StopPipeline
from jalon.mailbox.addresses import Route, route
from jalon.mailbox.waiting import idle
from jalon.models import InboundMessage

log = logging.getLogger(__name__)
LEASE = dt.timedelta(minutes=5)
GROUP_MAX = 8  # messages applied in one transaction at most (the ones the pool finished together)
# Kinds that are never invoices even when they arrive at invoices@ (a billing tool's bounces, auto-replies).
RETURN_KINDS = ("bounce", "delay", "delivered", "read_receipt", "autoreply", "feedback")
Item = tuple[
    int, bytes, str, list[str], str | None
]  # a claimed message: id, raw, mail from, rcpt tos, auth user


def route_message(rcpt_tos: list[str], domain: str, auth_user: str | None) -> Route:
    routes = [route(r, domain) for r in rcpt_tos]
    for kind in ("bounce", "reply"):
        tagged = next((r for r in routes if r.kind == kind), None)
        if tagged:
            return tagged
    if auth_user and any(r.kind == "external" for r in routes):
        return Route("relay")
    if any(r.kind == "invoices" for r in routes):
        return Route("invoices")
    if any(r.kind == "postmaster" for r in routes):
        return Route("postmaster")
    return Route("unknown")


@dataclass
class Prepared:
    classification: Any
    invoice_mail: Any
    error: str | None = None


def prepare_message(
    raw: bytes, mail_from: str, rcpt_tos: list[str], domain: str, route_kind: str
) -> Prepared:
    """CPU work for one message, in the pool. Never raises: errors come back as `error`."""
    from jalon.handlers.classify import classify
    from jalon.handlers.mailview import MailView

    view = None
    with contextlib.suppress(Exception):  # unparseable: the classifier says why
        view = MailView.parse(raw)  # one parse for the classifier and the invoice reader
    try:
        classification = classify(raw, mail_from=mail_from, rcpt_tos=rcpt_tos, domain=domain, view=view)
    except Exception as error:
        return Prepared(None, None, f"classification failed: {error}\n{traceback.format_exc(limit=5)}")
    invoice_mail = None
    if route_kind == "relay" or (route_kind == "invoices" and classification.kind not in RETURN_KINDS):
        try:
            from jalon.handlers.invoices import prepare

            invoice_mail = prepare(raw, view.message if view is not None else None)
        except Exception as error:
            return Prepared(classification, None, f"reading failed: {error}\n{traceback.format_exc(limit=5)}")
    return Prepared(classification, invoice_mail)


Started = tuple[Item, Route, "asyncio.Task[Prepared]"]  # a claimed message whose CPU work is under way


def pipeline_for(route_kind: str, classification: Any) -> str:
    kind = getattr(classification, "kind", "other")
    if route_kind == "relay":
        return "invoice"
    if route_kind == "invoices" and kind not in RETURN_KINDS:
        return "invoice"
    return kind if kind in PIPELINES and kind != "invoice" else "other"


class Worker:
    """Processes pending inbound messages. Several workers (processes) may share one database."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        pool: Executor | None = None,
        after_commit: Callable[[], None] | None = None,
    ) -> None:
        self.settings = settings
        self.database = database
        self.pool = pool
        self.after_commit = after_commit
        self.owner = f"{socket.gethostname()}:{os.getpid()}:worker:{id(self):x}"
        from jalon.handlers.conversion import WantedFormats

        self.formats = WantedFormats(settings)  # what the directory's customers want, for `_convert_ahead`
        self._formats_lock = asyncio.Lock()

    def _load_formats(self) -> None:
        with self.database.session() as session:
            self.formats.load(session)

    def release_stale_leases(self) -> int:
        """Called at start-up: what a crashed process had claimed becomes claimable again."""
        with self.database.session() as session:
            result = session.execute(
                update(InboundMessage)
                .where(InboundMessage.status == "pending", InboundMessage.locked_by.is_not(None))
                .values(locked_by=None, locked_until=None)
            )
            return int(getattr(result, "rowcount", 0) or 0)

    def _claim(self, limit: int) -> list[Item]:
        now = utcnow()
        with self.database.session() as session:
            ids = claim(
                session,
                InboundMessage,
                InboundMessage.status == "pending",
                owner=self.owner,
                lease=LEASE,
                now=now,
                limit=limit,
                order_by=InboundMessage.id,
            )
            if not ids:
                return []
            session.execute(
                update(InboundMessage)
                .where(InboundMessage.id.in_(ids))
                .values(attempts=InboundMessage.attempts + 1)
            )
            rows = session.execute(
                select(
                    InboundMessage.id,
                    InboundMessage.blob_sha256,
                    InboundMessage.mail_from,
                    InboundMessage.rcpt_tos,
                    InboundMessage.auth_user,
                )
                .where(InboundMessage.id.in_(ids))
                .order_by(InboundMessage.id)
            ).all()
            raws = load_blobs(session, [row.blob_sha256 for row in rows])
            return [
                (row.id, raws[row.blob_sha256], row.mail_from, list(row.rcpt_tos), row.auth_user)
                for row in rows
            ]

    def _start(self, items: list[Item]) -> list[Started]:
        """Send each claimed message's CPU work to the pool at once; results are applied in claim order."""
        domain = self.settings.gateway.domain
        started = []
        for item in items:
            message_route = route_message(item[3], domain, item[4])
            started.append((item, message_route, asyncio.ensure_future(self._work(item, message_route))))
        return started

    async def _work(self, item: Item, message_route: Route) -> Prepared:
        """The CPU work of one message, in the pool: classify and read it; then, for an invoice whose customer
        the directory already knows, make the formats its recipients want (`_convert_ahead`)."""
        _, raw, mail_from, rcpts, _ = item
        loop = asyncio.get_running_loop()
        domain = self.settings.gateway.domain
        try:
            prepared = await loop.run_in_executor(
                self.pool, prepare_message, raw, mail_from, rcpts, domain, message_route.kind
            )
        except Exception as error:
            return Prepared(None, None, f"worker pool failed: {error!r}")
        if prepared.error is None and pipeline_for(message_route.kind, prepared.classification) == "invoice":
            try:
                await self._convert_ahead(item, prepared)
            except Exception:  # only a head start: the release converts through the outbox as before
                log.exception("converting inbound message %s ahead failed", item[0])
        return prepared

    async def _convert_ahead(self, item: Item, prepared: Prepared) -> None:
        """A release queues a "convert" job per missing format, converted in a second pool round and a second
        transaction. When the directory already says which formats the invoice's customer wants, they are
        made now, in the pool, and the release uses them in its own transaction (same checks, same events)."""
        from jalon.handlers import conversion
        from jalon.handlers.invoices import ahead

        mail = prepared.invoice_mail
        if mail is None or not any(d.model is not None for d in mail.documents):
            return
        _, _, mail_from, _, auth_user = item
        async with self._formats_lock:
            if self.formats.stale():
                await asyncio.to_thread(self._load_formats)
        wanted = ahead(self.settings, self.formats, mail_from=mail_from, auth_user=auth_user, prepared=mail)
        if not wanted:
            return
        loop = asyncio.get_running_loop()
        jobs = [
            conversion.make_job(
                self.settings,
                document.model,
                document.data if document.content_type == "application/pdf" else None,
                target,
            )
            for document, target in wanted
        ]
        results = await asyncio.gather(
            *(loop.run_in_executor(self.pool, conversion.run, job) for job in jobs), return_exceptions=True
        )
        for (document, target), result in zip(wanted, results, strict=True):
            if not isinstance(result, BaseException):
                document.made[target] = conversion.Made(PurePath(document.filename).stem, result)

    async def _apply_ready(self, started: collections.deque[Started]) -> None:
        """Apply the first started message in claim order and, with it, those after it that the pool has
        already finished: one transaction for them all (`apply_group`), claim order kept."""
        await asyncio.wait([started[0][2]])
        group = [started.popleft()]
        while started and started[0][2].done() and len(group) < GROUP_MAX:
            group.append(started.popleft())
        worked = [(item[0], item[1], message_route, task.result()) for item, message_route, task in group]
        await asyncio.to_thread(self.apply_group, worked)
        if self.after_commit:
            self.after_commit()

    async def process_pending(self, limit: int | None = None) -> int:
        """One pass: claim, prepare in the pool, apply. Returns the number of messages handled."""
        items = await asyncio.to_thread(self._claim, limit or self.settings.worker.batch_size)
        started = collections.deque(self._start(items))
        while started:
            await self._apply_ready(started)
        return len(items)

    def apply(
        self,
        inbound_id: int,
        raw: bytes,
        message_route: Route,
        prepared: Prepared,
        now: dt.datetime | None = None,
    ) -> str:
        """Run the pipeline in one transaction; on failure set the message aside. Returns the final status."""
        try:
            with self.database.session() as session:
                return self._pipeline(session, inbound_id, raw, message_route, prepared, now or utcnow())
        except StopPipeline as stop:
            reason = str(stop)
        except Exception as error:  # a bug or bad data: never lose the message, never stop the worker
            log.exception("processing inbound message %s failed", inbound_id)
            reason = f"{type(error).__name__}: {error}"
        self.set_aside(inbound_id, reason)
        return "set_aside"

    def apply_group(self, group: list[tuple[int, bytes, Route, Prepared]]) -> list[str]:
        """The pipelines of several messages, in claim order, in one transaction: a group commit, for the
        messages the pool handed back together under load. If any of them stops or fails, the group rolls
        back and each message is applied again in its own transaction, as if it had come alone: a bad
        message never takes the others down, nor has them half-processed."""
        if len(group) > 1 and not any(prepared.error for *_, prepared in group):
            try:
                with self.database.session() as session:
                    # the group's messages in one query: `_pipeline`'s look-up finds them in the session
                    ids = [inbound_id for inbound_id, *_ in group]
                    loaded = list(session.scalars(select(InboundMessage).where(InboundMessage.id.in_(ids))))
                    statuses = [self._pipeline(session, *item, utcnow()) for item in group]
                    del loaded
                    return statuses
            except Exception:
                log.debug("group of %d messages rolled back: applied one by one", len(group), exc_info=True)
        return [self.apply(*item) for item in group]

    def _pipeline(
        self,
        session: Session,
        inbound_id: int,
        raw: bytes,
        message_route: Route,
        prepared: Prepared,
        now: dt.datetime,
    ) -> str:
        """One message's pipeline steps, in the caller's transaction; raises StopPipeline to set it aside."""
        inbound = session.get(InboundMessage, inbound_id)
        if inbound is None or inbound.locked_by != self.owner or inbound.status != "pending":
            return "skipped"  # another process took it over after our lease expired
        if prepared.error:
            raise StopPipeline(prepared.error)
        name = pipeline_for(message_route.kind, prepared.classification)
        classification = prepared.classification
        if classification is not None:
            events.record(
                session,
                "message.classified",
                inbound_id=inbound.id,
                kind=classification.kind,
                route=message_route.kind,
                pipeline=name,
                rules=list(getattr(classification, "rules_hit", []) or []),
            )
        ctx = Context(
            session=session,
            settings=self.settings,
            inbound=inbound,
            raw=raw,
            route=message_route,
            now=now,
            prepared=prepared.invoice_mail,
            classification=classification,
        )
        step_table = steps()
        for step in PIPELINES[name]:
            step_table[step](ctx)
        # Written with the status (one UPDATE): no step reads them, and a failure rolls everything back.
        inbound.route = message_route.kind
        inbound.kind = getattr(classification, "kind", None) if name != "invoice" else "invoice"
        inbound.status = "done"
        inbound.processed_at = now
        inbound.locked_by = None
        inbound.locked_until = None
        inbound.error = None
        return "done"

    def set_aside(self, inbound_id: int, reason: str) -> None:
        with self.database.session() as session:
            inbound = session.get(InboundMessage, inbound_id)
            if inbound is None:
                return
            inbound.status = "set_aside"
            inbound.error = reason[:8000]
            inbound.locked_by = None
            inbound.locked_until = None
            events.record(session, "message.set_aside", inbound_id=inbound.id, reason=reason[:2000])
            cases.open_case(
                session,
                "set_aside",
                f"Message from {inbound.mail_from or '?'} set aside",
                key=cases.case_key("set_aside", "inbound", inbound.id),
                facts={
                    "from": inbound.mail_from,
                    "to": inbound.rcpt_tos,
                    "subject": inbound.subject,
                    "reason": reason.splitlines()[0][:500] if reason else None,
                    "received_at": inbound.received_at.isoformat(),
                },
                inbound_id=inbound.id,
            )

    async def run(self, stop: asyncio.Event, wake: asyncio.Event | None = None) -> None:
        """Claim, work in the pool, apply in claim order, as a pipeline: more messages are claimed and sent to
        the pool while earlier ones are applied, so that the pool never waits for the database."""
        wake = wake or asyncio.Event()
        interval = self.settings.worker.poll_interval.total_seconds()
        batch = self.settings.worker.batch_size
        started: collections.deque[Started] = collections.deque()
        try:
            while not stop.is_set():
                try:
                    if len(started) <= batch // 2:
                        started.extend(
                            self._start(await asyncio.to_thread(self._claim, batch - len(started)))
                        )
                    if started:
                        await self._apply_ready(started)
                        continue
                except Exception:
                    log.exception("worker pass failed")
                await idle(stop, wake, interval)
        finally:
            for _, _, task in started:
                task.cancel()
            if started:  # claimed but not applied: claimable again at once, by any process
                await asyncio.to_thread(self._release, [item[0] for item, _, _ in started])

    def _release(self, ids: list[int]) -> None:
        with self.database.session() as session:
            session.execute(
                update(InboundMessage)
                .where(InboundMessage.id.in_(ids), InboundMessage.locked_by == self.owner)
                .values(locked_by=None, locked_until=None)
            )


def retry(database: Database, inbound_id: int, *, actor: str) -> bool:
    """A person asks to process a set-aside message again."""
    with database.session() as session:
        inbound = session.get(InboundMessage, inbound_id)
        if inbound is None or inbound.status != "set_aside":
            return False
        inbound.status = "pending"
        inbound.error = None
        events.record(session, "message.retried", inbound_id=inbound.id, actor=actor)
        cases.close_case_for_inbound(session, inbound.id, actor=actor, resolution=f"retried by {actor}")
        return True


def discard(database: Database, inbound_id: int, *, actor: str, reason: str | None = None) -> bool:
    with database.session() as session:
        inbound = session.get(InboundMessage, inbound_id)
        if inbound is None or inbound.status not in ("set_aside", "pending"):
            return False
        inbound.status = "discarded"
        events.record(session, "message.discarded", inbound_id=inbound.id, actor=actor, reason=reason)
        cases.close_case_for_inbound(session, inbound.id, actor=actor, resolution=f"discarded by {actor}")
        return True
