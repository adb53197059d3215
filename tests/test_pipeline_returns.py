"""What comes back is tied to its dispatch and acted on: delivery reports, bounces, read receipts, replies."""

from __future__ import annotations

import datetime as dt
import json
import re
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import pytest
from harness import DOMAIN, Running, detail, running, sample
from sqlalchemy import select
from test_pipeline_invoices import add_customer

from jalon.__main__ import main
from jalon.models import Case, Contact, Dispatch, Event, Invoice
from jalon.sink import send_reports

pytestmark = pytest.mark.asyncio


async def sent(gw: Running, contacts: list[tuple[str, str]]) -> str:
    pdf, expected = sample("classic_fr-01-plain")
    add_customer(gw, expected, contacts)
    await gw.receive_invoice(pdf)
    await gw.sink.wait_for(len(contacts))
    return expected["invoice_number"]


def another_sent_invoice(gw: Running, number: str, other: str, *, mailed_to: str | None = None) -> None:
    """A second sent invoice of the customer of `number` (mailed earlier to `mailed_to`, when given)."""
    with gw.services.database.session() as session:
        first = session.scalars(select(Invoice).where(Invoice.number == number)).one()
        invoice = Invoice(number=other, issuer=first.issuer, customer_id=first.customer_id, state="sent")
        session.add(invoice)
        if mailed_to is None:
            return
        session.flush()
        session.add(
            Dispatch(
                invoice_id=invoice.id,
                contact_id=first.dispatches[0].contact_id,
                recipient=mailed_to,
                role="buyer",
                token=f"earlier-sending-of-{other}",
                state="sent",
                sent_at=dt.datetime(2026, 10, 2, 9, 0, tzinfo=dt.UTC),
            )
        )


def reply_to(original: EmailMessage, sender: str, text: str, *, date: str | None = None) -> EmailMessage:
    """The customer answers the invoice mail from their mail client (quoting it, as clients do)."""
    reply = EmailMessage()
    reply["From"] = sender
    reply["To"] = str(original["Reply-To"])
    reply["Subject"] = f"RE: {original['Subject']}"
    reply["In-Reply-To"] = str(original["Message-ID"])
    reply["Date"] = date or "Mon, 23 Nov 2026 09:12:00 +0100"
    quoted = "\n".join("> " + line for line in original.get_body(("plain",)).get_content().splitlines())
    reply.set_content(f"{text}\n\nLe 20/11/2026 à 10:02, ACME Industries a écrit :\n{quoted}\n")
    return reply


async def buyer_answers(gw: Running, words: str) -> EmailMessage:
    """The buyer answers the invoice mail it got with these words; returns the mail it answered."""
    original = gw.sink.received[0].message()
    await aiosmtplib.send(
        reply_to(original, "achats@client.test", words), hostname="127.0.0.1", port=gw.smtp_port
    )
    return original


async def test_delivery_report_marks_the_dispatch_delivered(db_url: str) -> None:
    """The customer's server reports delivery: the dispatch moves from sent to delivered, evidence kept."""
    async with running(db_url) as gw:
        number = await sent(gw, [("achats@client.test", "buyer")])
        assert (
            await send_reports(gw.sink.received[0], gateway_host="127.0.0.1", gateway_port=gw.smtp_port) == 1
        )
        await gw.settle()
        shown = detail(gw, number)
    [dispatch] = shown["dispatches"]
    assert dispatch["state"] == "delivered" and dispatch["delivered_at"]
    [event] = [e for e in shown["events"] if e["type"] == "dispatch.delivered"]
    assert event["data"]["status"] == "2.0.0" and event["data"]["level"] == "delivered"


async def test_failed_dsn_bounces_the_dispatch_and_reroutes(db_url: str) -> None:
    """A DSN 'failed 5.1.1' comes back to bounces+TOKEN@: the dispatch shows bounced with the status, the
    address is marked invalid, and the other buyer contact gets the invoice."""
    async with running(db_url) as gw:
        number = await sent(gw, [("parti@client.test", "buyer")])
        with gw.services.database.session() as session:
            customer_id = session.scalars(select(Contact.customer_id)).first()
            session.add(
                Contact(customer_id=customer_id, email="nouveau@client.test", role="buyer", priority=3)
            )
        await send_reports(
            gw.sink.received[0],
            gateway_host="127.0.0.1",
            gateway_port=gw.smtp_port,
            action="failed",
            status="5.1.1",
            diagnostic="550 5.1.1 <parti@client.test>: Recipient address rejected: User unknown",
        )
        await gw.settle()
        received = await gw.sink.wait_for(2)
        shown = detail(gw, number)
    first = next(d for d in shown["dispatches"] if d["recipient"] == "parti@client.test")
    assert first["state"] == "bounced" and first["status"] == "5.1.1"
    assert received[1].rcpt_tos == ["nouveau@client.test"]
    assert any(e["type"] == "dispatch.rerouted" for e in shown["events"])


async def test_delayed_then_failed_ends_bounced(db_url: str) -> None:
    """Two reports for one message, 'delayed' then 'failed': the later failure wins."""
    async with running(db_url) as gw:
        number = await sent(gw, [("lent@client.test", "buyer")])
        original = gw.sink.received[0]
        await send_reports(
            original,
            gateway_host="127.0.0.1",
            gateway_port=gw.smtp_port,
            action="delayed",
            status="4.4.1",
            diagnostic="connect to mx.client.test: Connection timed out",
        )
        await gw.settle()
        assert detail(gw, number)["dispatches"][0]["state"] == "delayed"
        await send_reports(
            original,
            gateway_host="127.0.0.1",
            gateway_port=gw.smtp_port,
            action="failed",
            status="4.4.1",
            diagnostic="connect to mx.client.test: Connection timed out",
        )
        await gw.settle()
        assert detail(gw, number)["dispatches"][0]["state"] == "bounced"


async def test_a_full_mailbox_answered_with_a_5xx_is_sent_again_later_not_taken_for_a_refusal(
    db_url: str,
) -> None:
    """'552 5.2.2 Mailbox full': the mailbox will empty; a retry is planned, no 'they block us' case opens."""
    async with running(db_url) as gw:
        number = await sent(gw, [("plein@client.test", "buyer")])
        await send_reports(
            gw.sink.received[0],
            gateway_host="127.0.0.1",
            gateway_port=gw.smtp_port,
            action="failed",
            status="5.2.2",
            diagnostic="552 5.2.2 <plein@client.test>: Mailbox full - quota exceeded",
        )
        await gw.settle()
        shown = detail(gw, number)
        with gw.services.database.session() as session:
            cases = list(session.scalars(select(Case)))
    assert [e["data"]["status"] for e in shown["events"] if e["type"] == "dispatch.retry_scheduled"] == [
        "5.2.2"
    ]
    assert not [case for case in cases if (case.facts or {}).get("policy")]


async def test_not_received_reply_is_resent_within_one_worker_pass(db_url: str) -> None:
    """'Pas reçu' to reply+TOKEN@: the same recipient gets a marked copy, in the same thread, with proof."""
    async with running(db_url) as gw:
        number = await sent(gw, [("achats@client.test", "buyer")])
        original = await buyer_answers(
            gw, f"Bonjour,\nnous n'avons pas reçu la facture {number}, pouvez-vous nous la renvoyer ?\nMerci"
        )
        assert await gw.services.worker.process_pending() == 1
        await gw.services.outbox.send_due()
        copy = (await gw.sink.wait_for(2))[1]
        shown = detail(gw, number)
    assert copy.rcpt_tos == ["achats@client.test"]
    message = copy.message()
    assert message["Subject"].startswith("[Copie]")
    assert message["In-Reply-To"] == original["Message-ID"]
    # when it was first sent, in the company's time zone, named
    assert re.search(
        r"envoyée une première fois le \d\d/\d\d/\d{4} \d\d:\d\d CES?T",
        message.get_body(("plain",)).get_content(),
    )
    [event] = [e for e in shown["events"] if e["type"] == "reply.received"]
    assert event["data"]["intent"] == "not_received" and event["data"]["evidence"]
    assert any(e["type"] == "invoice.resent" for e in shown["events"])


async def test_promise_to_pay_pauses_reminders_until_the_date(db_url: str) -> None:
    """'Nous réglerons le 15 décembre': reminders are paused until that date plus a grace period."""
    async with running(db_url) as gw:
        number = await sent(gw, [("achats@client.test", "buyer")])
        await buyer_answers(gw, "Bonjour, la facture sera réglée le 15 décembre 2026.\nCordialement")
        await gw.settle()
        shown = detail(gw, number)
        with gw.services.database.session() as session:
            invoice = session.scalars(select(Invoice)).one()
    assert invoice.pause_reason == "promise"
    assert invoice.paused_until.date() >= dt.date(2026, 12, 15)
    assert invoice.paused_until.date() <= dt.date(2026, 12, 31)
    [event] = [e for e in shown["events"] if e["type"] == "payment.promised"]
    assert event["data"]["promised_date"].startswith("2026-12-15")


async def test_a_payment_plan_is_paused_for_and_put_to_a_person_to_agree(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """'Half on 15/12, the rest on 15/01': reminders wait, and a case asks a person to accept the terms,
    who accepts them from the command line."""
    async with running(db_url) as gw:
        await sent(gw, [("achats@client.test", "buyer")])
        await buyer_answers(
            gw,
            "Bonjour, pourriez-vous nous accorder un délai ? Nous réglerions la moitié le 15/12/2026 et le "
            "solde le 15/01/2027.\nCordialement",
        )
        await gw.settle()
        with gw.services.database.session() as session:
            [case] = session.scalars(select(Case).where(Case.kind == "promise_review")).all()
            invoice = session.scalars(select(Invoice)).one()
        config = tmp_path / "config.toml"
        config.write_text(f'[database]\nurl = "{gw.settings.database.url}"\n', encoding="utf-8")
        capsys.readouterr()
        assert main(["--config", str(config), "cases"]) == 0
        card = capsys.readouterr().out
        assert main(["--config", str(config), "cases", "act", str(case.id), "accept_terms"]) == 0
        accepted = json.loads(capsys.readouterr().out)
        with gw.services.database.session() as session:
            still_open = [c.kind for c in session.scalars(select(Case).where(Case.state == "open"))]
    assert case.facts["instalments"] == ["2026-12-15", "2027-01-15"]
    assert "in instalments on 2026-12-15, 2027-01-15" in case.title
    assert invoice.pause_reason == "promise" and invoice.paused_until.date() >= dt.date(2027, 1, 15)
    assert "[Accept the terms]" in card and "2026-12-15, 2027-01-15" in card
    assert accepted["ok"] and "promise_review" not in still_open


async def test_a_promise_for_a_near_day_opens_no_case(db_url: str) -> None:
    """'Nous réglerons le 15 décembre': the reminders wait, nobody has anything to decide."""
    async with running(db_url) as gw:
        await sent(gw, [("achats@client.test", "buyer")])
        await buyer_answers(gw, "Bonjour, la facture sera réglée le 15 décembre 2026.\nCordialement")
        await gw.settle()
        with gw.services.database.session() as session:
            kinds = [case.kind for case in session.scalars(select(Case))]
    assert "promise_review" not in kinds


async def disputed(gw: Running, words: str) -> Case:
    """The buyer answers the invoice mail it got with these words of dispute: the one case they open."""
    await sent(gw, [("achats@client.test", "buyer")])
    await buyer_answers(gw, words)
    await gw.settle()
    with gw.services.database.session() as session:
        [case] = session.scalars(select(Case).where(Case.kind == "dispute")).all()
        return case


async def test_dispute_opens_one_case_with_the_customers_words(db_url: str) -> None:
    """A dispute pauses reminders and opens one case quoting the customer, not the quoted original."""
    async with running(db_url) as gw:
        words = "Nous contestons cette facture : la quantité facturée ne correspond pas au bon de livraison."
        case = await disputed(gw, words)
        with gw.services.database.session() as session:
            invoice = session.scalars(select(Invoice)).one()
    assert "quantité facturée" in case.facts["words"] and "Veuillez trouver" not in case.facts["words"]
    assert invoice.pause_reason == "dispute"


async def test_the_sums_a_dispute_names_are_on_its_card(db_url: str) -> None:
    """'1 200,00 € facturés au lieu de 1 050 € prévus au devis': the person who takes the dispute sees both
    figures on the case's card, without reading the mail."""
    from jalon.bot.cards import load

    async with running(db_url) as gw:
        words = "Nous contestons cette facture : 1 200,00 € facturés au lieu de 1 050 € prévus au devis."
        case = await disputed(gw, words)
        card = load(gw.services.database, case.id)
    assert case.facts["amounts"] == "1 200,00 €, 1 050 €"
    assert ("Amounts said", "1 200,00 €, 1 050 €") in card.facts


async def test_contact_change_by_mail_is_never_applied(db_url: str) -> None:
    """'Envoyez désormais vos factures à…': a person must approve; the directory does not change by itself."""
    async with running(db_url) as gw:
        await sent(gw, [("achats@client.test", "buyer")])
        text = "Bonjour, merci d'envoyer désormais vos factures à factures@fraude-possible.test. Cordialement"
        await buyer_answers(gw, text)
        await gw.settle()
        with gw.services.database.session() as session:
            [case] = session.scalars(select(Case).where(Case.kind == "contact_change")).all()
            emails = session.scalars(select(Contact.email)).all()
    assert case.facts["new_contact"] == "factures@fraude-possible.test"
    assert emails == ["achats@client.test"]


async def test_auto_reply_is_never_taken_for_an_answer(db_url: str) -> None:
    """An out-of-office reply is noted; no resend, no case about the invoice."""
    async with running(db_url) as gw:
        number = await sent(gw, [("achats@client.test", "buyer")])
        original = gw.sink.received[0].message()
        auto = EmailMessage()
        auto["From"] = "achats@client.test"
        auto["To"] = str(original["Reply-To"])
        auto["Subject"] = f"Réponse automatique : {original['Subject']}"
        auto["Auto-Submitted"] = "auto-replied"
        auto.set_content("Je suis absente jusqu'au 2 décembre. Pour toute urgence, contactez le standard.")
        await aiosmtplib.send(auto, hostname="127.0.0.1", port=gw.smtp_port)
        await gw.settle()
        shown = detail(gw, number)
        with gw.services.database.session() as session:
            cases = session.scalars(select(Case)).all()
    assert [e["type"] for e in shown["events"] if e["type"].startswith("reply.")] == ["reply.autoreply"]
    assert len(gw.sink.received) == 1 and cases == []


async def test_unplaceable_reply_opens_a_case_never_dropped(db_url: str) -> None:
    """A mail to a reply+ address nobody was given is kept and shown to a person."""
    async with running(db_url) as gw:
        stray = EmailMessage()
        stray["From"] = "quelquun@ailleurs.test"
        stray["To"] = f"reply+UnknownTok3n@{DOMAIN}"
        stray["Subject"] = "Question"
        stray.set_content("Bonjour, pouvez-vous me rappeler ?")
        await aiosmtplib.send(stray, hostname="127.0.0.1", port=gw.smtp_port)
        await gw.settle()
        with gw.services.database.session() as session:
            [case] = session.scalars(select(Case)).all()
    assert case.kind in ("unmatched", "set_aside") and case.state == "open"


async def test_the_text_journey_goes_on_after_sent_with_the_customers_answers(db_url: str) -> None:
    """`jalon invoice show` tells what happened after the mail left: the timeline, the reply, the promise."""
    from jalon.handlers.views import render_journey

    async with running(db_url) as gw:
        number = await sent(gw, [("achats@client.test", "buyer")])
        await buyer_answers(gw, "Bonjour, la facture sera réglée le 15 décembre 2026.\nCordialement")
        await gw.settle()
        text = render_journey(detail(gw, number))
    lines = text.splitlines()
    labels = [line.split()[1] for line in lines[1:] if line.startswith("   ")]
    assert labels.index("sent") < labels.index("on") < labels.index("reply") < labels.index("promise")
    assert any("promise_to_pay from achats@client.test" in line for line in lines)
    assert any("to pay on 2026-12-15" in line for line in lines)
    assert lines[1].strip()[:4].isdigit()  # the day, before the times of that day


async def test_a_promise_naming_two_invoices_pauses_both(db_url: str) -> None:
    """'F… et F-2026-0999 seront réglées le 15 décembre': both invoices of that customer wait, not only the
    one whose mail was answered."""
    async with running(db_url) as gw:
        number = await sent(gw, [("achats@client.test", "buyer")])
        another_sent_invoice(gw, number, "F-2026-0999")
        await buyer_answers(
            gw,
            f"Bonjour, les factures {number} et F-2026-0999 seront réglées le 15 décembre 2026.\nCdt",
        )
        await gw.settle()
        with gw.services.database.session() as session:
            paused = {
                i.number: (i.pause_reason, i.paused_until.date() if i.paused_until else None)
                for i in session.scalars(select(Invoice))
            }
    assert paused[number][0] == paused["F-2026-0999"][0] == "promise"
    assert paused[number][1] == paused["F-2026-0999"][1] >= dt.date(2026, 12, 15)


async def test_a_reply_saying_one_invoice_is_paid_and_another_never_arrived_acts_on_each(db_url: str) -> None:
    """'F… a été réglée le 12/11, en revanche nous n'avons jamais reçu la F-2026-0999': the paid one waits for
    its payment (nothing resent), the other is sent again to the buyer with a case watching it."""
    async with running(db_url) as gw:
        number = await sent(gw, [("achats@client.test", "buyer")])
        another_sent_invoice(gw, number, "F-2026-0999", mailed_to="achats@client.test")
        await buyer_answers(
            gw,
            f"Bonjour, la facture {number} a été réglée le 12/11 par virement, en revanche nous n'avons "
            "jamais reçu la facture F-2026-0999.\nCdt",
        )
        await gw.settle()
        with gw.services.database.session() as session:
            invoices = {i.number: i for i in session.scalars(select(Invoice))}
            resent = {
                invoices_by_id.number
                for e in session.scalars(select(Event).where(Event.type == "invoice.resent"))
                if (invoices_by_id := session.get(Invoice, e.invoice_id)) is not None
            }
            opened = {
                (c.kind, session.get(Invoice, c.invoice_id).number) for c in session.scalars(select(Case))
            }
            paid, missing = invoices[number], invoices["F-2026-0999"]
            assert paid.pause_reason == "payment_announced"
            assert missing.pause_reason != "payment_announced"
    assert resent == {"F-2026-0999"}  # the paid invoice is not sent again
    assert ("not_received", "F-2026-0999") in opened
    assert ("not_received", number) not in opened


async def test_an_invoice_the_reply_takes_out_of_a_payment_keeps_its_reminders(db_url: str) -> None:
    """'Nous avons réglé la F…, mais pas la F-2026-0999': the first waits for its payment; the other is not
    paused as if paid (its reminders go on), and nothing is resent."""
    async with running(db_url) as gw:
        number = await sent(gw, [("achats@client.test", "buyer")])
        another_sent_invoice(gw, number, "F-2026-0999")
        await buyer_answers(
            gw, f"Bonjour, nous avons réglé la facture {number}, mais pas la F-2026-0999.\nCdt"
        )
        await gw.settle()
        with gw.services.database.session() as session:
            paused = {i.number: i.pause_reason for i in session.scalars(select(Invoice))}
            resent = session.scalars(select(Event).where(Event.type == "invoice.resent")).all()
            other = session.scalars(select(Invoice).where(Invoice.number == "F-2026-0999")).one()
            its_cases = session.scalars(select(Case).where(Case.invoice_id == other.id)).all()
    assert paused[number] == "payment_announced"
    assert paused["F-2026-0999"] is None
    assert resent == [] and its_cases == []  # its reminders simply go on


async def test_an_invoice_the_customer_is_still_checking_is_not_paused_as_paid(db_url: str) -> None:
    """'La F… a été réglée ; la F-2026-0999, je vois avec la comptabilité': the first waits for its
    payment; the other is not paused as paid, and a person gets a case to read what was said of it."""
    async with running(db_url) as gw:
        number = await sent(gw, [("achats@client.test", "buyer")])
        another_sent_invoice(gw, number, "F-2026-0999")
        await buyer_answers(
            gw,
            f"Bonjour, la facture {number} a été réglée le 12/11 ; la F-2026-0999, je vois avec la "
            "comptabilité.\nCdt",
        )
        await gw.settle()
        with gw.services.database.session() as session:
            paused = {i.number: i.pause_reason for i in session.scalars(select(Invoice))}
            other = session.scalars(select(Invoice).where(Invoice.number == "F-2026-0999")).one()
            its_cases = [c.kind for c in session.scalars(select(Case).where(Case.invoice_id == other.id))]
    assert paused[number] == "payment_announced"
    assert paused["F-2026-0999"] != "payment_announced"
    assert its_cases == ["question"]


async def test_the_journey_is_told_in_the_teams_time_zone() -> None:
    """Sent at 23:30 UTC on 15 January: a team in Paris reads it on the 16th at 00:30 (CET)."""
    from jalon.handlers.views import render_journey

    journey = {
        "number": "F-2026-0001",
        "customer": {"name": "Client SA"},
        "total_with_vat": 120.0,
        "currency": "EUR",
        "state": "sent",
        "events": [
            {
                "type": "dispatch.sent",
                "at": "2026-01-15T23:30:00+00:00",
                "data": {"recipient": "ap@client.test"},
            }
        ],
    }
    paris = render_journey(journey, "Europe/Paris").splitlines()
    utc = render_journey(journey).splitlines()
    assert paris[1].strip() == "2026-01-16 CET" and paris[2].strip().startswith("00:30:00")
    assert utc[1].strip() == "2026-01-15 UTC" and utc[2].strip().startswith("23:30:00")
