"""Composition root: build(settings) -> services; start and stop every edge in order.

Nothing here decides anything: it wires the database, the CPU pool, the SMTP gateway, the IMAP poller, the
worker, the outbox sender, the web app and the scheduler together.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from jalon.config import Settings
from jalon.db import Database
from jalon.mailbox.outbound import KindSender, OutboxSender
from jalon.mailbox.smtp import SmtpGateway
from jalon.mailbox.worker import Worker

log = logging.getLogger("jalon")


def _warm_up(
    rules_dir: str | None = None,
    xsd_dir: str | None = None,
    targets: tuple[str, ...] = (),
    profile: str = "EN16931",
) -> None:
    """Import the heavy readers once per pool process, not on the first invoice; point official validation
    at its rule files, and compile the rule sets of `[formats] warm_up` (the others compile on first use)."""
    import jalon.handlers.classify
    import jalon.handlers.invoices  # noqa: F401
    from jalon.formats import validation
    from jalon.handlers import conversion

    validation.configure(rules_dir, xsd_dir)
    conversion.warm_up(targets, profile)


def make_pool(settings: Settings) -> Executor | None:
    """The CPU pool for PDF/XML work: one process per core by default; `processes = 1` runs in a thread."""
    size = settings.worker.processes or os.cpu_count() or 2
    if size <= 1:
        return None
    context = multiprocessing.get_context("forkserver")
    initargs = (
        settings.validation.rules_dir,
        settings.validation.xsd_dir,
        tuple(settings.formats.warm_up),
        settings.formats.facturx_profile,
    )
    return ProcessPoolExecutor(max_workers=size, mp_context=context, initializer=_warm_up, initargs=initargs)


@dataclass
class Services:
    settings: Settings
    database: Database
    pool: Executor | None
    worker: Worker
    outbox: OutboxSender
    smtp: SmtpGateway | None = None
    web_runner: web.AppRunner | None = None
    web_port: int | None = None
    stop_event: asyncio.Event = field(default_factory=asyncio.Event)
    worker_wake: asyncio.Event = field(default_factory=asyncio.Event)
    outbox_wake: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    closers: list[Any] = field(default_factory=list)

    def wake_worker(self) -> None:
        self.worker_wake.set()

    def wake_outbox(self) -> None:
        self.outbox_wake.set()


def build(settings: Settings, *, senders: dict[str, KindSender] | None = None) -> Services:
    from jalon.bot.chat import chat_senders
    from jalon.channels import senders as channel_senders
    from jalon.formats import validation
    from jalon.handlers.conversion import convert_sender

    database = Database(settings.database.url, echo=settings.database.echo)
    database.upgrade()
    validation.configure(settings.validation.rules_dir, settings.validation.xsd_dir)  # for pool = None
    pool = make_pool(settings)
    cpu = settings.worker.processes or os.cpu_count() or 2
    own = {**channel_senders(settings), "convert": convert_sender(pool, concurrency=cpu)}
    services = Services(
        settings=settings,
        database=database,
        pool=pool,
        worker=Worker(settings, database, pool),
        outbox=OutboxSender(
            settings, database, {**chat_senders(settings, database), **own, **(senders or {})}
        ),
    )
    services.worker.after_commit = services.wake_outbox
    return services


async def start(
    services: Services, *, smtp: bool = True, web_enabled: bool | None = None, background: bool = True
) -> None:
    """Start the edges. `background=False` starts the listeners only (tests drive worker and outbox)."""
    settings = services.settings
    services.worker.release_stale_leases()
    if smtp and settings.smtp.enabled:
        services.smtp = SmtpGateway(settings, services.database, on_accepted=lambda _: services.wake_worker())
        await services.smtp.start()
    if web_enabled if web_enabled is not None else settings.web.enabled:
        from jalon.web import make_app

        app = make_app(settings, services.database, wake_outbox=services.wake_outbox)
        services.web_runner = web.AppRunner(app, access_log=None)
        await services.web_runner.setup()
        site = web.TCPSite(services.web_runner, settings.web.host, settings.web.port)
        await site.start()
        server = getattr(site, "_server", None)
        sockets = getattr(server, "sockets", None) or []
        services.web_port = sockets[0].getsockname()[1] if sockets else settings.web.port
    if settings.imap.enabled:
        from jalon.mailbox.imap import ImapPoller

        poller = ImapPoller(settings.imap, services.database, on_accepted=lambda _: services.wake_worker())
        services.tasks.append(asyncio.create_task(poller.run(services.stop_event), name="jalon-imap"))
    if background and settings.worker.enabled:
        services.tasks.append(
            asyncio.create_task(
                services.worker.run(services.stop_event, services.worker_wake), name="jalon-worker"
            )
        )
    if background:
        services.tasks.append(
            asyncio.create_task(
                services.outbox.run(services.stop_event, services.outbox_wake), name="jalon-outbox"
            )
        )
        from jalon.bot.chat import background as chat_background

        for work in chat_background(settings, services.database, services.stop_event, services.wake_outbox):
            services.tasks.append(asyncio.create_task(work, name="jalon-chat"))
    # Scenario steps (issue 5): the webhooks they queue, and the scheduler that runs `scenarios.tick`.
    from jalon.webhooks import send_webhook

    services.outbox.senders.setdefault("webhook", send_webhook)
    if background and settings.scheduler.enabled:
        from jalon.scheduler import start_scheduler

        services.closers.insert(0, await start_scheduler(services))


async def stop(services: Services) -> None:
    services.stop_event.set()
    services.worker_wake.set()
    services.outbox_wake.set()
    if services.smtp:
        await services.smtp.stop()
    for task in services.tasks:
        try:
            await asyncio.wait_for(task, timeout=10)
        except (TimeoutError, asyncio.CancelledError):
            task.cancel()
        except Exception:
            log.exception("task %s failed while stopping", task.get_name())
    if services.web_runner:
        await services.web_runner.cleanup()
    for closer in services.closers:
        result = closer()
        if asyncio.iscoroutine(result):
            await result
    if services.pool:
        services.pool.shutdown(wait=True, cancel_futures=True)
    services.database.dispose()


async def process_once(settings: Settings) -> dict[str, int]:
    """Process what is pending and send the outbox once (ops, tests)."""
    services = build(settings)
    try:
        services.worker.release_stale_leases()
        handled = 0
        while batch := await services.worker.process_pending():
            handled += batch
        sent = 0
        while batch := await services.outbox.send_due():
            sent += batch
        return {"messages": handled, "outbox": sent}
    finally:
        await stop(services)


async def serve(settings: Settings) -> None:
    services = build(settings)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, services.stop_event.set)
    await start(services)
    log.info(
        "jalon serving: SMTP %s:%s, web %s",
        settings.smtp.host,
        services.smtp.port if services.smtp else "-",
        settings.web.public_url,
    )
    if settings.web.enabled and not settings.secret(settings.web.api_token_env):
        log.warning("the REST API answers 503 until %s is set in the environment", settings.web.api_token_env)
    await services.stop_event.wait()
    await stop(services)


def run_forever(settings: Settings) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # aiosmtpd logs every SMTP command and Alembic every migration step at INFO: an operator reading the log
    # wants what happened to the invoices, and the warnings.
    for chatty in ("mail.log", "alembic"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    asyncio.run(serve(settings))
    return 0
