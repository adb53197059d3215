"""No reminder while a dispute is open, a promise is live or a payment is announced; reminders resume when a
promise lapses; payment stops everything; milestones are met by real evidence only, and late cases close
themselves when the invoice gets unstuck."""

from __future__ import annotations

import datetime as dt

import pytest
from scenarios_kit import add_customer, add_sent_invoice, mails, paris, pause, record, settings_for
from sqlalchemy import select

from jalon import scenarios
from jalon.config import ConfigError, load_dict
from jalon.db import Database
from jalon.handlers import actions
from jalon.models import Case, Event, Invoice, ScenarioStep
from jalon.timeline import timeline

DUE = dt.date(2026, 3, 13)  # a Friday: courtesy Monday 9 March, J+1 Monday 16, J+8 Monday 23, case Monday 30


def subjects(database: Database) -> list[str]:
    return [m.subject.split(":")[0].strip() for m in mails(database)]


def tick_on(database: Database, settings, *days: tuple[int, int]) -> None:
    for month, day in days:
        scenarios.tick(database, settings, paris(2026, month, day, 10))


def steps_of(database: Database, invoice_id: int) -> dict[str, str]:
    with database.session() as session:
        found = session.scalars(select(ScenarioStep).where(ScenarioStep.invoice_id == invoice_id))
        return {s.name: s.state for s in found if s.action != "check"}


def test_a_dispute_silences_reminders_until_a_person_resolves_it(db: Database) -> None:
    """Disputed before the due date: no reminder at all; once resolved, the latest due reminder goes."""
    settings = settings_for(db.url)
    customer = add_customer(db, "D1")
    sent = add_sent_invoice(db, customer, "F-LITIGE", sent_at=paris(2026, 2, 12, 10), due=DUE)
    tick_on(db, settings, (2, 12), (3, 9))
    assert subjects(db) == ["Facture F-LITIGE"], "the courtesy reminder before the dispute"
    assert actions.mark_disputed(db, settings, "F-LITIGE", actor="sophie", reason="prix erroné").ok
    tick_on(db, settings, (3, 16), (3, 23), (3, 24))
    assert subjects(db) == ["Facture F-LITIGE"], "nothing while disputed"
    assert steps_of(db, sent.invoice_id)["reminder-2"] == "scheduled", "waiting, not dropped"

    result = actions.resolve_dispute(db, settings, "F-LITIGE", actor="sophie", resolution="avoir émis")
    assert result.ok and result.data["released_steps"] >= 1
    tick_on(db, settings, (3, 24))
    assert subjects(db) == ["Facture F-LITIGE", "Deuxième relance"], "the latest step only"
    with db.session() as session:
        dispute = session.scalars(select(Case).where(Case.kind == "dispute")).one()
        assert dispute.state == "closed"


def test_a_promise_pauses_reminders_and_a_broken_one_brings_them_back(db: Database) -> None:
    """'We will pay on the 20th': no reminder until the promise (and its grace) runs out; then the reminder
    recalls the promised date, and the lapse is in the history."""
    settings = settings_for(db.url)
    customer = add_customer(db, "D2")
    sent = add_sent_invoice(db, customer, "F-PROMESSE", sent_at=paris(2026, 2, 12, 10), due=DUE)
    tick_on(db, settings, (2, 12), (3, 9))
    record(db, sent.invoice_id, "payment.promised", paris(2026, 3, 14, 9), promised_date="2026-03-20")
    pause(db, sent.invoice_id, paris(2026, 3, 23), "promise")  # what the reply handler does (+3 days)
    tick_on(db, settings, (3, 16), (3, 20), (3, 21))
    assert subjects(db) == ["Facture F-PROMESSE"]
    tick_on(db, settings, (3, 23))
    got = mails(db)
    assert [m.subject.split(":")[0].strip() for m in got] == ["Facture F-PROMESSE", "Deuxième relance"]
    assert "20/03/2026" in got[-1].text, "the reminder recalls the broken promise"
    with db.session() as session:
        lapsed = session.scalars(select(Event).where(Event.type == "payment.promise_lapsed")).all()
        invoice = session.get(Invoice, sent.invoice_id)
        assert len(lapsed) == 1 and invoice is not None and invoice.paused_until is None


def test_a_dispute_on_one_invoice_pauses_the_customers_other_reminders(db: Database) -> None:
    """By default a customer with an open dispute gets no reminder at all; `pause_scope = "invoice"`
    keeps reminding its other invoices."""
    for scope, expected in (("customer", []), ("invoice", ["Relance"])):
        database = db
        settings = settings_for(db.url, dunning={"pause_scope": scope})
        customer = add_customer(database, f"D3{scope}")
        add_sent_invoice(database, customer, f"F-X-{scope}", sent_at=paris(2026, 2, 12, 10), due=DUE)
        other = add_sent_invoice(database, customer, f"F-Y-{scope}", sent_at=paris(2026, 2, 12, 10), due=DUE)
        tick_on(database, settings, (2, 12))
        assert actions.mark_disputed(database, settings, f"F-X-{scope}", actor="sophie", reason="x").ok
        before = len(mails(database))
        tick_on(database, settings, (3, 16))
        new = [m for m in mails(database)[before:] if f"F-Y-{scope}" in m.subject]
        assert [m.subject.split(":")[0].strip() for m in new] == expected, scope
        assert steps_of(database, other.invoice_id)["courtesy"] == "skipped"


def test_paid_stops_every_step_and_closes_the_late_case(db: Database) -> None:
    """The customer pays after the ladder ran out: the late case closes itself and nothing more is sent;
    another invoice paid midway never gets its next reminder."""
    settings = settings_for(db.url)
    customer = add_customer(db, "D4")
    late = add_sent_invoice(db, customer, "F-TARD", sent_at=paris(2026, 2, 12, 10), due=DUE)
    other = add_customer(db, "D5")
    midway = add_sent_invoice(db, other, "F-MILIEU", sent_at=paris(2026, 2, 12, 10), due=DUE)
    tick_on(db, settings, (2, 12), (3, 9), (3, 16))
    assert actions.mark_paid(db, settings, "F-MILIEU", actor="compta").ok
    tick_on(db, settings, (3, 23), (3, 30))
    with db.session() as session:
        [case] = session.scalars(select(Case).where(Case.invoice_id == late.invoice_id)).all()
        assert case.kind == "late" and case.state == "open"
    assert set(steps_of(db, midway.invoice_id).values()) == {"done", "cancelled"}
    assert [m for m in mails(db) if "F-MILIEU" in m.subject and "Deuxième" in m.subject] == []

    result = actions.mark_paid(db, settings, "F-TARD", actor="compta", paid_on="2026-03-31")
    assert result.ok and result.data["state"] == "paid"
    with db.session() as session:
        case = session.scalars(select(Case).where(Case.invoice_id == late.invoice_id)).one()
        assert case.state == "closed" and "paid" in (case.resolution or "")
    data = timeline_of(db, settings, "F-TARD")
    paid = next(m for m in data["milestones"] if m["name"] == "paid")
    assert paid["state"] == "met" and paid["evidence"]["type"] == "invoice.paid"


def test_a_partial_payment_keeps_reminding_for_the_rest(db: Database) -> None:
    """Half paid: the reminder asks for the other half, and the invoice stays open."""
    settings = settings_for(db.url)
    customer = add_customer(db, "D6")
    add_sent_invoice(db, customer, "F-MOITIE", sent_at=paris(2026, 2, 12, 10), due=DUE, amount="1000.00")
    tick_on(db, settings, (2, 12))
    result = actions.mark_paid(db, settings, "F-MOITIE", actor="compta", amount="400")
    assert result.ok and result.data["remaining"] == "600.00" and result.data["state"] == "sent"
    tick_on(db, settings, (3, 16))
    [reminder] = [m for m in mails(db) if m.subject.startswith("Relance")]
    assert "600,00 €" in reminder.text


def timeline_of(database: Database, settings, number: str) -> dict:
    with database.session() as session:
        invoice = actions.find_invoice(session, number)
        assert invoice is not None
        return timeline(session, settings, invoice, paris(2026, 6, 1))


def test_received_is_met_by_a_person_downloading_never_by_a_scanner(db: Database) -> None:
    """A link scanner's hit is a hint and meets nothing; a download by a person meets 'received', and the
    timeline shows that event as the evidence."""
    settings = settings_for(db.url)
    customer = add_customer(db, "D7")
    sent = add_sent_invoice(db, customer, "F-RECU", sent_at=paris(2026, 3, 2, 10), due=dt.date(2026, 4, 30))
    tick_on(db, settings, (3, 2))
    record(db, sent.invoice_id, "dispatch.downloaded", paris(2026, 3, 2, 10, 1), level="hint", hint="scanner")
    record(
        db, sent.invoice_id, "reply.received", paris(2026, 3, 3, 9), intent="not_received", level="confirmed"
    )
    received = next(m for m in timeline_of(db, settings, "F-RECU")["milestones"] if m["name"] == "received")
    assert received["state"] == "late" and received["evidence"] is None
    record(db, sent.invoice_id, "dispatch.downloaded", paris(2026, 3, 4, 14), level="confirmed")
    data = timeline_of(db, settings, "F-RECU")
    received = next(m for m in data["milestones"] if m["name"] == "received")
    assert received["state"] == "met" and received["evidence"]["type"] == "dispatch.downloaded"
    assert received["met_at"] == paris(2026, 3, 4, 14).isoformat()
    delivered = next(m for m in data["milestones"] if m["name"] == "delivered")
    assert delivered["state"] == "met", "a person downloading it proves it was delivered too"


def test_a_late_milestone_case_closes_itself_once_the_evidence_arrives(db: Database) -> None:
    """A group expects an acknowledgement within 3 days, with no step: late -> a case; the customer's read
    receipt does not close it (read is not acknowledged), its acknowledgement does."""
    settings = settings_for(
        db.url,
        groups=[
            {
                "name": "publics",
                "milestones": [
                    {"name": "acknowledged", "expect": "acknowledged", "within": "3d", "after": "sent"},
                    {"name": "paid", "expect": "paid", "within": "0d", "after": "due"},
                ],
            }
        ],
    )
    customer = add_customer(db, "D8", group="publics")
    sent = add_sent_invoice(db, customer, "F-ACK", sent_at=paris(2026, 3, 2, 10), due=dt.date(2026, 5, 29))
    tick_on(db, settings, (3, 2), (3, 6))
    with db.session() as session:
        case = session.scalars(select(Case).where(Case.invoice_id == sent.invoice_id)).one()
        assert case.state == "open" and case.facts["milestone"] == "acknowledged"
    record(db, sent.invoice_id, "dispatch.read", paris(2026, 3, 6, 11), level="confirmed")
    tick_on(db, settings, (3, 7))
    with db.session() as session:
        assert session.scalars(select(Case).where(Case.invoice_id == sent.invoice_id)).one().state == "open"
    record(db, sent.invoice_id, "invoice.acknowledged", paris(2026, 3, 9, 11), level="confirmed")
    report = scenarios.tick(db, settings, paris(2026, 3, 9, 12))
    assert report.closed_cases == 1
    with db.session() as session:
        case = session.scalars(select(Case).where(Case.invoice_id == sent.invoice_id)).one()
        assert case.state == "closed" and "invoice.acknowledged" in (case.resolution or "")


def test_a_customer_can_be_taken_out_of_dunning(db: Database) -> None:
    """A customer whose directory settings say `dunning = false` is tracked but never reminded."""
    settings = settings_for(db.url)
    customer = add_customer(db, "D9", settings={"dunning": False})
    sent = add_sent_invoice(db, customer, "F-SANS", sent_at=paris(2026, 2, 12, 10), due=DUE)
    tick_on(db, settings, (2, 12), (3, 9), (3, 16), (3, 23))
    assert mails(db) == [] and steps_of(db, sent.invoice_id) == {}
    names = [m["name"] for m in timeline_of(db, settings, "F-SANS")["milestones"]]
    assert names == ["delivered", "received", "paid"]


def test_a_scenario_that_cannot_run_is_refused_at_load() -> None:
    """A step following a milestone its group does not track is named at start, not discovered at night."""
    with pytest.raises(ConfigError, match=r"groups.*step 'valider'.*milestone 'approved'"):
        load_dict(
            {
                "scenarios": [
                    {"name": "s", "steps": [{"name": "valider", "at": "2d", "milestone": "approved"}]}
                ],
                "groups": [{"name": "g", "scenario": "s"}],
            }
        )
    with pytest.raises(ConfigError, match=r"no scenario 'inconnu'"):
        load_dict({"groups": [{"name": "g", "scenario": "inconnu"}]})
    with pytest.raises(ConfigError, match=r"quiet_hours"):
        load_dict({"scheduler": {"quiet_hours": "22h-7h"}})


def test_the_customers_other_reminders_resume_when_the_disputed_invoice_is_settled(db: Database) -> None:
    """The disputed invoice gets paid without anyone lifting the dispute: the customer's other invoice is no
    longer held back, and its latest due reminder goes at the next tick."""
    settings = settings_for(db.url)
    customer = add_customer(db, "D10")
    add_sent_invoice(db, customer, "F-LIT-A", sent_at=paris(2026, 2, 12, 10), due=DUE)
    add_sent_invoice(db, customer, "F-LIT-B", sent_at=paris(2026, 2, 12, 10), due=DUE)
    tick_on(db, settings, (2, 12))
    assert actions.mark_disputed(db, settings, "F-LIT-A", actor="sophie", reason="quantités").ok
    tick_on(db, settings, (3, 16), (3, 17))
    assert not [m for m in mails(db) if "F-LIT-B" in m.subject and m.subject.startswith("Relance")]
    assert actions.mark_paid(db, settings, "F-LIT-A", actor="compta").ok
    tick_on(db, settings, (3, 17))
    assert [m.subject.split(":")[0].strip() for m in mails(db) if "F-LIT-B" in m.subject] == ["Relance"]


def test_a_settled_dispute_goes_on_where_the_ladder_stood_not_at_a_formal_notice(db: Database) -> None:
    """Disputed ten days after the due date, settled three weeks later: the clock stood still meanwhile, so
    the next step is the one that was coming (no formal notice 'despite our reminders' the day after)."""
    settings = settings_for(db.url, groups=[{"name": "b2b", "scenario": "standard-b2b"}])
    customer = add_customer(db, "D9", group="b2b")
    add_sent_invoice(db, customer, "F-SUITE", sent_at=paris(2026, 2, 2, 10), due=dt.date(2026, 3, 2))
    tick_on(db, settings, (2, 2), (3, 3), (3, 10))  # reminders 1 and 2 left
    assert actions.mark_disputed(
        db, settings, "F-SUITE", actor="sophie", reason="quantité", now=paris(2026, 3, 12, 10)
    ).ok
    tick_on(db, settings, (3, 23))  # the formal notice's day: nothing while disputed
    assert actions.resolve_dispute(db, settings, "F-SUITE", actor="sophie", now=paris(2026, 4, 2, 10)).ok
    tick_on(db, settings, (4, 3))
    after_settling = subjects(db)
    tick_on(db, settings, (4, 14))  # 20 days after the due date, plus the 21 the dispute lasted
    later = subjects(db)
    assert not [s for s in after_settling if "mise en demeure" in s.lower()]
    assert [s for s in later if "mise en demeure" in s.lower()]


def test_a_disputed_invoice_gets_no_second_late_card(db: Database) -> None:
    """The dispute has its case; the ladder's 'case' step does not open another one asking the same thing."""
    settings = settings_for(db.url)
    customer = add_customer(db, "D10")
    add_sent_invoice(db, customer, "F-UNE-CARTE", sent_at=paris(2026, 2, 12, 10), due=DUE)
    tick_on(db, settings, (2, 12), (3, 9))
    assert actions.mark_disputed(db, settings, "F-UNE-CARTE", actor="sophie", reason="prix").ok
    tick_on(db, settings, (3, 16), (3, 23), (3, 30), (4, 6))
    with db.session() as session:
        kinds = sorted(c.kind for c in session.scalars(select(Case).where(Case.state == "open")))
    assert kinds == ["dispute"]
