"""Building the mails jalon sends: invoice mails per dispatch (VERP, Reply-To, read receipt, tracked link),
and generic templated mails (reminders, answers to customers). No I/O besides the templates."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from email.utils import format_datetime, make_msgid

from jalon.config import Settings
from jalon.mailbox import addresses, mimewrite
from jalon.templating import render_mail


@dataclass
class FileToSend:
    filename: str
    content_type: str
    data: bytes


@dataclass
class Composed:
    """A rendered mail and its envelope."""

    message_id: str
    mail_from: str
    rcpt_to: list[str]
    data: bytes
    subject: str
    envid: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


def new_message_id(token: str, domain: str) -> str:
    return f"<{token}.{secrets.token_hex(4)}@{domain}>"


def build_message(
    settings: Settings,
    *,
    to: str,
    subject: str,
    text: str,
    html: str | None,
    token: str | None,
    files: list[FileToSend] = (),  # type: ignore[assignment]
    to_name: str | None = None,
    in_reply_to: str | None = None,
    references: list[str] | None = None,
    read_receipt: bool = False,
    extra_headers: dict[str, str] | None = None,
    now: dt.datetime | None = None,
) -> Composed:
    """A complete message; with a token, replies and bounces come back tied to it."""
    domain = settings.gateway.domain
    message_id = new_message_id(token, domain) if token else make_msgid(domain=domain)
    headers = [
        ("From", mimewrite.address(settings.gateway.company_name, settings.from_address)),
        ("To", mimewrite.address(to_name, to)),
        ("Subject", subject),
        ("Date", format_datetime(now or dt.datetime.now(dt.UTC))),
        ("Message-ID", message_id),
    ]
    if token:
        headers.append(("Reply-To", addresses.reply_address(token, domain)))
        if read_receipt:
            headers.append(("Disposition-Notification-To", addresses.reply_address(token, domain)))
    if in_reply_to:
        headers.append(("In-Reply-To", in_reply_to))
    if references:
        headers.append(("References", " ".join(references)))
    headers.extend((extra_headers or {}).items())
    data = mimewrite.message(headers, text, html, [(f.filename, f.content_type, f.data) for f in files])
    mail_from = addresses.bounce_address(token, domain) if token else settings.from_address
    return Composed(
        message_id=message_id,
        mail_from=mail_from,
        rcpt_to=[to],
        data=data,
        subject=subject,
        envid=token,
    )


def compose_invoice_mail(
    settings: Settings,
    *,
    token: str,
    recipient: str,
    language: str | None,
    invoice: dict[str, object],
    link: str,
    files: list[FileToSend],
    contact_name: str | None = None,
    copy_of: dict[str, str] | None = None,
    now: dt.datetime | None = None,
) -> Composed:
    """The mail carrying one invoice to one recipient. `invoice` has number, doc_type, dates, totals…;
    `copy_of` (message_id, sent_at, recipient) makes it a resend in the same thread, with the proof."""
    supporting = [f.filename for f in files[1:]]
    context = {
        **invoice,
        "company": settings.gateway.company_name,
        "contact_name": contact_name,
        "link": link,
        "supporting": supporting,
        "copy_of": bool(copy_of),
        "first_sent_at": (copy_of or {}).get("sent_at", ""),
        "first_recipient": (copy_of or {}).get("recipient", ""),
    }
    subject, text, html = render_mail("invoice", language, **context)
    references = [copy_of["message_id"]] if copy_of and copy_of.get("message_id") else None
    return build_message(
        settings,
        to=recipient,
        to_name=contact_name,
        subject=subject,
        text=text,
        html=html,
        token=token,
        files=files,
        in_reply_to=references[0] if references else None,
        references=references,
        read_receipt=settings.outbound.request_read_receipt,
        now=now,
    )
