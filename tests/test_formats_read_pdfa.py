"""A billing PDF made PDF/A-3 by Ghostscript reads as the original did: dates, numbers and labels survive."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import need

from jalon.formats.extract import read_invoice, to_json
from jalon.formats.pdfa import ghostscript, to_pdfa3

DATA = Path(__file__).resolve().parent / "data" / "invoices"
# layouts whose labels carry accents and degree signs ("DATE D'ÉMISSION", "N°", "Adressé à"): Ghostscript
# re-encodes those glyphs without a Unicode mapping
SAMPLES = ("grid_fr-01-plain", "grid_fr-04-public", "sidebar-01-plain", "sidebar-04-credit")
FIELDS = ("doc_type", "invoice_number", "issue_date", "due_date", "seller_siren", "buyer_siren")
AMOUNTS = ("total_without_vat", "total_vat", "total_with_vat")


@pytest.mark.parametrize("stem", SAMPLES)
def test_a_pdfa3_made_by_ghostscript_keeps_its_dates_numbers_and_totals(stem: str) -> None:
    """An operator converts a billing tool's PDF to PDF/A-3 before reading it again: the invoice number, the
    issue and due dates, the parties and the totals are what the billing tool printed."""
    need(ghostscript() is not None, "Ghostscript (gs) is not installed")
    expected = json.loads((DATA / f"{stem}.json").read_text(encoding="utf-8"))
    converted = to_pdfa3((DATA / f"{stem}.pdf").read_bytes())
    result = read_invoice(converted)
    assert result.ok, result.error
    got = to_json(result.invoice)
    for field in FIELDS:
        assert got[field] == expected[field], field
    for field in AMOUNTS:
        assert got[field] == pytest.approx(expected[field], abs=0.005), field
    # an accented letter may come back as another one (its glyph has no Unicode mapping); the rest is there
    got_words, expected_words = (got["buyer_name"] or "").split(), expected["buyer_name"].split()
    assert len(got_words) == len(expected_words)
    for mine, theirs in zip(got_words, expected_words, strict=True):
        assert mine == theirs or not theirs.isascii()
