"""Payments and timelines from the command line and the REST API, as an operator or a billing tool would."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from scenarios_kit import add_customer, add_sent_invoice, mails, paris, settings_for

from jalon.__main__ import main
from jalon.db import Database
from jalon.web import make_app

TOKEN = "api-test-token"


def config_file(tmp_path: Path, db_url: str) -> Path:
    path = tmp_path / "jalon.toml"
    path.write_text(
        f'[gateway]\ndomain = "jalon.test"\n\n[database]\nurl = "{db_url}"\n\n[scheduler]\nenabled = false\n',
        encoding="utf-8",
    )
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[dict]]:
    code = main(list(argv))
    out = capsys.readouterr().out
    return code, [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def test_tick_timeline_and_paid_from_the_command_line(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`jalon tick --now` runs the ladder at a chosen instant, `jalon timeline --json` shows milestones with
    their evidence and steps with their state, `jalon paid` settles the invoice and stops the steps."""
    config = str(config_file(tmp_path, db.url))
    customer = add_customer(db, "K1")
    add_sent_invoice(db, customer, "F-CLI-1", sent_at=paris(2026, 3, 2, 10), due=dt.date(2026, 3, 27))

    code, [report] = run(capsys, "--config", config, "tick", "--now", "2026-03-23T09:30:00+01:00")
    assert code == 0 and report["enrolled"] == 1 and report["actions"] == {"remind": 1}
    assert len(mails(db)) == 1

    at = "2026-03-23T10:00:00+01:00"
    code, [timeline] = run(capsys, "--config", config, "timeline", "F-CLI-1", "--json", "--now", at)
    assert code == 0 and timeline["number"] == "F-CLI-1"
    delivered, received, paid = timeline["milestones"]
    assert (delivered["name"], delivered["state"]) == ("delivered", "late")
    assert (received["name"], received["state"]) == ("received", "late")
    assert set(paid) >= {"name", "state", "due_at", "met_at", "evidence"}
    assert paid["state"] == "pending" and paid["met_at"] is None
    steps = {s["name"]: s for s in timeline["steps"]}
    assert steps["courtesy"]["state"] == "done" and steps["reminder-1"]["state"] == "scheduled"
    assert set(steps["reminder-1"]) >= {"name", "due_at", "state"}

    code, [paid_result] = run(capsys, "--config", config, "paid", "F-CLI-1", "--date", "2026-03-25")
    assert code == 0 and paid_result["ok"] and paid_result["state"] == "paid"
    code, [timeline] = run(capsys, "--config", config, "timeline", "F-CLI-1", "--json")
    assert {s["state"] for s in timeline["steps"] if s["name"] != "courtesy"} == {"cancelled"}
    assert timeline["milestones"][2]["evidence"]["type"] == "invoice.paid"

    code, [again] = run(capsys, "--config", config, "paid", "F-CLI-1")
    assert code == 1 and "is paid" in again["message"]
    code, [missing] = run(capsys, "--config", config, "paid", "NOPE")
    assert code == 1 and "no invoice" in missing["message"]


def test_payments_import_from_the_command_line_reports_a_refused_file(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A broken bank file: the command names the line and the reason, exits 1, and nothing is applied."""
    config = str(config_file(tmp_path, db.url))
    customer = add_customer(db, "K2")
    add_sent_invoice(db, customer, "F-CLI-2", sent_at=paris(2026, 3, 2, 10), due=dt.date(2026, 3, 27))
    bad = tmp_path / "releve.csv"
    bad.write_text(
        "date;montant;libelle\n31/03/2026;100,00;F-CLI-2\n31/03/2026;abc;F-CLI-2\n", encoding="utf-8"
    )
    code, [refused] = run(capsys, "--config", config, "payments", "import", str(bad))
    assert code == 1 and refused["line"] == 3 and "not an amount" in refused["error"]
    good = tmp_path / "releve-ok.csv"
    good.write_text("date;montant;libelle\n31/03/2026;1200,00;F-CLI-2\n", encoding="utf-8")
    code, [report] = run(capsys, "--config", config, "payments", "import", str(good))
    assert code == 0 and [m["invoice"] for m in report["matched"]] == ["F-CLI-2"]


async def test_payments_and_timeline_over_the_api(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """POST /api/invoices/{number}/payments records a payment (partial, then the rest), GET …/timeline shows
    the invoice's milestones; bad input is a 400, an unknown invoice a 404, no token a 401."""
    monkeypatch.setenv("JALON_API_TOKEN", TOKEN)
    settings = settings_for(db.url)
    customer = add_customer(db, "K3")
    add_sent_invoice(db, customer, "F-API-1", sent_at=paris(2026, 3, 2, 10), due=dt.date(2026, 3, 27))
    auth = {"Authorization": f"Bearer {TOKEN}", "X-Jalon-Actor": "erp"}
    async with TestClient(TestServer(make_app(settings, db))) as client:
        response = await client.post("/api/invoices/F-API-1/payments", json={"amount": "200.00"})
        assert response.status == 401
        response = await client.post(
            "/api/invoices/F-API-1/payments", json={"amount": "200.00", "date": "2026-03-20"}, headers=auth
        )
        body = await response.json()
        assert response.status == 200 and body["remaining"] == "1000.00" and body["state"] == "sent"
        response = await client.post("/api/invoices/F-API-1/payments", json={"amount": "deux"}, headers=auth)
        assert response.status == 400
        response = await client.post("/api/invoices/NOPE/payments", json={}, headers=auth)
        assert response.status == 404
        response = await client.post("/api/invoices/F-API-1/payments", json={}, headers=auth)
        body = await response.json()
        assert response.status == 200 and body["state"] == "paid" and body["amount"] == "1000.00"
        response = await client.get("/api/invoices/F-API-1/timeline", headers=auth)
        timeline = await response.json()
        assert response.status == 200 and timeline["state"] == "paid"
        assert [m["name"] for m in timeline["milestones"]] == ["delivered", "received", "paid"]
        assert timeline["milestones"][2]["state"] == "met"
        response = await client.get("/api/invoices/NOPE/timeline", headers=auth)
        assert response.status == 404
