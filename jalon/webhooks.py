"""The outbox sender for `webhook` items: a JSON POST to the URL a scenario step (or the collection agency
settings) named, after the transaction that queued it committed. A non-2xx answer raises, so that the outbox
retries with backoff and finally marks the item failed."""

from __future__ import annotations

from typing import Any

import aiohttp

from jalon.config import Settings
from jalon.db import Database
from jalon.models import Outbox

TIMEOUT = aiohttp.ClientTimeout(total=30)


class WebhookRefused(Exception):
    """The receiving end answered with an error status."""


async def send_webhook(database: Database, settings: Settings, item: Outbox) -> None:
    payload: dict[str, Any] = dict(item.payload or {})
    url = payload.get("url")
    if not url:
        raise WebhookRefused("webhook item without a url")
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "jalon",
        "Idempotency-Key": f"jalon-{item.id}",
    }
    token = settings.secret(payload.get("token_env"))
    if token:
        headers["Authorization"] = f"Bearer {token}"
    async with (
        aiohttp.ClientSession(timeout=TIMEOUT) as client,
        client.post(url, json=payload.get("body") or {}, headers=headers) as response,
    ):
        if response.status >= 300:
            text = (await response.text())[:300]
            raise WebhookRefused(f"{url} answered {response.status}: {text}")
