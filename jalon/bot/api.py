"""The case buttons without a chat: `GET /api/cases`, `POST /api/cases/{id}/{action}` and `jalon cases`.

The same `perform` as a click. Whoever holds the API token (or runs the CLI on the server) is an
administrator: they act as a supervisor, under the name they give (`X-Jalon-Actor`, `--actor`).
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from typing import Any

from aiohttp import web
from sqlalchemy import select

from jalon.bot import cards
from jalon.bot.buttons import BUTTONS, Outcome, Person, perform
from jalon.config import Settings, StaffMember
from jalon.db import Database
from jalon.models import Case


def administrator(actor: str, platform: str) -> Person:
    return Person(platform, actor, actor, StaffMember(name=actor, role="supervisor"))


def card_dict(card: cards.Card) -> dict[str, Any]:
    data = asdict(card)
    data["buttons"] = [
        {"action": b.action, "label": b.label, "asks": b.ask.name if b.ask else None, "role": b.role}
        for b in card.buttons
    ]
    return data


def list_cards(database: Database, *, include_closed: bool = False, zone: str = "UTC") -> list[cards.Card]:
    with database.session() as session:
        query = select(Case.id).order_by(Case.id)
        if not include_closed:
            query = query.where(Case.state == "open")
        found = [cards.build(session, case_id, zone=zone) for case_id in session.scalars(query)]
        return [card for card in found if card is not None]


def act(
    database: Database,
    settings: Settings,
    case_id: int,
    action: str,
    actor: str,
    given: dict[str, Any],
    *,
    via: str,
) -> Outcome:
    return perform(database, settings, case_id, action, administrator(actor, via), given)


async def api_cases(request: web.Request) -> web.Response:
    from jalon.web import DATABASE, SETTINGS

    closed = request.query.get("state") == "all"
    zone = request.app[SETTINGS].gateway.timezone
    found = await asyncio.to_thread(list_cards, request.app[DATABASE], include_closed=closed, zone=zone)
    return web.json_response([card_dict(card) for card in found])


async def api_act(request: web.Request) -> web.Response:
    from jalon.web import DATABASE, SETTINGS, WAKE_OUTBOX

    action = request.match_info["action"]
    if action not in BUTTONS:
        return web.json_response(
            {"error": f"unknown action {action!r}", "actions": sorted(BUTTONS)}, status=404
        )
    try:
        case_id = int(request.match_info["case"])
        body = await request.json() if request.can_read_body else {}
    except ValueError:
        return web.json_response({"error": "case id must be a number and the body JSON"}, status=400)
    given = {
        k: str(v)[:2000]  # a reason is a sentence: never megabytes in the event log
        for k, v in (body if isinstance(body, dict) else {}).items()
        if k in ("email", "reason", "days")
    }
    actor = request.headers.get("X-Jalon-Actor", "api")[:128]
    outcome = await asyncio.to_thread(
        act, request.app[DATABASE], request.app[SETTINGS], case_id, action, actor, given, via="api"
    )
    request.app[WAKE_OUTBOX]()
    status = 200 if outcome.ok else (403 if outcome.refused else 409)
    return web.json_response(asdict(outcome), status=status)


def add_api_routes(app: web.Application) -> None:
    app.router.add_get("/api/cases", api_cases)
    app.router.add_post("/api/cases/{case}/{action}", api_act)
