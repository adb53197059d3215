"""A running jalon ticks by itself: an overdue sent invoice gets enrolled and reminded, the mail reaches the
customer's server, and stopping jalon stops the scheduler cleanly."""

from __future__ import annotations

import datetime as dt

import pytest
from harness import eventually, running
from scenarios_kit import add_customer, add_sent_invoice
from sqlalchemy import select

from jalon.models import Milestone, ScenarioStep

pytestmark = pytest.mark.asyncio


async def test_the_scheduler_reminds_an_overdue_invoice_on_its_own(db_url: str) -> None:
    """No `jalon tick` by hand: within a few intervals the reminder is at the customer's mail server."""
    scheduler = {"enabled": True, "interval": "0.2s", "quiet_hours": "", "business_days": False}
    async with running(db_url, background=True, scheduler=scheduler) as gw:
        database = gw.services.database
        customer = add_customer(database, "S1", contacts=(("ap@s1.test", "buyer"),))
        now = dt.datetime.now(dt.UTC)
        add_sent_invoice(
            database,
            customer,
            "F-SCHED",
            sent_at=now - dt.timedelta(days=33),
            due=(now - dt.timedelta(days=3)).date(),
        )
        [mail] = await gw.sink.wait_for(1, timeout=20)
        assert mail.rcpt_tos == ["ap@s1.test"]
        assert "F-SCHED" in str(mail.message()["Subject"])

        def ladder() -> dict[str, str]:
            with database.session() as session:
                rows = session.scalars(select(ScenarioStep).where(ScenarioStep.action != "check"))
                return {s.name: s.state for s in rows}

        states = await eventually(lambda: (found := ladder()).get("reminder-1") == "done" and found)
        assert states["courtesy"] == "skipped" and states["reminder-2"] == "scheduled"
        with database.session() as session:
            paid = session.scalar(select(Milestone).where(Milestone.name == "paid"))
            assert paid is not None and paid.state == "late"
    assert len(gw.sink.received) == 1
