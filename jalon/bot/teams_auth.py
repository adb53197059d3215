"""Teams credentials: checking the Bot Connector's token on every inbound activity, and getting our own token
to call the Bot Connector.

The inbound check follows the Bot Framework's rules against the OpenID metadata named in
`[teams] openid_config_url`: RS256 signature by a published key (keys cached, refetched at most every five
minutes for an unknown key id), issuer, audience = our app id, expiry with 5 minutes of clock skew, the key's
endorsement of the channel, and the `serviceurl` claim equal to the activity's. The SDK's own validator only
knows Microsoft's fixed endpoints, which no offline test can reach.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
import jwt

from jalon.config import Settings, TeamsSettings

LEEWAY = 300  # seconds of clock skew accepted, as the Bot Framework does
METADATA_TTL = 24 * 3600
KEY_REFRESH_MIN = 300  # an unknown key id refetches the keys at most this often


class AuthError(Exception):
    """An inbound activity whose token does not prove it comes from the Bot Connector."""


class InboundAuth:
    """Checks Bot Connector tokens against published keys (fetched from the OpenID metadata, cached)."""

    def __init__(self, teams: TeamsSettings) -> None:
        self.teams = teams
        issuers = list(teams.issuers)
        if teams.tenant_id:  # single-tenant bots also get tokens issued by their own Entra tenant
            issuers += [
                f"https://login.microsoftonline.com/{teams.tenant_id}/v2.0",
                f"https://sts.windows.net/{teams.tenant_id}/",
            ]
        self.issuers = issuers
        self._metadata: tuple[float, dict[str, Any]] | None = None
        self._keys: dict[str, dict[str, Any]] = {}
        self._keys_at = 0.0
        self._lock: asyncio.Lock | None = None

    async def _get_json(self, url: str) -> dict[str, Any]:
        timeout = aiohttp.ClientTimeout(total=10)
        async with aiohttp.ClientSession(timeout=timeout) as http, http.get(url) as response:
            if response.status != 200:
                raise AuthError(f"{url} answered {response.status}")
            data = await response.json(content_type=None)
            if not isinstance(data, dict):
                raise AuthError(f"{url} is not a JSON object")
            return data

    async def _key(self, kid: str) -> dict[str, Any]:
        self._lock = self._lock or asyncio.Lock()
        async with self._lock:
            now = time.monotonic()
            if self._metadata is None or now - self._metadata[0] > METADATA_TTL:
                self._metadata = (now, await self._get_json(self.teams.openid_config_url))
                self._keys = {}
            if kid not in self._keys and (not self._keys or now - self._keys_at > KEY_REFRESH_MIN):
                jwks_uri = self._metadata[1].get("jwks_uri")
                if not isinstance(jwks_uri, str):
                    raise AuthError("the OpenID metadata names no jwks_uri")
                published = (await self._get_json(jwks_uri)).get("keys") or []
                self._keys = {k["kid"]: k for k in published if isinstance(k, dict) and k.get("kid")}
                self._keys_at = now
            if kid not in self._keys:
                raise AuthError("token signed by an unknown key")
            return self._keys[kid]

    async def validate(self, authorization: str | None, activity: dict[str, Any]) -> dict[str, Any]:
        """The token's claims, or AuthError."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError("no bearer token")
        try:
            header = jwt.get_unverified_header(token.strip())
        except jwt.PyJWTError as error:
            raise AuthError(f"malformed token: {type(error).__name__}") from None
        if header.get("alg") != "RS256" or not header.get("kid"):
            raise AuthError("tokens must be RS256 with a key id")
        published = await self._key(str(header["kid"]))
        endorsements = published.get("endorsements")
        channel = str(activity.get("channelId") or "")
        if isinstance(endorsements, list) and channel and channel not in endorsements:
            raise AuthError(f"the signing key is not endorsed for channel {channel!r}")
        try:
            claims = jwt.decode(
                token.strip(),
                jwt.PyJWK(published, algorithm="RS256").key,
                algorithms=["RS256"],
                audience=self.teams.app_id,
                issuer=self.issuers,
                leeway=LEEWAY,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as error:
            raise AuthError(f"invalid token: {type(error).__name__}") from None
        claimed = str(claims.get("serviceurl") or claims.get("serviceUrl") or "")
        given = str(activity.get("serviceUrl") or "")
        # The Bot Connector names in every token the serviceUrl it sends from; a token without one could be
        # replayed with any serviceUrl, and jalon would post its answers (case details) there.
        if not claimed:
            raise AuthError("the token names no serviceUrl")
        if claimed.rstrip("/").casefold() != given.rstrip("/").casefold():
            raise AuthError("the activity's serviceUrl is not the one in the token")
        return claims


class BotToken:
    """A client-credentials token for calling the Bot Connector, kept until a minute before it expires."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        teams = settings.teams
        self.url = teams.token_url or (
            f"https://login.microsoftonline.com/{teams.tenant_id or 'botframework.com'}/oauth2/v2.0/token"
        )
        self._token = ""
        self._until = 0.0
        self._lock: asyncio.Lock | None = None

    async def get(self) -> str:
        teams = self.settings.teams
        secret = self.settings.secret(teams.app_password_env)
        if teams.allow_anonymous and not secret:
            return ""  # local tests only (see check())
        self._lock = self._lock or asyncio.Lock()
        async with self._lock:
            if self._token and time.monotonic() < self._until:
                return self._token
            form = {
                "grant_type": "client_credentials",
                "client_id": teams.app_id,
                "client_secret": secret or "",
                "scope": teams.token_scope,
            }
            timeout = aiohttp.ClientTimeout(total=20)
            async with (
                aiohttp.ClientSession(timeout=timeout) as http,
                http.post(self.url, data=form) as response,
            ):
                data = await response.json(content_type=None) if response.status == 200 else {}
                if not data.get("access_token"):
                    raise RuntimeError(f"token endpoint {self.url} answered {response.status}")
            self._token = str(data["access_token"])
            self._until = time.monotonic() + max(int(data.get("expires_in", 3600)) - 60, 30)
            return self._token
