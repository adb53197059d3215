"""Reply classifier on blind sets: replies written without seeing its code or phrase lists (see each README).

Set 1 (replies_blind, 320 replies), set 3 (replies_blind3, 200 replies, written later by another hand) and
set 4 (replies_blind4, 200 replies, by a third) are each split in halves: `tune` may be read and learnt from,
`final` is measured only.

Prints, per split, the intent accuracy, the confusion matrix and the field scores; run with `-s` to see them.
Only a floor is asserted, so that the figures are measured without failing the build.
"""

from __future__ import annotations

import csv
import datetime as dt
import email
from collections import Counter
from email import policy
from email.message import Message
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from jalon.handlers.replies import analyze_reply

SETS = Path(__file__).resolve().parent / "data"
# set -> (replies, per split, at least per intent)
SIZES = {"replies_blind": (320, 160, 20), "replies_blind3": (200, 100, 16), "replies_blind4": (200, 100, 20)}
INTENTS = (
    "not_received",
    "resend_request",
    "missing_info",
    "dispute",
    "promise_to_pay",
    "paid",
    "contact_change",
    "acknowledged",
    "question",
    "other",
)
SHORT = {
    "not_received": "nrec",
    "resend_request": "resd",
    "missing_info": "miss",
    "dispute": "disp",
    "promise_to_pay": "prom",
    "paid": "paid",
    "contact_change": "cont",
    "acknowledged": "ackn",
    "question": "ques",
    "other": "othr",
}
# tune: what the classifier reaches on it less a margin (set 1: 99.4 %, tuned and trained on it; set 3: 93 %,
# tuned on with general phrases, not trained on); final: never tuned on nor read, its figure is the honest one
# (set 1: 85.0 %, set 3: 84 %, set 4: 82 % before its tune round, 83 % after), and its floor leaves room for
# noise. Set 4 (replies_blind4, written by yet another hand) tune: 79 % before general fixes, 90 % after.
# Since 2026-11-29 the reply model also learns from the tune splits of sets 3 and 4 (set 1's already): their
# tune figures are learnt-on figures (set 3 94 %, set 4 97 %); finals 85.6 -> 86.2, 84 -> 83, 83 -> 84 %.
FLOOR = {
    ("replies_blind", "tune"): 0.95,
    ("replies_blind", "final"): 0.70,
    ("replies_blind3", "tune"): 0.89,
    ("replies_blind3", "final"): 0.80,
    ("replies_blind4", "tune"): 0.86,
    ("replies_blind4", "final"): 0.76,
}


def rows_of(blind_set: str, split: str) -> list[dict[str, str]]:
    """The labelled rows of one split."""
    with open(SETS / blind_set / "labels.csv", newline="", encoding="utf-8") as fh:
        return [row for row in csv.DictReader(fh) if row["split"] == split]


def parse(blind_set: str, name: str) -> Message:
    """One reply, parsed as the gateway parses mail."""
    return email.message_from_bytes((SETS / blind_set / name).read_bytes(), policy=policy.default)


def text_of(value: object) -> str:
    """An intent or field as plain text, whether it is a string, an enum, a date or None."""
    if value is None:
        return ""
    value = getattr(value, "value", value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def missing_of(value: object) -> set[str]:
    """The `missing` field as a set of names, whatever collection it comes in."""
    if not value:
        return set()
    if isinstance(value, str):
        value = value.replace(",", ";").split(";")
    return {text_of(v) for v in value if text_of(v)}


def matrix(confusion: Counter[tuple[str, str]], predicted: list[str]) -> str:
    """Gold intents down, predicted intents across."""
    columns = list(INTENTS) + sorted(set(predicted) - set(INTENTS))
    head = "gold \\ got".ljust(16) + "".join(SHORT.get(c, c[:9]).rjust(10) for c in columns)
    lines = [head]
    for gold in INTENTS:
        cells = "".join(str(confusion[(gold, c)] or ".").rjust(10) for c in columns)
        lines.append(gold.ljust(16) + cells)
    return "\n".join(lines)


@pytest.mark.parametrize("split", ["tune", "final"])
@pytest.mark.parametrize("blind_set", sorted(SIZES))
def test_blind_reply_intents(blind_set: str, split: str) -> None:
    """Per split of each blind set, the share of replies given the right primary intent meets the floor."""
    rows = rows_of(blind_set, split)
    assert rows, f"no rows for split {split}"
    confusion: Counter[tuple[str, str]] = Counter()
    predicted, misses = [], []
    fields = Counter()
    for row in rows:
        message = parse(blind_set, row["file"])
        received_at = parsedate_to_datetime(message["Date"])
        try:
            result = analyze_reply(message, received_at=received_at)
            got = text_of(result.intent)
        except Exception as exc:  # a crash is a miss; it must not hide the other replies
            result, got = None, f"error:{type(exc).__name__}"
        predicted.append(got)
        confusion[(row["intent"], got)] += 1
        if got != row["intent"]:
            misses.append((row["file"], row["intent"], got))
        if result is None:
            continue
        if row["promised_date"]:
            fields["promised_date/total"] += 1
            got_date = text_of(getattr(result, "promised_date", None))
            fields["promised_date/right"] += got_date == row["promised_date"]
        if row["new_contact"]:
            fields["new_contact/total"] += 1
            got_contact = text_of(getattr(result, "new_contact", None)).lower()
            fields["new_contact/right"] += got_contact == row["new_contact"].lower()
        if row["missing"]:
            fields["missing/total"] += 1
            got_missing = missing_of(getattr(result, "missing", None))
            fields["missing/right"] += got_missing == set(row["missing"].split(";"))
    right = sum(n for (gold, got), n in confusion.items() if gold == got)
    accuracy = right / len(rows)
    print(f"\n[{blind_set}, {split}] intent accuracy {right}/{len(rows)} = {accuracy:.1%}")
    for gold in INTENTS:
        total = sum(n for (g, _), n in confusion.items() if g == gold)
        print(f"  {gold:16s} {confusion[(gold, gold)]:3d}/{total:<3d}")
    for name in ("promised_date", "new_contact", "missing"):
        total = fields[f"{name}/total"]
        if total:
            print(f"  field {name:14s} {fields[f'{name}/right']}/{total} right (on replies labelled with it)")
    print(matrix(confusion, predicted))
    if split == "tune":  # the final split's misses stay unread until the last measurement
        for name, gold, got in misses:
            print(f"  miss {name}: {gold} -> {got}")
    assert accuracy >= FLOOR[(blind_set, split)]


@pytest.mark.parametrize("blind_set", sorted(SIZES))
def test_blind_set_is_complete(blind_set: str) -> None:
    """Each blind set holds its parseable replies, all labelled, split in equal halves, enough per intent."""
    total, half, per_intent_at_least = SIZES[blind_set]
    with open(SETS / blind_set / "labels.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    files = sorted(p.name for p in (SETS / blind_set).glob("*.eml"))
    assert sorted(r["file"] for r in rows) == files and len(files) == total
    assert Counter(r["split"] for r in rows) == {"tune": half, "final": half}
    per_intent = Counter(r["intent"] for r in rows)
    assert set(per_intent) == set(INTENTS) and min(per_intent.values()) >= per_intent_at_least
    for row in rows:
        message = parse(blind_set, row["file"])
        assert parsedate_to_datetime(message["Date"]).tzinfo is not None
        assert message.get_body(preferencelist=("plain", "html")) is not None
        if row["promised_date"]:
            assert row["intent"] == "promise_to_pay"
            assert dt.date.fromisoformat(row["promised_date"]) > parsedate_to_datetime(message["Date"]).date()
