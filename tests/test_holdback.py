"""A retenue de garantie (holdback) printed under the total: read, never asked for by reminders, and claimed
when the guarantee ends, as a works company's credit controller would have it."""

from __future__ import annotations

import datetime as dt
import json
import random
from decimal import Decimal
from pathlib import Path

import gen_invoices as gen
import pytest
from harness import detail, running
from sqlalchemy import select
from test_pipeline_invoices import add_customer, invoice_mail, send

from jalon import dunning, payments, scenarios
from jalon.__main__ import main
from jalon.formats.extract import read_invoice
from jalon.handlers.views import render_journey
from jalon.models import Case, Event, Invoice

FIVE_PERCENT = Decimal("0.05")


def works_invoice(style: str, seed: int, *, deposit: str | None = None) -> gen.Doc:
    """A generated invoice whose buyer keeps back 5 % of the total until the guarantee ends."""
    doc = gen.make_doc(random.Random(seed), style, seed + 1, "plain")
    doc.po = doc.po or f"PO-{seed:04d}"
    doc.holdback = (doc.printed_ttc() * FIVE_PERCENT).quantize(Decimal("0.01"))
    doc.prepaid = Decimal(deposit) if deposit else None
    return doc


@pytest.mark.parametrize("style", ["classic_fr", "totals_row_fr", "modern_en"])
@pytest.mark.parametrize("deposit", [None, "100.00"])
def test_the_holdback_under_the_total_is_read_and_the_amount_due_stays_the_total(
    style: str, deposit: str | None
) -> None:
    """'Retenue de garantie 5 % -330,18 | Net à payer': the holdback is read; the amount due (BT-115) stays
    the total less any deposit, as EN 16931 has it; the holdback row is not an invoice line."""
    for seed in range(3):
        doc = works_invoice(style, seed, deposit=deposit)
        invoice = read_invoice(gen.STYLES[style](doc)).invoice
        assert invoice is not None
        assert invoice.totals.holdback == doc.holdback
        assert invoice.totals.tax_inclusive == doc.printed_ttc()
        assert invoice.totals.payable == doc.printed_ttc() - (doc.prepaid or 0)
        assert len(invoice.lines) == len(doc.items)


def test_jalon_extract_says_the_holdback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`jalon extract --json` gives the holdback beside the amount due; an invoice without one has no key."""
    with_one, without = tmp_path / "travaux.pdf", tmp_path / "plain.pdf"
    doc = works_invoice("classic_fr", 4)
    with_one.write_bytes(gen.STYLES["classic_fr"](doc))
    plain = gen.make_doc(random.Random(4), "classic_fr", 5, "plain")
    without.write_bytes(gen.STYLES["classic_fr"](plain))
    assert main(["extract", str(with_one), str(without), "--json"]) == 0
    out = capsys.readouterr().out
    read = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    if not read:  # one JSON document holding a list
        read = json.loads(out)
    assert read[0]["holdback"] == float(doc.holdback)
    assert read[0]["amount_due"] == float(doc.printed_ttc())
    assert "holdback" not in read[1]


async def test_a_holdback_is_not_chased_and_is_claimed_when_the_guarantee_ends(db_url: str) -> None:
    """The customer pays the total less the holdback: the invoice is paid, nothing more is asked. A year after
    the invoice, a case asks the team to claim the holdback (once); its payment, by bank file, closes it."""
    doc = works_invoice("classic_fr", 7)
    pdf = gen.STYLES["classic_fr"](doc)
    expected = doc.expected()
    async with running(db_url) as gw:
        add_customer(gw, expected, [("compta@client.test", "buyer")])
        await send(gw, invoice_mail(pdf, filename=f"{doc.number}.pdf"))
        await gw.settle()
        await gw.sink.wait_for(1)
        database, settings = gw.services.database, gw.services.settings
        with database.session() as session:
            invoice = session.scalars(select(Invoice).where(Invoice.number == doc.number)).one()
            assert (invoice.state, invoice.holdback, invoice.amount_due) == (
                "sent",
                doc.holdback,
                doc.printed_ttc(),
            )
            issued = invoice.issue_date
            asked = dunning.outstanding(invoice)  # what reminders and notices ask for
        assert asked == doc.printed_ttc() - doc.holdback
        shown = detail(gw, doc.number)  # as the API and `invoice show --json` give it
        assert shown["holdback"] == float(doc.holdback)
        assert f"holdback {doc.holdback} EUR" in render_journey(shown).splitlines()[0]  # and `invoice show`

        # the reminder asks for the rest and says what is kept back, and until when
        due = dt.datetime.combine(doc.due, dt.time(12), dt.UTC)
        scenarios.tick(database, settings, due + dt.timedelta(days=2))
        await gw.settle()
        reminder = (await gw.sink.wait_for(2))[-1].message().get_body(("plain",)).get_content()
        asked = f"{doc.printed_ttc() - doc.holdback:,.2f}".replace(",", "\u202f").replace(".", ",")
        assert asked in reminder.replace("\xa0", "\u202f"), reminder
        assert "hors retenue de garantie de" in reminder

        ok, message, data = payments.pay(database, doc.number, actor="test")
        assert ok and data["state"] == "paid" and data["remaining"] == "0.00"
        assert data["holdback"] == str(doc.holdback) and "holdback" in message

        def holdback_cases() -> list[Case]:
            with database.session() as session:
                return list(session.scalars(select(Case).where(Case.kind == "holdback_due")))

        scenarios.tick(
            database, settings, dt.datetime.combine(issued, dt.time(9), dt.UTC) + dt.timedelta(days=300)
        )
        assert holdback_cases() == []  # the guarantee runs for a year
        a_year_on = dt.datetime.combine(issued, dt.time(9), dt.UTC) + dt.timedelta(days=366)
        scenarios.tick(database, settings, a_year_on)
        scenarios.tick(database, settings, a_year_on + dt.timedelta(hours=1))
        [case] = holdback_cases()
        assert case.state == "open" and case.facts["holdback"] == f"{doc.holdback} EUR"
        assert case.facts["number"] == doc.number

        statement = f"date,amount,reference\n{a_year_on.date().isoformat()},{doc.holdback},{doc.number}\n"
        report = payments.import_statement(database, statement.encode(), actor="test", filename="releve.csv")
        assert [m["invoice"] for m in report["matched"]] == [doc.number] and not report["overpaid"]
        with database.session() as session:
            types = [e.type for e in session.scalars(select(Event).order_by(Event.id))]
            invoice = session.scalars(select(Invoice).where(Invoice.number == doc.number)).one()
            assert invoice.amount_paid == doc.printed_ttc()
        assert "payment.holdback_retained" in types and "payment.holdback_received" in types
        assert [c.state for c in holdback_cases()] == ["closed"]


@pytest.mark.parametrize("target", ["facturx", "cii", "ubl"])
def test_the_e_invoice_says_the_holdback_in_a_note_and_stays_valid(target: str) -> None:
    """EN 16931 has no holdback: the amount due stays the total (BR-CO-16) and a note tells the buyer's
    system what the PDF prints, the holdback and the net to pay; the output passes the official rules."""
    from jalon.formats.convert import convert

    doc = works_invoice("classic_fr", 5)
    converted = convert(gen.STYLES["classic_fr"](doc), target)
    assert converted.report.valid, converted.report.errors
    xml = converted.output
    if target == "facturx":
        from jalon.formats.facturx import embedded_xml

        found = embedded_xml(converted.output)
        assert found is not None
        xml = found[1]
    text = xml.decode("utf-8")
    assert f"Retenue de garantie : {doc.holdback:f} EUR" in text
    assert f"{doc.printed_ttc() - doc.holdback:f} EUR" in text


def test_the_holdback_of_a_layout_nobody_on_the_team_wrote_is_read() -> None:
    """The blind set's construction subcontractor (tune split, written by someone who never read jalon):
    'Retenue de garantie 5 % - 89,36 € | Net à payer 1 697,84 €' under a reverse-charge total."""
    blind = Path(__file__).resolve().parent / "data" / "invoices_blind3"
    invoice = read_invoice((blind / "btp_1.pdf").read_bytes()).invoice
    assert invoice is not None
    assert (invoice.totals.holdback, invoice.totals.payable) == (Decimal("89.36"), Decimal("1787.20"))
    deposit = read_invoice((blind / "btp_2.pdf").read_bytes()).invoice  # a deposit, and no holdback
    assert deposit is not None and deposit.totals.holdback is None
    assert deposit.totals.prepaid == Decimal("2500.00")
