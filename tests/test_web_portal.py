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
            async with http.get(  # the token alone, without its scheme, is no bearer token
                f"{gw.web_url}/api/invoices", headers={"Authorization": "test-api-token"}
            ) as schemeless:
                assert schemeless.status == 401
            async with http.get(  # RFC 6750: the scheme's case does not matter
                f"{gw.web_url}/api/invoices", headers={"Authorization": "bearer test-api-token"}
            ) as lower:
                assert lower.status == 200
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


async def test_the_invoice_list_comes_in_pages_with_its_total_and_a_link_to_the_next(db_url: str) -> None:
    """A tool reading the list page by page: each page says how many invoices there are in all
    (X-Total-Count) and where the next page is (Link rel="next"), the last page has no next."""
    from sqlalchemy import select

    from jalon.models import Invoice

    async with running(db_url) as gw:
        number, _, _ = await sent_invoice(gw)
        with gw.services.database.session() as session:
            first = session.scalars(select(Invoice).where(Invoice.number == number)).one()
            for n in (2, 3):
                session.add(
                    Invoice(
                        number=f"F-2026-900{n}",
                        issuer=first.issuer,
                        customer_id=first.customer_id,
                        state="sent",
                    )
                )
        auth = {"Authorization": "Bearer test-api-token"}
        seen, pages, url = [], [], f"{gw.web_url}/api/invoices?limit=2"
        async with aiohttp.ClientSession() as http:
            while url:
                async with http.get(url, headers=auth) as page:
                    seen += [i["number"] for i in await page.json()]
                    pages.append(page.headers["X-Total-Count"])
                    link = page.headers.get("Link")
                following = re.match(r'<([^>]+)>; rel="next"', link) if link else None
                url = f"{gw.web_url}{following.group(1)}" if following else None
    assert seen == [number, "F-2026-9002", "F-2026-9003"]
    assert pages == ["3", "3"]


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


async def test_the_evidence_cannot_be_typed_and_a_cancelled_invoice_is_withdrawn(db_url: str) -> None:
    """A downloader's X-Forwarded-For is not believed (no trusted proxy); once cancelled, the link says so,
    serves nothing and records no receipt."""
    async with running(db_url) as gw:
        number, link, _ = await sent_invoice(gw)
        token = link.split("/i/")[1].split("?")[0]
        async with aiohttp.ClientSession(headers={"User-Agent": BROWSER}) as http:
            async with http.get(link) as page:
                fields = dict(re.findall(r'name="(\w)" value="([^"]*)"', await page.text()))
                private = page.headers.get("Cache-Control"), page.headers.get("Referrer-Policy")
            forged = {"X-Forwarded-For": "203.0.113.66"}
            async with http.post(f"{gw.web_url}/i/{token}/download", data=fields, headers=forged) as first:
                assert first.status == 200
            auth = {"Authorization": "Bearer test-api-token"}
            async with http.post(
                f"{gw.web_url}/api/invoices/{number}/cancel", headers=auth, json={}
            ) as cancel:
                assert cancel.status == 200
            async with http.get(link) as page:
                withdrawn = (page.status, await page.text())
            async with http.post(f"{gw.web_url}/i/{token}/download", data=fields) as second:
                refused = second.status
        downloads = events_of(gw, number, "dispatch.downloaded")
    assert private == ("no-store", "no-referrer")
    assert [d["data"]["ip"] for d in downloads] == ["127.0.0.1"]
    assert withdrawn[0] == 410 and "was cancelled" in withdrawn[1] and refused == 410


async def test_the_api_refuses_what_it_cannot_take_for_sure(db_url: str) -> None:
    """'force': "false" is no boolean, limit=abc no number, an array no object, NaN no amount, the same bank
    reference twice one payment: each a 400 or 409 with a JSON error, nothing done; health checks the DB."""
    async with running(db_url) as gw:
        number, _, _ = await sent_invoice(gw)
        auth = {"Authorization": "Bearer test-api-token"}
        base = f"{gw.web_url}/api/invoices"
        answers = {}
        async with aiohttp.ClientSession(headers=auth) as http:
            for name, method, url, body in (
                ("force", "POST", f"{base}/{number}/release", {"force": "false", "reason": "x"}),
                ("limit", "GET", f"{base}?limit=abc", None),
                ("array", "POST", f"{base}/{number}/release", [{"force": True}]),
                ("nan", "POST", f"{base}/{number}/payments", {"amount": "NaN"}),
                ("future", "POST", f"{base}/{number}/payments", {"amount": "10", "date": "2099-01-01"}),
                ("first", "POST", f"{base}/{number}/payments", {"amount": "10", "reference": "VIR-123"}),
                ("again", "POST", f"{base}/{number}/payments", {"amount": "10", "reference": "VIR-123"}),
            ):
                async with http.request(method, url, json=body) as response:
                    answers[name] = (response.status, response.content_type)
            async with http.get(f"{gw.web_url}/healthz") as health:
                healthy = (health.status, await health.json())
            async with http.put(f"{base}/{number}/release") as wrong_method:
                answers["method"] = (wrong_method.status, wrong_method.content_type)
            async with http.get(f"{gw.web_url}/api/nothing-here") as nowhere:
                answers["route"] = (nowhere.status, nowhere.content_type)
        shown = detail(gw, number)
    assert answers["force"][0] == answers["limit"][0] == answers["array"][0] == 400
    assert answers["nan"][0] == answers["future"][0] == 400
    assert answers["first"][0] == 200 and answers["again"][0] == 409
    assert answers["method"][0] == 405 and answers["route"][0] == 404
    assert all(kind == "application/json" for _, kind in answers.values())
    assert [e["data"]["amount"] for e in shown["events"] if e["type"] == "payment.received"] == ["10"]
    assert healthy == (200, {"status": "ok", "database": "ok"})
