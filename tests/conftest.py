"""Shared fixtures: a migrated database on SQLite and on PostgreSQL, the shared corpora, free ports.

Every storage test asks for `db` and runs twice, once per backend. Under CI=true a missing server or corpus
fails the test instead of skipping it.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

import pytest
from sqlalchemy import create_engine, text

from jalon.db import Database
from jalon.models import Base

if TYPE_CHECKING:
    from chat_servers import FakeSlack

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("JALON_SHARED", ROOT.parent / "shared"))
CORPORA = SHARED / "corpora"

# Helpers next to the tests (`from conftest import corpus`, `import dovecot`) import by module name, even
# under --import-mode=importlib.
if str(ROOT / "tests") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests"))
PG_ADMIN_URL = os.environ.get("JALON_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def need(condition: bool, reason: str) -> None:
    """Skip when a prerequisite is missing, except under CI=true, where it fails."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)


def corpus(*parts: str) -> Path:
    """A path inside ../shared/corpora; skips (fails under CI) when the corpora are absent."""
    path = CORPORA.joinpath(*parts)
    need(path.exists(), f"shared corpus not found at {path} (set JALON_SHARED)")
    return path


@pytest.fixture
def corpora() -> Path:
    return corpus()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def port() -> int:
    return free_port()


class Throwaway(Protocol):
    """A real server run from its own folder for the tests (Dovecot, Postfix)."""

    root: Path

    def start(self) -> None: ...

    def stop(self) -> None: ...


ServerT = TypeVar("ServerT", bound=Throwaway)


def start_throwaway(prefix: str, make: Callable[[Path], ServerT]) -> ServerT:
    """A server made in a new folder and started; the folder is removed when it does not start.

    Not under pytest's tmp dir: that one is private to root, and the servers' processes run as other users."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    root.chmod(0o755)
    server = make(root)
    try:
        server.start()
    except Exception:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
        raise
    return server


@contextmanager
def stopped_after(server: ServerT) -> Iterator[ServerT]:
    """The server for the with-block; then stopped and its folder removed."""
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.root, ignore_errors=True)


# --- databases -------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once; each test gets a copy (migrations are tested, and tests stay fast)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    database = Database(f"sqlite:///{path}")
    database.upgrade()
    database.dispose()
    return path


def _pg_available() -> bool:
    try:
        engine = create_engine(PG_ADMIN_URL)
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, migrated once, dropped at the end."""
    need(_pg_available(), f"PostgreSQL not reachable at {PG_ADMIN_URL}")
    name = f"jalon_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    database = Database(url)
    database.upgrade()
    database.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_all(database: Database) -> None:
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with database.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty, migrated database, once per backend."""
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "jalon.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("pg_url")
        database = Database(url)
        _truncate_all(database)
        database.dispose()
        yield url


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def sqlite_db(tmp_path: Path, sqlite_template: Path) -> Iterator[Database]:
    """SQLite only, for tests that are not about storage."""
    path = tmp_path / "jalon.db"
    shutil.copyfile(sqlite_template, path)
    database = Database(f"sqlite:///{path}")
    yield database
    database.dispose()


# --- chat ------------------------------------------------------------------------------------------------


@pytest.fixture
async def slack(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeSlack]:
    """A stand-in for the Slack Web API on loopback; the bot token and signing secret are set as a deployment
    sets them, in the environment."""
    from chat_servers import SIGNING_SECRET, SLACK_TOKEN, FakeSlack

    monkeypatch.setenv("JALON_SLACK_BOT_TOKEN", SLACK_TOKEN)
    monkeypatch.setenv("JALON_SLACK_SIGNING_SECRET", SIGNING_SECRET)
    fake = await FakeSlack().start()
    yield fake
    await fake.stop()
