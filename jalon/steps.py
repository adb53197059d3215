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

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from jalon import collection, dunning, events
from jalon.businesstime import BusinessCalendar
from jalon.config import Settings
from jalon.handlers import cases
from jalon.models import Customer, Event, Invoice, Milestone, ScenarioStep
from jalon.scenarios import (
    CHECK,
    CUSTOMER_FACING,
    EVIDENCE,
    TickReport,
    _met,
    definitions_for,
    evidence_in,
    late_case_key,
    stop_invoice,
)

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
RETRY_AFTER = dt.timedelta(minutes=5)
PAUSE_RECHECK = dt.timedelta(days=1)
# The events a batch needs to decide and write: evidence, hand-over, promises.
WATCHED = (*EVIDENCE, "invoice.handed_over", "payment.promise_lapsed")


# What each step action does (the `action` of a scenario step).
ACTIONS: dict[str, Callable[[dunning.ActionContext, ScenarioStep, Invoice], dict[str, Any]]] = {
    "remind": dunning.remind,
    "resend": dunning.resend,
    "formal_notice": dunning.formal_notice,
    "hand_over": collection.hand_over,
    "case": dunning.case,
    "webhook": dunning.webhook,
}


# What a late milestone means, said as a person would ("paid late" read as if it had been paid).
LATE_TITLES = {
    "paid": "still unpaid after its deadline",
    "received": "no sign the customer has it",
    "delivered": "no delivery confirmed",
    "approved": "not approved yet",
    "accepted": "not accepted by the mail server",
    "acknowledged": "not acknowledged yet",
}


def open_late_case(
    session: Session, invoice: Invoice, milestone: Milestone, reason: str, **facts: Any
) -> None:
    """One case per late milestone, updated in place (a `case` step and the exhaustion share it)."""
    customer = session.get(Customer, invoice.customer_id) if invoice.customer_id else None
    cases.open_case(
        session,
        "late",
        f"Invoice {invoice.number}: {LATE_TITLES.get(milestone.expect, f'{milestone.name} overdue')}",
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
        *,
        careful: bool = True,
    ) -> None:
        self.session = session
        # careful: each step in its own savepoint, a failing one retried later without undoing the others.
        # Not careful (the fast path): no savepoint, the first error aborts the batch (the caller reruns it
        # carefully), and the inserts of the whole batch are flushed together.
        self.careful = careful
        self.settings = settings
        self.calendar = calendar
        self.now = now
        self.owner = owner
        self.report = report
        self.history: dict[int, list[Event]] = defaultdict(list)
        self.context = dunning.ActionContext(
            session, settings, calendar, now, after_commit, report, history=self.history
        )
        self.touched: dict[int, Milestone] = {}
        self.invoices: dict[int, Invoice] = {}
        self.milestones: dict[tuple[int, str], Milestone] = {}
        self.due_ladders: dict[tuple[int, str], list[tuple[dt.datetime, int, str]]] = defaultdict(list)
        self.customer_pause: dict[int, tuple[dt.datetime, str, int]] = {}  # (until, why, invoice)
        self.remaining: dict[tuple[int, str], int] = defaultdict(int)  # scheduled steps per ladder

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
        self.preload({s.invoice_id for s in steps if s.invoice_id})
        ready: list[ScenarioStep] = []
        for step in steps:
            if not self.careful:
                if self.decide(step):
                    ready.append(step)
                continue
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

    def preload(self, invoice_ids: set[int]) -> None:
        """What every step of the batch needs, in a few queries rather than a score per step."""
        if not invoice_ids:
            return
        session, ids = self.session, list(invoice_ids)
        query = select(Invoice).where(Invoice.id.in_(ids))
        query = query.options(
            selectinload(Invoice.dispatches), selectinload(Invoice.customer).selectinload(Customer.contacts)
        )
        self.invoices = {invoice.id: invoice for invoice in session.scalars(query)}
        for milestone in session.scalars(select(Milestone).where(Milestone.invoice_id.in_(ids))):
            self.milestones[(milestone.invoice_id, milestone.name)] = milestone
        watched = select(Event).where(Event.invoice_id.in_(ids), Event.type.in_(WATCHED))
        for event in session.scalars(watched.order_by(Event.at, Event.id)):
            self.history[event.invoice_id or 0].append(event)
        ladders = select(
            ScenarioStep.invoice_id, ScenarioStep.milestone, ScenarioStep.due_at, ScenarioStep.id
        )
        ladders = ladders.add_columns(ScenarioStep.name).where(
            ScenarioStep.invoice_id.in_(ids),
            ScenarioStep.state == "scheduled",
            ScenarioStep.action != CHECK,
            ScenarioStep.due_at <= self.now,
        )
        for invoice_id, milestone, due_at, step_id, name in session.execute(ladders):
            self.due_ladders[(invoice_id, milestone or "")].append((due_at, step_id, name))
        counts = select(ScenarioStep.invoice_id, ScenarioStep.milestone, func.count()).where(
            ScenarioStep.invoice_id.in_(ids), ScenarioStep.state == "scheduled"
        )
        for invoice_id, milestone, count in session.execute(
            counts.group_by(ScenarioStep.invoice_id, ScenarioStep.milestone)
        ):
            self.remaining[(invoice_id, milestone or "")] = int(count)
        customers = {i.customer_id for i in self.invoices.values() if i.customer_id}
        if customers and self.settings.dunning.pause_scope == "customer":
            paused = select(Invoice).where(
                Invoice.customer_id.in_(customers), Invoice.state == "sent", Invoice.paused_until > self.now
            )
            for other in session.scalars(paused.order_by(Invoice.paused_until)):
                assert other.customer_id is not None and other.paused_until is not None
                self.customer_pause[other.customer_id] = (
                    other.paused_until,
                    f"{other.pause_reason or 'paused'} on {other.number}",
                    other.id,
                )

    # deciding ---------------------------------------------------------------------------------------------

    def decide(self, step: ScenarioStep) -> bool:
        """True when the step is to run now; otherwise it is settled (done, skipped, cancelled) or parked."""
        session, now = self.session, self.now
        invoice = self.invoices.get(step.invoice_id or 0) or (
            session.get(Invoice, step.invoice_id) if step.invoice_id else None
        )
        if invoice is None or invoice.state in ("cancelled", "replaced", "paid"):
            state = invoice.state if invoice else "gone"
            self.report.cancelled += stop_invoice(session, step.invoice_id or 0, reason=f"invoice {state}")
            if invoice is not None and invoice.state == "paid":
                from jalon.scenarios import settle_milestones

                self.report.met += settle_milestones(session, invoice)
            return False
        milestone = self.milestones.get((invoice.id, step.milestone or ""))
        if milestone is None or milestone.state == "met":
            self.settle(step, "cancelled", "milestone met" if milestone else "milestone no longer planned")
            return False
        proof = evidence_in(self.history[invoice.id], milestone.expect)
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
        if later is not None and step.action != "formal_notice":
            # A formal notice is never skipped for a later step: the hand-over it announces must come after it
            self.settle(step, "skipped", f"superseded by {later} (catching up: only the latest step runs)")
            return False
        if step.action == "case" and invoice.pause_reason == "dispute":
            # the dispute's own case is open: a second, "late", card would ask the same people the same thing
            self.settle(step, "skipped", "disputed: its dispute case stands")
            return False
        if step.action not in CUSTOMER_FACING:
            return True
        if step.action != "hand_over" and any(
            e.type == "invoice.handed_over" for e in self.history[invoice.id]
        ):
            self.settle(step, "skipped", "handed over to the collection agency")
            return False
        pause = self.pause_of(invoice)
        if pause is not None:
            # Looked at again daily at most: a pause may end without anyone lifting it (paid, cancelled).
            self.park(step, min(pause[0], self.now + PAUSE_RECHECK), f"paused:{pause[1]}")
            return False
        if not self.calendar.is_open(now):
            self.park(step, self.calendar.next_open(now), "quiet")
            return False
        if step.action == "hand_over":
            customer = session.get(Customer, invoice.customer_id) if invoice.customer_id else None
            if customer is not None and customer.public_buyer:
                # a public body's debt is not sold to a private agency: its accountant (comptable public)
                # pays, or the prefect orders the payment (mandatement d'office); a person takes it up
                self.settle(step, "skipped", "public buyer: no private collection agency")
                milestone = self.milestones.get((invoice.id, step.milestone or ""))
                if milestone is not None:
                    open_late_case(
                        session, invoice, milestone,
                        "public buyer: ask its public accountant, or the prefect (mandatement d'office)",
                    )  # fmt: skip
                return False
            return self.notice_given(step, invoice)
        return True

    def notice_given(self, step: ScenarioStep, invoice: Invoice) -> bool:
        """A hand-over comes after the formal notice its ladder sends, once the days it gave have passed;
        without one sent (skipped, failed), it waits and a person is told."""
        from jalon.dunning import NOTICE_DAYS

        session = self.session
        planned = session.scalar(
            select(ScenarioStep.state)
            .where(ScenarioStep.invoice_id == invoice.id, ScenarioStep.action == "formal_notice")
            .limit(1)
        )
        if planned is None:
            return True  # this ladder has no formal notice: the hand-over is its own decision
        sent = events.last_at(session, invoice.id, "dunning.formal_notice")
        if sent is None:
            self.park(step, self.now + PAUSE_RECHECK, "waiting for the formal notice")
            milestone = self.milestones.get((invoice.id, step.milestone or ""))
            if milestone is not None and planned != "scheduled":
                why = "the hand-over waits: no formal notice was sent to the customer"
                open_late_case(session, invoice, milestone, why)
            return False
        ends = sent + dt.timedelta(days=NOTICE_DAYS)
        if self.now < ends:
            self.park(step, self.calendar.next_open(ends), "formal notice period")
            return False
        return True

    def later_sibling(self, step: ScenarioStep) -> str | None:
        """A later step of the same ladder that is due too: the earlier one is stale."""
        mine = (step.due_at, step.id)
        later = [
            item for item in self.due_ladders[(step.invoice_id or 0, step.milestone or "")] if item[:2] > mine
        ]
        return max(later)[2] if later else None

    def pause_of(self, invoice: Invoice) -> tuple[dt.datetime, str] | None:
        """(until, why) when reminders to this invoice (or, by `[dunning] pause_scope`, its customer) wait."""
        if invoice.paused_until is not None:
            if invoice.paused_until > self.now:
                return invoice.paused_until, invoice.pause_reason or "paused"
            self.pause_ended(invoice)
        found = self.customer_pause.get(invoice.customer_id or 0)
        if found is None or found[2] == invoice.id:
            return None
        return found[0], found[1]

    def pause_ended(self, invoice: Invoice) -> None:
        """A pause that ran out (a promise not kept, an announced payment that never came): recorded once."""
        reason = invoice.pause_reason or "paused"
        lapse = events.record(
            self.session,
            "payment.promise_lapsed" if reason == "promise" else "invoice.pause_ended",
            invoice_id=invoice.id,
            at=self.now,
            reason=reason,
            paused_until=invoice.paused_until,
        )
        self.history[invoice.id].append(lapse)
        invoice.paused_until = None
        invoice.pause_reason = None

    # settling ---------------------------------------------------------------------------------------------

    def settle(self, step: ScenarioStep, state: str, reason: str, **result: Any) -> None:
        if step.state == "scheduled":
            self.remaining[(step.invoice_id or 0, step.milestone or "")] -= 1
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
        self.remaining[(step.invoice_id or 0, step.milestone or "")] -= 1
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
        if not self.careful:
            self._execute(group)
            return
        try:
            with self.session.begin_nested():
                self._execute(group)
        except Exception as error:
            for step in group:
                self.fail(step, error)

    def _execute(self, group: list[ScenarioStep]) -> None:
        if len(group) == 1:
            step = group[0]
            invoice = self.invoices.get(step.invoice_id or 0) or self.session.get(Invoice, step.invoice_id)
            assert invoice is not None
            results = {step.id: ACTIONS[step.action](self.context, step, invoice)}
        else:
            results = dunning.grouped_reminder(self.context, group)
        for step in group:
            self.settle(step, "done", f"{step.action} done", **results[step.id])
            self.report.done += 1
            self.report.actions[step.action] = self.report.actions.get(step.action, 0) + 1

    def except_if_exhausted(self, milestone: Milestone) -> None:
        """A late milestone with no step left becomes a case for people (unless it is only noted)."""
        if milestone.state != "late" or self.remaining[(milestone.invoice_id, milestone.name)] > 0:
            return
        invoice = self.session.get(Invoice, milestone.invoice_id)
        if invoice is None or invoice.state != "sent" or invoice.pause_reason == "dispute":
            return  # a disputed invoice's people are already on its dispute case
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
