"""The buttons of a case card as data, who may press them, and what each runs: the same use cases as the CLI
and the API (jalon.handlers.actions, jalon.mailbox.worker). Every platform (Slack, Teams, action pages) calls
`perform`; none decides anything itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from jalon import events
from jalon.config import Settings, StaffMember
from jalon.db import Database, utcnow
from jalon.handlers import actions, cases
from jalon.handlers.actions import ActionResult
from jalon.models import Case, InboundMessage, Invoice, Outbox

ROLE_RANK = {"viewer": 0, "agent": 1, "supervisor": 2}


@dataclass(frozen=True)
class Ask:
    """What a person types before the action runs (a modal in Slack, a form in Teams and on action pages)."""

    name: str  # email | reason | days
    label: str
    kind: str = "text"  # text | email | number
    optional: bool = False


@dataclass(frozen=True)
class Spec:
    label: str
    role: str = "agent"  # the lowest role allowed
    style: str = ""  # primary | danger
    ask: Ask | None = None
    settles: bool = True  # a success closes the clicked case


REASON = Ask("reason", "Reason")
BUTTONS: dict[str, Spec] = {
    "release": Spec("Release", "supervisor", "primary"),
    "release_anyway": Spec("Release anyway", "supervisor", "danger", Ask("reason", "Why send it anyway?")),
    "cancel": Spec("Cancel invoice", "agent", "danger", Ask("reason", "Why cancel it?", optional=True)),
    "resend": Spec("Resend", "agent", "primary"),
    "resend_to": Spec("Resend to another address", "agent", "", Ask("email", "New address", "email")),
    "mark_received": Spec("Mark received", "agent"),
    "mark_disputed": Spec("Mark disputed", "agent", "", Ask("reason", "What does the customer dispute?")),
    "resolve_dispute": Spec(
        "Resolve dispute", "agent", "primary", Ask("reason", "How was it settled?", optional=True)
    ),
    "snooze": Spec("Snooze", "agent", "", Ask("days", "Snooze for how many days?", "number"), settles=False),
    "hand_over": Spec("Hand over to collection", "agent", "danger"),
    "mark_paid": Spec("Mark paid", "agent"),
    "accept_terms": Spec("Accept the terms", "agent", "primary"),
    "approve_contact_change": Spec("Approve change", "supervisor", "primary"),
    "reject_contact_change": Spec("Reject change", "agent", "danger", Ask("reason", "Why?", optional=True)),
    "retry": Spec("Retry", "agent", "primary"),
    "discard": Spec("Discard", "agent", "danger"),
    "assign_to_me": Spec("Assign to me", "agent", settles=False),
}

# Which buttons each kind of case shows, in this order (those that cannot apply right now are left out).
KIND_BUTTONS: dict[str, tuple[str, ...]] = {
    "held": ("release", "release_anyway", "cancel", "assign_to_me"),
    "bounced": ("resend_to", "resend", "cancel", "snooze", "assign_to_me"),
    "late": ("resend", "mark_received", "mark_disputed", "mark_paid", "hand_over", "snooze", "assign_to_me"),
    "dispute": ("resolve_dispute", "cancel", "mark_paid", "snooze", "assign_to_me"),
    "missing_info": ("resend", "cancel", "snooze", "assign_to_me"),
    "contact_change": ("approve_contact_change", "reject_contact_change", "assign_to_me"),
    "contact_left": ("resend_to", "discard", "assign_to_me"),
    "set_aside": ("retry", "discard", "assign_to_me"),
    "unmatched": ("discard", "assign_to_me"),
    "not_received": ("resend", "resend_to", "mark_received", "mark_disputed", "snooze", "assign_to_me"),
    "send_failed": ("resend", "resend_to", "cancel", "assign_to_me"),
    "complaint": ("discard", "assign_to_me"),
    "question": ("mark_disputed", "discard", "snooze", "assign_to_me"),
    # a payment plan or a far date: accepted, the reminders wait as the customer asked; else mark it disputed
    # (a person calls) or hand it over
    "promise_review": ("accept_terms", "mark_disputed", "mark_paid", "hand_over", "snooze", "assign_to_me"),
    "overpaid": ("discard", "snooze", "assign_to_me"),  # refunded or set against another invoice: dismissed
    "holdback_due": ("mark_paid", "snooze", "discard", "assign_to_me"),  # claimed, then paid (or given up)
}
DEFAULT_BUTTONS = ("discard", "assign_to_me")


@dataclass
class Subject:
    """What a case is about, loaded once: the case, its invoice, its message."""

    case: Case
    invoice: Invoice | None
    inbound: InboundMessage | None

    @property
    def number(self) -> str | None:
        return self.invoice.number if self.invoice is not None else None


def _open_invoice(s: Subject) -> bool:
    return s.invoice is not None and s.invoice.state not in ("cancelled", "paid", "replaced")


def _holdback_owed(s: Subject) -> bool:
    """A paid invoice whose holdback is claimed: it can be marked paid once more, for the holdback."""
    return s.case.kind == "holdback_due" and s.invoice is not None and s.invoice.state == "paid"


def _has_defects(s: Subject) -> bool:
    """Errors a plain release does not lift (it does lift approval holds, e.g. an amount over a threshold)."""
    from jalon.handlers.checks import APPROVAL_CODES

    findings = s.invoice.findings or [] if s.invoice is not None else []
    return any(f.get("severity") == "error" and f.get("code") not in APPROVAL_CODES for f in findings)


# When a button applies, from the current state (a button that cannot work is not shown).
AVAILABLE: dict[str, Callable[[Subject], bool]] = {
    "release": lambda s: s.invoice is not None and s.invoice.state == "held" and not _has_defects(s),
    "release_anyway": lambda s: s.invoice is not None and s.invoice.state == "held" and _has_defects(s),
    "cancel": _open_invoice,
    "resend": lambda s: s.invoice is not None and s.invoice.state in actions.RESENDABLE,
    "resend_to": lambda s: s.invoice is not None and s.invoice.state in actions.RESENDABLE,
    "mark_received": _open_invoice,
    "mark_disputed": _open_invoice,
    "resolve_dispute": lambda s: s.invoice is not None,
    "hand_over": lambda s: s.invoice is not None and s.invoice.state == "sent",
    "mark_paid": lambda s: _open_invoice(s) or _holdback_owed(s),
    "retry": lambda s: s.inbound is not None and s.inbound.status == "set_aside",
}


def buttons_for(subject: Subject) -> list[str]:
    if subject.case.state != "open":
        return []
    wanted = KIND_BUTTONS.get(subject.case.kind, DEFAULT_BUTTONS)
    return [name for name in wanted if AVAILABLE.get(name, lambda _s: True)(subject)]


# --- who may act --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """Someone who pressed a button, as the platform identified them."""

    platform: str  # slack | teams | page
    user_id: str
    name: str | None = None
    member: StaffMember | None = None

    @property
    def actor(self) -> str:
        if self.member is not None:
            return (self.member.email or self.member.name or f"{self.platform}:{self.user_id}")[:128]
        return f"{self.platform}:{self.user_id}"[:128]


def identify(settings: Settings, platform: str, user_id: str, *, name: str | None = None) -> Person:
    """The staff entry for a platform user (Slack member id, Teams object or user id, e-mail on pages)."""
    wanted = (user_id or "").strip().lower()
    for member in settings.staff:
        keys = {
            "slack": [member.slack_user],
            "teams": [member.teams_user],
            "page": [member.email],
        }.get(platform, [])
        if wanted and any(key and key.strip().lower() == wanted for key in keys):
            return Person(platform, user_id, name or member.name, member)
    return Person(platform, user_id, name, None)


def refusal(person: Person, action: str) -> str | None:
    """Why this person may not press this button, or None."""
    spec = BUTTONS[action]
    if person.member is None:
        return f"{person.name or person.user_id} is not on jalon's staff list: ask an administrator"
    role = person.member.role
    if ROLE_RANK[role] < ROLE_RANK[spec.role]:
        if role == "viewer":
            return f"{person.actor} is a viewer: viewers act on nothing"
        return (
            f"'{spec.label}' needs a {spec.role}; {person.actor} is {'an' if role == 'agent' else 'a'} {role}"
        )
    return None


def check_input(ask: Ask, value: str) -> str | None:
    """Why a typed value cannot be used, or None (shown under the field of the form)."""
    from jalon.handlers.actions import valid_address

    if not value.strip():
        return None if ask.optional else "required"
    if ask.kind == "email" and valid_address(value) is None:
        return "not an e-mail address"
    if ask.kind == "number" and not (value.strip().isdigit() and 1 <= int(value) <= 365):
        return "a number of days between 1 and 365"
    return None


# --- what each button runs ----------------------------------------------------------------------------------

Runner = Callable[[Database, Settings, Subject, str, dict[str, Any]], ActionResult]


def _needs_invoice(run: Callable[..., ActionResult]) -> Runner:
    def wrapped(
        db: Database, settings: Settings, s: Subject, actor: str, given: dict[str, Any]
    ) -> ActionResult:
        if s.number is None:
            return ActionResult(False, "this case is about no invoice")
        return run(db, settings, s, actor, given)

    return wrapped


def _days(given: dict[str, Any]) -> int | None:
    text = str(given.get("days") or "").strip()
    return int(text) if text.isdigit() else None


def _message_action(worker_call: str) -> Runner:
    """Retry / discard the message a case is about; a case about no pending message is simply dismissed."""

    def run(db: Database, settings: Settings, s: Subject, actor: str, given: dict[str, Any]) -> ActionResult:
        from jalon.mailbox import worker

        if s.inbound is None:
            return ActionResult(worker_call == "discard", "dismissed", s.number)
        if worker_call == "retry":
            done = worker.retry(db, s.inbound.id, actor=actor)
            return ActionResult(done, "message queued again" if done else "the message is not set aside")
        done = worker.discard(db, s.inbound.id, actor=actor, reason=given.get("reason"))
        return ActionResult(True, "message discarded" if done else "dismissed", s.number)

    return run


RUNNERS: dict[str, Runner] = {
    # a card acts on its own invoice: a number can name a genuine copy and a forged one held beside it
    "release": _needs_invoice(
        lambda db, st, s, a, g: actions.release(db, st, s.number, actor=a, invoice_id=s.case.invoice_id)
    ),
    "release_anyway": _needs_invoice(
        lambda db, st, s, a, g: actions.release(
            db, st, s.number, actor=a, force=True, reason=g.get("reason"), invoice_id=s.case.invoice_id
        )
    ),
    "cancel": _needs_invoice(
        lambda db, st, s, a, g: actions.cancel(
            db, st, s.number, actor=a, reason=g.get("reason"), invoice_id=s.case.invoice_id
        )
    ),
    "resend": _needs_invoice(lambda db, st, s, a, g: actions.resend(db, st, s.number, actor=a)),
    "resend_to": _needs_invoice(
        lambda db, st, s, a, g: actions.resend_to(
            db, st, s.number, str(g.get("email") or ""), actor=a, dispatch_id=s.case.dispatch_id
        )
    ),
    "mark_disputed": _needs_invoice(
        lambda db, st, s, a, g: actions.mark_disputed(
            db, st, s.number, actor=a, reason=str(g.get("reason") or "")
        )
    ),
    "approve_contact_change": lambda db, st, s, a, g: actions.approve_contact_change(
        db, st, s.case.id, actor=a, email=g.get("email")
    ),
    "reject_contact_change": lambda db, st, s, a, g: actions.reject_contact_change(
        db, st, s.case.id, actor=a, reason=g.get("reason")
    ),
    "snooze": lambda db, st, s, a, g: (
        actions.snooze_case(db, s.case.id, days, actor=a)
        if (days := _days(g)) is not None
        else ActionResult(False, "snooze needs a number of days")
    ),
    "assign_to_me": lambda db, st, s, a, g: actions.assign_case(db, s.case.id, actor=a),
    "retry": _message_action("retry"),
    "discard": _message_action("discard"),
    "mark_received": _needs_invoice(lambda db, st, s, a, g: actions.mark_received(db, st, s.number, actor=a)),
    "resolve_dispute": _needs_invoice(
        lambda db, st, s, a, g: actions.resolve_dispute(db, st, s.number, actor=a, resolution=g.get("reason"))
    ),
    "hand_over": _needs_invoice(lambda db, st, s, a, g: actions.hand_over(db, st, s.number, actor=a)),
    "mark_paid": _needs_invoice(lambda db, st, s, a, g: actions.mark_paid(db, st, s.number, actor=a)),
    # the pause was set when the promise came: accepting it only settles the case, who and when recorded
    "accept_terms": _needs_invoice(lambda db, st, s, a, g: ActionResult(True, "terms accepted", s.number)),
}


@dataclass
class Outcome:
    """What happened when a button was pressed: shown on the card that was clicked."""

    case_id: int
    action: str
    ok: bool
    message: str
    refused: bool = False
    data: dict[str, Any] = field(default_factory=dict)


def load_subject(session: Any, case_id: int) -> Subject | None:
    case = session.get(Case, case_id)
    if case is None:
        return None
    invoice = session.get(Invoice, case.invoice_id) if case.invoice_id else None
    inbound = session.get(InboundMessage, case.inbound_id) if case.inbound_id else None
    return Subject(case, invoice, inbound)


def _record_press(session: Any, kind: str, case: Case, person: Person, action: str, **data: Any) -> None:
    """A press on a card's button as an event: on which case, who pressed it from which platform, and what."""
    events.record(
        session,
        kind,
        case_id=case.id,
        invoice_id=case.invoice_id,
        actor=person.actor,
        action=action,
        platform=person.platform,
        user=person.user_id,
        **data,
    )


def perform(
    database: Database, settings: Settings, case_id: int, action: str, person: Person, given: dict[str, Any]
) -> Outcome:
    """Check who pressed what, run the use case, record it with the actor, settle the case. Blocking: call it
    off the event loop."""
    if action not in BUTTONS:
        return Outcome(case_id, action, False, f"unknown action {action!r}", refused=True)
    spec = BUTTONS[action]
    with database.session() as session:
        subject = load_subject(session, case_id)
        if subject is None:
            return Outcome(case_id, action, False, f"no case #{case_id}", refused=True)
        case = subject.case
        why = refusal(person, action)
        if why is None and case.state != "open":
            why = f"this case was already closed by {case.closed_by} ({case.resolution})"
        if why is None and action not in buttons_for(subject):
            why = f"'{spec.label}' no longer applies to this case"
        problem = check_input(spec.ask, str(given.get(spec.ask.name) or "")) if spec.ask else None
        if why is None and problem is not None and spec.ask is not None:
            needs = {"reason": "a reason", "email": "an e-mail address", "days": "a number of days"}
            wanted = needs.get(spec.ask.name, spec.ask.label.lower())
            why = (
                f"'{spec.label}' needs {wanted}" if problem == "required" else f"{spec.ask.label}: {problem}"
            )
        if why is not None:
            _record_press(session, "case.action_refused", case, person, action, reason=why)
            return Outcome(case_id, action, False, why, refused=True)
        session.expunge_all()
    result = RUNNERS[action](database, settings, subject, person.actor, given)
    with database.session() as session:
        case = session.get(Case, case_id)
        assert case is not None
        given_kept = {k: v for k, v in given.items() if k in ("email", "reason", "days")}
        _record_press(
            session,
            "case.action",
            case,
            person,
            action,
            ok=result.ok,
            message=result.message,
            given=given_kept,
        )
        if result.ok and spec.settles and case.state == "open":
            cases.close_case(session, case, actor=person.actor, resolution=f"{spec.label}: {result.message}")
        elif case.state == "open":
            # The card shows the outcome on every platform it was posted to.
            session.add(
                Outbox(kind="chat", payload={"case_id": case.id, "op": "update"}, next_attempt_at=utcnow())
            )
    return Outcome(case_id, action, result.ok, result.message, data=result.data)
