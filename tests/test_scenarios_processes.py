"""Two real `jalon serve` processes share one PostgreSQL database where 10,000 reminders fall due: each runs
exactly once (counted at a local SMTP sink), and still exactly once when one process is killed halfway."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, text

from jalon.db import Database
from jalon.models import (
    Base,
    Contact,
    Customer,
    Dispatch,
    Event,
    Invoice,
    Milestone,
    Outbox,
    ScenarioStep,
)
from jalon.sink import MailSink

pytestmark = [pytest.mark.asyncio, pytest.mark.slow, pytest.mark.postgres]
COUNT = 10_000
HOST = socket.gethostname()


def truncate(url: str) -> None:
    database = Database(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with database.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    database.dispose()


def seed(url: str, count: int) -> None:
    """`count` customers with one sent, overdue invoice each, whose first reminder is due now (bulk inserts:
    the state the pipeline and earlier ticks would have left)."""
    database = Database(url)
    now = dt.datetime.now(dt.UTC)
    due = (now - dt.timedelta(days=3)).date()
    ids = range(1, count + 1)
    with database.engine.begin() as connection:
        connection.execute(insert(Customer), [{"id": i, "code": f"P{i}", "name": f"Client {i}"} for i in ids])
        connection.execute(
            insert(Contact),
            [{"id": i, "customer_id": i, "email": f"ap{i}@client.test", "role": "buyer"} for i in ids],
        )
        connection.execute(
            insert(Invoice),
            [
                {
                    "id": i,
                    "number": f"P-{i:05d}",
                    "issuer": "ACME",
                    "customer_id": i,
                    "state": "sent",
                    "issue_date": due - dt.timedelta(days=30),
                    "due_date": due,
                    "total_with_vat": Decimal("100.00") + i,
                    "amount_due": Decimal("100.00") + i,
                    "sent_at": now - dt.timedelta(days=33),
                }
                for i in ids
            ],
        )
        connection.execute(
            insert(Dispatch),
            [
                {
                    "id": i,
                    "invoice_id": i,
                    "contact_id": i,
                    "recipient": f"ap{i}@client.test",
                    "role": "buyer",
                    "token": f"tok{i:06d}xyzABC",
                    "message_id": f"<tok{i:06d}xyzABC.0@jalon.test>",
                    "state": "sent",
                    "sent_at": now - dt.timedelta(days=33),
                }
                for i in ids
            ],
        )
        connection.execute(
            insert(Milestone),
            [
                {
                    "invoice_id": i,
                    "name": "paid",
                    "expect": "paid",
                    "state": "late",
                    "due_at": now - dt.timedelta(days=2),
                }
                for i in ids
            ],
        )
        steps = []
        for i in ids:
            common = {
                "invoice_id": i,
                "customer_id": i,
                "milestone": "paid",
                "action": "remind",
                "result": {},
            }
            params = {"template": "reminder", "to": ["buyer"], "before_deadline": False}
            steps.append({**common, "key": f"{i}:paid:reminder-1", "name": "reminder-1", "params": params,
                          "due_at": now - dt.timedelta(minutes=5), "state": "scheduled"})  # fmt: skip
            steps.append({**common, "key": f"{i}:paid:reminder-2", "name": "reminder-2", "params": params,
                          "due_at": now + dt.timedelta(days=5), "state": "scheduled"})  # fmt: skip
        connection.execute(insert(ScenarioStep), steps)
        for table in ("customers", "contacts", "invoices", "dispatches"):
            connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {count + 1})"))
    database.dispose()


def write_config(path: Path, url: str, outbound_port: int) -> Path:
    path.write_text(
        f"""
[gateway]
domain = "jalon.test"
company_name = "ACME Industries"

[smtp]
enabled = false

[web]
enabled = false

[worker]
enabled = false
processes = 1

[outbound]
host = "127.0.0.1"
port = {outbound_port}
retry_base = "0.2s"
retry_max = "1s"
max_attempts = 100
batch_size = 50

[database]
url = "{url}"

[scheduler]
enabled = true
interval = "1s"
quiet_hours = ""
business_days = false
lease = "5s"
batch_size = 100
""",
        encoding="utf-8",
    )
    return path


def serve(config: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "JALON_SECRET": "processes-test"}
    return subprocess.Popen(
        [sys.executable, "-m", "jalon", "--config", str(config), "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )


def owner_of(process: subprocess.Popen[bytes], kind: str) -> str:
    return f"{HOST}:{process.pid}:{kind}"


def progress(url: str) -> dict[str, int]:
    database = Database(url)
    try:
        with database.session() as session:
            done = session.scalar(
                select(func.count())
                .select_from(ScenarioStep)
                .where(ScenarioStep.name == "reminder-1", ScenarioStep.state == "done")
            )
            pending = session.scalar(
                select(func.count())
                .select_from(Outbox)
                .where(Outbox.kind == "mail", Outbox.status == "pending")
            )
        return {"done": int(done or 0), "pending_mail": int(pending or 0)}
    finally:
        database.dispose()


def leases(url: str, process: subprocess.Popen[bytes]) -> tuple[int, int]:
    """(steps claimed and not done, outbox items claimed) by this process."""
    database = Database(url)
    try:
        with database.session() as session:
            steps = session.scalar(
                select(func.count())
                .select_from(ScenarioStep)
                .where(
                    ScenarioStep.claimed_by == owner_of(process, "tick"), ScenarioStep.state == "scheduled"
                )
            )
            outbox = session.scalar(
                select(func.count())
                .select_from(Outbox)
                .where(Outbox.locked_by.like(f"{HOST}:{process.pid}:outbox:%"), Outbox.status == "pending")
            )
        return int(steps or 0), int(outbox or 0)
    finally:
        database.dispose()


async def kill_mid_step(url: str, victim: subprocess.Popen[bytes]) -> int:
    """Freeze the victim; kill it if it holds claimed steps (a batch in flight) and no outbox lease (see the
    test's docstring), else let it run a little and try again. Returns how many steps it held."""
    for _ in range(400):
        victim.send_signal(signal.SIGSTOP)
        steps, outbox = await asyncio.to_thread(leases, url, victim)
        if steps and not outbox:
            victim.send_signal(signal.SIGKILL)
            victim.wait(10)
            return steps
        victim.send_signal(signal.SIGCONT)
        await asyncio.sleep(0.03)
    raise AssertionError("never caught the victim in the middle of a batch")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def numbers_in(sink: MailSink) -> Counter[str]:
    """How many distinct mails each invoice number got (by Message-ID), and the raw total."""
    seen: dict[str, str] = {}
    for item in sink.received:
        message = email.message_from_bytes(item.data, policy=email.policy.compat32)
        subject = str(message["Subject"])
        number = next((w for w in subject.replace(":", " ").split() if w.startswith("P-")), "?")
        seen[str(message["Message-ID"])] = number
    return Counter(seen.values())


async def wait_until(
    url: str, sink: MailSink, processes: list[subprocess.Popen[bytes]], timeout: float
) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        state = await asyncio.to_thread(progress, url)
        if state["done"] >= COUNT and state["pending_mail"] == 0 and len(sink.received) >= COUNT:
            return
        for process in processes:
            assert process.poll() is None, f"jalon serve exited with {process.returncode}"
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not finished in time: {state}, {len(sink.received)} mails")
        await asyncio.sleep(0.5)


def check_exactly_once(url: str, sink: MailSink) -> set[str]:
    per_invoice = numbers_in(sink)
    assert len(sink.received) == COUNT, "as many mails received as steps due"
    assert len(per_invoice) == COUNT and set(per_invoice.values()) == {1}, "one mail per invoice"
    database = Database(url)
    try:
        with database.session() as session:
            steps = session.execute(
                select(ScenarioStep.state, ScenarioStep.claimed_by).where(ScenarioStep.name == "reminder-1")
            ).all()
            queued = session.scalar(
                select(func.count()).select_from(Event).where(Event.type == "reminder.queued")
            )
            mails = session.scalar(select(func.count()).select_from(Outbox).where(Outbox.kind == "mail"))
            later = session.scalar(
                select(func.count())
                .select_from(ScenarioStep)
                .where(ScenarioStep.name == "reminder-2", ScenarioStep.state != "scheduled")
            )
    finally:
        database.dispose()
    assert {state for state, _ in steps} == {"done"} and queued == COUNT and mails == COUNT
    assert later == 0, "steps not yet due are untouched"
    return {owner for _, owner in steps}


async def test_two_processes_run_each_due_step_exactly_once(pg_url: str, tmp_path: Path) -> None:
    """Both processes tick the same table; every reminder reaches its customer once, and both did work."""
    truncate(pg_url)
    seed(pg_url, COUNT)
    sink = await MailSink(advertise_dsn=False).start()
    config = write_config(tmp_path / "jalon.toml", pg_url, sink.port)
    processes = [serve(config, tmp_path / f"serve-{n}.log") for n in (1, 2)]
    try:
        await wait_until(pg_url, sink, processes, timeout=400)
    finally:
        for process in processes:
            stop(process)
        await sink.stop()
    owners = check_exactly_once(pg_url, sink)
    assert owners == {owner_of(p, "tick") for p in processes}, "both processes ran steps"


async def test_a_process_killed_mid_batch_loses_nothing_and_doubles_nothing(
    pg_url: str, tmp_path: Path
) -> None:
    """One process is killed (SIGKILL) while a batch of its steps is in flight: that batch was never
    committed, so its mails were never queued; after the lease the survivor runs those steps, once.

    The victim's own outbox points at a closed port, so every mail leaves through the survivor: this test is
    about the tick. (A mail handed to the relay just before a crash may be handed again by the outbox: SMTP
    gives no exactly-once delivery, and the outbox's lease covers that case, in minutes.)"""
    truncate(pg_url)
    seed(pg_url, COUNT)
    sink = await MailSink(advertise_dsn=False).start()
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused at once
    survivor = serve(write_config(tmp_path / "survivor.toml", pg_url, sink.port), tmp_path / "survivor.log")
    victim = serve(
        write_config(tmp_path / "victim.toml", pg_url, closed.getsockname()[1]), tmp_path / "victim.log"
    )
    try:
        while (await asyncio.to_thread(progress, pg_url))["done"] < COUNT // 3:
            assert survivor.poll() is None and victim.poll() is None
            await asyncio.sleep(0.2)
        held = await kill_mid_step(pg_url, victim)
        assert held > 0
        await wait_until(pg_url, sink, [survivor], timeout=400)
    finally:
        stop(survivor)
        stop(victim)
        closed.close()
        await sink.stop()
    owners = check_exactly_once(pg_url, sink)
    assert owner_of(survivor, "tick") in owners
    assert owner_of(victim, "tick") in owners, "the victim had committed batches before it died"
