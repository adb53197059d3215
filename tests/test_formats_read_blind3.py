"""Third blind measure of the PDF invoice reader: fields, item lines, document-level charges, and whether the
structured output made from the PDF passes the official EN 16931 rules.

tests/data/invoices_blind3/ holds 60 PDFs (12 layouts x 5) made by tests/gen_invoices_blind3.py, written by a
helper who never opened jalon/ nor the earlier generators: a building-materials merchant, a food wholesaler
with VAT codes, multi-page office supplies, an English agency in GBP/USD, a Belgian supplier, consulting with
periods, intra-EU industry, wine export, a micro-entrepreneur, credit notes, a pharmacy wholesaler, a
construction subcontractor. Beside each PDF a JSON holds the values a perfect reader returns, its item lines
and its document-level allowances and charges, and its split: "tune" (n = 1, 2) may be looked at,
"final" (n = 3, 4, 5) is reported as aggregates only.

Measured before any work on it (this reader as it stood): fields tune 91.7 % / final 91.0 %, lines exact
20/24 / 30/36, valid CII 12/24 / 20/36. After the tune round, final measured once: fields 99.2 %, lines
36/36, valid CII 35/36. The floors sit a few points under, so a regression fails while the figures print.
"""

from __future__ import annotations

import functools
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from blind_measure import field_lines, read_and_compare, summarise
from conftest import need

from jalon.formats import convert, validation
from jalon.formats.extract import read_invoice

DATA = Path(__file__).resolve().parent / "data" / "invoices_blind3"
CASES = sorted(DATA.glob("*.json"))
SPLITS = ("tune", "final")
# per split: field accuracy, share of PDFs whose lines are all right, share whose CII passes the rules
FLOORS = {
    "tune": {"fields": 0.97, "lines": 0.9, "cii": 0.9},
    "final": {"fields": 0.96, "lines": 0.9, "cii": 0.85},
}
CENT = Decimal("0.01")


def _money(value: Any) -> Decimal | None:
    return None if value is None else abs(Decimal(str(value))).quantize(CENT)


@functools.cache
def measure(json_path: Path) -> dict[str, Any]:
    """Fields compared as in the other blind sets; then lines, charges and the CII's official verdict."""
    result = read_and_compare(json_path)
    truth = result["expected"]
    invoice = read_invoice(json_path.with_suffix(".pdf").read_bytes()).invoice
    lines_ok = charges_ok = cii_ok = False
    if invoice is not None:
        got = [(_money(li.quantity), _money(li.net_amount), _money(li.vat_rate)) for li in invoice.lines]
        expected = [
            (_money(li["quantity"]), _money(li["amount"]), _money(li["vat_rate"])) for li in truth["lines"]
        ]
        lines_ok = got == expected
        charges: Counter[bool] = Counter()
        for ac in invoice.allowances_charges:  # a charge split by VAT rate counts as its printed whole
            charges[ac.is_charge] += ac.amount
        wanted: Counter[bool] = Counter()
        for ac in truth["allowances_charges"]:
            wanted[ac["is_charge"]] += _money(ac["amount"])
        charges_ok = charges == wanted
        try:
            report = validation.check_output(convert.write(invoice, "cii"), fmt="cii", profile="EN16931")
            cii_ok = report.valid
        except convert.ConversionError:
            cii_ok = False
    return {**result, "split": truth["split"], "lines": lines_ok, "charges": charges_ok, "cii": cii_ok}


def test_blind3_reads_fields_lines_and_charges_and_makes_valid_cii(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An ADV team's unseen invoices: each split read whole; per-field figures, then lines, charges, CII."""
    present = [c for c in CASES if c.with_suffix(".pdf").exists()]
    need(bool(present), "no invoice PDF found in tests/data/invoices_blind3/")
    results = [measure(c) for c in present]
    report: list[str] = []
    figures: dict[str, dict[str, float]] = {}
    for split in SPLITS:
        mine = [r for r in results if r["split"] == split]
        summary = summarise(mine)
        count = len(mine) or 1
        figures[split] = {
            "fields": summary["overall"],
            "lines": sum(r["lines"] for r in mine) / count,
            "charges": sum(r["charges"] for r in mine) / count,
            "cii": sum(r["cii"] for r in mine) / count,
        }
        f = figures[split]
        report += [
            "",
            f"Blind set 3, split {split!r}: {len(mine)} PDFs, field accuracy {f['fields']:.1%}; every line"
            f" right {f['lines']:.0%}, charges right {f['charges']:.0%}, EN 16931 CII valid {f['cii']:.0%}",
            *field_lines(summary),
        ]
        if split == "tune":
            report += [f"  tune PDF not perfect: {r['file']}" for r in mine if not (r["lines"] and r["cii"])]
    with capsys.disabled():
        print("\n".join(report))
    for split in SPLITS:
        for measure_name, floor in FLOORS[split].items():
            assert figures[split][measure_name] >= floor, (split, measure_name, figures[split][measure_name])
