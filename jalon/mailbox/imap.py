"""The IMAP edge (imapclient): new messages of one mailbox folder go to intake, marked once committed.

For companies whose billing tool can only send to an existing mailbox. A message is flagged `\\Seen` (or moved
to `[imap] processed_folder`) only after `intake.accept` committed it, so a crash in between means it is
fetched again, and intake's dedupe stores it once.

Which messages are new: those above the UID watermark kept in `imap_states` per (account, folder), whatever
their flags (a person may read the mailbox too). With no watermark yet, or after a UIDVALIDITY change, the
folder is rescanned: in flag mode the unseen messages only (so that a first start does not take years of
read mail for new invoices), in move mode every message (the folder is a queue). Either way the watermark
then moves past everything the rescan saw.

imapclient is blocking: `poll_once()` does one pass (tests, ops); `run(stop)` keeps a connection in a thread
of its own, waits with IDLE where offered (renewed well before the 29-minute limit) or polls every
`poll_interval`, reconnects with backoff after a drop, and returns within a second of `stop` being set
(or once a command in flight ends, bounded by `[imap] timeout`).
"""

from __future__ import annotations

import asyncio
import contextlib
import email.parser
import email.policy
import email.utils
import imaplib
import logging
import os
import random
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import LoginError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from jalon import events
from jalon.config import ImapSettings
from jalon.db import Database, utcnow
from jalon.mailbox.intake import Accepted, Envelope, accept
from jalon.models import ImapState

log = logging.getLogger(__name__)

# IMAP carries no envelope. The first header group that yields an address gives the recipients: what the
# delivering server wrote (every hop, most recent first), else what the sender wrote.
RECIPIENT_HEADERS: tuple[tuple[str, ...], ...] = (("Delivered-To", "X-Original-To"), ("To", "Cc"))
SENDER_HEADERS: tuple[str, ...] = ("Return-Path", "From")  # first present wins; Return-Path <> is a bounce
MAX_RECIPIENTS = 100
HEAD_LIMIT = 256 * 1024  # headers beyond this are not looked at for the envelope

IDLE_RENEW = 25 * 60.0  # RFC 2177: servers may drop an IDLE after 30 minutes
IDLE_TICK = 0.5  # how often the IDLE wait looks at the stop flag
FETCH_COUNT = 16  # messages per FETCH
FETCH_BYTES = 8_000_000  # and at most this many bytes per FETCH
BACKOFF_FIRST, BACKOFF_MAX = 1.0, 60.0  # reconnect delays, doubled after each failure, with jitter
NEW_MAIL = {b"EXISTS", b"RECENT"}

_HEADER_PARSER = email.parser.BytesHeaderParser(policy=email.policy.compat32)


class ImapError(Exception):
    """The mailbox cannot be used as configured (login refused, folder missing, no password); says why."""


# --- envelope ------------------------------------------------------------------------------------------


def _addresses(values: list[Any]) -> list[str]:
    found = []
    for _name, address in email.utils.getaddresses([str(value) for value in values]):
        address = address.strip()
        if "@" in address and not any(ch.isspace() for ch in address):
            found.append(address)
    return found


def envelope_for(raw: bytes, settings: ImapSettings, *, peer: str | None = None) -> Envelope:
    """The envelope a message would have had over SMTP, rebuilt from its headers. Never fails."""
    head = raw[:HEAD_LIMIT].split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    try:
        headers = _HEADER_PARSER.parsebytes(head, headersonly=True)
    except Exception:
        headers = _HEADER_PARSER.parsebytes(b"", headersonly=True)
    mail_from = ""
    for name in SENDER_HEADERS:
        value = headers.get(name)
        if value is not None:
            found = _addresses([value])
            mail_from = found[0] if found else ""
            break
    rcpt_tos: list[str] = []
    for group in RECIPIENT_HEADERS:
        values = [value for name in group for value in headers.get_all(name, [])]
        seen: set[str] = set()
        for address in _addresses(values):
            if address.lower() not in seen:
                seen.add(address.lower())
                rcpt_tos.append(address)
        if rcpt_tos:
            break
    if not rcpt_tos and "@" in settings.user:
        rcpt_tos = [settings.user]  # the mailbox's own address: it did receive the message
    return Envelope(mail_from=mail_from, rcpt_tos=tuple(rcpt_tos[:MAX_RECIPIENTS]), source="imap", peer=peer)


def imap_url(settings: ImapSettings, uidvalidity: int, uid: int) -> str:
    """Where a message came from (RFC 5092 form), kept as the envelope's peer for the journal."""
    user = urllib.parse.quote(settings.user, safe="")
    folder = urllib.parse.quote(settings.folder, safe="")
    where = f"{settings.host}:{settings.port}/{folder};UIDVALIDITY={uidvalidity}/;UID={uid}"
    url = f"imap://{user}@{where}"
    return url if len(url) <= 128 else f"imap://{where}"[-128:]  # the column's width; keep the UID


# --- watermark -----------------------------------------------------------------------------------------


@dataclass
class _Pass:
    accepted: int  # newly stored
    handled: int  # looked at (new, duplicate or vanished)
    complete: bool  # False when stopped half-way


@dataclass(frozen=True)
class Watermark:
    uidvalidity: int
    last_uid: int


def load_watermark(database: Database, account: str, folder: str) -> Watermark | None:
    with database.session() as session:
        row = session.execute(
            select(ImapState.uidvalidity, ImapState.last_uid).where(
                ImapState.account == account, ImapState.folder == folder
            )
        ).first()
    return Watermark(int(row[0]), int(row[1])) if row else None


def reset_watermark(
    database: Database, account: str, folder: str, new: Watermark, old: Watermark | None
) -> None:
    """Start over at `new` (first scan done, or a new UIDVALIDITY), recording why in the journal."""
    for _attempt in range(2):
        try:
            with database.session() as session:
                state = session.execute(
                    select(ImapState).where(ImapState.account == account, ImapState.folder == folder)
                ).scalar_one_or_none()
                if state is None:
                    session.add(ImapState(account=account, folder=folder, **new.__dict__))
                else:
                    state.uidvalidity, state.last_uid, state.updated_at = (
                        new.uidvalidity,
                        new.last_uid,
                        utcnow(),
                    )
                if old is not None and old.uidvalidity != new.uidvalidity:
                    events.record(
                        session,
                        "imap.uidvalidity_changed",
                        account=account,
                        folder=folder,
                        old_uidvalidity=old.uidvalidity,
                        new_uidvalidity=new.uidvalidity,
                        old_last_uid=old.last_uid,
                    )
            return
        except IntegrityError:
            continue  # another process created the row meanwhile: update it instead


def advance_watermark(database: Database, account: str, folder: str, mark: Watermark) -> None:
    """Move the watermark forward only (several processes may poll the same folder)."""
    with database.session() as session:
        session.execute(
            update(ImapState)
            .where(
                ImapState.account == account,
                ImapState.folder == folder,
                ImapState.uidvalidity == mark.uidvalidity,
                ImapState.last_uid < mark.last_uid,
            )
            .values(last_uid=mark.last_uid, updated_at=utcnow())
        )


# --- the poller ----------------------------------------------------------------------------------------


class ImapPoller:
    """One mailbox folder feeding intake. Not thread-safe: one pass at a time."""

    def __init__(
        self,
        settings: ImapSettings,
        database: Database,
        *,
        password: str | None = None,
        on_accepted: Callable[[Accepted], None] | None = None,
    ) -> None:
        self.settings = settings
        self.database = database
        self.password = password
        self.on_accepted = on_accepted
        self.account = f"{settings.user}@{settings.host}:{settings.port}"
        self._client: IMAPClient | None = None
        self._notify: Callable[[Accepted], None] | None = on_accepted

    # connection -----------------------------------------------------------------------------------------

    def _secret(self) -> str:
        if self.password is not None:
            return self.password
        value = os.environ.get(self.settings.password_env)
        if not value:
            raise ImapError(f"[imap] password: environment variable {self.settings.password_env} is not set")
        return value

    def _connect(self) -> IMAPClient:
        if self._client is not None:
            return self._client
        settings = self.settings
        if not settings.user:
            raise ImapError("[imap] user is empty")
        timeout = settings.timeout.total_seconds()
        context = ssl.create_default_context() if settings.ssl or settings.starttls else None
        client = IMAPClient(
            settings.host, port=settings.port, ssl=settings.ssl, ssl_context=context, timeout=timeout
        )
        try:
            if settings.starttls and not settings.ssl:
                client.starttls(context)
            client.login(settings.user, self._secret())
            if settings.processed_folder and not client.folder_exists(settings.processed_folder):
                with contextlib.suppress(IMAPClient.Error):  # a concurrent poller may create it first
                    client.create_folder(settings.processed_folder)
        except LoginError as error:
            client.shutdown()
            raise ImapError(f"IMAP login refused for {self.account}: {error}") from None
        except BaseException:
            client.shutdown()
            raise
        self._client = client
        log.info("IMAP connected to %s, folder %s", self.account, settings.folder)
        return client

    def close(self) -> None:
        """Log out (or just drop the socket when the connection is already broken)."""
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.logout()
        except Exception:
            with contextlib.suppress(Exception):
                client.shutdown()

    # one pass -------------------------------------------------------------------------------------------

    def poll_once(self) -> int:
        """Hand each new message of the folder to intake, then mark it. Returns how many were new to jalon."""
        return self._pass(None).accepted

    def _pass(self, halt: threading.Event | None) -> _Pass:
        client = self._connect()
        folder = self.settings.folder
        try:
            selected = client.select_folder(folder)
        except IMAPClient.Error as error:
            raise ImapError(f"IMAP folder {folder!r} cannot be opened on {self.account}: {error}") from None
        uidvalidity = int(selected[b"UIDVALIDITY"])
        known = load_watermark(self.database, self.account, folder)
        if known is not None and known.uidvalidity == uidvalidity:
            uids = [uid for uid in client.search(["UID", f"{known.last_uid + 1}:*"]) if uid > known.last_uid]
            return self._take(client, uidvalidity, sorted(uids), halt, advance=True)
        # First look at this folder, or its UIDs were reset: rescan, then start the watermark past the scan.
        if known is not None:
            log.warning("IMAP %s %s: UIDVALIDITY changed %s -> %s, rescanning", self.account, folder,
                        known.uidvalidity, uidvalidity)  # fmt: skip
        uidnext = int(selected.get(b"UIDNEXT") or 0)
        uids = sorted(client.search(["ALL"] if self.settings.processed_folder else ["UNSEEN"]))
        result = self._take(client, uidvalidity, uids, halt, advance=False)
        if result.complete:  # an interrupted rescan starts over next time: marked messages drop out of it
            seen = uids if uidnext else client.search(["ALL"])
            last = max([uidnext - 1, *seen, 0])
            reset_watermark(self.database, self.account, folder, Watermark(uidvalidity, last), known)
        return result

    def _take(
        self,
        client: IMAPClient,
        uidvalidity: int,
        uids: list[int],
        halt: threading.Event | None,
        *,
        advance: bool,
    ) -> _Pass:
        result = _Pass(accepted=0, handled=0, complete=True)
        for batch in self._batches(client, uids):
            if halt is not None and halt.is_set():
                result.complete = False
                break
            fetched = client.fetch(batch, ["BODY.PEEK[]"])  # PEEK: fetching must not set \Seen itself
            done: list[int] = []
            reached = 0
            try:
                for uid in batch:
                    raw = fetched.get(uid, {}).get(b"BODY[]")
                    if raw is not None:  # else expunged by someone else since the search
                        accepted = accept(
                            self.database, bytes(raw), self._envelope(bytes(raw), uidvalidity, uid)
                        )
                        done.append(uid)
                        if not accepted.duplicate:
                            result.accepted += 1
                            if self._notify is not None:
                                self._notify(accepted)
                    reached = uid
                    result.handled += 1
            finally:
                # Whatever happened, what was committed is marked; the rest is fetched again next time.
                self._mark(client, done)
                if advance and reached:
                    advance_watermark(self.database, self.account, self.settings.folder,
                                      Watermark(uidvalidity, reached))  # fmt: skip
        return result

    def _batches(self, client: IMAPClient, uids: list[int]) -> Iterator[list[int]]:
        if not uids:
            return
        sizes = client.fetch(uids, ["RFC822.SIZE"])
        batch: list[int] = []
        total = 0
        for uid in uids:
            size = int(sizes.get(uid, {}).get(b"RFC822.SIZE", 0))
            if batch and (len(batch) >= FETCH_COUNT or total + size > FETCH_BYTES):
                yield batch
                batch, total = [], 0
            batch.append(uid)
            total += size
        yield batch

    def _envelope(self, raw: bytes, uidvalidity: int, uid: int) -> Envelope:
        return envelope_for(raw, self.settings, peer=imap_url(self.settings, uidvalidity, uid))

    def _mark(self, client: IMAPClient, uids: list[int]) -> None:
        if not uids:
            return
        target = self.settings.processed_folder
        if not target:
            client.add_flags(uids, [b"\\Seen"], silent=True)
        elif client.has_capability("MOVE"):
            client.move(uids, target)
        else:
            client.copy(uids, target)
            client.delete_messages(uids, silent=True)
            if client.has_capability("UIDPLUS"):
                client.uid_expunge(uids)
            else:  # also removes what others flagged \Deleted in this folder: nothing else can be done
                client.expunge()

    # the long-running loop --------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set, in a thread of its own; `on_accepted` is called in the event loop."""
        loop = asyncio.get_running_loop()
        halt = threading.Event()
        if self.on_accepted is not None:
            callback = self.on_accepted
            self._notify = lambda accepted: loop.call_soon_threadsafe(callback, accepted)
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jalon-imap")
        worker = loop.run_in_executor(executor, self._serve, halt)
        waiter = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({worker, waiter}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            halt.set()
            waiter.cancel()
            await asyncio.shield(worker)
            executor.shutdown(wait=False)
            self._notify = self.on_accepted

    def _serve(self, halt: threading.Event) -> None:
        failures = 0
        while not halt.is_set():
            try:
                result = self._pass(halt)
                if result.accepted:
                    log.info("IMAP %s: %d new message(s) accepted", self.account, result.accepted)
                failures = 0
                # A pass with work ran commands after its search, and imapclient drops the EXISTS the server
                # sent with them: look again until a pass finds nothing, so IDLE starts with nothing unseen.
                if not result.handled:
                    self._wait_for_mail(halt)
            except Exception as error:
                self.close()
                failures += 1
                delay = min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** (failures - 1)) * random.uniform(0.8, 1.2)
                log.warning("IMAP %s: %s; retrying in %.0fs", self.account, _describe(error), delay)
                halt.wait(delay)
        self.close()

    def _wait_for_mail(self, halt: threading.Event) -> None:
        """Until new mail may be there: an IDLE wake-up, or `poll_interval` elapsed, or `stop`."""
        period = self.settings.poll_interval.total_seconds()
        client = self._client
        if client is None or not self.settings.idle or not client.has_capability("IDLE"):
            halt.wait(period)
            return
        deadline = time.monotonic() + min(period, IDLE_RENEW)
        client.idle()
        try:
            while not halt.is_set() and time.monotonic() < deadline:
                started = time.monotonic()
                responses = client.idle_check(timeout=IDLE_TICK)
                if any(
                    isinstance(item, tuple) and len(item) > 1 and item[1] in NEW_MAIL for item in responses
                ):
                    return
                if any(isinstance(item, tuple) and item[:1] == (b"BYE",) for item in responses):
                    raise ConnectionError("the server said BYE")
                if not responses and time.monotonic() - started < IDLE_TICK / 2:
                    return  # woke with nothing to read: likely a closed socket, which idle_done will tell
        finally:
            client.idle_done()


def _describe(error: BaseException) -> str:
    if isinstance(error, imaplib.IMAP4.abort | OSError):
        return f"connection lost ({error})"
    return f"{type(error).__name__}: {error}"
