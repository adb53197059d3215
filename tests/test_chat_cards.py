"""A case reads the same everywhere: the neutral card, the terminal card, the daily digest per channel."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from chat_servers import SLACK_TOKEN, FakeSlack, chat_settings

from jalon import app as app_module
from jalon.bot import cards, chat, terminal
from jalon.bot.buttons import identify, perform, refusal
from jalon.config import Settings
from jalon.db import Database, utcnow
from jalon.handlers import cases
from jalon.models import Customer, Invoice

FINDING = {
    "code": "missing_po",
    "severity": "error",
    "message": "This customer requires a purchase-order number; the invoice has none.",
}


def held(database: Database, number: str, amount: str, *, group: str = "pme", currency: str = "EUR") -> int:
    """A held invoice of a customer of `group`, with its case, as the pipeline leaves them."""
    with database.session() as session:
        customer = session.query(Customer).filter_by(code=f"C-{group}").one_or_none()
        if customer is None:
            customer = Customer(code=f"C-{group}", name=f"Client {group}", group=group)
            session.add(customer)
            session.flush()
        invoice = Invoice(
            number=number,
            issuer="732829320",
            customer_id=customer.id,
            state="held",
            total_with_vat=Decimal(amount),
            currency=currency,
            findings=[FINDING],
        )
        session.add(invoice)
        session.flush()
        case = cases.open_case(
            session,
            "held",
            f"Invoice {number} held before sending",
            key=cases.case_key("held", "invoice", invoice.id),
            facts={"number": number, "findings": [FINDING]},
            invoice_id=invoice.id,
            customer_id=customer.id,
        )
        return case.id


def settings_for(db: Database, **sections: object) -> Settings:
    return chat_settings(db.url, 25, **sections)


def test_held_case_card_has_facts_findings_and_the_buttons_that_can_work(db: Database) -> None:
    """A held invoice with a blocking finding offers 'Release anyway' (with a reason), not a plain Release."""
    case_id = held(db, "FA-1", "1200.50")
    with db.session() as session:
        card = cards.build(session, case_id)
    assert card is not None and card.open
    assert ("Invoice", "FA-1") in card.facts and ("Amount", "1 200.50 EUR") in card.facts
    assert card.evidence == [f"error: {FINDING['message']}"]
    assert [b.action for b in card.buttons] == ["release_anyway", "cancel", "assign_to_me"]
    assert card.buttons[0].ask is not None and card.buttons[0].role == "supervisor"


def test_a_card_tells_times_in_the_time_zone_of_the_people_who_read_it(db: Database) -> None:
    """A case opened at 09:30 UTC in winter reads 10:30 CET for a team in Paris, 09:30 UTC by default."""
    import datetime as dt

    from jalon.models import Case

    case_id = held(db, "FA-3", "10.00")
    with db.session() as session:
        session.get(Case, case_id).opened_at = dt.datetime(2026, 1, 15, 9, 30, tzinfo=dt.UTC)
    with db.session() as session:
        paris = cards.build(session, case_id, zone="Europe/Paris")
        utc = cards.build(session, case_id)
    assert any("Opened 2026-01-15 10:30 CET" in line for line in paris.status)  # type: ignore[union-attr]
    assert any("Opened 2026-01-15 09:30 UTC" in line for line in utc.status)  # type: ignore[union-attr]


def test_terminal_card_shows_what_a_person_needs_and_closes_with_who_did_it(db: Database) -> None:
    """The demo's terminal card reads like the chat one; once settled, it says who did what and no button is
    left to press."""
    case_id = held(db, "FA-2", "99.00")
    settings = settings_for(db)
    with db.session() as session:
        before = terminal.render(cards.build(session, case_id))  # type: ignore[arg-type]
    outcome = perform(
        db, settings, case_id, "cancel", identify(settings, "slack", "U_AGENT"), {"reason": "doublon"}
    )
    with db.session() as session:
        after = terminal.render(cards.build(session, case_id))  # type: ignore[arg-type]
    assert "FA-2 held before sending" in before and "purchase-order number" in before
    assert "[Release anyway]  [Cancel invoice]  [Assign to me]" in before
    assert outcome.ok and "✅" in after and "Closed by alex@acme.test" in after and "[" not in after


def test_who_may_press_what(db: Database) -> None:
    """Viewers press nothing, agents do the daily work, supervisors release; strangers are not on the list."""
    settings = settings_for(db)
    sophie, alex, victor = (identify(settings, "slack", u) for u in ("U_SUP", "U_AGENT", "U_VIEW"))
    stranger = identify(settings, "teams", "aad-unknown")
    assert refusal(sophie, "release_anyway") is None and refusal(alex, "resend") is None
    assert "needs a supervisor" in (refusal(alex, "approve_contact_change") or "")
    assert "viewers act on nothing" in (refusal(victor, "assign_to_me") or "")
    assert "not on jalon's staff list" in (refusal(stranger, "assign_to_me") or "")
    assert identify(settings, "page", "SOPHIE@acme.test").member is not None


async def test_daily_digest_counts_open_cases_per_channel_once_a_day(db: Database, slack: FakeSlack) -> None:
    """At 08:30 Paris time each channel gets one digest: how many cases, the oldest, the amounts at stake."""
    held(db, "FA-10", "1000.00")
    held(db, "FA-11", "250.25")
    held(db, "FA-12", "5000.00", group="public")
    slack_section = {
        "channel": "#factures",
        "api_base_url": slack.api_url,
        "routes": [{"channel": "#public", "groups": ["public"]}],
        "digest_at": "08:30",
        "timezone": "Europe/Paris",
    }
    settings = settings_for(db, slack=slack_section)
    platforms = chat.platforms(settings, db)
    morning = dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC)  # 08:00 in Paris: too early
    posted_early = await chat.post_digests(db, settings, platforms, morning)
    posted = await chat.post_digests(db, settings, platforms, morning + dt.timedelta(hours=1))
    posted_again = await chat.post_digests(db, settings, platforms, morning + dt.timedelta(hours=5))
    texts = {args["channel"]: args["text"] for args in slack.called("chat.postMessage")}
    assert (posted_early, posted, posted_again) == (0, 2, 0)
    assert "2 open case(s): 2 held before sending" in texts["#factures"]
    assert "1 250.25 EUR" in texts["#factures"] and "FA-10 held before sending" in texts["#factures"]
    assert "1 open case(s)" in texts["#public"] and "5 000.00 EUR" in texts["#public"]


def test_demo_prints_the_cards_in_the_terminal(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    """With no chat configured, `jalon demo` shows each open case as a card with its buttons."""
    from jalon.demo import print_cases

    held(db, "FA-20", "10.00")
    services = app_module.build(settings_for(db))
    try:
        print_cases(services)
    finally:
        services.database.dispose()
    shown = capsys.readouterr().out
    assert "Cases waiting for a person (1)" in shown
    assert "FA-20 held before sending" in shown and "[Release anyway]" in shown


def test_demo_borrows_the_chat_sections_of_your_configuration(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`jalon --config mine.toml demo` posts to the Slack channel and staff list of mine.toml."""
    monkeypatch.setenv("JALON_SLACK_BOT_TOKEN", SLACK_TOKEN)
    mine = tmp_path / "mine.toml"
    mine.write_text(
        '[slack]\nchannel = "#demo"\n\n[[staff]]\nslack_user = "U1"\nrole = "supervisor"\n', encoding="utf-8"
    )
    demo = settings_for(db)
    borrowed = chat.with_chat_of(demo, str(mine))
    assert borrowed.slack.channel == "#demo" and [m.slack_user for m in borrowed.staff] == ["U1"]
    assert borrowed.database.url == demo.database.url and chat.with_chat_of(demo, None) == demo


async def test_a_case_settled_before_its_card_left_never_reaches_chat(db: Database, slack: FakeSlack) -> None:
    """Opened and closed within a second (e.g. a corrected version arrived): nobody is bothered with it, while
    an open case is posted once and then only updated."""
    settled = held(db, "FA-30", "10.00")
    still_open = held(db, "FA-31", "10.00")
    with db.session() as session:
        case = session.get(cases.Case, settled)
        cases.close_case(session, case, actor="jalon", resolution="replaced", at=utcnow())
    settings = settings_for(db, slack={"channel": "#factures", "api_base_url": slack.api_url})
    [platform] = chat.platforms(settings, db)
    for case_id in (settled, still_open, still_open):
        await chat.sync(db, platform, case_id)
    posted = [args["text"] for args in slack.called("chat.postMessage")]
    assert posted == ["⏸ Invoice FA-31 held before sending"] and len(slack.called("chat.update")) == 1


async def test_scripts_press_the_same_buttons_through_the_api(db_url: str) -> None:
    """Without a chat, the API lists the cards and presses their buttons, under the rules of the chat."""
    import aiohttp
    from chat_servers import chat_running

    headers = {"Authorization": "Bearer test-api-token", "X-Jalon-Actor": "erp-robot"}
    async with chat_running(db_url) as gw, aiohttp.ClientSession(headers=headers) as http:
        case_id = held(gw.services.database, "FA-40", "75.00")
        async with http.get(f"{gw.web_url}/api/cases") as r:
            listed = await r.json()
        async with http.post(f"{gw.web_url}/api/cases/{case_id}/release_anyway", json={}) as r:
            without_reason = (r.status, await r.json())
        async with http.post(f"{gw.web_url}/api/cases/{case_id}/cancel", json={"reason": "credit note"}) as r:
            cancelled = (r.status, await r.json())
        async with http.post(f"{gw.web_url}/api/cases/{case_id}/cancel", json={}) as r:
            again = r.status
        async with aiohttp.ClientSession() as anonymous, anonymous.get(f"{gw.web_url}/api/cases") as r:
            no_token = r.status
    assert [(c["case_id"], [b["action"] for b in c["buttons"]]) for c in listed] == [
        (case_id, ["release_anyway", "cancel", "assign_to_me"])
    ]
    assert without_reason[0] == 403 and "reason" in without_reason[1]["message"]
    assert cancelled[0] == 200 and cancelled[1]["ok"] and again == 403 and no_token == 401


def test_the_command_line_shows_the_cards_and_presses_their_buttons(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`jalon cases` prints the open cards; `jalon cases act ID cancel --reason …` settles one."""
    import json

    from jalon.__main__ import main

    case_id = held(db, "FA-50", "20.00")
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{db.url}"\n', encoding="utf-8")
    assert main(["--config", str(config), "cases"]) == 0
    listed = capsys.readouterr().out
    command = ["--config", str(config), "cases", "act", str(case_id), "cancel", "--reason", "doublon"]
    assert main([*command, "--actor", "marie"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert main(["--config", str(config), "cases"]) == 0
    after = capsys.readouterr().out
    assert "FA-50 held before sending" in listed and "[Cancel invoice]" in listed
    assert result == {"ok": True, "case": case_id, "action": "cancel", "message": "invoice FA-50 cancelled"}
    assert after == ""


async def test_two_jalon_processes_never_post_the_same_card_twice(db: Database, slack: FakeSlack) -> None:
    """Two outbox senders (two `jalon serve` on one database) take the 'open' and the 'update' of one case at
    the same moment: one card in the channel; the busy one leaves its item for later."""
    import asyncio

    from jalon.mailbox.outbound import OutboxSender
    from jalon.models import Outbox

    case_id = held(db, "FA-60", "10.00")
    with db.session() as session:  # news arrives at once: a second chat item for the same case
        key = session.get(cases.Case, case_id).open_key  # type: ignore[union-attr]
        cases.open_case(session, "held", "Invoice FA-60 held before sending", key=key, facts={"note": "news"})
    settings = settings_for(
        db, slack={"channel": "#factures", "api_base_url": slack.api_url}, outbound={"batch_size": 1}
    )
    senders = [OutboxSender(settings, db, chat.chat_senders(settings, db)) for _ in range(2)]
    await asyncio.gather(*(sender.send_due() for sender in senders))
    with db.session() as session:
        states = sorted(item.status for item in session.query(Outbox).filter_by(kind="chat"))
    later = utcnow() + dt.timedelta(hours=1)
    await senders[0].send_due(now=later)
    assert len(slack.called("chat.postMessage")) == 1
    assert states in (["pending", "sent"], ["sent", "sent"])


def test_a_holdback_to_claim_is_marked_paid_from_its_card(db: Database) -> None:
    """A year after a works invoice paid but for its holdback, its card offers 'Mark paid'; pressed when the
    holdback comes in, it records that payment and closes the card."""
    from jalon import payments, scenarios

    settings = settings_for(db)
    with db.session() as session:
        customer = Customer(code="C-btp", name="Bâtiments Durand", group="pme")
        session.add(customer)
        session.flush()
        total = Decimal("6603.60")
        session.add(
            Invoice(number="FA-9", issuer="732829320", customer_id=customer.id, state="sent",
                    issue_date=dt.date(2025, 10, 1), due_date=dt.date(2025, 11, 15), total_with_vat=total,
                    amount_due=total, holdback=Decimal("330.18"))
        )  # fmt: skip
    assert payments.pay(db, "FA-9", actor="test")[1].startswith("invoice FA-9 paid")
    scenarios.tick(db, settings, utcnow())
    with db.session() as session:
        [case] = cases.open_cases(session, kinds=("holdback_due",))
        card = cards.build(session, case.id)
    assert card is not None and ("Holdback", "330.18 EUR") in card.facts
    assert "mark_paid" in [b.action for b in card.buttons]
    outcome = perform(db, settings, case.id, "mark_paid", identify(settings, "slack", "U_AGENT"), {})
    with db.session() as session:
        invoice = session.query(Invoice).filter_by(number="FA-9").one()
        closed = cases.open_cases(session, kinds=("holdback_due",)) == []
    assert outcome.ok and invoice.amount_paid == Decimal("6603.60") and closed
