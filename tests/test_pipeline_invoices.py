"""An invoice mailed to jalon is read, matched, checked, and sent to every role, tracked — or held."""

from __future__ import annotations

import email
import email.policy
import io
import re

import aiosmtplib
import harness
import pikepdf
import pytest
from harness import (
    BILLING,
    DOMAIN,
    RELAY_PASSWORD,
    RELAY_USER,
    Running,
    detail,
    invoice_mail,
    running,
    sample,
)
from sqlalchemy import select

from jalon.formats.extract import read_invoice
from jalon.models import Case, Contact, Dispatch, Invoice

pytestmark = pytest.mark.asyncio
TOKEN = r"[A-Za-z0-9_-]{8,}"


def add_customer(
    gw: Running, expected: dict, contacts: list[tuple[str, str]], code: str = "C100", **flags: str
) -> None:
    """The directory knows the invoice's buyer (by SIREN or VAT) with these (email, role) contacts."""
    rows = [{"email": address, "role": role} for address, role in contacts]
    harness.add_customer(gw, expected, rows, customer_id=code, **flags)


async def send(gw: Running, message: email.message.EmailMessage, **login: str) -> None:
    await aiosmtplib.send(message, hostname="127.0.0.1", port=gw.smtp_port, start_tls=False, **login)


async def test_invoice_is_sent_to_buyer_and_payer_with_tracking(db_url: str) -> None:
    """Dropped at invoices@ by the billing tool, the invoice reaches buyer and payer centre, each tracked."""
    pdf, expected = sample("classic_fr-01-plain")
    async with running(db_url) as gw:
        add_customer(gw, expected, [("achats@client.test", "buyer"), ("payeur@client.test", "payer")])
        await send(gw, invoice_mail(pdf, filename="F2026-0001.pdf"))
        await gw.settle()
        received = await gw.sink.wait_for(2)
        shown = detail(gw, expected["invoice_number"])
    assert shown["state"] == "sent" and shown["customer"]["customer_id"] == "C100"
    assert sorted((d["role"], d["recipient"], d["state"]) for d in shown["dispatches"]) == [
        ("buyer", "achats@client.test", "sent"),
        ("payer", "payeur@client.test", "sent"),
    ]
    types = [e["type"] for e in shown["events"]]
    for step in (
        "invoice.received",
        "invoice.read",
        "invoice.matched",
        "invoice.checked",
        "invoice.released",
        "dispatch.queued",
        "dispatch.sent",
    ):
        assert step in types, f"{step} missing from the journey"
    by_recipient = {r.rcpt_tos[0]: r for r in received}
    assert set(by_recipient) == {"achats@client.test", "payeur@client.test"}
    tokens = set()
    for dispatch in shown["dispatches"]:
        mail = by_recipient[dispatch["recipient"]]
        token = dispatch["token"]
        tokens.add(token)
        assert re.fullmatch(TOKEN, token) and expected["invoice_number"] not in token
        assert mail.mail_from == f"bounces+{token}@{DOMAIN}", "VERP envelope sender"
        assert "RET=HDRS" in mail.mail_options and f"ENVID={token}" in mail.mail_options
        assert "NOTIFY=SUCCESS,FAILURE,DELAY" in mail.rcpt_options
        assert f"ORCPT=rfc822;{dispatch['recipient']}" in mail.rcpt_options
        message = mail.message()
        assert message["Reply-To"] == f"reply+{token}@{DOMAIN}"
        assert message["Disposition-Notification-To"] == f"reply+{token}@{DOMAIN}"
        assert message["Message-ID"] == dispatch["message_id"]
        attachment = next(message.iter_attachments())
        assert attachment.get_filename() == "F2026-0001.pdf" and attachment.get_content() == pdf
        body = message.get_body(("plain",)).get_content()
        assert f"/i/{token}?e=" in body and expected["invoice_number"] in body
    assert len(tokens) == 2, "one token per dispatch"


async def test_sending_works_through_a_relay_without_dsn(db_url: str) -> None:
    """A smarthost without DSN still gets the invoice, without the DSN parameters it would refuse."""
    pdf, expected = sample("classic_fr-02-multirate")
    async with running(db_url, advertise_dsn=False) as gw:
        add_customer(gw, expected, [("achats@client.test", "buyer")])
        await send(gw, invoice_mail(pdf))
        await gw.settle()
        [mail] = await gw.sink.wait_for(1)
        assert mail.mail_options == [] and not any("NOTIFY" in o for o in mail.rcpt_options)
        assert detail(gw, expected["invoice_number"])["dispatches"][0]["state"] == "sent"


async def test_invoice_from_a_sender_not_allowed_is_held_as_suspicious(db_url: str) -> None:
    """A fraudster mailing a fake invoice to invoices@ gets nothing sent in the company's name."""
    pdf, expected = sample("classic_fr-01-plain")
    async with running(db_url) as gw:
        add_customer(gw, expected, [("achats@client.test", "buyer")])
        await send(gw, invoice_mail(pdf, sender="billing@acme-invoices.test"))
        await gw.settle()
        shown = detail(gw, expected["invoice_number"])
        with gw.services.database.session() as session:
            case = session.scalars(select(Case).where(Case.kind == "held")).one()
    assert shown["state"] == "held" and shown["suspicious"] is True
    assert "not an allowed sender" in shown["hold_reason"]
    assert shown["dispatches"] == [] and gw.sink.received == []
    assert case.facts["suspicious"] is True and case.state == "open"


async def test_relay_handover_records_the_envelope_recipients_as_contacts(db_url: str) -> None:
    """The ERP relays through jalon to the customer's address: it becomes a contact and gets the invoice."""
    pdf, expected = sample("classic_fr-01-plain")
    async with running(db_url) as gw:
        add_customer(gw, expected, [("payeur@client.test", "payer")])
        message = invoice_mail(pdf, to="nouvel.acheteur@client.test")
        await send(gw, message, username=RELAY_USER, password=RELAY_PASSWORD)
        await gw.settle()
        received = await gw.sink.wait_for(2)
        with gw.services.database.session() as session:
            contact = session.scalars(
                select(Contact).where(Contact.email == "nouvel.acheteur@client.test")
            ).one()
            assert contact.source == "relay" and contact.role == "buyer"
    assert {r.rcpt_tos[0] for r in received} == {"nouvel.acheteur@client.test", "payeur@client.test"}
    assert all(r.mail_from.startswith("bounces+") for r in received)


async def test_invoice_for_an_unknown_customer_is_held_not_guessed(db_url: str) -> None:
    """No customer in the directory matches: held with the reason, never sent to a guessed address."""
    pdf, expected = sample("classic_fr-01-plain")
    async with running(db_url) as gw:
        await send(gw, invoice_mail(pdf))
        await gw.settle()
        shown = detail(gw, expected["invoice_number"])
    assert shown["state"] == "held" and "no customer matches" in shown["hold_reason"]
    assert gw.sink.received == []


async def test_supporting_documents_travel_with_the_invoice(db_url: str) -> None:
    """The delivery note attached by the billing tool reaches the customer with the invoice."""
    pdf, expected = sample("classic_fr-01-plain")
    note = b"Bon de livraison BL-77: 12 palettes"
    async with running(db_url) as gw:
        add_customer(gw, expected, [("achats@client.test", "buyer")])
        await send(gw, invoice_mail(pdf, extra=[("BL-77.txt", "text/plain", note)]))
        await gw.settle()
        [mail] = await gw.sink.wait_for(1)
    names = {part.get_filename(): part.get_content() for part in mail.message().iter_attachments()}
    assert set(names) == {"facture.pdf", "BL-77.txt"}
    assert names["BL-77.txt"].strip() == note.decode()


async def test_refused_recipient_falls_back_to_the_next_contact_of_the_role(db_url: str) -> None:
    """A 550 5.1.1 at send time marks the address invalid and the invoice goes to the other buyer contact."""
    pdf, expected = sample("classic_fr-01-plain")
    async with running(db_url, refuse={"parti@client.test"}) as gw:
        add_customer(gw, expected, [("parti@client.test", "buyer")])
        with gw.services.database.session() as session:
            customer_id = session.scalars(select(Contact.customer_id)).first()
            session.add(
                Contact(customer_id=customer_id, email="remplacant@client.test", role="buyer", priority=5)
            )
        await send(gw, invoice_mail(pdf))
        await gw.settle()
        [mail] = await gw.sink.wait_for(1)
        shown = detail(gw, expected["invoice_number"])
        with gw.services.database.session() as session:
            gone = session.scalars(select(Contact).where(Contact.email == "parti@client.test")).one()
    assert mail.rcpt_tos == ["remplacant@client.test"]
    states = {d["recipient"]: (d["state"], d["status"]) for d in shown["dispatches"]}
    assert states["parti@client.test"] == ("bounced", "5.1.1")
    assert states["remplacant@client.test"][0] == "sent"
    assert gone.valid is False and "5.1.1" in gone.invalid_reason


async def test_refused_recipient_without_alternate_opens_a_case(db_url: str) -> None:
    """With no other contact of the role, a person is asked: one case, with the server's words."""
    pdf, expected = sample("classic_fr-01-plain")
    async with running(db_url, refuse={"parti@client.test"}) as gw:
        add_customer(gw, expected, [("parti@client.test", "buyer")])
        await send(gw, invoice_mail(pdf))
        await gw.settle()
        with gw.services.database.session() as session:
            [case] = session.scalars(select(Case).where(Case.kind == "bounced")).all()
            assert case.facts["recipient"] == "parti@client.test" and case.facts["status"] == "5.1.1"


async def test_temporary_failure_is_retried_with_backoff(db_url: str) -> None:
    """The relay is down at release: the mail waits in the outbox and leaves when the relay is back."""
    pdf, expected = sample("classic_fr-01-plain")
    async with running(db_url) as gw:
        add_customer(gw, expected, [("achats@client.test", "buyer")])
        await gw.sink.stop()
        await send(gw, invoice_mail(pdf))
        await gw.settle()
        shown = detail(gw, expected["invoice_number"])
        assert shown["dispatches"][0]["state"] == "queued"
        assert any(e["type"] == "dispatch.deferred" for e in shown["events"])
        gw.sink.port = gw.settings.outbound.port
        await gw.sink.start()
        from jalon.db import utcnow

        later = utcnow() + gw.settings.outbound.retry_base * 2
        await gw.services.outbox.send_due(now=later)
        [mail] = await gw.sink.wait_for(1)
        assert mail.rcpt_tos == ["achats@client.test"]
        assert detail(gw, expected["invoice_number"])["dispatches"][0]["state"] == "sent"


async def test_corrected_invoice_with_the_same_number_replaces_the_held_one(db_url: str) -> None:
    """The billing tool fixes a held invoice and sends it again: the new version is sent, the old one kept."""
    pdf, expected = sample("classic_fr-01-plain")
    async with running(db_url) as gw:
        await send(gw, invoice_mail(pdf))  # held: the customer is not in the directory yet
        await gw.settle()
        assert detail(gw, expected["invoice_number"])["state"] == "held"
        add_customer(gw, expected, [("achats@client.test", "buyer")])
        await send(gw, invoice_mail(pdf, subject="Facture corrigée"))
        await gw.settle()
        shown = detail(gw, expected["invoice_number"])
        with gw.services.database.session() as session:
            versions = session.scalars(select(Invoice.state).order_by(Invoice.version)).all()
            open_cases = session.scalars(select(Case).where(Case.state == "open")).all()
    assert shown["version"] == 2 and shown["state"] == "sent"
    assert versions == ["replaced", "sent"] and open_cases == []


async def test_broken_message_is_set_aside_and_the_gateway_keeps_running(db_url: str) -> None:
    """Garbage in: the raw message is kept, a case is opened, and the next invoice still goes through."""
    pdf, expected = sample("classic_fr-01-plain")
    garbage = (
        b"From: billing@acme.test\r\nTo: invoices@jalon.test\r\nSubject: \xff\xfe broken\r\n"
        b'Content-Type: multipart/mixed; boundary="x\r\n\r\n--x\r\nContent-Type: application/pdf\r\n\r\n'
        b"%PDF-1.7 truncated\x00\x01"
    )
    async with running(db_url) as gw:
        add_customer(gw, expected, [("achats@client.test", "buyer")])
        await aiosmtplib.send(
            garbage,
            sender=BILLING,
            recipients=[f"invoices@{DOMAIN}"],
            hostname="127.0.0.1",
            port=gw.smtp_port,
        )
        await send(gw, invoice_mail(pdf))
        await gw.settle()
        await gw.sink.wait_for(1)
        with gw.services.database.session() as session:
            cases = session.scalars(select(Case)).all()
            dispatched = session.scalars(select(Dispatch)).all()
    assert len(dispatched) == 1, "the good invoice went out"
    assert any(c.kind in ("held", "set_aside") and c.state == "open" for c in cases), (
        "the broken one waits for a person"
    )


async def genuine_then_forged(gw: Running) -> None:
    """The billing tool's invoice leaves; then a fraudster mails a copy of it from another domain (held)."""
    pdf, expected = sample("classic_fr-01-plain")
    add_customer(gw, expected, [("achats@client.test", "buyer")])
    await send(gw, invoice_mail(pdf))
    await gw.settle()
    await send(gw, invoice_mail(pdf, sender="billing@acme-invoices.test"))
    await gw.settle()


async def test_a_number_shared_with_a_forged_copy_still_names_the_genuine_invoice(db_url: str) -> None:
    """A fraudster mails a copy of a genuine invoice (held as suspicious): "paid" and the invoice's journey
    by number are about the genuine invoice that left, while "cancel" by number drops the held forgery."""
    from jalon.handlers import actions

    number = sample("classic_fr-01-plain")[1]["invoice_number"]
    async with running(db_url) as gw:
        await genuine_then_forged(gw)
        database, settings = gw.services.database, gw.services.settings
        assert detail(gw, number)["state"] == "sent", "the journey shown is the genuine invoice's"
        assert actions.mark_paid(database, settings, number, actor="ana").ok
        assert actions.cancel(database, settings, number, actor="ana", reason="forgery").ok
        with database.session() as session:
            states = {
                i.issuer.startswith("suspicious:"): i.state
                for i in session.scalars(select(Invoice).where(Invoice.number == number))
            }
    assert states == {False: "paid", True: "cancelled"}


async def test_a_relayed_invoice_billed_to_another_company_is_held_not_sent_to_the_addressee(
    db_url: str,
) -> None:
    """The ERP relays an invoice to a known customer's address, but the PDF is billed to another company (its
    SIREN is not that customer's): jalon holds it and says so, instead of sending a third party's invoice."""
    pdf, expected = sample("classic_fr-01-plain")
    other = {**expected, "buyer_name": "SGE Services", "buyer_siren": "552100554", "buyer_vat": ""}
    async with running(db_url) as gw:
        add_customer(gw, other, [("compta@sge.test", "buyer")], code="C200")
        message = invoice_mail(pdf, to="compta@sge.test")
        await send(gw, message, username=RELAY_USER, password=RELAY_PASSWORD)
        await gw.settle()
        shown = detail(gw, expected["invoice_number"])
    assert shown["state"] == "held" and gw.sink.received == []
    assert "C200" in shown["hold_reason"] and expected["buyer_siren"] in shown["hold_reason"]


def batch_pdf(names: list[str]) -> bytes:
    """What a billing tool's batch export makes: these invoices printed one after the other into one PDF."""
    batch = pikepdf.Pdf.new()
    for name in names:
        batch.pages.extend(pikepdf.open(io.BytesIO(sample(name)[0])).pages)
    out = io.BytesIO()
    batch.save(out)
    return out.getvalue()


async def test_a_batch_pdf_of_several_invoices_sends_each_invoice_to_its_own_customer(db_url: str) -> None:
    """One PDF, three invoices (two of them over several pages): three invoices, each to its buyer, alone."""
    names = ["multipage_fr-01-plain", "classic_fr-02-multirate", "multipage_fr-03-plain"]
    expected = [sample(name)[1] for name in names]
    async with running(db_url) as gw:
        for index, values in enumerate(expected):
            add_customer(gw, values, [(f"achats{index}@client{index}.test", "buyer")], code=f"C10{index}")
        await send(gw, invoice_mail(batch_pdf(names), filename="export-du-jour.pdf"))
        await gw.settle()
        received = await gw.sink.wait_for(3)
        shown = [detail(gw, values["invoice_number"]) for values in expected]
    by_recipient = {mail.rcpt_tos[0]: mail.message() for mail in received}
    for index, (values, invoice) in enumerate(zip(expected, shown, strict=True)):
        assert invoice["state"] == "sent" and invoice["customer"]["customer_id"] == f"C10{index}"
        attachment = next(by_recipient[f"achats{index}@client{index}.test"].iter_attachments())
        alone = attachment.get_content()
        assert values["invoice_number"].replace("/", "-") in attachment.get_filename()
        assert read_invoice(alone).invoice.number == values["invoice_number"]
        assert len(pikepdf.open(io.BytesIO(alone)).pages) == (2, 1, 3)[index]
        read = next(e for e in invoice["events"] if e["type"] == "invoice.received")
        assert read["data"]["part_of"].startswith("export-du-jour.pdf p. ")


async def test_a_multi_page_invoice_is_never_cut(db_url: str) -> None:
    """Three pages, one invoice: one invoice sent whole (the number on each page is the same one)."""
    pdf, expected = sample("multipage_fr-03-plain")
    async with running(db_url) as gw:
        add_customer(gw, expected, [("achats@client.test", "buyer")])
        await send(gw, invoice_mail(pdf, filename="F.pdf"))
        await gw.settle()
        [mail] = await gw.sink.wait_for(1)
    attachment = next(mail.message().iter_attachments())
    assert attachment.get_content() == pdf


async def test_a_cards_button_acts_on_the_cards_own_copy_of_a_shared_number(db_url: str) -> None:
    """The genuine invoice is disputed, a forged copy of it is held: 'Cancel' on the dispute's card cancels
    the genuine invoice; the held forgery waits for its own card."""
    from jalon.bot.api import act
    from jalon.handlers import cases

    number = sample("classic_fr-01-plain")[1]["invoice_number"]
    async with running(db_url) as gw:
        await genuine_then_forged(gw)
        database, settings = gw.services.database, gw.services.settings
        with database.session() as session:
            genuine = session.scalars(select(Invoice).where(Invoice.state == "sent")).one()
            genuine_id = genuine.id
            dispute = cases.open_case(session, "dispute", f"{number} disputed", invoice_id=genuine.id)
            session.flush()
            dispute_id = dispute.id
        outcome = act(database, settings, dispute_id, "cancel", "ana", {"reason": "x"}, via="api")
        with database.session() as session:
            states = {i.id == genuine_id: i.state for i in session.scalars(select(Invoice))}
    assert outcome.ok
    assert states == {True: "cancelled", False: "held"}
