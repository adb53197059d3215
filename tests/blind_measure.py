"""How the blind invoice sets rate the PDF reader: one PDF read and compared field by field, and the figures.

Shared by tests/test_formats_read_blind.py and tests/test_formats_read_blind2.py. Each field of
`jalon.formats.extract.READ_FIELDS` is compared: amounts within 0.005, identifiers without
spaces/dots/dashes, other strings without case or whitespace, dates as ISO strings, the VAT breakdown
rate by rate. A reader that raises counts as a document with every field missed.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from jalon.formats.extract import READ_FIELDS, read_invoice, to_json

FIELDS = READ_FIELDS
ID_FIELDS = {"seller_siren", "seller_siret", "seller_vat", "buyer_siren", "buyer_vat"}
NUM_FIELDS = {"total_without_vat", "total_vat", "total_with_vat"}
DATE_FIELDS = {"issue_date", "due_date"}
TOLERANCE = Decimal("0.005")


def layout_of(path: Path) -> str:
    return path.stem.rsplit("_", 1)[0]


# ------------------------------------------------------------------ normalisation


def empty(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, list | tuple) and not v)


def _text(v: Any) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(v))).casefold()


def _ident(v: Any) -> str:
    s = re.sub(r"[^0-9A-Za-z]", "", unicodedata.normalize("NFKC", str(v))).upper()
    if s.startswith("CHE"):  # Swiss numbers are printed with a TVA/MWST/IVA suffix
        s = re.sub(r"(TVA|MWST|IVA)$", "", s)
    return s


def _number(v: Any) -> Decimal | None:
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


def _date(v: Any) -> str:
    if hasattr(v, "isoformat"):
        v = v.isoformat()
    return str(v).strip()[:10]


def _get(obj: Any, key: str) -> Any:
    if isinstance(obj, dict):
        return obj.get(key)
    return getattr(obj, key, None)


def _close(a: Any, b: Any) -> bool:
    x, y = _number(a), _number(b)
    return x is not None and y is not None and abs(x - y) <= TOLERANCE


def _breakdown_equal(exp: Any, got: Any) -> bool:
    if not isinstance(got, list | tuple) or len(exp) != len(got):
        return False
    key = lambda e: _number(_get(e, "rate")) or Decimal(-1)  # noqa: E731
    for e, g in zip(sorted(exp, key=key), sorted(got, key=key), strict=True):
        if not all(_close(_get(e, k), _get(g, k)) for k in ("rate", "base", "amount")):
            return False
    return True


def compare(field: str, exp: Any, got: Any) -> str:
    """'ok', 'missing' (expected a value, got none), 'spurious' (expected none), or 'wrong'."""
    if empty(exp):
        return "ok" if empty(got) else "spurious"
    if empty(got):
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


# ------------------------------------------------------------------ reading and figures


def read_and_compare(json_path: Path) -> dict[str, Any]:
    """Reads the PDF beside json_path; returns expected, got, per-field verdicts and any error."""
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
        "expected": expected,
        "got": got,
        "error": str(error) if error else None,
        "verdicts": verdicts,
    }


def severity(field: str, verdict: str, exp: Any, got: Any) -> float:
    """How bad a miss is, for listing the worst first: a wrong amount worst, a spurious value least."""
    if verdict == "wrong":
        if field in NUM_FIELDS:
            x, y = _number(exp), _number(got)
            rel = float(abs(x - y) / max(abs(x), Decimal(1))) if x is not None and y is not None else 1.0
            return 3 + min(rel, 1.0)
        return 2.5 if field in ID_FIELDS | DATE_FIELDS | {"invoice_number", "doc_type", "currency"} else 2
    if verdict == "missing":
        return 1.5 if field in NUM_FIELDS | DATE_FIELDS | {"invoice_number"} else 1
    return 0.5  # spurious


def short(v: Any, n: int = 60) -> str:
    s = json.dumps(v, ensure_ascii=False, default=str)
    return s if len(s) <= n else s[: n - 1] + "…"


def print_misses(r: dict[str, Any]) -> None:
    """One line per field of one PDF that was not read right."""
    for f, v in r["verdicts"].items():
        if v != "ok":
            exp, got = short(r["expected"].get(f)), short(r["got"].get(f))
            print(f"{r['file']}: {f} {v}: expected {exp}, got {got}")


def summarise(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Aggregate figures: overall, per field (with verdict counts), per layout, misses worst first."""
    per_field: dict[str, dict[str, int]] = {f: defaultdict(int) for f in FIELDS}
    per_layout: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # ok fields, fields, documents
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
                        "severity": severity(f, v, exp, got),
                    }
                )
    n = len(results)
    overall = sum(c["ok"] for c in per_field.values()) / (n * len(FIELDS)) if n else 0.0
    misses.sort(key=lambda m: (-m["severity"], m["file"], m["field"]))
    printed = {f: sum(1 for r in results if not empty(r["expected"].get(f))) for f in FIELDS}
    found = {
        f: sum(1 for r in results if r["verdicts"][f] == "ok" and not empty(r["expected"].get(f)))
        for f in FIELDS
    }
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


def field_lines(s: dict[str, Any]) -> list[str]:
    """The per-field table of a summary: accuracy, verdict counts, found-when-printed."""
    head = f"  {'field':<18} {'accuracy':>8}  {'ok':>3} {'wrong':>5} {'missing':>7} {'spurious':>8}"
    lines = [head + "  found-when-printed"]
    for f in FIELDS:
        c = s["per_field"][f]
        fwp = f"{s['found'][f]}/{s['printed'][f]}" if s["printed"][f] else "-"
        counts = f"{c['ok']:>3} {c['wrong']:>5} {c['missing']:>7} {c['spurious']:>8}"
        lines.append(f"  {f:<18} {c['ok'] / s['n']:>8.1%}  {counts}  {fwp}")
    return lines
