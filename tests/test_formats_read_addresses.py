"""The seller's and the buyer's postal addresses are read as printed, on every layout the team generates.

EN 16931 makes the seller's address mandatory (BR-08) and every Factur-X, UBL or EDI output carries both:
an address written on one line ("6 allée des Peupliers – 13008 Marseille", "58 quai de la Loire, 33000
Bordeaux, France") or only in the legal footer ("X SA – 9 impasse des Tilleuls – 44000 Nantes – capital
social …") must come out as street, postcode and city, never as an item line taken for a street.
"""

from __future__ import annotations

import random

import gen_invoices as gen
import pytest

from jalon.formats.extract import read_invoice

PER_STYLE = 4


def _printed(company: gen.Company) -> tuple[str, str, str]:
    return company.street.lower(), company.postcode, company.city.lower()


def _read(address) -> tuple[str, str, str]:
    return (address.line1 or "").lower(), address.postcode or "", (address.city or "").lower()


@pytest.mark.parametrize("style", sorted(gen.STYLES))
def test_both_parties_addresses_are_read_as_printed(style: str) -> None:
    """For each layout: street, postcode and city of seller and buyer, as the invoice prints them."""
    rng = random.Random(f"addresses-{style}")
    wrong = []
    for index in range(PER_STYLE):
        doc = gen.make_doc(rng, style, index + 1, "plain")
        invoice = read_invoice(gen.STYLES[style](doc)).invoice
        assert invoice is not None, f"{style} #{index + 1} was not read"
        for role in ("seller", "buyer"):
            printed, read = _printed(getattr(doc, role)), _read(getattr(invoice, role).address)
            if read != printed:
                wrong.append(f"{role} of {doc.number}: printed {printed}, read {read}")
    assert not wrong, "\n".join(wrong)
