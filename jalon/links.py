"""Signed, expiring links: per-recipient download links in invoice mails and one-off action links.

The signing key comes from the environment (`[web] secret_env`); without it, one random key is generated
once and kept in the database so that every jalon process signs alike.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

from sqlalchemy.orm import Session

from jalon.config import Settings
from jalon.models import KeyValue

_KEY_NAME = "link_signing_key"


def signing_key(settings: Settings, session: Session) -> bytes:
    from_env = settings.secret(settings.web.secret_env)
    if from_env:
        return from_env.encode()
    row = session.get(KeyValue, _KEY_NAME)
    if row is None:
        row = KeyValue(key=_KEY_NAME, value=secrets.token_urlsafe(32))
        session.add(row)
        session.flush()
    return row.value.encode()


def sign(key: bytes, *parts: str) -> str:
    digest = hmac.new(key, "\x1f".join(parts).encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode().rstrip("=")


def verify(key: bytes, signature: str, *parts: str) -> bool:
    return hmac.compare_digest(sign(key, *parts), signature or "")


def invoice_link(settings: Settings, key: bytes, token: str, *, now: float | None = None) -> str:
    """The portal link of one dispatch (one recipient), valid for `[web] link_ttl`."""
    expires = int((now or time.time()) + settings.web.link_ttl.total_seconds())
    signature = sign(key, "invoice", token, str(expires))
    return f"{settings.web.public_url.rstrip('/')}/i/{token}?e={expires}&s={signature}"


def check_invoice_link(
    key: bytes, token: str, expires: str, signature: str, *, now: float | None = None
) -> str | None:
    """None when valid, else why not."""
    if not expires.isdigit():
        return "malformed link"
    if not verify(key, signature, "invoice", token, expires):
        return "invalid signature"
    if int(expires) < (now or time.time()):
        return "link expired"
    return None
