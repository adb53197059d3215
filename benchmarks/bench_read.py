"""Reading + checking figures: milliseconds per invoice for one-page text PDFs and for Factur-X PDFs, in a
process pool on every core (as the gateway runs it), and on one core.

Run: .venv/bin/python benchmarks/bench_read.py [--rounds 20] [--workers N]. Text PDFs come from
tests/data/invoices (one-page ones), Factur-X PDFs from ../shared/corpora/einvoice/examples/facturx-pdf
(skipped when the corpus is absent). Aim: < 8 ms per one-page text PDF and < 3 ms per Factur-X PDF, per
core. "CPU ms/invoice per core" is the workers' own CPU time per invoice: it holds on a machine shared with
other jobs, where wall-clock figures do not.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jalon.formats import rules  # noqa: E402
from jalon.formats.extract import read_invoice  # noqa: E402

SHARED = Path(os.environ.get("JALON_SHARED", ROOT.parent / "shared"))


def read_and_check(data: bytes) -> str:
    result = read_invoice(data)
    return rules.decision(rules.check_result(result))


def _warm(_: int) -> int:
    """Import and compile everything once per worker, as a long-running gateway worker has."""
    sample = next(iter(_inputs()["text"]), None)
    if sample:
        read_and_check(sample)
    return os.getpid()


def _inputs() -> dict[str, list[bytes]]:
    text = [
        p.read_bytes()
        for p in sorted((ROOT / "tests" / "data" / "invoices").glob("*.pdf"))
        if not p.name.startswith(("multipage", "scan"))
    ]
    facturx_dir = SHARED / "corpora" / "einvoice" / "examples" / "facturx-pdf"
    facturx = [p.read_bytes() for p in sorted(facturx_dir.glob("*.pdf"))] if facturx_dir.exists() else []
    return {"text": text, "facturx": facturx}


def one_core(files: list[bytes], rounds: int) -> float:
    for data in files:
        read_and_check(data)
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for data in files:
            read_and_check(data)
        samples.append((time.perf_counter() - start) / len(files))
    return statistics.median(samples) * 1000


def pool(files: list[bytes], rounds: int, workers: int) -> tuple[float, float]:
    """Wall ms per invoice with `workers` processes, and the CPU ms each invoice cost a worker (measured from
    the workers' own CPU time, so a machine shared with other jobs does not inflate it)."""
    work = files * rounds
    with ProcessPoolExecutor(max_workers=workers) as executor:
        list(executor.map(_warm, range(workers * 2)))
        before = _cpu_by_worker(executor, workers)
        start = time.perf_counter()
        list(executor.map(read_and_check, work, chunksize=8))
        elapsed = time.perf_counter() - start
        after = _cpu_by_worker(executor, workers)
    cpu = sum(after.values()) - sum(before.get(pid, 0.0) for pid in after)
    return elapsed / len(work) * 1000, cpu / len(work) * 1000


def _cpu(_: int) -> tuple[int, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    time.sleep(0.02)  # hold this worker so the next sample lands on another one
    return os.getpid(), usage.ru_utime + usage.ru_stime


def _cpu_by_worker(executor: ProcessPoolExecutor, workers: int) -> dict[int, float]:
    """CPU seconds used so far by each worker process."""
    latest: dict[int, float] = {}
    for pid, seconds in executor.map(_cpu, range(workers * 4)):
        latest[pid] = max(seconds, latest.get(pid, 0.0))
    return latest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    inputs = _inputs()
    print(f"reading + checking, {args.workers} worker processes, {args.rounds} rounds")
    for kind, aim in (("text", 8.0), ("facturx", 3.0)):
        files = inputs[kind]
        if not files:
            print(f"  {kind:8s} skipped: no input files")
            continue
        single = one_core(files, max(3, args.rounds // 4))
        wall, per_core = pool(files, args.rounds, args.workers)  # per_core: worker CPU ms per invoice
        print(
            f"  {kind:8s} {len(files):3d} files: one core {single:6.2f} ms/invoice | pool: {wall:6.2f} "
            "ms/invoice "
            f"wall, {per_core:6.2f} CPU ms/invoice per core, {1000 / wall:7.0f} invoices/s "
            f"(aim < {aim:.0f} ms per core)"
        )


if __name__ == "__main__":
    main()
