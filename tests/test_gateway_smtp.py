"""The SMTP edge: who may hand over what, and a message is answered 250 only once it is stored."""

from __future__ import annotations

import aiosmtplib
import pytest
from harness import DOMAIN, RELAY_PASSWORD, RELAY_USER, invoice_mail, running
from sqlalchemy import func, select

from jalon.db import load_blob
from jalon.models import Blob, InboundMessage

pytestmark = pytest.mark.asyncio


async def test_own_addresses_are_accepted_and_stored_with_their_envelope(db_url: str) -> None:
    """A billing tool sends to invoices@, a server to bounces+TOKEN@, a customer to reply+TOKEN@: all kept."""
    async with running(db_url) as gw:
        for rcpt in (f"invoices@{DOMAIN}", f"bounces+Ab3dEf9hXy@{DOMAIN}", f"reply+Zz9_yx-8wv@{DOMAIN}"):
            message = invoice_mail(None, to=rcpt, subject=f"to {rcpt}")
            errors, response = await aiosmtplib.send(message, hostname="127.0.0.1", port=gw.smtp_port)
            assert errors == {} and response.startswith("2.0.0 OK: queued as")
        with gw.services.database.session() as session:
            stored = list(session.scalars(select(InboundMessage).order_by(InboundMessage.id)))
            assert [m.rcpt_tos for m in stored] == [
                [f"invoices@{DOMAIN}"],
                [f"bounces+Ab3dEf9hXy@{DOMAIN}"],
                [f"reply+Zz9_yx-8wv@{DOMAIN}"],
            ]
            assert all(m.mail_from == "billing@acme.test" and m.status == "pending" for m in stored)
            assert b"to reply+Zz9_yx-8wv" in load_blob(session, stored[2].blob_sha256)


async def test_unknown_local_address_is_refused_with_5_1_1(db_url: str) -> None:
    """A typo in the local part is refused at once, so the sender knows."""
    async with running(db_url) as gw:
        with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as refused:
            await aiosmtplib.send(
                invoice_mail(None, to=f"invoicez@{DOMAIN}"), hostname="127.0.0.1", port=gw.smtp_port
            )
        code, text = refused.value.recipients[0].code, refused.value.recipients[0].message
        assert code == 550 and "5.1.1" in text


async def test_jalon_is_not_an_open_relay(db_url: str) -> None:
    """An unauthenticated client cannot make jalon send mail to another domain."""
    async with running(db_url) as gw:
        with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as refused:
            await aiosmtplib.send(
                invoice_mail(None, to="victim@elsewhere.test"), hostname="127.0.0.1", port=gw.smtp_port
            )
        assert refused.value.recipients[0].code == 550 and "5.7.1" in refused.value.recipients[0].message
        with gw.services.database.session() as session:
            assert session.scalar(select(func.count()).select_from(InboundMessage)) == 0


async def test_authenticated_billing_tool_relays_to_customers_real_address(db_url: str) -> None:
    """With AUTH on loopback, the ERP sends to the customer's real address and jalon takes the mail over."""
    async with running(db_url) as gw:
        message = invoice_mail(b"%PDF-1.4 fake", to="compta@hopital.test")
        await aiosmtplib.send(
            message,
            hostname="127.0.0.1",
            port=gw.smtp_port,
            username=RELAY_USER,
            password=RELAY_PASSWORD,
            start_tls=False,
        )
        with gw.services.database.session() as session:
            stored = session.scalars(select(InboundMessage)).one()
            assert stored.auth_user == RELAY_USER and stored.rcpt_tos == ["compta@hopital.test"]
        assert gw.sink.received == [], "nothing leaves before the message is processed"


async def test_wrong_password_is_refused(db_url: str) -> None:
    """A billing tool with a wrong password gets 535 and cannot relay."""
    async with running(db_url) as gw:
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=gw.smtp_port, start_tls=False)
        await client.connect()
        with pytest.raises(aiosmtplib.SMTPAuthenticationError) as failed:
            await client.login(RELAY_USER, "wrong")
        assert failed.value.code == 535
        with pytest.raises(aiosmtplib.SMTPRecipientsRefused):
            await client.sendmail("billing@acme.test", ["compta@hopital.test"], b"Subject: x\r\n\r\nx")
        await client.quit()


async def test_oversize_message_is_refused_with_552(db_url: str) -> None:
    """A message over [smtp] max_message_size is refused, and nothing is stored."""
    async with running(db_url, smtp={"max_message_size": "50KB"}) as gw:
        big = invoice_mail(b"%PDF-1.4\n" + b"0" * 80_000)
        with pytest.raises(aiosmtplib.SMTPResponseException) as refused:
            await aiosmtplib.send(big, hostname="127.0.0.1", port=gw.smtp_port)
        assert refused.value.code == 552
        with gw.services.database.session() as session:
            assert session.scalar(select(func.count()).select_from(InboundMessage)) == 0


async def test_same_message_twice_is_stored_once(db_url: str) -> None:
    """A client retrying after a lost 250 resends the same bytes: jalon keeps one copy, processes it once."""
    async with running(db_url) as gw:
        raw = invoice_mail(b"%PDF-1.4 same", message_id="<same-1@acme.test>").as_bytes()
        answers = []
        for _ in range(2):
            client = aiosmtplib.SMTP(hostname="127.0.0.1", port=gw.smtp_port, start_tls=False)
            await client.connect()
            await client.mail("billing@acme.test")
            await client.rcpt(f"invoices@{DOMAIN}")
            response = await client.data(raw)
            await client.quit()
            assert response.code == 250
            answers.append(response.message)
        assert answers[0] == answers[1], "the retry is answered with the id of the first copy"
        with gw.services.database.session() as session:
            assert session.scalar(select(func.count()).select_from(InboundMessage)) == 1
            assert session.scalar(select(func.count()).select_from(Blob)) == 1


async def test_malformed_mime_is_kept_byte_for_byte(db_url: str) -> None:
    """Broken MIME is still accepted and stored exactly as received, for a person to look at."""
    raw = (
        b"From: billing@acme.test\r\nTo: invoices@jalon.test\r\nSubject: =?utf-8?B?broken\r\n"
        b'Content-Type: multipart/mixed; boundary="nope\r\n\r\n--nope\r\nContent-Type: application/pdf\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n%%%not base64%%%\r\n"
    )
    async with running(db_url) as gw:
        await aiosmtplib.send(
            raw,
            sender="billing@acme.test",
            recipients=[f"invoices@{DOMAIN}"],
            hostname="127.0.0.1",
            port=gw.smtp_port,
        )
        with gw.services.database.session() as session:
            stored = session.scalars(select(InboundMessage)).one()
            assert load_blob(session, stored.blob_sha256) == raw
