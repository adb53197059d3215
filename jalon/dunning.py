"""What scenario steps do to customers: reminders (one invoice, or one mail listing a customer's due
invoices), resending the invoice, the formal notice with late-payment penalties (Code de commerce L441-10 and
D441-5), a case for people, a webhook. (The hand-over to a collection agency is in `collection`.)

Everything here only queues: mails go to the outbox, calls to the outbox as `webhook` items. The caller's
transaction decides whether any of it happens.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jalon import events
from jalon.businesstime import BusinessCalendar
from jalon.config import Settings
from jalon.handlers.dispatching import ROLE_ORDER, documents_to_send, new_dispatch, recipients, send_dispatch
from jalon.links import invoice_link, signing_key
from jalon.mailbox.compose import FileToSend, build_message
from jalon.mailbox.outbound import queue_mail
from jalon.models import Contact, Customer, Dispatch, Event, Invoice, Milestone, Outbox, ScenarioStep
from jalon.templating import render_mail

CENT = Decimal("0.01")
DEFAULT_TEMPLATES = {"remind": "reminder", "formal_notice": "formal_notice", "hand_over": "hand_over"}
NOTICE_DAYS = 8  # what a formal notice gives the customer to pay: no hand-over before they have passed
FORMAL_NOTICE_ROLES = ("payer", "buyer", "head_office")


@dataclass
class ActionContext:
    session: Session
    settings: Settings
    calendar: BusinessCalendar
    now: dt.datetime
    after_commit: list[Callable[[], None]]
    report: Any = None
    history: dict[int, list[Event]] | None = None  # per invoice, preloaded by the runner (else queried)

    def count_mail(self, count: int = 1) -> None:
        if self.report is not None:
            self.report.mails += count


class StepProblem(Exception):
    """A step that cannot do its job as configured (no recipient, no agency): retried, then a case."""


# --- money -------------------------------------------------------------------------------------------------


def balance(invoice: Invoice) -> Decimal:
    """The amount due (or the total) less what was paid: below zero when it was paid more than owed."""
    base = invoice.amount_due if invoice.amount_due is not None else invoice.total_with_vat
    return (Decimal(base or 0) - Decimal(invoice.amount_paid or 0)).quantize(CENT)


def outstanding(invoice: Invoice) -> Decimal:
    """What is owed now: the amount due (or the total) less what was paid, and less the holdback (retenue de
    garantie), owed only once the guarantee ends: reminders, notices and payment matching never ask for it."""
    return max(balance(invoice) - held_back(invoice), Decimal(0)).quantize(CENT)


def held_back(invoice: Invoice) -> Decimal:
    """The part of the invoice's holdback not paid yet (0 without one)."""
    if not invoice.holdback:
        return Decimal(0)
    return min(Decimal(invoice.holdback), max(balance(invoice), Decimal(0))).quantize(CENT)


@dataclass(frozen=True)
class Penalty:
    """Late-payment penalties on one invoice at one date."""

    base: Decimal  # the amount still owed
    days_late: int
    annual_rate: Decimal  # in %
    interest: Decimal  # base × rate × days / 365
    indemnity: Decimal  # the fixed recovery indemnity (40 € per invoice)
    total: Decimal  # base + interest + indemnity

    def as_dict(self) -> dict[str, str | int]:
        return {k: str(v) if isinstance(v, Decimal) else v for k, v in self.__dict__.items()}


PUBLIC_MARGIN = Decimal("8")  # a public buyer owes interest at the ECB rate + 8 points (CCP R2192-31)


def penalty_rate(settings: Settings, *, public: bool = False) -> Decimal:
    """The annual rate in %: the contractual one, else the ECB refinancing rate plus the margin (plus
    8 points for a public buyer, whose late-payment interest the public procurement code sets)."""
    dunning = settings.dunning
    if dunning.penalty_rate is not None:
        return dunning.penalty_rate
    return dunning.ecb_rate + (PUBLIC_MARGIN if public else dunning.penalty_margin)


def penalty(
    settings: Settings, base: Decimal, due_date: dt.date, on: dt.date, *, public: bool = False
) -> Penalty:
    """Penalties run from the day after the due date, without any reminder being needed (L441-10; for a
    public buyer, moratory interest runs the same way, CCP L2192-13)."""
    days = max((on - due_date).days, 0)
    rate = penalty_rate(settings, public=public)
    interest = (base * rate * days / Decimal(36500)).quantize(CENT, rounding=ROUND_HALF_UP)
    indemnity = settings.dunning.indemnity.quantize(CENT) if days else Decimal("0.00")
    return Penalty(base, days, rate, interest, indemnity, base + interest + indemnity)


# --- who gets the mail -----------------------------------------------------------------------------------


@dataclass
class Recipient:
    email: str
    name: str | None
    language: str
    token: str | None  # the dispatch's token: replies and bounces come back tied to the invoice
    message_id: str | None  # the invoice mail, to thread the reminder under it
    dispatch_id: int | None


def recipients_for(
    session: Session, settings: Settings, invoice: Invoice, roles: list[str] | tuple[str, ...]
) -> list[Recipient]:
    """The invoice's recipients in these roles (by its dispatches, else the directory), else any of them."""
    customer = session.get(Customer, invoice.customer_id) if invoice.customer_id else None
    fallback = customer.language if customer else settings.gateway.default_language
    usable = [d for d in invoice.dispatches if d.channel == "email" and d.state not in ("bounced", "failed")]

    def from_dispatches(wanted: set[str] | None) -> list[Recipient]:
        chosen: dict[str, Recipient] = {}
        for dispatch in sorted(usable, key=lambda d: d.id):  # the latest dispatch per address wins
            if wanted is None or dispatch.role in wanted:
                contact = session.get(Contact, dispatch.contact_id) if dispatch.contact_id else None
                chosen[dispatch.recipient.lower()] = Recipient(
                    dispatch.recipient,
                    contact.name if contact else None,
                    (contact.language if contact and contact.language else None) or fallback,
                    dispatch.token,
                    dispatch.message_id,
                    dispatch.id,
                )
        return list(chosen.values())

    found = from_dispatches(set(roles))
    if not found and customer is not None:
        found = [
            Recipient(c.email, c.name, c.language or fallback, None, None, None)
            for c in recipients(customer.contacts, roles)
        ]
    return found or from_dispatches(None)


# --- mail -------------------------------------------------------------------------------------------------


def invoice_context(ctx: ActionContext, invoice: Invoice) -> dict[str, Any]:
    today = ctx.calendar.today(ctx.now)
    due = invoice.due_date
    if ctx.history is not None and invoice.id in ctx.history:
        known = ctx.history[invoice.id]
        promise = next((e for e in reversed(known) if e.type == "payment.promised"), None)
        lapsed = any(e.type == "payment.promise_lapsed" for e in known)
    else:
        promise = ctx.session.scalars(
            select(Event)
            .where(Event.invoice_id == invoice.id, Event.type == "payment.promised")
            .order_by(Event.id.desc())
            .limit(1)
        ).first()
        lapsed = (
            ctx.session.scalar(
                select(Event.id)
                .where(Event.invoice_id == invoice.id, Event.type == "payment.promise_lapsed")
                .limit(1)
            )
            is not None
        )
    return {
        "company": ctx.settings.gateway.company_name,
        "invoice_id": invoice.id,
        "number": invoice.number,
        "doc_type": invoice.doc_type,
        "issue_date": invoice.issue_date,
        "due_date": due,
        "currency": invoice.currency,
        "total_with_vat": invoice.total_with_vat,
        "amount_paid": invoice.amount_paid or Decimal(0),
        "amount_due": outstanding(invoice),
        "holdback": held_back(invoice),  # not asked for: owed when the guarantee ends
        "days_late": max((today - due).days, 0) if due else 0,
        "days_to_due": (due - today).days if due else None,
        "purchase_order": invoice.purchase_order,
        "broken_promise": (promise.data or {}).get("promised_date") if promise and lapsed else None,
        # reminders that already left for it: "despite our reminders" is only written when some did
        "reminded": _reminders_sent(ctx, invoice),
        "link": None,
    }


def _reminders_sent(ctx: ActionContext, invoice: Invoice) -> int:
    if ctx.history is not None and invoice.id in ctx.history:
        return sum(1 for e in ctx.history[invoice.id] if e.type == "reminder.queued")
    sent = select(func.count(Event.id)).where(Event.invoice_id == invoice.id, Event.type == "reminder.queued")
    return int(ctx.session.scalar(sent) or 0)


def _link(ctx: ActionContext, token: str | None) -> str | None:
    if not token:
        return None
    return invoice_link(ctx.settings, signing_key(ctx.settings, ctx.session), token)


def send_templated(
    ctx: ActionContext,
    recipient: Recipient,
    template: str,
    context: dict[str, Any],
    *,
    files: list[FileToSend] | None = None,
) -> str:
    """Render a template for one recipient and queue the mail; returns its Message-ID."""
    subject, text, html = render_mail(
        template,
        recipient.language,
        **{**context, "contact_name": recipient.name, "link": _link(ctx, recipient.token)},
    )
    composed = build_message(
        ctx.settings,
        to=recipient.email,
        to_name=recipient.name,
        subject=subject,
        text=text,
        html=html,
        token=recipient.token,
        files=files or [],
        in_reply_to=recipient.message_id,
        references=[recipient.message_id] if recipient.message_id else None,
        now=ctx.now,
    )
    # the invoices the mail asks to pay: it does not leave if one of them is settled before it goes
    listed = context.get("invoices") or [context]
    queue_mail(ctx.session, composed, about=[item["invoice_id"] for item in listed if "invoice_id" in item])
    ctx.count_mail()
    return composed.message_id


def _roles(step: ScenarioStep, default: tuple[str, ...] = ("buyer", "payer")) -> list[str]:
    return list(step.params.get("to") or default)


def remind(ctx: ActionContext, step: ScenarioStep, invoice: Invoice) -> dict[str, Any]:
    template = step.params.get("template") or DEFAULT_TEMPLATES["remind"]
    targets = recipients_for(ctx.session, ctx.settings, invoice, _roles(step))
    if not targets:
        raise StepProblem(f"no recipient for invoice {invoice.number}")
    context = {**invoice_context(ctx, invoice), "step": step.name}
    sent = []
    for recipient in targets:
        message_id = send_templated(ctx, recipient, template, context)
        sent.append(recipient.email)
        events.record(
            ctx.session,
            "reminder.queued",
            invoice_id=invoice.id,
            dispatch_id=recipient.dispatch_id,
            at=ctx.now,
            step=step.name,
            template=template,
            recipient=recipient.email,
            message_id=message_id,
            amount_due=context["amount_due"],
        )
    return {"recipients": sent, "template": template}


def grouped_reminder(ctx: ActionContext, steps: list[ScenarioStep]) -> dict[int, dict[str, Any]]:
    """One mail per recipient listing every due invoice of one customer, rather than one mail each."""
    per_address: dict[str, tuple[Recipient, list[tuple[ScenarioStep, Invoice]]]] = {}
    for step in sorted(steps, key=lambda s: s.invoice_id or 0):
        invoice = ctx.session.get(Invoice, step.invoice_id)
        assert invoice is not None
        for recipient in recipients_for(ctx.session, ctx.settings, invoice, _roles(step)):
            entry = per_address.setdefault(recipient.email.lower(), (recipient, []))
            entry[1].append((step, invoice))
    if not per_address:
        raise StepProblem("no recipient for the customer's reminders")
    results: dict[int, dict[str, Any]] = {s.id: {"recipients": [], "grouped": True} for s in steps}
    for recipient, items in per_address.values():
        listed = [{**invoice_context(ctx, inv), "step": step.name} for step, inv in items]
        total = sum((item["amount_due"] for item in listed), Decimal(0))
        context = {
            "company": ctx.settings.gateway.company_name,
            "invoices": listed,
            "total_due": total,
            "currency": listed[0]["currency"],
            "late": any(item["days_late"] > 0 for item in listed),
            # one is at its second reminder: the grouped mail says what comes next, as a single one would
            "second": any(step.params.get("template") == "reminder_second" for step, _ in items),
        }
        message_id = send_templated(ctx, recipient, "reminders_grouped", context)
        numbers = [inv.number for _, inv in items]
        for step, inv in items:
            results[step.id]["recipients"].append(recipient.email)
            results[step.id]["invoices"] = numbers
            events.record(
                ctx.session,
                "reminder.queued",
                invoice_id=inv.id,
                at=ctx.now,
                step=step.name,
                template="reminders_grouped",
                recipient=recipient.email,
                message_id=message_id,
                grouped_with=numbers,
            )
    return results


def resend(ctx: ActionContext, step: ScenarioStep, invoice: Invoice) -> dict[str, Any]:
    """The invoice again, to the same recipients, in the same thread, with the proof of the first sending."""
    roles = set(_roles(step, ROLE_ORDER))
    done = []
    latest: dict[str, Dispatch] = {}
    for dispatch in invoice.dispatches:
        if dispatch.role in roles and dispatch.state not in ("bounced", "failed"):
            latest[dispatch.recipient.lower()] = dispatch
    for dispatch in latest.values():
        contact = ctx.session.get(Contact, dispatch.contact_id) if dispatch.contact_id else None
        if contact is None:
            continue
        original = dispatch
        while original.copy_of_id:
            parent = ctx.session.get(Dispatch, original.copy_of_id)
            if parent is None:
                break
            original = parent
        copy = new_dispatch(ctx.session, invoice, contact, copy_of=original, recipient=dispatch.recipient)
        send_dispatch(ctx.session, ctx.settings, copy, actor="scenario", now=ctx.now)
        ctx.count_mail()
        events.record(
            ctx.session,
            "invoice.resent",
            invoice_id=invoice.id,
            dispatch_id=copy.id,
            at=ctx.now,
            reason=f"scenario step {step.name}",
            recipient=copy.recipient,
        )
        done.append(copy.recipient)
    if not done:
        raise StepProblem(f"no recipient to resend invoice {invoice.number} to")
    return {"recipients": done}


def formal_notice(ctx: ActionContext, step: ScenarioStep, invoice: Invoice) -> dict[str, Any]:
    """Mise en demeure: what is owed, the penalties to date and the 40 € indemnity, the invoice attached."""
    context = invoice_context(ctx, invoice)
    due = invoice.due_date or ctx.calendar.today(ctx.now)
    customer = ctx.session.get(Customer, invoice.customer_id) if invoice.customer_id else None
    public = bool(customer and customer.public_buyer)
    owed = penalty(ctx.settings, context["amount_due"], due, ctx.calendar.today(ctx.now), public=public)
    collection = ctx.settings.dunning.collection
    context.update(
        penalty=owed,
        public_buyer=public,
        notice_date=ctx.calendar.today(ctx.now),
        pay_within_days=NOTICE_DAYS,
        agency=collection.name or None,
        agency_address=collection.address or None,
        step=step.name,
    )
    template = step.params.get("template") or DEFAULT_TEMPLATES["formal_notice"]
    files = documents_to_send(ctx.session, invoice, "pdf")
    targets = recipients_for(ctx.session, ctx.settings, invoice, _roles(step, FORMAL_NOTICE_ROLES))
    if not targets:
        raise StepProblem(f"no recipient for the formal notice of invoice {invoice.number}")
    sent = []
    for recipient in targets:
        message_id = send_templated(ctx, recipient, template, context, files=files)
        sent.append({"recipient": recipient.email, "message_id": message_id})
    events.record(
        ctx.session,
        "dunning.formal_notice",
        invoice_id=invoice.id,
        at=ctx.now,
        step=step.name,
        recipients=[s["recipient"] for s in sent],
        **owed.as_dict(),
    )
    return {"recipients": [s["recipient"] for s in sent], "penalty": owed.as_dict()}


def case(ctx: ActionContext, step: ScenarioStep, invoice: Invoice) -> dict[str, Any]:
    from jalon.steps import open_late_case

    milestone = ctx.session.scalar(
        select(Milestone).where(Milestone.invoice_id == invoice.id, Milestone.name == step.milestone)
    )
    assert milestone is not None
    open_late_case(ctx.session, invoice, milestone, f"scenario step {step.name}")
    return {"case": True}


def webhook(ctx: ActionContext, step: ScenarioStep, invoice: Invoice) -> dict[str, Any]:
    context = invoice_context(ctx, invoice)
    body = json.loads(
        json.dumps({"event": "scenario.step", "step": step.name, "invoice": context}, default=str)
    )
    ctx.session.add(
        Outbox(kind="webhook", payload={"url": step.params["url"], "body": body}, next_attempt_at=ctx.now)
    )
    return {"url": step.params["url"]}
