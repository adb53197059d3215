"""A case -> one neutral card: title, facts, evidence, buttons, status. Slack, Teams and the terminal render
the same card; none of them reads the database itself.

Also the lines posted in a card's thread as events arrive, and the neutral digest of open cases.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jalon.bot.buttons import BUTTONS, Ask, Subject, buttons_for, load_subject
from jalon.businesstime import shown
from jalon.db import Database
from jalon.models import Case, Customer, Event

KIND_TITLES = {
    "held": "Held before sending",
    "bounced": "Bounced",
    "late": "Late",
    "dispute": "Disputed",
    "missing_info": "Something missing",
    "contact_change": "Contact change to approve",
    "contact_left": "Contact left",
    "set_aside": "Message set aside",
    "unmatched": "Message tied to no invoice",
    "not_received": "Customer says not received",
    "send_failed": "Could not be sent",
    "complaint": "Spam complaint",
    "question": "Customer wrote",
    "promise_review": "Payment terms to agree",
    "overpaid": "Paid more than owed",
    "holdback_due": "Holdback to claim",
}
KIND_ICONS = {
    "held": "⏸",
    "bounced": "↩",
    "late": "⏰",
    "dispute": "⚠",
    "contact_change": "🔐",
    "set_aside": "📥",
}

# Facts shown on a card, in this order: (key in case.facts, label).
FACTS: tuple[tuple[str, str], ...] = (
    ("number", "Invoice"),
    ("customer", "Customer"),
    ("amount", "Amount"),
    ("amount_due", "Outstanding"),
    ("overpaid", "Paid in excess"),
    ("holdback", "Holdback"),
    ("amounts", "Amounts said"),
    ("release_on", "Owed since"),
    ("payer", "Paid by"),
    ("due_date", "Due"),
    ("due_at", "Expected by"),
    ("state", "Invoice state"),
    ("recipient", "Recipient"),
    ("role", "Role"),
    ("status", "Status"),
    ("diagnostic", "Server said"),
    ("from", "From"),
    ("subject", "Subject"),
    ("reason", "Reason"),
    ("missing", "Missing"),
    ("promised_date", "Promised for"),
    ("instalments", "Instalments on"),
    ("new_contact", "New contact asked"),
    ("milestone", "Milestone"),
    ("attempts", "Attempts"),
    ("received_at", "Received"),
    ("to_do", "To do"),
)
MAX_FACT = 300


@dataclass(frozen=True)
class Button:
    action: str  # action_id, in English: release, resend_to…
    label: str
    style: str = ""
    ask: Ask | None = None
    role: str = "agent"


@dataclass
class Card:
    case_id: int
    kind: str
    title: str
    open: bool
    icon: str = "•"
    facts: list[tuple[str, str]] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)
    status: list[str] = field(default_factory=list)  # assigned, snoozed, last outcome, closed by whom
    notice: str | None = None  # a one-off line for the person who clicked (a refusal says why)

    @property
    def headline(self) -> str:
        """One line for notifications and fallbacks."""
        return f"{self.icon if self.open else '✅'} {self.title}"


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value if v not in (None, ""))
    if isinstance(value, dict):
        return str(value.get("message") or value.get("phrase") or value)
    return str(value)


def _clip(text: str, size: int = MAX_FACT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"


def when(moment: dt.datetime | None, zone: str = "UTC") -> str:
    """A moment as the people reading the card live it: in their time zone, named (CET, CEST, UTC…)."""
    return shown(moment, zone) if moment else "?"


def money(amount: Any, currency: str | None) -> str | None:
    if amount in (None, ""):
        return None
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return f"{amount} {currency or ''}".strip()
    return f"{value:,.2f} {currency or ''}".replace(",", " ").strip()


def _facts(subject: Subject, session: Session, zone: str) -> dict[str, Any]:
    """The case's own facts, completed from its invoice and customer."""
    case, invoice = subject.case, subject.invoice
    facts: dict[str, Any] = dict(case.facts or {})
    if invoice is not None:
        facts.setdefault("number", invoice.number)
        facts["amount"] = money(facts.pop("total_with_vat", None) or invoice.total_with_vat, invoice.currency)
        facts.setdefault("due_date", invoice.due_date.isoformat() if invoice.due_date else None)
        facts["state"] = invoice.state
        if facts.get("amount_due") not in (None, ""):
            facts["amount_due"] = money(facts["amount_due"], facts.get("currency") or invoice.currency)
    else:
        facts.pop("total_with_vat", None)
    for key in ("due_at", "received_at"):  # ISO timestamps, shown like every other time on a card
        with contextlib.suppress(KeyError, ValueError):
            facts[key] = when(dt.datetime.fromisoformat(str(facts[key])), zone)
    customer_id = case.customer_id or (invoice.customer_id if invoice else None)
    if not facts.get("customer") and customer_id:
        customer = session.get(Customer, customer_id)
        facts["customer"] = customer.name if customer else None
    return facts


def _evidence(facts: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for finding in facts.get("findings") or []:
        if isinstance(finding, dict):
            lines.append(
                f"{finding.get('severity', 'error')}: {finding.get('message') or finding.get('code')}"
            )
        else:
            lines.append(str(finding))
    if facts.get("words"):
        lines.append("“" + _clip(str(facts["words"]), 400) + "”")
    phrases = [
        str(i["phrase"]) for i in facts.get("evidence") or [] if isinstance(i, dict) and i.get("phrase")
    ]
    if phrases:
        lines.append("matched " + ", ".join(f"“{_clip(p, 80)}”" for p in dict.fromkeys(phrases)))
    if facts.get("suspicious"):
        lines.append("suspicious sender: check with the billing team before sending anything")
    if facts.get("warning"):
        lines.append(str(facts["warning"]))
    if facts.get("error"):
        lines.append(_clip(str(facts["error"])))
    return lines[:12]


def _last_action(session: Session, case: Case) -> Event | None:
    return session.scalars(
        select(Event).where(Event.case_id == case.id, Event.type == "case.action").order_by(Event.id.desc())
    ).first()


def load(database: Database, case_id: int, *, notice: str | None = None, zone: str = "UTC") -> Card | None:
    """The card of a case, read in its own transaction."""
    with database.session() as session:
        return build(session, case_id, notice=notice, zone=zone)


def build(session: Session, case_id: int, *, notice: str | None = None, zone: str = "UTC") -> Card | None:
    """The card of a case as it stands now; its times in `zone` (the chat section's `timezone`)."""
    subject = load_subject(session, case_id)
    if subject is None:
        return None
    case = subject.case
    facts = _facts(subject, session, zone)
    shown = [
        (label, _clip(_text(facts[key]))) for key, label in FACTS if facts.get(key) not in (None, "", [])
    ]
    buttons = [
        Button(name, BUTTONS[name].label, BUTTONS[name].style, BUTTONS[name].ask, BUTTONS[name].role)
        for name in buttons_for(subject)
    ]
    status: list[str] = []
    if case.state == "open":
        if case.assignee:
            status.append(f"Assigned to {case.assignee}")
        if case.snoozed_until:
            status.append(f"Snoozed until {when(case.snoozed_until, zone)}")
        last = _last_action(session, case)
        if last is not None:
            mark = "✔" if last.data.get("ok") else "✖"
            spec = BUTTONS.get(last.data.get("action", ""))
            label = spec.label if spec else last.data.get("action")
            status.append(
                f"{mark} {label} by {last.actor} at {when(last.at, zone)}: {last.data.get('message')}"
            )
        status.append(f"Opened {when(case.opened_at, zone)} · case #{case.id}")
    else:
        status.append(f"Closed by {case.closed_by} at {when(case.closed_at, zone)}: {case.resolution}")
    return Card(
        case_id=case.id,
        kind=case.kind,
        title=case.title,
        open=case.state == "open",
        icon=KIND_ICONS.get(case.kind, "•"),
        facts=shown,
        evidence=_evidence(facts),
        buttons=buttons,
        status=status,
        notice=notice,
    )


def channel_key(session: Session, case_id: int) -> tuple[str, str | None]:
    """(kind, customer group) of a case: what routing looks at."""
    case = session.get(Case, case_id)
    if case is None:
        return "", None
    customer_id = case.customer_id
    if customer_id is None and case.invoice_id is not None:
        from jalon.models import Invoice

        invoice = session.get(Invoice, case.invoice_id)
        customer_id = invoice.customer_id if invoice else None
    customer = session.get(Customer, customer_id) if customer_id else None
    return case.kind, customer.group if customer else None


# --- thread lines: what happened since the card was posted --------------------------------------------------

# Events that say nothing new to a person (the card already shows them, or they are plumbing).
QUIET = {
    "case.opened",
    "case.action",
    "case.action_refused",
    "message.correlated",
    "message.uncorrelated",
    "invoice.checked",
    "dispatch.queued",
    "mail.sent",
}


# How thread lines name what happened; other events show their type.
EVENT_LABELS = {
    "invoice.released": "released",
    "invoice.resent": "sent again",
    "invoice.cancelled": "cancelled",
    "invoice.disputed": "disputed",
    "invoice.replaced": "replaced by a corrected version",
    "dispatch.sent": "left for",
    "dispatch.delivered": "delivered to",
    "dispatch.delayed": "delayed for",
    "dispatch.bounced": "bounced at",
    "dispatch.refused": "refused by the server of",
    "dispatch.read": "read",
    "dispatch.viewed": "link opened",
    "dispatch.downloaded": "downloaded",
    "reply.received": "the customer replied",
    "reply.autoreply": "automatic reply",
    "contact.replaced": "contact replaced",
    "case.updated": "new facts",
    "case.assigned": "taken",
    "case.snoozed": "snoozed",
    "case.closed": "closed",
}


def event_line(event: Event) -> str:
    data = event.data or {}
    detail = (
        data.get("message")
        or data.get("resolution")
        or data.get("recipient")
        or (", ".join(data["recipients"]) if isinstance(data.get("recipients"), list) else None)
        or data.get("reason")
        or data.get("intent")
        or data.get("title")
        or ""
    )
    who = "" if event.actor == "jalon" else f" by {event.actor}"
    what = EVENT_LABELS.get(event.type, event.type)
    return f"{event.at:%H:%M} {what}{who}" + (f": {_clip(str(detail), 200)}" if detail else "")


def new_events(session: Session, case_id: int, after_id: int) -> list[Event]:
    """Events of the case (and of its invoice) after `after_id`, oldest first."""
    case = session.get(Case, case_id)
    if case is None:
        return []
    about = Event.case_id == case.id
    if case.invoice_id is not None:
        about = about | (Event.invoice_id == case.invoice_id)
    return list(session.scalars(select(Event).where(about, Event.id > after_id).order_by(Event.id)))


def last_event_id(session: Session) -> int:
    return session.scalar(select(Event.id).order_by(Event.id.desc()).limit(1)) or 0


# --- the daily digest ---------------------------------------------------------------------------------------


@dataclass
class Digest:
    channel: str
    count: int
    by_kind: dict[str, int]
    oldest: list[tuple[str, str]]  # (opened, title)
    at_stake: dict[str, Decimal]  # amount per currency

    def lines(self) -> list[str]:
        kinds = ", ".join(f"{n} {KIND_TITLES.get(k, k).lower()}" for k, n in sorted(self.by_kind.items()))
        stake = ", ".join(money(v, c) or "" for c, v in sorted(self.at_stake.items())) or "none"
        lines = [f"{self.count} open case(s): {kinds or 'none'}", f"Amounts at stake: {stake}"]
        lines += [f"Oldest: {opened} — {title}" for opened, title in self.oldest]
        return lines
