"""Item lines are read as printed on every layout the team generates: description, quantity, amount.

Lines travel into every Factur-X, UBL and EDI output (BG-25): a line missed, a running page header or a
legal footer glued to a description, or a reference column taken for the description would be sent to the
customer's accounts-payable system as it is.
"""

from __future__ import annotations

import random
from decimal import Decimal

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


def _table_invoice(rows: list[tuple[str, ...]], header: tuple[str, ...], total: str) -> bytes:
    """A one-page invoice whose item table is `header` then `rows`, drawn at fixed columns."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pen = canvas.Canvas(buffer, pagesize=A4)
    pen.setFont("Helvetica", 9)
    top = A4[1]
    pen.drawString(40, top - 40, "Atelier Lumen SARL")
    pen.drawString(40, top - 52, "12 rue des Forges")
    pen.drawString(40, top - 64, "69003 Lyon")
    pen.drawString(380, top - 40, "FACTURE N° F2026-0042")
    pen.drawString(380, top - 52, "Date : 02/11/2026")
    columns = (40, 300, 360, 420, 470, 520)
    y = top - 140
    for x, title in zip(columns, header, strict=False):
        pen.drawString(x, y, title)
    for row in rows:
        y -= 14
        for x, cell in zip(columns, row, strict=False):
            pen.drawString(x, y, cell)
    pen.drawString(360, y - 30, "Total HT")
    pen.drawString(470, y - 30, total)
    pen.showPage()
    pen.save()
    return buffer.getvalue()


def test_discount_vat_code_and_unit_columns_do_not_hide_the_lines() -> None:
    """Business software prints a discount %, a VAT code after the amount, units beside quantities and
    percentages inside descriptions: every line still reads, with its net price after the discount."""
    header = ("Désignation", "Qté", "P.U. HT", "Rem. %", "Montant HT", "TVA")
    rows = [
        ("Lampe LED étanche 1500 mm", "23", "53,56", "5", "1 170,29", "1"),
        ("Chocolat noir 64 % pistoles", "4", "63,05", "", "252,20", "2"),
        ("Pose et réglage", "6 h", "104,08", "", "624,48", "1"),
    ]
    invoice = read_invoice(_table_invoice(rows, header, "2 046,97")).invoice
    read = [(line.name, line.quantity, line.net_amount, line.unit) for line in invoice.lines]
    assert read == [
        ("Lampe LED étanche 1500 mm", 23, Decimal("1170.29"), "C62"),
        ("Chocolat noir 64 % pistoles", 4, Decimal("252.20"), "C62"),
        ("Pose et réglage", 6, Decimal("624.48"), "HUR"),
    ]
    discounted = invoice.lines[0]
    assert (discounted.gross_price, discounted.net_price) == (Decimal("53.56"), Decimal("50.8820"))
    assert all(line.vat_rate is None for line in invoice.lines)  # "1", "2" are codes, "64 %" a description
