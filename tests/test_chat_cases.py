"""End to end: what gets stuck becomes exactly one card, updated in place, and the card closes itself when the
invoice gets unstuck by other means (the API, the customer, the scheduler)."""

from __future__ import annotations

import datetime as dt
import json
import re
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import aiohttp
import aiosmtplib
import pytest
from chat_servers import (
    SLACK_TOKEN,
    FakeSlack,
    action_ids,
    add_customer,
    block_text,
    chat_running,
)
from harness import Running, invoice_mail
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from jalon import scenarios
from jalon.db import utcnow
from jalon.models import Case
from jalon.sink import send_reports

DATA = Path(__file__).parent / "data" / "invoices"
BUYER = "achats@client.test"


async def sent_invoice(gw: Running) -> tuple[str, Any]:
    """An invoice that left for its buyer; returns its number and the mail the buyer got."""
    pdf = (DATA / "classic_fr-01-plain.pdf").read_bytes()
    expected = json.loads((DATA / "classic_fr-01-plain.json").read_text())
    add_customer(gw, expected, [(BUYER, "buyer")])
    await aiosmtplib.send(invoice_mail(pdf), hostname="127.0.0.1", port=gw.smtp_port, start_tls=False)
    await gw.settle()
    [received] = await gw.sink.wait_for(1)
    return str(expected["invoice_number"]), received


def all_cases(gw: Running) -> list[Case]:
    with gw.services.database.session() as session:
        return list(session.scalars(select(Case).order_by(Case.id)))


async def thread_of(fake: FakeSlack, channel: str, ts: str) -> list[str]:
    client = AsyncWebClient(token=SLACK_TOKEN, base_url=fake.api_url)
    answer = await client.conversations_replies(channel=channel, ts=ts)
    return [m["text"] for m in answer["messages"][1:]]


async def cancel_through_the_api(gw: Running, number: str) -> int:
    headers = {"Authorization": "Bearer test-api-token", "X-Jalon-Actor": "compta-api"}
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{gw.web_url}/api/invoices/{number}/cancel", json={"reason": "avoir"}, headers=headers
        ) as r,
    ):
        return r.status


async def test_hard_bounce_without_alternate_contact_is_one_card_closed_by_a_cancellation(
    db_url: str, slack: FakeSlack
) -> None:
    """The buyer's server says the mailbox does not exist, twice: one card. The invoice is cancelled through
    the API: the card closes itself and says so."""
    async with chat_running(db_url, slack={"channel": "#factures", "api_base_url": slack.api_url}) as gw:
        number, received = await sent_invoice(gw)
        for _ in range(2):  # servers repeat themselves
            await send_reports(
                received,
                gateway_host="127.0.0.1",
                gateway_port=gw.smtp_port,
                action="failed",
                status="5.1.1",
                diagnostic="550 5.1.1 <achats@client.test>: Recipient address rejected: User unknown",
            )
            await gw.settle()
        opened = all_cases(gw)
        channel, ts, card = slack.only_card()
        assert await cancel_through_the_api(gw, number) == 200
        await gw.settle()
        closed = all_cases(gw)
        after = slack.messages[(channel, ts)]
        thread = await thread_of(slack, channel, ts)
    assert [(c.kind, c.state) for c in opened] == [("bounced", "open")]
    assert "User unknown" in block_text(card["blocks"]) and "resend_to" in action_ids(card["blocks"])
    assert [(c.kind, c.state, c.closed_by) for c in closed] == [("bounced", "closed", "compta-api")]
    assert after["text"].startswith("✅") and action_ids(after["blocks"]) == []
    assert "invoice cancelled by compta-api" in block_text(after["blocks"])
    assert any("cancelled by compta-api" in line for line in thread)


def reply_to(original: Any, text: str) -> EmailMessage:
    message = original.message()
    reply = EmailMessage()
    reply["From"] = BUYER
    reply["To"] = str(message["Reply-To"])
    reply["Subject"] = f"RE: {message['Subject']}"
    reply["In-Reply-To"] = str(message["Message-ID"])
    reply.set_content(text)
    return reply


async def download(gw: Running, received: Any) -> int:
    """The buyer opens the link of the mail and presses the download button (a person, not a scanner)."""
    body = received.message().get_body(("plain",)).get_content()
    link = re.search(r"https?://\S+/i/([A-Za-z0-9_-]+)\?e=(\d+)&s=([A-Za-z0-9_-]+)", body)
    assert link is not None, body
    token, expires, signature = link.groups()
    headers = {"User-Agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/134.0"}
    async with (
        aiohttp.ClientSession(headers=headers) as http,
        http.post(f"{gw.web_url}/i/{token}/download", data={"e": expires, "s": signature}) as r,
    ):
        await r.read()
        return r.status


async def test_pas_recu_reply_is_one_watched_card_closed_when_the_customer_gets_it(
    db_url: str, slack: FakeSlack
) -> None:
    """The buyer answers 'pas reçu': jalon sends it again at once and one card watches it; when the buyer
    downloads the invoice, the card closes itself."""
    async with chat_running(db_url, slack={"channel": "#factures", "api_base_url": slack.api_url}) as gw:
        number, received = await sent_invoice(gw)
        words = f"Bonjour,\nnous n'avons pas reçu la facture {number}, pouvez-vous la renvoyer ?\nClaire"
        await aiosmtplib.send(
            reply_to(received, words), hostname="127.0.0.1", port=gw.smtp_port, start_tls=False
        )
        await gw.settle()
        resent = (await gw.sink.wait_for(2))[1]
        opened = all_cases(gw)
        assert [(c.kind, c.state) for c in opened] == [("not_received", "open")]
        assert await download(gw, resent) == 200
        await gw.settle()
        closed = all_cases(gw)
        _, _, card = slack.only_card()
    assert resent.rcpt_tos == [BUYER]
    assert [(c.kind, c.state) for c in closed] == [("not_received", "closed")]
    assert card["text"].startswith("✅")


async def test_missed_received_milestone_is_one_card_closed_when_the_customer_downloads(
    db_url: str, slack: FakeSlack
) -> None:
    """Nobody has shown the invoice was received a week after sending: one 'late' card, however many ticks.
    The buyer then downloads it: at the next tick the card closes itself."""
    groups = [
        {
            "name": "pme",
            "scenario": "watch",
            "milestones": [
                {"name": "received", "expect": "received", "within": "7d", "after": "sent", "on_late": "case"}
            ],
        }
    ]
    async with chat_running(
        db_url,
        slack={"channel": "#factures", "api_base_url": slack.api_url},
        scenarios=[{"name": "watch", "steps": []}],
        groups=groups,
    ) as gw:
        database, settings = gw.services.database, gw.settings
        number, received = await sent_invoice(gw)
        later = utcnow() + dt.timedelta(days=8)
        for hours in (0, 1, 24):
            scenarios.tick(database, settings, now=later + dt.timedelta(hours=hours))
        await gw.settle()
        opened = all_cases(gw)
        channel, ts, card = slack.only_card()
        assert await download(gw, received) == 200
        scenarios.tick(database, settings, now=later + dt.timedelta(days=2))
        await gw.settle()
        closed = all_cases(gw)
        after = slack.messages[(channel, ts)]
    assert [(c.kind, c.state) for c in opened] == [("late", "open")]
    assert opened[0].title.endswith("no sign the customer has it")  # said as a person would
    assert number in card["text"] and "mark_received" in action_ids(card["blocks"])
    assert [(c.kind, c.state) for c in closed] == [("late", "closed")]
    assert after["text"].startswith("✅") and "received met" in block_text(after["blocks"])


async def test_demo_with_slack_configured_posts_its_cards_for_real(
    slack: FakeSlack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`jalon --config mine.toml demo --once` with [slack]: the cases it prints are in the channel too."""
    from jalon.demo import _demo

    mine = tmp_path / "mine.toml"
    mine.write_text(f'[slack]\nchannel = "#demo"\napi_base_url = "{slack.api_url}"\n', encoding="utf-8")
    assert await _demo(True, tmp_path / "demo", str(mine)) == 0
    printed = capsys.readouterr().out
    titles = [message["text"] for message in slack.messages.values()]
    shown = re.search(r"Cases waiting for a person \((\d+)\)", printed)
    assert shown is not None and int(shown.group(1)) == len(titles) > 0
    assert all(title.split(" ", 1)[1] in printed for title in titles)
    assert {channel for channel, _ in slack.messages} == {"CDEMO"}


async def test_news_of_an_invoice_goes_in_the_thread_of_its_open_card(db_url: str, slack: FakeSlack) -> None:
    """The buyer's address bounced (a card); then the payer's server reports delivery: the card's thread says
    so, once, however many times jalon looks for news."""
    from jalon.bot import chat

    async with chat_running(
        db_url, refuse={BUYER}, slack={"channel": "#factures", "api_base_url": slack.api_url}
    ) as gw:
        pdf = (DATA / "classic_fr-01-plain.pdf").read_bytes()
        expected = json.loads((DATA / "classic_fr-01-plain.json").read_text())
        add_customer(gw, expected, [(BUYER, "buyer"), ("payeur@client.test", "payer")])
        await aiosmtplib.send(invoice_mail(pdf), hostname="127.0.0.1", port=gw.smtp_port, start_tls=False)
        await gw.settle()
        [to_payer] = await gw.sink.wait_for(1)
        channel, ts, _ = slack.only_card()
        nothing_new = chat.queue_news(gw.services.database)
        await send_reports(to_payer, gateway_host="127.0.0.1", gateway_port=gw.smtp_port)
        await gw.settle()
        queued = [chat.queue_news(gw.services.database) for _ in range(3)]
        await gw.settle()
        thread = await thread_of(slack, channel, ts)
    assert nothing_new == 0 and queued == [1, 0, 0]
    assert [line for line in thread if "delivered to: payeur@client.test" in line] == thread[-1:]
