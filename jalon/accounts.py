"""A customer's account as the sales-administration team reads it on the phone: what is owed, due or late.

The open items of one customer: each invoice not yet paid (what it still owes, how late), the holdbacks still
owed on paid invoices, and the credit notes not set against any invoice; with the totals that answer "how
much does this customer owe us, and how much of it is late?" (`jalon customers statement CODE`,
`GET /api/customers/{code}/statement`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, defer

from jalon import credits as credits_module
from jalon.dunning import CENT, held_back, outstanding
from jalon.models import Customer, Invoice
from jalon.payments import OPEN_STATES


def statement(session: Session, code: str, today: dt.date) -> dict[str, Any] | None:
    """The customer's open items and totals on `today`; None when no customer has this code."""
    customer = session.scalars(select(Customer).where(Customer.code == code)).first()
    if customer is None:
        return None
    # a big customer's years of paid invoices stay out: only those still holding a holdback are read, and no
    # invoice's whole reading (`data`) is loaded
    open_or_held = or_(
        Invoice.state.in_(OPEN_STATES), and_(Invoice.state == "paid", Invoice.holdback.is_not(None))
    )
    invoices = session.scalars(
        select(Invoice)
        .options(defer(Invoice.data), defer(Invoice.findings))
        .where(Invoice.customer_id == customer.id, open_or_held)
        .order_by(Invoice.due_date, Invoice.id)
    ).all()
    items, holdbacks, credits = [], [], []
    for invoice in invoices:
        if invoice.doc_type == "credit_note":
            if not credits_module.applied(session, invoice):
                credits.append(_credit(invoice))
        elif invoice.state in OPEN_STATES and outstanding(invoice) > 0:
            items.append(_item(invoice, today))
        elif invoice.state == "paid" and held_back(invoice) > 0:
            holdbacks.append({**_head(invoice), "holdback": held_back(invoice)})
    owed = _sum(item["owed"] for item in items)
    late = _sum(item["owed"] for item in items if item["days_late"] > 0)
    unallocated = _sum(credit["amount"] for credit in credits)
    return _plain(
        {
            "customer": {"customer_id": customer.code, "name": customer.name},
            "on": today.isoformat(),
            "currency": _currency(invoices),
            "invoices": items,
            "holdbacks": holdbacks,
            "unallocated_credit_notes": credits,
            "totals": {
                "owed": owed,
                "late": late,
                "not_yet_due": owed - late,
                "holdbacks": _sum(h["holdback"] for h in holdbacks),
                "unallocated_credit_notes": unallocated,
                "balance": owed - unallocated,
            },
        }
    )


def _head(invoice: Invoice) -> dict[str, Any]:
    return {
        "number": invoice.number,
        "issue_date": invoice.issue_date.isoformat() if invoice.issue_date else None,
        "due_date": invoice.due_date.isoformat() if invoice.due_date else None,
        "total_with_vat": Decimal(invoice.total_with_vat or 0).quantize(CENT),
    }


def _item(invoice: Invoice, today: dt.date) -> dict[str, Any]:
    late = (today - invoice.due_date).days if invoice.due_date and today > invoice.due_date else 0
    return {
        **_head(invoice),
        "paid": Decimal(invoice.amount_paid or 0).quantize(CENT),
        "owed": outstanding(invoice),
        "days_late": late,
        "state": invoice.state,
        "paused": invoice.pause_reason,  # a dispute, a promise: why nobody is chasing it
    }


def _credit(invoice: Invoice) -> dict[str, Any]:
    return {
        **_head(invoice),
        "amount": Decimal(invoice.amount_due or invoice.total_with_vat or 0).quantize(CENT),
    }


def _sum(values: Any) -> Decimal:
    return sum(values, Decimal(0)).quantize(CENT)


def _plain(value: Any) -> Any:
    """Amounts as JSON numbers, as the rest of the API gives them."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _currency(invoices: Any) -> str | None:
    currencies = {invoice.currency for invoice in invoices}
    return currencies.pop() if len(currencies) == 1 else None


def render(account: dict[str, Any]) -> str:
    """The statement as a few terminal lines."""
    customer, totals, currency = account["customer"], account["totals"], account["currency"] or ""
    rows: list[tuple[str, str, float, str]] = []
    for item in account["invoices"]:
        why = f"{item['days_late']} days late" if item["days_late"] else "not yet due"
        why += f", paused: {item['paused']}" if item["paused"] else ""
        rows.append((item["number"], f"due {item['due_date'] or '?'}", item["owed"], why))
    for held in account["holdbacks"]:
        rows.append((held["number"], "holdback", held["holdback"], "paid but for it"))
    for credit in account["unallocated_credit_notes"]:
        rows.append((credit["number"], "credit note", -credit["amount"], "not allocated"))
    lines = [f"{customer['name']} ({customer['customer_id']}), on {account['on']}"]
    lines += [
        f"  {number:<16} {what:<14} {amount:>12.2f} {currency}  ({why})" for number, what, amount, why in rows
    ]
    lines.append(
        f"  owed {totals['owed']:.2f} {currency}, of which late {totals['late']:.2f}; holdbacks"
        f" {totals['holdbacks']:.2f}; balance {totals['balance']:.2f} {currency}"
    )
    return "\n".join(lines)
