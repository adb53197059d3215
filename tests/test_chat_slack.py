"""People settle cases from Slack: cards posted and updated through Slack's Web API, signed clicks, modals."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import aiohttp
import aiosmtplib
import pytest
from chat_servers import (
    APP_TOKEN,
    SLACK_TOKEN,
    FakeSlack,
    action_ids,
    add_customer,
    block_text,
    chat_running,
    post_to_slack_endpoint,
    signed_body,
    slack_click,
    slack_submission,
)
from harness import Running, eventually, invoice_mail, sample
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from jalon.models import Case, ChatPost, Contact, Event, Invoice


def slack_section(fake: FakeSlack, **more: Any) -> dict[str, Any]:
    return {"channel": "#factures", "api_base_url": fake.api_url, **more}


async def held_invoice(gw: Running) -> dict[str, Any]:
    """The billing tool mails an invoice that jalon holds (a warning, and warnings hold here)."""
    pdf, expected = sample("classic_fr-01-plain")
    add_customer(gw, expected, [("achats@client.test", "buyer")])
    await aiosmtplib.send(invoice_mail(pdf), hostname="127.0.0.1", port=gw.smtp_port, start_tls=False)
    await gw.settle()
    return expected


def case_of(gw: Running, kind: str) -> Case:
    with gw.services.database.session() as session:
        return session.scalars(select(Case).where(Case.kind == kind)).one()


def invoice_state(gw: Running, number: str) -> str:
    with gw.services.database.session() as session:
        return session.scalars(select(Invoice.state).where(Invoice.number == number)).one()


async def click(gw: Running, payload: dict[str, Any], **signing: Any) -> int:
    body, headers = signed_body(payload, **signing)
    status, _ = await post_to_slack_endpoint(gw.web_url, body, headers)
    return status


async def test_held_invoice_posts_one_card_with_its_findings_and_buttons(
    db_url: str, slack: FakeSlack
) -> None:
    """An invoice held before sending shows up once in #factures, with why it is held and what to do."""
    async with chat_running(db_url, holds={"hold_on_warnings": True}, slack=slack_section(slack)) as gw:
        expected = await held_invoice(gw)
        channel, ts, message = slack.only_card()
        case = case_of(gw, "held")
        with gw.services.database.session() as session:
            post = session.scalars(select(ChatPost)).one()
    text = block_text(message["blocks"])
    assert channel == "CFACTURES" and expected["invoice_number"] in message["text"]
    assert "held before sending" in text and "operation_category" not in text  # findings read as sentences
    assert any(line.startswith("> warning:") for line in text.splitlines())
    assert action_ids(message["blocks"]) == ["release", "cancel", "assign_to_me"]
    assert (post.platform, post.channel, post.message_ref, post.case_id) == ("slack", channel, ts, case.id)


async def test_signed_release_click_sends_the_invoice_and_updates_the_card(
    db_url: str, slack: FakeSlack
) -> None:
    """A supervisor presses Release: Slack is answered at once, the invoice leaves, the card says who."""
    async with chat_running(db_url, holds={"hold_on_warnings": True}, slack=slack_section(slack)) as gw:
        expected = await held_invoice(gw)
        channel, ts, _ = slack.only_card()
        case = case_of(gw, "held")
        started = time.monotonic()
        status = await click(gw, slack_click("release", case.id, "U_SUP", channel, ts))
        answered_in = time.monotonic() - started
        await eventually(lambda: slack.called("chat.update"))
        await gw.settle()
        [mail] = await gw.sink.wait_for(1)
        card = slack.messages[(channel, ts)]
        thread = await AsyncWebClient(token=SLACK_TOKEN, base_url=slack.api_url).conversations_replies(
            channel=channel, ts=ts
        )
        closed = case_of(gw, "held")
        state = invoice_state(gw, expected["invoice_number"])
    assert status == 200 and answered_in < 3  # Slack wants its acknowledgement within 3 seconds
    assert mail.rcpt_tos == ["achats@client.test"] and state == "sent"
    assert closed.state == "closed" and closed.closed_by == "sophie@acme.test"
    assert card["text"].startswith("✅") and action_ids(card["blocks"]) == []
    assert "Closed by sophie@acme.test" in block_text(card["blocks"])
    replies = [m["text"] for m in thread["messages"][1:]]
    assert any("closed by sophie@acme.test" in r and "left for: achats@client.test" in r for r in replies)


@pytest.mark.parametrize("forgery", ["wrong secret", "stale timestamp", "timestamp not a number"])
async def test_forged_or_stale_click_is_refused_and_changes_nothing(
    db_url: str, slack: FakeSlack, forgery: str
) -> None:
    """A replayed or forged click gets 401: the invoice stays held, the card and the log stay as they were."""
    async with chat_running(db_url, holds={"hold_on_warnings": True}, slack=slack_section(slack)) as gw:
        expected = await held_invoice(gw)
        channel, ts, before = slack.only_card()
        case = case_of(gw, "held")
        payload = slack_click("release", case.id, "U_SUP", channel, ts)
        signing = {
            "wrong secret": {"secret": "not-the-secret"},
            "stale timestamp": {"ts": int(time.time()) - 600},
            "timestamp not a number": {"ts": "abc"},
        }[forgery]
        status = await click(gw, payload, **signing)
        await asyncio.sleep(0.3)  # room for any work that should not happen
        await gw.settle()
        with gw.services.database.session() as session:
            clicks = session.scalars(select(Event).where(Event.type.like("case.action%"))).all()
        state = invoice_state(gw, expected["invoice_number"])
    assert status == 401
    assert state == "held" and gw.sink.received == [] and clicks == []
    assert slack.called("chat.update") == [] and slack.messages[(channel, ts)] == before


@pytest.mark.parametrize(
    ("user", "why"),
    [
        ("U_VIEW", "viewer: viewers act on nothing"),
        ("U_AGENT", "'Release' needs a supervisor"),
        ("U_NOBODY", "not on"),
    ],
)
async def test_click_by_someone_not_allowed_is_refused_on_the_card(
    db_url: str, slack: FakeSlack, user: str, why: str
) -> None:
    """A viewer, an agent or a stranger presses Release: nothing is sent, and the card says why."""
    async with chat_running(db_url, holds={"hold_on_warnings": True}, slack=slack_section(slack)) as gw:
        expected = await held_invoice(gw)
        channel, ts, _ = slack.only_card()
        case = case_of(gw, "held")
        assert await click(gw, slack_click("release", case.id, user, channel, ts)) == 200
        await eventually(lambda: slack.called("chat.update"))
        await gw.settle()
        card = slack.messages[(channel, ts)]
        with gw.services.database.session() as session:
            refused = session.scalars(select(Event).where(Event.type == "case.action_refused")).one()
        state = invoice_state(gw, expected["invoice_number"])
        still = case_of(gw, "held")
    assert state == "held" and gw.sink.received == [] and still.state == "open"
    assert why in block_text(card["blocks"]) and "release" in action_ids(card["blocks"])
    assert refused.data["action"] == "release" and refused.data["user"] == user


async def test_resend_to_another_address_asks_it_in_a_modal_and_updates_the_contact(
    db_url: str, slack: FakeSlack
) -> None:
    """The buyer's address bounces; an agent types the right one in a modal: the invoice goes there, and it is
    the buyer's address from now on."""
    async with chat_running(db_url, refuse={"parti@client.test"}, slack=slack_section(slack)) as gw:
        pdf, expected = sample("classic_fr-01-plain")
        add_customer(gw, expected, [("parti@client.test", "buyer")])
        await aiosmtplib.send(invoice_mail(pdf), hostname="127.0.0.1", port=gw.smtp_port, start_tls=False)
        await gw.settle()
        channel, ts, message = slack.only_card()
        case = case_of(gw, "bounced")
        assert action_ids(message["blocks"])[:2] == ["resend_to", "resend"]
        assert await click(gw, slack_click("resend_to", case.id, "U_AGENT", channel, ts)) == 200
        await eventually(lambda: slack.views)
        [view] = slack.views
        body, headers = signed_body(slack_submission(view, "U_AGENT", "not an address"))
        refused = await post_to_slack_endpoint(gw.web_url, body, headers)
        assert await click(gw, slack_submission(view, "U_AGENT", "nouveau@client.test")) == 200
        await eventually(lambda: case_of(gw, "bounced").state == "closed")
        await gw.settle()
        [mail] = await gw.sink.wait_for(1)
        with gw.services.database.session() as session:
            contacts = {c.email: (c.role, c.valid) for c in session.scalars(select(Contact))}
        card = slack.messages[(channel, ts)]
    assert refused[0] == 200 and json.loads(refused[1]) == {  # the modal says why and stays open
        "response_action": "errors",
        "errors": {"ask": "not an e-mail address"},
    }
    assert mail.rcpt_tos == ["nouveau@client.test"]
    assert contacts == {"parti@client.test": ("buyer", False), "nouveau@client.test": ("buyer", True)}
    assert card["text"].startswith("✅") and "nouveau@client.test" in block_text(card["blocks"])


async def test_cases_go_to_the_channel_of_their_customer_group(db_url: str, slack: FakeSlack) -> None:
    """Public-sector customers have their own channel; the others stay in the default one."""
    routes = [{"channel": "#secteur-public", "groups": ["public"]}]
    async with chat_running(
        db_url, holds={"hold_on_warnings": True}, slack=slack_section(slack, routes=routes)
    ) as gw:
        pdf, expected = sample("classic_fr-01-plain")
        add_customer(gw, expected, [("achats@client.test", "buyer")], group="public")
        await aiosmtplib.send(invoice_mail(pdf), hostname="127.0.0.1", port=gw.smtp_port, start_tls=False)
        await gw.settle()
        channel, _, _ = slack.only_card()
    assert channel == "CSECTEURPUBLIC"


async def test_half_configured_slack_stops_jalon_at_start(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A channel without its bot token in the environment is a configuration error, not silent failures."""
    from jalon.config import ConfigError

    monkeypatch.delenv("JALON_SLACK_BOT_TOKEN", raising=False)
    with pytest.raises(ConfigError, match="JALON_SLACK_BOT_TOKEN"):
        async with chat_running(db_url, slack={"channel": "#factures"}):
            pass


async def test_socket_mode_takes_clicks_without_a_public_url(
    db_url: str, slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An install with no public URL: clicks come over Slack's websocket, and work the same."""
    from jalon.bot import chat

    monkeypatch.setenv("JALON_SLACK_APP_TOKEN", APP_TOKEN)
    monkeypatch.delenv("JALON_SLACK_SIGNING_SECRET")  # no HTTP endpoint, so no signing secret needed
    section = slack_section(slack, socket_mode=True)
    async with chat_running(db_url, holds={"hold_on_warnings": True}, slack=section) as gw:
        expected = await held_invoice(gw)
        channel, ts, _ = slack.only_card()
        case = case_of(gw, "held")
        stop = asyncio.Event()
        work = chat.background(gw.settings, gw.services.database, stop, gw.services.wake_outbox)
        tasks = [asyncio.create_task(job) for job in work]
        try:
            await eventually(lambda: slack._socket is not None)
            envelope = await slack.push(slack_click("release", case.id, "U_SUP", channel, ts))
            await eventually(lambda: envelope in slack.acks and slack.called("chat.update"))
            await gw.settle()
            [mail] = await gw.sink.wait_for(1)
            async with aiohttp.ClientSession() as http, http.post(f"{gw.web_url}/slack/events") as r:
                no_endpoint = r.status
        finally:
            stop.set()
            await asyncio.gather(*tasks)
        state = invoice_state(gw, expected["invoice_number"])
    assert state == "sent" and mail.rcpt_tos == ["achats@client.test"]
    assert no_endpoint == 404
