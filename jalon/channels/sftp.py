"""EDI file drop over SFTP (asyncssh): the contact's `endpoint` is sftp://user@host[:port]/folder.

The file is written under a temporary name and renamed in place, so the customer's EDI translator never
picks up half a file. Host keys are checked against `[sftp] known_hosts` (or the system's): an unknown host
is refused, never trusted on first use.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import unquote, urlsplit

from jalon.channels import Accepted, Delivery
from jalon.channels.oauth import NotConfigured, Refused, Temporary
from jalon.config import Settings

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def target(endpoint: str | None) -> tuple[str, int, str, str]:
    """(host, port, user, folder) of an sftp:// endpoint."""
    parts = urlsplit(endpoint or "")
    if parts.scheme != "sftp" or not parts.hostname or not parts.username:
        raise NotConfigured(f"not an sftp://user@host/folder endpoint: {endpoint!r}")
    return parts.hostname, parts.port or 22, unquote(parts.username), unquote(parts.path or "/") or "/"


def remote_name(filename: str) -> str:
    """A file name any EDI translator accepts: no path, no spaces, no shell characters."""
    stem = _SAFE.sub("_", posixpath.basename(filename.replace("\\", "/"))).strip("._") or "invoice"
    return stem[:200]


async def deliver(settings: Settings, delivery: Delivery) -> Accepted:
    import asyncssh

    host, port, user, folder = target(delivery.endpoint)
    cfg = settings.sftp
    options: dict[str, object] = {
        "username": user,
        "known_hosts": cfg.known_hosts if cfg.known_hosts else (),
        "connect_timeout": cfg.timeout.total_seconds(),
    }
    if cfg.client_key:
        options["client_keys"] = [cfg.client_key]
    if cfg.password_env:
        password = settings.secret(cfg.password_env)
        if password:
            options["password"] = password
    name = remote_name(delivery.filename)
    final = posixpath.join(folder, name)
    partial = posixpath.join(folder, f".{name}.part")
    try:
        async with (
            asyncssh.connect(host, port, **options) as connection,  # type: ignore[arg-type]
            connection.start_sftp_client() as sftp,
        ):
            async with sftp.open(partial, "wb") as handle:
                await handle.write(delivery.data)
            if await sftp.exists(final):
                raise Refused(f"{final} already exists on {host}: not overwritten")
            try:
                await sftp.posix_rename(partial, final)
            except asyncssh.SFTPOpUnsupported:
                await sftp.rename(partial, final)
    except Refused:
        raise
    except asyncssh.HostKeyNotVerifiable as error:
        raise Refused(f"host key of {host} not trusted (add it to [sftp] known_hosts): {error}") from None
    except asyncssh.PermissionDenied as error:
        raise Refused(f"{user}@{host} refused our credentials: {error}") from None
    except asyncssh.SFTPError as error:
        raise Refused(f"{host} refused the file {final}: {error}") from None
    except (OSError, asyncssh.Error, TimeoutError) as error:
        raise Temporary(f"SFTP {host}:{port} unreachable: {error}") from None
    return Accepted(f"sftp://{host}{final}", {"host": host, "path": final, "bytes": len(delivery.data)})
