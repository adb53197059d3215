"""Reply reading figures: customer replies analysed per second on one core (parse + quote stripping +
intent + facts, the model consulted when no phrase decides), in wall-clock time and in CPU time (the figure a
busy machine does not distort), the model's training time at first use, and the quote stripper's time on big
inputs, to show it stays linear.

Run: .venv/bin/python benchmarks/bench_replies.py [--rounds 5]. Replies come from tests/data/replies.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jalon.handlers.quotes import html_to_text, strip_quotes  # noqa: E402
from jalon.handlers.replies import analyze_reply, model  # noqa: E402

QUOTED_LINE = "> Veuillez trouver ci-joint la facture F-2025-0142 d'un montant de 1 250,00 EUR TTC.\n"
PLAIN_LINE = "Veuillez trouver ci-joint la facture F-2025-0142 d'un montant de 1 250,00 EUR TTC.\n"


def replies_per_second(rounds: int) -> tuple[int, float, float, int]:
    """(replies, per second wall-clock, per second of CPU, how many the model was consulted on)."""
    raws = [path.read_bytes() for path in sorted((ROOT / "tests" / "data" / "replies").glob("*.eml"))]
    consulted = 0
    for raw in raws:  # warm up: compile every pattern once, train the model once
        analysis = analyze_reply(email.message_from_bytes(raw, policy=email.policy.compat32))
        consulted += any(item.get("rule") == "model.naive_bayes" for item in analysis.evidence)
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(rounds):
        for raw in raws:
            analyze_reply(email.message_from_bytes(raw, policy=email.policy.compat32))
    elapsed, used = time.perf_counter() - start, time.process_time() - cpu
    return len(raws), len(raws) * rounds / elapsed, len(raws) * rounds / used, consulted


def timed(function, argument) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    function(argument)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    start = time.process_time()
    model.trained()
    print(f"reply model trained at first use in {time.process_time() - start:.2f} s of CPU")
    count, rate, cpu_rate, consulted = replies_per_second(args.rounds)
    print(
        f"analyze_reply on {count} labelled replies: {rate:,.0f} replies/s on one core wall-clock "
        f"({1000 / rate:.2f} ms each), {cpu_rate:,.0f} replies/s of CPU ({1000 / cpu_rate:.2f} ms each); "
        f"model consulted on {consulted}"
    )

    attribution = "Pas reçu.\n\nLe lun. 3 mars 2025 à 10:12, X <x@y.fr> a écrit :\n"
    outlook = "Pas reçu.\n\nDe : X\nEnvoyé : lundi\nÀ : Y\nObjet : Z\n\n"
    print("strip_quotes, seconds by input size (linear: 10x the input, about 10x the time):")
    for label, make in (
        ("top post over '>' quotes", lambda n: attribution + QUOTED_LINE * n),
        (
            "bottom post under '>' quotes",
            lambda n: attribution.split("\n\n")[1] + QUOTED_LINE * n + "\nPas reçu.\n",
        ),
        ("Outlook block, unquoted original", lambda n: outlook + PLAIN_LINE * n),
        ("no quote at all", lambda n: PLAIN_LINE * n),
        ("one 'De :' line repeated", lambda n: "De : x\n" * (n * 10)),
    ):
        small, big = make(12_000), make(120_000)
        t_small, t_big = timed(strip_quotes, small), timed(strip_quotes, big)
        print(
            f"  {label:34} {len(small) / 1e6:5.1f} MB {t_small:6.3f} s   {len(big) / 1e6:5.1f} MB "
            f"{t_big:6.3f} s"
        )
    html = "<p>Pas reçu</p><blockquote>" + "<p>ligne citée de la facture</p>" * 150_000 + "</blockquote>"
    print(f"html_to_text on {len(html) / 1e6:.1f} MB of HTML: {timed(html_to_text, html):.3f} s")


if __name__ == "__main__":
    main()
