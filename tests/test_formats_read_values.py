"""Amounts, dates and company identifiers as invoices print them are read to the right values, or refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jalon.formats import identifiers as ids
from jalon.formats.text.values import find_amounts, find_dates, fold, guess_decimal_mark, percents


@pytest.mark.parametrize(
    ("printed", "mark", "value", "currency"),
    [
        ("1 234,56 €", ",", "1234.56", "EUR"),
        ("1\u00a0234,56\u00a0€", ",", "1234.56", "EUR"),
        ("1\u202f234,56 EUR", ",", "1234.56", "EUR"),
        ("1.234,56 EUR", ",", "1234.56", "EUR"),
        ("€1,234.56", ".", "1234.56", "EUR"),
        ("$12,000.00", ".", "12000.00", "USD"),
        ("£ 980.10", ".", "980.10", "GBP"),
        ("1'234.50 CHF", ".", "1234.50", "CHF"),
        ("(1,234.56)", ".", "-1234.56", None),
        ("-250,00 €", ",", "-250.00", "EUR"),
        ("1234,56", ",", "1234.56", None),
    ],
)
def test_an_amount_printed_any_common_way_reads_as_its_value(printed, mark, value, currency):
    """A total written the French, German, English or Swiss way is the same number, with its currency."""
    (amount,) = find_amounts(printed, mark)
    assert amount.value == Decimal(value)
    assert amount.currency == currency


def test_a_rate_is_not_an_amount_and_an_identifier_is_neither():
    """ "TVA 20 % 240,00" holds one amount; an invoice number or a VAT number holds none."""
    assert [a.value for a in find_amounts("TVA 20 % 240,00")] == [Decimal("240.00")]
    assert percents("TVA 5,5 % et 20%") == [Decimal("5.5"), Decimal("20")]
    assert find_amounts("F-2026-0042") == []
    assert find_amounts("FR40303265045") == []


def test_the_decimal_mark_of_a_document_is_taken_from_its_money_amounts():
    """Comma cents in French invoices, dot cents in English ones."""
    assert guess_decimal_mark(["Total HT 1 200,00", "TVA 240,00"]) == ","
    assert guess_decimal_mark(["Subtotal 1,200.00", "VAT 240.00"]) == "."


@pytest.mark.parametrize(
    "printed",
    [
        "05/11/2025",
        "5 novembre 2025",
        "2025-11-05",
        "05.11.2025",
        "05-11-2025",
        "November 5, 2025",
        "5th November 2025",
        "Nov 5, 2025",
        "le 5 nov. 2025",
    ],
)
def test_a_date_printed_any_common_way_reads_as_the_same_day(printed):
    """Day-first numeric, ISO, French and English month names all give 5 November 2025."""
    (hit,) = find_dates(fold(printed))
    assert hit.value == dt.date(2025, 11, 5)


def test_a_us_document_reads_month_first_and_an_impossible_order_corrects_itself():
    """11/05/2025 is 5 November in a US layout; 11/25/2025 can only be month first."""
    assert find_dates("11/05/2025", month_first=True)[0].value == dt.date(2025, 11, 5)
    assert find_dates("11/25/2025")[0].value == dt.date(2025, 11, 25)


def test_folding_keeps_offsets_so_values_are_cut_from_the_original_text():
    """Accents go, case goes, the length stays: a label found in folded text points into the original."""
    original = "Échéance : 5 déc. 2026"
    assert len(fold(original)) == len(original)
    assert fold(original).startswith("echeance")


def test_french_identifiers_are_accepted_only_when_their_check_digits_hold():
    """SIREN and SIRET by Luhn, the French VAT key by its formula, whatever the spacing."""
    assert ids.siren("732 829 320") == "732829320"
    assert ids.siren("732 829 321") is None
    assert ids.siret("732 829 320 00074") == "73282932000074"
    assert ids.siret("732 829 320 00075") is None
    assert ids.french_vat("FR 40 303 265 045") == "FR40303265045"
    assert ids.french_vat("FR 41 303 265 045") is None
    assert ids.siren_of_vat("FR40303265045") == "303265045"


def test_eu_vat_numbers_are_checked_per_country():
    """A German or Belgian VAT number passes its own country's check; a wrong digit fails it."""
    assert ids.vat("DE136695976") == "DE136695976"
    assert ids.vat("DE136695977") is None
    assert ids.vat("BE 0776.091.951") == "BE0776091951"
    assert ids.vat_country("EL094259216") == "GR"
    assert ids.vat("XX123") is None


def test_bank_details_are_checked_too():
    """An IBAN with a wrong check digit is not taken as the seller's account."""
    assert ids.iban("FR76 3000 6000 0112 3456 7890 189") == "FR7630006000011234567890189"
    assert ids.iban("FR76 3000 6000 0112 3456 7890 188") is None


@given(st.text(max_size=60))
def test_no_text_makes_the_value_readers_crash(text):
    """Whatever a PDF's text holds, reading amounts and dates returns, possibly nothing."""
    find_amounts(text)
    find_dates(fold(text))
    percents(fold(text))
