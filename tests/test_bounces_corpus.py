"""On 786 real bounces, auto-replies and complaints: bounces found, failed address and hard/soft right."""

from __future__ import annotations

import csv
import re
from collections import OrderedDict
from pathlib import Path

import pytest
from conftest import corpus

from jalon.handlers.classify import Classification, classify

DETECTED = ("bounce", "delay")  # a delay warning is a bounce notice that is not final yet


MBOX_SEPARATOR = re.compile(rb"\nFrom \S+ +\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\n")


def first_message(raw: bytes) -> bytes:
    """Two corpus files are mbox files holding two messages (README): the first one is the sample."""
    if not raw.startswith(b"From "):
        return raw
    body = raw.split(b"\n", 1)[1]
    found = MBOX_SEPARATOR.search(body)
    return body[: found.start() + 1] if found else body


def addresses_of(result: Classification) -> set[str]:
    found = set()
    for recipient in result.recipients:
        for key in ("address", "original_recipient"):
            if recipient.get(key):
                found.add(str(recipient[key]).lower())
    return found


def recipient_for(result: Classification, expected: set[str]) -> dict:
    for recipient in result.recipients:
        if expected & {str(recipient.get(k) or "").lower() for k in ("address", "original_recipient")}:
            return recipient
    return result.recipients[0] if result.recipients else {}


@pytest.fixture(scope="module")
def scored() -> dict:
    root = corpus("bounces")
    rows = list(csv.DictReader((root / "manifest.csv").open(encoding="utf-8")))
    files: OrderedDict[str, list[dict]] = OrderedDict()
    for row in rows:
        files.setdefault(row["file"], []).append(row)
    results = {name: classify(first_message((root / name).read_bytes())) for name in files}
    return {"files": files, "results": results}


def test_bounces_are_detected_with_the_right_address_and_hardness(scored: dict) -> None:
    """As the gateway, I recognise nearly every real bounce, name the address that failed, and tell an address
    that is dead (hard) from a failure that may pass (soft), as the labelled corpus says."""
    files, results = scored["files"], scored["results"]
    bounces = [name for name, rows in files.items() if rows[0]["kind"] == "bounce"]
    detected = [name for name in bounces if results[name].kind in DETECTED]
    address_rows = address_right = 0
    hardness_rows = hardness_right = strict_rows = strict_right = 0
    for name in bounces:
        result = results[name]
        for row in files[name]:
            expected = {row["expected_recipient"].lower(), row["original_recipient"].lower()} - {""}
            if expected and result.kind in DETECTED:
                address_rows += 1
                address_right += bool(expected & addresses_of(result))
            if row["hard_or_soft"] in ("hard", "soft"):
                hard = bool(recipient_for(result, expected).get("hard")) and result.kind in DETECTED
                agrees = ("hard" if hard else "soft") == row["hard_or_soft"]
                hardness_rows += 1
                hardness_right += agrees
                if not name.startswith("err/"):  # err/ labels are one tool's machine output (README)
                    strict_rows += 1
                    strict_right += agrees
    detection = len(detected) / len(bounces)
    address = address_right / address_rows
    hardness = hardness_right / hardness_rows
    strict = strict_right / strict_rows
    missed = sorted(set(bounces) - set(detected))
    print(
        f"\nbounce corpus: detected {len(detected)}/{len(bounces)} = {detection:.1%}; "
        f"failed address right {address_right}/{address_rows} = {address:.1%}; "
        f"hard/soft agrees {hardness_right}/{hardness_rows} = {hardness:.1%} "
        f"(without err/ machine labels {strict_right}/{strict_rows} = {strict:.1%}); missed: {missed}"
    )
    assert detection >= 0.97
    assert address >= 0.99
    assert hardness >= 0.95


def test_no_autoreply_complaint_or_success_report_is_taken_for_a_bounce(scored: dict) -> None:
    """As the gateway, I never treat an out-of-office, a spam complaint or a delivery success as a bounce:
    that    would mark a good contact as failing."""
    files, results = scored["files"], scored["results"]
    wrong = {
        name: results[name].kind
        for name, rows in files.items()
        if rows[0]["kind"] in ("autoreply", "feedback", "other") and results[name].kind in DETECTED
    }
    print(f"\nnon-bounces taken for bounces: {wrong or 'none'}")
    assert wrong == {}


def test_complaints_and_successes_are_recognised_as_such(scored: dict) -> None:
    """As sales administration, I see a spam complaint as feedback and a success DSN as delivered."""
    files, results = scored["files"], scored["results"]
    feedback = [name for name, rows in files.items() if rows[0]["kind"] == "feedback"]
    successes = [name for name, rows in files.items() if rows[0]["expected_reason"] == "delivered"]
    assert feedback and successes
    assert {results[name].kind for name in feedback} == {"feedback"}
    assert {results[name].kind for name in successes} == {"delivered"}


def test_the_corpus_reads_without_errors(scored: dict) -> None:
    """As an operator, I expect no reader to fail on real mail: every message is classified or set aside."""
    errors = {
        name: r.evidence
        for name, r in scored["results"].items()
        if any("errors:" in str(e) for e in r.evidence)
    }
    assert errors == {}
    assert all(Path(name).suffix in (".eml", ".txt") for name in scored["files"])
