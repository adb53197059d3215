"""Official validation agrees with the corpus: observed verdicts per file and the rule sets' unit tests."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from conftest import corpus
from lxml import etree

from jalon.formats import facturx, validation, xmlsafe

VEFA = "{http://difi.no/xsd/vefa/validator/1.0}"
# vefa testSet configuration -> the rule set it exercises
CONFIGURATIONS = {
    "tc434-ubl": "EN16931-UBL",
    "tc434-cii": "EN16931-CII",
    "peppolbis-en16931-base-3.0-ubl": "PEPPOL-UBL",
    "peppolbis-en16931-01-3.0-ubl-invoice": "PEPPOL-UBL",
}


def _observed_rows() -> list[dict[str, str]]:
    with open(corpus("einvoice", "validation-observed.tsv"), encoding="utf-8") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return [r for r in rows if r["kind"] not in ("pdf",) and not r["kind"].startswith("other")]


def _document(row: dict[str, str]) -> bytes:
    path, _, member = row["file"].partition("!")
    data = corpus("einvoice", path).read_bytes()
    if not member:
        return data
    return dict(facturx.xml_attachments(data))[member]


def _key(finding: validation.Finding) -> str:
    """The observed file's spelling: rule id, or `report[<text, _ for spaces, no quotes>` if id-less."""
    if finding.rule in ("report", "assert"):
        return "report[" + finding.message.replace(" ", "_").replace('"', "")
    return finding.rule


def _matches(expected: set[str], got: set[str]) -> bool:
    """Same findings; id-less reports are truncated in the observed file, so they match by prefix."""
    remaining = set(got)
    for item in expected:
        hits = {
            g
            for g in remaining
            if g == item or (item.startswith(f"{item.split(':')[0]}:report[") and g.startswith(item[:-1]))
        }
        if not hits:
            return False
        remaining -= hits
    return not remaining


def test_every_observed_file_gives_the_observed_xsd_verdicts_and_failed_rules() -> None:
    """For each example and invalid file, each XSD and rule set gives exactly the verdicts seen upstream."""
    rows = _observed_rows()
    assert len(rows) >= 80
    mismatches = []
    for row in rows:
        root = xmlsafe.parse(_document(row))
        for name, verdict in re.findall(r"(\S+?):(ok|FAIL)", row["xsd"]):
            if (not validation.run_xsd(root, name)) != (verdict == "ok"):
                mismatches.append(f"{row['file']}: XSD {name} expected {verdict}")
        errors: set[str] = set()
        warnings: set[str] = set()
        for name in row["schematron"].split():
            found_errors, found_warnings = validation.run_rules(root, name)
            errors |= {f"{name}:{_key(f)}" for f in found_errors}
            warnings |= {f"{name}:{_key(f)}" for f in found_warnings}
        if not _matches(set(row["fatal"].split()), errors):
            mismatches.append(f"{row['file']}: errors {sorted(errors)} expected {row['fatal']}")
        if not _matches(set(row["warnings"].split()), warnings):
            mismatches.append(f"{row['file']}: warnings {sorted(warnings)} expected {row['warnings']}")
    assert not mismatches, "\n".join(mismatches)


def _valid_examples() -> list[Path]:
    root = corpus("einvoice")
    found = []
    with open(root / "MANIFEST.tsv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["expect"].startswith("valid:") and row["file"].endswith((".xml", ".XML")):
                found.append(root / row["file"])
    return found


def test_every_official_valid_example_validates_with_the_rule_sets_jalon_chooses() -> None:
    """validate() picks XSD and rule sets per syntax and profile by itself; every valid example passes.

    Known surprises listed in the corpus README (files older than the rule sets) are the only exceptions,
    and they must fail with exactly the rules the README names.
    """
    surprises = {
        "issue116.xml": {"PEPPOL-COMMON-R049"},
        "mustang-valid_Avoir_FR_type380_minimum.xml": {"XSD", "report"},
        "mustang-facturFrMinimum.xml": {"report"},
    }
    files = _valid_examples()
    assert len(files) >= 60
    failures = []
    for path in files:
        report = validation.validate(path.read_bytes())
        expected = surprises.get(path.name, set())
        if set(report.failed_rules) != expected:
            failures.append(f"{path.name} ({report.format} {report.profile}): {report.failed_rules}")
    assert not failures, "\n".join(failures)


def _vefa_cases() -> list[tuple[str, str, str, str, bytes]]:
    root = corpus("einvoice", "invalid")
    cases = []
    for path in sorted(root.glob("*-unit*/**/*.xm*")):
        test_set = xmlsafe.parse(path.read_bytes())
        rule_set = CONFIGURATIONS.get(test_set.get("configuration", ""))
        if rule_set is None:
            continue  # unit-CII-PEPPOL: its compiled PEPPOL-EN16931-CII XSLT is not in the corpus
        for test in test_set.findall(f"{VEFA}test"):
            documents = [c for c in test if isinstance(c.tag, str) and not c.tag.startswith(VEFA)]
            assertion = test.find(f"{VEFA}assert")
            if not documents or assertion is None:
                continue
            document = etree.tostring(documents[0])
            for expect in assertion:
                kind = etree.QName(expect).localname if isinstance(expect.tag, str) else ""
                if kind in ("success", "error", "warning"):
                    cases.append((path.name, rule_set, kind, (expect.text or "").strip(), document))
    return cases


@pytest.fixture(scope="module")
def vefa_cases() -> list[tuple[str, str, str, str, bytes]]:
    return _vefa_cases()


def test_the_rule_sets_own_unit_tests_all_give_the_expected_rule(vefa_cases: list) -> None:
    """Every vefa testSet expectation (EN 16931 UBL and CII, Peppol UBL) is met: error, warning or silence."""
    assert len(vefa_cases) >= 1300
    failed = []
    cache: dict[tuple[str, bytes], tuple[set[str], set[str]]] = {}
    for name, rule_set, kind, rule, document in vefa_cases:
        if (rule_set, document) not in cache:
            errors, warnings = validation.run_rules(document, rule_set)
            cache[(rule_set, document)] = ({f.rule for f in errors}, {f.rule for f in warnings})
        errors_, warnings_ = cache[(rule_set, document)]
        ok = {
            "error": rule in errors_,
            "warning": rule in warnings_,
            "success": rule not in errors_ and rule not in warnings_,
        }[kind]
        if not ok:
            failed.append(f"{name}: expected {kind} {rule}, got {sorted(errors_)} / {sorted(warnings_)}")
    assert not failed, "\n".join(failed[:30])
