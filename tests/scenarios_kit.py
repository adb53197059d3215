"""Helpers for the scenario and payment tests: customers and sent invoices put straight in the database (as
the pipeline leaves them), a clock in Paris time, and what a tick queued, read back from the outbox."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from jalon import events
from jalon.config import Settings, load_dict
from jalon.db import Database, load_blob, store_blob
from jalon.mailbox.addresses import new_token
from jalon.models import Contact, Customer, Dispatch, Document, Invoice, Outbox

PARIS = ZoneInfo("Europe/Paris")
FAKE_PDF = b"%PDF-1.4\n% a stand-in for the invoice document\n%%EOF\n"


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """A local Paris wall-clock time as an aware datetime (stored and compared in UTC)."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=PARIS).astimezone(dt.UTC)


def settings_for(db_url: str, **sections: Any) -> Settings:
    data: dict[str, Any] = {
        "gateway": {"domain": "jalon.test", "company_name": "ACME Industries"},
        "database": {"url": db_url},
        "web": {"public_url": "http://portal.test"},
    }
    data.update(sections)
    return load_dict(data)


def add_customer(
    database: Database,
    code: str,
    *,
    name: str | None = None,
    group: str | None = None,
    language: str = "fr",
    contacts: tuple[tuple[str, str], ...] = (),
    settings: dict[str, Any] | None = None,
) -> int:
    with database.session() as session:
        customer = Customer(
            code=code, name=name or f"Client {code}", group=group, language=language, settings=settings or {}
        )
        session.add(customer)
        session.flush()
        for address, role in contacts or ((f"compta@{code.lower()}.test", "buyer"),):
            session.add(Contact(customer_id=customer.id, email=address, role=role))
        return customer.id


@dataclass
class Sent:
    invoice_id: int
    number: str
    tokens: dict[str, str]


def add_sent_invoice(
    database: Database,
    customer_id: int,
    number: str,
    *,
    sent_at: dt.datetime,
    due: dt.date | None,
    issued: dt.date | None = None,
    amount: str = "1200.00",
    currency: str = "EUR",
) -> Sent:
    """An invoice as the pipeline leaves it once its mails left: state sent, one dispatch per contact."""
    with database.session() as session:
        customer = session.get(Customer, customer_id)
        assert customer is not None
        invoice = Invoice(
            number=number,
            issuer="ACME",
            customer_id=customer_id,
            state="sent",
            issue_date=issued or (sent_at.date() if due is None else due - dt.timedelta(days=30)),
            due_date=due,
            currency=currency,
            total_without_vat=(Decimal(amount) / Decimal("1.2")).quantize(Decimal("0.01")),
            total_with_vat=Decimal(amount),
            amount_due=Decimal(amount),
            sent_at=sent_at,
        )
        session.add(invoice)
        session.flush()
        digest = store_blob(session, FAKE_PDF)
        session.add(
            Document(
                invoice_id=invoice.id,
                blob_sha256=digest,
                filename=f"{number}.pdf",
                content_type="application/pdf",
                role="invoice",
            )
        )
        tokens = {}
        for contact in customer.contacts:
            token = new_token()
            dispatch = Dispatch(
                invoice_id=invoice.id,
                contact_id=contact.id,
                recipient=contact.email,
                role=contact.role,
                token=token,
                message_id=f"<{token}.0@jalon.test>",
                state="sent",
                sent_at=sent_at,
            )
            session.add(dispatch)
            session.flush()
            events.record(
                session,
                "dispatch.sent",
                invoice_id=invoice.id,
                dispatch_id=dispatch.id,
                at=sent_at,
                recipient=contact.email,
                level="accepted",
            )
            tokens[contact.email] = token
        return Sent(invoice.id, number, tokens)


@dataclass
class Mail:
    to: list[str]
    subject: str
    text: str
    attachments: list[str]
    date: str
    message_id: str


def mails(database: Database) -> list[Mail]:
    """Every mail queued so far, in order, as a customer would read it."""
    found = []
    with database.session() as session:
        for item in session.scalars(select(Outbox).where(Outbox.kind == "mail").order_by(Outbox.id)):
            raw = load_blob(session, item.blob_sha256)
            message = email.message_from_bytes(raw, policy=email.policy.default)
            body = message.get_body(preferencelist=("plain",))
            found.append(
                Mail(
                    list(item.rcpt_to),
                    str(message["Subject"]),
                    body.get_content() if body else "",
                    [part.get_filename() for part in message.iter_attachments()],
                    str(message["Date"]),
                    str(message["Message-ID"]),
                )
            )
    return found


def record(database: Database, invoice_id: int, type_: str, at: dt.datetime, **data: Any) -> None:
    with database.session() as session:
        events.record(session, type_, invoice_id=invoice_id, at=at, **data)


def pause(database: Database, invoice_id: int, until: dt.datetime, reason: str) -> None:
    """What the reply handler does on a dispute, a promise or an announced payment."""
    with database.session() as session:
        invoice = session.get(Invoice, invoice_id)
        assert invoice is not None
        invoice.paused_until = until
        invoice.pause_reason = reason
