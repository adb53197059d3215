"""Whole reminder and dunning ladders run with a fake clock: when each step goes, what the customer reads, and
what a person is finally asked to do."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from scenarios_kit import add_customer, add_sent_invoice, mails, paris, settings_for
from sqlalchemy import select

from jalon import scenarios
from jalon.db import Database
from jalon.models import Case, Invoice, Milestone, ScenarioStep
from jalon.timeline import timeline

FRIDAY_BEFORE_DST = dt.date(
    2026, 3, 27
)  # clocks go forward on Sunday 29 March 2026; 6 April is Easter Monday


def run_days(database: Database, settings, start: dt.date, end: dt.date, hour: int = 10) -> None:
    """Tick once a day at `hour` (Paris) from start to end, as a scheduler would (only more sparsely)."""
    day = start
    while day <= end:
        scenarios.tick(database, settings, paris(day.year, day.month, day.day, hour))
        day += dt.timedelta(days=1)


def local(mail_date: str) -> dt.datetime:
    """A mail's Date header, in Paris time."""
    from email.utils import parsedate_to_datetime
    from zoneinfo import ZoneInfo

    return parsedate_to_datetime(mail_date).astimezone(ZoneInfo("Europe/Paris"))


def kind(subject: str) -> str:
    """What a subject announces: the words before the colon."""
    return subject.split(":")[0].strip()


def test_a_newcomer_gets_a_courtesy_reminder_then_reminders_then_a_case(db: Database) -> None:
    """With no configuration at all, an unpaid invoice gets a courtesy reminder before its due date, two
    reminders after it on business days, and then lands with a person as a 'late' case."""
    settings = settings_for(db.url)
    customer = add_customer(db, "C1", contacts=(("achats@c1.test", "buyer"), ("compta@c1.test", "payer")))
    sent = add_sent_invoice(db, customer, "F-2026-001", sent_at=paris(2026, 2, 26, 11), due=FRIDAY_BEFORE_DST)

    run_days(db, settings, dt.date(2026, 2, 26), dt.date(2026, 4, 20))

    got = mails(db)
    subjects = [(m.to[0], kind(m.subject)) for m in got]
    assert subjects == [
        ("achats@c1.test", "Facture F-2026-001"),
        ("compta@c1.test", "Facture F-2026-001"),
        ("achats@c1.test", "Relance"),
        ("compta@c1.test", "Relance"),
        ("achats@c1.test", "Deuxième relance"),
        ("compta@c1.test", "Deuxième relance"),
    ]
    sent_on = sorted({local(m.date).date() for m in got})
    # Courtesy J-5 fell on a Sunday: Monday. J+1 on a Saturday: Monday. J+8 on Saturday 4 April, and
    # Monday 6 April is Easter Monday: Tuesday.
    assert sent_on == [dt.date(2026, 3, 23), dt.date(2026, 3, 30), dt.date(2026, 4, 7)]
    assert "1\u202f200,00 €" in got[2].text and "27/03/2026" in got[2].text
    with db.session() as session:
        [case] = session.scalars(select(Case).where(Case.invoice_id == sent.invoice_id)).all()
        paid = session.scalar(
            select(Milestone).where(Milestone.invoice_id == sent.invoice_id, Milestone.name == "paid")
        )
        assert case.kind == "late" and case.state == "open" and case.facts["milestone"] == "paid"
        assert paid is not None and paid.state == "excepted"
        assert case.opened_at is not None


def test_steps_follow_the_wall_clock_across_the_daylight_saving_change(db: Database) -> None:
    """Steps go at 09:00 Paris time whether it is winter (08:00 UTC) or summer (07:00 UTC) time."""
    settings = settings_for(db.url)
    customer = add_customer(db, "C2")
    sent = add_sent_invoice(db, customer, "F-DST", sent_at=paris(2026, 3, 2, 11), due=FRIDAY_BEFORE_DST)
    scenarios.tick(db, settings, paris(2026, 3, 2, 12))  # enrolment

    utc = dt.UTC
    scenarios.tick(db, settings, dt.datetime(2026, 3, 23, 7, 59, tzinfo=utc))
    assert mails(db) == [], "08:59 in Paris: too early"
    scenarios.tick(db, settings, dt.datetime(2026, 3, 23, 8, 0, tzinfo=utc))
    assert len(mails(db)) == 1, "09:00 CET: the courtesy reminder"
    scenarios.tick(db, settings, dt.datetime(2026, 3, 30, 6, 59, tzinfo=utc))
    assert len(mails(db)) == 1, "08:59 CEST: too early"
    scenarios.tick(db, settings, dt.datetime(2026, 3, 30, 7, 0, tzinfo=utc))
    assert len(mails(db)) == 2, "09:00 CEST: the first reminder"
    with db.session() as session:
        steps = {
            s.name: s.due_at
            for s in session.scalars(select(ScenarioStep).where(ScenarioStep.invoice_id == sent.invoice_id))
        }
    assert local_hour(steps["courtesy"]) == local_hour(steps["reminder-1"]) == 9


def local_hour(instant: dt.datetime) -> int:
    from zoneinfo import ZoneInfo

    return instant.astimezone(ZoneInfo("Europe/Paris")).hour


def test_public_holidays_and_weekends_push_reminders_to_the_next_business_day(db: Database) -> None:
    """Due on Thursday 30 April: J+1 is 1 May (a public holiday, then a weekend), so the reminder goes on
    Monday 4 May; J+8 is 8 May (another holiday, a Friday): Monday 11 May."""
    settings = settings_for(db.url)
    customer = add_customer(db, "C3")
    add_sent_invoice(db, customer, "F-MAI", sent_at=paris(2026, 4, 1, 11), due=dt.date(2026, 4, 30))
    run_days(db, settings, dt.date(2026, 4, 1), dt.date(2026, 5, 12), hour=15)
    dates = [local(m.date).date() for m in mails(db)]
    assert dates == [dt.date(2026, 4, 27), dt.date(2026, 5, 4), dt.date(2026, 5, 11)]


def test_formal_notice_charges_the_legal_penalties_then_the_agency_takes_over(db: Database) -> None:
    """A 'grands-comptes' customer follows the standard B2B ladder: formal notice at J+20 with penalties at
    the ECB rate + 10 points over the days late and the 40 € indemnity, the invoice attached; hand-over to
    the collection agency at J+30 with the invoice and its history; a case at J+45."""
    settings = settings_for(
        db.url,
        groups=[{"name": "grands-comptes", "scenario": "standard-b2b"}],
        dunning={
            "ecb_rate": "2.15",
            "collection": {
                "email": "dossiers@recouvrement.test",
                "name": "Recouvra",
                "address": "12 rue du Sentier, 75002 Paris",
            },
        },
    )
    customer = add_customer(
        db, "GC1", group="grands-comptes", contacts=(("ap@gc1.test", "payer"), ("dg@gc1.test", "head_office"))
    )
    due = dt.date(2026, 2, 27)
    sent = add_sent_invoice(db, customer, "F-GC-7", sent_at=paris(2026, 1, 28, 10), due=due, amount="1200.00")

    run_days(db, settings, dt.date(2026, 1, 28), dt.date(2026, 4, 20))

    got = mails(db)
    notices = [m for m in got if m.subject.startswith("Mise en demeure")]
    assert sorted(m.to[0] for m in notices) == ["ap@gc1.test", "dg@gc1.test"]
    notice = notices[0]
    notice_day = local(notice.date).date()
    assert notice_day == dt.date(2026, 3, 19)  # J+20, a Thursday
    days = (notice_day - due).days
    interest = (Decimal("1200.00") * Decimal("12.15") * days / Decimal(36500)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    euros = f"{interest:.2f}".replace(".", ",") + " €"
    total = f"{Decimal('1200.00') + interest + 40:,.2f}".replace(",", "\u202f").replace(".", ",") + " €"
    assert f"12.15 % l'an sur {days} jours" in notice.text and euros in notice.text
    assert "40,00 €" in notice.text and total in notice.text
    assert notice.attachments == ["F-GC-7.pdf"]
    assert "Recouvra (12 rue du Sentier, 75002 Paris)" in notice.text

    [handover] = [m for m in got if m.to == ["dossiers@recouvrement.test"]]
    assert local(handover.date).date() == dt.date(2026, 3, 30)  # J+30 is a Sunday
    assert handover.attachments == ["F-GC-7.pdf", "F-GC-7-history.csv"]
    assert "dunning.formal_notice" in handover.text and "F-GC-7" in handover.subject
    after = [m for m in got if local(m.date).date() > dt.date(2026, 3, 30)]
    assert after == [], "once handed over, jalon stops writing to the customer"
    with db.session() as session:
        [case] = session.scalars(
            select(Case).where(Case.invoice_id == sent.invoice_id, Case.kind == "late")
        ).all()
        assert case.state == "open"


def test_downtime_catches_up_with_the_latest_step_only(db: Database) -> None:
    """jalon was down from before the courtesy reminder until after the second reminder: on return, the
    customer gets the second reminder only, never a burst of three stale mails."""
    settings = settings_for(db.url)
    customer = add_customer(db, "C4")
    sent = add_sent_invoice(db, customer, "F-DOWN", sent_at=paris(2026, 3, 2, 11), due=FRIDAY_BEFORE_DST)
    scenarios.tick(db, settings, paris(2026, 3, 2, 12))
    report = scenarios.tick(db, settings, paris(2026, 4, 8, 10))
    got = mails(db)
    assert [kind(m.subject) for m in got] == ["Deuxième relance"]
    assert report.skipped == 2
    with db.session() as session:
        states = {
            s.name: (s.state, (s.result or {}).get("reason", ""))
            for s in session.scalars(select(ScenarioStep).where(ScenarioStep.invoice_id == sent.invoice_id))
        }
    assert states["courtesy"][0] == "skipped" and states["reminder-1"][0] == "skipped"
    assert "superseded by reminder-2" in states["reminder-1"][1]
    assert states["reminder-2"][0] == "done" and states["case"][0] == "scheduled"


def test_quiet_hours_hold_a_reminder_until_the_morning(db: Database) -> None:
    """A tick at 22:00 finds a reminder due: it waits for 09:00 the next business day, then goes once."""
    settings = settings_for(db.url)
    customer = add_customer(db, "C5")
    add_sent_invoice(db, customer, "F-NUIT", sent_at=paris(2026, 3, 2, 11), due=dt.date(2026, 3, 10))
    scenarios.tick(db, settings, paris(2026, 3, 2, 12))
    report = scenarios.tick(db, settings, paris(2026, 3, 5, 22))  # courtesy due 5 March 09:00
    assert report.parked == 1 and mails(db) == []
    scenarios.tick(db, settings, paris(2026, 3, 6, 8, 59))
    assert mails(db) == []
    scenarios.tick(db, settings, paris(2026, 3, 6, 9, 0))
    scenarios.tick(db, settings, paris(2026, 3, 6, 9, 5))
    assert len(mails(db)) == 1


def test_repeated_ticks_never_send_twice(db: Database) -> None:
    """Ticking again and again at the same moment (or a bit later) sends each step's mail once."""
    settings = settings_for(db.url)
    customer = add_customer(db, "C6")
    add_sent_invoice(db, customer, "F-ONCE", sent_at=paris(2026, 3, 2, 11), due=dt.date(2026, 3, 10))
    for minute in (0, 0, 1, 2, 30):
        scenarios.tick(db, settings, paris(2026, 3, 5, 10, minute))
    assert len(mails(db)) == 1


def test_one_customer_gets_one_mail_listing_its_due_invoices(db: Database) -> None:
    """Three invoices of one customer fall due the same day: one reminder listing the three, not three."""
    settings = settings_for(db.url)
    customer = add_customer(db, "C7")
    other = add_customer(db, "C8")
    for number, amount in (("F-A", "100.00"), ("F-B", "250.50"), ("F-C", "1000.00")):
        add_sent_invoice(
            db, customer, number, sent_at=paris(2026, 3, 2, 11), due=dt.date(2026, 3, 13), amount=amount
        )
    add_sent_invoice(db, other, "F-D", sent_at=paris(2026, 3, 2, 11), due=dt.date(2026, 3, 13))
    scenarios.tick(db, settings, paris(2026, 3, 2, 12))
    scenarios.tick(db, settings, paris(2026, 3, 16, 10))  # J+1 was a Saturday
    got = mails(db)
    assert sorted(m.to[0] for m in got) == ["compta@c7.test", "compta@c8.test"]
    [grouped] = [m for m in got if m.to == ["compta@c7.test"]]
    assert "3 factures" in grouped.subject
    for number in ("F-A", "F-B", "F-C"):
        assert number in grouped.text
    assert "1\u202f350,50 €" in grouped.text
    assert "mise en demeure" not in grouped.text  # a first reminder threatens nothing yet

    scenarios.tick(db, settings, paris(2026, 3, 23, 10))  # J+8 (+2 for the weekend): the second reminders
    [second] = [m for m in mails(db)[len(got) :] if m.to == ["compta@c7.test"]]
    assert second.subject.startswith("Deuxième relance : 3 factures")
    assert "sous huit jours" in second.text and "mise en demeure" in second.text


def test_a_tick_that_dies_before_committing_leaves_nothing_behind(db: Database) -> None:
    """A process claims a reminder and dies mid-batch (before its commit): no mail is queued; the step is
    claimable again once its lease ends, and then runs exactly once."""
    settings = settings_for(db.url, scheduler={"lease": "2m"})
    customer = add_customer(db, "C9")
    add_sent_invoice(db, customer, "F-CRASH", sent_at=paris(2026, 3, 2, 11), due=dt.date(2026, 3, 10))
    scenarios.tick(db, settings, paris(2026, 3, 2, 12))
    now = paris(2026, 3, 5, 10)
    ids = scenarios.claim_due(db, settings, now, owner="doomed", limit=10)
    assert ids, "the courtesy reminder is due"
    from jalon.businesstime import BusinessCalendar
    from jalon.steps import Runner

    class Crash(Exception):
        pass

    try:
        with db.session() as session:
            report = scenarios.TickReport(now)
            Runner(
                session, settings, BusinessCalendar.from_settings(settings), now, "doomed", report, []
            ).run(ids)
            assert report.done == 1, "the step ran inside the transaction…"
            raise Crash("…and the process died before the commit")
    except Crash:
        pass
    assert mails(db) == []
    assert scenarios.tick(db, settings, now + dt.timedelta(minutes=1)).done == 0, (
        "still leased to the dead one"
    )
    later = scenarios.tick(db, settings, now + dt.timedelta(minutes=3))
    assert later.done == 1
    scenarios.tick(db, settings, now + dt.timedelta(minutes=10))
    assert len(mails(db)) == 1


def test_a_restarted_jalon_resumes_the_ladder_where_it_stood(db: Database, tmp_path) -> None:
    """Ticks from a new process (a new owner) after a restart go on with the same ladder, no step twice."""
    settings = settings_for(db.url)
    customer = add_customer(db, "C10")
    add_sent_invoice(db, customer, "F-RESTART", sent_at=paris(2026, 3, 2, 11), due=FRIDAY_BEFORE_DST)
    scenarios.tick(db, settings, paris(2026, 3, 2, 12), owner="before-restart")
    scenarios.tick(db, settings, paris(2026, 3, 23, 10), owner="before-restart")
    db.dispose()
    again = Database(db.url)
    try:
        for day in (23, 30, 31):
            scenarios.tick(again, settings, paris(2026, 3, day, 10), owner="after-restart")
        subjects = [kind(m.subject) for m in mails(again)]
    finally:
        again.dispose()
    assert subjects == ["Facture F-RESTART", "Relance"]


def test_an_invoice_without_due_date_is_due_after_the_default_terms(db: Database) -> None:
    """No due date on the invoice: payment is expected 30 days after issue, and the timeline says so."""
    settings = settings_for(db.url)
    customer = add_customer(db, "C11")
    sent = add_sent_invoice(
        db, customer, "F-NODUE", sent_at=paris(2026, 3, 2, 11), due=None, issued=dt.date(2026, 3, 2)
    )
    scenarios.tick(db, settings, paris(2026, 3, 2, 12))
    with db.session() as session:
        invoice = session.get(Invoice, sent.invoice_id)
        data = timeline(session, settings, invoice, paris(2026, 3, 2, 12))
    paid = next(m for m in data["milestones"] if m["name"] == "paid")
    assert paid["due_at"] == paris(2026, 4, 2).isoformat()  # the end of 1 April, i.e. 2 April 00:00 Paris
