"""Signed, expiring, single-use action pages (`/a/{token}`), where open-URL buttons of Workflows cards land.

Opening the link only shows the case and a form: link scanners and previews fetch every URL, so a GET never
acts. The form POST runs the same `perform` as a chat click, once: the link's nonce is spent in the shared
database when the action runs, so a second click, from any jalon process, is refused. Who acts comes from the
header an SSO proxy sets (`[teams] identity_header`), or else from the e-mail typed on the form, which must be
on the staff list (an open-URL click carries no identity of its own). A typed address is only a claim: it
never runs a supervisor's action, and a refusal never says who is on the staff list or with which role.
"""

from __future__ import annotations

import asyncio
import html
import secrets
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from sqlalchemy.exc import IntegrityError

from jalon.bot import cards
from jalon.bot.buttons import BUTTONS, identify, perform, refusal
from jalon.config import Settings
from jalon.db import Database
from jalon.links import sign, signing_key, verify
from jalon.models import KeyValue

SPENT = "action_link:"


@dataclass(frozen=True)
class Link:
    case_id: int
    action: str
    expires: int
    nonce: str


def make_token(key: bytes, case_id: int, action: str, expires: int, nonce: str | None = None) -> str:
    nonce = nonce or secrets.token_urlsafe(9)
    signature = sign(key, "action", str(case_id), action, str(expires), nonce)
    return f"{case_id}.{action}.{expires}.{nonce}.{signature}"


def read_token(key: bytes, token: str, *, now: float | None = None) -> Link | str:
    """The link, or why it cannot be used."""
    parts = token.split(".")
    if len(parts) != 5 or not parts[0].isdigit() or not parts[2].isdigit():
        return "malformed link"
    case_id, action, expires, nonce, signature = parts
    if not verify(key, signature, "action", case_id, action, expires, nonce) or action not in BUTTONS:
        return "invalid signature"
    if int(expires) < (now or time.time()):
        return "this link has expired"
    return Link(int(case_id), action, int(expires), nonce)


def links_for(database: Database, settings: Settings, card: cards.Card) -> dict[str, str]:
    """One fresh link per button of a card."""
    with database.session() as session:
        key = signing_key(settings, session)
    expires = int(time.time() + settings.teams.action_link_ttl.total_seconds())
    base = settings.web.public_url.rstrip("/")
    return {b.action: f"{base}/a/{make_token(key, card.case_id, b.action, expires)}" for b in card.buttons}


def _spent(database: Database, nonce: str) -> bool:
    with database.session() as session:
        return session.get(KeyValue, SPENT + nonce) is not None


def _spend(database: Database, nonce: str, actor: str) -> bool:
    """Mark the link used; False if another click got there first."""
    try:
        with database.session() as session:
            session.add(KeyValue(key=SPENT + nonce, value=f"{actor} {int(time.time())}"))
    except IntegrityError:
        return False
    return True


PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>{title}</title><style>
body{{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}}
dt{{font-weight:600}}dd{{margin:0 0 .5rem}}.note{{padding:.75rem;border-radius:.4rem;background:#f3f3f3}}
button{{font-size:1rem;padding:.5rem 1rem}}label{{display:block;margin:.75rem 0 .25rem}}
input,textarea{{width:100%}}
</style></head><body>{body}</body></html>"""


def _card_html(card: cards.Card) -> str:
    facts = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in card.facts)
    evidence = "".join(f"<li>{html.escape(line)}</li>" for line in card.evidence)
    status = "".join(f"<p><small>{html.escape(line)}</small></p>" for line in card.status)
    return (
        f"<h1>{html.escape(card.headline)}</h1><dl>{facts}</dl>"
        + (f"<ul>{evidence}</ul>" if evidence else "")
        + status
    )


def _page(title: str, body: str, status: int = 200) -> web.Response:
    return web.Response(
        text=PAGE.format(title=html.escape(title), body=body),
        content_type="text/html",
        status=status,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"},
    )


def _form(settings: Settings, link: Link, token: str) -> str:
    spec = BUTTONS[link.action]
    fields = ""
    if not settings.teams.identity_header:
        fields += (
            '<label for="who">Your e-mail, as on jalon\'s staff list</label>'
            '<input id="who" name="who" type="email" required autocomplete="email">'
        )
    if spec.ask is not None:
        required = "" if spec.ask.optional else " required"
        if spec.ask.kind == "number":
            widget = f'<input id="ask" name="{spec.ask.name}" type="number" min="1" max="365"{required}>'
        elif spec.ask.kind == "email":
            widget = f'<input id="ask" name="{spec.ask.name}" type="email"{required}>'
        else:
            widget = f'<textarea id="ask" name="{spec.ask.name}" maxlength="1000"{required}></textarea>'
        fields += f'<label for="ask">{html.escape(spec.ask.label)}</label>{widget}'
    return (
        f'<form method="post" action="/a/{html.escape(token)}">{fields}'
        f'<p><button type="submit">{html.escape(spec.label)}</button></p></form>'
    )


async def _context(request: web.Request) -> tuple[Database, Settings, str, Link | str]:
    from jalon.web import DATABASE, SETTINGS

    database, settings = request.app[DATABASE], request.app[SETTINGS]
    token = request.match_info["token"]

    def read() -> Link | str:
        with database.session() as session:
            key = signing_key(settings, session)
        return read_token(key, token)

    return database, settings, token, await asyncio.to_thread(read)


async def show(request: web.Request) -> web.Response:
    """GET: the case and the form; nothing happens until the form is sent."""
    database, settings, token, link = await _context(request)
    if isinstance(link, str):
        return _page("Link not valid", f"<p class=note>{html.escape(link)}.</p>", status=403)
    card = await asyncio.to_thread(cards.load, database, link.case_id, zone=settings.teams.timezone)
    if card is None:
        return _page("Unknown case", "<p class=note>This case does not exist.</p>", status=404)
    if await asyncio.to_thread(_spent, database, link.nonce):
        note = "This link was already used."
    elif not card.open:
        note = "This case is closed."
    else:
        note = ""
    body = _card_html(card) + (f"<p class=note>{note}</p>" if note else _form(settings, link, token))
    return _page(card.title, body)


async def act(request: web.Request) -> web.Response:
    """POST: check who, spend the link, run the action, show the outcome."""
    from jalon.web import WAKE_OUTBOX

    database, settings, _token, link = await _context(request)
    if isinstance(link, str):
        return _page("Link not valid", f"<p class=note>{html.escape(link)}.</p>", status=403)
    form = await request.post()
    header = settings.teams.identity_header
    who = (request.headers.get(header, "") if header else str(form.get("who", ""))).strip()
    person = identify(settings, "page", who)
    why = refusal(person, link.action)
    if not header and BUTTONS[link.action].role != "agent":
        # A typed address is a claim anyone holding the link can make: a supervisor's action needs an identity
        # that was checked (an SSO proxy's header, a chat platform's signed click, the command line).
        why = (
            f"'{BUTTONS[link.action].label}' needs a signed-in supervisor: press it in Slack or Teams, "
            f"or run `jalon cases act {link.case_id} {link.action}`"
        )
    elif not header and why is not None:
        why = "this address may not do that here"  # never says who is on the staff list, nor their role
    if why is not None:
        card = await asyncio.to_thread(
            cards.load, database, link.case_id, notice=why, zone=settings.teams.timezone
        )
        body = _card_html(card) if card else ""
        return _page("Refused", body + f"<p class=note>⛔ {html.escape(why)}</p>", status=403)
    if not await asyncio.to_thread(_spend, database, link.nonce, person.actor):
        return _page("Already used", "<p class=note>This link was already used.</p>", status=409)
    given: dict[str, Any] = {k: str(form[k]) for k in ("email", "reason", "days") if form.get(k)}
    outcome = await asyncio.to_thread(perform, database, settings, link.case_id, link.action, person, given)
    request.app[WAKE_OUTBOX]()
    notice = outcome.message if outcome.refused else None
    card = await asyncio.to_thread(
        cards.load, database, link.case_id, notice=notice, zone=settings.teams.timezone
    )
    mark = "✔" if outcome.ok else "✖"
    body = (_card_html(card) if card else "") + f"<p class=note>{mark} {html.escape(outcome.message)}</p>"
    return _page("Done" if outcome.ok else "Not done", body, status=200 if outcome.ok else 409)
