"""`make bench`: run every benchmark script of this folder in turn and let each print its figures."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Cheap and central first; the long ones last.
ORDER = (
    "bench_intake",
    "bench_read",
    "bench_classify",
    "bench_replies",
    "bench_formats",
    "bench_tick",
    "bench_imap",
    # The straightforward pipeline of the same libraries, just before bench_pipeline: the aim is a ratio
    # between the two, measured on the same machine at the same time.
    "bench_baseline",
    "bench_pipeline",
)


def scripts() -> list[Path]:
    found = {p.stem: p for p in HERE.glob("bench_*.py")}
    ordered = [found.pop(name) for name in ORDER if name in found]
    return ordered + sorted(found.values())


def main(argv: list[str]) -> int:
    wanted = set(argv)
    failures = []
    for script in scripts():
        if wanted and script.stem not in wanted and script.stem.removeprefix("bench_") not in wanted:
            continue
        print(f"\n=== {script.stem} " + "=" * (70 - len(script.stem)), flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(script)], cwd=HERE.parent)
        print(f"--- {script.stem}: {time.perf_counter() - started:.1f} s", flush=True)
        if result.returncode:
            failures.append(script.stem)
    if failures:
        print(f"\nfailed: {', '.join(failures)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
