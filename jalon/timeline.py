"""Reading one invoice's timeline: its milestones (state, deadline, when and by what evidence they were met)
and its scenario steps (when, in what state), with the evidence evaluated afresh."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jalon.businesstime import BusinessCalendar
from jalon.config import Settings
from jalon.db import utcnow
from jalon.models import Customer, Event, Invoice, Milestone, ScenarioStep
from jalon.planning import plan
from jalon.scenarios import CHECK, EVIDENCE, evidence


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _evidence_dict(event: Event | None) -> dict[str, Any] | None:
    if event is None:
        return None
    data = event.data or {}
    return {
        "event_id": event.id,
        "type": event.type,
        "at": _iso(event.at),
        "level": EVIDENCE.get(event.type),
        "dispatch_id": event.dispatch_id,
        "detail": {
            k: data[k] for k in ("recipient", "intent", "sender", "amount", "disposition") if k in data
        },
    }


def step_state(step: ScenarioStep, now: dt.datetime) -> str:
    if step.state != "scheduled":
        return step.state
    if step.claimed_until and step.claimed_until > now:
        return "parked" if (step.claimed_by or "").startswith("parked:") else "claimed"
    return "due" if step.due_at <= now else "scheduled"


def timeline(
    session: Session, settings: Settings, invoice: Invoice, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Milestones (name, state, due_at, met_at, evidence) and steps (name, due_at, state), evidence fresh."""
    now = now or utcnow()
    stored = list(
        session.scalars(select(Milestone).where(Milestone.invoice_id == invoice.id).order_by(Milestone.id))
    )
    milestones = []
    if stored:
        for milestone in stored:
            proof = evidence(session, invoice, milestone.expect)
            state = "met" if proof is not None else milestone.state
            if state == "pending" and milestone.due_at and milestone.due_at <= now:
                state = "late"
            milestones.append(
                {
                    "name": milestone.name,
                    "expect": milestone.expect,
                    "state": state,
                    "due_at": _iso(milestone.due_at),
                    "met_at": _iso(proof.at if proof else None),
                    "evidence": _evidence_dict(proof),
                }
            )
    else:  # not enrolled (yet): what the plan would be
        calendar = BusinessCalendar.from_settings(settings)
        customer = session.get(Customer, invoice.customer_id) if invoice.customer_id else None
        for spec, deadline in plan(settings, calendar, invoice, customer, now).milestones:
            proof = evidence(session, invoice, spec.expect)
            milestones.append(
                {
                    "name": spec.name,
                    "expect": spec.expect,
                    "state": "met" if proof else ("late" if deadline <= now else "pending"),
                    "due_at": _iso(deadline),
                    "met_at": _iso(proof.at if proof else None),
                    "evidence": _evidence_dict(proof),
                }
            )
    steps = [
        {
            "name": step.name,
            "milestone": step.milestone,
            "action": step.action,
            "due_at": _iso(step.due_at),
            "state": step_state(step, now),
            "done_at": _iso(step.done_at),
            "parked_until": _iso(step.claimed_until) if step_state(step, now) == "parked" else None,
            "result": step.result or {},
        }
        for step in session.scalars(
            select(ScenarioStep)
            .where(ScenarioStep.invoice_id == invoice.id, ScenarioStep.action != CHECK)
            .order_by(ScenarioStep.due_at, ScenarioStep.id)
        )
    ]
    return {
        "number": invoice.number,
        "state": invoice.state,
        "enrolled": bool(stored),
        "paused_until": _iso(invoice.paused_until),
        "pause_reason": invoice.pause_reason,
        "milestones": milestones,
        "steps": steps,
    }


def due_count(session: Session, now: dt.datetime) -> int:
    """How many steps are due and claimable (ops: the backlog)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(ScenarioStep)
            .where(ScenarioStep.state == "scheduled", ScenarioStep.due_at <= now)
        )
        or 0
    )
