"""IMAP intake figures with a throwaway Dovecot: messages/s taken in (fetch, commit, flag), IDLE latency.

Run: .venv/bin/python benchmarks/bench_imap.py [--messages 300] [--size 60000]. Needs root and dovecot-imapd;
PostgreSQL is measured too when reachable at $JALON_TEST_PG.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from dovecot import Dovecot, running_dovecot

from jalon.config import ImapSettings
from jalon.db import Database
from jalon.mailbox.imap import ImapPoller
from jalon.mailbox.intake import Accepted

PG_ADMIN_URL = os.environ.get("JALON_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def invoice_mail(number: int, size: int) -> bytes:
    message = EmailMessage()
    message["Return-Path"] = "<billing@acme.example>"
    message["Delivered-To"] = "invoices@jalon.example"
    message["From"] = "billing@acme.example"
    message["To"] = "invoices@jalon.example"
    message["Subject"] = f"Invoice B-{number}"
    message["Message-ID"] = f"<{uuid.uuid4().hex}@acme.example>"
    message.set_content("Invoice attached.")
    message.add_attachment(os.urandom(size * 3 // 4), maintype="application", subtype="pdf", filename="i.pdf")
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


@contextmanager
def databases() -> Iterator[list[tuple[str, Database]]]:
    found: list[tuple[str, Database]] = []
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        sqlite.upgrade()
        found.append(("sqlite", sqlite))
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        name = f"jalon_bench_{uuid.uuid4().hex[:8]}"
        try:
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            postgres = Database(PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name)
            postgres.upgrade()
            found.append(("postgresql", postgres))
        except Exception as error:
            print(f"postgresql: skipped ({type(error).__name__})")
            name = ""
        try:
            yield found
        finally:
            for _label, database in found:
                database.dispose()
            if name:
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def settings(server: Dovecot, user: str, **extra: object) -> ImapSettings:
    return ImapSettings(host=server.host, port=server.port, user=user, ssl=False, **extra)  # type: ignore[arg-type]


def throughput(server: Dovecot, database: Database, count: int, size: int) -> float:
    account = server.new_account()
    poller = ImapPoller(settings(server, account.user), database, password=account.password)
    poller.poll_once()  # watermark at the empty inbox
    with server.client(account) as client:
        for number in range(count):
            client.append("INBOX", invoice_mail(number, size))
    started = time.perf_counter()
    taken = poller.poll_once()
    elapsed = time.perf_counter() - started
    poller.close()
    assert taken == count, (taken, count)
    return count / elapsed


async def idle_latency(server: Dovecot, database: Database, samples: int) -> list[float]:
    account = server.new_account()
    queue: asyncio.Queue[Accepted] = asyncio.Queue()
    poller = ImapPoller(
        settings(server, account.user, poll_interval="10m"),
        database,
        password=account.password,
        on_accepted=queue.put_nowait,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(poller.run(stop))
    await asyncio.sleep(0.5)  # a benchmark, not a test: let the poller reach IDLE first
    latencies = []
    for number in range(samples):
        started = time.perf_counter()
        server.append(account, invoice_mail(number, 2000))  # Dovecot batches IDLE notices for ~0.5 s
        await asyncio.wait_for(queue.get(), 30)
        latencies.append(time.perf_counter() - started)
    stop.set()
    await task
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--size", type=int, default=60_000)
    parser.add_argument("--idle-samples", type=int, default=10)
    args = parser.parse_args()
    with running_dovecot() as server, databases() as found:
        for label, database in found:
            rate = throughput(server, database, args.messages, args.size)
            print(
                f"imap intake {label}: {rate:.0f} msg/s ({args.messages} messages of ~{args.size // 1000} KB)"
            )
        latencies = asyncio.run(idle_latency(server, found[0][1], args.idle_samples))
        print(
            f"imap IDLE delivery -> committed (sqlite): median {statistics.median(latencies) * 1000:.0f} ms, "
            f"max {max(latencies) * 1000:.0f} ms over {len(latencies)}"
        )


if __name__ == "__main__":
    main()
