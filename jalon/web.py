"""HTTP edge (aiohttp): the customer portal behind each tracked link, the REST API, health.

The link in an invoice mail opens a portal page (an unauthenticated hit: only a hint, since link scanners and
Apple Mail Privacy Protection fetch everything); the download button there is a form POST, which scanners
do not submit, so a download is evidence that a person received the invoice. Every hit is an event with
time, IP and user agent. The API uses a bearer token from the environment (`[web] api_token_env`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import re
from collections.abc import Callable
from typing import Any

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.orm import Session

from jalon import events
from jalon.config import Settings
from jalon.db import Database, load_blob, utcnow
from jalon.handlers import actions, views
from jalon.links import check_invoice_link, signing_key
from jalon.models import Dispatch, Document, Invoice
from jalon.templating import language_of, render_page

DATABASE = web.AppKey("database", Database)
SETTINGS = web.AppKey("settings", Settings)

# Link scanners and prefetchers (mail security gateways, previewers): their hits are hints, never receipts.
SCANNER_AGENTS = re.compile(
    r"bot|crawler|spider|preview|scanner|proofpoint|mimecast|barracuda|safelinks|urldefense|symantec|"
    r"trendmicro|forcepoint|fortiguard|sophos|cisco|ironport|googleimageproxy|yahoomailproxy|"
    r"python-requests|curl|wget|go-http-client|headless|slackbot|skypeuripreview|microsoft office",
    re.IGNORECASE,
)
SCANNER_WINDOW = dt.timedelta(seconds=30)  # hits this soon after sending are machines, not people


def client_ip(request: web.Request) -> str:
    """The client's address: the connection's, or, through a proxy of `[web] trusted_proxies`, the last
    address that proxy saw before it (the ones before may be typed by the client)."""
    peer = request.remote or ""
    trusted = request.app[SETTINGS].web.trusted_proxies if SETTINGS in request.app else []
    forwarded = request.headers.get("X-Forwarded-For")
    if forwarded and peer in trusted:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        while hops and hops[-1] in trusted:
            hops.pop()
        return hops[-1] if hops else peer
    return peer


def hint_reason(request: web.Request, dispatch: Dispatch, now: dt.datetime) -> str | None:
    agent = request.headers.get("User-Agent", "")
    if request.method == "HEAD":
        return "HEAD request"
    if not agent:
        return "no user agent"
    if SCANNER_AGENTS.search(agent):
        return "scanner user agent"
    # Prefetchers fetch links as the mail arrives; a form POST is a click on the page, which they do not do.
    if request.method == "GET" and dispatch.sent_at and now - dispatch.sent_at < SCANNER_WINDOW:
        return "within seconds of sending"
    return None


def _check_link(
    database: Database, settings: Settings, token: str, expires: str, signature: str
) -> str | None:
    with database.session() as session:
        key = signing_key(settings, session)
    return check_invoice_link(key, token, expires, signature)


async def _signed_link(
    request: web.Request, expires: str, signature: str, advice: str = ""
) -> tuple[Database, Settings, str]:
    """The database, settings and dispatch token of a link whose signature holds; 403 otherwise."""
    database, settings, token = request.app[DATABASE], request.app[SETTINGS], request.match_info["token"]
    problem = await asyncio.to_thread(_check_link, database, settings, token, expires, signature)
    if problem:
        raise web.HTTPForbidden(text=f"This link is not valid ({problem}).{advice}")
    return database, settings, token


def _record_hit(
    session: Session,
    request: web.Request,
    dispatch: Dispatch,
    kind: str,
    now: dt.datetime,
    level: str,
    hint: str | None,
) -> None:
    """A hit on the portal as an event: when, from where, by what means, and how much it proves."""
    events.record(
        session,
        kind,
        invoice_id=dispatch.invoice_id,
        dispatch_id=dispatch.id,
        at=now,
        ip=client_ip(request),
        user_agent=request.headers.get("User-Agent", ""),
        method=request.method,
        level=level,
        hint=hint,
    )


async def portal(request: web.Request) -> web.StreamResponse:
    expires, signature = request.query.get("e", ""), request.query.get("s", "")
    database, settings, token = await _signed_link(
        request, expires, signature, " Reply to the invoice mail to get a new one."
    )

    def record() -> dict[str, Any] | None:
        now = utcnow()
        with database.session() as session:
            dispatch = session.scalar(select(Dispatch).where(Dispatch.token == token))
            if dispatch is None:
                return None
            invoice = session.get(Invoice, dispatch.invoice_id)
            assert invoice is not None
            if invoice.state in WITHDRAWN:
                return {"withdrawn": invoice.state, "number": invoice.number}
            reason = hint_reason(request, dispatch, now)
            _record_hit(
                session,
                request,
                dispatch,
                "dispatch.viewed",
                now,
                "hint",
                reason or "unauthenticated page view",
            )
            customer = invoice.customer
            return {
                "invoice": views.invoice_summary(invoice, customer),
                "recipient": dispatch.recipient,
                "language": language_of(customer.language if customer else settings.gateway.default_language),
            }

    context = await asyncio.to_thread(record)
    if context is None:
        raise web.HTTPNotFound(text="unknown invoice link")
    if "withdrawn" in context:
        return _withdrawn(settings, context["number"], context["withdrawn"])
    if request.method == "HEAD":
        return web.Response(content_type="text/html", headers=PRIVATE)
    html = render_page(
        "invoice",
        company=settings.gateway.company_name,
        token=token,
        expires=expires,
        signature=signature,
        **context,
    )
    return web.Response(text=html, content_type="text/html", headers=PRIVATE)


# An invoice page is for its recipient: not kept by shared caches, its address not passed on to other sites.
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
WITHDRAWN = ("cancelled", "replaced")  # nothing is owed on them: not shown, not served, no receipt recorded


def _withdrawn(settings: Settings, number: str, state: str) -> web.Response:
    import html as markup

    said = "was cancelled" if state == "cancelled" else "was replaced by a corrected version, sent separately"
    body = (
        f"<!doctype html><meta charset=utf-8><title>{markup.escape(number)}</title>"
        f"<p>Invoice {markup.escape(number)} {said}: nothing is owed on it. "
        f"Questions: reply to the mail from {markup.escape(settings.gateway.company_name)}.</p>"
    )
    return web.Response(text=body, content_type="text/html", status=410, headers=PRIVATE)


async def download(request: web.Request) -> web.StreamResponse:
    """The button on the portal page: a form POST, so a person did it."""
    form = await request.post()
    expires, signature = str(form.get("e", "")), str(form.get("s", ""))
    database, settings, token = await _signed_link(request, expires, signature)

    def fetch() -> tuple[str, str, bytes] | tuple[str, str] | None:
        now = utcnow()
        with database.session() as session:
            dispatch = session.scalar(select(Dispatch).where(Dispatch.token == token))
            if dispatch is None:
                return None
            invoice = session.get(Invoice, dispatch.invoice_id)
            if invoice is not None and invoice.state in WITHDRAWN:
                return invoice.number, invoice.state
            document = session.scalars(
                select(Document).where(Document.invoice_id == dispatch.invoice_id, Document.role == "invoice")
            ).first()
            if document is None:
                return None
            reason = hint_reason(request, dispatch, now)
            _record_hit(
                session,
                request,
                dispatch,
                "dispatch.downloaded",
                now,
                "hint" if reason else "confirmed",
                reason,
            )
            if not reason:
                from jalon.handlers.returns import close_proven_cases

                session.flush()
                close_proven_cases(session, dispatch.invoice_id)
            return document.filename, document.content_type, load_blob(session, document.blob_sha256)

    found = await asyncio.to_thread(fetch)
    if found is None:
        raise web.HTTPNotFound(text="unknown invoice link")
    if len(found) == 2:
        return _withdrawn(settings, *found)
    filename, content_type, data = found
    safe_name = re.sub(r"[^\w.\- ]", "_", filename)
    return web.Response(
        body=data,
        content_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="{safe_name}"', **PRIVATE},
    )


# --- REST API ---------------------------------------------------------------------------------------


@web.middleware
async def api_auth(request: web.Request, handler: Any) -> web.StreamResponse:
    if request.path.startswith("/api/"):
        settings = request.app[SETTINGS]
        expected = settings.secret(settings.web.api_token_env)
        if not expected:
            return web.json_response({"error": f"API disabled: set {settings.web.api_token_env}"}, status=503)
        scheme, _, given = request.headers.get("Authorization", "").strip().partition(" ")
        given = given.strip() if scheme.lower() == "bearer" else ""  # RFC 6750: any case, never without
        if not given or not hmac.compare_digest(given.encode(), expected.encode()):
            return web.json_response(
                {"error": "missing or invalid bearer token"},
                status=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
    return await handler(request)


@web.middleware
async def api_errors(request: web.Request, handler: Any) -> web.StreamResponse:
    """Under /api/, every error is a JSON object with an `error` (scripts parse one shape): aiohttp's own
    404, 405 and 413 answer plain text."""
    try:
        return await handler(request)
    except web.HTTPException as error:
        if not request.path.startswith("/api/") or error.status < 400:
            raise
        if error.content_type == "application/json":
            raise
        allow = error.headers.get("Allow")
        return web.json_response(
            {"error": error.text or error.reason},
            status=error.status,
            headers={"Allow": allow} if allow else None,
        )


def _actor(request: web.Request) -> str:
    return request.headers.get("X-Jalon-Actor", "api")[:128]


def _count(request: web.Request, name: str, default: int, most: int) -> int:
    """A whole number of the query string, 0..most; 400 with a JSON error otherwise."""
    raw = request.query.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) > most:
        raise web.HTTPBadRequest(text=f"{name} must be a whole number from 0 to {most}")  # JSON: api_errors
    return int(raw)


def _reason(body: dict[str, Any]) -> str | None:
    """A person's reason from a JSON body: a sentence, kept to 2000 characters, blank means none."""
    reason = body.get("reason")
    return reason.strip()[:2000] or None if isinstance(reason, str) else None


async def api_invoices(request: web.Request) -> web.Response:
    database = request.app[DATABASE]
    state = request.query.get("state")
    limit, offset = _count(request, "limit", 1000, 10_000), _count(request, "offset", 0, 10**9)

    def load() -> tuple[list[dict[str, Any]], int]:
        with database.session() as session:
            page = views.list_invoices(session, state=state, limit=limit, offset=offset)
            return page, views.count_invoices(session, state=state)

    page, total = await asyncio.to_thread(load)
    # The body stays the list itself; the total and the next page go in headers (RFC 8288 Link)
    headers = {"X-Total-Count": str(total)}
    if page and offset + len(page) < total:
        following = request.url.update_query(offset=str(offset + len(page)), limit=str(limit))
        headers["Link"] = f'<{following.path_qs}>; rel="next"'
    return web.json_response(page, dumps=_dumps, headers=headers)


async def api_invoice(request: web.Request) -> web.Response:
    database = request.app[DATABASE]
    number = request.match_info["number"]

    def load() -> dict[str, Any] | None:
        with database.session() as session:
            return views.invoice_detail(session, number)

    detail = await asyncio.to_thread(load)
    if detail is None:
        return web.json_response({"error": f"no invoice {number}"}, status=404)
    return web.json_response(detail, dumps=_dumps)


async def _act(
    request: web.Request, action: Callable[..., actions.ActionResult], **options: Any
) -> actions.ActionResult:
    """A use case of handlers/actions, off the event loop, on the URL's invoice, by the API's actor."""
    database, settings = request.app[DATABASE], request.app[SETTINGS]
    number = request.match_info["number"]
    return await asyncio.to_thread(action, database, settings, number, actor=_actor(request), **options)


async def api_release(request: web.Request) -> web.Response:
    body = await _json(request)
    force = body.get("force", False)
    if not isinstance(force, bool):  # "false" is a true string: a script's typo must not release anyway
        raise web.HTTPBadRequest(text="force must be true or false (JSON booleans)")
    result = await _act(
        request, actions.release, force=force, reason=_reason(body), customer=body.get("customer")
    )
    request.app[WAKE_OUTBOX]()
    return web.json_response(result.as_dict(), status=200 if result.ok else 409, dumps=_dumps)


async def api_cancel(request: web.Request) -> web.Response:
    body = await _json(request)
    result = await _act(request, actions.cancel, reason=_reason(body))
    return web.json_response(result.as_dict(), status=200 if result.ok else 409, dumps=_dumps)


async def api_holds(request: web.Request) -> web.Response:
    database = request.app[DATABASE]

    def load() -> list[dict[str, Any]]:
        with database.session() as session:
            return views.list_invoices(session, state="held")

    return web.json_response(await asyncio.to_thread(load), dumps=_dumps)


async def health(request: web.Request) -> web.Response:
    """200 when the gateway can reach its database (what every part of it needs), 503 otherwise."""
    from sqlalchemy import text

    database = request.app[DATABASE]

    def ping() -> None:
        with database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    try:
        await asyncio.wait_for(asyncio.to_thread(ping), timeout=5)
    except Exception as error:  # down, refused, timed out: say so, never a stack trace
        return web.json_response({"status": "error", "database": f"{type(error).__name__}"}, status=503)
    return web.json_response({"status": "ok", "database": "ok"})


async def _json(request: web.Request) -> dict[str, Any]:
    """The body as a JSON object; 400 with a JSON error for anything else (an array is no object)."""
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="the body must be a JSON object")  # JSON under /api/: api_errors
    return body


def _dumps(obj: Any) -> str:
    import json

    return json.dumps(obj, ensure_ascii=False, default=str)


async def api_payment(request: web.Request) -> web.Response:
    """Record a payment: {"amount": "120.00", "date": "2026-03-02", "reference": "…"}; no amount: all."""
    body = await _json(request)
    result = await _act(
        request,
        actions.mark_paid,
        amount=body.get("amount"),
        paid_on=body.get("date"),
        reference=body.get("reference"),
        source="api",
    )
    status = 200 if result.ok else (404 if result.message.startswith("no invoice") else 409)
    if not result.ok and result.message.startswith(("not an amount", "not a date", "a payment must")):
        status = 400
    return web.json_response(result.as_dict(), status=status, dumps=_dumps)


async def api_timeline(request: web.Request) -> web.Response:
    """An invoice's milestones (state, deadline, evidence) and scenario steps."""
    database, settings, number = request.app[DATABASE], request.app[SETTINGS], request.match_info["number"]

    def load() -> dict[str, Any] | None:
        from jalon.timeline import timeline

        with database.session() as session:
            invoice = actions.find_invoice(session, number)
            return None if invoice is None else timeline(session, settings, invoice)

    found = await asyncio.to_thread(load)
    if found is None:
        return web.json_response({"error": f"no invoice {number}"}, status=404)
    return web.json_response(found, dumps=_dumps)


async def api_statement(request: web.Request) -> web.Response:
    """A customer's open items and totals (`accounts.statement`), on today's date where the team works."""
    database, settings, code = request.app[DATABASE], request.app[SETTINGS], request.match_info["code"]

    def load() -> dict[str, Any] | None:
        from jalon import accounts
        from jalon.businesstime import BusinessCalendar

        today = BusinessCalendar.from_settings(settings).today(utcnow())
        with database.session() as session:
            return accounts.statement(session, code, today)

    found = await asyncio.to_thread(load)
    if found is None:
        return web.json_response({"error": f"no customer {code}"}, status=404)
    return web.json_response(found, dumps=_dumps)


WAKE_OUTBOX = web.AppKey("wake_outbox", Any)


def make_app(settings: Settings, database: Database, wake_outbox: Any = None) -> web.Application:
    """The aiohttp application; other edges (chat callbacks) add their routes to it."""
    app = web.Application(middlewares=[api_errors, api_auth], client_max_size=settings.smtp.max_message_size)
    app[DATABASE] = database
    app[SETTINGS] = settings
    app[WAKE_OUTBOX] = wake_outbox or (lambda: None)
    app.router.add_get("/healthz", health)
    app.router.add_get("/i/{token}", portal, allow_head=True)
    app.router.add_post("/i/{token}/download", download)
    app.router.add_get("/api/invoices", api_invoices)
    app.router.add_get("/api/holds", api_holds)
    app.router.add_get("/api/invoices/{number}", api_invoice)
    app.router.add_post("/api/invoices/{number}/release", api_release)
    app.router.add_post("/api/invoices/{number}/cancel", api_cancel)
    app.router.add_post("/api/invoices/{number}/payments", api_payment)
    app.router.add_get("/api/invoices/{number}/timeline", api_timeline)
    app.router.add_get("/api/customers/{code}/statement", api_statement)
    from jalon.bot.chat import add_routes

    add_routes(app)  # /slack/events, /teams/messages, /a/{token}
    return app
