"""Waiting between passes of a background loop (worker, outbox): until stopped, woken, or the interval."""

from __future__ import annotations

import asyncio


async def idle(stop: asyncio.Event, wake: asyncio.Event, timeout: float) -> None:
    """Wait until `stop` or `wake` is set, or `timeout` seconds pass; `wake` is cleared first, so that only
    a wake-up after this call ends the wait early."""
    wake.clear()
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
