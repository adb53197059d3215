"""Operators settle held invoices from the command line: list, release (to a customer, or anyway), cancel."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from harness import Running, running, sample
from test_pipeline_invoices import add_customer

from jalon.__main__ import main

pytestmark = pytest.mark.asyncio


def cli(
    gw: Running, tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, list[dict]]:
    """Run `jalon` against the running gateway's database, as an operator would; parse its JSON lines."""
    config = tmp_path / "config.toml"
    config.write_text(
        f'[database]\nurl = "{gw.settings.database.url}"\n[gateway]\ndomain = "jalon.test"\n',
        encoding="utf-8",
    )
    capsys.readouterr()
    code = main(["--config", str(config), *args])
    out = capsys.readouterr().out
    return code, [json.loads(line) for line in out.splitlines() if line.strip()]


async def test_unmatched_invoice_is_released_to_the_customer_an_operator_chooses(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Held for no customer; the operator imports the customer, releases naming it, and the invoice leaves."""
    pdf, expected = sample("classic_fr-01-plain")
    number = expected["invoice_number"]
    async with running(db_url) as gw:
        await gw.receive_invoice(pdf)
        code, [held] = cli(gw, tmp_path, capsys, "hold", "list", "--json")
        assert [h["number"] for h in held] == [number]
        code, [refused] = cli(gw, tmp_path, capsys, "release", number)
        assert code == 1 and "no customer" in refused["message"]
        add_customer(gw, expected, [("achats@client.test", "buyer")], code="C777")
        code, [released] = cli(
            gw, tmp_path, capsys, "release", number, "--customer", "C777", "--actor", "marie"
        )
        assert code == 0 and released["dispatches"] == ["achats@client.test"]
        await gw.settle()
        [mail] = await gw.sink.wait_for(1)
        code, [shown] = cli(gw, tmp_path, capsys, "invoice", "show", number, "--json")
    assert mail.rcpt_tos == ["achats@client.test"]
    assert shown["state"] == "sent" and shown["customer"]["customer_id"] == "C777"
    released_event = next(e for e in shown["events"] if e["type"] == "invoice.released")
    assert released_event["actor"] == "marie"


async def test_a_defect_needs_release_anyway_with_a_reason(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An invoice missing its PO number for a customer that requires one: plain release is refused."""
    pdf, expected = sample("classic_fr-01-plain")
    number = expected["invoice_number"]
    async with running(db_url) as gw:
        add_customer(gw, expected, [("achats@client.test", "buyer")], requires_po="yes")
        await gw.receive_invoice(pdf)
        code, [plain] = cli(gw, tmp_path, capsys, "release", number)
        assert code == 1 and "purchase_order" in plain["message"]
        code, [no_reason] = cli(gw, tmp_path, capsys, "release", number, "--force")
        assert code == 1 and "reason" in no_reason["message"]
        code, [_forced] = cli(
            gw, tmp_path, capsys, "release", number, "--force", "--reason", "PO sent by phone"
        )
        assert code == 0
        await gw.settle()
        await gw.sink.wait_for(1)
        code, [shown] = cli(gw, tmp_path, capsys, "invoice", "show", number, "--json")
    event = next(e for e in shown["events"] if e["type"] == "invoice.released")
    assert event["data"]["forced"] is True and event["data"]["reason"] == "PO sent by phone"
    assert event["data"]["overridden"] == ["purchase_order"]


async def test_cancelled_invoice_sends_nothing(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A held invoice cancelled by the operator never leaves, and its case is closed."""
    pdf, expected = sample("classic_fr-01-plain")
    number = expected["invoice_number"]
    async with running(db_url) as gw:
        await gw.receive_invoice(pdf)
        code, [_cancelled] = cli(gw, tmp_path, capsys, "cancel", number, "--reason", "doublon")
        assert code == 0
        code, listing = cli(gw, tmp_path, capsys, "invoices", "--json")
        code, [shown] = cli(gw, tmp_path, capsys, "invoice", "show", number, "--json")
    assert [(i["number"], i["state"]) for i in listing[0]] == [(number, "cancelled")]
    assert gw.sink.received == []
    assert shown["state"] == "cancelled"
    assert any(e["type"] == "case.closed" for e in shown["events"])


async def test_two_people_releasing_the_same_invoice_at_once_send_it_once(db_url: str) -> None:
    """Two clicks at the same moment (two jalon processes, or the API twice): one release, one mail."""
    import asyncio

    from jalon.handlers import actions

    pdf, expected = sample("classic_fr-01-plain")
    number = expected["invoice_number"]
    async with running(db_url) as gw:
        add_customer(gw, expected, [("achats@client.test", "buyer")], requires_po="yes")
        await gw.receive_invoice(pdf)
        results = await asyncio.gather(
            *(
                asyncio.to_thread(
                    actions.release, gw.services.database, gw.settings, number, actor=f"p{i}", force=True,
                    reason="PO by phone",
                )
                for i in range(4)
            )
        )  # fmt: skip
        await gw.settle()
        mails = await gw.sink.wait_for(1)
        await asyncio.sleep(0.2)
    assert sorted(r.ok for r in results) == [False, False, False, True]
    assert len(mails) == 1 and len(gw.sink.received) == 1


async def test_choosing_a_customer_does_not_move_an_invoice_matched_to_another(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """'customer' only places an invoice nobody matched: one matched to C100 by its buyer stays C100's."""
    pdf, expected = sample("classic_fr-01-plain")
    number = expected["invoice_number"]
    async with running(db_url) as gw:
        add_customer(gw, expected, [("achats@client.test", "buyer")], requires_po="yes")
        other = {**expected, "buyer_name": "Autre SA", "buyer_siren": "552100554", "buyer_vat": ""}
        add_customer(gw, other, [("compta@autre.test", "buyer")], code="C777")
        await gw.receive_invoice(pdf)
        code, [moved] = cli(
            gw, tmp_path, capsys, "release", number, "--customer", "C777", "--force", "--reason", "x"
        )
        await gw.settle()
    assert code == 1 and "C100" in moved["message"] and gw.sink.received == []
