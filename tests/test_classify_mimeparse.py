"""The classifier's fast MIME parser builds exactly the tree the email package (compat32) builds."""

from __future__ import annotations

import email
import email.policy
from email.message import Message
from pathlib import Path

from conftest import corpus
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jalon.handlers.mimeparse import message_from_bytes, message_from_string

DATA = Path(__file__).parent / "data"


def difference(ours: Message, theirs: Message, where: str = "message") -> str | None:
    """Where two message trees differ (headers, payloads, preamble, epilogue, defects), or None."""
    for attribute in ("_headers", "_unixfrom", "preamble", "epilogue", "_default_type", "_charset"):
        mine, other = getattr(ours, attribute), getattr(theirs, attribute)
        if mine != other:
            return f"{where}.{attribute}: {mine!r:.200} != {other!r:.200}"
    defects = [(type(d).__name__, d.args) for d in ours.defects]
    expected = [(type(d).__name__, d.args) for d in theirs.defects]
    if defects != expected:
        return f"{where}.defects: {defects} != {expected}"
    mine, other = ours.get_payload(), theirs.get_payload()
    if type(mine) is not type(other):
        return f"{where}: payload {type(mine).__name__} != {type(other).__name__}"
    if not isinstance(mine, list):
        return None if mine == other else f"{where}: payload {mine!r:.200} != {other!r:.200}"
    if len(mine) != len(other):
        return f"{where}: {len(mine)} parts != {len(other)}"
    for index, (part, expected_part) in enumerate(zip(mine, other, strict=True)):
        found = difference(part, expected_part, f"{where}[{index}]")
        if found:
            return found
    return None


def assert_same_tree(raw: bytes) -> None:
    found = difference(message_from_bytes(raw), email.message_from_bytes(raw, policy=email.policy.compat32))
    assert found is None, found


def test_every_corpus_message_parses_as_the_email_package_parses_it() -> None:
    """As the maintainer, the real bounces, auto-replies and replies of the corpora give the same trees as the
    standard parser, broken ones included (missing boundaries, headers without a blank line, mbox lines)."""
    files = [
        p for root in (corpus("bounces"), corpus("replies"), DATA) for p in root.rglob("*") if p.is_file()
    ]
    assert len(files) > 1000
    for path in files:
        found = difference(
            message_from_bytes(path.read_bytes()),
            email.message_from_bytes(path.read_bytes(), policy=email.policy.compat32),
        )
        assert found is None, f"{path}: {found}"


LINE_ENDS = st.sampled_from(["\n", "\r\n", "\r"])
BOUNDARIES = st.sampled_from(["AA", "B", "=_x.1", "a b", "AA--"])


@st.composite
def mime_text(draw: st.DrawFn, depth: int = 0) -> str:
    """A message of random structure with the usual breakage: wrong or missing boundaries, duplicated and
    unclosed ones, no blank line after the headers, folded, misplaced and nameless header lines."""
    end = draw(LINE_ENDS)
    kinds = ["text", "multipart", "digest", "rfc822", "delivery-status"] if depth < 3 else ["text"]
    kind = draw(st.sampled_from(kinds))
    boundary = draw(BOUNDARIES)
    headers = draw(
        st.lists(
            st.sampled_from(["Subject: s", f"X-A: 1{end} folded", " leading fold", ":no name", "From x y"]),
            max_size=3,
        )
    )
    parameter = draw(st.sampled_from(["", "", '; name="r\u00e9sum\u00e9.txt"']))  # 8-bit header values
    headers.append(
        {
            "text": draw(st.sampled_from(["Content-Type: text/plain", "X: y"])),
            "multipart": f'Content-Type: multipart/mixed; boundary="{boundary}"',
            "digest": f"Content-Type: multipart/digest; boundary={boundary}",
            "rfc822": "Content-Type: message/rfc822",
            "delivery-status": "Content-Type: message/delivery-status",
        }[kind]
        + parameter
    )
    if draw(st.booleans()) and kind in ("multipart", "digest"):
        headers.append("Content-Transfer-Encoding: base64")
    text = "".join(h + end for h in headers) + draw(st.sampled_from(["", end, end, "body at once" + end]))
    if kind in ("multipart", "digest"):
        text += draw(st.sampled_from(["", "preamble" + end]))
        for _ in range(draw(st.integers(0, 3))):
            text += draw(st.sampled_from([f"--{boundary}", f"--{boundary} ", f"--{boundary}--", "--x"])) + end
            text += draw(mime_text(depth + 1)) + draw(st.sampled_from(["", end]))
        text += draw(st.sampled_from(["", f"--{boundary}--", f"--{boundary}--{end}epilogue{end}"]))
    elif kind == "rfc822":
        text += draw(mime_text(depth + 1))
    elif kind == "delivery-status":
        fields = st.sampled_from(["Final-Recipient: rfc822; a@b", "Action: failed", " fold", "junk", "", ""])
        text += "".join(f + end for f in draw(st.lists(fields, max_size=8)))
    else:
        text += "".join(draw(st.lists(st.sampled_from(["line" + end, end, "--AA" + end, "From me" + end]))))
    return text


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mime_text(), st.booleans())
def test_any_structure_parses_as_the_email_package_parses_it(text: str, eight_bit: bool) -> None:
    """As the maintainer, random (and randomly broken) MIME structures give the standard parser's tree."""
    raw = text.encode("latin-1") + (b"\xe9t\xe9\x0b\x0c" if eight_bit else b"")
    assert_same_tree(raw)
    found = difference(
        message_from_string(text), email.message_from_string(text, policy=email.policy.compat32)
    )
    assert found is None, found


def test_a_large_attachment_is_sliced_not_read_line_by_line() -> None:
    """As the gateway, a message with a 10 MB attachment parses to the same tree as the standard parser's."""
    attachment = b"QUJD" * 19 + b"\n"
    raw = (
        b"From: a@example.org\nContent-Type: multipart/mixed; boundary=X\n\n--X\nContent-Type: text/plain\n\n"
        b"Hello\n--X\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n\n"
        + attachment * (10_000_000 // len(attachment))
        + b"--X--\n"
    )
    assert_same_tree(raw)
    assert message_from_bytes(raw).get_payload(0).get_payload() == "Hello"
