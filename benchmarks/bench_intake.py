"""Intake throughput: ~60 KB invoice mails accepted over SMTP and committed (answered 250), 8 concurrent
clients, on SQLite and PostgreSQL; and the time-to-250 percentiles at a steady 50 messages per second.

The gateway runs as a real `jalon serve` process (intake only: no worker, no web), the clients in this one,
so that each has its own core, as in production. For calibration, the same burst is sent in the same run to
the plainest intake (bare_smtp_store.py: an aiosmtpd handler that only persists the bytes in SQLite): the aim
was set where that handler reached about 290 msg/s, so jalon's share of it reads the same on any machine.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
from sqlalchemy import create_engine, text

DOMAIN = "jalon.bench"
PG_ADMIN = os.environ.get("JALON_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CLIENTS = 8
BURST = 1600
STEADY_RATE = 50
STEADY_SECONDS = 12


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def invoice_mail(index: int) -> bytes:
    message = EmailMessage()
    message["From"] = "billing@acme.bench"
    message["To"] = f"invoices@{DOMAIN}"
    message["Subject"] = f"Facture FA-{index:06d}"
    message["Message-ID"] = f"<bench-{uuid.uuid4().hex}@acme.bench>"
    message.set_content("Veuillez trouver ci-joint notre facture.")
    pdf = b"%PDF-1.4\n" + os.urandom(44_000) + b"\n%%EOF\n"  # base64 makes ~60 KB on the wire
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=f"FA-{index:06d}.pdf")
    return message.as_bytes()


def start_gateway(db_url: str, workdir: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    config = workdir / "config.toml"
    config.write_text(
        f"""
[gateway]
domain = "{DOMAIN}"
[smtp]
port = {port}
[database]
url = "{db_url}"
[web]
enabled = false
[worker]
enabled = false
[scheduler]
enabled = false
""",
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "jalon", "--config", str(config), "serve"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(process, port)
    return process, port


async def client(port: int, messages: list[bytes], latencies: list[float]) -> None:
    smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
    await smtp.connect()
    for data in messages:
        started = time.perf_counter()
        await smtp.sendmail("billing@acme.bench", [f"invoices@{DOMAIN}"], data)
        latencies.append(time.perf_counter() - started)
    await smtp.quit()


async def burst(port: int, mails: list[bytes]) -> tuple[float, list[float]]:
    latencies: list[float] = []
    shares = [mails[i::CLIENTS] for i in range(CLIENTS)]
    started = time.perf_counter()
    await asyncio.gather(*(client(port, share, latencies) for share in shares))
    return len(mails) / (time.perf_counter() - started), latencies


async def steady(port: int, mails: list[bytes]) -> list[float]:
    """Open-loop load at STEADY_RATE msg/s over a pool of connections: the latency a billing tool sees."""
    latencies: list[float] = []
    pool: asyncio.Queue[aiosmtplib.SMTP] = asyncio.Queue()
    for _ in range(CLIENTS):
        smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
        await smtp.connect()
        pool.put_nowait(smtp)

    async def one(data: bytes) -> None:
        smtp = await pool.get()
        started = time.perf_counter()
        await smtp.sendmail("billing@acme.bench", [f"invoices@{DOMAIN}"], data)
        latencies.append(time.perf_counter() - started)
        pool.put_nowait(smtp)

    tasks = []
    interval = 1 / STEADY_RATE
    begin = time.perf_counter()
    for index, data in enumerate(mails):
        delay = begin + index * interval - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(data)))
    await asyncio.gather(*tasks)
    while not pool.empty():
        await pool.get_nowait().quit()
    return latencies


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def wait_for_port(process: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("the SMTP server did not start")


def bare_burst() -> float:
    """The same burst against the bare aiosmtpd + SQLite handler: the machine's reference figure."""
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        script = Path(__file__).resolve().parent / "bare_smtp_store.py"
        process = subprocess.Popen([sys.executable, str(script), str(port), f"{tmp}/bare.db"])
        try:
            wait_for_port(process, port)
            asyncio.run(burst(port, [invoice_mail(i) for i in range(50)]))
            rate, _ = asyncio.run(burst(port, [invoice_mail(i) for i in range(BURST)]))
        finally:
            process.terminate()
            process.wait(20)
    return rate


def run(label: str, db_url: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        process, port = start_gateway(db_url, Path(tmp))
        try:
            warm = [invoice_mail(i) for i in range(50)]
            asyncio.run(burst(port, warm))
            mails = [invoice_mail(i) for i in range(BURST)]
            rate, latencies = asyncio.run(burst(port, mails))
            steady_mails = [invoice_mail(i) for i in range(STEADY_RATE * STEADY_SECONDS)]
            steady_latencies = asyncio.run(steady(port, steady_mails))
        finally:
            process.terminate()
            process.wait(20)
    size = len(mails[0]) / 1000
    print(
        f"{label:<11} burst, {CLIENTS} clients, {size:.0f} KB mails: {rate:6.0f} msg/s accepted and committed"
        f"  (time-to-250 median {statistics.median(latencies) * 1000:.1f} ms)"
    )
    print(
        f"{label:<11} steady {STEADY_RATE} msg/s: time-to-250 "
        f"p50 {percentile(steady_latencies, 0.5) * 1000:.1f} ms, "
        f"p99 {percentile(steady_latencies, 0.99) * 1000:.1f} ms, max {max(steady_latencies) * 1000:.1f} ms"
    )
    return rate


def main() -> None:
    print("Intake (aim: >= 200 msg/s on SQLite; p99 time-to-250 < 100 ms at 50 msg/s)")
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_rate = run("SQLite", f"sqlite:///{tmp}/bench.db")
    bare = bare_burst()
    print(
        f"reference   bare aiosmtpd handler storing the bytes in SQLite, same burst: {bare:6.0f} msg/s;"
        f" jalon on SQLite = {sqlite_rate / bare:.0%} of it (aim 200/290 = 69%)"
    )
    name = f"jalon_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        print(f"PostgreSQL  skipped: {error.__class__.__name__}: not reachable at {PG_ADMIN}")
        return
    try:
        run("PostgreSQL", PG_ADMIN.rsplit("/", 1)[0] + "/" + name)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
