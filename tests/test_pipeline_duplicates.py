"""The same invoice mailed again under another number is held as a probable duplicate, never sent twice."""

from __future__ import annotations

import dataclasses
import random

import gen_invoices as gen
import pytest
from harness import BILLING, DOMAIN, Running, add_customer, detail, invoice_mail, running

from jalon.mailbox.intake import Envelope, accept

pytestmark = pytest.mark.asyncio


def two_numbers(second_number: str) -> tuple[bytes, bytes, dict]:
    """One invoice (customer, amount, date) printed under two numbers; its printed values."""
    doc = gen.make_doc(random.Random(11), "classic_fr", 1, "plain")
    doc.po = doc.po or "PO-0001"
    twin = dataclasses.replace(doc, number=second_number)
    return gen.STYLES[doc.style](doc), gen.STYLES[twin.style](twin), doc.expected()


async def mail_and_settle(gw: Running, pdf: bytes) -> None:
    """The billing tool mails the PDF; jalon reads, checks and sends (or holds) it."""
    envelope = Envelope(mail_from=BILLING, rcpt_tos=(f"invoices@{DOMAIN}",))
    accept(gw.services.database, invoice_mail(pdf).as_bytes(), envelope)
    await gw.settle()


async def test_an_invoice_mailed_again_under_another_number_is_held(db_url: str) -> None:
    """Sent once, then again renumbered: the first goes out, the second waits for a person."""
    first, again, expected = two_numbers("DUP-2026-0999")
    async with running(db_url) as gw:
        add_customer(gw, expected, [{"email": "achats@client.test", "role": "buyer"}])
        await mail_and_settle(gw, first)
        await mail_and_settle(gw, again)
        original = detail(gw, expected["invoice_number"])
        renumbered = detail(gw, "DUP-2026-0999")
    assert original["state"] == "sent"
    assert renumbered["state"] == "held"
    codes = [f["code"] for f in renumbered["findings"]]
    assert "possible_duplicate" in codes


async def test_a_different_amount_is_not_a_duplicate(db_url: str) -> None:
    """Two invoices to the same customer on the same day, for other amounts: both go out."""
    first, _, expected = two_numbers("UNUSED")
    other = gen.make_doc(random.Random(11), "classic_fr", 1, "plain")
    other.po = other.po or "PO-0001"
    other = dataclasses.replace(other, number="OTHER-2026-0001", items=other.items[:1] * 2)
    assert other.totals() != gen.make_doc(random.Random(11), "classic_fr", 1, "plain").totals()
    async with running(db_url) as gw:
        add_customer(gw, expected, [{"email": "achats@client.test", "role": "buyer"}])
        await mail_and_settle(gw, first)
        await mail_and_settle(gw, gen.STYLES[other.style](other))
        shown = detail(gw, "OTHER-2026-0001")
    assert shown["state"] == "sent", shown["findings"]
