"""The IMAP intake against a real Dovecot: each message stored once, marked only after it is committed."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from dovecot import Account, Dovecot, running_dovecot
from sqlalchemy import func, select

from jalon.config import ImapSettings
from jalon.db import Database, load_blob
from jalon.mailbox.imap import ImapError, ImapPoller, envelope_for
from jalon.mailbox.intake import Accepted, accept
from jalon.models import Event, ImapState, InboundMessage

SEEN = b"\\Seen"


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    with running_dovecot() as server:
        yield server


@pytest.fixture
def account(dovecot: Dovecot) -> Account:
    return dovecot.new_account()


def settings_for(dovecot: Dovecot, account: Account, **overrides: Any) -> ImapSettings:
    values: dict[str, Any] = {
        "enabled": True,
        "host": dovecot.host,
        "port": dovecot.port,
        "user": account.user,
        "password_env": "JALON_TEST_IMAP_PASSWORD",
        "ssl": False,
        "timeout": "10s",
    }
    return ImapSettings(**(values | overrides))


def poller_for(
    dovecot: Dovecot,
    account: Account,
    database: Database,
    on_accepted: Callable[[Accepted], None] | None = None,
    **overrides: Any,
) -> ImapPoller:
    return ImapPoller(
        settings_for(dovecot, account, **overrides),
        database,
        password=account.password,
        on_accepted=on_accepted,
    )


def invoice_mail(number: str, *, to: str = "invoices@jalon.example") -> bytes:
    message = EmailMessage()
    message["Return-Path"] = "<billing@acme.example>"
    message["Delivered-To"] = to
    message["From"] = "Acme Billing <billing@acme.example>"
    message["To"] = to
    message["Subject"] = f"Invoice {number}"
    message["Message-ID"] = f"<{uuid.uuid4().hex}@acme.example>"
    message.set_content(f"Please find invoice {number} attached.")
    message.add_attachment(
        b"%PDF-1.4\n% invoice " + number.encode() + b"\n%%EOF\n",
        maintype="application",
        subtype="pdf",
        filename=f"{number}.pdf",
    )
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


def stored(database: Database) -> list[InboundMessage]:
    with database.session() as session:
        return list(session.scalars(select(InboundMessage).order_by(InboundMessage.id)))


def raw_of(database: Database, inbound: InboundMessage) -> bytes:
    with database.session() as session:
        return load_blob(session, inbound.blob_sha256)


def flags(dovecot: Dovecot, account: Account, folder: str = "INBOX") -> dict[int, tuple[bytes, ...]]:
    with dovecot.client(account) as client:
        client.select_folder(folder, readonly=True)
        uids = client.search(["ALL"])
        return {uid: data[b"FLAGS"] for uid, data in client.fetch(uids, ["FLAGS"]).items()} if uids else {}


def subjects(dovecot: Dovecot, account: Account, folder: str) -> list[str]:
    with dovecot.client(account) as client:
        client.select_folder(folder, readonly=True)
        found = client.fetch(client.search(["ALL"]), ["BODY.PEEK[HEADER.FIELDS (SUBJECT)]"])
        fields = (data[b"BODY[HEADER.FIELDS (SUBJECT)]"].decode().strip() for data in found.values())
        return sorted(field.removeprefix("Subject: ") for field in fields)


# --- one pass --------------------------------------------------------------------------------------------


def test_a_mail_in_the_mailbox_is_stored_once_then_flagged_seen(
    dovecot: Dovecot, account: Account, db: Database
) -> None:
    """A billing tool mails an invoice to the mailbox: jalon stores it with its envelope and marks it read."""
    raw = invoice_mail("F-2026-001")
    uid = dovecot.append(account, raw)
    poller = poller_for(dovecot, account, db)
    try:
        assert poller.poll_once() == 1
        [inbound] = stored(db)
        assert raw_of(db, inbound) == raw
        assert inbound.source == "imap"
        assert inbound.mail_from == "billing@acme.example"
        assert inbound.rcpt_tos == ["invoices@jalon.example"]
        assert inbound.subject == "Invoice F-2026-001"
        assert f";UID={uid}" in (inbound.peer or "")
        assert SEEN in flags(dovecot, account)[uid]

        assert poller.poll_once() == 0
        assert len(stored(db)) == 1
    finally:
        poller.close()


def test_a_mail_read_by_a_person_before_jalon_polls_is_still_taken(
    dovecot: Dovecot, account: Account, sqlite_db: Database
) -> None:
    """A first start leaves old read mail alone; then every new mail counts, even one a person read first."""
    dovecot.append(account, invoice_mail("OLD-2019-7"), flags=(SEEN.decode(),))
    dovecot.append(account, invoice_mail("F-2026-002"))
    poller = poller_for(dovecot, account, sqlite_db)
    try:
        assert poller.poll_once() == 1
        dovecot.append(account, invoice_mail("F-2026-003"), flags=(SEEN.decode(),))
        assert poller.poll_once() == 1
    finally:
        poller.close()
    assert [inbound.subject for inbound in stored(sqlite_db)] == ["Invoice F-2026-002", "Invoice F-2026-003"]


def test_processed_mail_is_moved_to_the_configured_folder(
    dovecot: Dovecot, account: Account, sqlite_db: Database
) -> None:
    """With `processed_folder`, the inbox is a queue: what jalon committed leaves it for that folder."""
    dovecot.append(account, invoice_mail("F-2026-010"))
    dovecot.append(account, invoice_mail("F-2026-011"))
    poller = poller_for(dovecot, account, sqlite_db, processed_folder="Processed")
    try:
        assert poller.poll_once() == 2
        dovecot.append(account, invoice_mail("F-2026-012"))
        assert poller.poll_once() == 1
    finally:
        poller.close()
    assert flags(dovecot, account) == {}
    assert subjects(dovecot, account, "Processed") == [
        "Invoice F-2026-010",
        "Invoice F-2026-011",
        "Invoice F-2026-012",
    ]
    assert len(stored(sqlite_db)) == 3


def test_a_crash_between_commit_and_flag_neither_loses_nor_duplicates(
    dovecot: Dovecot, account: Account, db: Database
) -> None:
    """jalon dies after committing a mail but before flagging it: after restart it is flagged, stored once."""
    settings = settings_for(dovecot, account)
    first = ImapPoller(settings, db, password=account.password)
    assert first.poll_once() == 0  # the watermark now stands at the empty inbox
    first.close()

    raw = invoice_mail("F-2026-020")
    uid = dovecot.append(account, raw)
    # What the dead process had done: the message committed, the mailbox untouched.
    accept(db, raw, envelope_for(raw, settings))
    assert SEEN not in flags(dovecot, account)[uid]

    restarted = ImapPoller(settings, db, password=account.password)
    try:
        assert restarted.poll_once() == 0
    finally:
        restarted.close()
    assert len(stored(db)) == 1
    assert SEEN in flags(dovecot, account)[uid]


def test_a_new_uidvalidity_rescans_the_folder_without_duplicates(
    dovecot: Dovecot, account: Account, db: Database
) -> None:
    """The mailbox is restored (UIDs start over): the new mail is taken, the restored one is not doubled."""
    folder = "Invoices"
    first_mail, second_mail, new_mail = (invoice_mail(n) for n in ("F-2026-030", "F-2026-031", "F-2026-032"))
    dovecot.append(account, first_mail, folder=folder)
    dovecot.append(account, second_mail, folder=folder)
    poller = poller_for(dovecot, account, db, folder=folder)
    try:
        assert poller.poll_once() == 2
        with db.session() as session:
            before = session.execute(select(ImapState)).scalar_one()
        assert before.last_uid == 2

        with dovecot.client(account) as client:  # the restore: same name, fresh folder, UIDs from 1 again
            client.delete_folder(folder)
        restored_uid = dovecot.append(account, first_mail, folder=folder)
        new_uid = dovecot.append(account, new_mail, folder=folder)
        with dovecot.client(account) as client:
            uidvalidity = client.select_folder(folder)[b"UIDVALIDITY"]
        if uidvalidity == before.uidvalidity:  # same second: force what a real restore gives
            uidvalidity = before.uidvalidity + 1
            dovecot.set_uidvalidity(account, folder, uidvalidity)
        assert new_uid <= before.last_uid  # below the old watermark: only a rescan finds it

        assert poller.poll_once() == 1
    finally:
        poller.close()
    assert sorted(inbound.subject or "" for inbound in stored(db)) == [
        "Invoice F-2026-030",
        "Invoice F-2026-031",
        "Invoice F-2026-032",
    ]
    assert all(SEEN in item for item in flags(dovecot, account, folder).values())
    assert set(flags(dovecot, account, folder)) == {restored_uid, new_uid}
    with db.session() as session:
        change = session.execute(select(Event).where(Event.type == "imap.uidvalidity_changed")).scalar_one()
        state = session.execute(select(ImapState)).scalar_one()
    assert change.data["old_uidvalidity"] == before.uidvalidity
    assert change.data["new_uidvalidity"] == uidvalidity
    assert state.uidvalidity == uidvalidity


def test_a_broken_mime_message_is_kept_byte_for_byte(
    dovecot: Dovecot, account: Account, sqlite_db: Database
) -> None:
    """A mail with mangled MIME and stray 8-bit bytes is not refused: its exact bytes are kept for a human."""
    raw = (
        b"Return-Path: <>\r\n"
        b"From: \xe9\xe8 broken <billing@acme.example\r\n"
        b"To: invoices@jalon.example\r\n"
        b"Subject: =?bogus?Q?=ZZ?=\r\n"
        b'Content-Type: multipart/mixed; boundary="never-closed\r\n'
        b"\r\n"
        b"--never-closed\r\n"
        b"Content-Type: application/pdf; name=F.pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n"
        b"\r\n"
        b"JVBERi0xLjQK!!!not base64\xff\xfe\r\n"
    )
    uid = dovecot.append(account, raw)
    poller = poller_for(dovecot, account, sqlite_db)
    try:
        assert poller.poll_once() == 1
    finally:
        poller.close()
    [inbound] = stored(sqlite_db)
    assert raw_of(sqlite_db, inbound) == raw
    assert inbound.mail_from == ""  # Return-Path <>: a bounce, whatever From says
    assert inbound.rcpt_tos == ["invoices@jalon.example"]
    assert SEEN in flags(dovecot, account)[uid]


def test_a_refused_login_is_a_clear_error_without_the_password(
    dovecot: Dovecot, account: Account, sqlite_db: Database
) -> None:
    """A wrong password says which account was refused, and never prints the secret."""
    poller = ImapPoller(settings_for(dovecot, account), sqlite_db, password="wrong-secret-42")
    with pytest.raises(ImapError) as error:
        poller.poll_once()
    assert account.user in str(error.value)
    assert "wrong-secret-42" not in str(error.value)


def test_a_missing_folder_is_a_clear_error(dovecot: Dovecot, account: Account, sqlite_db: Database) -> None:
    """A typo in `[imap] folder` names the folder instead of failing obscurely."""
    poller = poller_for(dovecot, account, sqlite_db, folder="Factures")
    try:
        with pytest.raises(ImapError, match="Factures"):
            poller.poll_once()
    finally:
        poller.close()


def test_the_password_comes_from_the_environment(
    dovecot: Dovecot, account: Account, sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The secret lives in the variable `password_env` names; without it, jalon says which variable to set."""
    settings = settings_for(dovecot, account, password_env="JALON_TEST_IMAP_SECRET")
    monkeypatch.delenv("JALON_TEST_IMAP_SECRET", raising=False)
    with pytest.raises(ImapError, match="JALON_TEST_IMAP_SECRET"):
        ImapPoller(settings, sqlite_db).poll_once()
    monkeypatch.setenv("JALON_TEST_IMAP_SECRET", account.password)
    dovecot.append(account, invoice_mail("F-2026-040"))
    poller = ImapPoller(settings, sqlite_db)
    try:
        assert poller.poll_once() == 1
    finally:
        poller.close()


# --- the long-running poller -------------------------------------------------------------------------------


async def watermark_set(database: Database, timeout: float = 10.0) -> None:
    """Wait until the poller has looked at the folder once (it then waits for new mail)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        with database.session() as session:
            if session.scalar(select(func.count()).select_from(ImapState)):
                return
        assert loop.time() < deadline, "the poller never looked at the folder"
        await asyncio.sleep(0.05)


async def next_accepted(queue: asyncio.Queue[Accepted], timeout: float = 10.0) -> Accepted:
    return await asyncio.wait_for(queue.get(), timeout)


async def test_idle_wakes_the_poller_when_mail_is_delivered(
    dovecot: Dovecot, account: Account, sqlite_db: Database
) -> None:
    """With IDLE, a delivered mail is taken in about a second, long before the next scheduled poll."""
    queue: asyncio.Queue[Accepted] = asyncio.Queue()
    poller = poller_for(dovecot, account, sqlite_db, on_accepted=queue.put_nowait, poll_interval="10m")
    stop = asyncio.Event()
    task = asyncio.create_task(poller.run(stop))
    try:
        await watermark_set(sqlite_db)
        dovecot.append(account, invoice_mail("F-2026-050"))
        accepted = await next_accepted(queue)
        [inbound] = stored(sqlite_db)
        assert inbound.id == accepted.inbound_id
        assert inbound.subject == "Invoice F-2026-050"
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)  # stops promptly, even in the middle of IDLE


async def test_the_poller_reconnects_after_the_connection_drops(
    dovecot: Dovecot, account: Account, sqlite_db: Database
) -> None:
    """The IMAP server drops jalon's connection: jalon reconnects by itself and takes the next mail."""
    queue: asyncio.Queue[Accepted] = asyncio.Queue()
    poller = poller_for(dovecot, account, sqlite_db, on_accepted=queue.put_nowait, poll_interval="10m")
    stop = asyncio.Event()
    task = asyncio.create_task(poller.run(stop))
    try:
        await watermark_set(sqlite_db)
        dovecot.append(account, invoice_mail("F-2026-060"))
        await next_accepted(queue)
        dovecot.kick(account)
        dovecot.append(account, invoice_mail("F-2026-061"))
        await next_accepted(queue)
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)
    assert [inbound.subject for inbound in stored(sqlite_db)] == ["Invoice F-2026-060", "Invoice F-2026-061"]


async def test_without_idle_the_poller_polls_on_its_interval(
    dovecot: Dovecot, account: Account, sqlite_db: Database
) -> None:
    """With `idle = false` (servers without IDLE), a mail dropped in the maildir is found by the next poll."""
    queue: asyncio.Queue[Accepted] = asyncio.Queue()
    poller = poller_for(
        dovecot, account, sqlite_db, on_accepted=queue.put_nowait, idle=False, poll_interval="0.2s"
    )
    stop = asyncio.Event()
    task = asyncio.create_task(poller.run(stop))
    try:
        await watermark_set(sqlite_db)
        dovecot.drop_in_maildir(account, invoice_mail("F-2026-070"))
        await next_accepted(queue)
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)
    assert len(stored(sqlite_db)) == 1
