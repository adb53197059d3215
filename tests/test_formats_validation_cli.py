"""`jalon convert` and `jalon validate` as an operator uses them, and outputs made from the team's PDF
invoices of many layouts passing the official rules of their format."""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from pathlib import Path

import pytest
from conftest import ROOT, corpus, need

from jalon.__main__ import main
from jalon.formats import convert, pdfa, validation
from jalon.formats.extract import read_invoice

INVOICES = ROOT / "tests" / "data" / "invoices"


def _lines(capsys: pytest.CaptureFixture[str]) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]


def test_validate_prints_one_json_line_per_file_in_order(capsys: pytest.CaptureFixture[str]) -> None:
    """Valid UBL, CII, Factur-X PDF and a broken XML: one verdict each, exit status 1 for the bad one."""
    files = [
        corpus("einvoice", "examples/ubl/ubl-tc434-example1.xml"),
        corpus("einvoice", "examples/cii/CII_example1.xml"),
        corpus("einvoice", "examples/facturx-pdf/mustang-EN16931_Einfach.pdf"),
        corpus("einvoice", "invalid/horstoeko/xml_invalid_1.xml"),
    ]
    status = main(["validate", *map(str, files), "--official", "--json"])
    lines = _lines(capsys)
    assert [line["file"] for line in lines] == list(map(str, files))
    assert [line["valid"] for line in lines] == [True, True, True, False]
    assert [line["format"] for line in lines[:3]] == ["ubl", "cii", "facturx"]
    for line in lines:
        assert set(line) >= {"valid", "format", "profile", "errors", "warnings"}
        for error in line["errors"]:
            assert set(error) == {"rule", "message", "location"}
    assert status == 1


def test_validate_without_official_runs_the_xsd_only(capsys: pytest.CaptureFixture[str]) -> None:
    """Without --official an arithmetic error passes (XSD only); with it, BR-CO rules catch it."""
    path = corpus("einvoice", "examples/cii/CII_example1.xml")
    broken = path.read_bytes().replace(
        b"<ram:DuePayableAmount>250.33</ram:DuePayableAmount>",
        b"<ram:DuePayableAmount>999.99</ram:DuePayableAmount>",
    )
    assert broken != path.read_bytes()
    assert validation.validate(broken, official=False).valid
    assert "BR-CO-16" in validation.validate(broken).failed_rules


def test_an_official_verdict_whose_rules_are_not_installed_is_not_valid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An install whose `[validation] rules_dir` is not set has no CEN rules for a bare CII: `validate
    --official` answers RULES-MISSING, not valid, and says which setting to fix, instead of a "valid" on
    rules that never ran; the Factur-X rules, shipped with the factur-x package, still run."""
    path = corpus("einvoice", "examples/cii/CII_example1.xml")
    empty = tmp_path / "no-rules"
    empty.mkdir()
    monkeypatch.setenv("JALON_SHARED", str(empty))  # no default folder beside the checkout either
    validation.configure(rules_dir=empty, xsd_dir=empty)
    try:
        assert main(["validate", str(path), "--official", "--json"]) == 1
        (line,) = _lines(capsys)
        assert not line["valid"] and "RULES-MISSING" in {e["rule"] for e in line["errors"]}
        assert any("rules_dir" in e["message"] for e in line["errors"])
        fx = corpus("einvoice", "examples/facturx-pdf/mustang-EN16931_Einfach.pdf")
        assert validation.validate(fx.read_bytes()).valid
    finally:
        validation.configure(None, None)


def test_convert_writes_a_valid_output_and_refuses_to_write_an_invalid_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A team PDF converts to CII; an output that breaks the rules (Peppol without buyer reference nor PO)
    is reported and not written."""
    source = tmp_path / "invoice.pdf"
    shutil.copy(INVOICES / "classic_fr-01-plain.pdf", source)
    assert main(["convert", str(source), "--to", "cii", "-o", str(tmp_path / "out.xml")]) == 0
    (line,) = _lines(capsys)
    assert line["valid"] and line["output"] == str(tmp_path / "out.xml")
    assert validation.validate((tmp_path / "out.xml").read_bytes()).valid
    assert main(["convert", str(source), "--to", "peppol", "-o", str(tmp_path / "p.xml")]) == 1
    (line,) = _lines(capsys)
    assert not line["valid"] and line["output"] is None and not (tmp_path / "p.xml").exists()
    assert "PEPPOL-EN16931-R003" in {e["rule"] for e in line["errors"]}


def test_convert_names_each_output_after_its_format_and_says_when_it_cannot_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without -o, the CII, UBL and GS1 of one PDF land beside it under three names (none overwrites
    another); -o a folder puts it there; -o into a missing folder is one line of error, not a traceback."""
    source = tmp_path / "invoice.pdf"
    shutil.copy(INVOICES / "classic_fr-01-plain.pdf", source)
    for target in ("cii", "ubl", "gs1"):
        assert main(["convert", str(source), "--to", target]) == 0
    written = [line["output"] for line in _lines(capsys)]
    assert written == [str(tmp_path / f"invoice.{t}.xml") for t in ("cii", "ubl", "gs1")]
    assert all(Path(path).stat().st_size > 0 for path in written)
    folder = tmp_path / "out"
    folder.mkdir()
    assert main(["convert", str(source), "--to", "cii", "-o", str(folder)]) == 0
    assert _lines(capsys)[0]["output"] == str(folder / "invoice.cii.xml")
    assert main(["convert", str(source), "--to", "cii", "-o", str(tmp_path / "missing" / "x.xml")]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_convert_to_factur_x_gives_a_pdfa3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`jalon convert invoice.pdf --to facturx` writes a PDF/A-3 with the CII embedded."""
    need(shutil.which("gs") is not None, "Ghostscript (gs) not installed")
    source = INVOICES / "window_en-01-plain.pdf"
    need(source.exists(), "team invoice PDFs not generated")
    assert main(["convert", str(source), "--to", "facturx", "-o", str(tmp_path / "fx.pdf")]) == 0
    out = (tmp_path / "fx.pdf").read_bytes()
    assert not pdfa.check_pdfa3(out)
    assert validation.validate(out).valid


def test_outputs_from_pdf_invoices_of_ten_layouts_pass_the_official_rules() -> None:
    """The team's generated PDFs, read from their text and converted, pass EN 16931 as CII and UBL for at
    least ten layouts; every output that fails names its failed rules (it would be held, not sent)."""
    need(INVOICES.exists(), "team invoice PDFs not generated")
    valid_layouts: dict[str, set[str]] = defaultdict(set)
    for path in sorted(INVOICES.glob("*.pdf")):
        if path.name.startswith(("noncompliant", "scan")):
            continue
        invoice = read_invoice(path.read_bytes()).invoice
        assert invoice is not None, path.name
        for target in ("cii", "ubl"):
            report = validation.check_output(convert.write(invoice, target), fmt=target, profile="EN16931")
            if report.valid:
                valid_layouts[target].add(path.name.rsplit("-", 2)[0])
            else:
                assert report.failed_rules, path.name
    assert len(valid_layouts["cii"]) >= 10, sorted(valid_layouts["cii"])
    assert len(valid_layouts["ubl"]) >= 10, sorted(valid_layouts["ubl"])
