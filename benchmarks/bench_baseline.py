"""Calibration for bench_pipeline: the straightforward pipeline of the same libraries, on the same machine.

Issue #7 sets bench_pipeline's aim against "a straightforward pipeline of the same libraries" (about 45
invoices/s on its machine, aim 60/s). This machine's speed varies from day to day, so this script measures
that straightforward pipeline here and now, and the aim reads as a ratio: bench_pipeline >= 1.33x this.

The pipeline is written here, plainly, and none of jalon's own pipeline is loaded: aiosmtpd accepts each
message and writes its bytes and envelope to SQLite (WAL) before answering 250; a worker takes the stored
messages and, in a pool of one process per core, parses the MIME (stdlib email), reads the PDF's text
(pypdf), finds number, dates and totals with a few regexes, matches the customer by SIREN, builds a minimal
EN 16931 CII (lxml), embeds it into the already PDF/A-3 PDF with the factur-x library
(generate_from_binary, profile en16931, its default XSD check) and writes the outgoing mail; the output is
stored in SQLite, then sent with aiosmtplib to the customers' server. The invoices, the mails, their PDF/A-3
preparation, the billing tool's sending and the customers' server (jalon.sink.MailSink) are bench_pipeline's
own, so the load is the same: as many invoices, over as many SMTP connections, after the same warm-up.
Timed from the first mail sent to the last invoice sent (its 250 from the customers' server) or held, to the
millisecond: polling every 0.5 s, as bench_pipeline waits, would move a ~6 s run by up to 10%.

Run: .venv/bin/python benchmarks/bench_baseline.py [--invoices 300]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import email.message
import email.policy
import io
import logging
import multiprocessing
import os
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import aiosmtplib  # noqa: E402
from aiosmtpd.smtp import SMTP  # noqa: E402
from bench_pipeline import DOMAIN, _to_pdfa, make_invoices, message, outside  # noqa: E402

SELLER = "ACME"  # the company whose billing tool sends (bench_pipeline's gateway.company_name)
SCHEMA = """
CREATE TABLE IF NOT EXISTS inbound (
    id INTEGER PRIMARY KEY, mail_from TEXT, rcpt_tos TEXT, data BLOB, received_at REAL,
    status TEXT NOT NULL DEFAULT 'pending');
CREATE INDEX IF NOT EXISTS inbound_status ON inbound (status, id);
CREATE TABLE IF NOT EXISTS customers (siren TEXT PRIMARY KEY, name TEXT, vat TEXT, email TEXT);
CREATE TABLE IF NOT EXISTS outputs (
    id INTEGER PRIMARY KEY, inbound_id INTEGER, number TEXT, recipient TEXT, data BLOB, status TEXT,
    reason TEXT);
CREATE INDEX IF NOT EXISTS outputs_status ON outputs (status);
"""


def connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")  # as jalon's SQLite: durable at each commit in WAL mode
    return db


# ---- reading an invoice: a few regexes ------------------------------------------------------------------

AMOUNT = r"€?\s?(\d{1,3}(?:[ \u00a0\u202f.,]\d{3})+[.,]\d{2}|\d+[.,]\d{2})(?!\d)"
NUMBER = re.compile(
    r"\b(?:facture|invoice)\b\s*(?:n°|no\.?|number|#)?\s*:?\s*((?=[\w/.-]*\d)[A-Z0-9][\w/.-]*)", re.I
)
NET = re.compile(
    r"^(?:montant )?(?:total ht|total hors taxes|subtotal|net total)\b[^\n\d€]*\n?\s*" + AMOUNT, re.I | re.M
)
GROSS = re.compile(
    r"^(?:montant )?total(?: ttc| toutes taxes comprises| amount)?[^\n\da-z€]*\n?\s*" + AMOUNT, re.I | re.M
)
MONTHS = {
    name: index % 12 + 1
    for index, name in enumerate(
        (
            *("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre"),
            *("octobre", "novembre", "décembre", "january", "february", "march", "april", "may", "june"),
            *("july", "august", "september", "october", "november", "december"),
        )
    )
}
DATE = re.compile(
    r"\b(?:(?P<d1>\d{2})[/.](?P<m1>\d{2})[/.](?P<y1>\d{4})"
    r"|(?P<y2>\d{4})-(?P<m2>\d{2})-(?P<d2>\d{2})"
    r"|(?P<d3>\d{1,2})(?:er)? (?P<m3>[a-zéû]+) (?P<y3>\d{4})"
    r"|(?P<m4>[A-Z][a-z]+) (?P<d4>\d{1,2}), (?P<y4>\d{4}))\b",
    re.I,
)
# A SIREN alone, inside a VAT number, or as the first 9 digits of a SIRET.
SIREN = re.compile(r"(?<![\dA-Z])(?:[A-Z]{2}\d{2})?(\d{3}) ?(\d{3}) ?(\d{3})(?: ?\d{5})?(?!\d)")
VAT_ID = re.compile(r"\b([A-Z]{2}\d{2} ?\d{3} ?\d{3} ?\d{3})\b")


def money(text: str) -> Decimal:
    digits = re.sub(r"\D", "", text)
    return Decimal(f"{digits[:-2]}.{digits[-2:]}")


def dates(text: str) -> list[dt.date]:
    found = []
    for match in DATE.finditer(text):
        parts = {k[0]: v for k, v in match.groupdict().items() if v}
        month = parts["m"]
        try:
            found.append(
                dt.date(
                    int(parts["y"]), int(month) if month.isdigit() else MONTHS[month.lower()], int(parts["d"])
                )
            )
        except (KeyError, ValueError):
            continue
    return found


def read_fields(text: str) -> dict[str, Any]:
    number, net, gross = NUMBER.search(text), NET.search(text), GROSS.search(text)
    days = dates(text)
    return {
        "number": number.group(1).rstrip(".") if number else None,
        "issued": days[0] if days else None,
        "due": next((d for d in days[1:] if d > days[0]), None) if days else None,
        "net": money(net.group(1)) if net else None,
        "gross": money(gross.group(1)) if gross else None,
        "sirens": ["".join(m.groups()) for m in SIREN.finditer(text)],
        "vat_ids": [v.replace(" ", "") for v in VAT_ID.findall(text)],
    }


# ---- the CII, the Factur-X PDF, the outgoing mail (in the pool) -------------------------------------------

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"


def build_cii(fields: dict[str, Any], customer: tuple[str, str, str], seller_vat: str | None) -> bytes:
    from lxml import etree

    def el(parent: Any, tag: str, text: str | None = None, **attrs: str) -> Any:
        ns, name = tag.split(":")
        node = etree.SubElement(
            parent, f"{{{RSM if ns == 'rsm' else RAM if ns == 'ram' else UDT}}}{name}", attrs
        )
        if text is not None:
            node.text = text
        return node

    def day(parent: Any, tag: str, value: dt.date) -> None:
        el(el(parent, tag), "udt:DateTimeString", value.strftime("%Y%m%d"), format="102")

    net, gross = fields["net"], fields["gross"]
    vat = gross - net
    rate = (vat * 100 / net).quantize(Decimal("0.01")) if net else Decimal("0.00")
    root = etree.Element(
        f"{{{RSM}}}CrossIndustryInvoice", nsmap={"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}
    )
    context = el(root, "rsm:ExchangedDocumentContext")
    el(el(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", "urn:cen.eu:en16931:2017")
    document = el(root, "rsm:ExchangedDocument")
    el(document, "ram:ID", fields["number"])
    el(document, "ram:TypeCode", "380")
    day(document, "ram:IssueDateTime", fields["issued"])
    trade = el(root, "rsm:SupplyChainTradeTransaction")

    # One line carrying the net total: the few regexes read totals, not lines.
    line = el(trade, "ram:IncludedSupplyChainTradeLineItem")
    el(el(line, "ram:AssociatedDocumentLineDocument"), "ram:LineID", "1")
    el(el(line, "ram:SpecifiedTradeProduct"), "ram:Name", f"Facture {fields['number']}")
    price = el(el(line, "ram:SpecifiedLineTradeAgreement"), "ram:NetPriceProductTradePrice")
    el(price, "ram:ChargeAmount", str(net))
    el(el(line, "ram:SpecifiedLineTradeDelivery"), "ram:BilledQuantity", "1", unitCode="C62")
    line_settlement = el(line, "ram:SpecifiedLineTradeSettlement")
    line_tax = el(line_settlement, "ram:ApplicableTradeTax")
    el(line_tax, "ram:TypeCode", "VAT")
    el(line_tax, "ram:CategoryCode", "S")
    el(line_tax, "ram:RateApplicablePercent", str(rate))
    el(
        el(line_settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation"),
        "ram:LineTotalAmount",
        str(net),
    )

    agreement = el(trade, "ram:ApplicableHeaderTradeAgreement")
    seller = el(agreement, "ram:SellerTradeParty")
    el(seller, "ram:Name", SELLER)
    el(el(seller, "ram:PostalTradeAddress"), "ram:CountryID", "FR")
    if seller_vat:
        el(el(seller, "ram:SpecifiedTaxRegistration"), "ram:ID", seller_vat, schemeID="VA")
    name, vat_id, _ = customer
    buyer = el(agreement, "ram:BuyerTradeParty")
    el(buyer, "ram:Name", name)
    el(el(buyer, "ram:PostalTradeAddress"), "ram:CountryID", "FR")
    if vat_id:
        el(el(buyer, "ram:SpecifiedTaxRegistration"), "ram:ID", vat_id, schemeID="VA")
    el(trade, "ram:ApplicableHeaderTradeDelivery")
    settlement = el(trade, "ram:ApplicableHeaderTradeSettlement")
    el(settlement, "ram:InvoiceCurrencyCode", "EUR")
    tax = el(settlement, "ram:ApplicableTradeTax")
    el(tax, "ram:CalculatedAmount", str(vat))
    el(tax, "ram:TypeCode", "VAT")
    el(tax, "ram:BasisAmount", str(net))
    el(tax, "ram:CategoryCode", "S")
    el(tax, "ram:RateApplicablePercent", str(rate))
    if fields["due"]:
        day(el(settlement, "ram:SpecifiedTradePaymentTerms"), "ram:DueDateDateTime", fields["due"])
    totals = el(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    el(totals, "ram:LineTotalAmount", str(net))
    el(totals, "ram:TaxBasisTotalAmount", str(net))
    el(totals, "ram:TaxTotalAmount", str(vat), currencyID="EUR")
    el(totals, "ram:GrandTotalAmount", str(gross))
    el(totals, "ram:DuePayableAmount", str(gross))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


_customers: dict[str, tuple[str, str, str]] = {}


def load_customers(path: str) -> None:
    """Pool initializer: the customer directory, read once per process."""
    # pypdf warns on every Ghostscript PDF/A page that fontTools is missing; the text is read all the same.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    db = sqlite3.connect(path)
    _customers.update(
        {siren: (name, vat, mail) for siren, name, vat, mail in db.execute("SELECT * FROM customers")}
    )
    db.close()


def process(raw: bytes) -> tuple[str, str | None, str, bytes | str]:
    """One stored message -> ("ready", number, recipient, outgoing mail) or ("held", number, "", reason)."""
    import facturx
    from pypdf import PdfReader

    mail = email.message_from_bytes(raw, policy=email.policy.default)
    pdf = next(
        (p.get_content() for p in mail.iter_attachments() if p.get_content_type() == "application/pdf"), None
    )
    if pdf is None:
        return "held", None, "", "no PDF attached"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    fields = read_fields(text)
    missing = [k for k in ("number", "issued", "net", "gross") if fields[k] is None]
    if missing:
        return "held", fields["number"], "", f"not found: {', '.join(missing)}"
    if fields["gross"] < fields["net"]:
        return "held", fields["number"], "", "total with VAT below the net total"
    customer = next((_customers[s] for s in fields["sirens"] if s in _customers), None)
    if customer is None:
        return "held", fields["number"], "", "unknown customer"
    seller_vat = next((v for v in fields["vat_ids"] if v != customer[1]), None)
    xml = build_cii(fields, customer, seller_vat)
    # check_xsd defaults to True: the library's own check.
    output = facturx.generate_from_binary(pdf, xml, flavor="factur-x", level="en16931")
    out = email.message.EmailMessage()
    out["From"] = f"invoices@{DOMAIN}"
    out["To"] = customer[2]
    out["Subject"] = f"Facture {fields['number']}"
    out.set_content("Veuillez trouver ci-joint notre facture.")
    filename = f"{fields['number'].replace('/', '-')}.pdf"
    out.add_attachment(output, maintype="application", subtype="pdf", filename=filename)
    return "ready", fields["number"], customer[2], out.as_bytes()


# ---- the service: SMTP in, worker, SMTP out ----------------------------------------------------------------


class Intake:
    """aiosmtpd handler: the message is committed to SQLite before the 250."""

    def __init__(self, db: sqlite3.Connection, wake: asyncio.Event) -> None:
        self.db, self.wake = db, wake

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.db.execute(
            "INSERT INTO inbound (mail_from, rcpt_tos, data, received_at) VALUES (?, ?, ?, ?)",
            (envelope.mail_from, ",".join(envelope.rcpt_tos), envelope.original_content, time.time()),
        )
        self.db.commit()
        self.wake.set()
        return "250 2.0.0 Ok: stored"


class Service:
    def __init__(self, path: Path, pool: ProcessPoolExecutor, sink_port: int, in_flight: int) -> None:
        self.db = connect(path)
        self.pool, self.sink_port = pool, sink_port
        self.wake = asyncio.Event()
        self.outgoing: asyncio.Queue[tuple[int, str, bytes]] = asyncio.Queue()
        self.slots = asyncio.Semaphore(in_flight)
        self.tasks: set[asyncio.Task[None]] = set()
        self.last_done = 0.0  # perf_counter when the latest invoice was sent or held

    async def start(self) -> int:
        loop = asyncio.get_running_loop()
        self.server = await loop.create_server(
            lambda: SMTP(Intake(self.db, self.wake), hostname=DOMAIN), "127.0.0.1", 0
        )
        self.spawn(self.work())
        for _ in range(2):
            self.spawn(self.send())
        return self.server.sockets[0].getsockname()[1]

    def spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def stop(self) -> None:
        self.server.close()
        await self.server.wait_closed()
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.db.close()

    async def work(self) -> None:
        """Take stored messages in order, up to `in_flight` at once in the pool."""
        last = 0
        while True:
            self.wake.clear()
            rows = self.db.execute(
                "SELECT id, data FROM inbound WHERE status = 'pending' AND id > ? ORDER BY id LIMIT 20",
                (last,),
            ).fetchall()
            if not rows:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), 0.2)
                continue
            for inbound_id, data in rows:
                await self.slots.acquire()
                last = inbound_id
                self.spawn(self.handle(inbound_id, data))

    async def handle(self, inbound_id: int, data: bytes) -> None:
        try:
            loop = asyncio.get_running_loop()
            state, number, recipient, result = await loop.run_in_executor(self.pool, process, data)
            if state == "ready":
                cursor = self.db.execute(
                    "INSERT INTO outputs (inbound_id, number, recipient, data, status)"
                    " VALUES (?, ?, ?, ?, 'pending')",
                    (inbound_id, number, recipient, result),
                )
            else:
                cursor = self.db.execute(
                    "INSERT INTO outputs (inbound_id, number, status, reason) VALUES (?, ?, 'held', ?)",
                    (inbound_id, number, result),
                )
            self.db.execute("UPDATE inbound SET status = 'done' WHERE id = ?", (inbound_id,))
            self.db.commit()
            if state == "held":
                self.last_done = time.perf_counter()
            else:
                self.outgoing.put_nowait((cursor.lastrowid or 0, recipient, result))  # type: ignore[arg-type]
        finally:
            self.slots.release()

    async def send(self) -> None:
        """One SMTP connection to the customers' server, kept open; an output is 'sent' after its 250."""
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=self.sink_port, start_tls=False)
        await client.connect()
        try:
            while True:
                output_id, recipient, data = await self.outgoing.get()
                await client.sendmail(f"bounces@{DOMAIN}", [recipient], data)
                self.db.execute("UPDATE outputs SET status = 'sent' WHERE id = ?", (output_id,))
                self.db.commit()
                self.last_done = time.perf_counter()
        finally:
            if client.is_connected:
                await client.quit()


def left(path: Path, total: int) -> int:
    """Messages not yet read, plus invoices neither sent nor held (bench_pipeline's `settled` question)."""
    db = sqlite3.connect(path)
    try:
        final = db.execute("SELECT count(*) FROM outputs WHERE status IN ('sent', 'held')").fetchone()[0]
        pending = db.execute("SELECT count(*) FROM inbound WHERE status = 'pending'").fetchone()[0]
        return total - final + pending
    finally:
        db.close()


async def settled(path: Path, total: int) -> None:
    # Asked every 0.5 s from a thread, as bench_pipeline asks jalon's database (the time is taken apart).
    while await asyncio.to_thread(left, path, total):
        await asyncio.sleep(0.5)


def cpu_seconds(pids: list[int]) -> float:
    """CPU seconds used so far by these processes (user + system, from /proc)."""
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def embedded_ok(data: bytes) -> bool:
    import facturx

    parsed = email.message_from_bytes(data, policy=email.policy.default)
    attachment = next(parsed.iter_attachments()).get_content()
    _, xml = facturx.get_xml_from_pdf(attachment, check_xsd=True)
    return bool(xml)


async def run(args: argparse.Namespace) -> None:
    workers = args.processes or os.cpu_count() or 2
    print(f"generating {args.invoices + args.warmup} invoices …", flush=True)
    made = make_invoices(args.invoices + args.warmup)
    with ProcessPoolExecutor(max_workers=workers) as prepare:
        invoices = [(n, pdf, buyer) for n, pdf, buyer, _ in prepare.map(_to_pdfa, made)]
    warm, timed = invoices[: args.warmup], invoices[args.warmup :]

    path = Path(tempfile.mkdtemp(prefix="jalon-baseline-")) / "baseline.db"
    db = connect(path)
    db.executescript(SCHEMA)
    customers = {buyer["siren"]: buyer for _, _, buyer in invoices}
    db.executemany(
        "INSERT INTO customers VALUES (?, ?, ?, ?)",
        [
            (s, b["name"], b["vat"], f"ap-{i:05d}@customer.test")
            for i, (s, b) in enumerate(customers.items(), 1)
        ],
    )
    db.commit()
    db.close()

    context = multiprocessing.get_context("spawn")
    commands, results = context.Queue(), context.Queue()
    world = context.Process(target=outside, args=(commands, results), daemon=True)
    world.start()
    _, sink_port = results.get(timeout=60)
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=load_customers, initargs=(str(path),)
    )
    service = Service(path, pool, sink_port, in_flight=2 * workers)
    port = await service.start()
    try:
        print(f"warming up ({len(warm)} invoices) …", flush=True)
        commands.put(("send", port, [(n, message(n, pdf).as_bytes()) for n, pdf, _ in warm], 2))
        await asyncio.to_thread(results.get, True, 120)
        await asyncio.wait_for(settled(path, len(warm)), 120)
        mails = [(n, message(n, pdf).as_bytes()) for n, pdf, _ in timed]
        print(f"timed run: {len(mails)} invoices over {args.connections} SMTP connections …", flush=True)
        pool_pids = list(getattr(pool, "_processes", None) or {})
        start, cpu, pool_start = time.perf_counter(), time.process_time(), cpu_seconds(pool_pids)
        commands.put(("send", port, mails, args.connections))
        await asyncio.wait_for(settled(path, len(warm) + len(timed)), args.timeout)
        elapsed = service.last_done - start
        cpu, in_pool = time.process_time() - cpu, cpu_seconds(pool_pids) - pool_start
        await asyncio.to_thread(results.get, True, 60)
    finally:
        await service.stop()
        pool.shutdown()
        commands.put(("stop",))
    _, arrived, kept = results.get(timeout=60)
    world.join(timeout=10)

    db = sqlite3.connect(path)
    held = db.execute("SELECT number, reason FROM outputs WHERE status = 'held'").fetchall()
    db.close()
    shutil.rmtree(path.parent, ignore_errors=True)  # ~35 MB of stored mail per run
    outputs = [s for s in arrived if any(s == f"Facture {n}" for n, _, _ in timed)]
    valid = sum(embedded_ok(data) for data in kept)
    assert "jalon.app" not in sys.modules, "the baseline must not load jalon's pipeline"
    print()
    print(f"straightforward pipeline, same libraries ({workers} pool processes, SQLite):")
    print(
        f"  {len(timed)} invoices in {elapsed:.2f} s  ->  {len(timed) / elapsed:6.1f} invoices/s"
        f"  ({len(outputs)} sent, {len(held)} held; outputs checked again: {valid}/{len(kept)} with"
        f" Factur-X XML valid against its XSD)"
    )
    for number, reason in held[:5]:
        print(f"    held {number}: {reason}")
    print(
        f"  CPU of the main process (SMTP, SQLite, sending): {cpu * 1000 / len(timed):.1f} ms per invoice;"
        f" the pool: {in_pool * 1000 / len(timed):.1f} ms per invoice"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=8)
    parser.add_argument("--processes", type=int, default=0)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=120, help="seconds to wait for the last output")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
