"""Test harness: a real jalon (SMTP, worker, outbox, web) on loopback, with a mail sink for customers."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import json
import os
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import aiosmtplib

from jalon import app as app_module
from jalon import directory
from jalon.config import Settings, load_dict
from jalon.db import utcnow
from jalon.handlers import views
from jalon.sink import MailSink

DOMAIN = "jalon.test"
BILLING = "billing@acme.test"
RELAY_USER = "erp"
RELAY_PASSWORD = "s3cret-relay"
INVOICES = Path(__file__).parent / "data" / "invoices"

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

    async def receive_invoice(self, pdf: bytes, rounds: int = 5) -> None:
        """The billing tool mails this invoice PDF to the gateway, which then processes all that follows."""
        await aiosmtplib.send(invoice_mail(pdf), hostname="127.0.0.1", port=self.smtp_port)
        await self.settle(rounds)

    async def pass_hours(self, hours: int) -> None:
        """Let the outbox items that fall due in the next hours (channel follow-ups) go, hour by hour."""
        for hour in range(1, hours + 1):
            await self.services.outbox.send_due(now=utcnow() + dt.timedelta(hours=hour))


@contextlib.asynccontextmanager
async def running(
    db_url: str,
    *,
    background: bool = False,
    advertise_dsn: bool = True,
    refuse: set[str] | None = None,
    **sections: dict[str, Any],
) -> AsyncIterator[Running]:
    """A jalon on loopback with these config sections, its outbound mail going to a fresh sink."""
    settings_for = functools.partial(make_settings, db_url, **sections)
    async with running_with(
        settings_for, background=background, advertise_dsn=advertise_dsn, refuse=refuse
    ) as gw:
        yield gw


@contextlib.asynccontextmanager
async def running_with(
    settings_for: Callable[..., Settings],
    *,
    background: bool = False,
    advertise_dsn: bool = True,
    refuse: set[str] | None = None,
) -> AsyncIterator[Running]:
    """A jalon built from `settings_for(sink_port=…)`, started, and stopped with its mail sink afterwards."""
    sink = await MailSink(advertise_dsn=advertise_dsn, refuse=refuse).start()
    settings = settings_for(sink_port=sink.port)
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


def sample(name: str) -> tuple[bytes, dict[str, Any]]:
    """A generated invoice PDF from tests/data/invoices and the values printed on it."""
    return (INVOICES / f"{name}.pdf").read_bytes(), json.loads((INVOICES / f"{name}.json").read_text())


def add_customer(
    gw: Running, expected: dict[str, Any], contacts: Iterable[Mapping[str, str]], **columns: str
) -> None:
    """The directory knows the invoice's buyer (by SIREN or VAT) with these contacts (email, role and any
    column of their own), each row with the columns given (customer_id, language, group, channel…), imported
    as an admin imports a CSV; no row may be refused."""
    common = {
        "customer_id": "C100",
        "name": expected["buyer_name"],
        "siren": expected.get("buyer_siren") or "",
        "vat": expected.get("buyer_vat") or "",
        "language": "fr",
        "group": "pme",
        **columns,
    }
    rows = [{**common, **contact} for contact in contacts]
    header = list(rows[0])
    lines = [",".join(header), *(",".join(f'"{row[key]}"' for key in header) for row in rows)]
    with gw.services.database.session() as session:
        report = directory.import_rows(session, "\n".join(lines) + "\n")
    assert not report["errors"], report


def detail(gw: Running, number: str) -> dict[str, Any]:
    """The invoice as the API shows it (dispatches, events, milestones); it must exist."""
    with gw.services.database.session() as session:
        found = views.invoice_detail(session, number)
    assert found is not None, f"no invoice {number}"
    return found
