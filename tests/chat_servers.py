"""Stand-ins for the chat services, on loopback: a server speaking Slack's Web API, a Bot Connector with its
OpenID metadata, signing keys and token endpoint, a Workflows webhook; and a real jalon wired to them."""

from __future__ import annotations

import contextlib
import copy
import functools
import itertools
import json
import time
import urllib.parse
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import harness
import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from harness import Running, make_settings
from jwt.algorithms import RSAAlgorithm
from slack_sdk.signature import SignatureVerifier

from jalon.config import Settings, load_dict

SLACK_TOKEN = "xoxb-test-token"
SIGNING_SECRET = "test-signing-secret"
APP_TOKEN = "xapp-test-app-token"
APP_ID = "6f1c1c5e-0000-4000-8000-00000000b07"
APP_PASSWORD = "teams-test-secret"
BOT_ISSUER = "https://api.botframework.com"

STAFF = [
    {
        "name": "Sophie",
        "email": "sophie@acme.test",
        "slack_user": "U_SUP",
        "teams_user": "aad-sup",
        "role": "supervisor",
    },
    {
        "name": "Alex",
        "email": "alex@acme.test",
        "slack_user": "U_AGENT",
        "teams_user": "aad-agent",
        "role": "agent",
    },
    {
        "name": "Victor",
        "email": "victor@acme.test",
        "slack_user": "U_VIEW",
        "teams_user": "aad-view",
        "role": "viewer",
    },
]


async def _serve(app: web.Application) -> tuple[web.AppRunner, int]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]


async def _arguments(request: web.Request) -> dict[str, Any]:
    """Slack clients send form fields or JSON; values of form fields that hold JSON (blocks) are decoded."""
    args: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        args.update(await request.json())
    elif request.can_read_body:
        for key, value in (await request.post()).items():
            value = str(value)
            if key in ("blocks", "view", "attachments") and value[:1] in "[{":
                value = json.loads(value)
            args[key] = value
    return args


@dataclass
class FakeSlack:
    """Speaks the Web API methods jalon uses; keeps messages, threads and opened modals."""

    token: str = SLACK_TOKEN
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    messages: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    replies: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    views: list[dict[str, Any]] = field(default_factory=list)
    acks: list[str] = field(default_factory=list)  # Socket Mode envelopes acknowledged by the app
    port: int = 0
    _socket: web.WebSocketResponse | None = None
    _runner: web.AppRunner | None = None
    _clock: Any = field(default_factory=lambda: itertools.count(1))

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle)
        app.router.add_get("/link", self._websocket)
        self._runner, self.port = await _serve(app)
        return self

    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode: say hello, then read the app's acknowledgements."""
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._socket = socket
        await socket.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}})
        async for message in socket:
            if message.type == aiohttp.WSMsgType.TEXT:
                self.acks.append(json.loads(message.data).get("envelope_id", ""))
        return socket

    async def push(self, payload: dict[str, Any]) -> str:
        """Deliver an interaction over the open Socket Mode connection, as Slack does."""
        assert self._socket is not None, "no Socket Mode connection"
        envelope = uuid.uuid4().hex
        await self._socket.send_json(
            {
                "envelope_id": envelope,
                "type": "interactive",
                "payload": payload,
                "accepts_response_payload": False,
            }
        )
        return envelope

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    @staticmethod
    def channel_id(name: str) -> str:
        return "C" + name.lstrip("#").upper().replace("-", "") if name.startswith("#") else name

    def _ts(self) -> str:
        return f"{1767225600 + next(self._clock)}.000100"

    def called(self, method: str) -> list[dict[str, Any]]:
        return [args for name, args in self.calls if name == method]

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await _arguments(request)
        self.calls.append((method, args))
        if (
            method == "apps.connections.open"
            and request.headers.get("Authorization") == f"Bearer {APP_TOKEN}"
        ):
            return web.json_response({"ok": True, "url": f"ws://127.0.0.1:{self.port}/link"})
        if request.headers.get("Authorization", "") != f"Bearer {self.token}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        answer = getattr(self, "_" + method.replace(".", "_"), None)
        if answer is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        return web.json_response(answer(args))

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://acme.slack.com/",
            "team": "ACME",
            "user": "jalon",
            "team_id": "T1",
            "user_id": "U_BOT",
            "bot_id": "B_BOT",
        }

    def _chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.channel_id(str(args.get("channel", "")))
        message = {
            "type": "message",
            "ts": self._ts(),
            "text": args.get("text", ""),
            "blocks": args.get("blocks", []),
        }
        thread = args.get("thread_ts")
        if thread:
            if (channel, thread) not in self.messages:
                return {"ok": False, "error": "thread_not_found"}
            message["thread_ts"] = thread
            self.replies.setdefault((channel, thread), []).append(message)
        else:
            self.messages[(channel, message["ts"])] = message
        return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        key = (str(args.get("channel")), str(args.get("ts")))
        if key not in self.messages:
            return {"ok": False, "error": "message_not_found"}
        self.messages[key].update({"text": args.get("text", ""), "blocks": args.get("blocks", [])})
        return {"ok": True, "channel": key[0], "ts": key[1], "text": args.get("text", "")}

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("trigger_id"):
            return {"ok": False, "error": "invalid_trigger_id"}
        view = args["view"] if isinstance(args["view"], dict) else json.loads(args["view"])
        self.views.append(view)
        return {"ok": True, "view": {"id": f"V{len(self.views)}", **view}}

    def _conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        key = (str(args.get("channel")), str(args.get("ts")))
        if key not in self.messages:
            return {"ok": False, "error": "thread_not_found"}
        return {"ok": True, "messages": [self.messages[key], *self.replies.get(key, [])], "has_more": False}

    # --- what a test looks at ---------------------------------------------------------------------------

    def only_card(self) -> tuple[str, str, dict[str, Any]]:
        """(channel, ts, message as it is now) of the one card posted."""
        [(key, message)] = list(self.messages.items())
        return key[0], key[1], copy.deepcopy(message)


def action_ids(blocks: list[dict[str, Any]]) -> list[str]:
    return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


def block_text(blocks: list[dict[str, Any]]) -> str:
    """Everything a person reads on a Block Kit message."""
    parts: list[str] = []
    for block in blocks:
        if "text" in block:
            parts.append(block["text"]["text"])
        parts += [f["text"] for f in block.get("fields", [])]
        parts += [
            e["text"]["text"] if isinstance(e.get("text"), dict) else e.get("text", "")
            for e in block.get("elements", [])
        ]
    return "\n".join(parts)


def slack_click(action: str, case_id: int, user: str, channel: str, ts: str) -> dict[str, Any]:
    """A block_actions payload as Slack sends it when someone presses a button on a message."""
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "team_id": "T1"},
        "api_app_id": "A1",
        "token": "legacy-verification-token",
        "container": {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": False},
        "trigger_id": f"{int(time.time())}.1.{uuid.uuid4().hex[:8]}",
        "team": {"id": "T1", "domain": "acme"},
        "channel": {"id": channel, "name": "factures"},
        "message": {"type": "message", "ts": ts, "text": "card"},
        "actions": [
            {
                "action_id": action,
                "block_id": f"case-{case_id}",
                "value": str(case_id),
                "type": "button",
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


def slack_submission(view: dict[str, Any], user: str, value: str) -> dict[str, Any]:
    """A view_submission payload: the modal jalon opened, sent back with what the person typed."""
    element = next(b["element"] for b in view["blocks"] if b.get("block_id") == "ask")
    return {
        "type": "view_submission",
        "user": {"id": user, "username": user.lower(), "team_id": "T1"},
        "api_app_id": "A1",
        "team": {"id": "T1", "domain": "acme"},
        "trigger_id": f"{int(time.time())}.2.{uuid.uuid4().hex[:8]}",
        "view": {
            **view,
            "id": "V1",
            "state": {"values": {"ask": {"value": {"type": element["type"], "value": value}}}},
        },
    }


def signed_body(
    payload: dict[str, Any], *, secret: str = SIGNING_SECRET, ts: int | str | None = None
) -> tuple[str, dict[str, str]]:
    """The form body and the headers Slack signs it with (v0 HMAC-SHA256 of `v0:{ts}:{body}`)."""
    body = "payload=" + urllib.parse.quote(json.dumps(payload))
    stamp = str(ts if ts is not None else int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    return body, {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature,
    }


async def post_to_slack_endpoint(web_url: str, body: str, headers: dict[str, str]) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{web_url}/slack/events", data=body, headers=headers) as r,
    ):
        return r.status, await r.text()


# --- Teams --------------------------------------------------------------------------------------------------


@dataclass
class FakeBotConnector:
    """The Bot Connector REST API (v3 conversations), its OpenID metadata and keys, and a token endpoint."""

    activities: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # conversation -> posted
    updates: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    replies: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    tokens_issued: int = 0
    port: int = 0
    key: Any = None
    kid: str = "test-key-1"
    _runner: web.AppRunner | None = None
    _counter: Any = field(default_factory=lambda: itertools.count(1))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> FakeBotConnector:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        app = web.Application()
        app.router.add_get("/.well-known/openidconfiguration", self._metadata)
        app.router.add_get("/keys", self._keys)
        app.router.add_post("/token", self._token)
        app.router.add_post("/v3/conversations/{conversation}/activities", self._send)
        app.router.add_post("/v3/conversations/{conversation}/activities/{activity}", self._reply)
        app.router.add_put("/v3/conversations/{conversation}/activities/{activity}", self._update)
        self._runner, self.port = await _serve(app)
        return self

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    def _authorized(self, request: web.Request) -> bool:
        return request.headers.get("Authorization", "").startswith("Bearer issued-")

    async def _metadata(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "issuer": BOT_ISSUER,
                "jwks_uri": f"{self.url}/keys",
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        )

    async def _keys(self, request: web.Request) -> web.Response:
        public = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return web.json_response(
            {"keys": [{**public, "kid": self.kid, "use": "sig", "endorsements": ["msteams"]}]}
        )

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if form.get("client_id") != APP_ID or form.get("client_secret") != APP_PASSWORD:
            return web.json_response({"error": "invalid_client"}, status=401)
        self.tokens_issued += 1
        return web.json_response(
            {"access_token": f"issued-{self.tokens_issued}", "expires_in": 3600, "token_type": "Bearer"}
        )

    async def _send(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return web.json_response({"error": "unauthorized"}, status=401)
        activity = await request.json()
        activity["id"] = f"act-{next(self._counter)}"
        self.activities.setdefault(request.match_info["conversation"], []).append(activity)
        return web.json_response({"id": activity["id"]})

    async def _reply(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return web.json_response({"error": "unauthorized"}, status=401)
        activity = await request.json()
        self.replies.append((request.match_info["conversation"], request.match_info["activity"], activity))
        return web.json_response({"id": f"reply-{next(self._counter)}"})

    async def _update(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return web.json_response({"error": "unauthorized"}, status=401)
        activity = await request.json()
        self.updates.append((request.match_info["conversation"], request.match_info["activity"], activity))
        return web.json_response({"id": request.match_info["activity"]})

    def token_for(
        self,
        service_url: str,
        *,
        audience: str = APP_ID,
        key: Any = None,
        kid: str | None = None,
        expires_in: int = 600,
        issuer: str = BOT_ISSUER,
    ) -> str:
        """A Bot Connector token as the channel signs it (a different key forges one)."""
        now = int(time.time())
        claims = {
            "iss": issuer,
            "aud": audience,
            "iat": now,
            "nbf": now - 5,
            "exp": now + expires_in,
            "serviceurl": service_url,
        }
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid})


def teams_click(
    verb: str, case_id: int, user: str, service_url: str, card_activity: str, conversation: str, **inputs: str
) -> dict[str, Any]:
    """An `adaptiveCard/action` invoke, as Teams sends it when someone presses an Action.Execute button."""
    return {
        "type": "invoke",
        "name": "adaptiveCard/action",
        "id": f"invoke-{uuid.uuid4().hex[:8]}",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": f"29:{user}", "name": user, "aadObjectId": user},
        "recipient": {"id": f"28:{APP_ID}", "name": "jalon"},
        "conversation": {"id": conversation, "conversationType": "channel", "tenantId": "tenant-1"},
        "replyToId": card_activity,
        "value": {
            "action": {"type": "Action.Execute", "verb": verb, "data": {"case": case_id, **inputs}},
            "trigger": "manual",
        },
    }


@dataclass
class FakeWorkflow:
    """A Workflows webhook: keeps the cards posted to it."""

    posts: list[dict[str, Any]] = field(default_factory=list)
    port: int = 0
    _runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/workflows/trigger?sig=secret"

    async def start(self) -> FakeWorkflow:
        app = web.Application()

        async def receive(request: web.Request) -> web.Response:
            self.posts.append(await request.json())
            return web.Response(status=202)

        app.router.add_post("/workflows/trigger", receive)
        self._runner, self.port = await _serve(app)
        return self

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()


# --- a real jalon wired to them -----------------------------------------------------------------------------


def chat_settings(
    db_url: str, sink_port: int, *, staff: list[dict[str, Any]] | None = None, **sections: Any
) -> Settings:
    """The harness settings plus [[staff]]; list-valued sections ([[groups]], [[scenarios]]) as given."""
    tables = {k: v for k, v in sections.items() if isinstance(v, dict)}
    lists = {k: v for k, v in sections.items() if not isinstance(v, dict)}
    base = make_settings(db_url, sink_port=sink_port, **tables)
    return load_dict({**base.model_dump(), **lists, "staff": STAFF if staff is None else staff})


@contextlib.asynccontextmanager
async def chat_running(
    db_url: str, *, refuse: set[str] | None = None, staff: list[dict[str, Any]] | None = None, **sections: Any
) -> AsyncIterator[Running]:
    """Like harness.running, with [[staff]] and chat sections (the test sets the secrets' variables)."""
    settings_for = functools.partial(chat_settings, db_url, staff=staff, **sections)
    async with harness.running_with(settings_for, refuse=refuse) as gw:
        yield gw


def add_customer(
    gw: Running, expected: dict[str, Any], contacts: list[tuple[str, str]], *, group: str = "pme"
) -> None:
    """The directory knows the invoice's buyer (by SIREN or VAT) with these (email, role) contacts."""
    rows = [{"email": address, "role": role} for address, role in contacts]
    harness.add_customer(gw, expected, rows, customer_id="C100", group=group)
