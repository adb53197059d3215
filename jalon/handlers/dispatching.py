"""Distribution: one Dispatch per recipient role of the customer, each with its token, channel and format,
and the mail that carries it queued in the outbox (it leaves after the commit)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from jalon import events
from jalon.businesstime import shown
from jalon.config import Settings
from jalon.db import fresh_documents, load_blob, utcnow
from jalon.links import invoice_link, signing_key
from jalon.mailbox.addresses import new_token
from jalon.mailbox.compose import FileToSend, compose_invoice_mail
from jalon.mailbox.outbound import queue_mail
from jalon.models import Contact, Customer, Dispatch, Document, Invoice

ROLE_ORDER = ("buyer", "payer", "validator", "head_office", "cc", "collection")
# Roles that get every invoice without being asked; "collection" only when the agency takes a case over.
DEFAULT_ROLES = ("buyer", "payer", "validator", "head_office", "cc")


def recipients(contacts: Iterable[Contact], roles: Iterable[str] = DEFAULT_ROLES) -> list[Contact]:
    """Per role, the valid contacts of the best priority; the others are alternates after a hard bounce."""
    chosen: list[Contact] = []
    by_role: dict[str, list[Contact]] = {}
    for contact in contacts:
        if contact.valid and contact.role in roles:
            by_role.setdefault(contact.role, []).append(contact)
    for role in sorted(by_role, key=lambda r: ROLE_ORDER.index(r) if r in ROLE_ORDER else 99):
        best = min(c.priority for c in by_role[role])
        seen: set[str] = {c.email.lower() for c in chosen}
        for contact in by_role[role]:
            if contact.priority == best and contact.email.lower() not in seen:
                chosen.append(contact)
                seen.add(contact.email.lower())
    return chosen


def dispatch_invoice(
    session: Session, settings: Settings, invoice: Invoice, *, actor: str, made: dict[Any, Any] | None = None
) -> list[Dispatch]:
    """Create the dispatches of a released invoice and queue their mails. `made`: outputs already made in
    the pool for this invoice (`conversion.Made` by target), used when they are the ones needed."""
    if invoice.doc_type == "credit_note":  # released: set against the invoice it corrects, once
        from jalon.credits import apply_credit_note

        apply_credit_note(session, invoice, actor=actor)
    with session.no_autoflush:  # the invoice's pending state goes with the dispatches' INSERT: one flush
        customer = session.get(Customer, invoice.customer_id) if invoice.customer_id else None
        contacts = recipients(customer.contacts) if customer else []
    if not contacts:
        from jalon.handlers import cases

        events.record(session, "invoice.no_recipient", invoice_id=invoice.id, actor=actor)
        cases.open_case(
            session,
            "send_failed",
            f"Invoice {invoice.number}: no valid recipient",
            key=cases.case_key("send_failed", "invoice", invoice.id),
            facts={
                "number": invoice.number,
                "customer": customer.name if customer else None,
                "reason": "the customer has no valid contact",
            },
            invoice_id=invoice.id,
            customer_id=invoice.customer_id,
        )
        return []
    created = [new_dispatch(session, invoice, contact) for contact in contacts]
    from jalon.handlers.conversion import hold_for_conversion

    if hold_for_conversion(session, settings, invoice, created, actor=actor, made=made):
        return created  # they leave together once every format is made and valid (handlers/conversion.py)
    for dispatch in created:
        send_dispatch(session, settings, dispatch, actor=actor, formats_ready=True)
    return created


def new_dispatch(
    session: Session,
    invoice: Invoice,
    contact: Contact,
    *,
    copy_of: Dispatch | None = None,
    recipient: str | None = None,
) -> Dispatch:
    dispatch = Dispatch(
        invoice_id=invoice.id,
        contact_id=contact.id,
        recipient=recipient or contact.email,
        role=contact.role,
        channel=contact.channel or "email",
        format=contact.format or "pdf",
        token=new_token(),
        state="pending",
        copy_of_id=copy_of.id if copy_of else None,
    )
    session.add(dispatch)
    session.flush()
    return dispatch


def copy_dispatch(session: Session, invoice: Invoice, target: Dispatch, original: Dispatch) -> Dispatch:
    """A new dispatch like `target` (recipient, role, channel, format): a marked copy of `original`."""
    copy = Dispatch(
        invoice_id=invoice.id,
        contact_id=target.contact_id,
        recipient=target.recipient,
        role=target.role,
        channel=target.channel,
        format=target.format,
        token=new_token(),
        state="pending",
        copy_of_id=original.id,
    )
    session.add(copy)
    session.flush()
    return copy


_DOCUMENTS = (
    select(Document).where(Document.invoice_id == bindparam("invoice_id")).order_by(Document.id)
)  # built once: asked for every mail composed


def documents_to_send(session: Session, invoice: Invoice, fmt: str) -> list[FileToSend]:
    """The invoice document first, then the supporting documents."""
    documents: list[Any] | None = fresh_documents(session, invoice.id)
    if documents is None:
        with session.no_autoflush:  # documents are written by plain INSERTs, never pending in the session
            documents = list(session.scalars(_DOCUMENTS, {"invoice_id": invoice.id}))
    main = next((d for d in documents if d.role == "converted" and d.format == fmt), None) or next(
        (d for d in documents if d.role == "invoice"), None
    )
    files = []
    if main is not None:
        files.append(FileToSend(main.filename, main.content_type, load_blob(session, main.blob_sha256)))
    for document in documents:
        if document.role == "supporting":
            files.append(
                FileToSend(document.filename, document.content_type, load_blob(session, document.blob_sha256))
            )
    return files


def invoice_facts(invoice: Invoice) -> dict[str, Any]:
    return {
        "number": invoice.number,
        "doc_type": invoice.doc_type,
        "issue_date": invoice.issue_date,
        "due_date": invoice.due_date,
        "total_with_vat": invoice.total_with_vat,
        "currency": invoice.currency,
        "purchase_order": invoice.purchase_order,
    }


def _queued(session: Session, dispatch: Dispatch, *, actor: str, **data: Any) -> None:
    """The dispatch waits in the outbox for its sender; the event says to whom, how and in what format."""
    dispatch.state = "queued"
    events.record(
        session,
        "dispatch.queued",
        invoice_id=dispatch.invoice_id,
        dispatch_id=dispatch.id,
        actor=actor,
        recipient=dispatch.recipient,
        role=dispatch.role,
        channel=dispatch.channel,
        format=dispatch.format,
        **data,
    )


def send_dispatch(
    session: Session,
    settings: Settings,
    dispatch: Dispatch,
    *,
    actor: str,
    now: dt.datetime | None = None,
    formats_ready: bool = False,
) -> None:
    """Compose the dispatch's mail and queue it. Other channels are queued for their own sender.
    `formats_ready`: the caller has just made sure the dispatch's format exists (`hold_for_conversion`)."""
    invoice = session.get(Invoice, dispatch.invoice_id)
    assert invoice is not None
    from jalon.handlers.conversion import hold_for_conversion

    if not formats_ready and hold_for_conversion(session, settings, invoice, [dispatch], actor=actor):
        return  # a resend in a format not made yet: converted and validated first
    contact = session.get(Contact, dispatch.contact_id) if dispatch.contact_id else None
    customer = session.get(Customer, invoice.customer_id) if invoice.customer_id else None
    if dispatch.channel != "email":
        from jalon.models import Outbox

        session.add(
            Outbox(
                kind="channel",
                dispatch_id=dispatch.id,
                payload={"channel": dispatch.channel, "format": dispatch.format},
            )
        )
        _queued(session, dispatch, actor=actor)
        return
    key = signing_key(settings, session)
    copy_of = None
    if dispatch.copy_of_id:
        original = session.get(Dispatch, dispatch.copy_of_id)
        if original is not None:
            copy_of = {
                "message_id": original.message_id or "",
                # told in the company's time zone, named: "29/11/2026 14:25 CET"
                "sent_at": shown(original.sent_at, settings.gateway.timezone, "%d/%m/%Y %H:%M %Z")
                if original.sent_at
                else "",
                "recipient": original.recipient,
            }
    language = (contact.language if contact and contact.language else None) or (
        customer.language if customer else settings.gateway.default_language
    )
    composed = compose_invoice_mail(
        settings,
        token=dispatch.token,
        recipient=dispatch.recipient,
        language=language,
        invoice=invoice_facts(invoice),
        link=invoice_link(settings, key, dispatch.token),
        files=documents_to_send(session, invoice, dispatch.format),
        contact_name=contact.name if contact else None,
        copy_of=copy_of,
        now=now,
    )
    dispatch.message_id = composed.message_id
    queue_mail(session, composed, dispatch_id=dispatch.id)
    _queued(
        session, dispatch, actor=actor, message_id=composed.message_id, copy=bool(copy_of), at=now or utcnow()
    )
