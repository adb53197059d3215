"""Open a PDF and give its text as positioned spans, or raise a typed error saying why it cannot be read.

pypdfium2 (PDFium, native) does the work: it opens a one-page invoice and lists its text runs in a few
milliseconds (pdfchars.py turns its characters into words, level and with their baseline). pypdf is the
fallback when PDFium refuses a file it could parse (its lenient pure-Python parser recovers a few odd files).
Spans keep their position, so the text reader can tell a label beside its value from a label above it, and one
column from the next; no rule may depend on one extractor's spacing.

Errors are typed (`PdfError` and subclasses) with a message a person understands; nothing here guesses text
for a PDF that has none (a scan is `ImageOnlyPdf`).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import pypdfium2 as pdfium

from jalon.formats.pdfchars import LONE_GLYPH, Span, page_spans

__all__ = ["LONE_GLYPH", "PdfError", "PdfText", "Span", "read_text"]

MAX_BYTES = 64 * 1024 * 1024  # an invoice PDF beyond this is not an invoice a billing tool sent
MAX_PAGES_READ = 40  # read the first pages and the last ones: totals sit on the last page
LAST_PAGES = 5
MIN_TEXT_CHARS = 30  # fewer letters and digits than this on every page read: no text layer


class PdfError(Exception):
    """A PDF that cannot be read; `reason` is the short text shown to a person."""

    kind = "malformed"

    @property
    def reason(self) -> str:
        return str(self)


class MalformedPdf(PdfError):
    kind = "malformed"


class TruncatedPdf(MalformedPdf):
    kind = "truncated"


class EncryptedPdf(PdfError):
    kind = "encrypted"


class ImageOnlyPdf(PdfError):
    kind = "image_only"


class PdfTooLarge(PdfError):
    kind = "too_large"


@dataclass
class PdfText:
    """The text of a PDF as positioned spans, page by page (only the pages read)."""

    pages: list[list[Span]]
    page_count: int
    page_numbers: list[int]
    engine: str  # pdfium | pypdf
    warnings: list[str] = field(default_factory=list)

    def plain(self) -> str:
        """The spans in reading order, one line per span (for logs and keyword searches)."""
        return "\n".join(span.text for page in self.pages for span in page)


def _check_envelope(data: bytes) -> None:
    if not data:
        raise MalformedPdf("malformed PDF: empty file")
    if len(data) > MAX_BYTES:
        raise PdfTooLarge(
            f"PDF too large: {len(data) // (1024 * 1024)} MB (limit {MAX_BYTES // (1024 * 1024)} MB)"
        )
    if b"%PDF-" not in data[:1024]:
        raise MalformedPdf("malformed PDF: no %PDF header (not a PDF file)")
    # A file cut short (a mail client or a transfer that stopped) loses its trailer: PDFium may rebuild part
    # of it, but the last page, where the totals are, is what goes first. Refuse rather than read half.
    if b"%%EOF" not in data[-8192:]:
        raise TruncatedPdf("truncated PDF: the end of the file is missing")


def _pages_to_read(count: int) -> list[int]:
    if count <= MAX_PAGES_READ:
        return list(range(count))
    head = MAX_PAGES_READ - LAST_PAGES
    return list(range(head)) + list(range(count - LAST_PAGES, count))


def read_text(data: bytes) -> PdfText:
    """The PDF's text as spans. Raises `PdfError` (typed) when it cannot be read."""
    _check_envelope(data)
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if error.err_code == 4:  # FPDF_ERR_PASSWORD: a user password is needed to open it
            raise EncryptedPdf("encrypted PDF: a password is needed to open it") from None
        if error.err_code == 5:  # FPDF_ERR_SECURITY: unsupported security handler
            raise EncryptedPdf("encrypted PDF: unsupported security handler") from None
        return _read_with_pypdf(data, f"PDFium: {error}")
    try:
        result = _read_with_pdfium(document)
    finally:
        document.close()
    _require_text(result, data)
    return result


def _read_with_pdfium(document: pdfium.PdfDocument) -> PdfText:
    count = len(document)
    if count == 0:
        raise MalformedPdf("malformed PDF: no pages")
    numbers = _pages_to_read(count)
    pages: list[list[Span]] = []
    warnings: list[str] = []
    for number in numbers:
        try:
            page = document[number]
        except pdfium.PdfiumError:
            warnings.append(f"page {number + 1} could not be loaded")
            pages.append([])
            continue
        try:
            height = page.get_height()
            textpage = page.get_textpage()
            try:
                pages.append(page_spans(textpage, number, height))
            finally:
                textpage.close()
        finally:
            page.close()
    if count > len(numbers):
        warnings.append(
            f"{count} pages: read pages 1-{numbers[-LAST_PAGES - 1] + 1} and the last {LAST_PAGES}"
        )
    return PdfText(pages=pages, page_count=count, page_numbers=numbers, engine="pdfium", warnings=warnings)


def _require_text(result: PdfText, data: bytes) -> None:
    letters = 0
    for page in result.pages:
        for span in page:
            letters += sum(ch.isalnum() for ch in span.text)
            if letters >= MIN_TEXT_CHARS:
                return
    if _has_images(data):
        raise ImageOnlyPdf("unreadable: image-only PDF (scan)")
    raise ImageOnlyPdf("unreadable: the PDF has no text")


def _has_images(data: bytes) -> bool:
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return False
    try:
        for number in range(min(len(document), 5)):
            page = document[number]
            try:
                for obj in page.get_objects(max_depth=2):
                    if obj.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE:
                        return True
            finally:
                page.close()
    finally:
        document.close()
    return False


def _read_with_pypdf(data: bytes, why: str) -> PdfText:
    """Fallback: pypdf's layout text cut into spans at runs of spaces (x = column x 5, y = line x 12)."""

    import pypdf
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise EncryptedPdf("encrypted PDF: a password is needed to open it")
        count = len(reader.pages)
        numbers = _pages_to_read(count)
        pages: list[list[Span]] = []
        for number in numbers:
            text = reader.pages[number].extract_text(extraction_mode="layout") or ""
            spans = []
            for row, line in enumerate(text.splitlines()):
                for match in re.finditer(r"\S+(?: \S+)*", line):
                    x = match.start() * 5.0
                    spans.append(
                        Span(
                            number,
                            x,
                            row * 12.0,
                            x + len(match.group()) * 5.0,
                            row * 12.0 + 10,
                            match.group(),
                        )
                    )
            pages.append(spans)
    except PdfError:
        raise
    except FileNotDecryptedError:
        raise EncryptedPdf("encrypted PDF: a password is needed to open it") from None
    except (PdfReadError, Exception) as error:  # pypdf raises many types on broken files
        raise MalformedPdf(f"malformed PDF: {why}; pypdf: {type(error).__name__}: {error}"[:300]) from None
    if count == 0:
        raise MalformedPdf(f"malformed PDF: no pages ({why})")
    result = PdfText(pages=pages, page_count=count, page_numbers=numbers, engine="pypdf", warnings=[why])
    _require_text(result, data)
    return result
