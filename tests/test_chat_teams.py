"""People settle cases from Teams: Adaptive Cards through a Bot Connector, signed Action.Execute clicks, and
Workflows cards whose links land on signed, single-use action pages."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import aiosmtplib
import pytest
from chat_servers import (
    APP_ID,
    APP_PASSWORD,
    FakeBotConnector,
    FakeWorkflow,
    add_customer,
    chat_running,
    chat_settings,
    teams_click,
)
from cryptography.hazmat.primitives.asymmetric import rsa
from harness import Running, invoice_mail
from sqlalchemy import select

from jalon.config import ConfigError
from jalon.models import Case, Event, Invoice

DATA = Path(__file__).parent / "data" / "invoices"
CONVERSATION = "19:factures@thread.tacv2"


@pytest.fixture
async def connector(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeBotConnector]:
    monkeypatch.setenv("JALON_TEAMS_APP_PASSWORD", APP_PASSWORD)
    fake = await FakeBotConnector().start()
    yield fake
    await fake.stop()


def teams_section(fake: FakeBotConnector, **more: Any) -> dict[str, Any]:
    return {
        "app_id": APP_ID,
        "conversation_id": CONVERSATION,
        "service_url": f"{fake.url}/",
        "openid_config_url": f"{fake.url}/.well-known/openidconfiguration",
        "token_url": f"{fake.url}/token",
        **more,
    }


async def held_invoice(gw: Running) -> str:
    pdf = (DATA / "classic_fr-01-plain.pdf").read_bytes()
    expected = json.loads((DATA / "classic_fr-01-plain.json").read_text())
    add_customer(gw, expected, [("achats@client.test", "buyer")])
    await aiosmtplib.send(invoice_mail(pdf), hostname="127.0.0.1", port=gw.smtp_port, start_tls=False)
    await gw.settle()
    return str(expected["invoice_number"])


def held_case(gw: Running) -> Case:
    with gw.services.database.session() as session:
        return session.scalars(select(Case).where(Case.kind == "held")).one()


def invoice_state(gw: Running, number: str) -> str:
    with gw.services.database.session() as session:
        return session.scalars(select(Invoice.state).where(Invoice.number == number)).one()


def card_text(card: dict[str, Any]) -> str:
    lines = []
    for item in card.get("body", []):
        if item["type"] == "TextBlock":
            lines.append(item["text"])
        elif item["type"] == "FactSet":
            lines += [f"{f['title']}: {f['value']}" for f in item["facts"]]
    return "\n".join(lines)


def verbs(card: dict[str, Any]) -> list[str]:
    found = []
    for action in card.get("actions", []):
        if action["type"] == "Action.Execute":
            found.append(action["verb"])
        elif action["type"] == "Action.ShowCard":
            found += [a["verb"] for a in action["card"]["actions"]]
    return found


async def invoke(gw: Running, activity: dict[str, Any], token: str | None) -> tuple[int, dict[str, Any]]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{gw.web_url}/teams/messages", json=activity, headers=headers) as response,
    ):
        body = await response.text()
        return response.status, (json.loads(body) if body else {})


async def test_held_invoice_posts_an_adaptive_card_to_the_channel(
    db_url: str, connector: FakeBotConnector
) -> None:
    """The held invoice appears in the Teams channel as a card with its findings and Execute buttons."""
    async with chat_running(db_url, holds={"hold_on_warnings": True}, teams=teams_section(connector)) as gw:
        number = await held_invoice(gw)
    [posted] = connector.activities[CONVERSATION]
    [attachment] = posted["attachments"]
    card = attachment["content"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive" and card["version"] == "1.4"
    assert number in card_text(card) and "category of operation" in card_text(card)
    assert verbs(card) == ["release", "cancel", "assign_to_me"]
    assert connector.tokens_issued == 1  # a client-credentials token, reused


async def test_signed_release_click_sends_the_invoice_and_refreshes_the_card(
    db_url: str, connector: FakeBotConnector
) -> None:
    """A supervisor clicks Release in Teams: the invoice leaves and the card she sees comes back closed."""
    async with chat_running(db_url, holds={"hold_on_warnings": True}, teams=teams_section(connector)) as gw:
        number = await held_invoice(gw)
        case = held_case(gw)
        posted = connector.activities[CONVERSATION][0]["id"]
        service = f"{connector.url}/"
        click = teams_click("release", case.id, "aad-sup", service, posted, CONVERSATION)
        status, answer = await invoke(gw, click, connector.token_for(service))
        await gw.settle()
        [mail] = await gw.sink.wait_for(1)
        state = invoice_state(gw, number)
    assert status == 200 and answer["statusCode"] == 200
    assert answer["type"] == "application/vnd.microsoft.card.adaptive"
    refreshed = answer["value"]
    assert verbs(refreshed) == [] and "Closed by sophie@acme.test" in card_text(refreshed)
    assert state == "sent" and mail.rcpt_tos == ["achats@client.test"]
    [(conversation, activity_id, update)] = connector.updates  # the posted card, updated in place too
    assert (conversation, activity_id) == (CONVERSATION, posted)
    assert "Closed by sophie@acme.test" in card_text(update["attachments"][0]["content"])
    assert any("closed by sophie@acme.test" in r[2]["text"] for r in connector.replies)


@pytest.mark.parametrize(
    "forgery", ["another key", "expired", "other audience", "no token", "other service", "no service named"]
)
async def test_unsigned_or_forged_activity_is_refused_and_changes_nothing(
    db_url: str, connector: FakeBotConnector, forgery: str
) -> None:
    """Only the Bot Connector's signed tokens are accepted: anything else gets 401 and nothing happens."""
    async with chat_running(db_url, holds={"hold_on_warnings": True}, teams=teams_section(connector)) as gw:
        number = await held_invoice(gw)
        case = held_case(gw)
        service = f"{connector.url}/"
        click = teams_click("release", case.id, "aad-sup", service, "act-1", CONVERSATION)
        token = {
            "another key": connector.token_for(
                service, key=rsa.generate_private_key(public_exponent=65537, key_size=2048)
            ),
            "expired": connector.token_for(service, expires_in=-3600),
            "other audience": connector.token_for(service, audience="someone-else"),
            "no token": None,
            "other service": connector.token_for("https://attacker.example/"),
            "no service named": connector.token_for(""),  # replayable with any serviceUrl
        }[forgery]
        status, _ = await invoke(gw, click, token)
        await gw.settle()
        with gw.services.database.session() as session:
            clicks = session.scalars(select(Event).where(Event.type.like("case.action%"))).all()
        state = invoice_state(gw, number)
    assert status == 401
    assert state == "held" and clicks == [] and gw.sink.received == [] and connector.updates == []


async def test_viewer_click_is_refused_on_the_card(db_url: str, connector: FakeBotConnector) -> None:
    """A viewer clicks Release: the card she gets back says why, and the invoice stays held."""
    async with chat_running(db_url, holds={"hold_on_warnings": True}, teams=teams_section(connector)) as gw:
        number = await held_invoice(gw)
        case = held_case(gw)
        service = f"{connector.url}/"
        click = teams_click("release", case.id, "aad-view", service, "act-1", CONVERSATION)
        status, answer = await invoke(gw, click, connector.token_for(service))
        await gw.settle()
        state = invoice_state(gw, number)
    assert status == 200 and "viewers act on nothing" in card_text(answer["value"])
    assert "release" in verbs(answer["value"]) and state == "held" and gw.sink.received == []


async def test_anonymous_teams_auth_is_refused_outside_a_local_test(db_url: str) -> None:
    """A production jalon (public URL) never accepts unsigned Teams activities: it refuses to start."""
    from jalon.bot import teams

    local = chat_settings(db_url, 25, teams={"conversation_id": CONVERSATION, "allow_anonymous": True})
    public = chat_settings(
        db_url,
        25,
        web={"public_url": "https://factures.acme.example"},
        teams={"conversation_id": CONVERSATION, "allow_anonymous": True},
    )
    listening = chat_settings(
        db_url, 25, web={"host": "0.0.0.0"}, teams={"conversation_id": CONVERSATION, "allow_anonymous": True}
    )
    teams.check(local)
    with pytest.raises(ConfigError, match="allow_anonymous"):
        teams.check(public)
    with pytest.raises(ConfigError, match=r"\[web\] host"):  # a loopback public_url does not make it local
        teams.check(listening)
    with pytest.raises(ConfigError, match="allow_anonymous"):
        async with chat_running(
            db_url,
            web={"public_url": "https://factures.acme.example"},
            teams={"conversation_id": CONVERSATION, "allow_anonymous": True},
        ):
            pass


# --- Workflows webhook: open-URL buttons and action pages ---------------------------------------------------


@pytest.fixture
async def workflow(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeWorkflow]:
    fake = await FakeWorkflow().start()
    monkeypatch.setenv("JALON_TEAMS_WORKFLOW_URL", fake.url)
    yield fake
    await fake.stop()


def links(card: dict[str, Any], gw: Running) -> dict[str, str]:
    """The card's open-URL buttons, pointed at the running jalon (its public URL is a placeholder here)."""
    base = gw.settings.web.public_url.rstrip("/")
    return {a["title"]: a["url"].replace(base, gw.web_url) for a in card.get("actions", [])}


SSO = "X-Forwarded-Email"  # what the SSO proxy in front of the pages says of who is signed in


async def test_workflow_card_links_act_once_after_a_form(db_url: str, workflow: FakeWorkflow) -> None:
    """Without a bot, the card's Release link opens a page (opening it does nothing); the supervisor, signed
    in through the SSO proxy, confirms with the form, the invoice leaves; the link cannot be used twice."""
    teams = {"workflow_url_env": "JALON_TEAMS_WORKFLOW_URL", "identity_header": SSO}
    async with chat_running(db_url, holds={"hold_on_warnings": True}, teams=teams) as gw:
        number = await held_invoice(gw)
        [post] = workflow.posts
        card = post["attachments"][0]["content"]
        release = links(card, gw)["Release"]
        async with aiohttp.ClientSession() as http:
            async with http.get(release) as page:
                shown = (page.status, await page.text())
            await gw.settle()
            state_after_opening = invoice_state(gw, number)
            async with http.post(release, headers={SSO: "victor@acme.test"}) as refused:
                viewer = (refused.status, await refused.text())
            async with http.post(release, headers={SSO: "sophie@acme.test"}) as done:
                first = (done.status, await done.text())
            async with http.post(release, headers={SSO: "sophie@acme.test"}) as again:
                second = (again.status, await again.text())
        await gw.settle()
        [mail] = await gw.sink.wait_for(1)
        state = invoice_state(gw, number)
    assert shown[0] == 200 and "<form" in shown[1] and state_after_opening == "held"
    assert viewer[0] == 403 and "viewers act on nothing" in viewer[1]
    assert (
        first[0] == 200
        and "released" in first[1]
        and state == "sent"
        and mail.rcpt_tos == ["achats@client.test"]
    )
    assert second[0] == 409 and "already used" in second[1]
    assert [a["type"] for a in card["actions"]] == ["Action.OpenUrl"] * 3
    closed = workflow.posts[-1]["attachments"][0]["content"]
    assert (
        len(workflow.posts) == 2
        and "Closed by sophie@acme.test" in card_text(closed)
        and "actions" not in closed
    )


async def test_a_typed_address_on_an_action_page_is_only_a_claim(db_url: str, workflow: FakeWorkflow) -> None:
    """Without an SSO proxy, anyone holding the link can type a supervisor's address: it releases nothing, and
    a refusal never tells who is on the staff list or with which role; an agent's action still works."""
    async with chat_running(
        db_url, holds={"hold_on_warnings": True}, teams={"workflow_url_env": "JALON_TEAMS_WORKFLOW_URL"}
    ) as gw:
        number = await held_invoice(gw)
        card = workflow.posts[0]["attachments"][0]["content"]
        release, cancel = links(card, gw)["Release"], links(card, gw)["Cancel invoice"]
        async with aiohttp.ClientSession() as http:
            async with http.post(release, data={"who": "sophie@acme.test"}) as claimed:
                supervisor = (claimed.status, await claimed.text())
            async with http.post(cancel, data={"who": "alain@acme.test"}) as probing:
                stranger = (probing.status, await probing.text())
            async with http.post(cancel, data={"who": "victor@acme.test"}) as probing:
                viewer = (probing.status, await probing.text())
            async with http.post(cancel, data={"who": "alex@acme.test", "reason": "doublon"}) as done:
                agent = done.status
        state = invoice_state(gw, number)
    assert supervisor[0] == 403 and "signed-in supervisor" in supervisor[1]
    for answer in (stranger, viewer):
        assert answer[0] == 403 and "may not do that here" in answer[1]
        assert "staff list" not in answer[1] and "viewer" not in answer[1]
    assert agent == 200 and state == "cancelled" and gw.sink.received == []


@pytest.mark.parametrize("tamper", ["signature", "expired"])
async def test_tampered_or_expired_action_link_is_refused(
    db_url: str, workflow: FakeWorkflow, monkeypatch: pytest.MonkeyPatch, tamper: str
) -> None:
    """A link whose action was changed, or that is past its time, acts on nothing."""
    async with chat_running(
        db_url, holds={"hold_on_warnings": True}, teams={"workflow_url_env": "JALON_TEAMS_WORKFLOW_URL"}
    ) as gw:
        number = await held_invoice(gw)
        card = workflow.posts[0]["attachments"][0]["content"]
        link = links(card, gw)["Cancel invoice"]
        if tamper == "signature":
            link = link.replace(".cancel.", ".release.")
        else:
            monkeypatch.setattr(time, "time", lambda: 4_000_000_000.0)
        async with (
            aiohttp.ClientSession() as http,
            http.post(link, data={"who": "sophie@acme.test"}) as response,
        ):
            answer = (response.status, await response.text())
        await asyncio.sleep(0)
        state = invoice_state(gw, number)
    assert answer[0] == 403 and re.search("invalid signature|expired", answer[1])
    assert state == "held" and gw.sink.received == []


async def test_installing_the_bot_in_a_channel_tells_its_conversation_id(
    db_url: str, connector: FakeBotConnector, caplog: pytest.LogCaptureFixture
) -> None:
    """Before `conversation_id` is configured, the bot already listens: its installation is logged with the id
    to put in [teams] conversation_id."""
    section = {k: v for k, v in teams_section(connector).items() if k != "conversation_id"}
    async with chat_running(db_url, teams=section) as gw:
        service = f"{connector.url}/"
        installed = {
            "type": "conversationUpdate",
            "id": "install-1",
            "channelId": "msteams",
            "serviceUrl": service,
            "from": {"id": "29:admin", "aadObjectId": "aad-admin"},
            "recipient": {"id": f"28:{APP_ID}"},
            "conversation": {"id": "19:new-channel@thread.tacv2", "conversationType": "channel"},
            "membersAdded": [{"id": f"28:{APP_ID}"}],
        }
        with caplog.at_level("INFO", logger="jalon.bot.teams"):
            status, _ = await invoke(gw, installed, connector.token_for(service))
    assert status in (200, 202)
    assert "19:new-channel@thread.tacv2" in caplog.text
    assert connector.activities == {}  # nothing to post anywhere yet
