"""Read receipts: RFC 8098 message disposition notifications, and the plain "Read:" / "Lu :" notices of
clients that send no MDN part.

`displayed` means a person opened the message (strong evidence of receipt); `deleted` and `denied` mean it
reached the mailbox but say nothing about reading (NOTES: "what counts as received").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from jalon.handlers.bounces import parse_dsn_fields
from jalon.handlers.mailtext import ADDRESS
from jalon.handlers.mailview import MailView

DISPOSITIONS = ("displayed", "deleted", "dispatched", "processed", "denied", "failed")

# Clients that notify without an MDN part put a verdict in the subject: (pattern, disposition).
SUBJECT_VERDICTS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), disposition)
    for pattern, disposition in (
        (r"^\s*(?:not read|non lu|nicht gelesen|ungelesen gel[oö]scht)\s*:", "deleted"),
        (r"^\s*(?:read|lu|gelesen|read receipt|accus[eé] de lecture|lesebest[aä]tigung)\s*:", "displayed"),
        (r"^\s*(?:return receipt|confirmation de lecture|receipt notification)\b", "displayed"),
    )
)
_MDN_FIELD = re.compile(r"^disposition\s*:", re.IGNORECASE | re.MULTILINE)
_MDN_CONTEXT = re.compile(
    r"^(?:final-recipient|original-message-id|reporting-ua)\s*:", re.IGNORECASE | re.MULTILINE
)
_REJECTED = re.compile(r"\brejected\b|\brefus[eé]\b|\babgelehnt\b", re.IGNORECASE)
_READ_TEXT = re.compile(
    r"\bwas (?:read|displayed|opened)\b|\ba [eé]t[eé] lu\b|\bwurde (?:am .{1,40} )?gelesen\b|"
    r"\bwas deleted without being read\b|\ba [eé]t[eé] supprim[eé] sans avoir [eé]t[eé] lu\b",
    re.IGNORECASE,
)


@dataclass
class Receipt:
    disposition: str
    recipient: str | None = None
    original_message_id: str | None = None
    manual: bool | None = None
    rejected: bool = False  # a Sieve "reject" (RFC 5429): an automatic MDN that refuses the message
    explanation: str = ""
    evidence: list[str] = field(default_factory=list)


def _disposition(value: str) -> tuple[str | None, bool | None]:
    """'manual-action/MDN-sent-manually; displayed/error' -> ('displayed', True)."""
    mode, _, rest = value.partition(";")
    kind = rest.strip().split("/")[0].strip().lower() if rest else mode.strip().lower()
    manual = None
    if mode.strip():
        manual = mode.strip().lower().startswith("manual-action")
    return (kind if kind in DISPOSITIONS else None), manual


def read_receipt(view: MailView) -> Receipt | None:
    text = view.report_blocks.get("disposition-notification", "")
    source = "message/disposition-notification"
    if (
        not text
        and view.report_type != "disposition-notification"
        and "disposition:" in view.low
        and _MDN_FIELD.search(view.notice)
        and _MDN_CONTEXT.search(view.notice)
    ):
        text, source = view.notice, "MDN fields in text"
    if text:
        per_message, groups = parse_dsn_fields(text)
        fields = dict(per_message)
        for group in groups:
            for name, value in group.items():
                fields.setdefault(name, value)
        disposition, manual = _disposition(fields.get("disposition", ""))
        if disposition is None:
            return None
        recipient = fields.get("final-recipient") or fields.get("original-recipient") or ""
        found = ADDRESS.search(recipient)
        rejected = (
            disposition in ("deleted", "failed", "denied")
            and manual is False
            and bool(_REJECTED.search(view.header("Auto-Submitted")) or _REJECTED.search(view.subject))
        )
        return Receipt(
            disposition=disposition,
            recipient=f"{found.group(1)}@{found.group(2)}".lower() if found else None,
            original_message_id=fields.get("original-message-id", "").strip() or None,
            manual=manual,
            rejected=rejected,
            explanation=view.flat[:500],
            evidence=[f"{source}: Disposition {fields.get('disposition', '').strip()}"]
            + (["automatic rejection (Sieve reject, RFC 5429)"] if rejected else []),
        )
    if "delivery-status" in view.report_blocks:
        # A delivery report is a DSN whatever its subject: Sendmail titles its success DSNs "Return receipt".
        return None
    for pattern, disposition in SUBJECT_VERDICTS:
        if pattern.search(view.subject) and (_READ_TEXT.search(view.low[:4000]) or view.report_type):
            verdict = "deleted" if "deleted without" in view.low[:4000] else disposition
            return Receipt(
                disposition=verdict,
                recipient=view.sender[1] or None,
                original_message_id=view.header("In-Reply-To") or None,
                evidence=[f"subject '{view.subject[:80]}' and read notice text"],
            )
    return None
