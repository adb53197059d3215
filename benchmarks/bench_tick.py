"""The tick's cost: time to find and claim the due scenario steps among many scheduled ones, on SQLite and on
PostgreSQL. It should grow with the number due, not with the number stored (index on (state, due_at)).
Then the tick's throughput: 1,000 due reminders run end to end (rendered, queued in the outbox), one process.

Usage: .venv/bin/python benchmarks/bench_tick.py [--stored 1000000] [--repeat 5]
PostgreSQL is reached at $JALON_TEST_PG (default postgresql+psycopg://postgres@127.0.0.1:5432/test); a
throwaway database is created and dropped.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import statistics
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

from sqlalchemy import create_engine, insert, text, update

from jalon import scenarios
from jalon.config import load_dict
from jalon.db import Database
from jalon.models import Contact, Customer, Dispatch, Invoice, Milestone, ScenarioStep

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
PG_ADMIN = os.environ.get("JALON_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CHUNK = 50_000


def due_at(i: int) -> dt.datetime:
    """Row i falls due i seconds after T0: 'now = T0 + n seconds' makes exactly n rows due."""
    return T0 + dt.timedelta(seconds=i)


def fill(database: Database, start: int, stop: int) -> None:
    if database.dialect == "postgresql":
        raw = database.engine.raw_connection()
        try:
            with raw.cursor() as cursor:
                columns = "key, milestone, name, action, params, due_at, state, result"
                with cursor.copy(f"COPY scenario_steps ({columns}) FROM STDIN") as copy:
                    buffer = io.StringIO()
                    for i in range(start, stop):
                        stamp = due_at(i).isoformat()
                        buffer.write(f"bench:{i}\tpaid\treminder-1\tremind\t{{}}\t{stamp}\tscheduled\t{{}}\n")
                        if i % CHUNK == 0:
                            copy.write(buffer.getvalue())
                            buffer = io.StringIO()
                    copy.write(buffer.getvalue())
            raw.commit()
        finally:
            raw.close()
    else:
        with database.engine.begin() as connection:
            for low in range(start, stop, CHUNK):
                rows = [
                    {
                        "key": f"bench:{i}",
                        "milestone": "paid",
                        "name": "reminder-1",
                        "action": "remind",
                        "params": {},
                        "due_at": due_at(i),
                        "state": "scheduled",
                        "result": {},
                    }
                    for i in range(low, min(low + CHUNK, stop))
                ]
                connection.execute(insert(ScenarioStep), rows)
    with database.engine.begin() as connection:
        connection.execute(text("ANALYZE scenario_steps" if database.dialect == "postgresql" else "ANALYZE"))


def claim_ms(database: Database, due: int, repeat: int) -> float:
    """Median milliseconds to find and claim `due` steps (claims released between runs)."""
    settings = load_dict({"database": {"url": database.url}})
    timings = []
    now = T0 + dt.timedelta(seconds=due - 0.5)
    for _ in range(repeat):
        with database.engine.begin() as connection:
            connection.execute(
                update(ScenarioStep)
                .where(ScenarioStep.claimed_by.is_not(None))
                .values(claimed_by=None, claimed_until=None)
            )
        started = time.perf_counter()
        ids = scenarios.claim_due(database, settings, now, owner="bench", limit=due)
        timings.append((time.perf_counter() - started) * 1000)
        assert len(ids) == due, (len(ids), due)
    return statistics.median(timings)


def seed_reminders(database: Database, count: int, now: dt.datetime) -> None:
    """`count` sent, overdue invoices (one customer each) whose first reminder is due."""
    ids = range(1, count + 1)
    due = (now - dt.timedelta(days=3)).date()
    with database.engine.begin() as connection:
        connection.execute(insert(Customer), [{"id": i, "code": f"R{i}", "name": f"Client {i}"} for i in ids])
        connection.execute(
            insert(Contact),
            [{"id": i, "customer_id": i, "email": f"ap{i}@c.test", "role": "buyer"} for i in ids],
        )
        connection.execute(
            insert(Invoice),
            [
                {"id": i, "number": f"R-{i}", "customer_id": i, "state": "sent", "due_date": due,
                 "total_with_vat": Decimal("120.00"), "sent_at": now - dt.timedelta(days=30)}
                for i in ids
            ],
        )  # fmt: skip
        connection.execute(
            insert(Dispatch),
            [
                {"id": i, "invoice_id": i, "contact_id": i, "recipient": f"ap{i}@c.test", "role": "buyer",
                 "token": f"benchtok{i:07d}", "message_id": f"<benchtok{i:07d}@jalon.test>", "state": "sent"}
                for i in ids
            ],
        )  # fmt: skip
        connection.execute(
            insert(Milestone),
            [
                {"invoice_id": i, "name": "paid", "expect": "paid", "state": "late", "due_at": now}
                for i in ids
            ],
        )
        connection.execute(
            insert(ScenarioStep),
            [
                {"key": f"{i}:paid:reminder-1", "invoice_id": i, "customer_id": i, "milestone": "paid",
                 "name": "reminder-1", "action": "remind", "params": {"to": ["buyer"]},
                 "due_at": now - dt.timedelta(minutes=1), "state": "scheduled", "result": {}}
                for i in ids
            ],
        )  # fmt: skip


def run_rate(database: Database, name: str, count: int = 1_000) -> None:
    """Steps a second when the due steps are reminders: decide, render, compose, queue, record."""
    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM scenario_steps"))
    now = dt.datetime.now(dt.UTC)
    seed_reminders(database, count, now)
    settings = load_dict(
        {"database": {"url": database.url}, "scheduler": {"quiet_hours": "", "business_days": False}}
    )
    os.environ.setdefault("JALON_SECRET", "bench")
    started = time.perf_counter()
    report = scenarios.tick(database, settings, now, owner="bench")
    took = time.perf_counter() - started
    assert report.done == count, report
    rate = count / took
    print(f"{name:<10} tick: {count:,} due reminders run in {took:.1f} s ({rate:,.0f} steps/s, one process)")


def measure(database: Database, name: str, stored: int, repeat: int) -> None:
    sizes = sorted({stored // 10, stored})
    done = 0
    for size in sizes:
        started = time.perf_counter()
        fill(database, done, size)
        done = size
        print(f"{name:<10} {size:>9,} steps stored (filled in {time.perf_counter() - started:.1f} s)")
        for due in (d for d in (100, 1_000, 10_000) if d <= size):
            took = claim_ms(database, due, repeat)
            print(f"{name:<10}   claim {due:>6,} due among {size:>9,}: {took:8.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stored", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    if args.only != "postgresql":
        with tempfile.TemporaryDirectory() as tmp:
            database = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
            database.upgrade()
            measure(database, "sqlite", args.stored, args.repeat)
            run_rate(database, "sqlite")
            database.dispose()
    if args.only != "sqlite":
        name = f"jalon_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        except Exception as error:
            print(f"postgresql: not reachable at {PG_ADMIN} ({type(error).__name__}); skipped")
            return 0
        try:
            database = Database(PG_ADMIN.rsplit("/", 1)[0] + "/" + name)
            database.upgrade()
            measure(database, "postgresql", args.stored, args.repeat)
            run_rate(database, "postgresql")
            database.dispose()
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
