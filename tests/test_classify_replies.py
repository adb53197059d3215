"""Customer replies, whatever their client and language, are replies: never bounces or auto-replies."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from conftest import corpus

from jalon.handlers.classify import classify

DOMAIN = "acme-industrie.fr"
TO_REPLY = f"reply+AbCdEfGh12345678@{DOMAIN}"
LABELLED = Path(__file__).parent / "data" / "replies"


def as_message(body: bytes, content_type: str) -> bytes:
    """A bare reply body (the upstream fixtures are bodies only), sent back in one of our threads."""
    return (
        f"From: Client <client@example.fr>\nTo: {TO_REPLY}\nSubject: Re: Facture FA-2025-0001\n"
        f"In-Reply-To: <jalon.AbCdEfGh12345678@{DOMAIN}>\nMIME-Version: 1.0\n"
        f"Content-Type: {content_type}; charset=utf-8\n\n"
    ).encode() + body


def test_public_reply_fixtures_are_replies() -> None:
    """As the gateway, the 263 reply fixtures of open-source reply parsers (many clients and languages, quoted
    originals, signatures, HTML) are answers from people."""
    root = corpus("replies")
    kinds: Counter[str] = Counter()
    wrong = []
    for row in csv.DictReader((root / "manifest.csv").open(encoding="utf-8")):
        data = (root / row["file"]).read_bytes()
        if row["format"] != "eml":
            data = as_message(data, "text/html" if row["format"] == "html" else "text/plain")
        result = classify(data, rcpt_tos=[TO_REPLY], domain=DOMAIN)
        kinds[result.kind] += 1
        if result.kind != "reply":
            wrong.append((row["file"], result.kind, result.rules_hit))
    print(f"\nreply fixtures: {dict(kinds)}")
    assert wrong == []


def test_labelled_invoice_replies_are_replies() -> None:
    """As the gateway, every labelled customer answer to an invoice (tests/data/replies) is a reply, including
    "X no longer works here, write to me" and holiday mentions written by a person."""
    files = sorted(LABELLED.glob("*.eml"))
    assert files
    wrong = {f.name: classify(f.read_bytes()).kind for f in files}
    assert {name: kind for name, kind in wrong.items() if kind != "reply"} == {}
