"""What comes back, tied to its dispatch and acted on: delivery reports, bounces, read receipts, auto-replies,
feedback reports and customer replies. The steps of the non-invoice pipelines."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import select

from jalon import events
from jalon.handlers import cases
from jalon.handlers.bounce_reasons import fate
from jalon.handlers.context import Context
from jalon.mailbox.addresses import TOKEN_PATTERN
from jalon.models import Dispatch, Event, Invoice

_TOKEN = re.compile(rf"^{TOKEN_PATTERN}$")
_MESSAGE_ID = re.compile(r"<[^<>\s]+@[^<>\s]+>")
PROMISE_GRACE = dt.timedelta(days=3)
PROMISE_DEFAULT = dt.timedelta(days=7)  # "we will pay" without a date
PROMISE_REVIEW = dt.timedelta(days=45)  # a promise further off than this is a request for terms: a case
PAID_GRACE = dt.timedelta(days=10)  # "we paid": reminders wait this long for the money to show
DISPUTE_PAUSE = dt.timedelta(days=3650)  # until a person resolves it


def _values(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple | set):
        return [str(v) for v in value if v]
    return [str(value)]


def correlation_keys(correlation: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(tokens, message ids) found in a classification's correlation dict, best first."""
    tokens: list[str] = []
    message_ids: list[str] = []
    for key, value in (correlation or {}).items():
        lowered = key.lower()
        if "token" in lowered or "envid" in lowered:
            tokens.extend(v for v in _values(value) if _TOKEN.match(v))
        elif "message_id" in lowered or "in_reply_to" in lowered or "references" in lowered:
            for item in _values(value):
                message_ids.extend(_MESSAGE_ID.findall(item) or [item.strip()])
    return list(dict.fromkeys(tokens)), list(dict.fromkeys(message_ids))


def correlate(ctx: Context) -> None:
    """Find the dispatch this message is about: our address token, ENVID, returned Message-ID, thread headers,
    then invoice numbers in the text."""
    session = ctx.session
    classification = ctx.classification
    correlation = dict(getattr(classification, "correlation", None) or {})
    tokens, message_ids = correlation_keys(correlation)
    if ctx.route.token:
        tokens.insert(0, ctx.route.token)
    dispatch: Dispatch | None = None
    method = None
    for token in tokens:
        dispatch = session.scalar(select(Dispatch).where(Dispatch.token == token))
        if dispatch:
            method = "token"
            break
    if dispatch is None:
        for message_id in message_ids:
            dispatch = session.scalar(select(Dispatch).where(Dispatch.message_id == message_id))
            if dispatch:
                method = "message_id"
                break
    invoice = session.get(Invoice, dispatch.invoice_id) if dispatch else None
    if invoice is None:
        numbers = list(getattr(classification, "invoice_numbers", None) or [])
        for number in numbers:
            invoice = session.scalars(
                select(Invoice)
                .where(Invoice.number == number, Invoice.state != "replaced")
                .order_by(Invoice.version.desc())
            ).first()
            if invoice:
                method = "invoice_number"
                sender = ctx.inbound.mail_from.lower()
                dispatch = next((d for d in invoice.dispatches if d.recipient.lower() == sender), None)
                break
    ctx.facts["dispatch"] = dispatch
    ctx.facts["invoice"] = invoice
    ctx.facts["correlated_by"] = method
    events.record(
        session,
        "message.correlated" if invoice else "message.uncorrelated",
        inbound_id=ctx.inbound.id,
        invoice_id=invoice.id if invoice else None,
        dispatch_id=dispatch.id if dispatch else None,
        method=method,
        tokens=tokens[:5],
        message_ids=message_ids[:5],
    )


def _unmatched(ctx: Context, what: str) -> None:
    inbound = ctx.inbound
    cases.open_case(
        ctx.session,
        "unmatched",
        f"{what} from {inbound.mail_from or '?'} matches no invoice",
        key=cases.case_key("unmatched", "inbound", inbound.id),
        facts={"from": inbound.mail_from, "subject": inbound.subject, "kind": ctx.classification.kind},
        inbound_id=inbound.id,
    )


def _dispatch_for(ctx: Context, recipient: dict[str, Any]) -> Dispatch | None:
    dispatch: Dispatch | None = ctx.facts.get("dispatch")
    invoice: Invoice | None = ctx.facts.get("invoice")
    addresses = {str(recipient.get(k) or "").lower() for k in ("address", "original_recipient")} - {""}
    if dispatch is not None and (not addresses or dispatch.recipient.lower() in addresses or invoice is None):
        return dispatch
    if invoice is not None:
        found = [d for d in invoice.dispatches if d.recipient.lower() in addresses]
        if found:
            return found[-1]
    return dispatch


def record_delivery_status(ctx: Context) -> None:
    """Per recipient: delivered / relayed / delayed / failed (hard or soft), with status and diagnostic."""
    from jalon.handlers import actions

    classification = ctx.classification
    if ctx.facts.get("invoice") is None:
        _unmatched(ctx, "Delivery report")
        return
    recipients = list(getattr(classification, "recipients", None) or [])
    if not recipients:
        recipients = [
            {
                "address": None,
                "action": {"bounce": "failed", "delay": "delayed"}.get(classification.kind, "delivered"),
            }
        ]
    for recipient in recipients:
        dispatch = _dispatch_for(ctx, recipient)
        if dispatch is None:
            continue
        action = str(recipient.get("action") or "").lower()
        status = recipient.get("status")
        diagnostic = str(recipient.get("diagnostic") or "")
        common = {
            "invoice_id": dispatch.invoice_id,
            "dispatch_id": dispatch.id,
            "inbound_id": ctx.inbound.id,
            "recipient": dispatch.recipient,
            "status": status,
            "diagnostic": diagnostic[:1000],
            "remote_mta": recipient.get("remote_mta"),
        }
        if action == "delivered":
            if dispatch.state in ("queued", "sent", "delayed"):
                dispatch.state = "delivered"
            dispatch.delivered_at = dispatch.delivered_at or ctx.now
            events.record(ctx.session, "dispatch.delivered", level="delivered", **common)
        elif action in ("relayed", "expanded"):
            events.record(
                ctx.session,
                "dispatch.relayed",
                level="accepted",
                action=action,
                note="relayed/expanded: left for a system that sends no delivery report; weaker than "
                "delivered",
                **common,
            )
        elif action == "delayed":
            if dispatch.state in ("queued", "sent"):
                dispatch.state = "delayed"
            dispatch.status_code = status
            events.record(ctx.session, "dispatch.delayed", **common)
        elif action == "failed":
            hard = recipient.get("hard")
            dispatch.status_code = status
            dispatch.diagnostic = diagnostic[:2000]
            if dispatch.state == "bounced":
                events.record(ctx.session, "dispatch.bounced", hard=hard, repeated=True, **common)
                continue
            dispatch.state = "bounced"
            permanent = recipient.get("permanent")
            if permanent is None:
                permanent = bool(status and str(status).startswith("5"))
            events.record(ctx.session, "dispatch.bounced", hard=hard, permanent=permanent, **common)
            outcome = fate(hard, permanent, recipient.get("reason"))
            if outcome == "refused":
                policy_refusal(ctx, dispatch, status=status, diagnostic=diagnostic)
            elif outcome == "soft":
                soft_bounce(ctx, dispatch, status=status, diagnostic=diagnostic)
            else:
                actions.hard_bounce(
                    ctx.session,
                    ctx.settings,
                    dispatch,
                    status=status,
                    diagnostic=diagnostic,
                    evidence={"inbound_id": ctx.inbound.id},
                )


SOFT_RETRIES = (dt.timedelta(hours=4), dt.timedelta(hours=24))


def policy_refusal(ctx: Context, dispatch: Dispatch, *, status: str | None, diagnostic: str) -> None:
    """The address exists but the receiving system refuses our mail for good (spam filter, policy, blocked
    sender): resending cannot help and the contact is not wrong; a person must call the customer."""
    invoice = ctx.session.get(Invoice, dispatch.invoice_id)
    assert invoice is not None
    cases.open_bounce_case(
        ctx.session,
        invoice,
        dispatch,
        f"Invoice {invoice.number} refused by {dispatch.recipient}'s mail system",
        status=status,
        diagnostic=diagnostic,
        policy=True,
        advice="their mail system blocks our mail: call them, or use another channel",
    )


def soft_bounce(ctx: Context, dispatch: Dispatch, *, status: str | None, diagnostic: str) -> None:
    """Mailbox full, greylisting, temporary failures: send again later per policy, then a case."""
    from jalon.handlers.dispatching import new_dispatch, send_dispatch
    from jalon.models import Contact, Outbox

    invoice = ctx.session.get(Invoice, dispatch.invoice_id)
    assert invoice is not None
    chain = 0
    current: Dispatch | None = dispatch
    while current is not None and current.copy_of_id:
        chain += 1
        current = ctx.session.get(Dispatch, current.copy_of_id)
    contact = ctx.session.get(Contact, dispatch.contact_id) if dispatch.contact_id else None
    if chain < len(SOFT_RETRIES) and contact is not None and invoice.state not in ("cancelled", "paid"):
        retry = new_dispatch(ctx.session, invoice, contact, copy_of=dispatch, recipient=dispatch.recipient)
        send_dispatch(ctx.session, ctx.settings, retry, actor="jalon")
        ctx.session.flush()
        for item in ctx.session.scalars(select(Outbox).where(Outbox.dispatch_id == retry.id)):
            item.next_attempt_at = ctx.now + SOFT_RETRIES[chain]
        events.record(
            ctx.session,
            "dispatch.retry_scheduled",
            invoice_id=invoice.id,
            dispatch_id=retry.id,
            after=str(SOFT_RETRIES[chain]),
            reason=diagnostic[:300],
            status=status,
        )
        return
    cases.open_bounce_case(
        ctx.session,
        invoice,
        dispatch,
        f"Invoice {invoice.number} keeps bouncing at {dispatch.recipient}",
        status=status,
        diagnostic=diagnostic,
        key=cases.case_key("bounced", "invoice-recipient", f"{invoice.id}:{dispatch.recipient.lower()}"),
        soft=True,
        attempts=chain + 1,
    )


def record_read_receipt(ctx: Context) -> None:
    dispatch: Dispatch | None = ctx.facts.get("dispatch")
    if dispatch is None:
        _unmatched(ctx, "Read receipt")
        return
    recipients = list(getattr(ctx.classification, "recipients", None) or [])
    disposition = str(
        (recipients[0].get("action") if recipients else None)
        or getattr(ctx.classification, "disposition", None)
        or "displayed"
    ).lower()
    if "displayed" in disposition:
        dispatch.state = "read" if dispatch.state not in ("bounced",) else dispatch.state
        dispatch.read_at = dispatch.read_at or ctx.now
        events.record(
            ctx.session,
            "dispatch.read",
            invoice_id=dispatch.invoice_id,
            dispatch_id=dispatch.id,
            inbound_id=ctx.inbound.id,
            level="confirmed",
            disposition=disposition,
        )
    else:
        events.record(
            ctx.session,
            "dispatch.receipt",
            invoice_id=dispatch.invoice_id,
            dispatch_id=dispatch.id,
            inbound_id=ctx.inbound.id,
            level="delivered",
            disposition=disposition,
        )


def record_autoreply(ctx: Context) -> None:
    """Noted, never taken for a human answer; "no longer works here" opens a case to fix the contact."""
    dispatch: Dispatch | None = ctx.facts.get("dispatch")
    invoice: Invoice | None = ctx.facts.get("invoice")
    classification = ctx.classification
    left = bool(
        getattr(classification, "left_company", False)
        or (
            any(
                "left" in str(e).lower() or "no longer" in str(e).lower()
                for e in (getattr(classification, "evidence", None) or [])
            )
            and getattr(classification, "left_company", None) is not False
        )
    )
    events.record(
        ctx.session,
        "reply.autoreply",
        invoice_id=invoice.id if invoice else None,
        dispatch_id=dispatch.id if dispatch else None,
        inbound_id=ctx.inbound.id,
        left_company=left,
        evidence=getattr(classification, "evidence", None),
        new_contact=getattr(classification, "new_contact", None),
    )
    if left:
        recipient = dispatch.recipient if dispatch else ctx.inbound.mail_from
        cases.open_case(
            ctx.session,
            "contact_left",
            f"{recipient} no longer works at the customer",
            key=cases.case_key("contact_left", "address", recipient.lower()),
            facts={
                "recipient": recipient,
                "invoice": invoice.number if invoice else None,
                "new_contact": getattr(classification, "new_contact", None),
                "evidence": getattr(classification, "evidence", None),
            },
            invoice_id=invoice.id if invoice else None,
            dispatch_id=dispatch.id if dispatch else None,
            inbound_id=ctx.inbound.id,
            customer_id=invoice.customer_id if invoice else None,
        )


def record_feedback(ctx: Context) -> None:
    """A spam complaint about our mail: recorded, and a person looks at it (never a bounce)."""
    dispatch: Dispatch | None = ctx.facts.get("dispatch")
    invoice: Invoice | None = ctx.facts.get("invoice")
    events.record(
        ctx.session,
        "dispatch.complaint",
        invoice_id=invoice.id if invoice else None,
        dispatch_id=dispatch.id if dispatch else None,
        inbound_id=ctx.inbound.id,
        evidence=getattr(ctx.classification, "evidence", None),
    )
    cases.open_case(
        ctx.session,
        "complaint",
        f"Spam complaint about {'invoice ' + invoice.number if invoice else 'a mail'}",
        key=cases.case_key("complaint", "inbound", ctx.inbound.id),
        facts={"from": ctx.inbound.mail_from, "subject": ctx.inbound.subject},
        invoice_id=invoice.id if invoice else None,
        inbound_id=ctx.inbound.id,
    )


def record_reply(ctx: Context) -> None:
    """A reply from the recipient is the strongest evidence of receipt; its intent is kept with phrases."""
    dispatch: Dispatch | None = ctx.facts.get("dispatch")
    invoice: Invoice | None = ctx.facts.get("invoice")
    classification = ctx.classification
    intent = getattr(classification, "intent", None) or "other"
    if invoice is None:
        _unmatched(ctx, "Reply")
        ctx.facts["intent"] = None
        return
    ctx.facts["intent"] = intent
    events.record(
        ctx.session,
        "reply.received",
        invoice_id=invoice.id,
        dispatch_id=dispatch.id if dispatch else None,
        inbound_id=ctx.inbound.id,
        intent=intent,
        sender=ctx.inbound.mail_from,
        evidence=getattr(classification, "evidence", None),
        promised_date=getattr(classification, "promised_date", None),
        missing=getattr(classification, "missing", None),
        new_contact=getattr(classification, "new_contact", None),
        intents_by_invoice=getattr(classification, "intents_by_invoice", None) or None,
        level="confirmed",
    )


def _also_named(ctx: Context, invoice: Invoice) -> list[Invoice]:
    """The customer's other open invoices the reply names by number: a promise or a payment about several
    invoices is about each of them, not only the one whose mail was answered."""
    numbers = [n for n in getattr(ctx.classification, "invoice_numbers", None) or [] if n != invoice.number]
    if not numbers or invoice.customer_id is None:
        return []
    return list(
        ctx.session.scalars(
            select(Invoice).where(
                Invoice.number.in_(numbers),
                Invoice.customer_id == invoice.customer_id,
                Invoice.state == "sent",
                Invoice.id != invoice.id,
            )
        )
    )


def _pause(invoice: Invoice, until: dt.datetime, reason: str) -> None:
    invoice.paused_until = until
    invoice.pause_reason = reason


def act_on_reply(ctx: Context) -> None:
    """The customer's words become actions: resend at once, pause reminders, or a case for a person. A reply
    saying different things of different invoices ("1050 est réglée, la 0990 jamais reçue") acts on each
    named invoice of the customer by its own words; one it takes out ("mais pas la 0990") is left as it is."""
    intent = ctx.facts.get("intent")
    invoice: Invoice | None = ctx.facts.get("invoice")
    dispatch: Dispatch | None = ctx.facts.get("dispatch")
    if intent is None or invoice is None:
        return
    from jalon.handlers.replies import EXCEPTED

    own = getattr(ctx.classification, "intents_by_invoice", None) or {}
    mine = own.get(invoice.number.upper(), intent)
    others = _also_named(ctx, invoice)
    alike = [named for named in others if own.get(named.number.upper(), mine) == mine]
    if mine != EXCEPTED:  # "réglées, mais pas celle-ci": nothing is done to it on this reply's word
        _act(ctx, invoice, dispatch, mine, alike)
    for named in others:
        theirs = own.get(named.number.upper())
        if theirs not in (None, mine, EXCEPTED):
            _act(ctx, named, None, theirs, [])


def _act(
    ctx: Context, invoice: Invoice, dispatch: Dispatch | None, intent: str, alike: list[Invoice]
) -> None:
    """What `intent` asks for `invoice`; `alike`: the customer's other invoices the reply says the same of
    (a promise or a payment about several invoices is about each of them)."""
    session = ctx.session
    classification = ctx.classification
    evidence = getattr(classification, "evidence", None)
    words = (getattr(classification, "new_text", None) or "")[:1500]
    case_facts = {
        "number": invoice.number,
        "from": ctx.inbound.mail_from,
        "words": words,
        "evidence": evidence,
    }
    if getattr(classification, "amounts", None):  # "150 € au lieu de 120 €": the figures, at a glance
        case_facts["amounts"] = ", ".join(classification.amounts)
    if intent in ("not_received", "resend_request"):
        resend_not_received(ctx, invoice, dispatch, intent, case_facts)
    elif intent == "dispute":
        _pause(invoice, ctx.now + DISPUTE_PAUSE, "dispute")
        events.record(
            session, "invoice.disputed", invoice_id=invoice.id, inbound_id=ctx.inbound.id, words=words[:500]
        )
        cases.open_case(
            session,
            "dispute",
            f"{invoice.number} disputed by the customer",
            key=cases.case_key("dispute", "invoice", invoice.id),
            facts=case_facts,
            invoice_id=invoice.id,
            customer_id=invoice.customer_id,
            inbound_id=ctx.inbound.id,
        )
    elif intent == "promise_to_pay":
        promised = getattr(classification, "promised_date", None)
        if promised:
            day = dt.date.fromisoformat(str(promised)[:10])
            until = dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC) + PROMISE_GRACE
        else:
            until = ctx.now + PROMISE_DEFAULT
        instalments = list(getattr(classification, "instalments", None) or [])
        for named in [invoice, *alike]:  # "1107 et 1109 seront payées le 25"
            _pause(named, until, "promise")
            events.record(
                session,
                "payment.promised",
                invoice_id=named.id,
                inbound_id=ctx.inbound.id,
                promised_date=promised,
                instalments=instalments,
                paused_until=until,
            )
        if instalments or until > ctx.now + PROMISE_REVIEW:
            # A payment plan, or a date far off, is the customer asking for terms: a person agrees or not.
            plan = ", ".join(instalments)
            when = f"in instalments on {plan}" if instalments else f"on {str(promised)[:10]}"
            cases.open_case(
                session,
                "promise_review",
                f"{invoice.number}: customer proposes to pay {when}",
                key=cases.case_key("promise_review", "invoice", invoice.id),
                facts={**case_facts, "promised_date": promised, "instalments": instalments},
                invoice_id=invoice.id,
                customer_id=invoice.customer_id,
                inbound_id=ctx.inbound.id,
            )
    elif intent == "paid":
        for named in [invoice, *alike]:
            _pause(named, ctx.now + PAID_GRACE, "payment_announced")
            events.record(
                session,
                "payment.announced",
                invoice_id=named.id,
                inbound_id=ctx.inbound.id,
                paused_until=ctx.now + PAID_GRACE,
            )
    elif intent == "missing_info":
        missing = list(getattr(classification, "missing", None) or [])
        cases.open_case(
            session,
            "missing_info",
            f"{invoice.number}: customer says {', '.join(missing) or 'information'} is missing",
            key=cases.case_key("missing_info", "invoice", invoice.id),
            facts={**case_facts, "missing": missing},
            invoice_id=invoice.id,
            customer_id=invoice.customer_id,
            inbound_id=ctx.inbound.id,
        )
    elif intent == "acknowledged":
        events.record(
            session,
            "invoice.acknowledged",
            invoice_id=invoice.id,
            inbound_id=ctx.inbound.id,
            level="confirmed",
        )
    elif intent == "contact_change":
        cases.open_case(
            session,
            "contact_change",
            f"{invoice.number}: change of contact or bank details asked by mail",
            key=cases.case_key("contact_change", "inbound", ctx.inbound.id),
            facts={
                **case_facts,
                "new_contact": getattr(classification, "new_contact", None),
                "warning": "never applied automatically: check with the customer by phone",
            },
            invoice_id=invoice.id,
            customer_id=invoice.customer_id,
            inbound_id=ctx.inbound.id,
        )
    else:  # question, other: a person answers
        cases.open_case(
            session,
            "question",
            f"{invoice.number}: the customer wrote",
            key=cases.case_key("question", "inbound", ctx.inbound.id),
            facts={**case_facts, "intent": intent},
            invoice_id=invoice.id,
            customer_id=invoice.customer_id,
            inbound_id=ctx.inbound.id,
        )


def resend_not_received(
    ctx: Context, invoice: Invoice, dispatch: Dispatch | None, intent: str, case_facts: dict[str, Any]
) -> None:
    """Resend at once to whoever says it did not arrive (a marked copy, same thread, proof of the first
    sending), and keep one watched case until receipt is proven by other means."""
    from jalon.handlers.dispatching import copy_dispatch, send_dispatch

    session = ctx.session
    sender = ctx.inbound.mail_from.lower()
    target = dispatch or next(
        (d for d in reversed(invoice.dispatches) if d.recipient.lower() == sender), None
    )
    facts = dict(case_facts)
    if target is not None and invoice.state not in ("cancelled", "replaced"):
        original = target
        while original.copy_of_id:
            parent = session.get(Dispatch, original.copy_of_id)
            if parent is None:
                break
            original = parent
        copy = copy_dispatch(session, invoice, target, original)
        send_dispatch(session, ctx.settings, copy, actor="jalon")
        first = original.sent_at.isoformat() if original.sent_at else None
        events.record(
            session,
            "invoice.resent",
            invoice_id=invoice.id,
            dispatch_id=copy.id,
            reason=intent,
            inbound_id=ctx.inbound.id,
            recipient=copy.recipient,
            first_sent_at=first,
        )
        facts.update(
            {
                "resent_to": copy.recipient,
                "first_sent_at": first,
                "watch": "closes by itself when the customer downloads, reads or acknowledges it",
            }
        )
    else:
        facts["warning"] = "could not resend automatically: no earlier sending to this address"
    cases.open_case(
        session,
        "not_received",
        f"{invoice.number}: customer says it did not arrive",
        key=cases.case_key("not_received", "invoice", invoice.id),
        facts=facts,
        invoice_id=invoice.id,
        customer_id=invoice.customer_id,
        inbound_id=ctx.inbound.id,
    )


# Cases that close themselves once an invoice is proven received by any means (download, read receipt,
# acknowledgement, payment…). Milestone-late cases are the scenarios' business.
RECEIPT_CASES = ("not_received",)


def close_proven_cases(session: Any, invoice_id: int | None = None) -> int:
    """Close the open receipt cases whose invoice has, since the case opened, confirmed-level evidence."""
    from jalon.scenarios import EVIDENCE, LEVELS

    received = [kind for kind, level in EVIDENCE.items() if LEVELS.index(level) >= LEVELS.index("received")]
    query = select(cases.Case).where(cases.Case.kind.in_(RECEIPT_CASES), cases.Case.state == "open")
    if invoice_id is not None:
        query = query.where(cases.Case.invoice_id == invoice_id)
    closed = 0
    for case in session.scalars(query).all():
        proofs = session.scalars(
            select(Event)
            .where(Event.invoice_id == case.invoice_id, Event.type.in_(received), Event.at >= case.opened_at)
            .order_by(Event.id)
        )
        proof = next((e for e in proofs if _proves_receipt(e)), None)
        if proof is not None:
            who = (proof.data or {}).get("recipient") or proof.actor
            cases.close_case(
                session,
                case,
                actor="jalon",
                resolution=f"received: {proof.type} ({who}) at {proof.at:%Y-%m-%d %H:%M} UTC",
            )
            closed += 1
    return closed


def _proves_receipt(event: Event) -> bool:
    data = event.data or {}
    if data.get("level") == "hint":
        return False
    return not (event.type == "reply.received" and data.get("intent") in ("not_received", "resend_request"))


def close_cases_proven_here(ctx: Context) -> None:
    """Pipeline step: what just came back may prove an invoice received; close its watched cases."""
    invoice = ctx.facts.get("invoice")
    if invoice is not None:
        ctx.session.flush()
        close_proven_cases(ctx.session, invoice.id)


def set_aside_unplaced(ctx: Context) -> None:
    """A message that is neither an invoice nor an answer to one: a person decides."""
    if ctx.route.kind in ("postmaster",) and ctx.facts.get("invoice") is None:
        _unmatched(ctx, "Message to postmaster")
        return
    if ctx.facts.get("invoice") is not None:
        invoice = ctx.facts["invoice"]
        events.record(
            ctx.session,
            "message.noted",
            invoice_id=invoice.id,
            inbound_id=ctx.inbound.id,
            kind=getattr(ctx.classification, "kind", None),
        )
        return
    reason = getattr(ctx.classification, "reason", None) or "not an invoice, a delivery report nor a reply"
    ctx.stop(reason)
