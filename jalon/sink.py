"""A local mail sink standing for the customers' mail servers (demo and tests).

It records every envelope (sender, recipients, MAIL/RCPT parameters, bytes), can advertise DSN, can refuse
some mailboxes at RCPT time, and can behave like a real MTA afterwards: write RFC 3464 delivery reports
(success or failure) back to the envelope sender through another SMTP server, as a receiving server would.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiosmtplib
from aiosmtpd.smtp import SMTP

_DSN_PARAMS = ("RET", "ENVID", "NOTIFY", "ORCPT")


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    mail_options: list[str]
    rcpt_options: list[str]
    at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    def message(self) -> Any:
        return email.message_from_bytes(self.data, policy=email.policy.default)


class _DsnSMTP(SMTP):
    """aiosmtpd's SMTP that accepts the RFC 3461 parameters (aiosmtpd itself answers 555 to them)."""

    def __init__(self, *args: Any, advertise_dsn: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.advertise_dsn = advertise_dsn

    async def smtp_MAIL(self, arg: str) -> None:
        # aiosmtpd upper-cases parameters; keep them as sent (ENVID is case-sensitive).
        self.raw_mail_options = arg.split()[1:] if arg else []
        self.raw_rcpt_options: list[str] = []
        await super().smtp_MAIL(arg)

    async def smtp_RCPT(self, arg: str) -> None:
        self.raw_rcpt_options = [*getattr(self, "raw_rcpt_options", []), *(arg.split()[1:] if arg else [])]
        await super().smtp_RCPT(arg)

    def _getparams(self, params: Any) -> Any:
        result = super()._getparams(params)
        if result is not None and self.advertise_dsn:
            for name in _DSN_PARAMS:
                result.pop(name, None)
        return result


class MailSink:
    """Records what it receives; `refuse` lists addresses answered 550 5.1.1 at RCPT time."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        advertise_dsn: bool = True,
        refuse: set[str] | None = None,
        temporary: set[str] | None = None,
        on_message: Callable[[Received], None] | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.advertise_dsn = advertise_dsn
        self.refuse = {a.lower() for a in (refuse or set())}
        self.temporary = {a.lower() for a in (temporary or set())}
        self.received: list[Received] = []
        self.on_message = on_message
        self._server: asyncio.base_events.Server | None = None
        self._arrived = asyncio.Condition()

    # aiosmtpd handler hooks ---------------------------------------------------------------------------

    async def handle_EHLO(
        self, server: SMTP, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        if self.advertise_dsn:
            responses.insert(-1, "250-DSN")
        return responses

    async def handle_RCPT(
        self, server: SMTP, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address.lower() in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown in local recipient table"
        if address.lower() in self.temporary:
            return f"451 4.3.0 <{address}>: Temporary lookup failure"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server: SMTP, session: Any, envelope: Any) -> str:
        item = Received(
            envelope.mail_from,
            list(envelope.rcpt_tos),
            bytes(envelope.original_content or b""),
            list(getattr(server, "raw_mail_options", envelope.mail_options)),
            list(getattr(server, "raw_rcpt_options", envelope.rcpt_options)),
        )
        self.received.append(item)
        if self.on_message:
            self.on_message(item)
        async with self._arrived:
            self._arrived.notify_all()
        return "250 2.0.0 Ok: queued"

    # lifecycle ---------------------------------------------------------------------------------------------

    async def start(self) -> MailSink:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: _DsnSMTP(self, advertise_dsn=self.advertise_dsn, hostname="mx.customer.test"),
            self.host,
            self.port,
        )
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server:
            self._server.close()
            await self._server.wait_closed()

    async def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """Wait until at least `count` messages arrived (no sleeping: woken by each arrival)."""

        async def ready() -> None:
            async with self._arrived:
                await self._arrived.wait_for(lambda: len(self.received) >= count)

        await asyncio.wait_for(ready(), timeout)
        return self.received


def _option(options: list[str], name: str) -> str | None:
    for option in options:
        if option.upper().startswith(name + "="):
            return option.split("=", 1)[1]
    return None


def xtext_decode(value: str) -> str:
    return re.sub(r"\+([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), value)


def delivery_report(
    received: Received,
    *,
    recipient: str,
    action: str,
    status: str,
    reporting_mta: str,
    diagnostic: str | None = None,
    envid: str | None = None,
) -> bytes:
    """An RFC 3464 multipart/report for one recipient of a received message, with its headers returned,
    laid out as Postfix writes them."""
    boundary = f"jalon-sink-{secrets.token_hex(8)}"
    subject = {
        "delivered": "Successful Mail Delivery Report",
        "failed": "Undelivered Mail Returned to Sender",
        "delayed": "Delayed Mail (still being retried)",
    }.get(action, "Delivery Status Notification")
    outcome = "was successfully delivered" if action == "delivered" else "could not be delivered"
    fields = [f"Reporting-MTA: dns; {reporting_mta}"]
    if envid:
        fields.append(f"Original-Envelope-Id: {envid}")
    fields.append(f"Arrival-Date: {email.utils.format_datetime(received.at)}")
    per_rcpt = [
        f"Final-Recipient: rfc822; {recipient}",
        f"Original-Recipient: rfc822;{recipient}",
        f"Action: {action}",
        f"Status: {status}",
        f"Remote-MTA: dns; {reporting_mta}",
    ]
    if diagnostic:
        per_rcpt.append(f"Diagnostic-Code: smtp; {diagnostic}")
    returned = received.data.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0].replace(b"\r\n", b"\n")
    head = "\n".join(
        [
            f"From: MAILER-DAEMON@{reporting_mta} (Mail Delivery System)",
            f"To: {received.mail_from}",
            f"Date: {email.utils.format_datetime(dt.datetime.now(dt.UTC))}",
            f"Message-ID: {email.utils.make_msgid(domain=reporting_mta)}",
            f"Subject: {subject}",
            "Auto-Submitted: auto-replied",
            "MIME-Version: 1.0",
            f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"',
            "",
            "This is a MIME-encapsulated message.",
            "",
            f"--{boundary}",
            "Content-Description: Notification",
            "Content-Type: text/plain; charset=us-ascii",
            "",
            f"This is the mail system at host {reporting_mta}.",
            "",
            f"Your message to <{recipient}> {outcome}.",
            "",
            f"--{boundary}",
            "Content-Description: Delivery report",
            "Content-Type: message/delivery-status",
            "",
            *fields,
            "",
            *per_rcpt,
            "",
            f"--{boundary}",
            "Content-Description: Undelivered Message Headers",
            "Content-Type: text/rfc822-headers",
            "",
            "",
        ]
    )
    tail = f"\n\n--{boundary}--\n"
    return (head.encode() + returned + tail.encode()).replace(b"\n", b"\r\n")


async def send_reports(
    received: Received,
    *,
    gateway_host: str,
    gateway_port: int,
    action: str = "delivered",
    status: str = "2.0.0",
    diagnostic: str | None = None,
    reporting_mta: str = "mx.customer.test",
) -> int:
    """Write the DSNs a real receiving MTA would write for `received` (when NOTIFY asked for them) and
    send them to its envelope sender through the gateway. Returns the number of reports sent."""
    notify = ",".join(o for o in received.rcpt_options if o.upper().startswith("NOTIFY=")).upper()
    wanted = {"delivered": "SUCCESS", "failed": "FAILURE", "delayed": "DELAY"}[action]
    if wanted not in notify:
        return 0
    envid = _option(received.mail_options, "ENVID")
    sent = 0
    for recipient in received.rcpt_tos:
        data = delivery_report(
            received,
            recipient=recipient,
            action=action,
            status=status,
            reporting_mta=reporting_mta,
            diagnostic=diagnostic,
            envid=xtext_decode(envid) if envid else None,
        )
        # A delivery report has the null reverse-path, as RFC 3464 requires.
        client = aiosmtplib.SMTP(hostname=gateway_host, port=gateway_port, start_tls=False)
        await client.connect()
        await client.mail("")
        await client.rcpt(received.mail_from)
        await client.data(data)
        await client.quit()
        sent += 1
    return sent
