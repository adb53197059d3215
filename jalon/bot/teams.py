"""Teams: a card as an Adaptive Card, a bot built on the Microsoft 365 Agents SDK inside jalon's aiohttp app
(`POST /teams/messages`), and the Workflows-webhook variant for tenants that will not install an app.

Inbound activities carry a Bot Connector JWT, checked first (teams_auth.py); the SDK's CloudAdapter and
ActivityHandler then run the turn; an `Action.Execute` click arrives as an `adaptiveCard/action` invoke and
the refreshed card goes back in the HTTP response. Outbound calls (post, update, thread replies) use the SDK's
ConnectorClient with a client-credentials token.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web
from microsoft_agents.activity import (
    Activity,
    AdaptiveCardInvokeResponse,
    AdaptiveCardInvokeValue,
    Attachment,
)
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import ActivityHandler, TurnContext
from microsoft_agents.hosting.core.authorization import ClaimsIdentity
from microsoft_agents.hosting.core.connector.client import ConnectorClient, UserTokenClient

from jalon.bot import cards
from jalon.bot.buttons import BUTTONS, identify, perform
from jalon.bot.routing import PostRef, route
from jalon.bot.teams_auth import AuthError, BotToken, InboundAuth
from jalon.config import ConfigError, Settings
from jalon.db import Database

log = logging.getLogger(__name__)
CARD_TYPE = "application/vnd.microsoft.card.adaptive"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def bot_listens(settings: Settings) -> bool:
    """The bot takes activities (clicks, and its installation, which tells the channel's conversation id)."""
    return bool(settings.teams.app_id or settings.teams.allow_anonymous)


def bot_enabled(settings: Settings) -> bool:
    """The bot also posts cards: it knows where."""
    return bool(settings.teams.conversation_id and bot_listens(settings))


def workflow_enabled(settings: Settings) -> bool:
    return bool(settings.teams.workflow_url_env and settings.secret(settings.teams.workflow_url_env))


def check(settings: Settings) -> None:
    """Refuse to start in production with anonymous auth, or with a bot that has no credentials."""
    teams = settings.teams
    if teams.allow_anonymous and (urlsplit(settings.web.public_url).hostname or "") not in LOOPBACK:
        raise ConfigError(
            "[teams] allow_anonymous accepts unsigned activities: local tests only, and [web] public_url "
            f"({settings.web.public_url}) is not a loopback address"
        )
    if teams.allow_anonymous and settings.web.host not in LOOPBACK:
        # the address the server listens on is what others reach, whatever public_url says
        raise ConfigError(
            "[teams] allow_anonymous accepts unsigned activities: local tests only, and [web] host "
            f"({settings.web.host}) is not a loopback address"
        )
    if teams.app_id and not teams.allow_anonymous and not settings.secret(teams.app_password_env):
        raise ConfigError(f"[teams] app_id is set but {teams.app_password_env} is not set in the environment")


# --- rendering ----------------------------------------------------------------------------------------------


def _input(button: cards.Button) -> dict[str, Any]:
    ask = button.ask
    assert ask is not None
    if ask.kind == "number":
        return {
            "type": "Input.Number",
            "id": ask.name,
            "label": ask.label,
            "min": 1,
            "max": 365,
            "isRequired": True,
        }
    field: dict[str, Any] = {
        "type": "Input.Text",
        "id": ask.name,
        "label": ask.label,
        "isRequired": not ask.optional,
    }
    if ask.kind == "email":
        field["style"] = "Email"
        field["errorMessage"] = "an e-mail address"
    else:
        field["isMultiline"] = True
        field["maxLength"] = 1000
    return field


def _execute(button: cards.Button, case_id: int) -> dict[str, Any]:
    action: dict[str, Any] = {
        "type": "Action.Execute",
        "verb": button.action,
        "title": button.label,
        "data": {"case": case_id},
    }
    if button.style == "primary":
        action["style"] = "positive"
    elif button.style == "danger":
        action["style"] = "destructive"
    return action


def adaptive_card(card: cards.Card, *, links: dict[str, str] | None = None) -> dict[str, Any]:
    """An Adaptive Card 1.4 (Action.Execute needs 1.4). With `links`, buttons are open-URL links instead
    (Workflows webhooks: clicks never reach a service there)."""
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": card.headline, "weight": "Bolder", "size": "Medium", "wrap": True}
    ]
    if card.facts:
        body.append({"type": "FactSet", "facts": [{"title": k, "value": v} for k, v in card.facts]})
    for line in card.evidence:
        body.append({"type": "TextBlock", "text": line, "wrap": True, "isSubtle": True, "spacing": "Small"})
    if card.notice:
        body.append({"type": "TextBlock", "text": f"⛔ {card.notice}", "wrap": True, "color": "Attention"})
    for line in card.status:
        body.append({"type": "TextBlock", "text": line, "wrap": True, "size": "Small", "isSubtle": True})
    actions: list[dict[str, Any]] = []
    for button in card.buttons:
        if links is not None:
            if button.action in links:
                actions.append({"type": "Action.OpenUrl", "title": button.label, "url": links[button.action]})
        elif button.ask is not None:
            actions.append(
                {
                    "type": "Action.ShowCard",
                    "title": button.label,
                    "card": {
                        "type": "AdaptiveCard",
                        "body": [_input(button)],
                        "actions": [_execute(button, card.case_id)],
                    },
                }
            )
        else:
            actions.append(_execute(button, card.case_id))
    result: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.4",
        "body": body,
    }
    if actions:
        result["actions"] = actions
    return result


def _attachment(card: dict[str, Any]) -> Attachment:
    return Attachment(content_type=CARD_TYPE, content=card)


# --- outbound: the Bot Connector ---------------------------------------------------------------------------


class ConnectorFactory:
    """What the SDK's adapter asks for during a turn: a connector client for the activity's service URL."""

    def __init__(self, token: BotToken) -> None:
        self.token = token

    async def create_connector_client(
        self,
        context: Any,
        claims_identity: Any,
        service_url: str,
        audience: str,
        scopes: list[str] | None = None,
        use_anonymous: bool = False,
    ) -> ConnectorClient:
        return ConnectorClient(endpoint=service_url, token=await self.token.get())

    async def create_user_token_client(
        self, context: Any, claims_identity: Any, use_anonymous: bool = False
    ) -> UserTokenClient:
        # jalon signs nobody in: a client that is never called, for the adapter's bookkeeping.
        return UserTokenClient(
            endpoint="https://token.botframework.com/", token="", app_id=self.token.settings.teams.app_id
        )


class TeamsChat:
    """Posts and updates cards through the Bot Connector REST API (`[teams] service_url`)."""

    name = "teams"

    def __init__(self, settings: Settings, token: BotToken | None = None) -> None:
        self.settings = settings
        self.zone = settings.teams.timezone
        self.token = token or BotToken(settings)

    def channel_for(self, kind: str, group: str | None) -> str:
        return route(self.settings.teams.routes, self.settings.teams.conversation_id, kind, group)

    def channels(self) -> list[str]:
        teams = self.settings.teams
        return list(dict.fromkeys([teams.conversation_id, *(r.channel for r in teams.routes)]))

    async def _client(self, service_url: str | None = None) -> ConnectorClient:
        return ConnectorClient(
            endpoint=service_url or self.settings.teams.service_url, token=await self.token.get()
        )

    async def post(self, card: cards.Card, channel: str) -> PostRef:
        client = await self._client()
        try:
            activity = Activity(
                type="message", summary=card.headline, attachments=[_attachment(adaptive_card(card))]
            )
            response = await client.conversations.send_to_conversation(channel, activity)
        finally:
            await client.close()
        return PostRef(channel, response.id, {"service_url": self.settings.teams.service_url})

    async def update(self, post: PostRef, card: cards.Card) -> None:
        if not post.message_ref:
            return
        client = await self._client(post.conversation.get("service_url"))
        try:
            activity = Activity(
                type="message",
                id=post.message_ref,
                summary=card.headline,
                attachments=[_attachment(adaptive_card(card))],
            )
            await client.conversations.update_activity(post.channel, post.message_ref, activity)
        finally:
            await client.close()

    async def reply(self, post: PostRef, lines: list[str]) -> None:
        if not post.message_ref:
            return
        client = await self._client(post.conversation.get("service_url"))
        try:
            activity = Activity(type="message", text="\n\n".join(lines), reply_to_id=post.message_ref)
            await client.conversations.reply_to_activity(post.channel, post.message_ref, activity)
        finally:
            await client.close()

    async def say(self, channel: str, title: str, lines: list[str]) -> None:
        client = await self._client()
        try:
            text = f"**{title}**\n\n" + "\n\n".join(lines)
            await client.conversations.send_to_conversation(channel, Activity(type="message", text=text))
        finally:
            await client.close()


class WorkflowChat:
    """A Workflows webhook: posts cards whose buttons open signed, single-use action pages. It cannot update a
    posted card, so it posts once when a case opens and once when it closes."""

    name = "workflow"
    updates_in_place = False

    def __init__(self, settings: Settings, database: Database) -> None:
        self.settings = settings
        self.zone = settings.teams.timezone
        self.database = database

    def channel_for(self, kind: str, group: str | None) -> str:
        return "workflow"

    def channels(self) -> list[str]:
        return ["workflow"]

    async def _send(self, card: dict[str, Any]) -> None:
        url = self.settings.secret(self.settings.teams.workflow_url_env)
        if not url:
            raise RuntimeError(f"{self.settings.teams.workflow_url_env} is not set")
        body = {
            "type": "message",
            "attachments": [{"contentType": CARD_TYPE, "contentUrl": None, "content": card}],
        }
        timeout = aiohttp.ClientTimeout(total=20)
        async with aiohttp.ClientSession(timeout=timeout) as http, http.post(url, json=body) as response:
            if response.status >= 300:
                raise RuntimeError(f"the Workflows webhook answered {response.status}")

    async def post(self, card: cards.Card, channel: str) -> PostRef:
        from jalon.bot import pages

        links = await asyncio.to_thread(pages.links_for, self.database, self.settings, card)
        await self._send(adaptive_card(card, links=links))
        return PostRef(channel, None, {"closed_posted": not card.open})

    async def update(self, post: PostRef, card: cards.Card) -> None:
        if not card.open and not post.conversation.get("closed_posted"):
            await self._send(adaptive_card(card, links={}))
            post.conversation["closed_posted"] = True

    async def reply(self, post: PostRef, lines: list[str]) -> None:
        return None  # no thread through a webhook

    async def say(self, channel: str, title: str, lines: list[str]) -> None:
        body = [{"type": "TextBlock", "text": title, "weight": "Bolder", "wrap": True}]
        body += [{"type": "TextBlock", "text": line, "wrap": True} for line in lines]
        await self._send({"type": "AdaptiveCard", "version": "1.4", "body": body})


# --- the bot: clicks arrive as invokes ----------------------------------------------------------------------


class CaseBot(ActivityHandler):
    """Runs the use case of an `Action.Execute` click and answers with the refreshed card."""

    def __init__(self, settings: Settings, database: Database, wake_outbox: Callable[[], None]) -> None:
        self.settings = settings
        self.database = database
        self.wake_outbox = wake_outbox

    async def on_adaptive_card_invoke(
        self, turn_context: TurnContext, invoke_value: AdaptiveCardInvokeValue
    ) -> AdaptiveCardInvokeResponse:
        action = invoke_value.action
        data = dict(action.data or {})
        verb = action.verb or ""
        try:
            case_id = int(str(data.get("case") or ""))
        except ValueError:
            case_id = 0
        if verb not in BUTTONS or not case_id:
            return AdaptiveCardInvokeResponse(
                status_code=400,
                type="application/vnd.microsoft.error",
                value={"code": "BadRequest", "message": "unknown action"},
            )
        who = turn_context.activity.from_property
        person = identify(
            self.settings,
            "teams",
            (who.aad_object_id or who.id or "") if who else "",
            name=who.name if who else None,
        )
        if person.member is None and who is not None and who.id:
            person = identify(self.settings, "teams", who.id, name=who.name)
        given = {
            k: str(data[k]).strip() for k in ("email", "reason", "days") if data.get(k) not in (None, "")
        }
        outcome = await asyncio.to_thread(perform, self.database, self.settings, case_id, verb, person, given)
        self.wake_outbox()
        notice = outcome.message if outcome.refused else None
        card = await asyncio.to_thread(
            cards.load, self.database, case_id, notice=notice, zone=self.settings.teams.timezone
        )
        if card is None:
            return AdaptiveCardInvokeResponse(
                status_code=404,
                type="application/vnd.microsoft.error",
                value={"code": "NotFound", "message": "no such case"},
            )
        return AdaptiveCardInvokeResponse(status_code=200, type=CARD_TYPE, value=adaptive_card(card))

    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        conversation = turn_context.activity.conversation
        # Installing the bot in a channel is how an administrator learns the id for [teams] conversation_id.
        log.info(
            "Teams conversation %s (%s)",
            conversation.id if conversation else "?",
            turn_context.activity.service_url,
        )


def messages_handler(
    settings: Settings, database: Database, wake_outbox: Callable[[], None]
) -> Callable[[web.Request], Any]:
    """`POST /teams/messages`: authenticate the activity, then let the SDK's adapter run the turn."""
    auth = InboundAuth(settings.teams)
    adapter = CloudAdapter(channel_service_client_factory=ConnectorFactory(BotToken(settings)))  # type: ignore[arg-type]

    async def on_turn_error(context: TurnContext, error: Exception) -> None:
        log.error("Teams turn failed: %s: %s", type(error).__name__, error)

    adapter.on_turn_error = on_turn_error
    bot = CaseBot(settings, database, wake_outbox)

    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            activity = await request.json()
        except ValueError:
            return web.json_response({"error": "body is not JSON"}, status=400)
        if not isinstance(activity, dict):
            return web.json_response({"error": "body is not an activity"}, status=400)
        header = request.headers.get("Authorization")
        if settings.teams.allow_anonymous and not header and (request.remote or "") in LOOPBACK:
            identity = ClaimsIdentity()
        else:
            try:
                claims = await auth.validate(header, activity)
            except AuthError as error:
                log.warning("Teams activity refused: %s", error)
                return web.json_response({"error": "unauthorized"}, status=401)
            identity = ClaimsIdentity(claims, authentication_type="Bearer")
        with warnings.catch_warnings():  # the SDK's adapter reads the identity under this plain string key
            warnings.simplefilter("ignore", web.NotAppKeyWarning)
            request["claims_identity"] = identity
        response = await adapter.process(request, bot)
        return response or web.Response(status=202)

    return handle
