"""Which channel a case goes to (per customer group or kind of case, first matching route), and where a
posted card lives, as every platform needs to know to update it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jalon.config import ChatRoute


@dataclass
class PostRef:
    """A posted card: the channel (Slack channel id, Teams conversation id), the message (Slack ts, Teams
    activity id; None when the platform gives none back) and what else the platform needs."""

    channel: str
    message_ref: str | None
    conversation: dict[str, Any] = field(default_factory=dict)


def route(routes: list[ChatRoute], default: str, kind: str, group: str | None) -> str:
    for candidate in routes:
        if candidate.groups and group not in candidate.groups:
            continue
        if candidate.kinds and kind not in candidate.kinds:
            continue
        return candidate.channel
    return default
