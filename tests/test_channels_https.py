"""A customer on a supplier portal (Coupa, Ariba) gets its invoice as cXML posted to the portal's endpoint."""

from __future__ import annotations

import harness
import pytest
from aiohttp import web
from harness import Running, detail, running, sample
from lxml import etree
from sqlalchemy import select

from jalon.db import load_blob
from jalon.formats.cxml import read_cxml
from jalon.models import Case, Document, Outbox

SECRET = "portal-shared-secret"
RESPONSE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">\n'
    '<cXML payloadID="r1@portal" timestamp="2026-11-28T10:00:00+00:00"><Response>'
    '<Status code="{code}" text="{text}"/></Response></cXML>'
)


class Portal:
    """A supplier portal's cXML endpoint: checks the Sender SharedSecret, answers a cXML Status."""

    def __init__(self, http_status: int = 200) -> None:
        self.received: list[bytes] = []
        self.http_status = http_status

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/cxml/invoices", self.invoices)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        return f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/cxml/invoices"  # type: ignore[union-attr]

    async def invoices(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.received.append(body)
        if self.http_status >= 500:
            return web.Response(status=self.http_status, text="maintenance")
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        root = etree.fromstring(body, parser)
        secret = root.findtext("Header/Sender/Credential/SharedSecret")
        code, text = (200, "OK") if secret == SECRET else (401, "Unauthorized")
        return web.Response(body=RESPONSE.format(code=code, text=text), content_type="text/xml")


@pytest.fixture
async def portal() -> Portal:
    server = Portal()
    server.url = await server.start()  # type: ignore[attr-defined]
    yield server
    await server.runner.cleanup()


def add_customer(gw: Running, expected: dict, endpoint: str) -> None:
    """The buyer takes its invoices as cXML posted to its portal's endpoint."""
    contact = {"email": "ap@client.test", "role": "buyer"}
    harness.add_customer(
        gw,
        expected,
        [contact],
        customer_id="C500",
        language="en",
        channel="https",
        format="cxml",
        endpoint=endpoint,
    )


async def test_the_portal_receives_a_cxml_invoice_with_our_credentials(
    db_url: str, portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The portal authenticates us by the cXML SharedSecret and takes the invoice; the secret is never
    stored with the invoice's documents."""
    monkeypatch.setenv("JALON_TEST_CXML_SECRET", SECRET)
    pdf, expected = sample("modern_en-01-plain")
    async with running(db_url, https={"shared_secret_env": "JALON_TEST_CXML_SECRET"}) as gw:
        add_customer(gw, expected, portal.url)  # type: ignore[attr-defined]
        await gw.receive_invoice(pdf, rounds=8)
        shown = detail(gw, expected["invoice_number"])
        with gw.services.database.session() as session:
            stored = [load_blob(session, d.blob_sha256) for d in session.scalars(select(Document))]
    [posted] = portal.received
    assert read_cxml(posted).number == expected["invoice_number"]
    [dispatch] = shown["dispatches"]
    assert dispatch["state"] == "sent" and dispatch["format"] == "cxml"
    sent = next(e for e in shown["events"] if e["type"] == "dispatch.sent")
    assert sent["data"]["response"].startswith("200")
    assert all(SECRET.encode() not in blob for blob in stored)


async def test_a_portal_refusing_our_credentials_fails_the_dispatch(db_url: str, portal: Portal) -> None:
    """Without the right SharedSecret the portal answers 401 inside an HTTP 200: a person must look."""
    pdf, expected = sample("modern_en-01-plain")
    async with running(db_url) as gw:
        add_customer(gw, expected, portal.url)  # type: ignore[attr-defined]
        await gw.receive_invoice(pdf, rounds=8)
        shown = detail(gw, expected["invoice_number"])
        with gw.services.database.session() as session:
            [case] = session.scalars(select(Case).where(Case.kind == "send_failed")).all()
    assert shown["dispatches"][0]["state"] == "failed" and "401" in case.facts["error"]


async def test_a_portal_down_is_tried_again_later(db_url: str, portal: Portal) -> None:
    """The portal answers 503: the invoice waits in the outbox for the next attempt, nothing is lost."""
    portal.http_status = 503
    pdf, expected = sample("modern_en-01-plain")
    async with running(db_url) as gw:
        add_customer(gw, expected, portal.url)  # type: ignore[attr-defined]
        await gw.receive_invoice(pdf, rounds=8)
        shown = detail(gw, expected["invoice_number"])
        with gw.services.database.session() as session:
            [item] = session.scalars(select(Outbox).where(Outbox.kind == "channel")).all()
    assert len(portal.received) == 1 and shown["dispatches"][0]["state"] == "queued"
    assert item.status == "pending" and item.attempts == 1 and "503" in (item.last_error or "")
