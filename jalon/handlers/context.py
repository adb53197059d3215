"""What a pipeline's steps share while handling one inbound message, inside one transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from jalon.config import Settings
from jalon.mailbox.addresses import Route
from jalon.models import InboundMessage, Invoice


class StopPipeline(Exception):
    """A step decided the message cannot go further; it is set aside for a person with this reason."""


@dataclass
class Context:
    session: Session
    settings: Settings
    inbound: InboundMessage
    raw: bytes
    route: Route
    now: dt.datetime
    prepared: Any = None  # handlers.invoices.PreparedMail for invoice mails
    classification: Any = None  # handlers.classify.Classification for everything else
    invoices: list[Invoice] = field(default_factory=list)
    documents: dict[int, Any] = field(default_factory=dict)  # invoice id -> ReadDocument
    matches: dict[int, Any] = field(default_factory=dict)  # invoice id -> Match
    facts: dict[str, Any] = field(default_factory=dict)

    def stop(self, reason: str) -> None:
        raise StopPipeline(reason)
