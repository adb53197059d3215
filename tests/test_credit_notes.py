"""A credit note is set against the invoice it corrects: nobody is chased for money they do not owe."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import gen_invoices as gen
from harness import Running, detail, invoice_mail, running
from sqlalchemy import select
from test_pipeline_invoices import add_customer, send

from jalon import dunning, payments, scenarios
from jalon.handlers import actions
from jalon.handlers.views import render_journey
from jalon.models import Case, Event, Invoice


def an_invoice_and_its_credit_note(*, whole: bool = False, seed: int = 11) -> tuple[gen.Doc, gen.Doc]:
    """An invoice, and a credit note for it ("Facture d'origine : F…") crediting its first line or all."""
    invoice = gen.make_doc(random.Random(seed), "classic_fr", seed + 20, "plain")
    invoice.po = invoice.po or f"PO-{seed}"
    credit = dataclasses.replace(
        invoice,
        number=f"AV-{invoice.number}",
        credit_note=True,
        preceding=invoice.number,
        items=list(invoice.items) if whole else invoice.items[:1],
        issue=invoice.issue + dt.timedelta(days=3),
    )
    return invoice, credit


async def sent_in_turn(gw: Running, *docs: gen.Doc) -> None:
    add_customer(gw, docs[0].expected(), [("compta@client.test", "buyer")])
    for count, doc in enumerate(docs, start=1):
        await send(gw, invoice_mail(gen.STYLES[doc.style](doc), filename=f"{doc.number}.pdf"))
        await gw.settle()
        await gw.sink.wait_for(count)


def invoice_row(gw: Running, number: str) -> Invoice:
    with gw.services.database.session() as session:
        found = session.scalars(select(Invoice).where(Invoice.number == number)).one()
        session.expunge(found)
        return found


async def test_a_credit_note_lowers_what_its_invoice_still_owes(db_url: str) -> None:
    """Invoice, then a credit note for one of its lines: reminders ask for the invoice less the credit note,
    and the customer's transfer of that amount settles it (no 'partly paid', no reminder for the credit)."""
    invoice, credit = an_invoice_and_its_credit_note()
    async with running(db_url) as gw:
        await sent_in_turn(gw, invoice, credit)
        row = invoice_row(gw, invoice.number)
        owed = dunning.outstanding(row)
        assert owed == invoice.printed_ttc() - credit.printed_ttc()
        assert row.state == "sent"
        statement = f"date,amount,reference\n2026-12-20,{owed},{invoice.number}\n"
        report = payments.import_statement(
            gw.services.database, statement.encode(), actor="test", filename="releve.csv"
        )
        assert [m["invoice"] for m in report["matched"]] == [invoice.number] and not report["overpaid"]
        journey = [e["type"] for e in detail(gw, invoice.number)["events"]]
        credit_journey = [e["type"] for e in detail(gw, credit.number)["events"]]
        told = render_journey(detail(gw, invoice.number))  # as `jalon invoice show` tells it
    assert invoice_row(gw, invoice.number).state == "paid"
    assert "payment.received" in journey
    assert "credit_note.applied" in credit_journey
    assert f"{credit.printed_ttc()} EUR (credit note {credit.number})" in told


async def test_a_credit_note_for_the_whole_invoice_settles_it_and_one_after_payment_is_money_to_give_back(
    db_url: str,
) -> None:
    """A credit note for all of an unpaid invoice settles it at once (its reminders stop); the same credit
    note for an invoice already paid is an overpayment, with a case to refund it."""
    invoice, credit = an_invoice_and_its_credit_note(whole=True)
    async with running(db_url) as gw:
        await sent_in_turn(gw, invoice, credit)
        settled = invoice_row(gw, invoice.number)
    assert settled.state == "paid" and dunning.outstanding(settled) == 0

    invoice, credit = an_invoice_and_its_credit_note(seed=12)
    async with running(db_url) as gw:
        await sent_in_turn(gw, invoice)
        ok, _message, _data = payments.pay(gw.services.database, invoice.number, actor="test")
        assert ok
        await send(gw, invoice_mail(gen.STYLES[credit.style](credit), filename=f"{credit.number}.pdf"))
        await gw.settle()
        with gw.services.database.session() as session:
            cases = [(c.kind, c.facts.get("overpaid")) for c in session.scalars(select(Case))]
            overpaid = session.scalars(select(Event).where(Event.type == "payment.overpaid")).all()
    assert ("overpaid", str(credit.printed_ttc())) in cases
    assert len(overpaid) == 1


async def test_a_credit_note_naming_no_known_invoice_is_said_and_changes_nothing(db_url: str) -> None:
    """A credit note for an invoice jalon never sent: nothing is credited, its journey says so."""
    invoice, credit = an_invoice_and_its_credit_note()
    stranger = dataclasses.replace(credit, preceding="F-1999-0001", number="AV-2026-0099")
    async with running(db_url) as gw:
        await sent_in_turn(gw, invoice, stranger)
        owed = dunning.outstanding(invoice_row(gw, invoice.number))
        journey = [e["type"] for e in detail(gw, stranger.number)["events"]]
    assert owed == invoice.printed_ttc()
    assert "credit_note.unallocated" in journey


async def test_a_credit_note_released_before_its_held_invoice_is_set_against_it_on_release(
    db_url: str,
) -> None:
    """The invoice waits for a manager's approval (over the amount threshold) while its small credit note
    leaves: the credit note is kept unallocated, then set against the invoice at the scheduler's first pass
    after the manager releases it."""
    invoice, credit = an_invoice_and_its_credit_note(seed=13)
    threshold = str(credit.printed_ttc() + 1)
    async with running(db_url, holds={"amount_over": threshold}) as gw:
        add_customer(gw, invoice.expected(), [("compta@client.test", "buyer")])
        for doc in (invoice, credit):
            await send(gw, invoice_mail(gen.STYLES[doc.style](doc), filename=f"{doc.number}.pdf"))
            await gw.settle()
        assert invoice_row(gw, invoice.number).state == "held"
        assert "credit_note.unallocated" in [e["type"] for e in detail(gw, credit.number)["events"]]
        released = actions.release(
            gw.services.database, gw.services.settings, invoice.number, actor="manager"
        )
        assert released.ok, released.message
        scenarios.tick(gw.services.database, gw.services.settings)  # the scheduler's next pass
        owed = dunning.outstanding(invoice_row(gw, invoice.number))
    assert owed == invoice.printed_ttc() - credit.printed_ttc()
