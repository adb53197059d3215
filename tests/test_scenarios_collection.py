"""Handing an unpaid invoice over to the collection agency, as configured (mail, CSV file, API call), on the
scenario's schedule or at once from a button; and what people confirm by hand (received, approved)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from aiohttp import web
from scenarios_kit import add_customer, add_sent_invoice, mails, paris, settings_for
from sqlalchemy import select

from jalon import scenarios
from jalon.db import Database
from jalon.handlers import actions
from jalon.mailbox.outbound import OutboxSender
from jalon.models import Outbox
from jalon.timeline import timeline
from jalon.webhooks import send_webhook

GROUP = [{"name": "grands-comptes", "scenario": "standard-b2b"}]
DUE = dt.date(2026, 2, 27)


def ladder_until_hand_over(database: Database, settings, number: str) -> None:
    customer = add_customer(database, f"K-{number}", group="grands-comptes", name="Globex Ltd")
    add_sent_invoice(database, customer, number, sent_at=paris(2026, 1, 28, 10), due=DUE, amount="2400.00")
    for day in (dt.date(2026, 1, 28), dt.date(2026, 3, 2), dt.date(2026, 3, 19), dt.date(2026, 3, 30)):
        scenarios.tick(database, settings, paris(day.year, day.month, day.day, 10))


def test_hand_over_as_a_csv_file(db: Database, tmp_path) -> None:
    """Mode csv: one file per hand-over, written after the commit: the invoice, what is owed with penalties,
    then its whole history one event a line."""
    folder = tmp_path / "recouvrement"
    settings = settings_for(
        db.url, groups=GROUP, dunning={"collection": {"mode": "csv", "csv_dir": str(folder)}}
    )
    ladder_until_hand_over(db, settings, "F-CSV-1")
    [file] = list(folder.glob("*.csv"))
    assert file.name.startswith("20260330-F-CSV-1-")
    header, values, _, *history = list(csv.reader(io.StringIO(file.read_text(encoding="utf-8"))))
    facts = dict(zip(header, values, strict=True))
    assert (
        facts["number"] == "F-CSV-1"
        and facts["customer"] == "Globex Ltd"
        and facts["amount_due"] == "2400.00"
    )
    assert facts["penalty_days_late"] == str((dt.date(2026, 3, 30) - DUE).days)
    assert facts["penalty_indemnity"] == "40.00"
    types = [row[1] for row in history[1:]]
    assert "dispatch.sent" in types and "dunning.formal_notice" in types
    assert not [m for m in mails(db) if "recouvrement" in m.subject.lower()]


async def test_hand_over_through_the_agency_api(db: Database, monkeypatch) -> None:
    """Mode api: a JSON call queued in the outbox, posted after the commit with the agency's bearer token."""
    received: list[tuple[str, dict]] = []

    async def agency(request: web.Request) -> web.Response:
        received.append((request.headers.get("Authorization", ""), await request.json()))
        return web.json_response({"case": "A-1"}, status=201)

    app = web.Application()
    app.router.add_post("/cases", agency)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    monkeypatch.setenv("JALON_TEST_AGENCY_TOKEN", "agency-secret")
    try:
        collection = {
            "mode": "api",
            "api_url": f"http://127.0.0.1:{port}/cases",
            "api_token_env": "JALON_TEST_AGENCY_TOKEN",
        }
        settings = settings_for(db.url, groups=GROUP, dunning={"collection": collection})
        ladder_until_hand_over(db, settings, "F-API-9")
        sender = OutboxSender(settings, db, {"webhook": send_webhook})
        await sender.send_due(paris(2026, 3, 30, 10, 5))
    finally:
        await runner.cleanup()
    [(auth, body)] = received
    assert auth == "Bearer agency-secret"
    assert body["invoice"]["number"] == "F-API-9" and body["invoice"]["penalty"]["indemnity"] == "40.00"
    assert any(row["type"] == "dunning.formal_notice" for row in body["history"])
    with db.session() as session:
        [item] = session.scalars(select(Outbox).where(Outbox.kind == "webhook")).all()
        assert item.status == "sent"


def test_a_person_hands_over_at_once_from_a_button(db: Database) -> None:
    """'Hand over now': the agency gets the invoice and its history by mail; without an agency configured the
    button says what to set."""
    customer = add_customer(db, "K9", contacts=(("ap@k9.test", "buyer"),))
    add_sent_invoice(db, customer, "F-BTN", sent_at=paris(2026, 1, 5, 10), due=dt.date(2026, 2, 4))
    bare = settings_for(db.url)
    refused = actions.hand_over(db, bare, "F-BTN", actor="sophie")
    assert not refused.ok and "[dunning.collection]" in refused.message
    settings = settings_for(
        db.url, dunning={"collection": {"email": "dossiers@agence.test", "name": "Agence"}}
    )
    done = actions.hand_over(db, settings, "F-BTN", actor="sophie")
    assert done.ok and done.data["recipient"] == "dossiers@agence.test"
    [mail] = mails(db)
    assert mail.to == ["dossiers@agence.test"] and mail.attachments == ["F-BTN.pdf", "F-BTN-history.csv"]


def test_people_confirm_receipt_and_approval_by_hand(db: Database) -> None:
    """A phone call tells sales the invoice arrived and is approved: the milestones are met with that
    evidence, and an approval also proves receipt."""
    settings = settings_for(
        db.url,
        groups=[
            {
                "name": "publics",
                "milestones": [
                    {"name": "received", "expect": "received", "within": "7d", "after": "sent"},
                    {"name": "approved", "expect": "approved", "within": "15d", "after": "sent"},
                    {"name": "paid", "expect": "paid", "within": "0d", "after": "due"},
                ],
            }
        ],
    )
    customer = add_customer(db, "K10", group="publics")
    add_sent_invoice(db, customer, "F-TEL", sent_at=paris(2026, 3, 2, 10), due=dt.date(2026, 4, 30))
    scenarios.tick(db, settings, paris(2026, 3, 2, 11))
    assert actions.mark_approved(db, settings, "F-TEL", actor="sophie").ok
    with db.session() as session:
        invoice = actions.find_invoice(session, "F-TEL")
        assert invoice is not None
        data = timeline(session, settings, invoice, paris(2026, 3, 3))
    states = {m["name"]: (m["state"], (m["evidence"] or {}).get("type")) for m in data["milestones"]}
    assert states["received"] == ("met", "invoice.approved")
    assert states["approved"] == ("met", "invoice.approved")
    assert states["paid"][0] == "pending"
    assert not actions.mark_received(db, settings, "NOPE", actor="sophie").ok


def test_a_webhook_step_posts_the_invoice(db: Database) -> None:
    """A scenario may call a webhook (the ERP, a workflow tool): one outbox item per step, once."""
    settings = settings_for(
        db.url,
        scenarios=[
            {
                "name": "erp",
                "steps": [{"name": "notify", "at": "1d", "action": "webhook", "url": "http://erp.test/hook"}],
            }
        ],
        groups=[{"name": "erp", "scenario": "erp"}],
    )
    customer = add_customer(db, "K11", group="erp")
    add_sent_invoice(db, customer, "F-HOOK", sent_at=paris(2026, 3, 2, 10), due=dt.date(2026, 3, 10))
    for day in (2, 11, 12, 13):
        scenarios.tick(db, settings, paris(2026, 3, day, 10))
    with db.session() as session:
        [item] = session.scalars(select(Outbox).where(Outbox.kind == "webhook")).all()
        body = json.loads(json.dumps(item.payload))
    assert body["url"] == "http://erp.test/hook" and body["body"]["invoice"]["number"] == "F-HOOK"


def test_a_step_that_cannot_run_is_retried_then_becomes_a_case_without_holding_others_back(
    db: Database,
) -> None:
    """No collection agency configured: the hand-over fails (retried, then a case saying what to set), while
    another customer's reminder in the same batch still goes, once."""
    settings = settings_for(db.url, groups=GROUP)
    ladder_until_hand_over(db, settings, "F-NOAGENCY")
    other = add_customer(db, "K12", group="grands-comptes")
    add_sent_invoice(db, other, "F-VOISIN", sent_at=paris(2026, 2, 27, 10), due=dt.date(2026, 3, 27))
    scenarios.tick(db, settings, paris(2026, 2, 27, 11))  # enrolled; its J+1 falls on Monday 30 March
    first = scenarios.tick(db, settings, paris(2026, 3, 30, 10, 30))
    assert first.failed == 0 and first.done == 1, "the neighbour's reminder went; the hand-over waits"
    for hour in (11, 12, 13):  # the retries, minutes apart
        scenarios.tick(db, settings, paris(2026, 3, 30, hour))
    with db.session() as session:
        from jalon.models import Case, ScenarioStep

        step = session.scalars(select(ScenarioStep).where(ScenarioStep.name == "hand-over")).all()
        failed = [s for s in step if s.state == "failed"]
        assert len(failed) == 1 and "collection" in failed[0].result["error"]
        case = session.scalars(select(Case).where(Case.kind == "late", Case.state == "open")).one()
        assert "hand-over failed" in case.facts["reason"]
    voisin = [m for m in mails(db) if "F-VOISIN" in m.subject]
    assert len(voisin) == 1


def test_no_hand_over_before_the_formal_notice_and_its_eight_days(db: Database, tmp_path) -> None:
    """jalon was off for weeks: catching up, the formal notice is sent (never skipped for the hand-over it
    announces), and the agency gets the invoice only once the notice's 8 days have passed."""
    folder = tmp_path / "recouvrement"
    settings = settings_for(
        db.url, groups=GROUP, dunning={"collection": {"mode": "csv", "csv_dir": str(folder)}}
    )
    customer = add_customer(db, "K-LATE", group="grands-comptes", name="Globex Ltd")
    add_sent_invoice(db, customer, "F-LATE-1", sent_at=paris(2026, 1, 28, 10), due=DUE, amount="2400.00")
    scenarios.tick(db, settings, paris(2026, 1, 28, 10))
    scenarios.tick(db, settings, paris(2026, 3, 30, 10))  # past both the notice and the hand-over
    notices = [m for m in mails(db) if "mise en demeure" in m.subject.lower()]
    after_catch_up = list(folder.glob("*.csv"))
    scenarios.tick(db, settings, paris(2026, 4, 6, 10))  # seven days on: the customer still has one
    within_period = list(folder.glob("*.csv"))
    scenarios.tick(db, settings, paris(2026, 4, 8, 10))
    assert len(notices) == 1 and after_catch_up == [] and within_period == []
    assert len(list(folder.glob("*.csv"))) == 1
    # no reminder left before it (jalon was off): the notice does not claim "despite our reminders"
    assert "Malgré nos relances" not in notices[0].text and "Notre facture F-LATE-1" in notices[0].text


async def test_a_reminder_still_waiting_when_the_invoice_is_paid_never_reaches_the_customer(
    db: Database,
) -> None:
    """The relay was down: the reminder waited in the outbox, the customer paid meanwhile; when the relay
    comes back, the reminder is withdrawn (and says so on the invoice), not delivered."""
    from jalon.sink import MailSink

    sink = await MailSink(advertise_dsn=False).start()
    try:
        settings = settings_for(db.url, groups=GROUP, outbound={"host": "127.0.0.1", "port": sink.port})
        customer = add_customer(db, "K-PAID", group="grands-comptes", name="Globex Ltd")
        add_sent_invoice(db, customer, "F-PAID-1", sent_at=paris(2026, 1, 28, 10), due=DUE, amount="2400.00")
        scenarios.tick(db, settings, paris(2026, 1, 28, 10))
        scenarios.tick(db, settings, paris(2026, 3, 2, 10))  # a reminder queued, the relay down: still here
        queued = [m for m in mails(db) if "relance" in m.subject.lower()]
        assert actions.mark_paid(db, settings, "F-PAID-1", actor="ana").ok
        await OutboxSender(settings, db).send_due()  # the relay is back
        with db.session() as session:
            statuses = [o.status for o in session.scalars(select(Outbox).where(Outbox.kind == "mail"))]
        withdrawn = [e for e in timeline_events(db, "F-PAID-1") if e == "reminder.withdrawn"]
    finally:
        await sink.stop()
    assert len(queued) == 1 and sink.received == []
    assert statuses == ["cancelled"] and withdrawn == ["reminder.withdrawn"]


def timeline_events(database: Database, number: str) -> list[str]:
    from jalon.handlers.views import invoice_detail

    with database.session() as session:
        detail = invoice_detail(session, number)
    return [event["type"] for event in (detail or {}).get("events", [])]


def test_the_agency_is_told_once_when_a_handed_over_invoice_is_paid(db: Database, tmp_path) -> None:
    """Paid after the hand-over: at the next tick the agency gets a 'close the file' (here a CSV beside the
    hand-over), once, however many ticks follow."""
    folder = tmp_path / "recouvrement"
    settings = settings_for(
        db.url, groups=GROUP, dunning={"collection": {"mode": "csv", "csv_dir": str(folder)}}
    )
    ladder_until_hand_over(db, settings, "F-CLOS-1")
    [handed] = list(folder.glob("*.csv"))
    assert actions.mark_paid(db, settings, "F-CLOS-1", actor="ana").ok
    scenarios.tick(db, settings, paris(2026, 4, 9, 10))
    scenarios.tick(db, settings, paris(2026, 4, 10, 10))
    settled = sorted(set(folder.glob("*.csv")) - {handed})
    assert [path.name.endswith("-F-CLOS-1-paid.csv") for path in settled] == [True]
    rows = list(csv.reader(io.StringIO(settled[0].read_text(encoding="utf-8"))))
    assert rows[0][:3] == ["number", "customer", "state"] and rows[1][:3] == [
        "F-CLOS-1",
        "Globex Ltd",
        "paid",
    ]


def test_a_public_buyer_owes_ecb_plus_8_points_and_is_not_handed_to_an_agency(db: Database, tmp_path) -> None:
    """A hospital: the formal notice claims moratory interest at ECB + 8 points (public procurement code,
    not the Commercial Code's + 10), and no private agency gets the file: a person takes it up."""
    from jalon.models import Case, Customer

    folder = tmp_path / "recouvrement"
    settings = settings_for(
        db.url, groups=GROUP, dunning={"collection": {"mode": "csv", "csv_dir": str(folder)}}
    )
    customer = add_customer(db, "K-HOP", group="grands-comptes", name="Hôpital Saint-Louis")
    with db.session() as session:
        session.get(Customer, customer).public_buyer = True  # type: ignore[union-attr]
    add_sent_invoice(db, customer, "F-HOP-1", sent_at=paris(2026, 1, 28, 10), due=DUE, amount="2400.00")
    for day in (dt.date(2026, 1, 28), dt.date(2026, 3, 2), dt.date(2026, 3, 19), dt.date(2026, 4, 8)):
        scenarios.tick(db, settings, paris(day.year, day.month, day.day, 10))
    [notice] = [m for m in mails(db) if "mise en demeure" in m.subject.lower()]
    with db.session() as session:
        titles = [c.title for c in session.scalars(select(Case).where(Case.kind == "late"))]
    rate = settings.dunning.ecb_rate + 8  # 2.15 + 8
    assert f"({rate} % l'an" in notice.text, notice.text
    assert "Code de la commande publique" in notice.text and "L441-10" not in notice.text
    assert list(folder.glob("*.csv")) == [] and titles
