"""Decide and act. What happens to each kind of message is data: a pipeline is a tuple of named steps.

The classification rules (ordered, first hit wins, every hit recorded) live in `handlers.classify.RULES`;
the steps below run in one transaction for each inbound message, in order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PIPELINES: dict[str, tuple[str, ...]] = {
    "invoice": (
        "check_sender",
        "create_invoices",
        "match_customers",
        "record_relay_contacts",
        "check_invoices",
        "hold_or_release",
    ),
    "bounce": ("correlate", "record_delivery_status"),
    "delay": ("correlate", "record_delivery_status"),
    "delivered": ("correlate", "record_delivery_status"),
    "read_receipt": ("correlate", "record_read_receipt", "close_proven_cases"),
    "autoreply": ("correlate", "record_autoreply"),
    "feedback": ("correlate", "record_feedback"),
    "reply": ("correlate", "record_reply", "act_on_reply", "close_proven_cases"),
    "other": ("correlate", "set_aside_unplaced"),
}


def steps() -> dict[str, Callable[[Any], None]]:
    """Step name -> function. Imported on demand so that the table above stays readable and cheap."""
    from jalon.handlers import invoices, returns

    return {
        "check_sender": invoices.check_sender,
        "create_invoices": invoices.create_invoices,
        "match_customers": invoices.match_customers,
        "record_relay_contacts": invoices.record_relay_contacts,
        "check_invoices": invoices.check_invoices,
        "hold_or_release": invoices.hold_or_release,
        "correlate": returns.correlate,
        "record_delivery_status": returns.record_delivery_status,
        "record_read_receipt": returns.record_read_receipt,
        "record_autoreply": returns.record_autoreply,
        "record_feedback": returns.record_feedback,
        "record_reply": returns.record_reply,
        "act_on_reply": returns.act_on_reply,
        "set_aside_unplaced": returns.set_aside_unplaced,
        "close_proven_cases": returns.close_cases_proven_here,
    }
