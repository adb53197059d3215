"""End to end with a real Postfix: invoices go out through it, its own delivery reports move the dispatch."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiosmtplib
import pytest
from conftest import free_port
from harness import DOMAIN, Running, invoice_mail, running, sample
from postfix import LENIENT, RELAY, STRICT, UNREACHABLE, Postfix, running_postfix
from sqlalchemy import select
from test_pipeline_invoices import add_customer

from jalon.db import load_blob
from jalon.handlers import views
from jalon.handlers.classify import classify
from jalon.handlers.returns import correlation_keys
from jalon.models import Case, Contact, InboundMessage
from jalon.sink import MailSink

pytestmark = pytest.mark.asyncio
WAIT = 20.0  # seconds; every wait ends as soon as its condition holds


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """SQLite only, for the cases that are about Postfix's reports rather than storage."""
    path = tmp_path / "jalon.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


@contextlib.asynccontextmanager
async def behind_postfix(db_url: str) -> AsyncIterator[tuple[Running, Postfix]]:
    """jalon running on its own (worker and outbox in the background), sending through a real Postfix that
    delivers to the customers' mailboxes and sends its delivery reports back to jalon's SMTP port."""
    port = free_port()
    async with running(db_url, background=True, outbound={"port": port}) as gw:
        with running_postfix(jalon_port=gw.smtp_port, port=port) as mx:
            yield gw, mx


async def until(mx: Postfix, what: str, predicate: Callable[[], Any], *, flush: bool = False) -> Any:
    """Poll real state until `predicate` holds; on timeout, fail with Postfix's log. `flush` retries
    Postfix's deferred mail at each look instead of waiting for its next queue run."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while True:
        if flush:
            mx.flush()
        value = predicate()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"{what}: not seen within {WAIT}s\n--- Postfix log ---\n{mx.log()}")
        await asyncio.sleep(0.1)


async def release(gw: Running, contacts: list[tuple[str, str]], *, alternate: str | None = None) -> str:
    """The billing tool mails an invoice for a customer with these (email, role) contacts, and optionally
    a second buyer contact ranked after them; returns the invoice number."""
    pdf, expected = sample("classic_fr-01-plain")
    add_customer(gw, expected, contacts)
    if alternate:
        with gw.services.database.session() as session:
            customer_id = session.scalars(select(Contact.customer_id)).first()
            session.add(Contact(customer_id=customer_id, email=alternate, role="buyer", priority=5))
    await aiosmtplib.send(invoice_mail(pdf), hostname="127.0.0.1", port=gw.smtp_port)
    return str(expected["invoice_number"])


def shown(gw: Running, number: str) -> dict[str, Any] | None:
    with gw.services.database.session() as session:
        return views.invoice_detail(session, number)


def dispatch_to(gw: Running, number: str, recipient: str, *states: str) -> dict[str, Any] | None:
    """The invoice's dispatch to `recipient`, once it is in one of `states`."""
    detail = shown(gw, number)
    for dispatch in (detail or {}).get("dispatches", []):
        if dispatch["recipient"] == recipient and dispatch["state"] in states:
            return dispatch
    return None


def events_of(gw: Running, number: str, kind: str) -> list[dict[str, Any]]:
    """The invoice's journey events of one type, oldest first."""
    detail = shown(gw, number) or {"events": []}
    return [e for e in detail["events"] if e["type"] == kind]


def reports(gw: Running) -> list[tuple[str, list[str], bytes]]:
    """(MAIL FROM, RCPT TO, raw bytes) of every delivery report jalon received; the null sender as ""."""
    with gw.services.database.session() as session:
        found = session.scalars(select(InboundMessage).where(InboundMessage.route == "bounce")).all()
        return [(m.mail_from.strip("<>"), list(m.rcpt_tos), load_blob(session, m.blob_sha256)) for m in found]


def report_envelopes(gw: Running) -> list[tuple[str, list[str]]]:
    return [(sender, rcpts) for sender, rcpts, _ in reports(gw)]


def pdf_of(message: Any) -> bytes:
    attachment = next(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    return bytes(attachment.get_content())


async def test_customers_server_reports_delivery_and_the_dispatch_shows_delivered(db_url: str) -> None:
    """The customer's server files the invoice in the mailbox and, as jalon asked (NOTIFY=SUCCESS), reports
    it: the report comes back to bounces+TOKEN@, and the dispatch shows delivered, 2.0.0."""
    recipient = f"achats@{STRICT}"
    async with behind_postfix(db_url) as (gw, mx):
        number = await release(gw, [(recipient, "buyer")])
        dispatch = await until(
            mx, "dispatch delivered", lambda: dispatch_to(gw, number, recipient, "delivered")
        )
        [mail] = mx.mailbox(recipient)
        [delivered] = events_of(gw, number, "dispatch.delivered")
        [correlated] = events_of(gw, number, "message.correlated")
        [(sender, rcpts, raw)] = reports(gw)
    pdf, _ = sample("classic_fr-01-plain")
    assert mail["Message-ID"] == dispatch["message_id"] and pdf_of(mail) == pdf
    assert delivered["data"]["status"] == "2.0.0" and delivered["data"]["level"] == "delivered"
    assert dispatch["delivered_at"] and correlated["data"]["method"] == "token"
    # The real report carries all three keys: the VERP address, its ENVID, the returned Message-ID.
    assert (sender, rcpts) == ("", [f"bounces+{dispatch['token']}@{DOMAIN}"])
    tokens, message_ids = correlation_keys(classify(raw).correlation)
    assert tokens == [dispatch["token"]] and dispatch["message_id"] in message_ids


async def test_unknown_user_bounced_after_acceptance_goes_to_the_next_buyer_contact(db_url: str) -> None:
    """The customer's server takes the mail, then finds no such user and returns a real 'failed 5.1.1'
    report: the dispatch shows bounced with the status, the address is marked invalid, and the next buyer
    contact gets the invoice, delivered."""
    gone, alternate = f"parti@{LENIENT}", f"achats@{LENIENT}"
    async with behind_postfix(db_url) as (gw, mx):
        number = await release(gw, [(gone, "buyer")], alternate=alternate)
        bounced = await until(mx, "dispatch bounced", lambda: dispatch_to(gw, number, gone, "bounced"))
        await until(mx, "alternate delivered", lambda: dispatch_to(gw, number, alternate, "delivered"))
        with gw.services.database.session() as session:
            contact = session.scalars(select(Contact).where(Contact.email == gone)).one()
            contact_state = (contact.valid, contact.invalid_reason)
        [event] = events_of(gw, number, "dispatch.bounced")
        rerouted = events_of(gw, number, "dispatch.rerouted")
        refused = events_of(gw, number, "dispatch.refused")
        envelopes = report_envelopes(gw)
        [mail] = mx.mailbox(alternate)
    assert bounced["status"] == "5.1.1" and "unknown user" in bounced["diagnostic"]
    assert event["data"]["hard"] is True
    assert not refused, "accepted at send time: known from the report only"
    assert ("", [f"bounces+{bounced['token']}@{DOMAIN}"]) in envelopes
    assert contact_state[0] is False and "5.1.1" in contact_state[1]
    assert [e["data"]["to_recipient"] for e in rerouted] == [alternate]
    assert pdf_of(mail) == sample("classic_fr-01-plain")[0]


async def test_unknown_user_refused_at_rcpt_opens_a_case_when_no_one_else_can_receive(
    sqlite_url: str,
) -> None:
    """Most servers refuse an unknown user at once (550 5.1.1 at RCPT): no report will ever come, so jalon
    acts at send time: dispatch bounced with the status, address invalid, and with no other buyer contact,
    one case with the server's words."""
    gone = f"inconnu@{STRICT}"
    async with behind_postfix(sqlite_url) as (gw, mx):
        number = await release(gw, [(gone, "buyer")])
        bounced = await until(mx, "dispatch bounced", lambda: dispatch_to(gw, number, gone, "bounced"))
        await until(mx, "case opened", lambda: events_of(gw, number, "case.opened"))
        with gw.services.database.session() as session:
            [case] = session.scalars(select(Case).where(Case.kind == "bounced")).all()
            facts = dict(case.facts)
            valid = session.scalars(select(Contact.valid).where(Contact.email == gone)).one()
        refused = events_of(gw, number, "dispatch.refused")
        envelopes = report_envelopes(gw)
    assert bounced["status"] == "5.1.1" and "User unknown" in bounced["diagnostic"]
    assert [e["data"]["code"] for e in refused] == [550]
    assert valid is False
    assert facts["recipient"] == gone and facts["status"] == "5.1.1"
    assert envelopes == [], "a refusal at RCPT time produces no report"


async def test_unreachable_server_is_reported_delayed_then_failed(sqlite_url: str) -> None:
    """The relay cannot reach the customer's server: first a real 'delayed 4.4.1' warning (the dispatch
    shows delayed), then, when the relay gives up, 'failed 4.4.1': bounced, but soft — the address is not
    blamed and a later retry is planned."""
    recipient = f"compta@{UNREACHABLE}"
    async with behind_postfix(sqlite_url) as (gw, mx):
        number = await release(gw, [(recipient, "buyer")])
        delayed = await until(
            mx, "dispatch delayed", lambda: dispatch_to(gw, number, recipient, "delayed"), flush=True
        )
        assert recipient in mx.queued(), "the relay still holds the invoice"
        mx.expire()
        bounced = await until(mx, "dispatch bounced", lambda: dispatch_to(gw, number, recipient, "bounced"))
        await until(mx, "retry planned", lambda: events_of(gw, number, "dispatch.retry_scheduled"))
        with gw.services.database.session() as session:
            valid = session.scalars(select(Contact.valid).where(Contact.email == recipient)).one()
        detail = shown(gw, number)
    assert delayed["status"] == "4.4.1"
    assert bounced["status"] == "4.4.1" and "Connection refused" in bounced["diagnostic"]
    types = [e["type"] for e in detail["events"] if e["type"] in ("dispatch.delayed", "dispatch.bounced")]
    assert types == ["dispatch.delayed", "dispatch.bounced"]
    [event] = [e for e in detail["events"] if e["type"] == "dispatch.bounced"]
    assert event["data"]["hard"] is False
    assert valid is True


@pytest.mark.parametrize(
    ("recipient", "action", "readers"),
    [
        (f"equipe@{STRICT}", "expanded", (f"achats@{STRICT}", f"compta@{STRICT}")),
        (f"factures@{RELAY}", "relayed", ()),
    ],
)
async def test_expanded_or_relayed_is_weaker_than_delivered(
    sqlite_url: str, recipient: str, action: str, readers: tuple[str, ...]
) -> None:
    """A team alias expanded to two mailboxes, or a hand-over to a server that sends no reports: Postfix
    reports 'expanded' / 'relayed' 2.0.0. jalon records it as accepted, and does not claim delivery."""
    async with behind_postfix(sqlite_url) as (gw, mx):
        next_hop = await MailSink(port=mx.relay_port, advertise_dsn=False).start()
        try:
            number = await release(gw, [(recipient, "buyer")])
            [event] = await until(mx, f"{action} report", lambda: events_of(gw, number, "dispatch.relayed"))
            [dispatch] = shown(gw, number)["dispatches"]
            boxes = [mx.mailbox(reader) for reader in readers]
            handed_over = list(next_hop.received)
        finally:
            await next_hop.stop()
    assert event["data"]["action"] == action and event["data"]["status"] == "2.0.0"
    assert event["data"]["level"] == "accepted"
    assert dispatch["state"] == "sent" and not dispatch["delivered_at"]
    if readers:
        assert [len(box) for box in boxes] == [1] * len(readers)
    else:
        assert [r.rcpt_tos for r in handed_over] == [[recipient]]
