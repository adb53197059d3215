"""A customer's statement, as the ADV team reads it on the phone: what is owed, what is late, what is held
back or credited, from the command line and the API."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from scenarios_kit import add_customer, add_sent_invoice, paris, settings_for
from sqlalchemy import select

from jalon import payments
from jalon.__main__ import main
from jalon.db import Database
from jalon.models import Invoice
from jalon.web import make_app

TOKEN = "statement-token"


def a_customer_with_history(db: Database) -> None:
    """Late and partly paid, not yet due, paid but for its holdback, paid in full, a credit note naming
    nothing sent."""
    customer = add_customer(db, "C900", name="Bâtiments Durand")
    late = dt.date.today() - dt.timedelta(days=20)
    add_sent_invoice(db, customer, "F-LATE", sent_at=paris(2026, 1, 5, 10), due=late, amount="1200.00")
    add_sent_invoice(
        db,
        customer,
        "F-SOON",
        sent_at=paris(2026, 1, 5, 10),
        due=dt.date.today() + dt.timedelta(days=10),
        amount="300.00",
    )
    add_sent_invoice(db, customer, "F-WORKS", sent_at=paris(2026, 1, 5, 10), due=late, amount="6603.60")
    add_sent_invoice(db, customer, "AV-7", sent_at=paris(2026, 1, 5, 10), due=None, amount="120.00")
    add_sent_invoice(db, customer, "F-PAID", sent_at=paris(2026, 1, 5, 10), due=late, amount="450.00")
    other = add_customer(db, "C901")
    add_sent_invoice(db, other, "F-OTHER", sent_at=paris(2026, 1, 5, 10), due=late, amount="999.00")
    with db.session() as session:
        rows = {i.number: i for i in session.scalars(select(Invoice))}
        rows["F-WORKS"].holdback = Decimal("330.18")
        rows["AV-7"].doc_type = "credit_note"
    assert payments.pay(db, "F-LATE", actor="test", amount=Decimal("200.00"))[0]
    assert payments.pay(db, "F-WORKS", actor="test")[0]  # all but the holdback
    assert payments.pay(db, "F-PAID", actor="test")[0]  # settled: no longer on the statement


def config(tmp_path: Path, db: Database) -> str:
    path = tmp_path / "jalon.toml"
    path.write_text(f'[database]\nurl = "{db.url}"\n\n[scheduler]\nenabled = false\n', encoding="utf-8")
    return str(path)


def test_the_statement_says_what_is_owed_late_held_back_and_credited(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`jalon customers statement C900 --json`: the two open invoices (the late one less its part payment),
    the holdback still owed on a paid invoice, the unallocated credit note, and the totals; another customer's
    invoice is not in it; the text view says the same."""
    a_customer_with_history(db)
    assert main(["--config", config(tmp_path, db), "customers", "statement", "C900", "--json"]) == 0
    account = json.loads(capsys.readouterr().out)
    owed = {item["number"]: (item["owed"], item["days_late"] > 0) for item in account["invoices"]}
    assert owed == {"F-LATE": (1000.0, True), "F-SOON": (300.0, False)}
    assert [(h["number"], h["holdback"]) for h in account["holdbacks"]] == [("F-WORKS", 330.18)]
    assert [(c["number"], c["amount"]) for c in account["unallocated_credit_notes"]] == [("AV-7", 120.0)]
    assert account["totals"] == {
        "owed": 1300.0,
        "late": 1000.0,
        "not_yet_due": 300.0,
        "holdbacks": 330.18,
        "unallocated_credit_notes": 120.0,
        "balance": 1180.0,
    }
    assert main(["--config", config(tmp_path, db), "customers", "statement", "C900"]) == 0
    text = capsys.readouterr().out
    assert "Bâtiments Durand (C900)" in text and "F-LATE" in text and "days late" in text
    assert "balance 1180.00" in text and "F-OTHER" not in text and "F-PAID" not in text
    assert main(["--config", config(tmp_path, db), "customers", "statement", "NOPE"]) == 1


async def test_the_statement_over_the_api(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """GET /api/customers/{code}/statement: the same account; an unknown customer is a 404, no token a 401."""
    monkeypatch.setenv("JALON_API_TOKEN", TOKEN)
    a_customer_with_history(db)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    async with TestClient(TestServer(make_app(settings_for(db.url), db))) as client:
        assert (await client.get("/api/customers/C900/statement")).status == 401
        response = await client.get("/api/customers/C900/statement", headers=auth)
        account = await response.json()
        assert response.status == 200 and account["totals"]["balance"] == 1180.0
        assert (await client.get("/api/customers/NOPE/statement", headers=auth)).status == 404
