"""Payments close the loop: money recorded by hand, through the API, or read from a bank file (CSV or ISO
20022 camt.053), matched to invoices by the invoice number in the remittance text, then by amount and
customer.

A bank file is read whole before anything is applied: a malformed file is refused with the line and the
reason, and nothing of it is recorded. Then every line is applied in one transaction: paid invoices settle
(every scenario step stops, their late cases close), partial payments are kept, unmatched lines are kept
unlinked for a person and reported. Importing the same file twice records nothing twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jalon import events
from jalon.db import Database, utcnow
from jalon.handlers import cases
from jalon.models import Customer, Invoice, Payment
from jalon.statements import BankLine, plain, read_statement

CENT = Decimal("0.01")
OPEN_STATES = ("received", "held", "ready", "sent")  # an invoice that may still be paid


# --- recording and settling -----------------------------------------------------------------------------


MIN_CORE = 6  # digits a number's core needs before it identifies an invoice on its own
WRITE_OFF = Decimal("1.00")  # a remainder this small after a payment settles the invoice (charges, rounding)


def outstanding(invoice: Invoice) -> Decimal:
    from jalon.dunning import outstanding as owed

    return owed(invoice)


def held_back(invoice: Invoice) -> Decimal:
    from jalon.dunning import held_back as kept

    return kept(invoice)


def owed_now(invoice: Invoice) -> Decimal:
    """What a payment for this invoice goes to: what is owed while it is open, its holdback once paid."""
    return outstanding(invoice) if invoice.state in OPEN_STATES else held_back(invoice)


def excess(invoice: Invoice) -> Decimal:
    """What was paid beyond the amount due (0 when it was not)."""
    from jalon.dunning import balance

    return max(-balance(invoice), Decimal(0)).quantize(CENT)


def settle(session: Session, invoice: Invoice, *, actor: str, at: dt.datetime, source: str) -> None:
    """Paid in full: every scenario step stops, every milestone is met, late cases close, pauses end."""
    from jalon import scenarios

    invoice.state = "paid"
    invoice.paid_at = at
    invoice.paused_until = None
    invoice.pause_reason = None
    events.record(
        session, "invoice.paid", invoice_id=invoice.id, actor=actor, at=at, source=source, level="paid"
    )
    session.flush()
    scenarios.stop_invoice(session, invoice.id, reason="paid")
    if invoice.customer_id is not None:  # its pause no longer holds the customer's other reminders
        scenarios.release_parked(session, customer_id=invoice.customer_id)
    scenarios.settle_milestones(session, invoice, actor=actor)
    cases.close_invoice_cases(
        session, invoice.id, actor=actor, resolution=f"paid ({source})", kinds=("late",)
    )


def record_payment(
    session: Session,
    invoice: Invoice | None,
    amount: Decimal,
    paid_on: dt.date,
    *,
    actor: str,
    source: str,
    currency: str = "EUR",
    reference: str | None = None,
    source_ref: str | None = None,
    data: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> Payment:
    """Keep one payment; with an invoice, count it and settle the invoice once nothing is owed."""
    now = now or utcnow()
    payment = Payment(
        invoice_id=invoice.id if invoice else None,
        amount=amount.quantize(CENT),
        currency=currency,
        paid_on=paid_on,
        reference=reference,
        source=source,
        source_ref=source_ref,
        data=dict(data or {}),
    )
    session.add(payment)
    if invoice is None:
        return payment
    holdback_before = held_back(invoice)
    invoice.amount_paid = (Decimal(invoice.amount_paid or 0) + amount).quantize(CENT)
    remaining, over, kept = outstanding(invoice), excess(invoice), held_back(invoice)

    paid = {"invoice_id": invoice.id, "customer_id": invoice.customer_id, "actor": actor, "at": now}

    def note(type_: str, **data: Any) -> None:  # this payment's events on the invoice, alike but for data
        events.record(session, type_, **paid, **data)

    clipped = (reference or "")[:200]
    note("payment.received", amount=amount, currency=currency, paid_on=paid_on, source=source,
         reference=clipped, remaining=remaining)  # fmt: skip
    if remaining <= WRITE_OFF and invoice.state in OPEN_STATES:
        if remaining > 0:
            # bank charges, a rounding: nobody sends a formal notice for 0.50; the difference stays on record
            note("payment.difference_written_off", difference=remaining, currency=currency)
        settle(session, invoice, actor=actor, at=now, source=source)
        if kept > 0:  # paid less the retenue de garantie: owed later, and not to be forgotten
            note("payment.holdback_retained", holdback=kept, currency=currency)
    elif invoice.state == "paid" and holdback_before > 0:
        note("payment.holdback_received", amount=amount, remaining=kept, currency=currency)
        if kept <= WRITE_OFF:
            resolution = f"holdback paid ({source})"
            cases.close_invoice_cases(
                session, invoice.id, actor=actor, resolution=resolution, kinds=("holdback_due",)
            )
    if over > 0:  # money to give back, or to set against another invoice: a person decides
        note("payment.overpaid", overpaid=over, currency=currency, reference=clipped)
    return payment


def open_overpaid_case(
    session: Session,
    invoice: Invoice,
    over: Decimal,
    currency: str,
    *,
    reference: str | None,
    origin: str | None,
    payer: str | None = None,
) -> None:
    """Money beyond what the invoice owed (a transfer, a credit note): a person refunds it or sets it against
    another invoice of the customer."""
    cases.open_case(
        session,
        "overpaid",
        f"{invoice.number}: paid {over} {currency} more than owed",
        key=cases.case_key("overpaid", "invoice", invoice.id),
        facts={
            "number": invoice.number,
            "overpaid": str(over),
            "currency": currency,
            "payer": payer,
            "reference": reference,
            "file": origin,
            "to_do": "refund it, or set it against another invoice of the customer",
        },
        invoice_id=invoice.id,
        customer_id=invoice.customer_id,
    )


# --- matching ------------------------------------------------------------------------------------------


def normal(text: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", plain(text).upper())


_TOKEN = re.compile(r"[^\s,;:/()\[\]'\"+*]+")


def _core(word: str) -> str:
    """A normalised number without its letter prefix ('FA20261107' -> '20261107')."""
    return re.sub(r"^[A-Z]+", "", word)


def number_candidates(text: str) -> list[str]:
    """Normalised words of a remittance text, runs of two or three of them ('FA 2026 0042'), and words
    without a letter prefix glued by the bank ('FACT20260042' -> '20260042')."""
    words = [normal(w) for w in _TOKEN.findall(text or "")]
    words = [w for w in words if w]
    found: list[str] = []
    for i, word in enumerate(words):
        found.append(word)
        found.extend("".join(words[i : i + n]) for n in (2, 3) if i + n <= len(words))
        stripped = _core(word)
        if stripped != word and len(stripped) >= 4:
            found.append(stripped)
    return list(dict.fromkeys(found))


@dataclass
class Allocation:
    invoice: Invoice
    amount: Decimal


@dataclass
class Matcher:
    """Open invoices by normalised number and by customer, loaded once per import."""

    session: Session
    by_number: dict[str, list[Invoice]] = field(default_factory=dict)
    # the number without its letter prefix ("FA2026-1107" -> "20261107"): banks and payers rewrite prefixes
    # ("FACT 2026-1107"); used only when no number matched as written, and only when one invoice has it
    by_core: dict[str, list[Invoice]] = field(default_factory=dict)
    by_customer: dict[int, list[Invoice]] = field(default_factory=dict)
    customers: list[tuple[Customer, set[str]]] = field(default_factory=list)

    @classmethod
    def load(cls, session: Session) -> Matcher:
        matcher = cls(session)
        query = select(Invoice).where(
            Invoice.state.in_((*OPEN_STATES, "paid")), Invoice.doc_type != "credit_note"
        )
        for invoice in session.scalars(query.order_by(Invoice.id)):
            matcher.by_number.setdefault(normal(invoice.number), []).append(invoice)
            core = _core(normal(invoice.number))
            if len(core) >= MIN_CORE and core.isdigit():
                matcher.by_core.setdefault(core, []).append(invoice)
            if invoice.customer_id and invoice.state in OPEN_STATES:
                matcher.by_customer.setdefault(invoice.customer_id, []).append(invoice)
        for customer in session.scalars(select(Customer)):
            keys = {normal(v) for v in (customer.name, customer.code, customer.siren, customer.vat) if v}
            matcher.customers.append((customer, {k for k in keys if len(k) >= 3}))
        return matcher

    def by_reference(self, line: BankLine) -> list[Invoice]:
        found: list[Invoice] = []
        candidates = number_candidates(" ".join(filter(None, [line.invoice_hint, line.reference])))
        for candidate in candidates:
            for invoice in self.by_number.get(candidate, []):
                if invoice not in found:
                    found.append(invoice)
        if not found:
            for candidate in candidates:
                core = _core(candidate)
                invoices = self.by_core.get(core, []) if len(core) >= MIN_CORE else []
                if len(invoices) == 1 and invoices[0] not in found:
                    found.append(invoices[0])
        return found

    def customer_of(self, line: BankLine) -> Customer | None:
        payer = normal(line.payer or "")
        words = set(number_candidates(line.reference))
        for customer, keys in self.customers:
            if payer and any(
                key == payer or (len(key) >= 5 and (key in payer or payer in key)) for key in keys
            ):
                return customer
        for customer, keys in self.customers:
            if keys & words:
                return customer
        return None

    def match(self, line: BankLine) -> tuple[list[Allocation], str, str | None]:
        """(allocations, method, why unmatched)."""
        invoices = [i for i in self.by_reference(line) if i.currency == line.currency]
        if invoices:
            payable = [i for i in invoices if i.state in OPEN_STATES or held_back(i)]
            if not payable:
                return [], "invoice_number", f"invoice {invoices[0].number} is already paid"
            return self.allocate(payable, line.amount), "invoice_number", None
        customer = self.customer_of(line)
        if customer is None:
            return [], "", "no invoice number in the remittance text and no known customer"
        same = [
            i
            for i in self.by_customer.get(customer.id, [])
            if i.state in OPEN_STATES and i.currency == line.currency and outstanding(i) == line.amount
        ]
        if len(same) == 1:
            return [Allocation(same[0], line.amount)], "amount_and_customer", None
        if same:
            numbers = ", ".join(i.number for i in same)
            return [], "", f"{len(same)} open invoices of {customer.name} owe {line.amount}: {numbers}"
        return [], "", f"no open invoice of {customer.name} owes {line.amount}"

    @staticmethod
    def allocate(invoices: list[Invoice], amount: Decimal) -> list[Allocation]:
        """One payment for several invoices named in its text: each in turn gets what it owes; the last
        one gets what is left (an overpayment stays visible on it)."""
        allocations = []
        left = amount
        for index, invoice in enumerate(invoices):
            share = left if index == len(invoices) - 1 else min(owed_now(invoice), left)
            if share <= 0:
                break
            allocations.append(Allocation(invoice, share))
            left -= share
        return allocations


# --- use cases ----------------------------------------------------------------------------------------


def import_statement(
    database: Database, data: bytes, *, actor: str, filename: str = "", now: dt.datetime | None = None
) -> dict[str, Any]:
    """Read the whole file (refusing it whole if malformed), then apply every line in one transaction."""
    now = now or utcnow()
    statement = read_statement(data)  # raises PaymentFileError: nothing applied
    report: dict[str, Any] = {
        "file": filename,
        "format": statement.format,
        "lines": len(statement.lines),
        "matched": [],
        "partial": [],
        "unmatched": [],
        "duplicates": [],
        "overpaid": [],
        "ignored": statement.ignored,
    }
    with database.session() as session:
        matcher = Matcher.load(session)
        known = set(
            session.scalars(
                select(Payment.source_ref).where(
                    Payment.source_ref.in_([line.source_ref for line in statement.lines])
                )
            )
        )
        for line in statement.lines:
            if line.source_ref in known:
                report["duplicates"].append(
                    {"line": line.line, "amount": str(line.amount), "reference": line.reference}
                )
                continue
            allocations, method, why = matcher.match(line)
            common = {
                "payer": line.payer,
                "account": line.payer_account,
                "bank_ref": line.bank_ref,
                "file": filename,
                "line": line.line,
            }
            if not allocations:
                record_payment(
                    session,
                    None,
                    line.amount,
                    line.booked_on,
                    actor=actor,
                    source=statement.format,
                    currency=line.currency,
                    reference=line.reference,
                    source_ref=line.source_ref,
                    data={**common, "unmatched": why},
                    now=now,
                )
                report["unmatched"].append(
                    {
                        "line": line.line,
                        "amount": str(line.amount),
                        "reference": line.reference,
                        "payer": line.payer,
                        "reason": why,
                    }
                )
                continue
            for index, allocation in enumerate(allocations):
                invoice = allocation.invoice
                record_payment(
                    session,
                    invoice,
                    allocation.amount,
                    line.booked_on,
                    actor=actor,
                    source=statement.format,
                    currency=line.currency,
                    reference=line.reference,
                    source_ref=line.source_ref if index == 0 else f"{line.source_ref}#{index}",
                    data={**common, "method": method},
                    now=now,
                )
                entry = {
                    "line": line.line,
                    "invoice": invoice.number,
                    "amount": str(allocation.amount),
                    "method": method,
                    "remaining": str(outstanding(invoice)),
                    "paid": invoice.state == "paid",
                }
                report["matched" if invoice.state == "paid" else "partial"].append(entry)
                over_paid = excess(invoice)
                if over_paid > 0:
                    report["overpaid"].append({**entry, "overpaid": str(over_paid), "payer": line.payer})
                    open_overpaid_case(session, invoice, over_paid, line.currency, reference=line.reference,
                                       origin=filename, payer=line.payer)  # fmt: skip
        if report["unmatched"]:
            cases.open_case(
                session,
                "unmatched",
                f"{len(report['unmatched'])} bank line(s) of {filename or 'an import'} match no invoice",
                key=cases.case_key("unmatched", "payments", hashlib.sha256(data).hexdigest()[:16]),
                facts={"file": filename, "lines": report["unmatched"][:50]},
            )
    return report


def import_file(database: Database, path: str | Path, *, actor: str = "cli") -> dict[str, Any]:
    file = Path(path)
    return import_statement(database, file.read_bytes(), actor=actor, filename=file.name)


def pay(
    database: Database,
    number: str,
    *,
    actor: str,
    amount: Decimal | None = None,
    paid_on: dt.date | None = None,
    reference: str | None = None,
    source: str = "manual",
    now: dt.datetime | None = None,
) -> tuple[bool, str, dict[str, Any]]:
    """A payment recorded by a person (CLI, API, chat): the whole outstanding amount unless told."""
    from jalon.handlers.actions import find_invoice

    now = now or utcnow()
    with database.session() as session:
        invoice = find_invoice(session, number)
        if invoice is None:
            return False, f"no invoice {number}", {}
        if invoice.state not in OPEN_STATES and not held_back(invoice):
            return False, f"invoice {number} is {invoice.state}", {"state": invoice.state}
        owed = owed_now(invoice)
        amount = owed if amount is None else Decimal(amount)
        if amount <= 0:
            return False, "a payment must be a positive amount", {}
        if reference and session.scalar(
            select(Payment.id).where(Payment.invoice_id == invoice.id, Payment.reference == reference)
        ):
            # a script sending the same bank transfer twice: counted once
            return False, f"payment {reference} is already recorded for invoice {number}", {"duplicate": True}
        record_payment(
            session,
            invoice,
            amount,
            paid_on or now.date(),
            actor=actor,
            source=source,
            currency=invoice.currency,
            reference=reference,
            now=now,
        )
        remaining, over, kept = outstanding(invoice), excess(invoice), held_back(invoice)
        state = invoice.state
    message = f"invoice {number} paid" if state == "paid" else f"invoice {number}: {remaining} still owed"
    data = {"amount": str(amount), "remaining": str(remaining), "state": state}
    if kept > 0:
        data["holdback"] = str(kept)
        message += f"; holdback of {kept} owed when the guarantee ends"
    if over > 0:
        data["overpaid"] = str(over)
        message += f"; overpaid by {over} (to refund or to set against another invoice)"
    return True, message, data
