"""SQLAlchemy 2 models: the domain's tables. No behaviour beyond small helpers; use cases live elsewhere.

Raw bytes (received messages, documents, rendered outgoing mail) are content-addressed in `blobs` by sha256,
so nothing received is lost or stored twice. `events` is append-only: the history of every invoice.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use jalon.db.utcnow()")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


JSONType = JSON().with_variant(JSON(none_as_null=True), "postgresql")
Money = Numeric(18, 2)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dt.datetime: UTCDateTime(), dict[str, Any]: JSONType, list[Any]: JSONType}


class Blob(Base):
    """Raw bytes, content-addressed."""

    __tablename__ = "blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)


class InboundMessage(Base):
    """One message received over SMTP or IMAP: envelope + pointer to its raw bytes."""

    __tablename__ = "inbound_messages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    blob_sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    # Same bytes to the same envelope recipients = the same message: stored and processed once.
    dedupe_key: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(String(16))  # smtp | imap | cli | demo
    mail_from: Mapped[str] = mapped_column(String(512), default="")
    rcpt_tos: Mapped[list[Any]] = mapped_column(default=list)
    peer: Mapped[str | None] = mapped_column(String(128))
    helo: Mapped[str | None] = mapped_column(String(255))
    auth_user: Mapped[str | None] = mapped_column(String(255))
    message_id: Mapped[str | None] = mapped_column(String(998))
    subject: Mapped[str | None] = mapped_column(Text)
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    received_at: Mapped[dt.datetime] = mapped_column(default=_now)
    # pending -> done | set_aside (a crash or bad input: a case for a human, with Retry / Discard)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    route: Mapped[str | None] = mapped_column(String(32))  # invoices | relay | bounce | reply | unknown
    kind: Mapped[str | None] = mapped_column(String(32))  # what classification decided
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_by: Mapped[str | None] = mapped_column(String(64))
    locked_until: Mapped[dt.datetime | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(Text)
    processed_at: Mapped[dt.datetime | None] = mapped_column()
    auth_results: Mapped[dict[str, Any]] = mapped_column(default=dict)  # DKIM/SPF results seen

    __table_args__ = (Index("ix_inbound_status_received", "status", "received_at"),)


class Customer(Base):
    """A customer of the company: who gets invoices, and what they require."""

    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)  # the billing tool's customer id
    name: Mapped[str] = mapped_column(String(255))
    siren: Mapped[str | None] = mapped_column(String(9), index=True)
    siret: Mapped[str | None] = mapped_column(String(14))
    vat: Mapped[str | None] = mapped_column(String(32), index=True)
    language: Mapped[str] = mapped_column(String(8), default="fr")
    group: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(String(2))
    public_buyer: Mapped[bool] = mapped_column(Boolean, default=False)
    requires_po: Mapped[bool] = mapped_column(Boolean, default=False)
    requires_buyer_reference: Mapped[bool] = mapped_column(Boolean, default=False)
    required_documents: Mapped[list[Any]] = mapped_column(default=list)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)  # per-customer overrides
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=_now, onupdate=_now)

    contacts: Mapped[list[Contact]] = relationship(back_populates="customer", order_by="Contact.id")


class Contact(Base):
    """A recipient of a customer's invoices, by role: buyer, payer, validator, head_office, cc, collection."""

    __tablename__ = "contacts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(32))
    name: Mapped[str | None] = mapped_column(String(255))
    language: Mapped[str | None] = mapped_column(String(8))
    channel: Mapped[str] = mapped_column(String(32), default="email")
    format: Mapped[str] = mapped_column(String(32), default="pdf")
    endpoint: Mapped[str | None] = mapped_column(Text)  # for non-mail channels
    priority: Mapped[int] = mapped_column(Integer, default=0)  # lower first within a role
    valid: Mapped[bool] = mapped_column(Boolean, default=True)
    invalid_reason: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(32), default="import")  # import | relay | approved_change
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)

    customer: Mapped[Customer] = relationship(back_populates="contacts")
    __table_args__ = (
        UniqueConstraint("customer_id", "email", "role", name="uq_contacts_customer_email_role"),
    )


class Invoice(Base):
    """One version of an invoice as handed over by the billing tool."""

    __tablename__ = "invoices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(128), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    issuer: Mapped[str] = mapped_column(String(64), default="")  # seller SIREN/VAT or sender domain
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    inbound_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"))
    # received -> held | ready -> sent -> (paid | cancelled); replaced when a newer version arrives
    state: Mapped[str] = mapped_column(String(16), default="received", index=True)
    hold_reason: Mapped[str | None] = mapped_column(Text)
    suspicious: Mapped[bool] = mapped_column(Boolean, default=False)
    doc_type: Mapped[str] = mapped_column(String(16), default="invoice")
    issue_date: Mapped[dt.date | None] = mapped_column()
    due_date: Mapped[dt.date | None] = mapped_column()
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    total_without_vat: Mapped[Decimal | None] = mapped_column(Money)
    total_vat: Mapped[Decimal | None] = mapped_column(Money)
    total_with_vat: Mapped[Decimal | None] = mapped_column(Money)
    amount_due: Mapped[Decimal | None] = mapped_column(Money)
    amount_paid: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    # a retenue de garantie: owed, but only when the guarantee ends; reminders never ask for it
    holdback: Mapped[Decimal | None] = mapped_column(Money)
    # collected by the seller by direct debit: no reminder before its due date (`planning`)
    debited: Mapped[bool] = mapped_column(default=False, server_default=false())
    purchase_order: Mapped[str | None] = mapped_column(String(128))
    source: Mapped[str] = mapped_column(String(16), default="none")  # facturx | xml | text | none
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the invoice model (formats.model.Invoice)
    findings: Mapped[list[Any]] = mapped_column(default=list)
    paused_until: Mapped[dt.datetime | None] = mapped_column()  # reminders paused (dispute, promise…)
    pause_reason: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[dt.datetime | None] = mapped_column()
    paid_at: Mapped[dt.datetime | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=_now, onupdate=_now)

    customer: Mapped[Customer | None] = relationship()
    documents: Mapped[list[Document]] = relationship(back_populates="invoice", order_by="Document.id")
    dispatches: Mapped[list[Dispatch]] = relationship(back_populates="invoice", order_by="Dispatch.id")

    __table_args__ = (
        UniqueConstraint("issuer", "number", "version", name="uq_invoices_issuer_number_version"),
    )


class Document(Base):
    """A file belonging to an invoice: the invoice PDF, supporting documents, converted outputs."""

    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    blob_sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(128), default="application/octet-stream")
    role: Mapped[str] = mapped_column(String(32))  # invoice | supporting | xml | facturx | converted
    format: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)

    invoice: Mapped[Invoice] = relationship(back_populates="documents")


class Dispatch(Base):
    """One invoice going to one recipient (role, channel, format), tracked by an unguessable token."""

    __tablename__ = "dispatches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    recipient: Mapped[str] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(32), default="email")
    format: Mapped[str] = mapped_column(String(32), default="pdf")
    token: Mapped[str] = mapped_column(String(64), unique=True)
    message_id: Mapped[str | None] = mapped_column(String(998), index=True)
    # pending -> queued -> sent -> delivered | delayed | bounced | read; failed (send refused)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    status_code: Mapped[str | None] = mapped_column(String(16))
    diagnostic: Mapped[str | None] = mapped_column(Text)
    copy_of_id: Mapped[int | None] = mapped_column(ForeignKey("dispatches.id"))  # a resend
    sent_at: Mapped[dt.datetime | None] = mapped_column()
    delivered_at: Mapped[dt.datetime | None] = mapped_column()
    read_at: Mapped[dt.datetime | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)

    invoice: Mapped[Invoice] = relationship(back_populates="dispatches")
    contact: Mapped[Contact | None] = relationship()


class Outbox(Base):
    """A side effect waiting to leave after its transaction committed: a mail, a chat post, a webhook call."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="mail")  # mail | chat | webhook | channel
    dispatch_id: Mapped[int | None] = mapped_column(ForeignKey("dispatches.id"), index=True)
    mail_from: Mapped[str | None] = mapped_column(String(512))
    rcpt_to: Mapped[list[Any]] = mapped_column(default=list)
    blob_sha256: Mapped[str | None] = mapped_column(ForeignKey("blobs.sha256"))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=_now)
    locked_by: Mapped[str | None] = mapped_column(String(64))
    locked_until: Mapped[dt.datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)
    sent_at: Mapped[dt.datetime | None] = mapped_column()

    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)


class Event(Base):
    """Append-only: one step in the life of an invoice, a dispatch or a message."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=_now)
    type: Mapped[str] = mapped_column(String(64), index=True)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"), index=True)
    dispatch_id: Mapped[int | None] = mapped_column(ForeignKey("dispatches.id"))
    inbound_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    actor: Mapped[str] = mapped_column(String(128), default="jalon")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Milestone(Base):
    """A jalon of one invoice: what is expected by when; pending / met / late / excepted."""

    __tablename__ = "milestones"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    expect: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    due_at: Mapped[dt.datetime | None] = mapped_column()
    met_at: Mapped[dt.datetime | None] = mapped_column()
    evidence_event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    __table_args__ = (UniqueConstraint("invoice_id", "name", name="uq_milestones_invoice_name"),)


class ScenarioStep(Base):
    """One scheduled action of a scenario; `key` is unique so each step runs exactly once."""

    __tablename__ = "scenario_steps"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    milestone: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    due_at: Mapped[dt.datetime] = mapped_column()
    # scheduled -> claimed -> done | skipped | cancelled
    state: Mapped[str] = mapped_column(String(16), default="scheduled")
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[dt.datetime | None] = mapped_column()
    done_at: Mapped[dt.datetime | None] = mapped_column()
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)
    __table_args__ = (Index("ix_scenario_steps_state_due", "state", "due_at"),)


class Case(Base):
    """An exception case for people: something jalon could not settle on its own."""

    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(
        String(32)
    )  # held | bounced | late | dispute | contact_change | set_aside…
    # One open case per subject: e.g. "held:invoice:42". Cleared when the case closes.
    open_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    state: Mapped[str] = mapped_column(String(16), default="open")  # open | closed
    title: Mapped[str] = mapped_column(Text)
    facts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"), index=True)
    dispatch_id: Mapped[int | None] = mapped_column(ForeignKey("dispatches.id"))
    inbound_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    assignee: Mapped[str | None] = mapped_column(String(128))
    snoozed_until: Mapped[dt.datetime | None] = mapped_column()
    opened_at: Mapped[dt.datetime] = mapped_column(default=_now)
    closed_at: Mapped[dt.datetime | None] = mapped_column()
    closed_by: Mapped[str | None] = mapped_column(String(128))
    resolution: Mapped[str | None] = mapped_column(Text)


class ChatPost(Base):
    """Where a case's card was posted, so that it can be updated in place."""

    __tablename__ = "chat_posts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    platform: Mapped[str] = mapped_column(String(16))  # slack | teams | terminal
    channel: Mapped[str] = mapped_column(String(255))
    message_ref: Mapped[str | None] = mapped_column(String(255))  # Slack ts, Teams activity id
    conversation: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=_now)


class Payment(Base):
    """Money received for an invoice (or an unmatched bank line)."""

    __tablename__ = "payments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    paid_on: Mapped[dt.date] = mapped_column()
    reference: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(32), default="manual")  # manual | csv | camt053 | api
    source_ref: Mapped[str | None] = mapped_column(String(255), unique=True)  # idempotent imports
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)


class KeyValue(Base):
    """Small pieces of state shared by every jalon process (e.g. a generated link-signing key)."""

    __tablename__ = "key_values"
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(default=_now, onupdate=_now)


class ImapState(Base):
    """Where the IMAP poller stands in one folder of one mailbox: every UID up to `last_uid` was handed to
    intake and marked. Valid only for this `uidvalidity`; a new one means the folder's UIDs were reset."""

    __tablename__ = "imap_states"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account: Mapped[str] = mapped_column(String(512))  # user@host:port
    folder: Mapped[str] = mapped_column(String(255))
    uidvalidity: Mapped[int] = mapped_column(BigInteger)  # unsigned 32-bit in IMAP
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(default=_now, onupdate=_now)
    __table_args__ = (UniqueConstraint("account", "folder", name="uq_imap_states_account_folder"),)
