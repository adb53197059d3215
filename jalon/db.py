"""Database access: engine per URL (SQLite in WAL mode, PostgreSQL), sessions, content-addressed blobs,
and Alembic migrations applied at start."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from jalon.models import Base, Blob, Document

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode is durable against application crashes (kill -9); only an OS crash or power cut
    # can lose the last transactions.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str, echo: bool = False) -> Engine:
    """An engine for the URL; SQLite gets WAL, a busy timeout and BEGIN IMMEDIATE writers."""
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)

        # pysqlite's own transaction handling defers BEGIN; emit it ourselves so that a writer takes the
        # write lock at the start (no upgrade deadlocks between processes).
        @event.listens_for(engine, "connect")
        def _no_pysqlite_begin(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin_immediate(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)


_sqlite_locks: dict[str, threading.RLock] = {}


class Database:
    """An engine and its session factory."""

    def __init__(self, url: str, echo: bool = False) -> None:
        self.url = url
        self.engine = make_engine(url, echo=echo)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        if self.engine.dialect.name != "sqlite":
            with self.sessions() as session, session.begin():
                yield session
            return
        # SQLite has one writer, and its busy handler waits by sleeping 1-100 ms between tries: threads of
        # one process queue on a lock instead (handed over at once). Other processes still meet the busy
        # timeout; a lock held too long (a bug) is bypassed after the same 30 s rather than deadlocking.
        lock = _sqlite_locks.setdefault(self.url, threading.RLock())
        locked = lock.acquire(timeout=30)
        try:
            with self.sessions() as session, session.begin():
                yield session
        finally:
            if locked:
                lock.release()

    def upgrade(self) -> None:
        """Apply every Alembic migration (idempotent)."""
        upgrade_database(self.engine)

    def create_all(self) -> None:
        Base.metadata.create_all(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


# One INSERT … ON CONFLICT DO NOTHING per dialect, built once and run on the session's connection: built
# from the values and run through the ORM, each blob cost ~0.4 ms of Python before SQLite saw it.
_BLOB_INSERTS: dict[str, Any] = {
    "postgresql": pg_insert(Blob.__table__).on_conflict_do_nothing(index_elements=["sha256"]),
    "sqlite": sqlite_insert(Blob.__table__).on_conflict_do_nothing(index_elements=["sha256"]),
}


def store_blob(session: Session, data: bytes) -> str:
    """Store bytes once, whatever the number of times they arrive; return their sha256."""
    digest = sha256_hex(data)
    values = {"sha256": digest, "size": len(data), "data": data, "created_at": utcnow()}
    insert = _BLOB_INSERTS.get(session.get_bind().dialect.name)
    if insert is not None:
        session.connection().execute(insert, values)
    elif session.get(Blob, digest) is None:
        session.add(Blob(**values))
    session.info.setdefault("jalon_blobs", {})[digest] = data  # read back in this transaction: no query
    return digest


def claim(
    session: Session,
    model: Any,
    *conditions: Any,
    owner: str,
    lease: dt.timedelta,
    now: dt.datetime,
    limit: int,
    order_by: Any = None,
    lock_column: str = "locked_until",
    owner_column: str = "locked_by",
) -> list[int]:
    """Claim up to `limit` rows for `owner` until now+lease: `FOR UPDATE SKIP LOCKED` on PostgreSQL, so that
    several processes share one table; SQLite's single writer (BEGIN IMMEDIATE) gives the same guarantee."""
    from sqlalchemy import or_, update

    lock = getattr(model, lock_column)
    query = (
        select(model.id)
        .where(*conditions, or_(lock.is_(None), lock < now))
        .order_by(order_by if order_by is not None else model.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(session.scalars(query))
    if ids:
        session.execute(
            update(model).where(model.id.in_(ids)).values({lock_column: now + lease, owner_column: owner})
        )
    return ids


# The documents of the invoices created in this transaction, as they are written: the release that follows
# composes their mails and checks their formats without asking the database what it has just been told.
# Forgotten on any rollback (a savepoint's included): the next question then goes to the database.
_FRESH = "jalon_fresh_documents"


@dataclass(frozen=True, slots=True)
class FreshDocument:
    """What the release reads of a document it has just written (the columns `documents_to_send` uses)."""

    filename: str
    content_type: str
    role: str
    format: str | None
    blob_sha256: str


def created_here(session: Session, invoice_id: int) -> None:
    """The invoice was inserted by this transaction: every document it has is written through
    `store_document` from now on, so `fresh_documents` can answer for it."""
    session.info.setdefault(_FRESH, {})[invoice_id] = []


def fresh_documents(session: Session, invoice_id: int) -> list[FreshDocument] | None:
    """The documents of an invoice created in this transaction, in the order they were written; None when
    the invoice is older (ask the database)."""
    return session.info.get(_FRESH, {}).get(invoice_id)


@event.listens_for(Session, "after_soft_rollback")
def _forget_fresh(session: Session, previous: Any) -> None:
    session.info.pop(_FRESH, None)


def store_document(
    session: Session,
    invoice_id: int,
    data: bytes,
    *,
    filename: str,
    content_type: str,
    role: str,
    fmt: str | None = None,
) -> None:
    """A file of an invoice: its bytes stored once (`store_blob`) and its Document row written at once, with
    one plain INSERT (through the ORM's unit of work, SQLite's INSERT … RETURNING went one row at a time and
    the row waited for the next flush; nobody holds the row object)."""
    digest = store_blob(session, data)
    session.connection().execute(
        Document.__table__.insert(),
        {
            "invoice_id": invoice_id,
            "blob_sha256": digest,
            "filename": filename,
            "content_type": content_type,
            "role": role,
            "format": fmt,
            "created_at": utcnow(),
        },
    )
    fresh = fresh_documents(session, invoice_id)
    if fresh is not None:
        fresh.append(FreshDocument(filename, content_type, role, fmt, digest))


def load_blobs(session: Session, digests: list[str]) -> dict[str, bytes]:
    """Several blobs in one query (a claimed batch's messages or mails), by sha256."""
    wanted = set(digests)
    found = {d: bytes(v) for d, v in session.info.get("jalon_blobs", {}).items() if d in wanted}
    missing = wanted - set(found)
    if missing:
        rows = session.execute(select(Blob.sha256, Blob.data).where(Blob.sha256.in_(missing)))
        found.update((digest, bytes(data)) for digest, data in rows)
    return found


def load_blob(session: Session, digest: str) -> bytes:
    stored = session.info.get("jalon_blobs", {}).get(digest)
    if stored is not None:
        return bytes(stored)
    data = session.execute(select(Blob.data).where(Blob.sha256 == digest)).scalar_one()
    return bytes(data)
