"""jalon's address plan: invoices@, bounces+TOKEN@ (VERP envelope sender), reply+TOKEN@ (Reply-To).

A token is random and unguessable, one per dispatch; it is never derived from the invoice id.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

TOKEN_PATTERN = r"[A-Za-z0-9_-]{8,64}"
_LOCAL_ROUTES = {
    "invoices": "invoices",
    "factures": "invoices",
    "postmaster": "postmaster",
    "abuse": "postmaster",
}
_TAGGED = re.compile(rf"^(bounces|reply)\+({TOKEN_PATTERN})$", re.IGNORECASE)


@dataclass(frozen=True)
class Route:
    """Where a recipient address leads: invoices | bounce | reply | postmaster | external | unknown."""

    kind: str
    token: str | None = None


def new_token() -> str:
    """16 url-safe characters: 96 bits of randomness."""
    return secrets.token_urlsafe(12)


def split(address: str) -> tuple[str, str]:
    address = address.strip().strip("<>")
    local, _, domain = address.rpartition("@")
    return local, domain.lower()


def is_local(address: str, domain: str) -> bool:
    return split(address)[1] == domain.lower()


def route(address: str, domain: str) -> Route:
    local, rcpt_domain = split(address)
    if rcpt_domain != domain.lower():
        return Route("external")
    tagged = _TAGGED.match(local)
    if tagged:
        return Route("bounce" if tagged.group(1).lower() == "bounces" else "reply", tagged.group(2))
    kind = _LOCAL_ROUTES.get(local.lower())
    return Route(kind) if kind else Route("unknown")


def bounce_address(token: str, domain: str) -> str:
    return f"bounces+{token}@{domain}"


def reply_address(token: str, domain: str) -> str:
    return f"reply+{token}@{domain}"


def invoices_address(domain: str) -> str:
    return f"invoices@{domain}"


def sender_allowed(sender: str, allowed: list[str] | tuple[str, ...]) -> bool:
    """An allowed entry is a full address or a domain (which also covers its subdomains)."""
    local, sender_domain = split(sender)
    if not local or not sender_domain:
        return False
    address = f"{local}@{sender_domain}".lower()
    for entry in allowed:
        entry = entry.strip().lower().lstrip("@")
        if "@" in entry:
            if address == entry:
                return True
        elif sender_domain == entry or sender_domain.endswith("." + entry):
            return True
    return False
