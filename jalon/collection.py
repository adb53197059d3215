"""Hand-over to a collection agency: the invoice, its history (every event) and its evidence (milestones),
by mail with the documents attached, as a CSV file written after the commit, or as a JSON call through the
outbox, as `[dunning.collection]` says."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jalon import events
from jalon.dunning import (
    DEFAULT_TEMPLATES,
    ActionContext,
    Recipient,
    StepProblem,
    invoice_context,
    penalty,
    send_templated,
)
from jalon.handlers.dispatching import documents_to_send
from jalon.mailbox.compose import FileToSend
from jalon.models import Customer, Event, Invoice, Milestone, Outbox, ScenarioStep


def handed_over(session: Session, invoice: Invoice) -> bool:
    return (
        session.scalar(
            select(Event.id)
            .where(Event.invoice_id == invoice.id, Event.type == "invoice.handed_over")
            .limit(1)
        )
        is not None
    )


HISTORY_FIELDS = ("at", "type", "actor", "recipient", "detail")


def history_rows(session: Session, invoice: Invoice) -> list[dict[str, str]]:
    rows = []
    for event in session.scalars(
        select(Event).where(Event.invoice_id == invoice.id).order_by(Event.at, Event.id)
    ):
        data = dict(event.data or {})
        recipient = str(data.pop("recipient", "") or "")
        detail = json.dumps(data, ensure_ascii=False, default=str, sort_keys=True)[:500]
        rows.append(
            {
                "at": event.at.isoformat(),
                "type": event.type,
                "actor": event.actor,
                "recipient": recipient,
                "detail": detail,
            }
        )
    return rows


def history_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HISTORY_FIELDS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def hand_over(ctx: ActionContext, step: ScenarioStep, invoice: Invoice) -> dict[str, Any]:
    """The invoice, its history and its evidence go to the collection agency, as configured."""
    session, collection = ctx.session, ctx.settings.dunning.collection
    customer = session.get(Customer, invoice.customer_id) if invoice.customer_id else None
    context = invoice_context(ctx, invoice)
    due = invoice.due_date or ctx.calendar.today(ctx.now)
    owed = penalty(ctx.settings, context["amount_due"], due, ctx.calendar.today(ctx.now))
    rows = history_rows(session, invoice)
    milestones = session.scalars(select(Milestone).where(Milestone.invoice_id == invoice.id)).all()
    evidence = [
        {"name": m.name, "state": m.state, "met_at": m.met_at.isoformat() if m.met_at else None}
        for m in milestones
    ]
    summary = {
        **{
            k: context[k]
            for k in ("number", "issue_date", "due_date", "currency", "total_with_vat", "amount_due")
        },
        "customer": customer.name if customer else None,
        "customer_code": customer.code if customer else None,
        "customer_address": customer.address if customer else None,
        "siren": customer.siren if customer else None,
        "penalty": owed.as_dict(),
        "milestones": evidence,
    }
    result: dict[str, Any] = {"mode": collection.mode}
    if collection.mode == "email":
        address = _agency_address(customer, collection)
        if not address:
            raise StepProblem(
                "no collection agency: set [dunning.collection] email or a 'collection' contact"
            )
        files = documents_to_send(session, invoice, "pdf")
        files.append(FileToSend(f"{invoice.number}-history.csv", "text/csv", history_csv(rows).encode()))
        recipient = Recipient(address, collection.name or None, "fr", None, None, None)
        context.update(
            agency=collection.name or None,
            customer=summary,
            history=rows,
            milestones=evidence,
            penalty=owed,
            step=step.name,
        )
        template = step.params.get("template") or DEFAULT_TEMPLATES["hand_over"]
        result["message_id"] = send_templated(ctx, recipient, template, context, files=files)
        result["recipient"] = address
    elif collection.mode == "csv":
        folder = Path(collection.csv_dir)
        name = f"{ctx.calendar.today(ctx.now):%Y%m%d}-{_safe(invoice.number)}-{step.id or 'manual'}.csv"
        text = handover_csv(summary, rows)
        ctx.after_commit.append(lambda: _write(folder / name, text))
        result["file"] = str(folder / name)
    else:
        if not collection.api_url:
            raise StepProblem("[dunning.collection] mode = 'api' needs api_url")
        _queue_agency_call(ctx, {"invoice": summary, "history": rows})
        result["url"] = collection.api_url
    events.record(session, "invoice.handed_over", invoice_id=invoice.id, at=ctx.now, step=step.name, **result)
    return result


def handover_csv(summary: dict[str, Any], rows: list[dict[str, str]]) -> str:
    """A header block (the invoice and what is owed) then the invoice's history, one event a line."""
    out = io.StringIO()
    writer = csv.writer(out)
    flat = {k: v for k, v in summary.items() if k not in ("penalty", "milestones")}
    flat.update({f"penalty_{k}": v for k, v in summary["penalty"].items()})
    writer.writerow(list(flat))
    writer.writerow([str(v) if v is not None else "" for v in flat.values()])
    writer.writerow([])
    return out.getvalue() + history_csv(rows)


def _safe(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in text)[:80]


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def _agency_address(customer: Customer | None, collection: Any) -> str | None:
    """The customer's own collection contact, else the agency of `[dunning.collection]`."""
    agency = next(
        (c for c in (customer.contacts if customer else []) if c.role == "collection" and c.valid), None
    )
    return agency.email if agency else collection.email or None


def _queue_agency_call(ctx: ActionContext, body: dict[str, Any]) -> None:
    """A JSON call to the agency's API, posted by the outbox after the commit."""
    collection = ctx.settings.dunning.collection
    ctx.session.add(
        Outbox(
            kind="webhook",
            payload={
                "url": collection.api_url,
                "token_env": collection.api_token_env,
                "body": json.loads(json.dumps(body, default=str)),
            },
            next_attempt_at=ctx.now,
        )
    )


def notify_settled(session: Session, ctx: ActionContext) -> int:
    """Invoices handed over, then paid or cancelled: the agency is told once, the way it got them (a mail,
    a CSV file, an API call), so that it stops chasing a customer who owes nothing any more."""
    collection = ctx.settings.dunning.collection
    handed = select(Event.invoice_id).where(Event.type == "invoice.handed_over")
    told = select(Event.invoice_id).where(Event.type == "collection.settled")
    query = select(Invoice).where(
        Invoice.id.in_(handed), Invoice.id.not_in(told), Invoice.state.in_(("paid", "cancelled"))
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)  # two ticks at once tell the agency once
    notified = 0
    for invoice in session.scalars(query):
        handed_at = events.last_at(session, invoice.id, "invoice.handed_over")
        customer = session.get(Customer, invoice.customer_id) if invoice.customer_id else None
        facts = {
            "company": ctx.settings.gateway.company_name,
            "number": invoice.number,
            "customer": customer.name if customer else None,
            "state": invoice.state,
            "amount_paid": invoice.amount_paid,
            "currency": invoice.currency,
            "handed_over_on": handed_at.date() if handed_at else None,
            "agency": collection.name or None,
        }
        result: dict[str, Any] = {"mode": collection.mode}
        if collection.mode == "email":
            address = _agency_address(customer, collection)
            if not address:
                continue
            from jalon.mailbox.compose import build_message
            from jalon.mailbox.outbound import queue_mail
            from jalon.templating import render_mail

            subject, text, html = render_mail("hand_over_settled", "fr", **facts)
            composed = build_message(
                ctx.settings, to=address, to_name=collection.name or None, subject=subject, text=text,
                html=html, token=None, files=[], now=ctx.now,
            )  # fmt: skip
            queue_mail(session, composed)
            result["recipient"] = address
        elif collection.mode == "csv":
            name = f"{ctx.calendar.today(ctx.now):%Y%m%d}-{_safe(invoice.number)}-{invoice.state}.csv"
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(["number", "customer", "state", "amount_paid", "currency"])
            writer.writerow([invoice.number, facts["customer"] or "", invoice.state, invoice.amount_paid,
                             invoice.currency])  # fmt: skip
            path, text = Path(collection.csv_dir) / name, out.getvalue()
            ctx.after_commit.append(lambda path=path, text=text: _write(path, text))
            result["file"] = str(path)
        elif collection.api_url:
            _queue_agency_call(ctx, {"settled": facts})
            result["url"] = collection.api_url
        events.record(session, "collection.settled", invoice_id=invoice.id, at=ctx.now, state=invoice.state,
                      **result)  # fmt: skip
        notified += 1
    return notified
