"""PDF/A-3: make a billing tool's PDF PDF/A-3 with Ghostscript, and check that a Factur-X really is one.

The one exception to "formats do no I/O": Ghostscript runs as a subprocess on temporary files (no shell,
-dSAFER, read permission only on its own sRGB profile, a timeout). `check_pdfa3` is jalon's own PDF/A-3
audit, read with pikepdf (qpdf), since no well-kept validator installs here (veraPDF is Java, not
packaged): XMP identification (pdfaid part 3), an OutputIntent with an ICC profile, every font embedded, no
encryption, every embedded file with its AFRelationship and MIME type and listed in the catalog's /AF, one
PDF header, and for Factur-X the fx: XMP naming the embedded file and its level. `validate_facturx` adds the
XML's official validation.
"""

from __future__ import annotations

import glob
import hashlib
import io
import os
import re
import shutil
import subprocess
import tempfile
from typing import Any

import pikepdf

from jalon.formats import xmlsafe

GS_TIMEOUT = 120  # seconds; a multi-page invoice takes well under a second
_PDFAID = "http://www.aiim.org/pdfa/ns/id/"
_FX = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
# XMP conformance level -> jalon profile names it may carry
XMP_LEVELS = {
    "MINIMUM": {"MINIMUM"},
    "BASIC WL": {"BASIC-WL"},
    "BASIC": {"BASIC"},
    "EN 16931": {"EN16931"},
    "EXTENDED": {"EXTENDED", "EXTENDED-CTC-FR"},
    "XRECHNUNG": {"XRECHNUNG"},
}


class PdfaError(RuntimeError):
    """The PDF could not be made PDF/A-3 (Ghostscript missing, failed or timed out)."""


def ghostscript() -> str | None:
    return shutil.which("gs")


def _srgb_profile() -> str:
    found = sorted(glob.glob("/usr/share/ghostscript/*/iccprofiles/srgb.icc"))
    if not found:
        raise PdfaError("Ghostscript's sRGB ICC profile (iccprofiles/srgb.icc) is not installed")
    return found[-1]


def _ps_string(text: str) -> str:
    safe = text.encode("ascii", "replace").decode("ascii")
    return "(" + safe.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def _definition(icc: str, title: str) -> str:
    return (
        "%!\n"
        f"[ /Title {_ps_string(title)} /DOCINFO pdfmark\n"
        f"/ICCProfile {_ps_string(icc)} def\n"
        "[/_objdef {icc_PDFA} /type /stream /OBJ pdfmark\n"
        "[{icc_PDFA} << /N 3 >> /PUT pdfmark\n"
        "[{icc_PDFA} ICCProfile (r) file /PUT pdfmark\n"
        "[/_objdef {OutputIntent_PDFA} /type /dict /OBJ pdfmark\n"
        "[{OutputIntent_PDFA} << /Type /OutputIntent /S /GTS_PDFA1 /DestOutputProfile {icc_PDFA}"
        " /OutputConditionIdentifier (sRGB) /Info (sRGB IEC61966-2.1) >> /PUT pdfmark\n"
        "[{Catalog} << /OutputIntents [ {OutputIntent_PDFA} ] >> /PUT pdfmark\n"
    )


def to_pdfa3(pdf: bytes, *, title: str = "Invoice", timeout: float = GS_TIMEOUT) -> bytes:
    """The same document as PDF/A-3b (fonts embedded, sRGB output intent), made by Ghostscript."""
    gs = ghostscript()
    if gs is None:
        raise PdfaError("Ghostscript (gs) is not installed: apt-get install -y ghostscript")
    icc = _srgb_profile()
    with tempfile.TemporaryDirectory(prefix="jalon-pdfa-") as work:
        source, target, definition = (os.path.join(work, n) for n in ("in.pdf", "out.pdf", "pdfa.ps"))
        with open(source, "wb") as handle:
            handle.write(pdf)
        with open(definition, "w", encoding="ascii") as handle:
            handle.write(_definition(icc, title))
        command = [
            gs, "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-dNOOUTERSAVE", f"--permit-file-read={icc}",
            "-sDEVICE=pdfwrite", "-dPDFA=3", "-dPDFACompatibilityPolicy=1", "-sColorConversionStrategy=RGB",
            "-dEmbedAllFonts=true", "-dSubsetFonts=true", f"-sOutputFile={target}", definition, source,
        ]  # fmt: skip
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout, check=False, cwd=work)
        except subprocess.TimeoutExpired:
            raise PdfaError(
                f"Ghostscript took more than {timeout:.0f} s: PDF/A conversion abandoned"
            ) from None
        if done.returncode != 0 or not os.path.exists(target) or os.path.getsize(target) == 0:
            message = (done.stderr or done.stdout).decode("utf-8", "replace").strip()[:500]
            raise PdfaError(f"Ghostscript could not convert the PDF to PDF/A-3: {message or done.returncode}")
        with open(target, "rb") as handle:
            return handle.read()


# --- checking --------------------------------------------------------------------------------------------
# The audit reads the PDF with pikepdf (qpdf): it runs on every output before it leaves, and walking each
# page's font dictionaries through pypdf cost ~1.5 ms of a ~1.7 ms audit per invoice, through qpdf ~0.2 ms.


def _xmp_root(data: bytes) -> Any | None:
    start = data.find(b"<x:xmpmeta")
    if start < 0:
        start = data.find(b"<rdf:RDF")
    end = data.rfind(b"</x:xmpmeta>")
    chunk = data[start : end + len(b"</x:xmpmeta>")] if start >= 0 and end > 0 else data
    return xmlsafe.parse(chunk)


def _xmp(catalog: Any) -> Any | None:
    """The catalog's XMP, parsed."""
    metadata = catalog.get("/Metadata")
    return None if metadata is None else _xmp_root(metadata.read_bytes())


def _xmp_value(xmp: Any, namespace: str, name: str) -> str | None:
    for description in xmp.iter("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}Description"):
        if description.get(f"{{{namespace}}}{name}") is not None:
            return description.get(f"{{{namespace}}}{name}").strip()
        element = description.find(f"{{{namespace}}}{name}")
        if element is not None and element.text:
            return element.text.strip()
    return None


_DEVICE_OPERATOR = re.compile(rb"(?<![A-Za-z/])(rg|RG|k|K|g|G)(?![A-Za-z])")
_DEVICE_SPACES = ("/DeviceRGB", "/DeviceCMYK", "/DeviceGray")


def _streams(contents: Any) -> list[Any]:
    if contents is None:
        return []
    return list(contents) if isinstance(contents, pikepdf.Array) else [contents]


def _uses_device_colour(document: pikepdf.Pdf) -> bool:
    """PDF/A needs an OutputIntent only when uncalibrated device colour is used (ISO 19005 6.2.4.3)."""
    for page in document.pages:
        for stream in _streams(page.obj.get("/Contents")):
            if _DEVICE_OPERATOR.search(stream.read_bytes()):
                return True
        resources = page.obj.get("/Resources") or pikepdf.Dictionary()
        spaces = [str(space) for _, space in (resources.get("/ColorSpace") or pikepdf.Dictionary()).items()]
        for _, xobject in (resources.get("/XObject") or pikepdf.Dictionary()).items():
            spaces.append(str(xobject.get("/ColorSpace", "")))
        if any(space in _DEVICE_SPACES for space in spaces):
            return True
    return False


def _font_embedded(font: Any) -> bool:
    subtype = font.get("/Subtype")
    if subtype == "/Type3":
        return True  # its glyphs are content streams inside the PDF
    if subtype == "/Type0":
        font = font["/DescendantFonts"][0]
    descriptor = font.get("/FontDescriptor")
    return descriptor is not None and any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def _fonts_missing(document: pikepdf.Pdf) -> list[str]:
    missing: set[str] = set()
    seen: set[tuple[int, int]] = set()

    def walk(resources: Any) -> None:
        if resources is None:
            return
        if resources.is_indirect:
            if resources.objgen in seen:
                return
            seen.add(resources.objgen)
        for _, font in (resources.get("/Font") or pikepdf.Dictionary()).items():
            if not _font_embedded(font):
                missing.add(str(font.get("/BaseFont", "?")))
        for _, xobject in (resources.get("/XObject") or pikepdf.Dictionary()).items():
            if xobject.get("/Subtype") == "/Form" and "/Resources" in xobject:
                walk(xobject["/Resources"])

    for page in document.pages:
        walk(page.obj.get("/Resources"))
    return sorted(missing)


# What the billing tool's PDF itself gets wrong (not the embedding): a reason to run Ghostscript on it.
PAGE_RULES = frozenset({"PDF-HEADER", "PDF-STRUCTURE", "PDFA-ENCRYPT", "PDFA-OUTPUTINTENT", "PDFA-FONTS"})
# sha256 -> (problems, XMP Factur-X level), for the same bytes again
_checked: dict[tuple[str, bool], tuple[list[tuple[str, str]], str | None]] = {}


def check_pdfa3(pdf: bytes, *, facturx: bool = True) -> list[tuple[str, str]]:
    """The PDF/A-3 (and Factur-X XMP) problems of a PDF, as (rule, message); empty when it passes.
    The same bytes checked again (written, then validated) get the remembered answer."""
    return audit(pdf, facturx=facturx)[0]


def audit(pdf: bytes, *, facturx: bool = True) -> tuple[list[tuple[str, str]], str | None]:
    """`check_pdfa3`'s problems and `xmp_level`'s answer, from one parse, remembered for the same bytes: the
    validation of an output just written (and audited) does not parse it again."""
    key = (hashlib.sha256(pdf).hexdigest(), facturx)
    if key not in _checked:
        if len(_checked) >= 64:
            _checked.clear()
        _checked[key] = _audit(pdf, facturx=facturx)
    problems, level = _checked[key]
    return list(problems), level


def declares_pdfa3(pdf: bytes) -> bool:
    """Does the PDF's XMP say PDF/A-3 (part 3, conformance A, B or U)? Its pages are not looked at."""
    try:
        with _open(pdf) as document:
            xmp = _xmp(document.Root)
    except Exception:
        return False
    return xmp is not None and not _identification_problems(xmp)


def _identification_problems(xmp: Any) -> list[tuple[str, str]]:
    """What the XMP's PDF/A identification (pdfaid) gets wrong for PDF/A-3."""
    problems = []
    part = _xmp_value(xmp, _PDFAID, "part")
    conformance = _xmp_value(xmp, _PDFAID, "conformance")
    if part != "3":
        problems.append(("PDFA-XMP", f"XMP pdfaid:part is {part!r}, PDF/A-3 needs '3'"))
    if conformance not in ("A", "B", "U"):
        problems.append(("PDFA-XMP", f"XMP pdfaid:conformance is {conformance!r}, expected A, B or U"))
    return problems


def _open(pdf: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(pdf))


def _audit(pdf: bytes, *, facturx: bool) -> tuple[list[tuple[str, str]], str | None]:
    problems: list[tuple[str, str]] = []
    if pdf.count(b"%PDF-") != 1:
        problems.append(
            ("PDF-HEADER", f"{pdf.count(b'%PDF-')} PDF headers: the file is two PDFs glued together")
        )
    try:
        document = _open(pdf)
    except pikepdf.PasswordError:
        return [*problems, ("PDFA-ENCRYPT", "encrypted PDFs cannot be PDF/A")], None
    except Exception as error:  # qpdf gives up only on files it cannot repair
        return [*problems, ("PDF-STRUCTURE", f"unreadable PDF: {error}")], None
    with document:
        if document.is_encrypted:
            return [*problems, ("PDFA-ENCRYPT", "encrypted PDFs cannot be PDF/A")], None
        if not isinstance(document.trailer.get("/Root"), pikepdf.Dictionary):
            return [
                *problems,
                ("PDF-STRUCTURE", "unreadable PDF: no document catalog (damaged or cut short)"),
            ], None
        try:
            xmp = _xmp(document.Root)
            problems += _document_problems(document, xmp, facturx=facturx)
        except Exception as error:  # qpdf reads a missing or damaged object as null
            damaged = ("PDF-STRUCTURE", f"unreadable PDF: damaged or missing objects ({error})")
            return [*problems, damaged], None
    return problems, None if xmp is None else _xmp_value(xmp, _FX, "ConformanceLevel")


def _document_problems(document: pikepdf.Pdf, xmp: Any | None, *, facturx: bool) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    catalog = document.Root
    if xmp is None:
        problems.append(("PDFA-XMP", "no XMP metadata stream: not PDF/A"))
    else:
        problems += _identification_problems(xmp)
        if facturx:
            problems += _facturx_xmp(xmp, catalog)
    intents = list(catalog.get("/OutputIntents") or [])
    has_intent = any(i.get("/S") == "/GTS_PDFA1" and i.get("/DestOutputProfile") is not None for i in intents)
    if not has_intent and _uses_device_colour(document):
        problems.append(
            ("PDFA-OUTPUTINTENT", "device colours used with no GTS_PDFA1 OutputIntent (ICC profile)")
        )
    missing = _fonts_missing(document)
    if missing:
        problems.append(("PDFA-FONTS", f"fonts not embedded: {', '.join(missing[:10])}"))
    problems += _embedded_files(catalog)
    return problems


def _facturx_xmp(xmp: Any, catalog: Any) -> list[tuple[str, str]]:
    problems = []
    name = _xmp_value(xmp, _FX, "DocumentFileName")
    level = _xmp_value(xmp, _FX, "ConformanceLevel")
    if not name or not level:
        problems.append(("FX-XMP", "the XMP does not declare the Factur-X file name and conformance level"))
    if b"pdfaExtension" not in catalog["/Metadata"].read_bytes():
        problems.append(("FX-XMP", "the XMP lacks the PDF/A extension schema describing the fx: properties"))
    return problems


def _name_tree_values(node: Any) -> list[Any]:
    """The values of a PDF name tree (ISO 32000 7.9.6), leaves and kids."""
    pairs = list(node.get("/Names") or [])
    values = [pairs[i + 1] for i in range(0, len(pairs) - 1, 2)]
    for kid in node.get("/Kids") or []:
        values += _name_tree_values(kid)
    return values


def _embedded_files(catalog: Any) -> list[tuple[str, str]]:
    problems = []
    names = (catalog.get("/Names") or pikepdf.Dictionary()).get("/EmbeddedFiles")
    specs = _name_tree_values(names) if names is not None else []
    listed = {entry.objgen for entry in catalog.get("/AF") or [] if entry.is_indirect}
    for spec in specs:
        label = str(spec.get("/UF") or spec.get("/F") or "?")
        if "/AFRelationship" not in spec:
            problems.append(("PDFA-AF", f"embedded file {label} has no AFRelationship"))
        stream = (spec.get("/EF") or pikepdf.Dictionary()).get("/F")
        if stream is None or "/Subtype" not in stream:
            problems.append(("PDFA-AF", f"embedded file {label} has no MIME subtype"))
        if not spec.is_indirect or spec.objgen not in listed:
            problems.append(("PDFA-AF", f"embedded file {label} is not listed in the catalog /AF"))
    return problems


def xmp_level(pdf: bytes) -> str | None:
    """The Factur-X conformance level the PDF's XMP declares (MINIMUM, BASIC WL, EN 16931…), if any."""
    try:
        with _open(pdf) as document:
            xmp = _xmp(document.Root)
    except Exception:
        return None
    return None if xmp is None else _xmp_value(xmp, _FX, "ConformanceLevel")


def is_pdfa3(pdf: bytes) -> bool:
    """Already PDF/A-3 (by jalon's checks, Factur-X XMP aside)?"""
    return not check_pdfa3(pdf, facturx=False)


def _no_invoice_xml(pdf: bytes) -> Any:
    """Why no invoice XML came out of the PDF: none embedded, or one under a Factur-X name that is broken."""
    from jalon.formats import facturx, validation

    for name, data in facturx.xml_attachments(pdf):
        if name.lower().rsplit("/", 1)[-1] in facturx.KNOWN_NAMES:
            try:
                xmlsafe.parse(data)
            except ValueError as error:
                return validation.Finding("FX-XML-MALFORMED", f"embedded {name} is not well-formed: {error}")
    return validation.Finding("FX-XML-MISSING", "no Factur-X/ZUGFeRD XML embedded")


def validate_facturx(pdf: bytes, *, official: bool = True, profile: str | None = None) -> Any:
    """A Factur-X PDF: PDF/A-3 checks, then the embedded XML's XSD and official rule sets."""
    from jalon.formats import facturx, validation

    report = validation.ValidationReport(valid=True, format="facturx", profile=profile)
    try:
        found = facturx.embedded_xml(pdf)
    except xmlsafe.HostileXML as error:
        found, report.errors = None, [validation.Finding("HOSTILE-XML", str(error))]
    except ValueError as error:
        found, report.errors = None, [validation.Finding("PDF-STRUCTURE", str(error))]
    if found is None:
        if not report.errors:
            report.errors.append(_no_invoice_xml(pdf))
        report.valid = False
        return report
    name, xml = found
    root = xmlsafe.parse(xml)
    fmt = "zugferd1" if root.tag.endswith("}CrossIndustryDocument") else "facturx"
    inner = validation.validate_root(
        root, fmt=fmt if fmt == "zugferd1" else "facturx", profile=profile, official=official
    )
    report.profile, report.errors, report.warnings, report.ran = (
        inner.profile,
        inner.errors,
        inner.warnings,
        inner.ran,
    )
    if inner.format == "ubl":
        report.format = "ubl"
    problems, level = audit(pdf, facturx=name.lower() == "factur-x.xml")
    for rule, message in problems:
        report.errors.append(validation.Finding(rule, message, "PDF"))
    if (
        level
        and report.profile
        and report.profile.split("+")[0] not in XMP_LEVELS.get(level.upper(), {level})
    ):
        report.errors.append(
            validation.Finding("FX-XMP-LEVEL", f"XMP says {level} but the XML is {report.profile}", "PDF")
        )
    report.valid = not report.errors
    return report
