"""A throwaway Dovecot for tests: own config, state and mail in a temp dir, IMAP on a free loopback port.

`start_dovecot()` skips the test (fails under CI=true) when Dovecot is not installed. Each test takes its own
account (`new_account`), so tests share one server per module without seeing each other's mail. Mail
arrives the two ways a real mailbox gets it: IMAP APPEND (another client) or a file dropped into the
maildir's `new/` (what a local delivery agent does).
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from conftest import free_port, need, start_throwaway, stopped_after
from imapclient import IMAPClient

MAIL_UID = 65534  # Dovecot refuses to own mail as root; nobody:nogroup on Debian
MAIL_GID = 65534
ACCOUNTS = 64  # per server

CONFIG = """\
# generated for one test run; no !include of /etc/dovecot
instance_name = {instance}
base_dir = {root}/run
state_dir = {root}/state
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = {root}/dovecot.log
mail_location = maildir:{root}/mail/%u
mail_uid = {uid}
mail_gid = {gid}
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
# no brute-force slowdown: the tests log in with a wrong password on purpose
auth_failure_delay = 0
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service doveadm {{
  unix_listener doveadm-server {{
    mode = 0600
  }}
}}
"""


@dataclass(frozen=True)
class Account:
    user: str
    password: str


class Dovecot:
    """One running Dovecot instance under `root`."""

    def __init__(self, root: Path, port: int) -> None:
        self.root = root
        self.port = port
        self.host = "127.0.0.1"
        self.config = root / "dovecot.conf"
        self._numbers = itertools.count(1)
        # Dovecot re-reads a changed passwd-file at most once a second, so accounts are made up front.
        self._accounts = [
            Account(f"user{n}-{uuid.uuid4().hex[:6]}", uuid.uuid4().hex) for n in range(ACCOUNTS)
        ]

    # lifecycle ---------------------------------------------------------------------------------------------

    def start(self) -> None:
        for sub in ("run", "state", "mail"):
            (self.root / sub).mkdir(exist_ok=True)
        os.chown(self.root / "mail", MAIL_UID, MAIL_GID)
        (self.root / "passwd").write_text(
            "".join(f"{a.user}:{{PLAIN}}{a.password}\n" for a in self._accounts)
        )
        self.config.write_text(
            CONFIG.format(
                instance=f"jalon-test-{uuid.uuid4().hex[:8]}",
                root=self.root,
                port=self.port,
                uid=MAIL_UID,
                gid=MAIL_GID,
            )
        )
        # The master daemonizes: its children would hold a captured stdout open, so output goes to a file.
        with (self.root / "start.log").open("wb") as out:
            subprocess.run(
                ["dovecot", "-c", str(self.config)], check=True, stdout=out, stderr=out, timeout=30
            )
        deadline = time.monotonic() + 10
        while True:  # the master forks its listeners: wait for the port to answer
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as sock:
                    if sock.recv(64).startswith(b"* OK"):
                        return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Dovecot did not answer on port {self.port}: {self.log()}") from None
                time.sleep(0.02)

    def stop(self) -> None:
        subprocess.run(
            ["dovecot", "-c", str(self.config), "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=30,
        )

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    # accounts and mail -------------------------------------------------------------------------------------

    def new_account(self) -> Account:
        """A fresh mailbox nobody else uses."""
        if not self._accounts:
            raise RuntimeError(f"more than {ACCOUNTS} accounts asked of one Dovecot: raise ACCOUNTS")
        return self._accounts.pop(0)

    @contextmanager
    def client(self, account: Account) -> Iterator[IMAPClient]:
        """Another mail client on the same mailbox (what a person or the billing tool would use)."""
        client = IMAPClient(self.host, port=self.port, ssl=False, timeout=10)
        client.login(account.user, account.password)
        try:
            yield client
        finally:
            try:
                client.logout()
            except Exception:
                client.shutdown()

    def append(self, account: Account, raw: bytes, folder: str = "INBOX", flags: tuple[str, ...] = ()) -> int:
        """Store a message with IMAP APPEND; returns its UID."""
        with self.client(account) as client:
            if not client.folder_exists(folder):
                client.create_folder(folder)
            response = client.append(folder, raw, flags=flags)
        # APPENDUID (RFC 4315): b"[APPENDUID <uidvalidity> <uid>] Append completed."
        return int(response.split(b"]", 1)[0].split()[-1])

    def drop_in_maildir(self, account: Account, raw: bytes, folder: str = "INBOX") -> Path:
        """Deliver like a delivery agent writing maildir files (Postfix `virtual`): tmp/, then rename to new/.

        Dovecot notices the file at its next full sync (SELECT, NOOP, end of IDLE), but an IDLE session may
        not be told: a rename in the same second as the previous sync escapes both that sync and the inotify
        watch. Tests of IDLE wake-ups deliver with `append`, which goes through Dovecot's index.
        """
        base = self.root / "mail" / account.user
        box = base if folder == "INBOX" else base / f".{folder}"
        for sub in ("tmp", "new", "cur"):
            (box / sub).mkdir(parents=True, exist_ok=True)
        for path in [base, box, *(box / sub for sub in ("tmp", "new", "cur"))]:
            os.chown(path, MAIL_UID, MAIL_GID)
        name = f"{time.time_ns()}.P{os.getpid()}Q{next(self._numbers)}.jalon-test"
        tmp = box / "tmp" / name
        tmp.write_bytes(raw)
        os.chown(tmp, MAIL_UID, MAIL_GID)
        final = box / "new" / name
        tmp.rename(final)
        return final

    def doveadm(self, *args: str) -> str:
        result = subprocess.run(
            ["doveadm", "-c", str(self.config), *args], capture_output=True, text=True, timeout=30
        )
        if result.returncode != 0:
            raise RuntimeError(f"doveadm {' '.join(args)} failed: {result.stderr.strip()}")
        return result.stdout

    def kick(self, account: Account) -> None:
        """Drop every IMAP connection of the account, as a server restart or a network cut would."""
        self.doveadm("kick", account.user)

    def set_uidvalidity(self, account: Account, folder: str, uidvalidity: int) -> None:
        """Give the folder a new UIDVALIDITY, as a restore or a server migration does."""
        self.doveadm("mailbox", "update", "-u", account.user, "--uid-validity", str(uidvalidity), folder)


def start_dovecot() -> Dovecot:
    """A started Dovecot; skips (fails under CI=true) when it is not installed or cannot run here."""
    need(shutil.which("dovecot") is not None, "dovecot not installed (apt-get install dovecot-imapd)")
    need(os.geteuid() == 0, "the throwaway Dovecot needs root to own mail as uid 65534")
    return start_throwaway("jalon-dovecot-", lambda root: Dovecot(root, free_port()))  # mail runs as 65534


@contextmanager
def running_dovecot() -> Iterator[Dovecot]:
    with stopped_after(start_dovecot()) as server:
        yield server
