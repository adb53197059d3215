"""Classification throughput on the bounce corpus, one core: jalon's classify next to flufl.bounce on the same
files in the same run, each parsing the raw bytes itself (flufl.bounce through the email package's compat32
parser, jalon through its own parser that builds the same tree), with the accuracy of each beside it.

Run: .venv/bin/python benchmarks/bench_classify.py [--rounds 7]. Files: ../shared/corpora/bounces (every
message of the manifest). flufl.bounce only says "these addresses failed"; jalon also reads delivery reports,
read receipts, auto-replies, complaints, hard/soft and correlation keys. Aim: faster than flufl.bounce while
far more accurate. The process is pinned to one CPU; rounds alternate between the two so that both see the
same machine load; each figure is the median of the rounds, after a warm-up round.
"""

from __future__ import annotations

import argparse
import csv
import email
import email.policy
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jalon.handlers.classify import classify  # noqa: E402

SHARED = Path(os.environ.get("JALON_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpora" / "bounces"


def pin_to_one_cpu() -> int | None:
    """Run on one CPU only (Linux), so that the figures are one core's and the process does not migrate."""
    try:
        cpu = max(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
    except (AttributeError, OSError):
        return None
    return cpu


def flufl_failures(raw: bytes) -> set[str]:
    from flufl.bounce import all_failures

    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    try:
        permanent, temporary = all_failures(message)
    except Exception:  # flufl's detectors raise on some broken messages
        return set()
    return {a.decode("utf-8", "replace") if isinstance(a, bytes) else str(a) for a in permanent | temporary}


def jalon_failures(raw: bytes) -> set[str]:
    result = classify(raw)
    if result.kind not in ("bounce", "delay"):
        return set()
    return {str(r.get(k)) for r in result.recipients for k in ("address", "original_recipient") if r.get(k)}


def throughputs(
    functions: dict[str, Callable[[bytes], object]], files: list[bytes], rounds: int
) -> dict[str, float]:
    """Messages per second of each function, rounds interleaved so that both see the same machine load."""
    for function in functions.values():  # warm-up: imports, compiled patterns
        for raw in files:
            function(raw)
    samples: dict[str, list[float]] = {label: [] for label in functions}
    for _ in range(rounds):
        for label, function in functions.items():
            start = time.perf_counter()
            for raw in files:
                function(raw)
            samples[label].append(len(files) / (time.perf_counter() - start))
    return {label: statistics.median(values) for label, values in samples.items()}


Rows = dict[str, list[dict]]


def accuracy(function: Callable[[bytes], set[str]], rows: Rows, files: dict[str, bytes]) -> str:
    """Bounce messages found, and failed addresses right among those (expected or original recipient)."""
    bounces = [name for name, group in rows.items() if group[0]["kind"] == "bounce"]
    found = right = total = 0
    for name in bounces:
        addresses = {a.lower() for a in function(files[name])}
        if not addresses:
            continue
        found += 1
        for row in rows[name]:
            expected = {row["expected_recipient"].lower(), row["original_recipient"].lower()} - {""}
            if expected:
                total += 1
                right += bool(expected & addresses)
    share = found / len(bounces)
    return f"found {found}/{len(bounces)} = {share:.1%}, address right {right / max(total, 1):.1%}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    cpu = pin_to_one_cpu()
    if not (CORPUS / "manifest.csv").exists():
        print(f"bounce corpus not found at {CORPUS} (set JALON_SHARED)")
        return 1
    rows: Rows = {}
    for row in csv.DictReader((CORPUS / "manifest.csv").open(encoding="utf-8")):
        rows.setdefault(row["file"], []).append(row)
    files = {name: (CORPUS / name).read_bytes() for name in rows}
    corpus = list(files.values())
    where = f"pinned to CPU {cpu}" if cpu is not None else "one thread"
    print(f"bounce corpus: {len(corpus)} messages, {sum(map(len, corpus)) / 1e6:.1f} MB, one core ({where})")
    rates = throughputs(
        {"flufl.bounce all_failures": flufl_failures, "jalon classify": classify}, corpus, args.rounds
    )
    for label, rate in rates.items():
        print(f"  {label:<26} {rate:8.0f} messages/s  ({1000 / rate:.2f} ms/message)")
    ratio = rates["jalon classify"] / rates["flufl.bounce all_failures"]
    print(f"  {'jalon / flufl.bounce':<26} {ratio:8.2f}x")
    print("accuracy on the bounce messages (a message counts as found when it names a failed address):")
    print(f"  {'flufl.bounce':<26} {accuracy(flufl_failures, rows, files)}")
    print(f"  {'jalon':<26} {accuracy(jalon_failures, rows, files)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
