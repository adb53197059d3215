"""Durable accept: store a message's raw bytes and envelope, commit, and only then say yes.

Every way mail comes in (SMTP, IMAP, CLI, demo) calls `accept`. The same bytes to the same recipients are
stored once: a client that resends after a lost `250`, or an IMAP message seen twice, is not processed twice.
"""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from jalon import events
from jalon.db import Database, store_blob, utcnow
from jalon.models import InboundMessage

_HEADER_PARSER = email.parser.BytesHeaderParser(policy=email.policy.compat32)


@dataclass(frozen=True)
class Envelope:
    """What the transport knows about a message besides its bytes."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    source: str = "smtp"  # smtp | imap | cli | demo
    peer: str | None = None
    helo: str | None = None
    auth_user: str | None = None
    auth_results: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Accepted:
    inbound_id: int
    duplicate: bool


def dedupe_key(raw: bytes, envelope: Envelope) -> str:
    digest = hashlib.sha256(raw)
    for rcpt in sorted(r.lower() for r in envelope.rcpt_tos):
        digest.update(b"\0" + rcpt.encode("utf-8", "replace"))
    return digest.hexdigest()


def _header_summary(raw: bytes) -> tuple[str | None, str | None]:
    """Message-ID and Subject for listings; never fails, whatever the bytes."""
    try:
        head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0][:65536]
        headers = _HEADER_PARSER.parsebytes(head, headersonly=True)
        message_id = headers.get("Message-ID")
        subject = headers.get("Subject")
        return (
            str(message_id).strip()[:998] if message_id else None,
            str(subject)[:2000] if subject else None,
        )
    except Exception:
        return None, None


def stage(
    session: Session, raw: bytes, envelope: Envelope, *, key: str | None = None, flush: bool = True
) -> InboundMessage | None:
    """Add the message to the session (no commit). None when it was already stored. `key`: its dedupe key,
    already looked up by the caller (group commit); `flush=False` leaves the row to the caller's flush."""
    if key is None:
        key = dedupe_key(raw, envelope)
        if session.execute(select(InboundMessage.id).where(InboundMessage.dedupe_key == key)).first():
            return None
    digest = store_blob(session, raw)
    message_id, subject = _header_summary(raw)
    inbound = InboundMessage(
        blob_sha256=digest,
        dedupe_key=key,
        source=envelope.source,
        mail_from=envelope.mail_from or "",
        rcpt_tos=list(envelope.rcpt_tos),
        peer=envelope.peer,
        helo=envelope.helo,
        auth_user=envelope.auth_user,
        message_id=message_id,
        subject=subject,
        size=len(raw),
        received_at=utcnow(),
        auth_results=dict(envelope.auth_results),
        status="pending",
    )
    session.add(inbound)
    if flush:
        session.flush()
        _record_received(session, inbound, envelope)
    return inbound


def _record_received(session: Session, inbound: InboundMessage, envelope: Envelope) -> None:
    events.record(
        session,
        "message.received",
        inbound_id=inbound.id,
        source=envelope.source,
        mail_from=envelope.mail_from,
        rcpt_tos=list(envelope.rcpt_tos),
        size=inbound.size,
        sha256=inbound.blob_sha256,
        message_id=inbound.message_id,
        auth_user=envelope.auth_user,
    )


def accept(database: Database, raw: bytes, envelope: Envelope) -> Accepted:
    """Store and commit one message. Returns once the bytes are durable; raises if they are not."""
    key = dedupe_key(raw, envelope)
    try:
        with database.session() as session:
            inbound = stage(session, raw, envelope)
            if inbound is not None:
                return Accepted(inbound.id, duplicate=False)
    except IntegrityError:
        pass  # a concurrent delivery of the same message won the race; it is stored
    with database.session() as session:
        existing = session.execute(
            select(InboundMessage.id).where(InboundMessage.dedupe_key == key)
        ).scalar_one()
        return Accepted(existing, duplicate=True)


def accept_many(database: Database, items: list[tuple[bytes, Envelope]]) -> list[Accepted]:
    """Store several messages in one transaction (group commit under load): one look-up of the known ones,
    one flush for the new rows; falls back one by one."""
    try:
        results: list[Accepted | InboundMessage] = []
        with database.session() as session:
            keys = [dedupe_key(raw, envelope) for raw, envelope in items]
            known = dict(
                session.execute(
                    select(InboundMessage.dedupe_key, InboundMessage.id).where(
                        InboundMessage.dedupe_key.in_(set(keys))
                    )
                ).all()
            )
            staged: dict[str, InboundMessage] = {}
            for (raw, envelope), key in zip(items, keys, strict=True):
                if key in known:
                    results.append(Accepted(known[key], duplicate=True))
                elif key in staged:
                    results.append(staged[key])  # the same message twice in one group: stored once
                else:
                    staged[key] = stage(session, raw, envelope, key=key, flush=False)  # type: ignore[assignment]
                    results.append(staged[key])
            session.flush()
            envelopes = {key: envelope for (_, envelope), key in zip(items, keys, strict=True)}
            for key, inbound in staged.items():
                _record_received(session, inbound, envelopes[key])
            seen: set[int] = set()
            out = []
            for result in results:
                if isinstance(result, InboundMessage):
                    out.append(Accepted(result.id, duplicate=result.id in seen))
                    seen.add(result.id)
                else:
                    out.append(result)
        return out
    except IntegrityError:
        return [accept(database, raw, envelope) for raw, envelope in items]
