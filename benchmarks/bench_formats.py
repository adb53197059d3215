"""Format figures, per core after warm-up: ms per invoice for each writer (CII per profile, UBL, Peppol,
EDIFACT, cXML, GS1, Factur-X embedding, PDF/A-3 conversion by Ghostscript), for reading embedded XML, and
for official validation per rule set (XSD and each Schematron), plus the one-time stylesheet compile cost.

Run: .venv/bin/python benchmarks/bench_formats.py [--rounds 30]. Invoices are the team's hand-made ones
(tests/test_formats_write_samples.py) and the corpus examples when ../shared/corpora is present.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from test_formats_write_samples import billing_tool_pdf, samples  # noqa: E402

from jalon.formats import cii, cxml, edifact, facturx, gs1, pdfa, ubl, validation, xmlsafe  # noqa: E402


def per_item(function: Callable[[object], object], items: list, rounds: int) -> tuple[float, float]:
    """(median, p90) milliseconds per item over `rounds` passes, after one warm-up pass."""
    for item in items:
        function(item)
    timings = []
    for _ in range(rounds):
        for item in items:
            start = time.perf_counter()
            function(item)
            timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.9) - 1]


def show(label: str, figures: tuple[float, float]) -> None:
    median, p90 = figures
    print(f"  {label:<44} {median:8.2f} ms   (p90 {p90:7.2f} ms)   {1000 / median:8.0f} /s per core")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    invoices = list(samples().values())
    rounds = args.rounds

    print(f"writers ({len(invoices)} hand-made invoices, one core)")
    writers: dict[str, Callable[[object], bytes]] = {
        "CII EN16931": lambda i: cii.write_cii(i, profile="EN16931"),
        "CII BASIC-WL (Factur-X level, pruned)": lambda i: cii.write_cii(i, profile="BASIC-WL"),
        "CII EXTENDED-CTC-FR": lambda i: cii.write_cii(i, profile="EXTENDED-CTC-FR"),
        "UBL 2.1": lambda i: ubl.write_ubl(i),
        "Peppol BIS 3": lambda i: ubl.write_ubl(i, peppol=True),
        "EDIFACT D96A EANCOM": edifact.write_edifact,
        "cXML InvoiceDetailRequest": cxml.write_cxml,
        "GS1 XML": gs1.write_gs1,
    }
    for label, write in writers.items():
        show(label, per_item(write, invoices, rounds))

    pdfs = {id(i): billing_tool_pdf(i) for i in invoices}
    made: list[bytes] = []
    if pdfa.ghostscript():
        converted = {key: pdfa.to_pdfa3(pdf) for key, pdf in pdfs.items()}
        show(
            "PDF/A-3 conversion (Ghostscript, 1 page)",
            per_item(lambda i: pdfa.to_pdfa3(pdfs[id(i)]), invoices, 2),
        )
        show(
            "Factur-X embed into a PDF/A-3 (incremental update)",
            per_item(
                lambda i: facturx.write_facturx(i, converted[id(i)], convert=False),
                invoices,
                rounds // 3 or 1,
            ),
        )
        made = [facturx.write_facturx(i, converted[id(i)], convert=False) for i in invoices]
        show("read embedded XML back (PDFium + xmlsafe)", per_item(facturx.embedded_xml, made, rounds))
        # check_pdfa3 remembers the answer for bytes it has seen: the audit itself is timed here
        audit = lambda pdf: pdfa._audit(pdf, facturx=True)  # noqa: E731
        show("PDF/A-3 audit (pdfa.check_pdfa3)", per_item(audit, made, rounds))
    else:
        print("  (Ghostscript missing: PDF/A-3 and Factur-X figures skipped)")

    print("\nofficial validation per rule set (one core, stylesheets compiled once per process)")
    documents = {
        "cii": [xmlsafe.parse(cii.write_cii(i, profile="EN16931", french=True)) for i in invoices],
        "ctc": [xmlsafe.parse(cii.write_cii(i, profile="EXTENDED-CTC-FR")) for i in invoices],
        "ubl": [xmlsafe.parse(ubl.write_ubl(i, peppol=True)) for i in invoices if i.doc_type == "invoice"],
        "fx-basicwl": [xmlsafe.parse(cii.write_cii(i, profile="BASIC-WL")) for i in invoices],
        "fx-extended": [xmlsafe.parse(cii.write_cii(i, profile="EXTENDED")) for i in invoices],
    }
    sets = [
        ("cii-d16b", "cii", "xsd"), ("fx-en16931", "cii", "xsd"), ("ubl-inv", "ubl", "xsd"),
        ("EN16931-CII", "cii", "sch"), ("EN16931-UBL", "ubl", "sch"), ("PEPPOL-UBL", "ubl", "sch"),
        ("FX-basicwl", "fx-basicwl", "sch"), ("FX-en16931", "cii", "sch"),
        ("FX-extended", "fx-extended", "sch"),
        ("BR-FR-CII", "cii", "sch"), ("EXT-CTC-FR-CII", "ctc", "sch"),
    ]  # fmt: skip
    for name, corpus_key, kind in sets:
        if not validation.available(name):
            print(f"  {name:<44} not installed here")
            continue
        start = time.perf_counter()
        if kind == "sch":
            validation.warm_up([name])
        compile_ms = (time.perf_counter() - start) * 1000
        run = validation.run_xsd if kind == "xsd" else validation.run_rules
        figures = per_item(lambda root, run=run, name=name: run(root, name), documents[corpus_key], rounds)
        show(f"{name} ({kind.upper()})", figures)
        if kind == "sch":
            print(f"  {'':<44} compile once: {compile_ms:7.0f} ms")
    if pdfa.ghostscript():
        show("validate(): Factur-X PDF, every layer", per_item(validation.validate, made, 3))


if __name__ == "__main__":
    main()
