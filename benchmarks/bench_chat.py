"""What chat costs: building a case card from the database, rendering it for Slack and Teams, posting cards
through the outbox to a local server speaking Slack's Web API, and a signed click from its arrival to Slack's
acknowledgement and to the updated card.

Usage: .venv/bin/python benchmarks/bench_chat.py [--cases 300] [--clicks 50]   (SQLite in a temp dir)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from chat_servers import (  # noqa: E402
    SIGNING_SECRET,
    SLACK_TOKEN,
    FakeSlack,
    chat_settings,
    signed_body,
    slack_click,
)

from jalon import app as app_module  # noqa: E402
from jalon.bot import cards, chat, slack, teams  # noqa: E402
from jalon.db import Database  # noqa: E402
from jalon.handlers import cases  # noqa: E402
from jalon.models import Customer, Invoice  # noqa: E402

FINDING = {
    "code": "missing_po",
    "severity": "error",
    "message": "The customer requires a purchase-order number.",
}


def seed(database: Database, count: int) -> list[int]:
    with database.session() as session:
        customer = Customer(code="C1", name="Client", group="pme")
        session.add(customer)
        session.flush()
        ids = []
        for i in range(count):
            invoice = Invoice(
                number=f"FA-{i}",
                issuer="1",
                customer_id=customer.id,
                state="held",
                total_with_vat=Decimal("100.00") + i,
                findings=[FINDING],
            )
            session.add(invoice)
            session.flush()
            case = cases.open_case(
                session,
                "held",
                f"Invoice FA-{i} held before sending",
                key=cases.case_key("held", "invoice", invoice.id),
                facts={"number": invoice.number, "findings": [FINDING]},
                invoice_id=invoice.id,
                customer_id=customer.id,
            )
            ids.append(case.id)
        return ids


def ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"median {statistics.median(values) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms"


async def run(case_count: int, click_count: int) -> None:
    os.environ["JALON_SLACK_BOT_TOKEN"] = SLACK_TOKEN
    os.environ["JALON_SLACK_SIGNING_SECRET"] = SIGNING_SECRET
    fake = await FakeSlack().start()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        settings = chat_settings(
            url, 25, slack={"channel": "#factures", "api_base_url": fake.api_url}, worker={"processes": 1}
        )
        services = app_module.build(settings)
        await app_module.start(services, smtp=False, background=False)
        try:
            database = services.database
            ids = await asyncio.to_thread(seed, database, case_count)

            built, rendered = [], []
            for case_id in ids:
                started = time.perf_counter()
                with database.session() as session:
                    card = cards.build(session, case_id)
                built.append(time.perf_counter() - started)
                assert card is not None
                started = time.perf_counter()
                slack.blocks(card)
                teams.adaptive_card(card)
                rendered.append(time.perf_counter() - started)
            print(f"card from the database: {ms(built)}")
            print(f"Block Kit + Adaptive Card rendering: {ms(rendered)}")

            started = time.perf_counter()
            while await services.outbox.send_due():
                pass
            elapsed = time.perf_counter() - started
            posted = len(fake.called("chat.postMessage"))
            rate = posted / elapsed
            print(f"outbox -> local Slack: {posted} cards posted in {elapsed:.2f} s ({rate:.0f} cards/s)")

            (channel, ts), case_id = next(iter(fake.messages)), ids[0]
            acked, updated = [], []
            async with aiohttp.ClientSession() as http:
                for _ in range(click_count):
                    before = len(fake.called("chat.update"))
                    body, headers = signed_body(slack_click("assign_to_me", case_id, "U_AGENT", channel, ts))
                    started = time.perf_counter()
                    async with http.post(
                        f"http://127.0.0.1:{services.web_port}/slack/events", data=body, headers=headers
                    ) as r:
                        await r.read()
                    acked.append(time.perf_counter() - started)
                    while len(fake.called("chat.update")) == before:
                        await asyncio.sleep(0.001)
                    updated.append(time.perf_counter() - started)
            print(f"signed click -> Slack acknowledged: {ms(acked)} (Slack allows 3 s)")
            print(f"signed click -> card updated: {ms(updated)}")
            print(f"news sweep over {case_count} open cards: ", end="")
            started = time.perf_counter()
            chat.queue_news(database)
            print(f"{(time.perf_counter() - started) * 1000:.1f} ms")
        finally:
            await app_module.stop(services)
            await fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--clicks", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(run(args.cases, args.clicks))


if __name__ == "__main__":
    main()
