"""The scheduler edge: APScheduler 3 (AsyncIOScheduler) runs one job, `scenarios.tick`, every `[scheduler]
interval`, in a thread and one at a time. The outbox is woken after each batch, so that reminders leave
while a long tick goes on; stopping jalon lets the running batch finish and commits nothing half-done.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from jalon import scenarios

log = logging.getLogger(__name__)


class TickJob:
    """The job APScheduler calls; an overlapping call (a tick longer than the interval) returns at once."""

    def __init__(self, services: Any) -> None:
        self.services = services
        self.running: asyncio.Future[Any] | None = None
        self.stopping = False
        self.last: scenarios.TickReport | None = None

    async def run(self) -> None:
        if self.running is not None or self.stopping:
            return
        loop = asyncio.get_running_loop()
        services = self.services

        def wake() -> None:
            loop.call_soon_threadsafe(services.wake_outbox)

        self.running = asyncio.ensure_future(
            asyncio.to_thread(
                scenarios.tick,
                services.database,
                services.settings,
                on_batch=wake,
                should_stop=lambda: self.stopping,
            )
        )
        try:
            # Shielded: APScheduler's shutdown cancels this job's task, and the tick's thread must still be
            # awaited to its end by the closer (cancelling the future would not stop the thread anyway).
            self.last = await asyncio.shield(self.running)
            if self.last.claimed or self.last.enrolled:
                log.info("tick: %s", {k: v for k, v in self.last.as_dict().items() if v})
        except asyncio.CancelledError:
            return  # shutting down: `close` waits for the running tick
        except Exception:
            log.exception("scenario tick failed")
        finally:
            self.running = None
            services.wake_outbox()


async def start_scheduler(services: Any) -> Callable[[], Awaitable[None]]:
    """Start the tick job (first run at once); returns the closer that stops it."""
    job = TickJob(services)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # it logs every run at INFO
    scheduler = AsyncIOScheduler(timezone=dt.UTC)
    scheduler.add_job(
        job.run,  # a coroutine function: APScheduler awaits it on the loop (an async __call__ it would not)
        "interval",
        seconds=max(services.settings.scheduler.interval.total_seconds(), 0.1),
        next_run_time=dt.datetime.now(dt.UTC),
        id="jalon-tick",
        max_instances=2,  # the second one returns at once: no "skipped" warnings during a long tick
        coalesce=True,
        misfire_grace_time=None,
    )
    scheduler.start()

    async def close() -> None:
        job.stopping = True
        scheduler.shutdown(wait=False)
        running = job.running
        if running is not None:
            try:
                await asyncio.wait_for(asyncio.shield(running), timeout=60)
            except Exception:
                log.exception("the last tick did not end cleanly")

    return close
