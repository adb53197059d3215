"""Running claimed scenario steps, in the caller's transaction: decide whether each step runs now (the invoice
still stuck, the step not stale nor superseded, no pause, business hours), run the ones that do (reminders of
one customer grouped into one mail), and turn a late milestone whose steps are exhausted into a case.

Each step runs inside a savepoint: a failing step is retried later (then becomes a case) without undoing the
others. Whatever a step queues (outbox rows, events) commits with the step marked done, or not at all.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session

from jalon import dunning, events
from jalon.businesstime import BusinessCalendar
from jalon.config import Settings
from jalon.handlers import cases
from jalon.models import Customer, Invoice, Milestone, ScenarioStep
from jalon.scenarios import (
    CHECK,
    CUSTOMER_FACING,
    TickReport,
    _met,
    definitions_for,
    evidence,
    late_case_key,
    stop_invoice,
)

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
RETRY_AFTER = dt.timedelta(minutes=5)


def open_late_case(
    session: Session, invoice: Invoice, milestone: Milestone, reason: str, **facts: Any
) -> None:
    """One case per late milestone, updated in place (a `case` step and the exhaustion share it)."""
    customer = session.get(Customer, invoice.customer_id) if invoice.customer_id else None
    cases.open_case(
        session,
        "late",
        f"Invoice {invoice.number}: {milestone.name} late",
        key=late_case_key(milestone),
        facts={
            "milestone_id": milestone.id,
            "milestone": milestone.name,
            "number": invoice.number,
            "customer": customer.name if customer else None,
            "due_at": milestone.due_at.isoformat() if milestone.due_at else None,
            "amount_due": str(dunning.outstanding(invoice)),
            "currency": invoice.currency,
            "reason": reason,
            **facts,
        },
        invoice_id=invoice.id,
        customer_id=invoice.customer_id,
    )


class Runner:
    """Runs one batch of claimed steps for `owner` at `now`; the caller commits."""

    def __init__(
        self,
        session: Session,
        settings: Settings,
        calendar: BusinessCalendar,
        now: dt.datetime,
        owner: str,
        report: TickReport,
        after_commit: list[Callable[[], None]],
    ) -> None:
        self.session = session
        self.settings = settings
        self.calendar = calendar
        self.now = now
        self.owner = owner
        self.report = report
        self.context = dunning.ActionContext(session, settings, calendar, now, after_commit, report)
        self.touched: dict[int, Milestone] = {}
        self._customer_pause: dict[int, tuple[dt.datetime, str] | None] = {}

    def run(self, ids: list[int]) -> None:
        steps = self.session.scalars(
            select(ScenarioStep)
            .where(
                ScenarioStep.id.in_(ids),
                ScenarioStep.claimed_by == self.owner,
                ScenarioStep.state == "scheduled",
            )
            .order_by(ScenarioStep.due_at, ScenarioStep.id)
            .with_for_update()
        ).all()
        ready: list[ScenarioStep] = []
        for step in steps:
            try:
                with self.session.begin_nested():
                    if self.decide(step):
                        ready.append(step)
            except Exception as error:
                self.fail(step, error)
        by_customer: dict[int | None, list[ScenarioStep]] = defaultdict(list)
        for step in ready:
            if step.action == "remind" and self.settings.dunning.group_reminders and step.customer_id:
                by_customer[step.customer_id].append(step)
            else:
                self.execute([step])
        for group in by_customer.values():
            if len({s.invoice_id for s in group}) > 1:
                self.execute(group)
            else:
                for step in group:
                    self.execute([step])
        for milestone in self.touched.values():
            self.except_if_exhausted(milestone)

    # deciding ---------------------------------------------------------------------------------------------

    def decide(self, step: ScenarioStep) -> bool:
        """True when the step is to run now; otherwise it is settled (done, skipped, cancelled) or parked."""
        session, now = self.session, self.now
        invoice = session.get(Invoice, step.invoice_id) if step.invoice_id else None
        if invoice is None or invoice.state in ("cancelled", "replaced", "paid"):
            state = invoice.state if invoice else "gone"
            self.report.cancelled += stop_invoice(session, step.invoice_id or 0, reason=f"invoice {state}")
            if invoice is not None and invoice.state == "paid":
                from jalon.scenarios import settle_milestones

                self.report.met += settle_milestones(session, invoice)
            return False
        milestone = session.scalar(
            select(Milestone).where(Milestone.invoice_id == invoice.id, Milestone.name == step.milestone)
        )
        if milestone is None or milestone.state == "met":
            self.settle(step, "cancelled", "milestone met" if milestone else "milestone no longer planned")
            return False
        proof = evidence(session, invoice, milestone.expect)
        if proof is not None:
            _met(session, milestone, proof)  # cancels this step and the rest of its ladder
            self.report.met += 1
            self.report.cancelled += 1
            return False
        self.touched[milestone.id] = milestone
        if step.action == CHECK:
            if milestone.state == "pending":
                milestone.state = "late"
                events.record(
                    session,
                    "milestone.late",
                    invoice_id=invoice.id,
                    at=now,
                    milestone=milestone.name,
                    expect=milestone.expect,
                    due_at=milestone.due_at,
                )
                self.report.late += 1
            self.settle(step, "done", "deadline passed")
            return False
        if step.params.get("before_deadline") and milestone.due_at and now >= milestone.due_at:
            self.settle(step, "skipped", "its milestone's deadline passed before it could run")
            return False
        later = self.later_sibling(step)
        if later is not None:
            self.settle(step, "skipped", f"superseded by {later} (catching up: only the latest step runs)")
            return False
        if step.action not in CUSTOMER_FACING:
            return True
        if step.action != "hand_over" and dunning.handed_over(session, invoice):
            self.settle(step, "skipped", "handed over to the collection agency")
            return False
        pause = self.pause_of(invoice)
        if pause is not None:
            self.park(step, pause[0], f"paused:{pause[1]}")
            return False
        if not self.calendar.is_open(now):
            self.park(step, self.calendar.next_open(now), "quiet")
            return False
        return True

    def later_sibling(self, step: ScenarioStep) -> str | None:
        """A later step of the same ladder that is due too: the earlier one is stale."""
        return self.session.scalar(
            select(ScenarioStep.name)
            .where(
                ScenarioStep.invoice_id == step.invoice_id,
                ScenarioStep.milestone == step.milestone,
                ScenarioStep.state == "scheduled",
                ScenarioStep.action != CHECK,
                ScenarioStep.due_at <= self.now,
                or_(
                    ScenarioStep.due_at > step.due_at,
                    and_(ScenarioStep.due_at == step.due_at, ScenarioStep.id > step.id),
                ),
            )
            .order_by(ScenarioStep.due_at.desc())
            .limit(1)
        )

    def pause_of(self, invoice: Invoice) -> tuple[dt.datetime, str] | None:
        """(until, why) when reminders to this invoice (or, by `[dunning] pause_scope`, its customer) wait."""
        now = self.now
        if invoice.paused_until is not None:
            if invoice.paused_until > now:
                return invoice.paused_until, invoice.pause_reason or "paused"
            self.pause_ended(invoice)
        if self.settings.dunning.pause_scope != "customer" or invoice.customer_id is None:
            return None
        if invoice.customer_id not in self._customer_pause:
            other = self.session.scalars(
                select(Invoice)
                .where(
                    Invoice.customer_id == invoice.customer_id,
                    Invoice.id != invoice.id,
                    Invoice.state == "sent",
                    Invoice.paused_until > now,
                )
                .order_by(Invoice.paused_until.desc())
                .limit(1)
            ).first()
            self._customer_pause[invoice.customer_id] = (
                (other.paused_until, f"{other.pause_reason or 'paused'} on {other.number}")
                if other is not None and other.paused_until is not None
                else None
            )
        return self._customer_pause[invoice.customer_id]

    def pause_ended(self, invoice: Invoice) -> None:
        """A pause that ran out (a promise not kept, an announced payment that never came): recorded once."""
        reason = invoice.pause_reason or "paused"
        events.record(
            self.session,
            "payment.promise_lapsed" if reason == "promise" else "invoice.pause_ended",
            invoice_id=invoice.id,
            at=self.now,
            reason=reason,
            paused_until=invoice.paused_until,
        )
        invoice.paused_until = None
        invoice.pause_reason = None

    # settling ---------------------------------------------------------------------------------------------

    def settle(self, step: ScenarioStep, state: str, reason: str, **result: Any) -> None:
        step.state = state
        step.done_at = self.now
        step.claimed_by = self.owner
        step.result = {**(step.result or {}), "reason": reason, **result}
        if state == "skipped":
            self.report.skipped += 1
        elif state == "cancelled":
            self.report.cancelled += 1
        if state in ("skipped", "cancelled"):
            events.record(
                self.session,
                f"step.{state}",
                invoice_id=step.invoice_id,
                at=self.now,
                step=step.name,
                milestone=step.milestone,
                reason=reason,
            )

    def park(self, step: ScenarioStep, until: dt.datetime, why: str) -> None:
        step.claimed_by = f"parked:{why}"[:64]
        step.claimed_until = until
        step.result = {**(step.result or {}), "parked": why, "until": until.isoformat()}
        self.report.parked += 1

    def fail(self, step: ScenarioStep, error: Exception) -> None:
        log.exception("scenario step %s failed", step.key)
        attempts = int((step.result or {}).get("attempts", 0)) + 1
        step.result = {"attempts": attempts, "error": f"{type(error).__name__}: {error}"[:500]}
        if attempts < MAX_ATTEMPTS:
            step.claimed_by = "retry"
            step.claimed_until = self.now + RETRY_AFTER * attempts
            return
        step.state = "failed"
        step.done_at = self.now
        self.report.failed += 1
        invoice = self.session.get(Invoice, step.invoice_id) if step.invoice_id else None
        milestone = self.session.scalar(
            select(Milestone).where(Milestone.invoice_id == step.invoice_id, Milestone.name == step.milestone)
        )
        if invoice is not None and milestone is not None:
            open_late_case(
                self.session, invoice, milestone, f"step {step.name} failed: {step.result['error']}"
            )

    # running ----------------------------------------------------------------------------------------------

    def execute(self, group: list[ScenarioStep]) -> None:
        """Run one step, or several reminders of one customer as one grouped mail."""
        try:
            with self.session.begin_nested():
                if len(group) == 1:
                    step = group[0]
                    invoice = self.session.get(Invoice, step.invoice_id)
                    assert invoice is not None
                    outcome = dunning.ACTIONS[step.action](self.context, step, invoice)
                    results = {step.id: outcome}
                else:
                    results = dunning.grouped_reminder(self.context, group)
                for step in group:
                    self.settle(step, "done", f"{step.action} done", **results[step.id])
                    self.report.done += 1
                    self.report.actions[step.action] = self.report.actions.get(step.action, 0) + 1
        except Exception as error:
            for step in group:
                self.fail(step, error)

    def except_if_exhausted(self, milestone: Milestone) -> None:
        """A late milestone with no step left becomes a case for people (unless it is only noted)."""
        if milestone.state != "late":
            return
        remaining = self.session.scalar(
            select(
                exists().where(
                    ScenarioStep.invoice_id == milestone.invoice_id,
                    ScenarioStep.milestone == milestone.name,
                    ScenarioStep.state == "scheduled",
                )
            )
        )
        if remaining:
            return
        invoice = self.session.get(Invoice, milestone.invoice_id)
        assert invoice is not None
        customer = self.session.get(Customer, invoice.customer_id) if invoice.customer_id else None
        spec = definitions_for(self.settings, customer).milestone(milestone.name)
        if spec is not None and spec.on_late == "note":
            return
        milestone.state = "excepted"
        done = self.session.scalars(
            select(ScenarioStep.name).where(
                ScenarioStep.invoice_id == milestone.invoice_id,
                ScenarioStep.milestone == milestone.name,
                ScenarioStep.state == "done",
                ScenarioStep.action != CHECK,
            )
        ).all()
        events.record(
            self.session,
            "milestone.excepted",
            invoice_id=invoice.id,
            at=self.now,
            milestone=milestone.name,
            steps_done=list(done),
        )
        open_late_case(
            self.session, invoice, milestone, "still late after its scenario steps", steps_done=list(done)
        )
        self.report.excepted += 1
