"""Spam complaints and provider notifications: ARF feedback reports (RFC 5965) and the JSON that sending
providers mail out (Amazon SES via SNS, SendGrid, Mailgun, Postmark). A complaint is never a bounce; a
provider's JSON says itself whether it reports a bounce, a delay, a delivery or a complaint.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from jalon.handlers.bounce_reasons import STATUS, Recipient, finish
from jalon.handlers.bounces import parse_dsn_fields
from jalon.handlers.mailtext import ADDRESS
from jalon.handlers.mailview import MailView

COMPLAINT_SUBJECT = re.compile(
    r"\b(?:complaint|abuse report|spam report|feedback (?:loop|report)|fbl)\b", re.IGNORECASE
)

# Provider event name -> jalon kind. Keys are lowercased values of the event field.
PROVIDER_EVENTS: dict[str, str] = {
    "bounce": "bounce",
    "bounced": "bounce",
    "failed": "bounce",
    "dropped": "bounce",
    "hardbounce": "bounce",
    "softbounce": "bounce",
    "rejected": "bounce",
    "deliverydelay": "delay",
    "deferred": "delay",
    "delayed": "delay",
    "delivery": "delivered",
    "delivered": "delivered",
    "complaint": "feedback",
    "complained": "feedback",
    "spamreport": "feedback",
    "spamcomplaint": "feedback",
    "unsubscribe": "feedback",
    "unsubscribed": "feedback",
}
EVENT_KEYS = ("notificationType", "eventType", "event", "RecordType", "Type")
_EVENT_IN_TEXT = re.compile(r'"(?:notificationType|eventType|event|RecordType)"\s*:\s*"(\w+)"')


@dataclass
class Feedback:
    """An ARF report or a provider complaint."""

    feedback_type: str
    recipients: list[str] = field(default_factory=list)
    original_message_id: str | None = None
    evidence: list[str] = field(default_factory=list)


@dataclass
class ProviderEvent:
    kind: str  # bounce | delay | delivered | feedback
    provider: str
    recipients: list[Recipient] = field(default_factory=list)
    feedback_type: str | None = None
    evidence: list[str] = field(default_factory=list)


def read_arf(view: MailView) -> Feedback | None:
    """An ARF report, a mailbox provider's complaint (the original attached), or an unsubscribe request."""
    text = view.report_blocks.get("feedback-report", "")
    if view.header("X-Apple-Unsubscribe").lower() == "true":
        return Feedback("opt-out", [view.sender[1]], None, ["X-Apple-Unsubscribe: true"])
    is_report = bool(text) or view.report_type == "feedback-report"
    if not is_report and not view.returned_attached:
        return None
    original = view.returned
    original_id = view.header("Message-ID", original) if original is not None else ""
    if is_report:
        fields, _ = parse_dsn_fields(text)
        recipients = [a for a in _addresses(fields.get("original-rcpt-to", "")) if a]
        if not recipients and original is not None:
            recipients = view.addresses("To", original)
        return Feedback(
            feedback_type=fields.get("feedback-type", "abuse").strip().lower() or "abuse",
            recipients=recipients,
            original_message_id=original_id or None,
            evidence=[f"ARF report, Feedback-Type {fields.get('feedback-type', '?')}"],
        )
    if original is not None and original.get("X-HmXmrOriginalRecipient"):
        return Feedback(
            "abuse",
            _addresses(str(original.get("X-HmXmrOriginalRecipient"))) or view.addresses("To", original),
            original_id or None,
            ["complaint: returned message carries X-HmXmrOriginalRecipient"],
        )
    if original is not None and COMPLAINT_SUBJECT.search(view.subject) and "feedback-type" in view.low:
        return Feedback("abuse", view.addresses("To", original), original_id or None, ["complaint subject"])
    return None


def _addresses(text: str) -> list[str]:
    return [f"{m.group(1)}@{m.group(2)}".lower() for m in ADDRESS.finditer(text)]


def _json_body(text: str) -> Any:
    start = text.find("{")
    if start < 0 or start > 200:
        return None
    end = text.rfind("}")
    body = text[start : end + 1]
    for candidate in (body, re.sub(r"!\r?\n ", "", body), re.sub(r"\r?\n", "", body)):
        try:
            return json.loads(candidate)
        except ValueError:
            continue
    return None


def read_provider(view: MailView) -> ProviderEvent | None:
    """A provider's JSON event (SNS-wrapped or not) mailed to us."""
    text = view.notice.lstrip()
    if not text.startswith(("{", "[")) and '"notificationType"' not in text[:300]:
        return None
    data = _json_body(text)
    if isinstance(data, dict) and isinstance(data.get("Message"), str):  # SNS envelope
        data = _json_body(data["Message"]) or data
    if isinstance(data, list) and data and isinstance(data[0], dict):
        data = data[0]
    event = None
    if isinstance(data, dict):
        for key in EVENT_KEYS:
            value = data.get(key)
            if isinstance(value, str) and value.lower() in PROVIDER_EVENTS:
                event = value
                break
    else:
        found = _EVENT_IN_TEXT.search(text)
        event = found.group(1) if found else None
        data = {}
    if event is None:
        return None
    kind = PROVIDER_EVENTS[event.lower()]
    provider = "ses" if "notificationType" in text[:400] or "amazonses" in text else "provider"
    result = ProviderEvent(kind=kind, provider=provider, evidence=[f"{provider} JSON event {event}"])
    result.recipients = _provider_recipients(data, text, kind)
    if kind == "feedback":
        complaint = data.get("complaint") if isinstance(data.get("complaint"), dict) else {}
        result.feedback_type = str(complaint.get("complaintFeedbackType") or "abuse")
    return result


def _provider_recipients(data: dict[str, Any], text: str, kind: str) -> list[Recipient]:
    action = {"bounce": "failed", "delay": "delayed", "delivered": "delivered", "feedback": "complained"}[
        kind
    ]
    entries: list[dict[str, Any]] = []
    for section, key in (
        ("bounce", "bouncedRecipients"),
        ("complaint", "complainedRecipients"),
        ("deliveryDelay", "delayedRecipients"),
    ):
        block = data.get(section)
        if isinstance(block, dict) and isinstance(block.get(key), list):
            entries.extend(e for e in block[key] if isinstance(e, dict))
    delivery = data.get("delivery")
    if isinstance(delivery, dict) and isinstance(delivery.get("recipients"), list):
        entries.extend(
            {"emailAddress": a, "status": "2.0.0", "diagnosticCode": delivery.get("smtpResponse")}
            for a in delivery["recipients"]
            if isinstance(a, str)
        )
    if not entries:
        for key in ("email", "recipient", "Email", "Recipient"):
            if isinstance(data.get(key), str):
                entries.append(
                    {
                        "emailAddress": data[key],
                        "status": data.get("status"),
                        "diagnosticCode": data.get("reason") or data.get("Description"),
                    }
                )
    recipients = []
    for entry in entries:
        address = _addresses(str(entry.get("emailAddress", "")))
        if not address:
            continue
        status = STATUS.search(str(entry.get("status") or "")) or STATUS.search(
            str(entry.get("diagnosticCode") or "")
        )
        recipient = Recipient(
            address=address[0],
            action=str(entry.get("action") or action).lower() if kind != "feedback" else action,
            status=status.group(0) if status else None,
            diagnostic=str(entry.get("diagnosticCode") or "") or None,
            remote_mta=str(delivery.get("reportingMTA")) if isinstance(delivery, dict) else None,
        )
        if kind == "delivered":
            recipient.action = "delivered"
        recipients.append(finish(recipient) if kind in ("bounce", "delay") else recipient)
    if not recipients and kind in ("bounce", "delay"):
        for address in _addresses(text)[:1]:
            recipients.append(finish(Recipient(address=address, action=action)))
    return recipients
