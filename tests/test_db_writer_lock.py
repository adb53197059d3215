"""On SQLite, a message a sender waits on is stored before the worker's queued transactions take turns."""

from __future__ import annotations

import threading
import time

from sqlalchemy import text

from jalon.db import Database, WriterLock


def test_storing_an_arriving_message_goes_before_the_queued_worker_transactions(sqlite_db: Database) -> None:
    """A worker transaction runs; another worker transaction waits; then an SMTP client's message arrives:
    when the running one commits, the message is stored first, and the waiting worker comes after."""
    order: list[str] = []
    running, release = threading.Event(), threading.Event()

    def first_worker() -> None:
        with sqlite_db.session() as session:
            session.execute(text("SELECT 1"))
            running.set()
            release.wait(10)
            order.append("worker 1")

    def second_worker() -> None:
        with sqlite_db.session() as session:
            session.execute(text("SELECT 1"))
            order.append("worker 2")

    def intake() -> None:
        with sqlite_db.session(urgent=True) as session:
            session.execute(text("SELECT 1"))
            order.append("message stored")

    threads = [threading.Thread(target=first_worker)]
    threads[0].start()
    assert running.wait(10)
    threads.append(threading.Thread(target=second_worker))
    threads[1].start()
    time.sleep(0.1)  # the second worker is waiting for the writer's turn
    threads.append(threading.Thread(target=intake))
    threads[2].start()
    time.sleep(0.1)
    assert order == []  # nobody writes while the first transaction runs
    release.set()
    for thread in threads:
        thread.join(10)
    assert order == ["worker 1", "message stored", "worker 2"]


def test_the_writer_lock_is_reentrant_and_gives_up_after_its_timeout() -> None:
    """The thread holding the writer's turn may take it again; another thread gets it only once it is given
    back, and says so (False) rather than waiting forever when it is not."""
    lock = WriterLock()
    assert lock.acquire()
    assert lock.acquire(urgent=True)  # the same thread: no deadlock
    lock.release()
    got: list[bool] = []
    waiter = threading.Thread(target=lambda: got.append(lock.acquire(timeout=0.2)))
    waiter.start()
    waiter.join(5)
    assert got == [False]  # still held once
    lock.release()
    other = threading.Thread(target=lambda: (got.append(lock.acquire(timeout=1)), lock.release()))
    other.start()
    other.join(5)
    assert got == [False, True]
