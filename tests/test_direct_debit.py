"""An invoice the seller collects by direct debit: read as such, and the customer gets no "please pay"
before the due date (the debit is presented then); after it, the ladder runs as for any invoice."""

from __future__ import annotations

import json
import random
from pathlib import Path

import gen_invoices as gen
import pytest
from harness import running
from test_pipeline_invoices import add_customer, invoice_mail, send

from jalon.__main__ import main
from jalon.formats.extract import read_invoice
from jalon.handlers.actions import find_invoice
from jalon.timeline import timeline


def debited(style: str, seed: int, *, by_debit: bool = True) -> gen.Doc:
    doc = gen.make_doc(random.Random(seed), style, seed + 40, "plain")
    doc.po = doc.po or f"PO-{seed}"
    doc.direct_debit = by_debit
    return doc


@pytest.mark.parametrize("style", ["classic_fr", "prose_fr", "totals_row_fr", "grid_fr"])
def test_a_direct_debit_is_read_from_the_invoice(style: str) -> None:
    """'Règlement par prélèvement SEPA à l'échéance': read as a direct debit; the same invoice paid by
    transfer is not."""
    assert read_invoice(gen.STYLES[style](debited(style, 1))).invoice.payment.debited
    assert not read_invoice(gen.STYLES[style](debited(style, 1, by_debit=False))).invoice.payment.debited


def test_jalon_extract_says_the_direct_debit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "debit.pdf"
    path.write_bytes(gen.STYLES["classic_fr"](debited("classic_fr", 2)))
    assert main(["extract", str(path), "--json"]) == 0
    out = capsys.readouterr().out
    read = json.loads(out)
    read = read[0] if isinstance(read, list) else read
    assert read["direct_debit"] is True


async def test_no_courtesy_reminder_before_a_direct_debit_but_the_ladder_after_it(db_url: str) -> None:
    """Two invoices of one customer, one collected by direct debit: only the other gets the courtesy
    reminder before its due date; both get the reminders after it."""
    by_debit, by_transfer = debited("classic_fr", 3), debited("classic_fr", 4, by_debit=False)
    by_transfer.buyer = by_debit.buyer
    async with running(db_url) as gw:
        add_customer(gw, by_debit.expected(), [("compta@client.test", "buyer")])
        for count, doc in enumerate((by_debit, by_transfer), start=1):
            await send(gw, invoice_mail(gen.STYLES["classic_fr"](doc), filename=f"{doc.number}.pdf"))
            await gw.settle()
            await gw.sink.wait_for(count)
        with gw.services.database.session() as session:
            steps = {
                doc.number: {
                    step["name"]
                    for step in timeline(session, gw.services.settings, find_invoice(session, doc.number))[
                        "steps"
                    ]
                }
                for doc in (by_debit, by_transfer)
            }
    assert "courtesy" in steps[by_transfer.number] and "courtesy" not in steps[by_debit.number]
    assert "reminder-1" in steps[by_debit.number] and "reminder-1" in steps[by_transfer.number]


@pytest.mark.parametrize("target", ["peppol", "facturx"])
def test_a_direct_debit_with_its_mandate_is_written_as_such_and_passes_the_official_rules(
    target: str,
) -> None:
    """'RUM : … - ICS : …' printed: the e-invoice says SEPA direct debit (code 59) with the mandate reference
    and the creditor identifier, and passes the official rules (Peppol asks for the mandate: R061). Without
    a mandate printed, the means code stays what the IBAN says."""
    from jalon.formats.convert import convert

    doc = debited("classic_fr", 6)
    doc.mandate = "ACME-MDT-2026-0042"
    converted = convert(gen.STYLES["classic_fr"](doc), target)
    payment = converted.invoice.payment
    assert (payment.means_code, payment.mandate_ref) == ("59", "ACME-MDT-2026-0042")
    assert payment.creditor_id and payment.creditor_id.startswith("FR12ZZZ")
    assert converted.report.valid, converted.report.errors
    without = read_invoice(gen.STYLES["classic_fr"](debited("classic_fr", 6))).invoice.payment
    assert without.debited and without.means_code != "59" and without.mandate_ref is None


def test_direct_debits_of_layouts_nobody_on_the_team_wrote() -> None:
    """Blind sets' tune splits: 'Règlement par prélèvement SEPA le 26/04/2026' (a food wholesaler) and
    'REGLEMENT PAR PRELEVEMENT LE 10/08/26' (a pharmacy wholesaler) are debits; a utility's 'Prélèvement
    automatique … si vous avez opté pour ce mode de paiement' is not said of this customer."""
    data = Path(__file__).resolve().parent / "data"

    def debit(name: str) -> bool:
        invoice = read_invoice((data / name).read_bytes()).invoice
        assert invoice is not None
        return invoice.payment.debited

    assert debit("invoices_blind3/ep_alimentaire_1.pdf") and debit("invoices_blind3/pharma_1.pdf")
    assert not debit("invoices_blind2/fp_utility_1.pdf")
