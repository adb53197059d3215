"""Malformed, encrypted, truncated, huge or image-only PDFs and XML entity tricks are held, with a reason."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter

from jalon.formats import pdf as pdfmod
from jalon.formats import rules
from jalon.formats.extract import read_invoice

DATA = Path(__file__).resolve().parent / "data" / "invoices"
GOOD = (DATA / "classic_fr-01-plain.pdf").read_bytes()
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">
&x;</rsm:CrossIndustryInvoice>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&lol3;</Invoice>"""


def held(result) -> str:
    """The read failed cleanly: no invoice, a reason, and the check holds it as unreadable."""
    assert result.invoice is None
    assert result.error
    findings = rules.check_result(result)
    assert rules.decision(findings) == "hold"
    assert findings[0].code == "unreadable"
    return result.error


def with_attachment(name: str, content: bytes) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(GOOD)))
    writer.add_attachment(name, content)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_pdf_locked_with_a_password_is_held_as_encrypted():
    """Nobody can read it without the password, so jalon does not try to."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(GOOD)))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    assert held(read_invoice(out.getvalue())).startswith("encrypted PDF")


def test_a_pdf_with_only_an_owner_password_opens_and_is_read():
    """Permission-only encryption (no password to open) is common on invoices and is read normally."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(GOOD)))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    result = read_invoice(out.getvalue())
    assert result.source == "text" and result.invoice.number == "F2026-0001"


def test_a_pdf_cut_short_is_held_as_truncated():
    """A transfer that stopped half-way loses the end of the file, where the totals page is."""
    assert held(read_invoice(GOOD[: len(GOOD) // 2])).startswith("truncated PDF")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hello, this is not a PDF",
        b"%PDF-1.7\nthis is garbage\n%%EOF\n",
        b"\x89PNG\r\n\x1a\n" + bytes(200),
    ],
)
def test_bytes_that_are_not_a_readable_pdf_are_held_as_malformed(data):
    """Empty files, text, garbage after a PDF header and pictures all end with a reason, never a crash."""
    error = held(read_invoice(data))
    assert "PDF" in error or "XML" in error


def test_a_huge_pdf_is_refused_without_being_parsed():
    """A 65 MB PDF is not an invoice a billing tool sent: refused by its size."""
    data = b"%PDF-1.7\n" + bytes(pdfmod.MAX_BYTES) + b"\n%%EOF\n"
    assert held(read_invoice(data)).startswith("PDF too large")


def test_a_pdf_with_hundreds_of_pages_reads_its_first_and_last_pages_only(tmp_path):
    """A 300-page document is read in bounded time: the first pages and the last ones, where totals are."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    for number in range(300):
        page.drawString(72, 800, f"Annexe page {number + 1} - relevé de consommation détaillé")
        page.showPage()
    page.save()
    content = pdfmod.read_text(buffer.getvalue())
    assert content.page_count == 300
    assert len(content.pages) == pdfmod.MAX_PAGES_READ
    assert content.page_numbers[-1] == 299
    assert any("300 pages" in w for w in content.warnings)


def test_an_image_only_pdf_is_held_as_a_scan():
    """A scanned invoice has no text layer: held as unreadable, no field guessed."""
    error = held(read_invoice((DATA / "scan-01.pdf").read_bytes()))
    assert error == "unreadable: image-only PDF (scan)"


@pytest.mark.parametrize(("content", "why"), [(XXE, "external entity"), (LAUGHS, "billion laughs")])
def test_xml_entity_tricks_attached_beside_the_pdf_are_refused(content, why):
    """An XXE or billion-laughs XML sent with the invoice is refused as hostile, not expanded."""
    error = held(read_invoice(GOOD, [("invoice.xml", content)]))
    assert error.startswith("hostile XML"), why


@pytest.mark.parametrize("content", [XXE, LAUGHS])
def test_xml_entity_tricks_embedded_in_the_pdf_are_refused(content):
    """The same tricks inside a Factur-X attachment are refused too; the PDF's text is not read instead."""
    error = held(read_invoice(with_attachment("factur-x.xml", content)))
    assert error.startswith("hostile XML")


def test_a_broken_embedded_xml_falls_back_to_the_pdf_text_and_says_so():
    """A Factur-X whose XML is not well-formed is read from its text, with a warning for a person."""
    result = read_invoice(with_attachment("factur-x.xml", b"<rsm:CrossIndustryInvoice xmlns:rsm='x'><oops>"))
    assert result.source == "text"
    assert result.invoice.number == "F2026-0001"
    codes = {f.code for f in rules.check_result(result)}
    assert "xml_unreadable" in codes


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes_never_make_the_reader_raise(data):
    """Whatever arrives as a PDF, reading returns a result."""
    result = read_invoice(b"%PDF-1.4\n" + data + b"\n%%EOF")
    assert result.invoice is not None or result.error


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_a_damaged_real_invoice_never_makes_the_reader_raise(seed):
    """Flipped bytes in a real invoice PDF: read, partly read or refused, but never a crash."""
    rng = random.Random(seed)
    data = bytearray(GOOD)
    for _ in range(rng.randint(1, 40)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    result = read_invoice(bytes(data))
    assert result.invoice is not None or result.error
    if result.invoice is not None:
        rules.check(result.invoice)


def test_a_factur_x_whose_embedded_data_is_broken_is_held_and_named() -> None:
    """A billing tool's Factur-X whose factur-x.xml is cut short: the text is read so a person sees the
    invoice, but it is held (the customer's system would read the broken data), and validation names the
    broken XML rather than saying none is embedded."""
    import pikepdf

    from jalon.formats import cii, validation

    plain = (DATA / "classic_fr-01-plain.pdf").read_bytes()
    good = read_invoice(plain).invoice
    assert good is not None
    xml = cii.write_cii(good, profile="EN16931")
    with pikepdf.open(io.BytesIO(plain)) as document:
        document.attachments["factur-x.xml"] = pikepdf.AttachedFileSpec(document, xml[: len(xml) // 2])
        buffer = io.BytesIO()
        document.save(buffer)
    broken = buffer.getvalue()
    result = read_invoice(broken)
    assert result.invoice is not None and result.invoice.number == good.number, "the text was read"
    held = [f for f in rules.check_result(result) if f.code == "xml_unreadable"]
    assert held and held[0].severity == "error" and rules.decision(held) == "hold"
    assert validation.validate(broken).errors[0].rule == "FX-XML-MALFORMED"
