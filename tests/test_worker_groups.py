"""Messages the pool hands back together are applied in one transaction; a bad one never sinks the rest."""

from __future__ import annotations

import datetime as dt

import pytest
from harness import BILLING, DOMAIN, Running, add_customer, invoice_mail, running, sample
from sqlalchemy import select

from jalon.db import claim, load_blob, utcnow
from jalon.mailbox.intake import Envelope, accept
from jalon.mailbox.worker import prepare_message, route_message
from jalon.models import Case, Dispatch, InboundMessage, Invoice

pytestmark = pytest.mark.asyncio


def claimed_and_read(gw: Running, raws: list[bytes]) -> list[tuple[int, bytes, object, object]]:
    """The billing tool's mails accepted, claimed by the worker and read, as the pool hands them back."""
    worker, database = gw.services.worker, gw.services.database
    envelope = Envelope(mail_from=BILLING, rcpt_tos=(f"invoices@{DOMAIN}",))
    ids = [accept(database, raw, envelope).inbound_id for raw in raws]
    with database.session() as session:
        claim(
            session,
            InboundMessage,
            InboundMessage.id.in_(ids),
            owner=worker.owner,
            lease=dt.timedelta(minutes=5),
            now=utcnow(),
            limit=len(ids),
        )
        stored = {i: load_blob(session, session.get(InboundMessage, i).blob_sha256) for i in ids}
    group = []
    for inbound_id in ids:
        message_route = route_message(list(envelope.rcpt_tos), DOMAIN, None)
        raw = stored[inbound_id]
        prepared = prepare_message(raw, BILLING, list(envelope.rcpt_tos), DOMAIN, message_route.kind)
        group.append((inbound_id, raw, message_route, prepared))
    return group


async def test_invoices_worked_together_are_all_sent(db_url: str) -> None:
    """Two invoices finished together by the pool: both released and dispatched, each message done."""
    first, expected_first = sample("classic_fr-01-plain")
    second, expected_second = sample("classic_fr-02-multirate")
    async with running(db_url) as gw:
        add_customer(gw, expected_first, [{"email": "achats@client.test", "role": "buyer"}])
        add_customer(gw, expected_second, [{"email": "ap@other.test", "role": "buyer"}], customer_id="C200")
        group = claimed_and_read(gw, [invoice_mail(first).as_bytes(), invoice_mail(second).as_bytes()])
        statuses = gw.services.worker.apply_group(group)
        with gw.services.database.session() as session:
            states = dict(session.execute(select(Invoice.number, Invoice.state)).all())
            recipients = sorted(session.scalars(select(Dispatch.recipient)))
    assert statuses == ["done", "done"]
    assert states == {
        expected_first["invoice_number"]: "ready",
        expected_second["invoice_number"]: "ready",
    }
    assert recipients == ["achats@client.test", "ap@other.test"]


async def test_a_message_that_fails_in_a_group_is_set_aside_alone(db_url: str) -> None:
    """A mail with no invoice between two good ones: it waits for a person, the two invoices go out."""
    first, expected_first = sample("classic_fr-01-plain")
    second, expected_second = sample("classic_fr-02-multirate")
    async with running(db_url) as gw:
        add_customer(gw, expected_first, [{"email": "achats@client.test", "role": "buyer"}])
        add_customer(gw, expected_second, [{"email": "ap@other.test", "role": "buyer"}], customer_id="C200")
        raws = [
            invoice_mail(first).as_bytes(),
            invoice_mail(None, subject="Facture (pièce jointe oubliée)").as_bytes(),
            invoice_mail(second).as_bytes(),
        ]
        group = claimed_and_read(gw, raws)
        statuses = gw.services.worker.apply_group(group)
        await gw.settle()
        with gw.services.database.session() as session:
            states = dict(session.execute(select(Invoice.number, Invoice.state)).all())
            by_status = dict(session.execute(select(InboundMessage.id, InboundMessage.status)).all())
            cases = session.scalars(select(Case).where(Case.state == "open")).all()
        arrived = await gw.sink.wait_for(2)
    assert statuses == ["done", "set_aside", "done"]
    assert states == {
        expected_first["invoice_number"]: "sent",
        expected_second["invoice_number"]: "sent",
    }
    assert [by_status[inbound_id] for inbound_id, *_ in group] == ["done", "set_aside", "done"]
    assert [c.kind for c in cases] == ["set_aside"] and cases[0].inbound_id == group[1][0]
    assert len(arrived) == 2
