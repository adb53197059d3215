"""The SMTP edge (aiosmtpd): who may send what to whom, and `250` only once the message is committed.

Unauthenticated clients may only write to jalon's own addresses (invoices@, bounces+TOKEN@, reply+TOKEN@,
postmaster@): anything else is `550 5.7.1` (never an open relay); an unknown local address is `550 5.1.1`.
Billing tools configured in `[submission] users` authenticate (AUTH PLAIN/LOGIN, over STARTTLS or on
loopback) and may relay to their customers' real addresses: jalon takes the mail over and delivers it itself.
Messages are committed in small groups by one writer thread (group commit), so that many clients do not
queue behind one fsync each.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import ipaddress
import logging
import ssl
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

from jalon.config import Settings
from jalon.db import Database
from jalon.mailbox import addresses
from jalon.mailbox.intake import Accepted, Envelope, accept_many

log = logging.getLogger(__name__)


def is_loopback(peer: Any) -> bool:
    host = peer[0] if isinstance(peer, tuple | list) and peer else peer
    try:
        return ipaddress.ip_address(str(host)).is_loopback
    except ValueError:
        return False


class GroupCommitter:
    """Commits accepted messages in batches from one thread; each caller awaits its own result."""

    def __init__(self, database: Database, max_batch: int = 64) -> None:
        self.database = database
        self.max_batch = max_batch
        self._queue: asyncio.Queue[tuple[bytes, Envelope, asyncio.Future[Accepted]]] | None = None
        self._task: asyncio.Task[None] | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jalon-intake")

    async def start(self) -> None:
        self._queue = asyncio.Queue()
        self._task = asyncio.create_task(self._run(), name="jalon-group-commit")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._executor.shutdown(wait=True)

    async def submit(self, raw: bytes, envelope: Envelope) -> Accepted:
        assert self._queue is not None, "GroupCommitter not started"
        future: asyncio.Future[Accepted] = asyncio.get_running_loop().create_future()
        await self._queue.put((raw, envelope, future))
        return await future

    async def _run(self) -> None:
        assert self._queue is not None
        loop = asyncio.get_running_loop()
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self.max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            items = [(raw, envelope) for raw, envelope, _ in batch]
            try:
                results = await loop.run_in_executor(self._executor, accept_many, self.database, items)
            except Exception as error:  # the store failed: every caller gets a temporary failure
                log.exception("could not store %d message(s)", len(batch))
                for *_, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (*_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)


class GatewayHandler:
    """aiosmtpd handler: recipient policy, authentication, durable accept."""

    def __init__(
        self,
        settings: Settings,
        committer: GroupCommitter,
        on_accepted: Callable[[Accepted], None] | None = None,
    ) -> None:
        self.settings = settings
        self.domain = settings.gateway.domain
        self.committer = committer
        self.on_accepted = on_accepted
        self._users = {user.user: user for user in settings.submission.users}

    # AUTH ---------------------------------------------------------------------------------------------

    def authenticator(
        self, server: SMTP, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        username = auth_data.login.decode("utf-8", "replace")
        user = self._users.get(username)
        expected = self.settings.secret(user.password_env) if user else None
        given = auth_data.password.decode("utf-8", "replace")
        if user is None or expected is None or not hmac.compare_digest(given.encode(), expected.encode()):
            log.warning("failed SMTP AUTH for %r from %s", username, session.peer)
            return AuthResult(success=False, handled=False)
        return AuthResult(success=True, auth_data=username)

    # SMTP hooks -------------------------------------------------------------------------------------------

    async def handle_MAIL(
        self, server: SMTP, session: Any, envelope: Any, address: str, mail_options: list[str]
    ) -> str:
        if session.authenticated:
            user = self._users.get(str(session.auth_data))
            if user and user.allowed_from and not addresses.sender_allowed(address, user.allowed_from):
                return "553 5.7.1 Sender address not allowed for this account"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        route = addresses.route(address, self.domain)
        if route.kind == "external":
            if not session.authenticated:
                return "550 5.7.1 Relaying denied: authenticate to send to other domains"
        elif route.kind == "unknown":
            return "550 5.1.1 No such user here"
        if len(envelope.rcpt_tos) >= 100:
            return "452 4.5.3 Too many recipients"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        peer = session.peer[0] if isinstance(session.peer, tuple) else str(session.peer)
        intake_envelope = Envelope(
            mail_from=envelope.mail_from or "",
            rcpt_tos=tuple(envelope.rcpt_tos),
            source="smtp",
            peer=peer,
            helo=session.host_name,
            auth_user=str(session.auth_data) if session.authenticated else None,
        )
        try:
            accepted = await self.committer.submit(raw, intake_envelope)
        except Exception:
            return "451 4.3.0 Temporary failure storing the message, please retry"
        if self.on_accepted:
            self.on_accepted(accepted)
        return f"250 2.0.0 OK: queued as {accepted.inbound_id}"


class GatewaySMTP(SMTP):
    """aiosmtpd's SMTP, with AUTH allowed without TLS on loopback connections only."""

    def __init__(self, *args: Any, auth_require_tls: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, auth_require_tls=auth_require_tls, **kwargs)
        self._require_tls_off_loopback = auth_require_tls

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        if self._require_tls_off_loopback and is_loopback(transport.get_extra_info("peername")):
            self._auth_require_tls = False


def tls_context(settings: Settings) -> ssl.SSLContext | None:
    if not settings.smtp.tls_cert:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(settings.smtp.tls_cert, settings.smtp.tls_key)
    return context


class SmtpGateway:
    """The listening server; `port` is the real one after `start` (config port 0 picks a free port)."""

    def __init__(
        self, settings: Settings, database: Database, on_accepted: Callable[[Accepted], None] | None = None
    ):
        self.settings = settings
        self.committer = GroupCommitter(database)
        self.handler = GatewayHandler(settings, self.committer, on_accepted)
        self.server: asyncio.base_events.Server | None = None
        self.port: int = settings.smtp.port

    def _factory(self) -> SMTP:
        context = tls_context(self.settings)
        return GatewaySMTP(
            self.handler,
            data_size_limit=self.settings.smtp.max_message_size,
            hostname=self.settings.smtp.hostname or self.settings.gateway.domain,
            ident="jalon ESMTP",
            tls_context=context,
            authenticator=self.handler.authenticator,
            auth_require_tls=self.settings.smtp.auth_require_tls,
            enable_SMTPUTF8=True,
            timeout=300,
        )

    async def start(self) -> None:
        await self.committer.start()
        loop = asyncio.get_running_loop()
        self.server = await loop.create_server(
            self._factory, self.settings.smtp.host, self.settings.smtp.port
        )
        self.port = self.server.sockets[0].getsockname()[1]
        log.info("SMTP gateway listening on %s:%s", self.settings.smtp.host, self.port)

    async def stop(self) -> None:
        if self.server:
            self.server.close()
            await self.server.wait_closed()
        await self.committer.stop()
