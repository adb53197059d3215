"""Calibration for bench_intake: the plainest SMTP intake, an aiosmtpd handler that only persists each
message's bytes and envelope in SQLite (WAL, synchronous FULL, one commit per message) before answering 250.

The issue's aim (200 msg/s) was set where this kind of handler reached about 290 msg/s; machine speed varies
from day to day, so bench_intake prints jalon's figure next to this one, measured in the same run.
Run: python benchmarks/bare_smtp_store.py PORT DB_PATH   (serves until terminated)
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import sys
from typing import Any

from aiosmtpd.controller import Controller


class StoreHandler:
    """Stores the message, then lets aiosmtpd answer 250."""

    def __init__(self, path: str) -> None:
        self.db = sqlite3.connect(path, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS mail (id INTEGER PRIMARY KEY, sender TEXT, rcpts TEXT, raw BLOB)"
        )

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.db:
            self.db.execute(
                "INSERT INTO mail (sender, rcpts, raw) VALUES (?, ?, ?)",
                (envelope.mail_from, ",".join(envelope.rcpt_tos), envelope.original_content),
            )
        return "250 OK"


def main() -> None:
    port, path = int(sys.argv[1]), sys.argv[2]
    controller = Controller(StoreHandler(path), hostname="127.0.0.1", port=port, data_size_limit=30_000_000)
    controller.start()
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.run_until_complete(stop.wait())
    controller.stop()


if __name__ == "__main__":
    main()
