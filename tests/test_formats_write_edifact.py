"""EDIFACT INVOIC D96A (EANCOM): jalon writes it, pydifact reads it back segment by segment, and jalon's
reader gives the same invoice; the EN 16931 D14B examples read too."""

from __future__ import annotations

import warnings
from decimal import Decimal

from conftest import corpus
from pydifact.segmentcollection import Interchange
from test_formats_write_samples import samples

from jalon.formats import edifact, syntax, validation
from jalon.formats.cii import read_cii

# What EDIFACT carries of the model, compared after a round trip.
CARRIED = (
    "number",
    "type_code",
    "issue_date",
    "due_date",
    "currency",
    "purchase_order",
    "buyer_reference",
    "payment_terms",
    "notes",
    "totals",
    "vat_breakdown",
    "preceding_invoices",
    "allowances_charges",
)


def _segments(data: bytes) -> list:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        interchange = Interchange.from_str(data.decode("latin-1"))  # what UNOC says: ISO 8859-1
    (message,) = list(interchange.get_messages())
    assert message.identifier[:5] == ["INVOIC", "D", "96A", "UN", "EAN008"]
    return list(message.segments)


def test_pydifact_reads_the_invoice_jalon_writes_with_the_eancom_segments() -> None:
    """Independent read-back: pydifact finds BGM, DTM, RFF, NAD, CUX, LIN, QTY, MOA, PRI, TAX, UNS with
    the invoice's own number, date, parties and total."""
    for name, invoice in samples().items():
        data = edifact.write_edifact(invoice)
        assert data.startswith(b"UNA:+.? '")
        segments = _segments(data)
        tags = [s.tag for s in segments]
        for tag in ("BGM", "DTM", "RFF", "NAD", "CUX", "LIN", "QTY", "MOA", "PRI", "TAX", "UNS"):
            assert tag in tags, (name, tag)
        bgm = segments[tags.index("BGM")]
        assert bgm.elements[:2] == [invoice.type_code, invoice.number]
        nads = {s.elements[0]: s.elements[3] for s in segments if s.tag == "NAD"}
        assert nads["SU"] == invoice.seller.name and nads["BY"] == invoice.buyer.name
        summary = segments[tags.index("UNS") :]
        payable = [s.elements[0][1] for s in summary if s.tag == "MOA" and s.elements[0][0] == "9"]
        assert Decimal(payable[0]) == invoice.totals.payable
        assert tags.count("LIN") == len(invoice.lines)


def test_model_to_edifact_to_model_keeps_what_edifact_carries() -> None:
    """Round trip: numbers, dates, references, notes (French mentions), totals, VAT breakdown, lines and
    party identifiers come back equal."""
    for name, invoice in samples().items():
        back = edifact.read_edifact(edifact.write_edifact(invoice))
        for field in CARRIED:
            assert getattr(back, field) == getattr(invoice, field) or field == "notes", (name, field)
        assert [(n.subject_code, n.text) for n in back.notes] == [
            (n.subject_code, n.text) for n in edifact_expected_notes(invoice)
        ]
        for mine, theirs in zip(back.lines, invoice.lines, strict=True):
            assert (mine.name, mine.quantity, mine.unit, mine.net_price, mine.net_amount, mine.vat_rate) == (
                theirs.name,
                theirs.quantity,
                theirs.unit,
                theirs.net_price,
                theirs.net_amount,
                theirs.vat_rate,
            )
        for role in ("seller", "buyer"):
            a, b = getattr(back, role), getattr(invoice, role)
            assert (a.name, a.vat_id, a.siren, a.siret, a.address) == (
                b.name,
                b.vat_id,
                b.siren,
                b.siret,
                b.address,
            )
        assert (back.payment.iban, back.payment.bic, back.payment.means_code) == (
            invoice.payment.iban,
            invoice.payment.bic,
            invoice.payment.means_code,
        )


def edifact_expected_notes(invoice):
    from jalon.formats import mentions

    return mentions.complete_for_output(invoice).notes


def test_what_jalon_writes_passes_the_structural_validation_and_a_broken_count_does_not() -> None:
    """validate() checks syntax, UNT/UNZ counts and mandatory segments; a tampered UNT is caught."""
    data = edifact.write_edifact(samples()["multi_rate"])
    assert syntax.sniff(data) == "edifact"
    assert validation.validate(data).valid
    tampered = data.replace(b"UNT+", b"UNT+9")
    assert "EDI-UNT" in validation.validate(tampered).failed_rules
    assert not validation.validate(b"UNA:+.? 'UNB+garbage").valid


def test_the_en16931_d14b_examples_read_with_their_number_date_and_amount_due() -> None:
    """The CEN EDIFACT examples (D14B) read: number, date and amount due match what pydifact sees, and
    where the same invoice exists as CII in the corpus, the totals agree."""
    folder = corpus("einvoice", "examples/edifact")
    cii_by_number: dict = {}
    for path in corpus("einvoice", "examples/cii").glob("CII_example*.xml"):
        invoice = read_cii(path.read_bytes())
        cii_by_number.setdefault((invoice.number, invoice.issue_date), []).append(invoice)
    read = 0
    for path in sorted(folder.glob("EDIFACT_EXAMPLE*.TXT")):
        try:
            segments = list(next(edifact.parse(path.read_bytes()).get_messages()).segments)
        except ValueError:
            continue  # EXAMPLE2 and EXAMPLE5 carry syntax-4 binary packages pydifact cannot parse (README)
        invoice = edifact.read_edifact(path.read_bytes())
        bgm = next(s for s in segments if s.tag == "BGM")
        due = next(s for s in segments if s.tag == "MOA" and s.elements[0][0] == "9")
        assert invoice.number == bgm.elements[1]
        assert invoice.totals.payable == Decimal(due.elements[0][1])
        twins = cii_by_number.get((invoice.number, invoice.issue_date), [])
        if len(twins) == 1:  # examples 4, 5 and 6 share one number: only unambiguous twins compare
            twin = twins[0]
            assert invoice.totals.payable == twin.totals.payable
            assert invoice.totals.tax_inclusive == twin.totals.tax_inclusive
        read += 1
    assert read >= 8


def test_long_texts_keep_within_d96a_sizes_and_come_back_whole() -> None:
    """An..35 per description part, an..70 per free text part: long texts go on in further segments, cut
    between words, and read back as they were; the file is ISO 8859-1 as UNOC declares (€ as EUR)."""
    invoice = samples()["multi_rate"]
    long_name = "Prestation de maintenance préventive " * 6
    invoice.lines[0].name = long_name.strip()
    invoice.lines[0].description = ("Intervention sur site, pièces et main-d'œuvre comprises. " * 12).strip()
    from jalon.formats.model import Note

    conditions = ("Conditions particulières : " + "escompte néant, pénalités 3 x taux légal. " * 20).strip()
    invoice.notes = [Note(text=conditions, subject_code="AAI"), Note(text="Minimum 50 € par intervention")]
    data = edifact.write_edifact(invoice)
    text = data.decode("latin-1")
    assert "UNB+UNOC:3" in text and "€" not in text and "50 EUR" in text and "é" in text
    for segment in _segments(data):
        parts = (
            segment.elements[2][3:]
            if segment.tag == "IMD"
            else segment.elements[3]
            if segment.tag == "FTX"
            else []
        )
        for part in [parts] if isinstance(parts, str) else parts:
            assert len(part) <= (35 if segment.tag == "IMD" else 70), (segment.tag, part)
    back = edifact.read_edifact(data)
    assert back.lines[0].name == long_name.strip()
    assert back.lines[0].description == invoice.lines[0].description.replace("œ", "oe")
    texts = [note.text for note in back.notes]
    assert conditions in texts and "Minimum 50 EUR par intervention" in texts


def test_each_interchange_has_its_own_control_reference_and_preparation_time() -> None:
    """Two files sent the same day are told apart by the customer's EDI system."""
    import datetime as dt

    invoice = samples()["multi_rate"]
    first = edifact.write_edifact(invoice, prepared_at=dt.datetime(2026, 11, 29, 10, 15, 3, 120000))
    second = edifact.write_edifact(invoice, prepared_at=dt.datetime(2026, 11, 29, 10, 15, 4, 0))
    assert b"+26112910150312'" in first and b"+26112910150400'" in second
    assert b"+261129:1015+" in first
