"""`jalon extract --json` and `jalon check --json` print one JSON object per file, in order, for scripts."""

from __future__ import annotations

import json
from pathlib import Path

from jalon.__main__ import main
from jalon.models import Customer

DATA = Path(__file__).resolve().parent / "data" / "invoices"


def lines(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]


def test_extract_prints_the_issue_fields_for_each_file_in_order(capsys):
    """Several files in, one object per line out, same order, the unreadable ones included with a reason."""
    files = [DATA / "classic_fr-03-credit.pdf", DATA / "scan-01.pdf", DATA / "us_export-01-usd.pdf"]
    status = main(["extract", "--json", *map(str, files)])
    credit, scan, usd = lines(capsys)
    assert status == 1  # one of them could not be read
    assert credit["file"].endswith("classic_fr-03-credit.pdf")
    expected = json.loads((DATA / "classic_fr-03-credit.json").read_text())
    for field in (
        "doc_type",
        "invoice_number",
        "issue_date",
        "due_date",
        "currency",
        "seller_siren",
        "seller_vat",
        "buyer_name",
        "total_without_vat",
        "total_vat",
        "total_with_vat",
    ):
        assert credit[field] == expected[field], field
    assert credit["doc_type"] == "credit_note" and credit["total_with_vat"] > 0
    assert credit["source"] == "text" and 0 < credit["confidence"]["total_with_vat"] <= 1
    assert [set(b) >= {"rate", "base", "amount"} for b in credit["vat_breakdown"]] == [True] * len(
        credit["vat_breakdown"]
    )
    assert scan == {
        "file": str(files[1]),
        "source": "none",
        "error": "unreadable: image-only PDF (scan)",
        "warnings": [],
    }
    assert usd["currency"] == "USD"


def test_check_prints_ok_action_and_findings(capsys):
    """A compliant invoice is sent; one without its penalty mention is held with that finding."""
    main(
        [
            "check",
            "--json",
            str(DATA / "classic_fr-01-plain.pdf"),
            str(DATA / "noncompliant-penalty_rate.pdf"),
        ]
    )
    good, bad = lines(capsys)
    assert good["ok"] is True and good["action"] == "send"
    assert bad["ok"] is False and bad["action"] == "hold"
    codes = {f["code"] for f in bad["findings"] if f["severity"] == "error"}
    assert codes == {"penalty_rate"}
    assert all({"code", "severity", "message"} <= set(f) for f in bad["findings"])


def test_check_of_a_missing_file_reports_it_and_exits_non_zero(capsys, tmp_path):
    """A script checking a batch learns from the exit status that a file was not there; the others are
    still checked and printed."""
    status = main(["check", "--json", str(tmp_path / "missing.pdf"), str(DATA / "classic_fr-01-plain.pdf")])
    missing, good = lines(capsys)
    assert status == 2 and missing["action"] == "hold" and good["action"] == "send"
    assert main(["check", "--json", str(DATA / "classic_fr-01-plain.pdf")]) == 0


def test_check_applies_what_the_customer_requires(capsys, tmp_path, sqlite_db):
    """With --customer, the directory's requirements apply: this customer wants a purchase-order number."""
    with sqlite_db.session() as session:
        session.add(Customer(code="ACME", name="Acme", requires_po=True))
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{sqlite_db.url}"\n')
    pdf = DATA / "noncompliant-purchase_order.pdf"
    main(["--config", str(config), "check", "--json", str(pdf)])
    main(["--config", str(config), "check", "--json", "--customer", "ACME", str(pdf)])
    without, with_customer = lines(capsys)
    assert without["action"] == "send"
    assert with_customer["action"] == "hold"
    assert [f["code"] for f in with_customer["findings"] if f["severity"] == "error"] == ["purchase_order"]


def test_extract_shows_both_addresses_and_every_item_line(capsys):
    """What the outputs will carry is visible before sending: street, postcode and city of both parties, and
    each line with its reference, description, quantity, unit price and amount (a credit note's positive)."""
    files = [DATA / "totals_row_fr-01-plain.pdf", DATA / "classic_fr-03-credit.pdf"]
    main(["extract", "--json", *map(str, files)])
    invoice, credit = lines(capsys)
    assert invoice["seller_address"]["postcode"] and invoice["seller_address"]["city"]
    assert invoice["buyer_address"]["line1"] and invoice["buyer_address"]["postcode"]
    items = invoice["line_items"]
    assert len(items) == invoice["lines"] > 0
    assert all(item["seller_item_id"] and item["name"] for item in items)
    assert round(sum(item["amount"] for item in items), 2) == invoice["total_without_vat"]
    assert all(item["quantity"] * item["unit_price"] > 0 for item in items)
    assert round(sum(item["amount"] for item in credit["line_items"]), 2) == credit["total_without_vat"]


def test_the_formats_jalon_writes_read_back_and_other_xml_is_named_for_what_it_is(capsys, tmp_path):
    """`extract` reads the EDIFACT, cXML and GS1 it writes; an order, a non-invoice or a hostile XML is said
    to be one (one line, exit 1/2, no traceback), never "not a PDF"."""
    pdf = DATA / "classic_fr-01-plain.pdf"
    number = json.loads((DATA / "classic_fr-01-plain.json").read_text())["invoice_number"]
    written = []
    for target in ("edifact", "cxml", "gs1"):
        assert main(["convert", str(pdf), "--to", target, "-o", str(tmp_path), "--force"]) in (0, 1)
        written += sorted(tmp_path.glob(f"*.{target}.*"))
    capsys.readouterr()
    assert main(["extract", "--json", *map(str, written)]) == 0
    assert [(line["source"], line["invoice_number"]) for line in lines(capsys)] == [
        ("edifact", number),
        ("cxml", number),
        ("gs1", number),
    ]
    order = tmp_path / "order.xml"
    order.write_text("<cXML><Request><OrderRequest/></Request></cXML>", encoding="utf-8")
    other = tmp_path / "other.xml"
    other.write_text("<catalogue><item/></catalogue>", encoding="utf-8")
    hostile = tmp_path / "hostile.xml"
    hostile.write_text('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', encoding="utf-8")
    for path, said in ((order, "cXML InvoiceDetailRequest"), (other, "no invoice jalon reads"),
                       (hostile, "XML refused")):  # fmt: skip
        assert main(["convert", str(path), "--to", "cii", "-o", str(tmp_path)]) == 2
        assert said in capsys.readouterr().err
        main(["extract", "--json", str(path)])
        [line] = lines(capsys)
        assert said in line["error"] and "PDF" not in line["error"]
