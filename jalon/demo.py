"""`jalon demo`: the first five minutes. A real jalon on SQLite, a billing tool mailing a dozen invoices (drop
address and SMTP relay), customers' mail servers that answer with delivery reports, customers who download,
reply "not received" or dispute — and each invoice's journey printed as it happens.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import json
import os
import re
import socket
import sys
from email.message import EmailMessage
from importlib import resources
from pathlib import Path
from typing import Any

import aiohttp
import aiosmtplib
from sqlalchemy import func, select

from jalon import app as app_module
from jalon import directory
from jalon.config import Settings, load
from jalon.db import utcnow
from jalon.handlers import views
from jalon.models import Case, Dispatch, InboundMessage, Invoice, Outbox
from jalon.sink import MailSink, Received, send_reports

DOMAIN = "jalon.example"
BILLING_SENDER = "factures@acme-industries.example"
ERP_USER = "erp"
BOUNCING = "contact@atelier-martin.example"  # left the company: its server refuses the address
# What customers write back in the demo: (their address, the invoice they answer, their words).
CUSTOMER_REPLIES = (
    (
        "achats@nordique-transports.example",
        "FA2026-1107",
        "Bonjour,\nnous n'avons pas reçu la facture FA2026-1107, pouvez-vous la renvoyer ?\nMerci\nClaire",
    ),
    (
        "achats@bricoles.example",
        "FA2026-1102",
        "Bonjour, nous contestons cette facture : la quantité facturée ne correspond pas "
        "au bon de livraison.\nJulie Bernard",
    ),
    (
        "tresorerie@hopital-saint-louis.example",
        "FA2026-1101",
        "Bonjour, la facture sera réglée le 15 décembre.\nCordialement, la Trésorerie",
    ),
)

BOLD, DIM, RED, GREEN, YELLOW, RESET = "\033[1m", "\033[2m", "\033[31m", "\033[32m", "\033[33m", "\033[0m"


def _tty() -> bool:
    return sys.stdout.isatty()


def style(text: str, code: str) -> str:
    return f"{code}{text}{RESET}" if _tty() else text


def say(text: str = "") -> None:
    print(text, flush=True)


def port_or_free(preferred: int) -> int:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", preferred))
            return preferred
        except OSError:
            pass
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def demo_data() -> Any:
    return resources.files("jalon") / "data" / "demo"


DEMO_CONFIG = """# Written by `jalon demo`: the configuration of the demo gateway. Try:
#   jalon --config {workdir}/config.toml invoices
#   jalon --config {workdir}/config.toml invoice show FA2026-1107
[gateway]
domain = "{domain}"
company_name = "ACME Industries"

[smtp]
host = "127.0.0.1"
port = {smtp_port}

[intake]
allowed_senders = ["{billing}"]

[submission]
users = [{{ user = "{erp}", password_env = "JALON_DEMO_ERP_PASSWORD" }}]

[outbound]
host = "127.0.0.1"
port = {sink_port}
retry_base = "2s"

[database]
url = "sqlite:///{workdir}/jalon.db"

[web]
host = "127.0.0.1"
port = {web_port}
public_url = "http://127.0.0.1:{web_port}"

[worker]
poll_interval = "0.2s"

[scheduler]
enabled = false
"""


def demo_settings(workdir: Path, sink_port: int) -> Settings:
    os.environ.setdefault("JALON_SECRET", "demo-link-secret")
    os.environ.setdefault("JALON_API_TOKEN", "demo-api-token")
    os.environ.setdefault("JALON_DEMO_ERP_PASSWORD", "demo-erp-password")
    path = workdir / "config.toml"
    path.write_text(
        DEMO_CONFIG.format(
            workdir=workdir,
            domain=DOMAIN,
            smtp_port=port_or_free(2525),
            billing=BILLING_SENDER,
            erp=ERP_USER,
            sink_port=sink_port,
            web_port=port_or_free(8080),
        ),
        encoding="utf-8",
    )
    return load(path)


class CustomerServers:
    """The customers' side: mailboxes on disk, delivery reports sent back like a real MTA."""

    def __init__(self, workdir: Path) -> None:
        self.mailboxes = workdir / "mailboxes"
        self.sink = MailSink(refuse={BOUNCING}, on_message=self._store)
        self.gateway_port = 0

    def _store(self, received: Received) -> None:
        for rcpt in received.rcpt_tos:
            box = self.mailboxes / rcpt
            box.mkdir(parents=True, exist_ok=True)
            (box / f"{len(list(box.iterdir())) + 1:03d}.eml").write_bytes(received.data)

    async def report_deliveries(self, already: int) -> int:
        """A success DSN for each message delivered since `already` (the customers' MTAs answer)."""
        for received in self.sink.received[already:]:
            await send_reports(received, gateway_host="127.0.0.1", gateway_port=self.gateway_port)
        return len(self.sink.received)

    def find(self, recipient: str, number: str) -> EmailMessage | None:
        for received in reversed(self.sink.received):
            if recipient in received.rcpt_tos:
                message = email.message_from_bytes(received.data, policy=email.policy.default)
                if number in str(message["Subject"]):
                    return message  # type: ignore[return-value]
        return None


async def hand_over(settings: Settings, smtp_port: int, plan: list[dict[str, str]]) -> None:
    """The billing tool: eight invoices dropped at invoices@, four relayed through jalon, one forged."""
    pdfs = demo_data()
    customers = directory_contacts()
    for index, item in enumerate(plan):
        pdf = (pdfs / item["file"]).read_bytes()
        message = EmailMessage()
        message["Subject"] = f"Facture {item['number']}"
        message.set_content(
            f"Facture {item['number']} en pièce jointe.\n-- \nACME Industries, service facturation"
        )
        message.add_attachment(pdf, maintype="application", subtype="pdf", filename=f"{item['number']}.pdf")
        if index < 8:
            message["From"] = f"ACME Facturation <{BILLING_SENDER}>"
            message["To"] = f"invoices@{DOMAIN}"
            await aiosmtplib.send(message, hostname="127.0.0.1", port=smtp_port)
        else:
            buyer = customers[item["customer"]]
            message["From"] = f"ACME Facturation <{BILLING_SENDER}>"
            message["To"] = buyer
            await aiosmtplib.send(
                message,
                hostname="127.0.0.1",
                port=smtp_port,
                username=ERP_USER,
                password=os.environ["JALON_DEMO_ERP_PASSWORD"],
                start_tls=False,
            )
    forged = EmailMessage()
    forged["From"] = "ACME Facturation <factures@acme-lndustries.example>"
    forged["To"] = f"invoices@{DOMAIN}"
    forged["Subject"] = "Facture FA2026-1199 – nouvelles coordonnées bancaires"
    forged.set_content("Merci de régler sur notre nouveau compte.")
    forged.add_attachment(
        (pdfs / plan[1]["file"]).read_bytes(),
        maintype="application",
        subtype="pdf",
        filename="FA2026-1199.pdf",
    )
    await aiosmtplib.send(forged, hostname="127.0.0.1", port=smtp_port)


def directory_contacts() -> dict[str, str]:
    text = (demo_data() / "customers.csv").read_text(encoding="utf-8")
    first: dict[str, str] = {}
    for line in text.splitlines()[1:]:
        cells = line.split(",")
        if cells[5] == "buyer" and cells[0] not in first:
            first[cells[0]] = cells[4]
    return first


async def settle(services: app_module.Services, timeout: float = 60.0) -> None:
    """Wait until every received message is processed and every due mail has left."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout

    def busy() -> int:
        with services.database.session() as session:
            pending = (
                session.scalar(
                    select(func.count()).select_from(InboundMessage).where(InboundMessage.status == "pending")
                )
                or 0
            )
            due = (
                session.scalar(
                    select(func.count())
                    .select_from(Outbox)
                    .where(
                        Outbox.status == "pending", Outbox.kind == "mail", Outbox.next_attempt_at <= utcnow()
                    )
                )
                or 0
            )
            return pending + due

    while await asyncio.to_thread(busy):
        services.wake_worker()
        services.wake_outbox()
        if loop.time() > deadline:
            say(style("  (still busy; continuing)", DIM))
            return
        await asyncio.sleep(0.2)


def token_of(message: EmailMessage) -> str:
    match = re.search(r"reply\+([A-Za-z0-9_-]+)@", str(message["Reply-To"]))
    return match.group(1) if match else ""


async def customer_reply(smtp_port: int, original: EmailMessage, sender: str, text: str) -> None:
    reply = EmailMessage()
    reply["From"] = sender
    reply["To"] = str(original["Reply-To"])
    reply["Subject"] = f"RE: {original['Subject']}"
    reply["In-Reply-To"] = str(original["Message-ID"])
    reply["References"] = str(original["Message-ID"])
    quoted = "\n".join("> " + line for line in original.get_body(("plain",)).get_content().splitlines())
    reply.set_content(f"{text}\n\nLe 20/11/2026 à 10:02, ACME Industries a écrit :\n{quoted}\n")
    await aiosmtplib.send(reply, hostname="127.0.0.1", port=smtp_port)


async def download_from_portal(message: EmailMessage) -> int:
    """A person opens the link of the mail, then clicks the download button."""
    link = re.search(r"https?://\S+/i/\S+", message.get_body(("plain",)).get_content())
    if not link:
        return 0
    headers = {"User-Agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/134.0"}
    async with aiohttp.ClientSession(headers=headers) as http:
        async with http.get(link.group(0)) as page:
            html = await page.text()
        fields = dict(re.findall(r'name="(\w)" value="([^"]*)"', html))
        action = re.search(r'action="([^"]+)"', html)
        base = link.group(0).split("/i/")[0]
        async with http.post(base + action.group(1), data=fields) as pdf:  # type: ignore[union-attr]
            return len(await pdf.read())


def print_journeys(services: app_module.Services) -> None:
    with services.database.session() as session:
        for invoice in session.scalars(
            select(Invoice).where(Invoice.state != "replaced").order_by(Invoice.id)
        ):
            detail = views.invoice_detail_of(session, invoice)
            text = views.render_journey(detail, services.settings.gateway.timezone)
            head, _, rest = text.partition("\n")
            colour = {"held": YELLOW, "sent": GREEN}.get(detail["state"], BOLD)
            say(style(head, colour))
            if rest:
                say(style(rest, DIM) if detail["state"] == "sent" else rest)


def print_cases(services: app_module.Services) -> None:
    from jalon.bot import cards, chat, terminal

    with services.database.session() as session:
        ids = list(session.scalars(select(Case.id).where(Case.state == "open").order_by(Case.id)))
        say(style(f"Cases waiting for a person ({len(ids)}): the only ones your team has to look at", BOLD))
        for case_id in ids:
            card = cards.build(session, case_id, zone=services.settings.gateway.timezone)
            if card is not None:
                say(terminal.render(card, color=_tty()))
    if chat.configured(services.settings):
        say(style("The same cards were posted to your chat ([slack] / [teams] of your configuration).", DIM))


async def _demo(once: bool, workdir: Path, config_path: str | None = None) -> int:
    import logging

    workdir.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        filename=workdir / "jalon.log",
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,
    )
    for stale in workdir.glob("jalon.db*"):
        stale.unlink()
    customers = CustomerServers(workdir)
    await customers.sink.start()
    from jalon.bot.chat import with_chat_of

    settings = with_chat_of(demo_settings(workdir, customers.sink.port), config_path)
    services = app_module.build(settings)
    await app_module.start(services)
    assert services.smtp is not None
    customers.gateway_port = services.smtp.port
    plan = json.loads((demo_data() / "invoices.json").read_text(encoding="utf-8"))
    try:
        with services.database.session() as session:
            report = directory.import_rows(
                session, (demo_data() / "customers.csv").read_text(encoding="utf-8")
            )
        say(
            style("jalon demo", BOLD)
            + f" — SMTP 127.0.0.1:{services.smtp.port}, web {settings.web.public_url}, "
            f"database {workdir / 'jalon.db'}"
        )
        say(f"Directory: {report['customers_created']} customers, {report['contacts_created']} contacts.")
        say(
            "The billing tool sends 12 invoices: 8 to invoices@ (drop), 4 through jalon as its SMTP relay, "
            "and a forger sends one more…"
        )
        await hand_over(settings, services.smtp.port, plan)
        await settle(services)
        say("The customers' mail servers answer with delivery reports; customers read, download, reply…")
        seen = await customers.report_deliveries(0)
        globex = customers.find("ap@globex.example", "FA2026-1103")
        if globex is not None:
            await download_from_portal(globex)
        for address, number, words in CUSTOMER_REPLIES:
            received = customers.find(address, number)
            if received is not None:
                await customer_reply(services.smtp.port, received, address, words)
        await settle(services)
        await customers.report_deliveries(seen)
        await settle(services)
        say()
        print_journeys(services)
        say()
        await services.outbox.send_due()  # the chat cards, when a chat is configured, leave before we print
        print_cases(services)
        say()
        with services.database.session() as session:
            sent = session.scalar(
                select(func.count()).select_from(Dispatch).where(Dispatch.sent_at.is_not(None))
            )
        say(f"{sent} mails left jalon; the customers' mailboxes are in {customers.mailboxes}/")
        say(f"Try:  jalon --config {workdir}/config.toml invoice show FA2026-1107")
        token = os.environ["JALON_API_TOKEN"]
        say(f"      curl -H 'Authorization: Bearer {token}' {settings.web.public_url}/api/invoices")
        if once:
            return 0
        say(
            style(
                f"Serving on {settings.web.public_url}, SMTP 127.0.0.1:{services.smtp.port}. Ctrl-C stops.",
                BOLD,
            )
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        import signal

        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        return 0
    finally:
        await app_module.stop(services)
        await customers.sink.stop()


def run_demo(once: bool = False, workdir: str | None = None, config_path: str | None = None) -> int:
    return asyncio.run(_demo(once, Path(workdir or "demo").resolve(), config_path))
