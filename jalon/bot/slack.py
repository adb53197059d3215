"""Slack: a card as Block Kit, the Web API calls that post and update it, and the slack-bolt AsyncApp that
takes the clicks, mounted in jalon's aiohttp app at `POST /slack/events` (or over Socket Mode).

A click is verified by Bolt (signing secret, 5-minute timestamp window: 401 otherwise), acknowledged at once,
and the work runs after (a Bolt lazy listener): the same use case as every other entry point, then
`chat.update` with the outcome. Buttons that need an input (an address, a reason, a number of days) open a
modal first.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from jalon.bot import cards
from jalon.bot.buttons import BUTTONS, Ask, check_input, identify, perform, refusal
from jalon.bot.routing import PostRef, route
from jalon.config import ConfigError, Settings
from jalon.db import Database

log = logging.getLogger(__name__)
MODAL = "jalon_ask"  # callback_id of the input modals
STYLE = {"primary": "primary", "danger": "danger"}
MAX_TEXT = 2900  # Slack's limit is 3000 characters per text object


def enabled(settings: Settings) -> bool:
    return bool(settings.slack.channel)


def check(settings: Settings) -> None:
    """Refuse to start half-configured: the secrets named in [slack] must be in the environment."""
    slack = settings.slack
    missing = [slack.bot_token_env] if not settings.secret(slack.bot_token_env) else []
    if slack.socket_mode and not settings.secret(slack.app_token_env):
        missing.append(slack.app_token_env)
    if not slack.socket_mode and not settings.secret(slack.signing_secret_env):
        missing.append(slack.signing_secret_env)
    if missing:
        raise ConfigError(f"[slack] channel is set but {', '.join(missing)} is not set in the environment")


def escape(text: str) -> str:
    """Slack mrkdwn treats &, < and > as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip(text: str, size: int = MAX_TEXT) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def blocks(card: cards.Card) -> list[dict[str, Any]]:
    """Block Kit for a card: header, facts as fields, evidence quoted, notice, buttons, status."""
    out: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _clip(card.headline, 150), "emoji": True}}
    ]
    fields = [{"type": "mrkdwn", "text": _clip(f"*{escape(k)}*\n{escape(v)}", 1900)} for k, v in card.facts]
    for start in range(0, len(fields), 10):  # at most 10 fields per section
        out.append({"type": "section", "fields": fields[start : start + 10]})
    if card.evidence:
        quoted = "\n".join("> " + escape(line) for line in card.evidence)
        out.append({"type": "section", "text": {"type": "mrkdwn", "text": _clip(quoted)}})
    if card.notice:
        out.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": _clip("⛔ " + escape(card.notice))}}
        )
    if card.buttons:
        elements = []
        for button in card.buttons[:25]:
            element: dict[str, Any] = {
                "type": "button",
                "action_id": button.action,
                "text": {"type": "plain_text", "text": button.label, "emoji": True},
                "value": str(card.case_id),
            }
            if button.style in STYLE:
                element["style"] = STYLE[button.style]
            if button.style == "danger" and button.ask is None:
                element["confirm"] = {
                    "title": {"type": "plain_text", "text": button.label[:100]},
                    "text": {"type": "plain_text", "text": f"{button.label}: are you sure?"},
                    "confirm": {"type": "plain_text", "text": "Yes"},
                    "deny": {"type": "plain_text", "text": "No"},
                }
            elements.append(element)
        out.append({"type": "actions", "block_id": f"case-{card.case_id}", "elements": elements})
    if card.status:
        out.append(
            {
                "type": "context",
                "elements": [
                    {"type": "mrkdwn", "text": _clip(escape(line), 1900)} for line in card.status[:10]
                ],
            }
        )
    return out


def _input_element(ask: Ask) -> dict[str, Any]:
    if ask.kind == "email":
        return {"type": "email_text_input", "action_id": "value"}
    if ask.kind == "number":
        return {
            "type": "number_input",
            "action_id": "value",
            "is_decimal_allowed": False,
            "min_value": "1",
            "max_value": "365",
        }
    return {"type": "plain_text_input", "action_id": "value", "multiline": True, "max_length": 1000}


def modal(card: cards.Card, action: str, *, channel: str, ts: str) -> dict[str, Any]:
    """The form a button opens when it needs an input; where the card lives rides in private_metadata."""
    spec = BUTTONS[action]
    assert spec.ask is not None
    return {
        "type": "modal",
        "callback_id": MODAL,
        "private_metadata": json.dumps(
            {"case": card.case_id, "action": action, "channel": channel, "ts": ts}
        ),
        "title": {"type": "plain_text", "text": _clip(spec.label, 24)},
        "submit": {"type": "plain_text", "text": "Confirm"},
        "close": {"type": "plain_text", "text": "Back"},
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": _clip(escape(card.title), 2900)}},
            {
                "type": "input",
                "block_id": "ask",
                "optional": spec.ask.optional,
                "label": {"type": "plain_text", "text": spec.ask.label},
                "element": _input_element(spec.ask),
            },
        ],
    }


class SlackChat:
    """Posts and updates cards through Slack's Web API (`[slack] api_base_url`)."""

    name = "slack"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.zone = settings.slack.timezone
        self.client = AsyncWebClient(
            token=settings.secret(settings.slack.bot_token_env), base_url=settings.slack.api_base_url
        )

    def channel_for(self, kind: str, group: str | None) -> str:
        return route(self.settings.slack.routes, self.settings.slack.channel, kind, group)

    def channels(self) -> list[str]:
        return list(
            dict.fromkeys([self.settings.slack.channel, *(r.channel for r in self.settings.slack.routes)])
        )

    async def post(self, card: cards.Card, channel: str) -> PostRef:
        response = await self.client.chat_postMessage(
            channel=channel, text=card.headline, blocks=blocks(card), unfurl_links=False
        )
        return PostRef(str(response["channel"]), str(response["ts"]), {})

    async def update(self, post: PostRef, card: cards.Card) -> None:
        await self.client.chat_update(
            channel=post.channel, ts=post.message_ref, text=card.headline, blocks=blocks(card)
        )

    async def reply(self, post: PostRef, lines: list[str]) -> None:
        await self.client.chat_postMessage(
            channel=post.channel, thread_ts=post.message_ref, text=_clip(escape("\n".join(lines)))
        )

    async def say(self, channel: str, title: str, lines: list[str]) -> None:
        text = f"*{escape(title)}*\n" + "\n".join(escape(line) for line in lines)
        await self.client.chat_postMessage(channel=channel, text=_clip(text))

    # --- clicks ---------------------------------------------------------------------------------------------

    def bolt_app(self, database: Database, wake_outbox: Callable[[], None]) -> AsyncApp:
        """The Bolt app: one listener for every button, one for the input modals."""
        settings = self.settings
        zone = settings.slack.timezone  # the card's times, as the channel's people live them
        app = AsyncApp(
            client=self.client,
            signing_secret=settings.secret(settings.slack.signing_secret_env) or None,
            request_verification_enabled=not settings.slack.socket_mode,
            process_before_response=False,
        )

        async def refresh(channel: str, ts: str, case_id: int, notice: str | None) -> None:
            card = await asyncio.to_thread(cards.load, database, case_id, notice=notice, zone=zone)
            if card is not None:
                await self.update(PostRef(channel, ts, {}), card)

        async def ack_click(ack: Any) -> None:
            await ack()

        async def clicked(body: dict[str, Any], client: AsyncWebClient) -> None:
            action = body["actions"][0]
            name, case_id = action["action_id"], int(action.get("value") or 0)
            channel = body.get("channel", {}).get("id") or body.get("container", {}).get("channel_id", "")
            ts = body.get("message", {}).get("ts") or body.get("container", {}).get("message_ts", "")
            user = body.get("user", {})
            person = identify(
                settings, "slack", user.get("id", ""), name=user.get("username") or user.get("name")
            )
            why = refusal(person, name)
            spec = BUTTONS[name]
            if why is None and spec.ask is not None:
                card = await asyncio.to_thread(cards.load, database, case_id, zone=zone)
                if card is not None:
                    await client.views_open(
                        trigger_id=body["trigger_id"], view=modal(card, name, channel=channel, ts=ts)
                    )
                return
            outcome = await asyncio.to_thread(perform, database, settings, case_id, name, person, {})
            wake_outbox()
            await refresh(channel, ts, case_id, outcome.message if outcome.refused else None)

        async def ack_modal(ack: Any, body: dict[str, Any]) -> None:
            meta = json.loads(body["view"]["private_metadata"])
            ask = BUTTONS[meta["action"]].ask
            value = _typed(body)
            problem = check_input(ask, value) if ask is not None else None
            if problem:
                await ack(response_action="errors", errors={"ask": problem})
            else:
                await ack()

        async def submitted(body: dict[str, Any]) -> None:
            meta = json.loads(body["view"]["private_metadata"])
            ask = BUTTONS[meta["action"]].ask
            value = _typed(body)
            if ask is not None and check_input(ask, value):
                return  # refused in the modal already
            user = body.get("user", {})
            person = identify(
                settings, "slack", user.get("id", ""), name=user.get("username") or user.get("name")
            )
            given = {ask.name: value.strip()} if ask is not None and value.strip() else {}
            outcome = await asyncio.to_thread(
                perform, database, settings, int(meta["case"]), meta["action"], person, given
            )
            wake_outbox()
            await refresh(
                meta["channel"], meta["ts"], int(meta["case"]), outcome.message if outcome.refused else None
            )

        for name in BUTTONS:
            app.action(name)(ack=ack_click, lazy=[clicked])
        app.view(MODAL)(ack=ack_modal, lazy=[submitted])
        return app


def _typed(body: dict[str, Any]) -> str:
    state = body.get("view", {}).get("state", {}).get("values", {}).get("ask", {}).get("value", {})
    return str(state.get("value") or "")


def events_handler(app: AsyncApp) -> Callable[[web.Request], Any]:
    """`POST /slack/events`: Bolt verifies, acknowledges and dispatches."""

    async def handle(request: web.Request) -> web.Response:
        if not request.headers.get("X-Slack-Request-Timestamp", "").isdigit():
            # Bolt turns a timestamp that is no number into a server error; it is just an unsigned request
            return web.json_response({"error": "invalid request timestamp"}, status=401)
        bolt_request = await to_bolt_request(request)
        bolt_response = await app.async_dispatch(bolt_request)
        return await to_aiohttp_response(bolt_response)

    return handle


async def run_socket_mode(settings: Settings, app: AsyncApp, stop: asyncio.Event) -> None:
    """Socket Mode: Slack pushes the clicks over a websocket; no public URL needed."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    handler = AsyncSocketModeHandler(app, settings.secret(settings.slack.app_token_env))
    await handler.connect_async()
    try:
        await stop.wait()
    finally:
        await handler.close_async()
