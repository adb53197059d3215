"""A message answered 250 survives `kill -9` of jalon before processing, and is processed after restart."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import aiosmtplib
import pytest
from conftest import free_port
from harness import BILLING, DOMAIN, invoice_mail
from sqlalchemy import select

from jalon.db import Database
from jalon.models import InboundMessage
from jalon.sink import MailSink

pytestmark = pytest.mark.asyncio
DATA = Path(__file__).parent / "data" / "invoices"


def write_config(path: Path, db_url: str, smtp_port: int, sink_port: int, worker: bool) -> Path:
    path.write_text(
        f"""
[gateway]
domain = "{DOMAIN}"
company_name = "ACME Industries"

[smtp]
host = "127.0.0.1"
port = {smtp_port}

[intake]
allowed_senders = ["{BILLING}"]

[outbound]
host = "127.0.0.1"
port = {sink_port}

[database]
url = "{db_url}"

[web]
enabled = false

[worker]
enabled = {"true" if worker else "false"}
processes = 1
poll_interval = "0.2s"

[scheduler]
enabled = false
""",
        encoding="utf-8",
    )
    return path


async def wait_port(port: int, timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.05)


def serve(config: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "JALON_SECRET": "crash-test"}
    return subprocess.Popen(
        [sys.executable, "-m", "jalon", "--config", str(config), "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


async def test_kill_9_after_250_loses_nothing(db_url: str, tmp_path: Path) -> None:
    """The gateway is killed right after answering 250: after restart the invoice is processed and sent."""
    expected = json.loads((DATA / "classic_fr-01-plain.json").read_text())
    pdf = (DATA / "classic_fr-01-plain.pdf").read_bytes()
    database = Database(db_url)
    from jalon import directory

    with database.session() as session:
        directory.import_rows(
            session,
            "customer_id,name,siren,vat,email,role,language,group\n"
            f"C1,{expected['buyer_name']},{expected['buyer_siren']},,a@client.test,"
            "buyer,fr,pme\n",
        )
    sink = await MailSink().start()
    smtp_port = free_port()
    intake_only = write_config(tmp_path / "intake.toml", db_url, smtp_port, sink.port, worker=False)
    full = write_config(tmp_path / "full.toml", db_url, smtp_port, sink.port, worker=True)
    first = serve(intake_only)
    try:
        await wait_port(smtp_port)
        _, response = await aiosmtplib.send(invoice_mail(pdf), hostname="127.0.0.1", port=smtp_port)
        assert response.startswith("2.0.0 OK")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    with database.session() as session:
        [stored] = session.scalars(select(InboundMessage)).all()
        assert stored.status == "pending", "accepted, not processed before the crash"
    second = serve(full)
    try:
        [mail] = await sink.wait_for(1, timeout=60)
        assert mail.rcpt_tos == ["a@client.test"]
        with database.session() as session:
            assert session.scalars(select(InboundMessage.status)).all() == ["done"]
    finally:
        second.send_signal(signal.SIGTERM)
        try:
            second.wait(20)
        except subprocess.TimeoutExpired:
            second.kill()
        await sink.stop()
        database.dispose()
