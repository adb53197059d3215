"""Broken, hostile or huge messages are classified or set aside with a reason; classify never raises."""

from __future__ import annotations

import json
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jalon.handlers.classify import KINDS, Classification, classify

DATA = Path(__file__).parent / "data" / "bounces"
SAMPLES = sorted(DATA.glob("*.eml"))
DSN = (DATA / "postfix-user-unknown.eml").read_bytes()


def assert_sane(result: Classification) -> None:
    assert isinstance(result, Classification)
    assert result.kind in KINDS
    assert result.kind != "other" or result.reason
    assert not [e for e in result.evidence if str(e).startswith("errors:")], (
        result.evidence
    )  # no reader failed
    json.dumps(result.to_json(), ensure_ascii=False).encode("utf-8")  # storable and printable as is


def test_binary_garbage_is_set_aside_with_a_reason() -> None:
    """As an operator, random bytes arriving on the SMTP port end up as "other" with a reason, not a crash."""
    for raw in (b"", b"\x00\xff" * 5000, bytes(range(256)) * 40, b"\r\n\r\n", b"From \n"):
        result = classify(raw)
        assert_sane(result)
        assert result.kind == "other"


def test_a_text_file_about_bounces_is_not_a_mail() -> None:
    """As an operator, feeding `jalon classify` a document that is no mail (this project's README, which
    quotes bounce wording and addresses) gives "other: not a mail", never a bounce to act on."""
    readme = (Path(__file__).parent.parent / "README.md").read_bytes()
    text = b"Delivery to the following recipient failed permanently:\n\n    ap@client.example\n\n550 5.1.1"
    for raw in (readme, text):
        result = classify(raw)
        assert result.kind == "other" and "not a mail" in (result.reason or "")


def test_a_dsn_with_a_wrong_boundary_and_unknown_charset_is_still_read() -> None:
    """As the gateway, a DSN whose MIME boundary was rewritten and whose charset is unknown still gives the
    failed    address."""
    broken = DSN.replace(b'boundary="4WbX1K2LmDz9sT.1741770909/mx1.acme-industrie.fr"', b'boundary="nope"')
    broken = broken.replace(b"charset=utf-8", b"charset=x-unknown-charset-2000")
    result = classify(broken)
    assert result.kind == "bounce"
    assert result.recipients[0]["address"] == "m.durand@client-exemple.fr"


def test_undecodable_bytes_in_a_declared_charset_do_not_break_the_reading() -> None:
    """As the gateway, Latin-1 bytes in a part declared UTF-8 are read with replacements."""
    raw = DSN.replace(b"This is the mail system", "C'est le syst\xe8me".encode("latin-1"))
    result = classify(raw)
    assert result.kind == "bounce"


def test_ten_megabytes_of_quoted_text_is_classified_quickly() -> None:
    """As an operator, a reply quoting 10 MB of history is classified in a reasonable time, not in minutes."""
    quoted = b"> " + b"Lorem ipsum dolor sit amet, facture FA-2025-0001 consectetur. " * 40 + b"\n"
    raw = (
        b"From: client@example.fr\nTo: reply+AbCdEfGh1234@acme-industrie.fr\n"
        b"Subject: RE: Facture FA-2025-0001\n"
        b"In-Reply-To: <jalon.x@acme-industrie.fr>\nContent-Type: text/plain; charset=utf-8\n\n"
        b"Bonjour, bien recu, merci.\n\n" + quoted * (10_000_000 // len(quoted))
    )
    started = time.perf_counter()
    result = classify(raw, rcpt_tos=["reply+AbCdEfGh1234@acme-industrie.fr"], domain="acme-industrie.fr")
    assert_sane(result)
    assert result.kind == "reply"
    assert time.perf_counter() - started < 60  # a sanity bound against runaway regexes, not a benchmark


def test_a_long_run_of_blanks_after_the_word_invoice_does_not_stall_the_worker() -> None:
    """As an operator, a mail whose body has "facture" then thousands of spaces or blank lines (a badly
    printed form) is classified at once: before, the invoice-number search took minutes to hours on it."""
    for filler in (b" " * 6000, b"\n" * 3000, b" \t" * 3000):
        raw = (
            b"From: client@example.fr\nTo: factures@acme-industrie.fr\nSubject: RE: votre envoi\n"
            b"Content-Type: text/plain; charset=utf-8\n\nBonjour, la facture" + filler + b"x\n"
        )
        started = time.perf_counter()
        assert_sane(classify(raw, domain="acme-industrie.fr"))
        assert time.perf_counter() - started < 20  # a sanity bound against runaway regexes, not a benchmark


def test_a_bounce_nested_ten_deep_in_forwarded_messages_is_classified() -> None:
    """As the gateway, a message forwarded inside forwarded messages ten levels deep breaks nothing."""
    raw = DSN
    for level in range(10):
        raw = (
            (
                f"From: relay{level}@example.org\nTo: postmaster@acme-industrie.fr\n"
                f"Subject: Fwd: level {level}\n"
                f"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=L{level}\n\n--L{level}\n"
                f"Content-Type: text/plain\n\nforwarded\n--L{level}\nContent-Type: message/rfc822\n\n"
            ).encode()
            + raw
            + f"\n--L{level}--\n".encode()
        )
    result = classify(raw)
    assert_sane(result)


def test_absurdly_deep_nesting_is_set_aside_not_crashed() -> None:
    """As an operator, a message nested a thousand deep is refused politely."""
    raw = b"Content-Type: message/rfc822\n\n" * 1000 + b"Subject: x\n\nbody\n"
    assert_sane(classify(raw))


def mutate(data: bytes, cuts: list[tuple[int, int, bytes]]) -> bytes:
    for position, length, insert in cuts:
        position %= max(len(data), 1)
        data = data[:position] + insert + data[position + length :]
    return data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sample=st.sampled_from(SAMPLES),
    cuts=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=20_000),
            st.integers(min_value=0, max_value=400),
            st.sampled_from(
                [
                    b"",
                    b"\n",
                    b"--",
                    b"\r\n\r\n",
                    b"Content-Type: multipart/mixed; boundary=x\n",
                    b"=?utf-8?b?////?=",
                    b"\xff\xfe\x00",
                    b"Final-Recipient: rfc822;\n",
                    b"Action:\n",
                    b"Content-Transfer-Encoding: base64\n",
                    b'charset="nope"',
                    b">" * 50,
                ]
            ),
        ),
        max_size=6,
    ),
)
def test_mutated_real_messages_never_crash_classify(sample: Path, cuts: list[tuple[int, int, bytes]]) -> None:
    """As an operator, whatever a broken relay does to a real message, classify returns a classification."""
    assert_sane(
        classify(
            mutate(sample.read_bytes(), cuts),
            rcpt_tos=["bounces+AbCdEfGh1234@acme-industrie.fr"],
            domain="acme-industrie.fr",
        )
    )


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=4000))
def test_random_bytes_never_crash_classify(raw: bytes) -> None:
    """As an operator, arbitrary bytes never raise out of classify."""
    assert_sane(classify(raw))


@settings(max_examples=100, deadline=None)
@given(
    headers=st.dictionaries(
        st.sampled_from(
            [
                "From",
                "Subject",
                "Content-Type",
                "Auto-Submitted",
                "To",
                "X-Failed-Recipients",
                "Return-Path",
                "In-Reply-To",
            ]
        ),
        st.text(max_size=80),
    ),
    body=st.text(max_size=2000),
)
def test_random_headers_and_text_never_crash_classify(headers: dict[str, str], body: str) -> None:
    """As an operator, any mix of odd headers and text is classified without an exception."""
    raw = "".join(f"{name}: {value}\n" for name, value in headers.items()) + "\n" + body
    assert_sane(classify(raw.encode("utf-8", "surrogatepass")))
