"""The tracked link: a customer opens the portal and downloads the invoice; scanners only leave hints; the API
shows the same journey to the billing team's tools."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import aiohttp
import pytest
from conftest import need
from harness import Running, detail, running, sample
from test_pipeline_invoices import add_customer

pytestmark = pytest.mark.asyncio
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0"


async def sent_invoice(gw: Running) -> tuple[str, str, dict]:
    """An invoice sent to one buyer; returns (invoice number, link in the mail, expected values)."""
    pdf, expected = sample("classic_fr-01-plain")
    add_customer(gw, expected, [("achats@client.test", "buyer")])
    await gw.receive_invoice(pdf)
    [mail] = await gw.sink.wait_for(1)
    body = mail.message().get_body(("plain",)).get_content()
    link = re.search(r"http://\S+/i/\S+", body).group(0)
    return expected["invoice_number"], link.replace("http://127.0.0.1:1", gw.web_url), expected


def events_of(gw: Running, number: str, kind: str) -> list[dict]:
    return [e for e in detail(gw, number)["events"] if e["type"] == kind]


async def test_a_person_downloads_the_invoice_from_the_link(db_url: str) -> None:
    """Opening the link is a hint; clicking Download on the page confirms receipt, with IP and browser."""
    async with running(db_url) as gw:
        number, link, _ = await sent_invoice(gw)
        pdf = sample("classic_fr-01-plain")[0]
        async with aiohttp.ClientSession(headers={"User-Agent": BROWSER}) as http:
            async with http.get(link) as page:
                assert page.status == 200
                html = await page.text()
            assert number in html and "Télécharger" in html
            fields = dict(re.findall(r'name="(\w)" value="([^"]*)"', html))
            token = link.split("/i/")[1].split("?")[0]
            async with http.post(f"{gw.web_url}/i/{token}/download", data=fields) as download:
                assert download.status == 200 and await download.read() == pdf
                assert "attachment" in download.headers["Content-Disposition"]
        [viewed] = events_of(gw, number, "dispatch.viewed")
        [downloaded] = events_of(gw, number, "dispatch.downloaded")
    assert viewed["data"]["level"] == "hint"
    assert downloaded["data"]["level"] == "confirmed" and downloaded["data"]["ip"] == "127.0.0.1"
    assert downloaded["data"]["user_agent"] == BROWSER and downloaded["recipient"] == "achats@client.test"


async def test_link_scanners_and_head_requests_are_only_hints(db_url: str) -> None:
    """A mail security gateway fetching the link right away is recorded, but never as a receipt."""
    async with running(db_url) as gw:
        number, link, _ = await sent_invoice(gw)
        async with aiohttp.ClientSession() as http:
            async with http.head(link, headers={"User-Agent": BROWSER}) as head:
                assert head.status == 200
            async with http.get(link, headers={"User-Agent": "Mimecast-URL-Protect/2.0"}) as scan:
                assert scan.status == 200
            async with http.get(link, headers={"User-Agent": BROWSER}) as early:
                assert early.status == 200
        hints = [e["data"]["hint"] for e in events_of(gw, number, "dispatch.viewed")]
    assert hints == ["HEAD request", "scanner user agent", "within seconds of sending"]
    assert events_of(gw, number, "dispatch.downloaded") == []


async def test_forged_or_tampered_links_are_refused(db_url: str) -> None:
    """Changing the token, the expiry or the signature of a link gets a 403 and records nothing."""
    async with running(db_url) as gw:
        number, link, _ = await sent_invoice(gw)
        token = link.split("/i/")[1].split("?")[0]
        forged = [
            link.replace(token, token[:-1] + ("A" if token[-1] != "A" else "B")),
            re.sub(r"e=(\d+)", lambda m: f"e={int(m.group(1)) + 86400}", link),
            re.sub(r"s=[^&]+", "s=AAAAAAAAAAAAAAAAAAAAAAAA", link),
            re.sub(r"e=(\d+)", "e=1000", link),
        ]
        async with aiohttp.ClientSession() as http:
            for url in forged:
                async with http.get(url) as response:
                    assert response.status == 403, url
            async with http.post(f"{gw.web_url}/i/{token}/download", data={"e": "1", "s": "x"}) as response:
                assert response.status == 403
        assert events_of(gw, number, "dispatch.viewed") == []


async def test_api_needs_the_bearer_token_and_shows_the_journey(db_url: str) -> None:
    """The billing team's tools read invoices over HTTP with the token; without it, nothing."""
    async with running(db_url) as gw:
        number, _, expected = await sent_invoice(gw)
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{gw.web_url}/api/invoices") as anonymous:
                assert anonymous.status == 401
            async with http.get(
                f"{gw.web_url}/api/invoices", headers={"Authorization": "Bearer wrong"}
            ) as wrong:
                assert wrong.status == 401
            auth = {"Authorization": "Bearer test-api-token"}
            async with http.get(f"{gw.web_url}/api/invoices", headers=auth) as listing:
                invoices = await listing.json()
            async with http.get(f"{gw.web_url}/api/invoices/{number}", headers=auth) as one:
                shown = await one.json()
            async with http.get(f"{gw.web_url}/api/invoices/NOPE-1", headers=auth) as missing:
                assert missing.status == 404
    assert [i["number"] for i in invoices] == [number]
    assert shown["state"] == "sent" and shown["total_with_vat"] == expected["total_with_vat"]
    assert shown["customer"]["customer_id"] == "C100"
    assert [(d["recipient"], d["role"], d["channel"], d["state"]) for d in shown["dispatches"]] == [
        ("achats@client.test", "buyer", "email", "sent")
    ]
    assert {e["type"] for e in shown["events"]} >= {"invoice.received", "invoice.matched", "dispatch.sent"}
    assert all(set(e) >= {"type", "at", "data"} for e in shown["events"])


async def test_the_portal_in_a_real_browser(db_url: str, tmp_path: Path) -> None:
    """In Chromium, the customer clicks Download and gets the PDF; jalon records a confirmed receipt."""
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    need(Path(chromium).exists(), "Debian chromium is not installed")
    from playwright.async_api import async_playwright

    async with running(db_url) as gw:
        number, link, _ = await sent_invoice(gw)
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=chromium,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                ],
            )
            context = await browser.new_context(user_agent=BROWSER, accept_downloads=True)
            page = await context.new_page()
            await page.goto(link)
            assert number in await page.title()
            async with page.expect_download() as info:
                await page.click("#download")
            download = await info.value
            saved = tmp_path / download.suggested_filename
            await download.save_as(saved)
            await browser.close()
        assert saved.read_bytes()[:5] == b"%PDF-"
        [downloaded] = events_of(gw, number, "dispatch.downloaded")
        assert downloaded["data"]["level"] == "confirmed"
        assert json.dumps(downloaded["data"]).count("HeadlessChrome") == 0
