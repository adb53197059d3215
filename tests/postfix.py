"""A throwaway Postfix for tests: the relay and the customers' mail servers, writing real delivery reports.

One instance per test, from its own config directory in a temp dir (own queue, data and mail), SMTP on a
free loopback port. What it does with mail, by recipient domain:

| domain             | what Postfix does                                                               |
|--------------------|---------------------------------------------------------------------------------|
| `client.test`      | mailboxes; an unknown user is refused at RCPT (`550 5.1.1`), like most servers  |
| `lenient.test`     | mailboxes; an unknown user is accepted, then bounced (a real `failed` DSN)      |
| `unreachable.test` | relayed to a closed port: deferred (a `delayed` DSN), then expired on demand   |
| `relay.test`       | relayed to `relay_port`, where a test may listen without DSN (`relayed` DSN)   |
| `jalon.test`       | jalon's own domain: relayed to jalon's SMTP port, so reports come back to it    |
| anything else      | refused: no mail leaves this server                                             |

`equipe@client.test` is an alias expanding to two mailboxes (an `expanded` DSN). Mailboxes are maildirs read
back with `mailbox()`. `running_postfix()` skips the test (fails under CI=true) without Postfix or root.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path

from conftest import free_port, need, start_throwaway, stopped_after

STRICT = "client.test"
LENIENT = "lenient.test"
UNREACHABLE = "unreachable.test"
RELAY = "relay.test"
JALON = "jalon.test"
MAILBOXES = {
    STRICT: ("achats", "compta", "postmaster"),
    LENIENT: ("achats", "compta"),
}
ALIASES = {f"equipe@{STRICT}": (f"achats@{STRICT}", f"compta@{STRICT}")}
# /usr/sbin is not on every PATH (non-login shells, some CI runners)
POSTFIX = shutil.which("postfix") or shutil.which("postfix", path="/usr/sbin:/sbin")
SBIN = Path(POSTFIX).parent if POSTFIX else Path("/usr/sbin")
MAIL_UID = 65534  # virtual(8) writes mail as nobody:nogroup, never as root
MAIL_GID = 65534
# The queue layout of /etc/postfix/postfix-files (owner, group, mode), made here so that `postfix start`
# can skip its integrity check (`quick-start`: post-install runs postconf dozens of times).
_PRIVATE = ("active", "bounce", "corrupt", "defer", "deferred", "flush", "hold", "incoming", "private")
QUEUE_DIRS = {
    **{name: ("postfix", "root", 0o700) for name in (*_PRIVATE, "saved", "trace")},
    "maildrop": ("postfix", "postdrop", 0o730),
    "public": ("postfix", "postdrop", 0o710),
    "pid": ("root", "root", 0o755),
}

MAIN_CF = """\
# generated for one test; nothing read from /etc/postfix but the compiled-in paths
compatibility_level = 3.6
queue_directory = {root}/queue
data_directory = {root}/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = {root}/maillog
maillog_file_prefixes = {root}
myhostname = mx.{strict}
mydomain = {strict}
myorigin = $mydomain
mydestination =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
local_recipient_maps =
biff = no
append_dot_mydomain = no

virtual_mailbox_domains = {strict}, {lenient}
virtual_mailbox_maps = texthash:{root}/etc/mailboxes
virtual_alias_maps = texthash:{root}/etc/aliases
virtual_mailbox_base = {root}/mail
virtual_uid_maps = static:{uid}
virtual_gid_maps = static:{gid}

# unknown users: refused at RCPT for the strict domain only, accepted then bounced for the lenient one
smtpd_reject_unlisted_recipient = no
smtpd_recipient_restrictions = check_recipient_access texthash:{root}/etc/strict, permit_mynetworks,
    reject_unauth_destination
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination

transport_maps = texthash:{root}/etc/transport
default_transport = error:5.7.1 no mail leaves this test server
relay_transport = $default_transport
smtp_dns_support_level = disabled
smtp_connect_timeout = 2s

# a test lasts seconds: retry, warn and scan at once (`expire()` ends a message's life on demand)
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
delay_warning_time = 1s
"""

# chroot off everywhere (the temp dir is not a chroot jail); only the services these tests need
MASTER_CF = """\
127.0.0.1:{port} inet n - n - - smtpd
pickup    unix  n - n 60    1 pickup
cleanup   unix  n - n -     0 cleanup
qmgr      unix  n - n 300   1 qmgr
rewrite   unix  - - n -     - trivial-rewrite
bounce    unix  - - n -     0 bounce
defer     unix  - - n -     0 bounce
trace     unix  - - n -     0 bounce
verify    unix  - - n -     1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n -     - proxymap
smtp      unix  - - n -     - smtp
relay     unix  - - n -     - smtp
showq     unix  n - n -     - showq
error     unix  - - n -     - error
retry     unix  - - n -     - error
discard   unix  - - n -     - discard
virtual   unix  - n n -     - virtual
anvil     unix  - - n -     1 anvil
scache    unix  - - n -     1 scache
postlog   unix-dgram n - n - 1 postlogd
"""


class Postfix:
    """One running Postfix instance under `root`; `port` is its SMTP port, `jalon_port` where it sends
    mail for jalon.test (delivery reports included)."""

    def __init__(self, root: Path, port: int, jalon_port: int) -> None:
        self.root = root
        self.host = "127.0.0.1"
        self.port = port
        self.jalon_port = jalon_port
        self.relay_port = free_port()
        self.config_dir = root / "etc"
        # Bound but never listening: connections are refused, and no one else can take the port meanwhile.
        self._closed = socket.socket()
        self._closed.bind(("127.0.0.1", 0))
        self.closed_port = int(self._closed.getsockname()[1])
        self._master_pid: int | None = None

    # lifecycle ---------------------------------------------------------------------------------------------

    def _write_config(self) -> None:
        for sub in ("etc", "queue", "data", "mail"):
            (self.root / sub).mkdir(exist_ok=True)
        shutil.chown(self.root / "data", "postfix")
        queue = self.root / "queue"
        for name, (owner, group, mode) in QUEUE_DIRS.items():
            (queue / name).mkdir(exist_ok=True)
            shutil.chown(queue / name, owner, group)
            (queue / name).chmod(mode)
        (queue / "quick-start").touch()
        os.chown(self.root / "mail", MAIL_UID, MAIL_GID)
        values = {"root": self.root, "strict": STRICT, "lenient": LENIENT, "uid": MAIL_UID, "gid": MAIL_GID}
        (self.config_dir / "main.cf").write_text(MAIN_CF.format(**values))
        (self.config_dir / "master.cf").write_text(MASTER_CF.format(port=self.port))
        boxes = [
            f"{user}@{domain} {domain}/{user}/\n" for domain, users in MAILBOXES.items() for user in users
        ]
        (self.config_dir / "mailboxes").write_text("".join(boxes))
        (self.config_dir / "aliases").write_text(
            "".join(f"{alias} {', '.join(targets)}\n" for alias, targets in ALIASES.items())
        )
        (self.config_dir / "strict").write_text(f"{STRICT} reject_unlisted_recipient\n")
        (self.config_dir / "transport").write_text(
            f"{JALON} smtp:[127.0.0.1]:{self.jalon_port}\n"
            f"{UNREACHABLE} smtp:[127.0.0.1]:{self.closed_port}\n"
            f"{RELAY} smtp:[127.0.0.1]:{self.relay_port}\n"
        )
        # Postfix re-reads a file changed within the last second, 300 ms at a time (it may be half written):
        # dated a minute back, the config is read at once and `postfix start` takes 0.1 s instead of 1.5 s.
        past = time.time() - 60
        for path in self.config_dir.iterdir():
            os.utime(path, (past, past))

    def start(self) -> None:
        self._write_config()
        # The master daemonizes: its children would hold a captured stdout open, so output goes to a file.
        with (self.root / "start.log").open("wb") as out:
            done = subprocess.run(
                [str(SBIN / "postfix"), "-c", str(self.config_dir), "start"],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                timeout=60,
            )
        if done.returncode != 0:
            raise RuntimeError(f"postfix start failed: {self.log()}")
        # `postfix start` returns once the master has initialized, pid file written
        self._master_pid = int((self.root / "queue" / "pid" / "master.pid").read_text().split()[0])
        deadline = time.monotonic() + 10
        while True:  # the master opens the listener itself; smtpd is forked on the first connection
            try:
                with socket.create_connection((self.host, self.port), timeout=2) as sock:
                    if sock.recv(64).startswith(b"220"):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"Postfix did not answer on port {self.port}: {self.log()}")
            time.sleep(0.02)

    def stop(self) -> None:
        """What `postfix stop` does (SIGTERM to the master, which takes its daemons with it), without its
        one-second polling: wait until none of its processes runs before the directories are removed."""
        self._closed.close()
        pid = self._master_pid
        if pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while _running_in_group(pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        with contextlib.suppress(ProcessLookupError):
            if _running_in_group(pid):
                os.killpg(pid, signal.SIGKILL)

    def log(self, tail: int = 6000) -> str:
        text = ""
        for name in ("start.log", "maillog"):
            path = self.root / name
            if path.exists():
                text += path.read_text(errors="replace")
        return text[-tail:]

    # queue -------------------------------------------------------------------------------------------------

    def _run(self, program: str, *args: str) -> str:
        command = [str(SBIN / program), *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=30)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.strip()}")
        return done.stdout

    def flush(self) -> None:
        """Retry every deferred message now (`postqueue -f`), instead of waiting for the next queue run."""
        self._run("postqueue", "-c", str(self.config_dir), "-f")

    def expire(self) -> None:
        """End the queued messages' lives now (`postsuper -e`): each is returned to its sender with a
        `failed` report, as after `maximal_queue_lifetime`."""
        self._run("postsuper", "-c", str(self.config_dir), "-e", "ALL")
        self.flush()

    def queued(self) -> list[str]:
        """The recipients of the messages waiting in the queue."""
        listing = self._run("postqueue", "-c", str(self.config_dir), "-j")
        return [
            recipient["address"]
            for line in listing.splitlines()
            if line.strip()
            for recipient in json.loads(line)["recipients"]
        ]

    # mailboxes ---------------------------------------------------------------------------------------------

    def mailbox(self, address: str) -> list[EmailMessage]:
        """The messages delivered to a mailbox, oldest first."""
        user, _, domain = address.partition("@")
        box = self.root / "mail" / domain / user
        files = [p for sub in ("new", "cur") if (box / sub).is_dir() for p in (box / sub).iterdir()]
        files.sort(key=lambda p: p.stat().st_mtime_ns)
        return [
            email.message_from_bytes(p.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
            for p in files
        ]


def _running_in_group(pgid: int) -> bool:
    """Whether a process of this group still runs (zombies waiting for init to reap them do not count)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            return True
    return False


def start_postfix(jalon_port: int, port: int | None = None) -> Postfix:
    """A started Postfix; skips (fails under CI=true) when it is not installed or cannot run here."""
    need(POSTFIX is not None, "postfix not installed (apt-get install postfix)")
    need(os.geteuid() == 0, "the throwaway Postfix needs root (its daemons drop to the postfix user)")
    return start_throwaway("jalon-postfix-", lambda root: Postfix(root, port or free_port(), jalon_port))


@contextmanager
def running_postfix(jalon_port: int, port: int | None = None) -> Iterator[Postfix]:
    with stopped_after(start_postfix(jalon_port, port)) as server:
        yield server
