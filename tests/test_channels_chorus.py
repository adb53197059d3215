"""Public buyers on Chorus Pro: the invoice is deposited through PISTE, followed, and what the buyer requires
is looked up so that an invoice lacking it is held before it is deposited."""

from __future__ import annotations

import harness
import pytest
from harness import Running, detail, running, sample
from sqlalchemy import select
from standin_chorus import ChorusStandIn

from jalon.channels import chorus
from jalon.channels.oauth import NotConfigured
from jalon.formats import validation
from jalon.models import Case, Customer

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def standin(monkeypatch: pytest.MonkeyPatch) -> ChorusStandIn:
    server = await ChorusStandIn().start()
    for name, value in server.environment().items():
        monkeypatch.setenv(name, value)
    yield server
    await server.stop()


def add_public_buyer(
    gw: Running, expected: dict, siret: str, channel: str = "chorus", fmt: str = "facturx"
) -> None:
    """The buyer is a public entity, known by its SIRET, reached on this channel."""
    contact = {"email": "factures@entite.test", "role": "buyer"}
    harness.add_customer(
        gw, expected, [contact], customer_id="C300", siret=siret, group="public", channel=channel, format=fmt
    )


async def test_public_buyer_gets_a_facturx_deposit_and_the_report_is_recorded(
    db_url: str, standin: ChorusStandIn
) -> None:
    """The hospital takes invoices on Chorus Pro: jalon deposits a valid Factur-X (IN_DP_E2_CII_FACTURX),
    records the deposit report (IN_INTEGRE) and then what the hospital does with it, and mails nothing."""
    pdf, expected = sample("chorus_form-01-public")
    async with running(db_url, chorus=standin.settings()) as gw:
        add_public_buyer(gw, expected, expected["buyer_siren"] + "00018")
        await gw.receive_invoice(pdf, rounds=8)
        [deposit] = standin.deposits.values()
        await gw.pass_hours(6)
        shown = detail(gw, expected["invoice_number"])
    assert deposit.syntax == "IN_DP_E2_CII_FACTURX" and deposit.invoice_number == expected["invoice_number"]
    assert validation.check_output(deposit.data, fmt="facturx", profile="EN16931").valid
    [call] = [c for c in standin.calls if c[0] == "factures/v1/deposer/flux"]
    assert call[1]["Authorization"].startswith("Bearer ") and call[1]["cpro-account"]
    assert gw.sink.received == [], "a Chorus Pro recipient gets no mail"
    statuses = [e["data"]["code"] for e in shown["events"] if e["type"] == "platform.status"]
    assert statuses == ["IN_INTEGRE", "MISE_A_DISPOSITION", "MANDATEE"]
    [dispatch] = shown["dispatches"]
    assert dispatch["channel"] == "chorus" and dispatch["state"] == "delivered"
    types = [e["type"] for e in shown["events"]]
    assert {"dispatch.sent", "dispatch.delivered", "invoice.approved"} <= set(types)
    sent = next(e for e in shown["events"] if e["type"] == "dispatch.sent")
    assert sent["data"]["ref"] == deposit.number


async def test_a_rejected_deposit_opens_a_case(db_url: str, standin: ChorusStandIn) -> None:
    """Chorus Pro rejects the flow (IN_REJETE): the dispatch is failed and a person is asked to look."""
    standin.report_states = ["IN_EN_COURS_TRAITEMENT_CPP", "IN_REJETE"]
    pdf, expected = sample("chorus_form-01-public")
    async with running(db_url, chorus=standin.settings()) as gw:
        add_public_buyer(gw, expected, expected["buyer_siren"] + "00018")
        await gw.receive_invoice(pdf, rounds=8)
        await gw.pass_hours(6)
        shown = detail(gw, expected["invoice_number"])
        with gw.services.database.session() as session:
            [case] = session.scalars(select(Case).where(Case.kind == "send_failed")).all()
    assert shown["dispatches"][0]["state"] == "failed"
    assert case.facts["code"] == "IN_REJETE" and case.state == "open"
    asked = [c[0] for c in standin.calls]
    assert (
        asked.count("transverses/v1/consulterCR") == 2 and "factures/v1/rechercher/fournisseur" not in asked
    )


async def test_wrong_credentials_never_lose_the_invoice(
    db_url: str, standin: ChorusStandIn, monkeypatch
) -> None:
    """PISTE refuses our client credentials: nothing is deposited, the dispatch fails with PISTE's words."""
    monkeypatch.setenv("JALON_PISTE_CLIENT_SECRET", "not-the-secret")
    pdf, expected = sample("chorus_form-01-public")
    async with running(db_url, chorus=standin.settings()) as gw:
        add_public_buyer(gw, expected, expected["buyer_siren"] + "00018")
        await gw.receive_invoice(pdf, rounds=8)
        shown = detail(gw, expected["invoice_number"])
    assert standin.deposits == {}
    [dispatch] = shown["dispatches"]
    assert dispatch["state"] == "failed"
    failed = next(e for e in shown["events"] if e["type"] == "dispatch.failed")
    assert "invalid_client" in failed["data"]["message"]


async def test_structure_lookup_makes_a_missing_service_code_hold_the_invoice(
    db_url: str, standin: ChorusStandIn
) -> None:
    """Chorus Pro says this public buyer requires a service code and an engagement number: after the look-up,
    an invoice without a service code is held before anything is deposited."""
    pdf, expected = sample("noncompliant-buyer_reference")
    siret = expected["buyer_siren"] + "00026"
    standin.structures[siret] = {
        "codeServiceDoitEtreRenseigne": True,
        "numeroEJDoitEtreRenseigne": True,
        "gestionNumeroEJOuCodeService": False,
    }
    async with running(db_url, chorus=standin.settings()) as gw:
        add_public_buyer(gw, expected, siret)
        report = await chorus.refresh_structures(gw.services.database, gw.settings, codes=["C300"])
        with gw.services.database.session() as session:
            stored = session.scalars(select(Customer)).one().settings["chorus"]
        await gw.receive_invoice(pdf, rounds=8)
        shown = detail(gw, expected["invoice_number"])
    assert report["looked_up"] == 1 and report["not_found"] == []
    assert stored["service_code_required"] is True and stored["engagement_required"] is True
    assert shown["state"] == "held" and standin.deposits == {}
    codes = {f["code"]: f for f in shown["findings"] if f["severity"] == "error"}
    assert "buyer_reference" in codes and "service code" in codes["buyer_reference"]["message"]


async def test_a_buyer_unknown_to_chorus_is_reported(db_url: str, standin: ChorusStandIn) -> None:
    """A SIRET Chorus Pro does not know is listed, and nothing is required of that customer's invoices."""
    _, expected = sample("classic_fr-06-public")
    async with running(db_url, chorus=standin.settings()) as gw:
        add_public_buyer(gw, expected, expected["buyer_siren"] + "00034")
        report = await chorus.refresh_structures(gw.services.database, gw.settings, codes=["C300"])
        with gw.services.database.session() as session:
            customer = session.scalars(select(Customer)).one()
            assert chorus.requirements_of(customer) == {}
    assert report["not_found"] == ["C300"]


async def test_the_look_up_says_what_is_missing_instead_of_staying_silent(
    db_url: str, standin: ChorusStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No public buyer, an unknown customer code, no PISTE credentials: each is said, not an empty success."""
    _, expected = sample("classic_fr-06-public")
    async with running(db_url, chorus=standin.settings()) as gw:
        empty = await chorus.refresh_structures(gw.services.database, gw.settings)
        add_public_buyer(gw, expected, expected["buyer_siren"] + "00034")
        unknown = await chorus.refresh_structures(gw.services.database, gw.settings, codes=["C300", "C999"])
        monkeypatch.delenv(gw.settings.chorus.client_secret_env)
        with pytest.raises(NotConfigured, match=gw.settings.chorus.client_secret_env):
            await chorus.refresh_structures(gw.services.database, gw.settings, codes=["C300"])
    assert empty["looked_up"] == 0 and "no public buyer" in empty["note"]
    assert unknown["looked_up"] == 1 and list(unknown["errors"]) == ["C999"]
