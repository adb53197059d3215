"""A customer reached through a Plateforme Agréée (AFNOR XP Z12-013): the invoice is handed over as a flow,
and the life-cycle statuses the platform returns become the invoice's events, cases and milestones."""

from __future__ import annotations

import harness
import pytest
from conftest import corpus
from harness import Running, detail, running, sample
from sqlalchemy import select
from standin_pa import PaStandIn

from jalon import scenarios
from jalon.channels.pa import read_cdar
from jalon.db import utcnow
from jalon.models import Case, Milestone, Payment


@pytest.fixture
async def platform(monkeypatch: pytest.MonkeyPatch) -> PaStandIn:
    server = await PaStandIn(corpus("einvoice", "examples", "fr-ctc", "cdar")).start()
    for name, value in server.environment().items():
        monkeypatch.setenv(name, value)
    yield server
    await server.stop()


def add_customer(gw: Running, expected: dict, fmt: str = "facturx") -> None:
    """The buyer is reached through its Plateforme Agréée."""
    contact = {"email": "ap@client.test", "role": "buyer"}
    harness.add_customer(gw, expected, [contact], customer_id="C400", channel="pa", format=fmt)


async def test_statuses_from_the_platform_become_events_milestones_and_payment(
    db_url: str, platform: PaStandIn
) -> None:
    """Deposited, made available, approved, then collected: each status the PA returns is recorded once, the
    delivered and paid milestones are met, and the payment is booked with the amount the platform gives."""
    pdf, expected = sample("classic_fr-02-multirate")
    number, total = expected["invoice_number"], f"{expected['total_with_vat']:.2f}"
    async with running(db_url, pa=platform.settings()) as gw:
        add_customer(gw, expected)
        await gw.receive_invoice(pdf, rounds=8)
        [flow] = [f for f in platform.flows.values() if f["flowType"] == "CustomerInvoice"]
        scenarios.tick(gw.services.database, gw.settings, utcnow())  # milestones of the sent invoice
        for code in ("200", "203", "205"):
            platform.issue_status(number, code)
        await gw.pass_hours(3)
        platform.issue_status(number, "212", amount=total)
        await gw.pass_hours(3)
        await gw.pass_hours(3)  # nothing new: nothing recorded twice
        shown = detail(gw, number)
        with gw.services.database.session() as session:
            milestones = {m.name: m.state for m in session.scalars(select(Milestone))}
            [payment] = session.scalars(select(Payment)).all()
    [dispatch] = shown["dispatches"]
    assert flow["trackingId"] == dispatch["token"] and flow["flowSyntax"] == "Factur-X"
    assert flow["processingRule"] == "B2B" and flow["contentType"] == "application/pdf"
    assert [e["data"]["code"] for e in shown["events"] if e["type"] == "platform.status"] == [
        "200",
        "203",
        "205",
        "212",
    ]
    types = [e["type"] for e in shown["events"]]
    assert {"dispatch.delivered", "invoice.approved", "payment.received", "invoice.paid"} <= set(types)
    assert shown["state"] == "paid" and dispatch["state"] == "delivered"
    assert f"{payment.amount:.2f}" == total and payment.source == "pa"
    assert milestones.get("delivered") == "met" and milestones.get("paid") == "met"
    assert gw.sink.received == [], "a customer on a PA gets no mail"
    assert any("updatedAfter" in s["where"] for s in platform.searches), "later passes ask only what is new"


async def test_a_dispute_on_the_platform_pauses_reminders_and_opens_a_case(
    db_url: str, platform: PaStandIn
) -> None:
    """The buyer disputes the invoice (207 En litige) on its platform: reminders stop, a person sees it."""
    pdf, expected = sample("classic_fr-01-plain")
    async with running(db_url, pa=platform.settings()) as gw:
        add_customer(gw, expected)
        await gw.receive_invoice(pdf, rounds=8)
        platform.issue_status(expected["invoice_number"], "207")
        await gw.pass_hours(3)
        shown = detail(gw, expected["invoice_number"])
        with gw.services.database.session() as session:
            [case] = session.scalars(select(Case).where(Case.kind == "dispute")).all()
    assert shown["pause_reason"] == "dispute"
    assert case.facts["code"] == "207" and case.facts["reason"], "the buyer's reason travels with the case"


async def test_a_flow_the_platform_refuses_fails_the_dispatch(db_url: str, platform: PaStandIn) -> None:
    """The PA's own checks reject our flow (acknowledgement Error): the dispatch fails with its reasons."""
    pdf, expected = sample("classic_fr-01-plain")
    async with running(db_url, pa=platform.settings()) as gw:
        add_customer(gw, expected, fmt="ubl")
        await gw.receive_invoice(pdf, rounds=8)
        [flow] = list(platform.flows.values())
        platform.acknowledge(
            flow["trackingId"],
            "Error",
            [{"level": "Error", "item": "BT-10", "reasonCode": "REJ_SEMAN", "reasonMessage": "routing"}],
        )
        await gw.pass_hours(3)
        shown = detail(gw, expected["invoice_number"])
        with gw.services.database.session() as session:
            [case] = session.scalars(select(Case).where(Case.kind == "send_failed")).all()
    assert flow["flowSyntax"] == "UBL" and shown["dispatches"][0]["state"] == "failed"
    assert "REJ_SEMAN" in case.facts["reason"]


def test_every_fnfe_cdar_example_reads_as_its_status() -> None:
    """Each FNFE life-cycle example (200 Déposée … 212 Encaissée) reads as the status its name gives."""
    folder = corpus("einvoice", "examples", "fr-ctc", "cdar")
    examples = sorted(folder.glob("*.xml"))
    assert len(examples) >= 8
    for path in examples:
        code = path.name.split("-CDV-")[1][:3]
        [(number, status)] = read_cdar(path.read_bytes(), "f1")
        assert status.code == code and number.startswith("F2025"), path.name
        if code == "212":
            assert status.amount is not None and status.currency == "EUR"
