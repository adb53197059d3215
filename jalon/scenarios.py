"""Milestones and scenarios: every sent invoice on its timeline, and `tick(now)` running what falls due.

Definitions are data (below, and `[[groups]]` / `[[scenarios]]` in config.toml). State lives in our tables:
one `Milestone` row per jalon of an invoice, one `ScenarioStep` row per planned action, with a unique key.
A hidden `deadline` step per milestone turns it late at its deadline, so that one index on (state, due_at)
finds all the work of a tick.

`tick` claims due steps (FOR UPDATE SKIP LOCKED on PostgreSQL, BEGIN IMMEDIATE on SQLite) with a lease, then
runs them in one transaction per batch: the outbox rows and events a step makes commit together with the step
marked done, so its mail is queued exactly once; a process dying mid-batch rolls back, and its steps are
claimable again when the lease ends. A step that cannot run now is parked (its lease moved to when it may
run): while the invoice or its customer is paused (dispute, promise, payment announced), and outside business
hours. After downtime only the latest due step of a ladder runs; the stale ones are skipped.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from jalon import events
from jalon.businesstime import BusinessCalendar
from jalon.config import GroupSettings, MilestoneSettings, ScenarioSettings, Settings, StepSettings
from jalon.db import Database, utcnow
from jalon.handlers import cases
from jalon.models import Case, Customer, Event, Invoice, Milestone, ScenarioStep

log = logging.getLogger(__name__)


def _m(name: str, expect: str, within: str, after: str, on_late: str = "case") -> MilestoneSettings:
    return MilestoneSettings(name=name, expect=expect, within=within, after=after, on_late=on_late)  # type: ignore[arg-type]


def _s(name: str, at: str, action: str = "remind", **more: Any) -> StepSettings:
    return StepSettings(name=name, at=at, action=action, **more)  # type: ignore[arg-type]


# --- definitions: what a customer without a group gets, and the built-in scenarios ----------------------

DEFAULT_MILESTONES = (
    _m("delivered", "delivered", "1d", "sent", on_late="note"),  # many servers send no delivery report
    _m("received", "received", "7d", "sent", on_late="note"),  # portal download, read receipt, reply…
    _m("paid", "paid", "0d", "due"),  # late the day after the due date
)
BUILTIN_SCENARIOS = {
    "default": ScenarioSettings(
        name="default",
        steps=[
            _s("courtesy", "-5d", template="reminder_courtesy"),
            _s("reminder-1", "1d", template="reminder"),
            _s("reminder-2", "8d", template="reminder_second"),
            _s("case", "15d", "case"),  # a person decides on the formal notice
        ],
    ),
    "standard-b2b": ScenarioSettings(
        name="standard-b2b",
        steps=[
            _s("courtesy", "-5d", template="reminder_courtesy"),
            _s("reminder-1", "1d", template="reminder"),
            _s("reminder-2", "8d", template="reminder_second"),
            _s("formal-notice", "20d", "formal_notice", to=["payer", "buyer", "head_office"]),
            _s("hand-over", "30d", "hand_over"),
            _s("case", "45d", "case"),
        ],
    ),
}
DEFAULT_GROUP = GroupSettings(name="default", scenario="default")

# What proves what. A stronger level implies the weaker ones; hints (pixel, scanner hits) never count.
LEVELS = ("accepted", "delivered", "received", "acknowledged", "approved", "paid")
EVIDENCE = {
    "dispatch.sent": "accepted",  # our relay took it
    "dispatch.relayed": "accepted",  # DSN relayed/expanded
    "dispatch.delivered": "delivered",  # DSN delivered
    "dispatch.receipt": "delivered",  # MDN deleted/denied
    "dispatch.read": "received",  # MDN displayed
    "dispatch.downloaded": "received",  # portal download by a person (data.level "confirmed")
    "reply.received": "received",  # the recipient wrote back (unless to say it never arrived)
    "invoice.receipt_confirmed": "received",  # a person says so (chat, API)
    "invoice.disputed": "received",
    "invoice.acknowledged": "acknowledged",
    "payment.promised": "acknowledged",
    "payment.announced": "acknowledged",
    "invoice.approved": "approved",  # validator, platform status, chat
    "invoice.paid": "paid",
}
NOT_RECEIVED_INTENTS = ("not_received", "resend_request")
CUSTOMER_FACING = ("remind", "resend", "formal_notice", "hand_over")  # business hours, pauses
CHECK = "check"  # the hidden deadline step of each milestone
DONE_STATES = ("done", "skipped", "cancelled", "failed")


def evidence_types(expect: str) -> list[str]:
    floor = LEVELS.index(expect)
    return [kind for kind, level in EVIDENCE.items() if LEVELS.index(level) >= floor]


# --- definitions: checking and resolving ----------------------------------------------------------------


def scenarios_of(configured: Iterable[ScenarioSettings]) -> dict[str, ScenarioSettings]:
    return {**BUILTIN_SCENARIOS, **{s.name: s for s in configured}}


def check_definitions(groups: list[GroupSettings], scenarios: list[ScenarioSettings]) -> None:
    """Refuse at load what cannot run: unknown scenario, step on an unknown milestone, duplicate names."""
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise ValueError(f"two scenarios share a name: {sorted(n for n in names if names.count(n) > 1)}")
    known = scenarios_of(scenarios)
    for scenario in scenarios:
        steps = [s.name for s in scenario.steps]
        if len(set(steps)) != len(steps) or "deadline" in steps:
            raise ValueError(f"scenario {scenario.name!r}: step names must be unique and not 'deadline'")
    group_names = [g.name.lower() for g in groups]
    if len(set(group_names)) != len(group_names):
        raise ValueError("two groups share a name")
    every = list(groups) + ([] if "default" in group_names else [DEFAULT_GROUP])
    for group in every:
        scenario = known.get(group.scenario)
        if scenario is None:
            raise ValueError(f"group {group.name!r}: no scenario {group.scenario!r}")
        milestones = [m.name for m in group.milestones or DEFAULT_MILESTONES]
        if len(set(milestones)) != len(milestones):
            raise ValueError(f"group {group.name!r}: two milestones share a name")
        for step in scenario.steps:
            if step.milestone not in milestones:
                raise ValueError(
                    f"group {group.name!r}: scenario {scenario.name!r} step {step.name!r} follows milestone "
                    f"{step.milestone!r}, which the group does not have ({', '.join(milestones)})"
                )
            if step.action == "webhook" and not step.url:
                raise ValueError(f"scenario {scenario.name!r} step {step.name!r}: a webhook needs a url")


@dataclass(frozen=True)
class Definitions:
    group: str
    milestones: tuple[MilestoneSettings, ...]
    scenario: ScenarioSettings | None  # None: milestones only (a customer with dunning off)

    def milestone(self, name: str) -> MilestoneSettings | None:
        return next((m for m in self.milestones if m.name == name), None)


def definitions_for(settings: Settings, customer: Customer | None) -> Definitions:
    """The customer's group (or the default one), with the per-customer overrides of `Customer.settings`:
    `scenario` (a scenario name) and `dunning = false` (milestones tracked, no step taken)."""
    overrides = dict(customer.settings or {}) if customer else {}
    wanted = str(overrides.get("group") or (customer.group if customer else "") or "").lower()
    groups = {g.name.lower(): g for g in settings.groups}
    group = groups.get(wanted) or groups.get("default") or DEFAULT_GROUP
    known = scenarios_of(settings.scenarios)
    scenario = known.get(str(overrides.get("scenario") or group.scenario)) or known[group.scenario]
    milestones = tuple(group.milestones or DEFAULT_MILESTONES)
    if scenario is not None and any(s.milestone not in {m.name for m in milestones} for s in scenario.steps):
        scenario = known[group.scenario]  # an override that does not fit the group: the group's own
    if overrides.get("dunning") is False:
        scenario = None
    return Definitions(group.name, milestones, scenario)


# --- evidence ------------------------------------------------------------------------------------------


def _counts(event: Event) -> bool:
    data = event.data or {}
    if data.get("level") == "hint":
        return False
    return not (event.type == "reply.received" and data.get("intent") in NOT_RECEIVED_INTENTS)


def evidence(session: Session, invoice: Invoice, expect: str) -> Event | None:
    """The first event proving `expect` (or more) for this invoice, if any."""
    query = (
        select(Event)
        .where(Event.invoice_id == invoice.id, Event.type.in_(evidence_types(expect)))
        .order_by(Event.at, Event.id)
    )
    return next((e for e in session.scalars(query) if _counts(e)), None)


def evidence_in(history: Iterable[Event], expect: str) -> Event | None:
    """The same, from an invoice's events already loaded in (at, id) order."""
    wanted = set(evidence_types(expect))
    return next((e for e in history if e.type in wanted and _counts(e)), None)


def _met(session: Session, milestone: Milestone, proof: Event, *, actor: str = "jalon") -> None:
    was = milestone.state
    milestone.state = "met"
    milestone.met_at = proof.at
    milestone.evidence_event_id = proof.id
    events.record(
        session,
        "milestone.met",
        invoice_id=milestone.invoice_id,
        actor=actor,
        milestone=milestone.name,
        evidence=proof.type,
        evidence_event_id=proof.id,
        was=was,
    )
    cancel_ladder(session, milestone, reason=f"milestone met ({proof.type})")
    for case in session.scalars(select(Case).where(Case.open_key == late_case_key(milestone))):
        cases.close_case(session, case, actor=actor, resolution=f"{milestone.name} met: {proof.type}")


def settle_milestones(session: Session, invoice: Invoice, *, actor: str = "jalon") -> int:
    """Mark met every unmet milestone of the invoice that its events now prove; returns how many."""
    count = 0
    for milestone in session.scalars(select(Milestone).where(Milestone.invoice_id == invoice.id)):
        if milestone.state == "met":
            continue
        proof = evidence(session, invoice, milestone.expect)
        if proof is not None:
            session.flush()
            _met(session, milestone, proof, actor=actor)
            count += 1
    return count


def cancel_ladder(session: Session, milestone: Milestone, *, reason: str) -> int:
    result = session.execute(
        update(ScenarioStep)
        .where(
            ScenarioStep.invoice_id == milestone.invoice_id,
            ScenarioStep.milestone == milestone.name,
            ScenarioStep.state == "scheduled",
        )
        .values(state="cancelled", result={"reason": reason})
        .execution_options(synchronize_session="fetch")
    )
    return int(getattr(result, "rowcount", 0) or 0)


def stop_invoice(session: Session, invoice_id: int, *, reason: str) -> int:
    """Nothing more runs for this invoice (paid, cancelled, replaced)."""
    result = session.execute(
        update(ScenarioStep)
        .where(ScenarioStep.invoice_id == invoice_id, ScenarioStep.state == "scheduled")
        .values(state="cancelled", result={"reason": reason})
        .execution_options(synchronize_session="fetch")
    )
    return int(getattr(result, "rowcount", 0) or 0)


def release_parked(session: Session, *, invoice_id: int | None = None, customer_id: int | None = None) -> int:
    """Steps parked by a pause become claimable at once (a dispute resolved, a pause lifted)."""
    query = update(ScenarioStep).where(
        ScenarioStep.state == "scheduled", ScenarioStep.claimed_by.like("parked:%")
    )
    if invoice_id is not None:
        query = query.where(ScenarioStep.invoice_id == invoice_id)
    if customer_id is not None:
        query = query.where(ScenarioStep.customer_id == customer_id)
    result = session.execute(
        query.values(claimed_by=None, claimed_until=None).execution_options(synchronize_session="fetch")
    )
    return int(getattr(result, "rowcount", 0) or 0)


def late_case_key(milestone: Milestone) -> str:
    return cases.case_key("late", "milestone", milestone.id)


# --- the tick --------------------------------------------------------------------------------------------


@dataclass
class TickReport:
    now: dt.datetime
    enrolled: int = 0
    claimed: int = 0
    done: int = 0
    skipped: int = 0
    cancelled: int = 0
    parked: int = 0
    failed: int = 0
    late: int = 0
    excepted: int = 0
    met: int = 0
    closed_cases: int = 0
    agency_told: int = 0  # handed-over invoices since settled, the agency told
    holdbacks_due: int = 0  # paid invoices whose holdback is owed now: a case to claim it
    credited: int = 0  # credit notes set against an invoice that left after them
    mails: int = 0
    seconds: float = 0.0
    actions: dict[str, int] = field(default_factory=dict)

    def add(self, other: TickReport) -> None:
        """Count a batch's outcome in this tick's."""
        for name in ("done", "skipped", "cancelled", "parked", "failed", "late", "excepted", "met", "mails"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for action, count in other.actions.items():
            self.actions[action] = self.actions.get(action, 0) + count

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["now"] = self.now.isoformat()
        return data


def default_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:tick"


def tick(
    database: Database,
    settings: Settings,
    now: dt.datetime | None = None,
    *,
    owner: str | None = None,
    on_batch: Callable[[], None] | None = None,
    limit: int | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> TickReport:
    """Enrol newly sent invoices, run every step due at `now`, and close the cases of unstuck invoices."""
    from jalon.credits import allocate_waiting
    from jalon.steps import Runner

    started = time.perf_counter()
    now = now or utcnow()
    owner = owner or default_owner()
    limit = limit or settings.scheduler.batch_size
    calendar = BusinessCalendar.from_settings(settings)
    report = TickReport(now)
    report.credited = allocate_waiting(database, now)  # before the steps: no reminder for money credited
    while enrolled := enrol_pending(database, settings, calendar, now, limit):
        report.enrolled += enrolled
    while ids := claim_due(database, settings, now, owner=owner, limit=limit):
        report.claimed += len(ids)

        def run_batch(careful: bool, ids: list[int] = ids) -> tuple[TickReport, list[Callable[[], None]]]:
            batch, after_commit = TickReport(now), []
            with database.session() as session:
                Runner(session, settings, calendar, now, owner, batch, after_commit, careful=careful).run(ids)
            return batch, after_commit

        try:
            batch, after_commit = run_batch(careful=False)
        except Exception:
            log.warning("a scenario step failed: running its batch again, one step at a time", exc_info=True)
            batch, after_commit = run_batch(careful=True)
        report.add(batch)
        for action in after_commit:
            try:
                action()
            except Exception:
                log.exception("after-commit action of a scenario step failed")
        if on_batch:
            on_batch()
        if should_stop and should_stop():
            break
    report.closed_cases += close_unstuck(database, now)
    report.agency_told += _tell_agency(database, settings, calendar, now)
    report.holdbacks_due += holdbacks_due(database, settings, now)
    report.seconds = round(time.perf_counter() - started, 4)
    return report


def _tell_agency(database: Database, settings: Settings, calendar: BusinessCalendar, now: dt.datetime) -> int:
    """Handed-over invoices since paid or cancelled: the agency is told (collection.notify_settled)."""
    from jalon.collection import notify_settled
    from jalon.dunning import ActionContext

    after_commit: list[Callable[[], None]] = []
    with database.session() as session:
        told = notify_settled(session, ActionContext(session, settings, calendar, now, after_commit))
    for action in after_commit:
        try:
            action()
        except Exception:
            log.exception("telling the collection agency failed")
    return told


def holdbacks_due(database: Database, settings: Settings, now: dt.datetime) -> int:
    """Paid invoices whose retenue de garantie is still owed when the guarantee ends: a case, once, so that
    somebody claims it (a holdback is easily forgotten for a year)."""
    from jalon.dunning import held_back

    period = settings.dunning.holdback_period
    opened = 0
    with database.session() as session:
        kept = session.scalars(
            select(Invoice).where(
                Invoice.state == "paid",
                Invoice.holdback.is_not(None),
                Invoice.amount_paid < Invoice.amount_due,
            )
        ).all()
        for invoice in kept:
            since = (invoice.issue_date or invoice.created_at.date()) + period
            owed = held_back(invoice)
            if since > now.date() or owed <= 0 or events.last_at(session, invoice.id, "invoice.holdback_due"):
                continue
            customer = session.get(Customer, invoice.customer_id) if invoice.customer_id else None
            events.record(session, "invoice.holdback_due", invoice_id=invoice.id, holdback=owed, since=since,
                          at=now)  # fmt: skip
            cases.open_case(
                session,
                "holdback_due",
                f"{invoice.number}: holdback of {owed} {invoice.currency} to claim",
                key=cases.case_key("holdback_due", "invoice", invoice.id),
                facts={
                    "number": invoice.number,
                    "customer": customer.name if customer else None,
                    "holdback": f"{owed} {invoice.currency}",
                    "release_on": since.isoformat(),
                },
                invoice_id=invoice.id,
                customer_id=invoice.customer_id,
            )
            opened += 1
    return opened


def enrol_pending(
    database: Database, settings: Settings, calendar: BusinessCalendar, now: dt.datetime, limit: int
) -> int:
    """Sent invoices with no milestone yet get theirs (computed lazily here, whatever sent them)."""
    with database.session() as session:
        query = (
            select(Invoice)
            .where(Invoice.state == "sent", ~exists().where(Milestone.invoice_id == Invoice.id))
            .order_by(Invoice.id)
            .limit(limit)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=Invoice)
        invoices = list(session.scalars(query))
        from jalon.planning import enrol

        for invoice in invoices:
            enrol(session, settings, invoice, now, calendar)
        return len(invoices)


def claim_due(
    database: Database, settings: Settings, now: dt.datetime, *, owner: str, limit: int
) -> list[int]:
    """Claim up to `limit` due steps for `owner` until now + lease. Reminders of the customers concerned
    that are due too come along, so that one customer gets one grouped mail."""
    lease_until = now + settings.scheduler.lease
    with database.session() as session:
        postgres = session.get_bind().dialect.name == "postgresql"
        claimable = (
            ScenarioStep.state == "scheduled",
            ScenarioStep.due_at <= now,
            (ScenarioStep.claimed_until.is_(None)) | (ScenarioStep.claimed_until <= now),
        )
        query = select(ScenarioStep.id, ScenarioStep.customer_id, ScenarioStep.action).where(*claimable)
        query = query.order_by(ScenarioStep.due_at, ScenarioStep.id).limit(limit)
        if postgres:
            query = query.with_for_update(skip_locked=True)
        rows = session.execute(query).all()
        ids = [row.id for row in rows]
        customers = {row.customer_id for row in rows if row.action == "remind" and row.customer_id}
        if customers and settings.dunning.group_reminders:
            more = select(ScenarioStep.id).where(
                *claimable,
                ScenarioStep.action == "remind",
                ScenarioStep.customer_id.in_(customers),
                ScenarioStep.id.not_in(ids),
            )
            if postgres:
                more = more.with_for_update(skip_locked=True)
            ids += list(session.scalars(more.limit(limit)))
        if ids:
            session.execute(
                update(ScenarioStep)
                .where(ScenarioStep.id.in_(ids))
                .values(claimed_by=owner, claimed_until=lease_until)
            )
        return ids


def close_unstuck(database: Database, now: dt.datetime) -> int:
    """Open `late` cases whose milestone got met meanwhile (received, approved, paid…) close themselves, and
    so do the watched "not received" cases once receipt is proven by any means."""
    from jalon.handlers.returns import close_proven_cases

    closed = 0
    with database.session() as session:
        closed += close_proven_cases(session)
        open_late = session.scalars(select(Case).where(Case.kind == "late", Case.state == "open")).all()
        for case in open_late:
            milestone_id = (case.facts or {}).get("milestone_id")
            milestone = session.get(Milestone, milestone_id) if milestone_id else None
            invoice = session.get(Invoice, case.invoice_id) if case.invoice_id else None
            if invoice is None or milestone is None:
                continue
            if invoice.state in ("cancelled", "replaced"):
                cases.close_case(session, case, actor="jalon", resolution=f"invoice {invoice.state}", at=now)
                closed += 1
                continue
            proof = evidence(session, invoice, milestone.expect)
            if proof is not None:
                _met(session, milestone, proof)
                closed += 1
    return closed
