"""Chat wiring: the outbox sender that keeps each case's card in step on every configured platform, the HTTP
routes of the chat edges, and the background work (Socket Mode, the daily digest).

An outbox `chat` item (`{"case_id", "op"}`) means "make the card of this case show its current state": post it
if it was never posted, else update it in place and post what happened since in its thread. The item leaves
after the commit that changed the case, and is retried with backoff if the platform is down.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Coroutine
from decimal import Decimal
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from jalon.bot import cards, slack, teams
from jalon.bot.routing import PostRef
from jalon.config import Settings
from jalon.db import Database, utcnow
from jalon.models import Case, ChatPost, Event, Invoice, KeyValue, Outbox

log = logging.getLogger(__name__)


class Platform(Protocol):
    name: str
    zone: str  # the time zone its cards show times in (its section's `timezone`)

    def channel_for(self, kind: str, group: str | None) -> str: ...
    def channels(self) -> list[str]: ...
    async def post(self, card: cards.Card, channel: str) -> PostRef: ...
    async def update(self, post: PostRef, card: cards.Card) -> None: ...
    async def reply(self, post: PostRef, lines: list[str]) -> None: ...
    async def say(self, channel: str, title: str, lines: list[str]) -> None: ...


def platforms(settings: Settings, database: Database) -> list[Platform]:
    """Every chat platform configured, checked (a half-configured one stops jalon at start)."""
    found: list[Platform] = []
    if slack.enabled(settings):
        slack.check(settings)
        found.append(slack.SlackChat(settings))
    teams.check(settings)
    if teams.bot_enabled(settings):
        found.append(teams.TeamsChat(settings))
    if teams.workflow_enabled(settings):
        found.append(teams.WorkflowChat(settings, database))
    return found


def configured(settings: Settings) -> bool:
    return slack.enabled(settings) or teams.bot_enabled(settings) or teams.workflow_enabled(settings)


# --- keeping cards in step ----------------------------------------------------------------------------------


def _load(
    database: Database, case_id: int, platform: str, zone: str
) -> tuple[cards.Card | None, PostRef | None, str, str | None, int]:
    with database.session() as session:
        card = cards.build(session, case_id, zone=zone)
        post = session.scalar(
            select(ChatPost).where(ChatPost.case_id == case_id, ChatPost.platform == platform)
        )
        ref = PostRef(post.channel, post.message_ref, dict(post.conversation or {})) if post else None
        kind, group = cards.channel_key(session, case_id)
        return card, ref, kind, group, cards.last_event_id(session)


def _news(database: Database, case_id: int, after: int) -> tuple[list[str], int]:
    with database.session() as session:
        found = cards.new_events(session, case_id, after)
        lines = [cards.event_line(e) for e in found if e.type not in cards.QUIET]
        return lines, max([after, *(e.id for e in found)])


def _save(database: Database, case_id: int, platform: str, ref: PostRef, *, created: bool) -> None:
    with database.session() as session:
        post = session.scalar(
            select(ChatPost).where(ChatPost.case_id == case_id, ChatPost.platform == platform)
        )
        if post is None:
            session.add(
                ChatPost(
                    case_id=case_id,
                    platform=platform,
                    channel=ref.channel,
                    message_ref=ref.message_ref,
                    conversation=ref.conversation,
                )
            )
        else:
            post.conversation = dict(ref.conversation)
            post.updated_at = utcnow()


SYNC_LEASE = dt.timedelta(minutes=2)  # a process that died while syncing a card holds it no longer


class Busy(RuntimeError):
    """Another jalon process is bringing this card in step right now; the outbox retries later."""


def _lock(database: Database, key: str, now: dt.datetime) -> bool:
    """A short lease in the shared database, so that two processes never post the same card or the same
    thread lines twice."""
    try:
        with database.session() as session:
            row = session.scalars(select(KeyValue).where(KeyValue.key == key).with_for_update()).first()
            if row is not None:
                held_since = dt.datetime.fromisoformat(row.value)
                if now - held_since < SYNC_LEASE:
                    return False
                row.value = now.isoformat()
            else:
                session.add(KeyValue(key=key, value=now.isoformat()))
    except IntegrityError:
        return False
    return True


def _unlock(database: Database, key: str) -> None:
    with database.session() as session:
        row = session.get(KeyValue, key)
        if row is not None:
            session.delete(row)


async def sync(database: Database, platform: Platform, case_id: int) -> None:
    """Make the case's card on this platform show the current state."""
    key = f"chat-sync:{platform.name}:{case_id}"
    if not await asyncio.to_thread(_lock, database, key, utcnow()):
        raise Busy(f"case {case_id} is being synced to {platform.name} by another process")
    try:
        await _sync(database, platform, case_id)
    finally:
        await asyncio.to_thread(_unlock, database, key)


async def _sync(database: Database, platform: Platform, case_id: int) -> None:
    card, ref, kind, group, latest = await asyncio.to_thread(
        _load, database, case_id, platform.name, platform.zone
    )
    if card is None:
        return
    if ref is None:
        if not card.open:
            return  # opened and settled before it was ever shown: nothing for people to see
        ref = await platform.post(card, platform.channel_for(kind, group))
        ref.conversation["last_event_id"] = latest
        await asyncio.to_thread(_save, database, case_id, platform.name, ref, created=True)
        return
    await platform.update(ref, card)
    lines, last = await asyncio.to_thread(
        _news, database, case_id, int(ref.conversation.get("last_event_id", 0))
    )
    if lines:
        await platform.reply(ref, lines[-20:])
    ref.conversation["last_event_id"] = last
    await asyncio.to_thread(_save, database, case_id, platform.name, ref, created=False)


KindSender = Callable[[Database, Settings, Outbox], Awaitable[None]]


def chat_senders(settings: Settings, database: Database) -> dict[str, KindSender]:
    """The outbox sender for `chat` items, when a chat platform is configured (else they stay skipped)."""
    if not configured(settings):
        return {}
    chosen = platforms(settings, database)

    async def send_chat(database: Database, settings: Settings, item: Outbox) -> None:
        case_id = int((item.payload or {}).get("case_id") or 0)
        for platform in chosen:
            await sync(database, platform, case_id)

    return {"chat": send_chat}


# --- HTTP routes --------------------------------------------------------------------------------------------


def add_routes(app: web.Application) -> None:
    """The chat edges of the web app: Slack's events URL, the Teams messaging endpoint, the action pages, and
    the case buttons for scripts."""
    from jalon.bot import api, pages
    from jalon.web import DATABASE, SETTINGS, WAKE_OUTBOX

    settings, database = app[SETTINGS], app[DATABASE]

    def wake() -> None:
        app[WAKE_OUTBOX]()

    if slack.enabled(settings) and not settings.slack.socket_mode:
        slack.check(settings)
        bolt = slack.SlackChat(settings).bolt_app(database, wake)
        app.router.add_post("/slack/events", slack.events_handler(bolt))
    teams.check(settings)
    if teams.bot_listens(settings):
        app.router.add_post("/teams/messages", teams.messages_handler(settings, database, wake))
    app.router.add_get("/a/{token}", pages.show)
    app.router.add_post("/a/{token}", pages.act)
    api.add_api_routes(app)  # the same buttons for scripts: /api/cases (behind the API token)


# --- the daily digest ---------------------------------------------------------------------------------------


def digests(
    database: Database, settings: Settings, platform: Platform, *, oldest: int = 3
) -> list[cards.Digest]:
    """Per channel of a platform: open cases by kind, the oldest ones, the amounts at stake."""
    result: dict[str, cards.Digest] = {c: cards.Digest(c, 0, {}, [], {}) for c in platform.channels()}
    with database.session() as session:
        for case in session.scalars(
            select(Case).where(Case.state == "open").order_by(Case.opened_at, Case.id)
        ):
            kind, group = cards.channel_key(session, case.id)
            digest = result.setdefault(platform.channel_for(kind, group), cards.Digest("", 0, {}, [], {}))
            digest.count += 1
            digest.by_kind[case.kind] = digest.by_kind.get(case.kind, 0) + 1
            if len(digest.oldest) < oldest:
                digest.oldest.append((cards.when(case.opened_at), case.title))
            invoice = session.get(Invoice, case.invoice_id) if case.invoice_id else None
            if invoice is not None and invoice.total_with_vat is not None:
                due = invoice.amount_due if invoice.amount_due is not None else invoice.total_with_vat
                digest.at_stake[invoice.currency] = digest.at_stake.get(invoice.currency, Decimal(0)) + due
    for channel, digest in result.items():
        digest.channel = digest.channel or channel
    return [d for d in result.values() if d.channel]


def _claim_digest(database: Database, key: str) -> bool:
    """Once per channel and day, whatever the number of jalon processes."""
    try:
        with database.session() as session:
            session.add(KeyValue(key=key, value=utcnow().isoformat()))
    except IntegrityError:
        return False
    return True


async def post_digests(
    database: Database, settings: Settings, chosen: list[Platform], now: dt.datetime
) -> int:
    """Post today's digest on each platform whose `digest_at` has passed; returns how many were posted."""
    posted = 0
    for platform in chosen:
        section = settings.slack if platform.name == "slack" else settings.teams
        if not section.digest_at:
            continue
        local = now.astimezone(ZoneInfo(section.timezone))
        if local.strftime("%H:%M") < section.digest_at:
            continue
        for digest in await asyncio.to_thread(digests, database, settings, platform):
            key = f"digest:{platform.name}:{digest.channel}:{local:%Y-%m-%d}"
            if await asyncio.to_thread(_claim_digest, database, key):
                await platform.say(
                    digest.channel, f"jalon — cases waiting on {local:%Y-%m-%d}", digest.lines()
                )
                posted += 1
    return posted


def queue_news(database: Database) -> int:
    """Open cards whose invoice had something happen since they were last brought in step get an update
    queued: the card is refreshed and the news goes in its thread. Returns how many were queued."""
    with database.session() as session:
        rows = session.execute(
            select(ChatPost, Case.invoice_id)
            .join(Case, Case.id == ChatPost.case_id)
            .where(Case.state == "open", Case.invoice_id.is_not(None))
        ).all()
        invoice_ids = {invoice_id for _, invoice_id in rows}
        if not invoice_ids:
            return 0
        newest = dict(
            session.execute(
                select(Event.invoice_id, func.max(Event.id))
                .where(Event.invoice_id.in_(invoice_ids), Event.type.not_in(cards.QUIET))
                .group_by(Event.invoice_id)
            ).all()
        )
        queued: set[int] = set()
        for post, invoice_id in rows:
            seen = dict(post.conversation or {})
            latest = int(newest.get(invoice_id) or 0)
            if latest <= max(int(seen.get("last_event_id", 0)), int(seen.get("queued_upto", 0))):
                continue
            post.conversation = {**seen, "queued_upto": latest}  # not queued again by the next sweep
            if post.case_id not in queued:
                session.add(
                    Outbox(
                        kind="chat",
                        payload={"case_id": post.case_id, "op": "update"},
                        next_attempt_at=utcnow(),
                    )
                )
                queued.add(post.case_id)
        return len(queued)


NEWS_EVERY = 15.0  # seconds between two looks for news on open cards
DIGEST_EVERY = 60.0


def background(
    settings: Settings, database: Database, stop: asyncio.Event, wake_outbox: Callable[[], None]
) -> list[Coroutine[Any, Any, None]]:
    """Long-running chat work for `jalon serve`: Socket Mode, news for open cards, the daily digest."""
    if not configured(settings):
        return []
    chosen = platforms(settings, database)
    work: list[Coroutine[Any, Any, None]] = []
    if slack.enabled(settings) and settings.slack.socket_mode:
        bolt = slack.SlackChat(settings).bolt_app(database, wake_outbox)
        work.append(slack.run_socket_mode(settings, bolt, stop))
    digest = bool(settings.slack.digest_at or settings.teams.digest_at)

    async def clock() -> None:
        last_digest = 0.0
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            try:
                if await asyncio.to_thread(queue_news, database):
                    wake_outbox()
                if digest and loop.time() - last_digest >= DIGEST_EVERY:
                    last_digest = loop.time()
                    await post_digests(database, settings, chosen, utcnow())
            except Exception:
                log.exception("chat clock failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=NEWS_EVERY)

    work.append(clock())
    return work


def with_chat_of(settings: Settings, config_path: str | None) -> Settings:
    """`settings` with the chat sections ([slack], [teams], [[staff]]) of another configuration file, so that
    `jalon --config mine.toml demo` posts the demo's cards to a real Slack or Teams."""
    import os

    from jalon.config import load, load_dict

    path = config_path or os.environ.get("JALON_CONFIG")
    if not path:
        return settings
    mine = load(path)
    if not configured(mine):
        return settings
    chat = {
        "slack": mine.slack.model_dump(),
        "teams": mine.teams.model_dump(),
        "staff": mine.model_dump()["staff"],
    }
    return load_dict({**settings.model_dump(), **chat})
