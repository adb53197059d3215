"""Several invoices printed into one PDF (a billing tool's batch export): where each one begins, and a PDF
for each, so that every invoice is checked, sent and followed on its own.

Only tried when reading the whole PDF as one invoice did not find a sure invoice number (several numbers
disagree, so the reader keeps none): a PDF read fine as one invoice is never cut. Each page is then read
alone. A page stating an invoice number other than the one before it begins a new invoice; a page without
one (lines going on, the totals page) continues the current one. The cut is kept only when every part
states its own number and its own total: otherwise the PDF stays whole and goes to a person as before.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from jalon.formats.model import Invoice
from jalon.formats.pdf import MAX_PAGES_READ, PdfError, PdfText, read_text

SURE_NUMBER = 0.6  # a whole-PDF number read with at least this confidence: one invoice, nothing to cut


@dataclass
class Part:
    """One invoice of a batch PDF: its pages (0-based), its number, and the PDF of those pages alone."""

    pages: list[int]
    number: str
    pdf: bytes


def worth_trying(model: Invoice | None) -> bool:
    """A PDF read from its text whose invoice number the reader could not settle on."""
    if model is None or model.source != "text":
        return False
    return not model.number or model.confidence.get("invoice_number", 0.0) < SURE_NUMBER


def split_invoices(pdf: bytes) -> list[Part] | None:
    """The invoices of a batch PDF, in page order; None when it does not hold several whole invoices."""
    from jalon.formats import text

    try:
        content = read_text(pdf)
    except PdfError:
        return None
    if content.page_count < 2 or content.page_count > MAX_PAGES_READ:
        return None  # a long PDF is read head and tail only: its middle invoices could not be seen
    groups: list[tuple[str, list[int], bool]] = []  # number, pages, has its own total
    for index, spans in enumerate(content.pages):
        page = PdfText([spans], 1, [content.page_numbers[index]], content.engine)
        model = text.read(page)
        number = model.number if model.confidence.get("invoice_number", 0.0) >= SURE_NUMBER else ""
        total = model.totals.tax_inclusive is not None or model.totals.payable is not None
        if number and (not groups or number != groups[-1][0]):
            groups.append((number, [index], total))
        elif groups:
            current_number, pages, had_total = groups[-1]
            groups[-1] = (current_number, [*pages, index], had_total or total)
        else:
            return None  # the first page states no invoice number: not a batch of whole invoices
    if len(groups) < 2 or not all(total for _, _, total in groups):
        return None
    if len({number for number, _, _ in groups}) < len(groups):
        return None  # a number coming back later: pages out of order, not a batch a machine can cut
    return [Part(pages, number, _pages_of(pdf, pages)) for number, pages, _ in groups]


def _pages_of(pdf: bytes, pages: list[int]) -> bytes:
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as source:
        part = pikepdf.Pdf.new()
        part.pages.extend(source.pages[index] for index in pages)
        part.docinfo = part.make_indirect(pikepdf.Dictionary(source.docinfo))
        out = io.BytesIO()
        part.save(out)
        return out.getvalue()
