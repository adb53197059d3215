"""OAuth2 client credentials for the platform APIs (PISTE for Chorus Pro, a PA's token endpoint): one token
per (endpoint, client) per process, reused until a minute before it expires, dropped when an API says 401.

Errors are sorted for the outbox: `Temporary` (network, 5xx, 429: retry later) and `Refused` (the platform
said no for good: a person must look). Secrets come from the environment variables the config names.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import aiohttp


class ChannelError(Exception):
    """A channel could not deliver."""


class Temporary(ChannelError):
    """Try again later (network, 5xx, 429, token endpoint down)."""


class Refused(ChannelError):
    """The platform refused for good (4xx other than 401/408/429, a rejected file)."""


class NotConfigured(Refused):
    """The channel's URL or secrets are missing: nothing can leave until someone configures it."""


@dataclass
class _Token:
    value: str
    expires: float


_tokens: dict[tuple[str, str], _Token] = {}
_lock = asyncio.Lock()


def forget(token_url: str, client_id: str) -> None:
    _tokens.pop((token_url, client_id), None)


async def token(
    session: aiohttp.ClientSession,
    token_url: str,
    client_id: str,
    client_secret: str,
    scope: str | None = None,
) -> str:
    """A bearer token from the token endpoint (client_credentials), cached until near expiry."""
    key = (token_url, client_id)
    async with _lock:
        cached = _tokens.get(key)
        if cached is not None and cached.expires > time.monotonic():
            return cached.value
        form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret}
        if scope:
            form["scope"] = scope
        try:
            async with session.post(token_url, data=form) as response:
                body = await _json(response)
        except (aiohttp.ClientError, TimeoutError) as error:
            raise Temporary(f"token endpoint {token_url} unreachable: {error}") from None
        if response.status >= 500 or response.status == 429:
            raise Temporary(f"token endpoint answered {response.status}")
        if response.status != 200 or not body.get("access_token"):
            raise Refused(f"token endpoint refused the client credentials ({response.status}): {body}")
        lifetime = float(body.get("expires_in") or 3600)
        _tokens[key] = _Token(str(body["access_token"]), time.monotonic() + max(lifetime - 60, 1))
        return _tokens[key].value


async def _json(response: aiohttp.ClientResponse) -> dict[str, Any]:
    try:
        value = await response.json(content_type=None)
    except (ValueError, aiohttp.ContentTypeError):
        text = await response.text(errors="replace")
        return {"raw": text[:500]}
    return value if isinstance(value, dict) else {"value": value}


def classify(status: int, body: Any, what: str) -> None:
    """Raise for a non-2xx answer: Temporary or Refused, with the platform's words."""
    if 200 <= status < 300:
        return
    words = str(body)[:500]
    if status in (401, 408, 429) or status >= 500:
        raise Temporary(f"{what}: HTTP {status} {words}")
    raise Refused(f"{what}: HTTP {status} {words}")


def secret(settings: Any, env_name: str | None, what: str) -> str:
    value = settings.secret(env_name)
    if not value:
        raise NotConfigured(f"{what} is not set: put it in the environment variable {env_name}")
    return value
