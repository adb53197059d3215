"""Test harness: a real jalon (SMTP, worker, outbox, web) on loopback, with a mail sink for customers."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from jalon import app as app_module
from jalon.config import Settings, load_dict
from jalon.sink import MailSink

DOMAIN = "jalon.test"
BILLING = "billing@acme.test"
RELAY_USER = "erp"
RELAY_PASSWORD = "s3cret-relay"

CUSTOMERS_CSV = """customer_id,name,siren,vat,email,role,language,group
C001,Hôpital Saint-Louis,732829320,FR44732829320,compta@hopital.test,buyer,fr,public
C001,Hôpital Saint-Louis,732829320,FR44732829320,payeur@hopital.test,payer,fr,public
C002,Globex Ltd,,GB980780684,ap@globex.test,buyer,en,export
C003,Bricoles SARL,552100554,FR40552100554,achats@bricoles.test,buyer,fr,pme
C003,Bricoles SARL,552100554,FR40552100554,direction@bricoles.test,head_office,fr,pme
"""


def make_settings(db_url: str, *, sink_port: int = 25, **sections: dict[str, Any]) -> Settings:
    os.environ.setdefault("JALON_TEST_RELAY_PASSWORD", RELAY_PASSWORD)
    os.environ.setdefault("JALON_API_TOKEN", "test-api-token")
    os.environ.setdefault("JALON_SECRET", "test-link-secret")
    data: dict[str, Any] = {
        "gateway": {"domain": DOMAIN, "company_name": "ACME Industries"},
        "smtp": {"host": "127.0.0.1", "port": 0},
        "intake": {"allowed_senders": [BILLING, "compta.acme.test"]},
        "submission": {"users": [{"user": RELAY_USER, "password_env": "JALON_TEST_RELAY_PASSWORD"}]},
        "outbound": {"host": "127.0.0.1", "port": sink_port, "retry_base": "1s", "max_attempts": 3},
        "database": {"url": db_url},
        "web": {"host": "127.0.0.1", "port": 0, "public_url": "http://127.0.0.1:1"},
        "worker": {"processes": 1, "poll_interval": "0.2s"},
        "scheduler": {"enabled": False},
    }
    for name, values in sections.items():
        data[name] = {**data.get(name, {}), **values}
    return load_dict(data)


@dataclass
class Running:
    settings: Settings
    services: app_module.Services
    sink: MailSink

    @property
    def smtp_port(self) -> int:
        assert self.services.smtp is not None
        return self.services.smtp.port

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.services.web_port}"

    async def settle(self, rounds: int = 5) -> None:
        """Process everything pending and send the outbox, until nothing moves."""
        for _ in range(rounds):
            moved = await self.services.worker.process_pending()
            moved += await self.services.outbox.send_due()
            if not moved:
                return


@contextlib.asynccontextmanager
async def running(
    db_url: str,
    *,
    background: bool = False,
    advertise_dsn: bool = True,
    refuse: set[str] | None = None,
    **sections: dict[str, Any],
) -> AsyncIterator[Running]:
    sink = await MailSink(advertise_dsn=advertise_dsn, refuse=refuse).start()
    settings = make_settings(db_url, sink_port=sink.port, **sections)
    services = app_module.build(settings)
    await app_module.start(services, background=background)
    try:
        yield Running(settings, services, sink)
    finally:
        await app_module.stop(services)
        await sink.stop()


def invoice_mail(
    pdf: bytes | None,
    *,
    sender: str = BILLING,
    to: str = f"invoices@{DOMAIN}",
    subject: str = "Facture",
    filename: str = "facture.pdf",
    extra: list[tuple[str, str, bytes]] | None = None,
    body: str = "Veuillez trouver la facture.",
    message_id: str | None = None,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    message.set_content(body)
    if pdf is not None:
        message.add_attachment(pdf, maintype="application", subtype="pdf", filename=filename)
    for name, ctype, data in extra or []:
        maintype, _, subtype = ctype.partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message


def write_customers(tmp_path: Path, text: str = CUSTOMERS_CSV) -> Path:
    path = tmp_path / "customers.csv"
    path.write_text(text, encoding="utf-8")
    return path


async def eventually(predicate: Any, timeout: float = 10.0, interval: float = 0.05) -> Any:
    """Wait for a condition to hold (polling a real state), failing after `timeout`."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = predicate()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(interval)
