"""Planning an invoice's timeline: when each of its milestones falls due and when each scenario step runs
(business days, the opening of business hours, the time zone), and enrolling it: the rows that `tick` works
from, inserted once even when two processes enrol the same invoice."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from jalon import events
from jalon.businesstime import BusinessCalendar
from jalon.config import MilestoneSettings, Settings
from jalon.models import Customer, Invoice, Milestone, ScenarioStep
from jalon.scenarios import CHECK, definitions_for


@dataclass
class PlannedStep:
    milestone: str
    name: str
    action: str
    due_at: dt.datetime
    params: dict[str, Any]


@dataclass
class Plan:
    group: str
    scenario: str | None
    milestones: list[tuple[MilestoneSettings, dt.datetime]]
    steps: list[PlannedStep]
    due_assumed: bool = False


def _whole_days(delta: dt.timedelta) -> int | None:
    return delta.days if delta.seconds == 0 and delta.microseconds == 0 else None


def plan(
    settings: Settings,
    calendar: BusinessCalendar,
    invoice: Invoice,
    customer: Customer | None,
    now: dt.datetime,
) -> Plan:
    """When each milestone falls due and when each step runs, for one invoice (nothing stored)."""
    definitions = definitions_for(settings, customer)
    sent_at = invoice.sent_at or now
    due_date, assumed = invoice.due_date, False
    if due_date is None:
        start = invoice.issue_date or calendar.today(sent_at)
        due_date, assumed = start + settings.dunning.default_terms, True
    anchors = {"issue": invoice.issue_date or calendar.today(sent_at), "due": due_date}
    scenario = definitions.scenario
    business = scenario is not None and scenario.days == "business"
    debited = invoice.debited
    result = Plan(definitions.group, scenario.name if scenario else None, [], [], assumed)
    for spec in definitions.milestones:
        if spec.expect in ("paid", "approved") and invoice.doc_type == "credit_note":
            continue  # nobody pays a credit note
        days = _whole_days(spec.within)
        if spec.after == "sent":
            deadline = sent_at + spec.within
            ref_day = None
        else:
            ref_day = calendar.add_days(anchors[spec.after], days or 0, business=business)
            extra = dt.timedelta(0) if days is not None else spec.within
            deadline = calendar.at(ref_day + dt.timedelta(days=1)) + extra  # the end of the day
        result.milestones.append((spec, deadline))
        result.steps.append(PlannedStep(spec.name, "deadline", CHECK, deadline, {}))
        for step in scenario.steps if scenario else ():
            if step.milestone != spec.name:
                continue
            if debited and spec.expect == "paid" and step.action == "remind" and step.at < dt.timedelta(0):
                continue  # the seller collects it on the due date: no "please pay" before it
            offset = _whole_days(step.at)
            if ref_day is not None and offset is not None:  # "J+8": a day, at the opening of business hours
                when = calendar.at(calendar.add_days(ref_day, offset, business=business), calendar.opening())
            elif business and offset is not None:
                local = calendar.local(deadline)
                day = calendar.add_business_days(local.date(), offset)
                when = calendar.at(day, local.time().replace(tzinfo=None))
            else:
                when = deadline + step.at
            params = {
                "template": step.template,
                "to": list(step.to),
                "before_deadline": step.at < dt.timedelta(0),
            }
            if step.url:
                params["url"] = step.url
            result.steps.append(
                PlannedStep(spec.name, step.name, step.action, calendar.next_open(when), params)
            )
    return result


_INSERTS_IGNORING: dict[tuple[str, str], Any] = {}  # (dialect, table) -> its INSERT … ON CONFLICT DO NOTHING


def _insert_ignoring(session: Session, model: Any, rows: list[dict[str, Any]], keys: list[str]) -> None:
    """Insert rows, skipping those whose unique key exists (two processes may enrol the same invoice)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    statement = _INSERTS_IGNORING.get((dialect, model.__tablename__))
    if statement is None:
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        else:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert  # type: ignore[assignment]
        statement = dialect_insert(model.__table__).on_conflict_do_nothing(index_elements=keys)
        _INSERTS_IGNORING[(dialect, model.__tablename__)] = statement
    # executemany of one statement built once: a multi-row VALUES is compiled again for every invoice
    # (~0.5 ms); on the table, not the class: the ORM's bulk-insert path cost more than the statement (its
    # rows are column values already, and nothing of the session needs them); on the session's connection:
    # through the session, the statement first flushed what was pending (a batch of sent mails flushed once
    # per mail instead of once at commit)
    session.connection().execute(statement, rows)


def step_key(invoice_id: int, milestone: str, name: str) -> str:
    return f"{invoice_id}:{milestone}:{name}"


def enrol(
    session: Session,
    settings: Settings,
    invoice: Invoice,
    now: dt.datetime,
    calendar: BusinessCalendar | None = None,
) -> Plan:
    """Put a sent invoice on its timeline: its milestones and their steps. Idempotent."""
    calendar = calendar or BusinessCalendar.from_settings(settings)
    customer = session.get(Customer, invoice.customer_id) if invoice.customer_id else None
    planned = plan(settings, calendar, invoice, customer, now)
    _insert_ignoring(
        session,
        Milestone,
        [
            {
                "invoice_id": invoice.id,
                "name": spec.name,
                "expect": spec.expect,
                "state": "pending",
                "due_at": at,
            }
            for spec, at in planned.milestones
        ],
        ["invoice_id", "name"],
    )
    _insert_ignoring(
        session,
        ScenarioStep,
        [
            {
                "key": step_key(invoice.id, s.milestone, s.name),
                "invoice_id": invoice.id,
                "customer_id": invoice.customer_id,
                "milestone": s.milestone,
                "name": s.name,
                "action": s.action,
                "params": s.params,
                "due_at": s.due_at,
                "state": "scheduled",
                "result": {},
            }
            for s in planned.steps
        ],
        ["key"],
    )
    events.record(
        session,
        "invoice.enrolled",
        invoice_id=invoice.id,
        customer_id=invoice.customer_id,
        at=now,
        group=planned.group,
        scenario=planned.scenario,
        milestones=[spec.name for spec, _ in planned.milestones],
        due_assumed=planned.due_assumed,
    )
    return planned
