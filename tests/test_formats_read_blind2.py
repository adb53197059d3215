"""Second blind accuracy measure of the PDF invoice reader, with a tune split and a held-out final split.

tests/data/invoices_blind2/ holds 80 invoice PDFs (16 layouts x 5) made by tests/gen_invoices_blind2.py,
written without looking at the reader, its label lists, the team's generators or either earlier set. The
text layers come from producers the other sets do not use: ReportLab platypus flowables, fpdf2, and
python-docx / odfpy documents printed by LibreOffice. The layouts are those of a consultancy, a craftsman
(three VAT rates and a deposit), a French public buyer (service code, engagement number), a three-page
wholesaler invoice, credit notes, English export invoices (USD/GBP/SEK/CHF), a SaaS subscription with
reverse charge, a carrier with a rotated legal footer, a VAT-exempt micro-entrepreneur, utility bills, a
scanned-looking page with an uneven text layer, a Swiss seller in CHF, a fee note, an English event invoice
with a deposit, a drinks wholesaler with discount and shipping, and a hospital supplier at 2.1 / 5.5 / 20 %.
Beside each PDF a JSON holds the values a perfect reader returns (the conventions are in the generator's
docstring) and its split.

The split is the point: each layout has documents in both "tune" and "final". Whoever works on the reader
looks at the tune split only (its misses are printed, worst first); the final split is reported as aggregate
figures alone (per field, per layout), never document by document, so that it keeps measuring layouts the
reader was not fitted to. Every field is compared as in the first blind set: amounts within 0.005,
identifiers without spaces/dots/dashes, other strings without case or whitespace, dates as ISO strings, the
VAT breakdown rate by rate. The test asserts FLOORS per split (a few points under what the reader reached;
the final split's measured once, at the end of a round of work, never tuned on) and DOCUMENT_FLOORS per PDF
of the tune split only (a failing final PDF would single it out); a missing PDF is skipped, and a reader that
raises counts as a document with every field missed.

Set JALON_BLIND2_REPORT=path to also write the tune split's misses and both splits' figures as JSON.
"""

from __future__ import annotations

import functools
import json
import os
import re
import unicodedata
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data" / "invoices_blind2"
CASES = sorted(DATA.glob("*.json"))
# overall field accuracy each split must reach: tune reached 1.000 (tuned on), final 0.993 (measured once)
FLOORS = {"tune": 0.96, "final": 0.96}
DOCUMENT_FLOORS = {"tune": 0.75, "final": 0.0}  # per PDF: at most 4 of 18 fields missed on a tune PDF
SPLITS = ("tune", "final")

FIELDS = [
    "doc_type",
    "invoice_number",
    "issue_date",
    "due_date",
    "currency",
    "seller_name",
    "seller_siren",
    "seller_siret",
    "seller_vat",
    "buyer_name",
    "buyer_siren",
    "buyer_vat",
    "purchase_order",
    "buyer_reference",
    "total_without_vat",
    "total_vat",
    "total_with_vat",
    "vat_breakdown",
]
ID_FIELDS = {"seller_siren", "seller_siret", "seller_vat", "buyer_siren", "buyer_vat"}
NUM_FIELDS = {"total_without_vat", "total_vat", "total_with_vat"}
DATE_FIELDS = {"issue_date", "due_date"}
TOLERANCE = Decimal("0.005")


def layout_of(path: Path) -> str:
    return path.stem.rsplit("_", 1)[0]


def split_of(path: Path) -> str:
    return json.loads(path.read_text(encoding="utf-8")).get("split", "tune")


# ------------------------------------------------------------------ normalisation


def _empty(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, list | tuple) and not v)


def _text(v) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(v))).casefold()


def _ident(v) -> str:
    s = re.sub(r"[^0-9A-Za-z]", "", unicodedata.normalize("NFKC", str(v))).upper()
    if s.startswith("CHE"):  # Swiss numbers are printed with a TVA/MWST/IVA suffix
        s = re.sub(r"(TVA|MWST|IVA)$", "", s)
    return s


def _number(v) -> Decimal | None:
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, int | float | Decimal):
        return Decimal(str(v))
    s = re.sub(r"[^\d,.\-]", "", str(v))
    if "," in s and "." not in s:
        s = s.replace(",", ".")
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


def _date(v) -> str:
    if hasattr(v, "isoformat"):
        v = v.isoformat()
    return str(v).strip()[:10]


def _get(obj, key):
    if isinstance(obj, dict):
        return obj.get(key)
    return getattr(obj, key, None)


def _close(a, b) -> bool:
    x, y = _number(a), _number(b)
    return x is not None and y is not None and abs(x - y) <= TOLERANCE


def _breakdown_equal(exp, got) -> bool:
    if not isinstance(got, list | tuple) or len(exp) != len(got):
        return False
    key = lambda e: _number(_get(e, "rate")) or Decimal(-1)  # noqa: E731
    for e, g in zip(sorted(exp, key=key), sorted(got, key=key), strict=True):
        if not all(_close(_get(e, k), _get(g, k)) for k in ("rate", "base", "amount")):
            return False
    return True


def compare(field: str, exp, got) -> str:
    """'ok', 'missing' (expected a value, got none), 'spurious' (expected none), or 'wrong'."""
    if _empty(exp):
        return "ok" if _empty(got) else "spurious"
    if _empty(got):
        return "missing"
    if field in NUM_FIELDS:
        same = _close(exp, got)
    elif field in DATE_FIELDS:
        same = _date(exp) == _date(got)
    elif field in ID_FIELDS:
        same = _ident(exp) == _ident(got)
    elif field == "vat_breakdown":
        same = _breakdown_equal(exp, got)
    else:
        same = _text(exp) == _text(got)
    return "ok" if same else "wrong"


# ------------------------------------------------------------------ reading


@functools.cache
def result_for(json_path: Path) -> dict:
    """Reads the PDF beside json_path; returns expected, got, per-field verdicts and any error."""
    from jalon.formats.extract import read_invoice, to_json

    expected = json.loads(json_path.read_text(encoding="utf-8"))
    pdf = json_path.with_suffix(".pdf")
    got, error = {}, None
    try:
        res = read_invoice(pdf.read_bytes())
        error = getattr(res, "error", None)
        if getattr(res, "invoice", None) is not None:
            got = to_json(res.invoice) or {}
    except Exception as exc:  # a crash is measured as a document with every field missed
        error = f"{type(exc).__name__}: {exc}"
    verdicts = {f: compare(f, expected.get(f), got.get(f)) for f in FIELDS}
    return {
        "file": pdf.name,
        "layout": layout_of(json_path),
        "split": expected.get("split", "tune"),
        "expected": expected,
        "got": got,
        "error": str(error) if error else None,
        "verdicts": verdicts,
    }


def _severity(field: str, verdict: str, exp, got) -> float:
    if verdict == "wrong":
        if field in NUM_FIELDS:
            x, y = _number(exp), _number(got)
            rel = float(abs(x - y) / max(abs(x), Decimal(1))) if x is not None and y is not None else 1.0
            return 3 + min(rel, 1.0)
        return 2.5 if field in ID_FIELDS | DATE_FIELDS | {"invoice_number", "doc_type", "currency"} else 2
    if verdict == "missing":
        return 1.5 if field in NUM_FIELDS | DATE_FIELDS | {"invoice_number"} else 1
    return 0.5  # spurious


def _short(v, n=60) -> str:
    s = json.dumps(v, ensure_ascii=False, default=str)
    return s if len(s) <= n else s[: n - 1] + "…"


def printed_value(r: dict, field: str) -> bool:
    return not _empty(r["expected"].get(field))


def summarise(results: list[dict]) -> dict:
    """Aggregate figures of one split: overall, per field (with verdict counts), per layout, misses."""
    per_field = {f: defaultdict(int) for f in FIELDS}
    per_layout = defaultdict(lambda: [0, 0, 0])  # ok fields, fields, documents
    misses = []
    for r in results:
        per_layout[r["layout"]][2] += 1
        for f, v in r["verdicts"].items():
            per_field[f][v] += 1
            per_layout[r["layout"]][0] += v == "ok"
            per_layout[r["layout"]][1] += 1
            if v != "ok":
                exp, got = r["expected"].get(f), r["got"].get(f)
                misses.append(
                    {
                        "file": r["file"],
                        "field": f,
                        "verdict": v,
                        "expected": exp,
                        "got": got,
                        "severity": _severity(f, v, exp, got),
                    }
                )
    n = len(results)
    overall = sum(c["ok"] for c in per_field.values()) / (n * len(FIELDS)) if n else 0.0
    misses.sort(key=lambda m: (-m["severity"], m["file"], m["field"]))
    printed = {f: sum(1 for r in results if not _empty(r["expected"].get(f))) for f in FIELDS}
    found = {f: sum(1 for r in results if r["verdicts"][f] == "ok" and printed_value(r, f)) for f in FIELDS}
    return {
        "n": n,
        "overall": overall,
        "per_field": per_field,
        "per_layout": per_layout,
        "printed": printed,
        "found": found,
        "errors": sum(1 for r in results if r["error"]),
        "misses": misses,
    }


def report_lines(split: str, s: dict, show_misses: bool) -> list[str]:
    n = s["n"]
    errors = f", reader errors on {s['errors']} PDFs" if s["errors"] else ""
    head = f"  {'field':<18} {'accuracy':>8}  {'ok':>3} {'wrong':>5} {'missing':>7} {'spurious':>8}"
    lines = [
        "",
        f"Blind set 2, split {split!r}: {n} PDFs, {len(s['per_layout'])} layouts, "
        f"overall field accuracy {s['overall']:.1%}{errors}",
        head + "  found-when-printed",
    ]
    for f in FIELDS:
        c = s["per_field"][f]
        fwp = f"{s['found'][f]}/{s['printed'][f]}" if s["printed"][f] else "-"
        counts = f"{c['ok']:>3} {c['wrong']:>5} {c['missing']:>7} {c['spurious']:>8}"
        lines.append(f"  {f:<18} {c['ok'] / n:>8.1%}  {counts}  {fwp}")
    lines.append(f"  {'layout':<18} {'accuracy':>8}  docs")
    for lay, (ok, tot, docs) in sorted(s["per_layout"].items(), key=lambda kv: (kv[1][0] / kv[1][1], kv[0])):
        lines.append(f"  {lay:<18} {ok / tot:>8.1%}  {docs}")
    if show_misses:
        lines.append("  worst misses:")
        for m in s["misses"][:10]:
            exp, got = _short(m["expected"], 50), _short(m["got"], 50)
            lines.append(f"    {m['file']:<20} {m['field']:<18} {m['verdict']:<8} expected {exp}  got {got}")
    return lines


# ------------------------------------------------------------------ tests


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_blind2_document(case):
    """One PDF: read it and compare; asserts only the floor. Misses are printed for the tune split only."""
    if not case.with_suffix(".pdf").exists():
        pytest.skip(f"{case.with_suffix('.pdf').name} is missing")
    r = result_for(case)
    ok = sum(v == "ok" for v in r["verdicts"].values())
    if r["split"] == "tune":
        for f, v in r["verdicts"].items():
            if v != "ok":
                exp, got = _short(r["expected"].get(f)), _short(r["got"].get(f))
                print(f"{r['file']}: {f} {v}: expected {exp}, got {got}")
    assert ok / len(FIELDS) >= DOCUMENT_FLOORS[r["split"]]


def test_blind2_accuracy(capsys):
    """Both splits, each on its own: per-field and per-layout accuracy; the tune split's worst misses only."""
    present = [c for c in CASES if c.with_suffix(".pdf").exists()]
    missing = [c.with_suffix(".pdf").name for c in CASES if c not in present]
    if not present:
        pytest.skip("no invoice PDF found in tests/data/invoices_blind2/")
    results = [result_for(c) for c in present]
    summaries = {sp: summarise([r for r in results if r["split"] == sp]) for sp in SPLITS}

    lines = []
    if missing:
        lines += ["", f"Blind set 2: skipped, PDF missing: {', '.join(missing)}"]
    for sp in SPLITS:
        if summaries[sp]["n"]:
            lines += report_lines(sp, summaries[sp], show_misses=sp == "tune")
    with capsys.disabled():
        print("\n".join(lines))

    report = os.environ.get("JALON_BLIND2_REPORT")
    if report:
        out = {}
        for sp, s in summaries.items():
            n = s["n"] or 1
            out[sp] = {
                "overall": s["overall"],
                "per_field": {f: s["per_field"][f]["ok"] / n for f in FIELDS},
                "per_layout": {k: ok / tot for k, (ok, tot, _) in s["per_layout"].items()},
            }
        out["tune"]["misses"] = summaries["tune"]["misses"]
        Path(report).write_text(json.dumps(out, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    for sp in SPLITS:
        if summaries[sp]["n"]:
            assert summaries[sp]["overall"] >= FLOORS[sp], sp
