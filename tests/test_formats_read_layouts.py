"""Invoice layouts the generic text reader meets in the wild, drawn one by one, read to what they print."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from jalon.formats.extract import read_invoice, to_json

HEIGHT = A4[1]
SELLER_SIREN, SELLER_VAT = "732829320", "FR44732829320"
BUYER_SIREN, BUYER_VAT = "552100554", "FR96552100554"
LEGAL = f"Atelier Vernier SARL au capital de 8 000 € – RCS Lyon {SELLER_SIREN} – TVA {SELLER_VAT}"


PENALTIES = "Pénalités de retard : trois fois le taux légal et indemnité de 40 € pour frais"


@dataclass
class Text:
    x: float
    y: float  # from the top of the page, like a reader's eye
    text: str
    size: float = 9
    bold: bool = False
    angle: float = 0  # degrees, counter-clockwise


def invoice(*items: Text, turn: float = 0) -> dict:
    """A one-page PDF with these texts (`turn`: the whole page printed askew by that many degrees), read."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    if turn:
        page.translate(A4[0] / 2, HEIGHT / 2)
        page.rotate(turn)
        page.translate(-A4[0] / 2, -HEIGHT / 2)
    for item in items:
        page.saveState()
        page.setFont("Helvetica-Bold" if item.bold else "Helvetica", item.size)
        page.translate(item.x, HEIGHT - item.y)
        page.rotate(item.angle)
        page.drawString(0, 0, item.text)
        page.restoreState()
    page.showPage()
    page.save()
    result = read_invoice(buffer.getvalue())
    assert result.ok, result.error
    return to_json(result.invoice)


def header(number: str = "F-2026-0107") -> list[Text]:
    return [
        Text(40, 50, "Atelier Vernier", 16, True),
        Text(40, 66, "14 rue des Tanneurs"),
        Text(40, 78, "69003 Lyon"),
        Text(400, 50, "FACTURE", 16, True),
        Text(400, 70, f"Facture n° {number}"),
        Text(400, 82, "Date : 12/03/2026"),
        Text(320, 130, "Facturé à :"),
        Text(320, 142, "Hôtel du Parc SAS"),
        Text(320, 154, "3 place Bellecour"),
        Text(320, 166, "69002 Lyon"),
    ]


def totals(ht: str = "1 000,00", tva: str = "200,00", ttc: str = "1 200,00", y: float = 320) -> list[Text]:
    return [
        Text(330, y, "Total HT"),
        Text(480, y, f"{ht} €"),
        Text(330, y + 14, "TVA 20 %"),
        Text(480, y + 14, f"{tva} €"),
        Text(330, y + 28, "Total TTC"),
        Text(480, y + 28, f"{ttc} €"),
    ]


def test_a_legal_line_printed_up_the_margin_names_the_seller_and_its_identifiers():
    """A carrier prints its legal mentions sideways along the left edge: the registered name, SIREN and VAT
    number are read from it all the same."""
    got = invoice(*header(), *totals(), Text(20, 780, LEGAL, 7, angle=90))
    assert got["seller_name"] == "Atelier Vernier SARL"
    assert (got["seller_siren"], got["seller_vat"]) == (SELLER_SIREN, SELLER_VAT)
    assert got["total_with_vat"] == 1200


def test_a_page_scanned_askew_reads_like_a_straight_one():
    """A scanner's text layer comes out turned by a degree: number, date and totals are still found."""
    got = invoice(*header(), *totals(), Text(40, 800, LEGAL, 7), turn=0.8)
    assert (got["invoice_number"], got["issue_date"]) == ("F-2026-0107", "2026-03-12")
    assert (got["total_without_vat"], got["total_vat"], got["total_with_vat"]) == (1000, 200, 1200)


def test_a_bold_label_in_a_larger_type_reads_the_value_on_its_baseline():
    """'Échéance' in bold 12 pt beside its date in 8 pt, on one baseline, next to an address line: the due
    date is that date."""
    got = invoice(*header(), Text(400, 100, "Échéance", 12, True), Text(480, 100, "11/04/2026", 8), *totals())
    assert got["due_date"] == "2026-04-11"


def test_totals_in_a_bar_with_labels_over_offset_values_are_read_column_by_column():
    """'TOTAL H.T. | TOTAL T.V.A. | TOTAL T.T.C.' over their amounts, each amount set right of its label."""
    bar = [
        Text(40, 330, "TOTAL H.T.", 7),
        Text(190, 330, "TOTAL T.V.A.", 7),
        Text(340, 330, "TOTAL T.T.C.", 7),
        Text(90, 342, "2.450,00 EUR", 10),
        Text(240, 342, "490,00 EUR", 10),
        Text(390, 342, "2.940,00 EUR", 10),
    ]
    got = invoice(*header(), *bar, Text(40, 800, LEGAL, 7))
    assert (got["total_without_vat"], got["total_vat"], got["total_with_vat"]) == (2450, 490, 2940)


def test_freight_after_the_subtotal_is_part_of_the_total_without_vat():
    """'Subtotal' then 'Freight' then VAT and total: the total without VAT is the subtotal plus freight,
    since only that adds up with the VAT to the total."""
    rows = [
        ("Subtotal", "1,500.00"),
        ("Freight & insurance", "120.00"),
        ("VAT 20%", "324.00"),
        ("Grand total", "1,944.00"),
    ]
    items = [Text(330, 320 + 14 * k, label) for k, (label, _) in enumerate(rows)]
    items += [Text(480, 320 + 14 * k, value) for k, (_, value) in enumerate(rows)]
    got = invoice(Text(40, 50, "Atelier Vernier", 16, True), Text(400, 70, "Invoice No. EXP-88"), *items)
    assert (got["total_without_vat"], got["total_vat"], got["total_with_vat"]) == (1620, 324, 1944)
    assert got["vat_breakdown"] == [{"rate": 20, "base": 1620, "amount": 324, "category": "S"}]


def test_a_deposit_paid_leaves_the_invoice_total_and_lowers_the_amount_due():
    """'Acompte versé' between 'Total TTC' and 'Net à payer': the totals are the invoice's, the amount due
    what is left."""
    got = invoice(
        *header(),
        *totals(),
        Text(330, 362, "Acompte versé le 02/02/2026"),
        Text(480, 362, "-300,00 €"),
        Text(330, 376, "Net à payer"),
        Text(480, 376, "900,00 €"),
    )
    assert (got["total_with_vat"], got["amount_due"]) == (1200, 900)


def test_a_text_layer_with_wide_uneven_word_spaces_still_reads_its_labels():
    """Each word of a scanned page stands apart ('TOTAL    H.T.', '2    502,34'): labels and amounts are read
    whole."""
    words: list[Text] = []
    for line, (y, text) in enumerate([(300, "TOTAL H.T. 2 085,28"), (314, "T.V.A. 20,00% 417,06")]):
        x = 300.0
        for word in text.split():
            words.append(Text(x, y, word))
            x += 8 + 5.5 * len(word) + (line + len(word)) % 3 * 4
    words += [
        Text(300, 328, "TOTAL"),
        Text(340, 328, "T.T.C."),
        Text(420, 328, "2"),
        Text(433, 328, "502,34"),
    ]
    for y in range(400, 560, 14):
        x = 40.0
        for word in PENALTIES.split(" "):
            words.append(Text(x, y, word, 8))
            x += 6 + 4.4 * len(word) + (y + len(word)) % 3 * 4
    got = invoice(Text(40, 50, "Garage du Centre", 16, True), Text(400, 70, "Facture n° 1104"), *words)
    assert (got["total_without_vat"], got["total_vat"], got["total_with_vat"]) == (2085.28, 417.06, 2502.34)


@pytest.mark.parametrize(
    ("legal", "name"),
    [
        (f"Bruno Lambert, EI – SIRET {SELLER_SIREN}00012 – Code APE 7430Z", "Bruno Lambert"),
        (f"Atelier Vernier SARL – RCS Lyon {SELLER_SIREN} – TVA {SELLER_VAT}", "Atelier Vernier SARL"),
        (f"SAS Atelier Vernier au capital de 1 000 € – SIREN {SELLER_SIREN}", "SAS Atelier Vernier"),
    ],
)
def test_the_seller_is_named_as_its_legal_line_registers_it(legal: str, name: str):
    """The letterhead shows a trade name ('Pas à Pas Formation'); the legal line, with or without a capital,
    names the registered seller, or for a sole trader the person."""
    items = [item for item in header() if item.text != "Atelier Vernier"]
    got = invoice(Text(40, 50, "Pas à Pas Formation", 16, True), *items, *totals(), Text(40, 800, legal, 7))
    assert got["seller_name"] == name


def test_a_vat_number_cut_by_the_wrap_of_the_legal_line_is_read_across_it():
    """'… N° TVA intracommunautaire FR 44 732' at the end of one line, '829 320 – …' on the next."""
    got = invoice(
        *header(),
        *totals(),
        Text(
            40,
            790,
            f"Atelier Vernier SARL au capital de 8 000 € – RCS Lyon {SELLER_SIREN} – N° TVA FR 44 732",
            7,
        ),
        Text(40, 799, "829 320 – Membre d'une association agréée", 7),
    )
    assert got["seller_vat"] == SELLER_VAT


def test_a_vat_summary_laid_out_sideways_gives_each_rate_its_base_and_vat():
    """Rates head the columns ('1 — 5,50 %', '2 — 20,00 %') and the rows below give bases and VAT."""
    table = [
        Text(40, 300, "Récapitulatif"),
        Text(200, 300, "1 — 5,50 %"),
        Text(300, 300, "2 — 20,00 %"),
        Text(400, 300, "Total"),
        Text(40, 314, "Base HT"),
        Text(200, 314, "400,00"),
        Text(300, 314, "600,00"),
        Text(400, 314, "1 000,00"),
        Text(40, 328, "Montant TVA"),
        Text(200, 328, "22,00"),
        Text(300, 328, "120,00"),
        Text(400, 328, "142,00"),
    ]
    got = invoice(*header(), *table, *totals(tva="142,00", ttc="1 142,00", y=360))
    rates = sorted((b["rate"], b["base"], b["amount"]) for b in got["vat_breakdown"])
    assert rates == [(5.5, 400, 22), (20, 600, 120)]


def test_headings_over_their_values_give_each_heading_its_own_value():
    """'Code service | N° d'engagement juridique | Marché' over 'BIB76 | EJ2026743 | 2025-MAPA-091': the
    service code is BIB76, the order the engagement number; a heading over nothing has no value."""
    strip = [
        Text(40, 200, "Code service", 8),
        Text(150, 200, "N° d'engagement juridique", 8),
        Text(300, 200, "Marché", 8),
        Text(400, 200, "Votre référence", 8),
        Text(40, 214, "BIB76"),
        Text(150, 214, "EJ2026743"),
        Text(300, 214, "2025-MAPA-091"),
    ]
    got = invoice(*header(), *strip, *totals())
    assert (got["buyer_reference"], got["purchase_order"]) == ("BIB76", "EJ2026743")


def test_the_payer_block_of_a_payment_slip_is_not_taken_for_the_buyer_or_the_footer():
    """A Swiss QR-bill at the foot repeats both parties under 'Compte / Payable à' and 'Payable par': the
    buyer's identifiers stay the buyer's, the seller's name stays the letterhead's."""
    got = invoice(
        Text(40, 50, "Fromagerie du Jura Sàrl", 16, True),
        Text(400, 60, "IDE/TVA : CHE-451.801.857 TVA"),
        Text(320, 130, "Couverture Roussel SARL"),
        Text(320, 142, "72 rue de la Paix"),
        Text(320, 154, "21000 Dijon"),
        Text(320, 166, f"N° TVA : {BUYER_VAT}"),
        Text(40, 200, "Facture n° 2025-6871"),
        *totals(),
        Text(40, 700, "Compte / Payable à", 7),
        Text(40, 710, "Fromagerie du Jura Sàrl", 8),
        Text(40, 740, "Payable par", 7),
        Text(40, 750, "Couverture Roussel SARL", 8),
        Text(40, 760, "21000 Dijon", 8),
    )
    assert got["seller_name"] == "Fromagerie du Jura Sàrl"
    assert (got["seller_vat"], got["buyer_vat"]) == ("CHE451801857TVA", BUYER_VAT)
    assert got["buyer_name"] == "Couverture Roussel SARL"


def test_a_vat_summary_naming_its_rates_by_codes_gives_each_rate_from_its_arithmetic():
    """'Code | Base HT | Montant TVA' with rows 'A | 400,00 | 22,00' and 'B | 600,00 | 120,00', the codes
    explained in a legend: 22 is 5.5 % of 400 and 120 is 20 % of 600."""
    table = [
        Text(40, 300, "Code", 7),
        Text(100, 300, "Base HT", 7),
        Text(180, 300, "Montant TVA", 7),
        Text(40, 312, "A"),
        Text(100, 312, "400,00"),
        Text(180, 312, "22,00"),
        Text(40, 324, "B"),
        Text(100, 324, "600,00"),
        Text(180, 324, "120,00"),
        Text(40, 420, "Code A : TVA 5,5 % – Code B : TVA 20 %", 7),
    ]
    got = invoice(*header(), *table, *totals(tva="142,00", ttc="1 142,00", y=360))
    rates = sorted((b["rate"], b["base"], b["amount"]) for b in got["vat_breakdown"])
    assert rates == [(5.5, 400, 22), (20, 600, 120)]


def test_the_buyers_registration_line_never_names_the_seller():
    """No legal line at the foot; the buyer's block ends with 'Hôtel du Parc SAS – RCS Lyon …': the seller
    is still the letterhead's company, the buyer keeps its SIREN."""
    items = [item for item in header() if item.y < 120]
    got = invoice(
        *items,
        Text(320, 130, "Facturé à :"),
        Text(320, 142, "Hôtel du Parc"),
        Text(320, 154, "3 place Bellecour"),
        Text(320, 166, "69002 Lyon"),
        Text(320, 178, f"Hôtel du Parc SAS – RCS Lyon {BUYER_SIREN}"),
        *totals(),
    )
    assert got["seller_name"] == "Atelier Vernier"
    assert (got["buyer_name"], got["buyer_siren"], got["seller_siren"]) == (
        "Hôtel du Parc",
        BUYER_SIREN,
        None,
    )
