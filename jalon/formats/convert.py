"""Convert one invoice file into the format a recipient expects, and prove the output valid before it leaves.

`read_any` turns a PDF (embedded XML first, else its text, through `extract.read_invoice`), a CII / UBL /
cXML / GS1 XML or an EDIFACT INVOIC into the model; `write` renders the model in a target format; `convert`
does both and validates the output with the official rules (`validation.check_output`). Targets, as
`jalon convert --to` names them: facturx, cii, ubl, peppol, edifact, cxml, gs1.
"""

from __future__ import annotations

from dataclasses import dataclass

from jalon.formats import syntax
from jalon.formats.model import Invoice
from jalon.formats.validation import ValidationReport, check_output

TARGETS = ("facturx", "cii", "ubl", "peppol", "edifact", "cxml", "gs1")
SUFFIXES = {"facturx": ".pdf", "cii": ".xml", "ubl": ".xml", "peppol": ".xml", "edifact": ".edi",
            "cxml": ".xml", "gs1": ".xml"}  # fmt: skip
DEFAULT_PROFILES = {"facturx": "EN16931", "cii": "EN16931", "ubl": "EN16931", "peppol": "PEPPOL"}


class ConversionError(ValueError):
    """The input cannot be read or the target cannot be made from it; the message says why."""


@dataclass
class Conversion:
    output: bytes
    report: ValidationReport
    invoice: Invoice


def read_any(data: bytes) -> Invoice:
    """The invoice in a file's bytes, whatever its syntax; ConversionError, saying what the file is, when
    none can be read."""
    try:
        kind = syntax.sniff(data)
    except ValueError as error:  # hostile or broken XML: refused, and said so (not "not a PDF")
        raise ConversionError(f"XML refused: {error}") from None
    if kind == "edifact":
        from jalon.formats.edifact import read_edifact

        try:
            return read_edifact(data)
        except ValueError as error:
            raise ConversionError(str(error)) from None
    if kind in ("cxml", "gs1"):
        try:
            return syntax.read_xml(syntax.parse(data))
        except ValueError as error:
            raise ConversionError(f"{kind}: {error}") from None
    if kind == "unknown" and data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        raise ConversionError(
            "an XML file that is no invoice jalon reads (CII, UBL, Factur-X/ZUGFeRD, cXML, GS1)"
        )
    from jalon.formats.extract import read_invoice

    result = read_invoice(data)
    if result.invoice is None:
        raise ConversionError(f"no invoice could be read: {result.error}")
    return result.invoice


def write(invoice: Invoice, to: str, *, profile: str | None = None, french: bool = False,
          pdf: bytes | None = None) -> bytes:  # fmt: skip
    """The model in a target format. Factur-X needs the billing tool's PDF (`pdf`). A model read from a PDF's
    text is first completed with what its own figures decide (`completion.complete`)."""
    from jalon.formats.completion import complete

    profile = profile or DEFAULT_PROFILES.get(to)
    if invoice.source in ("text", "none"):
        invoice = complete(invoice)
    if to == "facturx":
        if pdf is None:
            raise ConversionError(
                "Factur-X needs the invoice's PDF: convert the billing tool's PDF, not an XML"
            )
        from jalon.formats.facturx import write_facturx

        return write_facturx(invoice, pdf, profile=profile or "EN16931", french=french)
    if to == "cii":
        from jalon.formats.cii import write_cii

        return write_cii(invoice, profile=profile or "EN16931", french=french)
    if to in ("ubl", "peppol"):
        from jalon.formats.ubl import write_ubl

        return write_ubl(
            invoice, peppol=to == "peppol", profile=None if to == "peppol" else profile, french=french
        )
    if to == "edifact":
        from jalon.formats.edifact import write_edifact

        return write_edifact(invoice)
    if to == "cxml":
        from jalon.formats.cxml import write_cxml

        return write_cxml(invoice)
    if to == "gs1":
        from jalon.formats.gs1 import write_gs1

        return write_gs1(invoice)
    raise ConversionError(f"unknown target {to!r}: use one of {', '.join(TARGETS)}")


def convert(data: bytes, to: str, *, profile: str | None = None, french: bool = False) -> Conversion:
    """Read `data`, write it as `to`, and validate the output (official rules where they exist)."""
    if to not in TARGETS:
        raise ConversionError(f"unknown target {to!r}: use one of {', '.join(TARGETS)}")
    invoice = read_any(data)
    pdf = data if syntax.sniff_safely(data) == "pdf" else None
    try:
        output = write(invoice, to, profile=profile, french=french, pdf=pdf)
    except (ValueError, RuntimeError) as error:  # PdfaError is a RuntimeError
        raise ConversionError(f"cannot write {to}: {error}") from None
    wanted = profile or DEFAULT_PROFILES.get(to)
    if french and wanted and to in ("facturx", "cii", "ubl") and wanted != "EXTENDED-CTC-FR":
        wanted += "+BR-FR"
    return Conversion(output, check_output(output, fmt=to, profile=wanted), invoice)
