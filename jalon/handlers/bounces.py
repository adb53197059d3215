"""Delivery reports and bounces, per recipient: RFC 3464 DSNs and the non-standard notices of other MTAs.

A DSN is read from its fields wherever they are: a message/delivery-status part, DSN fields pasted into the
text, or a DSN wrapped in another message (a disclaimer gateway, a forwarding postmaster). A non-standard
bounce (qmail, Exim, old Sendmail and Exchange, Notes, provider formats, French and German wording) is
recognised by who sent it, its subject and phrase families; its failed addresses are found by where they
sit in the notice. Why it failed, and hard vs soft, is bounce_reasons' job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from jalon.handlers.bounce_reasons import STATUS, Recipient, finish
from jalon.handlers.bounce_wording import (
    DELAY_PHRASES,
    FINAL,
    Detection,
    detect_text_bounce,
    failed_header,
    failed_recipients,
)

__all__ = ["Recipient", "Report", "parse_dsn_fields", "read_dsn", "read_text_bounce"]
from jalon.handlers.mailtext import ADDRESS, unfold
from jalon.handlers.mailview import MailView

ACTIONS = {
    "failed": "failed",
    "failure": "failed",
    "fail": "failed",
    "delayed": "delayed",
    "delay": "delayed",
    "delivered": "delivered",
    "deliver": "delivered",
    "relayed": "relayed",
    "expanded": "expanded",
}


@dataclass
class Report:
    """What a DSN or a bounce says; `kind` is bounce | delay | delivered."""

    kind: str
    recipients: list[Recipient] = field(default_factory=list)
    envelope_id: str | None = None
    reporting_mta: str | None = None
    evidence: list[str] = field(default_factory=list)


# --- RFC 3464 fields ------------------------------------------------------------------------------------

_FIELD = re.compile(r"^([A-Za-z][A-Za-z0-9-]{1,40})[ \t]*:[ \t]*(.*)$")
_HAS_RECIPIENT_FIELD = re.compile(r"^(?:final|original)-recipient[ \t]*:", re.IGNORECASE | re.MULTILINE)
_RECIPIENT_FIELDS = frozenset(
    {
        "final-recipient",
        "original-recipient",
        "action",
        "status",
        "remote-mta",
        "diagnostic-code",
        "last-attempt-date",
        "will-retry-until",
        "x-actual-recipient",
        "final-log-id",
        "x-display-name",
        "x-supplementary-info",
    }
)


def _blocks(text: str) -> list[list[tuple[str, str]]]:
    """Field groups separated by blank lines, folded lines unfolded, names lower-cased."""
    blocks: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if not line.strip():
            if current:
                blocks.append(current)
                current = []
            continue
        if line[0] in " \t" and current:
            name, value = current[-1]
            current[-1] = (name, f"{value} {line.strip()}")
            continue
        match = _FIELD.match(line)
        if match:
            current.append((match.group(1).lower(), match.group(2).strip()))
    if current:
        blocks.append(current)
    return blocks


def parse_dsn_fields(text: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Per-message fields and per-recipient field groups of a DSN (or MDN, ARF) body."""
    per_message: dict[str, str] = {}
    recipients: list[dict[str, str]] = []
    for block in _blocks(text):
        names = [name for name, _ in block]
        if "final-recipient" not in names and "original-recipient" not in names:
            for name, value in block:
                per_message.setdefault(name, value)
            continue
        current: dict[str, str] = {}
        for name, value in block:
            # Recipients are separated by blank lines; without them, a repeated recipient field starts one.
            if name in ("final-recipient", "original-recipient") and name in current:
                recipients.append(current)
                current = {}
            if name in _RECIPIENT_FIELDS:
                current.setdefault(name, value)
            else:
                per_message.setdefault(name, value)
        recipients.append(current)
    return per_message, [r for r in recipients if "final-recipient" in r or "original-recipient" in r]


def _address_of(value: str) -> str | None:
    value = value.split(";", 1)[1] if ";" in value else value
    found = ADDRESS.search(value)
    if found:
        return f"{found.group(1)}@{found.group(2)}".lower()
    return value.strip().strip("<>").strip().lower() or None


def _strip_type(value: str) -> str:
    """'smtp; 550 …' -> '550 …', 'dns; mx.example' -> 'mx.example'."""
    head, sep, tail = value.partition(";")
    if sep and len(head) < 12 and " " not in head.strip():
        return tail.strip()
    return value.strip()


def read_dsn(view: MailView) -> Report | None:
    """The report of a DSN, or None when the message holds none."""
    report = _read_dsn(view)
    if report is None and view.embedded_report is not None:
        report = _read_dsn(view.embedded_report)
        if report is not None:
            report.evidence.append("DSN found inside a forwarded/wrapped message")
    return report


def _read_dsn(view: MailView) -> Report | None:
    text = view.report_blocks.get("delivery-status", "")
    source = "message/delivery-status"
    if not _HAS_RECIPIENT_FIELD.search(text):
        if not _HAS_RECIPIENT_FIELD.search(view.notice):
            return None
        text, source = view.notice, "DSN fields in text"
    per_message, groups = parse_dsn_fields(text)
    if not groups:
        return None
    single = len(groups) == 1
    finals = [_address_of(g["final-recipient"]) for g in groups if g.get("final-recipient")]
    recipients = [_dsn_recipient(view, group, single, finals, len(groups)) for group in groups]
    if not any(r.address for r in recipients):
        return None
    listed = ", ".join(f"{r.address} {r.action} {r.status or ''}".strip() for r in recipients)
    report = Report(
        kind=_kind_of(recipients),
        recipients=recipients,
        envelope_id=_xtext_decode(per_message.get("original-envelope-id", "").strip()) or None,
        reporting_mta=_strip_type(per_message["reporting-mta"]) if per_message.get("reporting-mta") else None,
        evidence=[f"{source}: {listed}"],
    )
    weak = [r.address for r in recipients if r.action in ("relayed", "expanded")]
    if weak:
        report.evidence.append(
            f"relayed/expanded is weaker than delivered (left our relay, not a mailbox): {weak}"
        )
    return report


def _dsn_recipient(
    view: MailView, group: dict[str, str], single: bool, finals: list[str | None], count: int
) -> Recipient:
    final = group.get("final-recipient") or group.get("x-actual-recipient") or ""
    original = _address_of(group["original-recipient"]) if group.get("original-recipient") else None
    address = _address_of(final) if final else None
    if not address or not ADDRESS.fullmatch(address):
        address = original or _fallback_address(view, count) or address
    status_match = STATUS.search(group.get("status", ""))
    status = status_match.group(0) if status_match else None
    action_words = group.get("action", "").split()
    action = ACTIONS.get(action_words[0].lower().rstrip(".;")) if action_words else None
    diagnostic = " ".join(_strip_type(unfold(group.get("diagnostic-code", ""))).split())[:1000] or None
    recipient = Recipient(
        address=address,
        original_recipient=original if original != address else None,
        action=action or _guess_action(status, view.low),
        status=status,
        diagnostic=diagnostic,
        remote_mta=_strip_type(group["remote-mta"]) if group.get("remote-mta") else None,
    )
    about = _segment(view.low, address, finals, single)
    return finish(recipient, "" if diagnostic else about, about)


def _fallback_address(view: MailView, count: int) -> str | None:
    """For a DSN whose Final-Recipient is unusable: the failed-recipients header, or the notice's address."""
    listed = failed_header(view)
    if len(listed) == count == 1:
        return listed[0]
    if count == 1:
        found = failed_recipients(view)
        if len(found) == 1:
            return found[0].address
    return None


def _segment(low: str, address: str | None, finals: list[str | None], single: bool) -> str:
    """The part of the notice about one recipient: all of it for a single recipient, else from its address
    to the next other recipient's."""
    if single or not address:
        return low[:6000]
    position = low.find(address)
    if position < 0:
        return ""
    end = position + 600
    for other in finals:
        if other and other != address:
            found = low.find(other, position + len(address))
            if 0 <= found < end:
                end = found
    return low[position:end]


_XTEXT = re.compile(r"\+([0-9A-Fa-f]{2})")


def _xtext_decode(value: str) -> str:
    return _XTEXT.sub(lambda m: chr(int(m.group(1), 16)), value) if "+" in value else value


def _guess_action(status: str | None, low: str) -> str:
    if status and status[0] == "2":
        return "delivered"
    if status and status[0] == "4" and DELAY_PHRASES.search(low) and not FINAL.search(low):
        return "delayed"
    return "failed"


def _kind_of(recipients: list[Recipient]) -> str:
    actions = {r.action for r in recipients}
    if "failed" in actions:
        return "bounce"
    if "delayed" in actions:
        return "delay"
    return "delivered"


def read_text_bounce(view: MailView, detection: Detection | None = None) -> Report | None:
    """A bounce that is not (only) RFC 3464, with its failed recipients."""
    detection = detection or detect_text_bounce(view)
    if detection is None:
        return None
    recipients = failed_recipients(view)
    single = len(recipients) == 1
    for recipient in recipients:
        recipient.action = "delayed" if detection.kind == "delay" else "failed"
        finish(recipient, view.low[:6000] if single else "", view.low[:6000] if single else "")
    return Report(kind=detection.kind, recipients=recipients, evidence=detection.evidence)
