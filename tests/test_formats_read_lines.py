"""Item lines are read as printed on every layout the team generates: description, quantity, amount.

Lines travel into every Factur-X, UBL and EDI output (BG-25): a line missed, a running page header or a
legal footer glued to a description, or a reference column taken for the description would be sent to the
customer's accounts-payable system as it is.
"""

from __future__ import annotations

import random

import gen_invoices as gen
import pytest

from jalon.formats.extract import read_invoice

PER_STYLE = 3


@pytest.mark.parametrize("style", sorted(gen.STYLES))
def test_item_lines_are_read_as_printed(style: str) -> None:
    """For each layout (tables with or without a header, letter-like prose, several pages): every line once,
    in order, with its description, quantity and amount."""
    rng = random.Random(f"lines-{style}")
    for index in range(PER_STYLE):
        doc = gen.make_doc(rng, style, index + 1, "plain")
        invoice = read_invoice(gen.STYLES[style](doc)).invoice
        assert invoice is not None, f"{style} #{index + 1} was not read"
        printed = [(item.name.lower(), item.qty, item.amount) for item in doc.items]
        read = [((line.name or "").lower(), line.quantity, line.net_amount) for line in invoice.lines]
        assert read == printed, f"{doc.number}: first difference {_first_difference(printed, read)}"


def test_a_reference_column_is_the_sellers_item_id_not_part_of_the_description() -> None:
    """ "A001 | Licence annuelle | 10 | …": A001 is the item's reference (BT-155), the name stays clean."""
    doc = gen.make_doc(random.Random("lines-reference"), "totals_row_fr", 1, "plain")
    invoice = read_invoice(gen.STYLES["totals_row_fr"](doc)).invoice
    assert [line.seller_item_id for line in invoice.lines] == [
        f"A{i:03d}" for i in range(1, len(doc.items) + 1)
    ]
    assert [line.name for line in invoice.lines] == [item.name for item in doc.items]


def _first_difference(printed: list, read: list) -> str:
    for a, b in zip(printed, read, strict=False):
        if a != b:
            return f"printed {a}, read {b}"
    return f"{len(printed)} lines printed, {len(read)} read"
