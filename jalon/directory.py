"""The customer directory: CSV import (re-import updates, never duplicates), export, listing.

One CSV row per (customer, contact). Columns: customer_id, name, siren, vat, email, role, language, group
(required), and optionally siret, contact_name, priority, channel, format, endpoint, public_buyer,
requires_po, requires_buyer_reference, required_documents (separated by '|'), blocked, country, address, and
per-customer settings: scenario, facturx_profile, french, dunning.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from jalon import events
from jalon.db import Database
from jalon.models import Contact, Customer

REQUIRED_COLUMNS = ("customer_id", "name", "siren", "vat", "email", "role", "language", "group")
ROLES = ("buyer", "payer", "validator", "head_office", "cc", "collection")
ROLE_ALIASES = {
    "acheteur": "buyer",
    "payeur": "payer",
    "payer_centre": "payer",
    "centre_payeur": "payer",
    "valideur": "validator",
    "approver": "validator",
    "siege": "head_office",
    "headoffice": "head_office",
    "copie": "cc",
    "recouvrement": "collection",
}
# Columns kept in Customer.settings (per-customer overrides read by scenarios and conversions).
SETTING_COLUMNS = {"scenario": str, "facturx_profile": str, "french": bool, "dunning": bool}
EXPORT_COLUMNS = (
    *REQUIRED_COLUMNS,
    "siret",
    "contact_name",
    "priority",
    "channel",
    "format",
    "endpoint",
    "public_buyer",
    "requires_po",
    "requires_buyer_reference",
    "required_documents",
    "blocked",
    "country",
    "address",
    *SETTING_COLUMNS,
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TRUE = {"1", "true", "yes", "oui", "y", "x"}


def _bool(value: str | None) -> bool:
    return (value or "").strip().lower() in _TRUE


def _digits(value: str | None) -> str | None:
    cleaned = re.sub(r"\s", "", value or "")
    return cleaned or None


def import_csv(database: Database, path: str | Path) -> dict[str, Any]:
    text = Path(path).read_text(encoding="utf-8-sig")
    with database.session() as session:
        return import_rows(session, text)


def import_rows(session: Session, text: str) -> dict[str, Any]:
    """Upsert customers by customer_id, contacts by (customer, email, role); bad rows reported, skipped."""
    dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;\t") if text.strip() else csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        return {
            "customers_created": 0,
            "customers_updated": 0,
            "contacts_created": 0,
            "contacts_updated": 0,
            "errors": [{"line": 1, "error": f"missing column(s): {', '.join(missing)}"}],
        }
    report: dict[str, Any] = {
        "customers_created": 0,
        "customers_updated": 0,
        "contacts_created": 0,
        "contacts_updated": 0,
        "errors": [],
    }
    touched: set[str] = set()
    for line_number, raw_row in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw_row.items()}
        code = row.get("customer_id", "")
        if not code:
            report["errors"].append({"line": line_number, "error": "empty customer_id"})
            continue
        customer = session.scalar(select(Customer).where(Customer.code == code))
        if customer is None:
            customer = Customer(code=code, name=row.get("name") or code)
            session.add(customer)
            report["customers_created"] += 1
            touched.add(code)
        elif code not in touched:
            report["customers_updated"] += 1
            touched.add(code)
        _apply_customer(customer, row)
        session.flush()
        email = row.get("email", "").lower()
        if not email:
            continue
        if not _EMAIL.match(email):
            report["errors"].append({"line": line_number, "error": f"invalid email {email!r}"})
            continue
        role = ROLE_ALIASES.get(row.get("role", "").lower(), row.get("role", "").lower() or "buyer")
        if role not in ROLES:
            report["errors"].append(
                {"line": line_number, "error": f"unknown role {role!r} (use {', '.join(ROLES)})"}
            )
            continue
        contact = session.scalar(
            select(Contact).where(
                Contact.customer_id == customer.id, Contact.email == email, Contact.role == role
            )
        )
        if contact is None:
            contact = Contact(customer_id=customer.id, email=email, role=role, source="import")
            session.add(contact)
            report["contacts_created"] += 1
        else:
            report["contacts_updated"] += 1
        contact.name = row.get("contact_name") or contact.name
        contact.language = row.get("language") or contact.language
        contact.channel = row.get("channel") or contact.channel or "email"
        contact.format = row.get("format") or contact.format or "pdf"
        contact.endpoint = row.get("endpoint") or contact.endpoint
        if row.get("priority", "").lstrip("-").isdigit():
            contact.priority = int(row["priority"])
        session.flush()
    events.record(
        session,
        "directory.imported",
        actor="import",
        **{k: v for k, v in report.items() if k != "errors"},
        errors=len(report["errors"]),
    )
    return report


def _apply_customer(customer: Customer, row: dict[str, str]) -> None:
    customer.name = row.get("name") or customer.name
    customer.siren = _digits(row.get("siren")) or customer.siren
    siret = _digits(row.get("siret"))
    if siret:
        customer.siret = siret
        customer.siren = customer.siren or siret[:9]
    customer.vat = (_digits(row.get("vat")) or "").upper() or customer.vat
    customer.language = (row.get("language") or customer.language or "fr").lower()[:8]
    customer.group = row.get("group") or customer.group
    if row.get("country"):
        customer.country = row["country"].upper()[:2]
    if row.get("address"):
        customer.address = row["address"]
    for flag in ("public_buyer", "requires_po", "requires_buyer_reference", "blocked"):
        if row.get(flag):
            setattr(customer, flag, _bool(row[flag]))
    overrides = dict(customer.settings or {})
    for name, kind in SETTING_COLUMNS.items():
        if row.get(name):
            overrides[name] = _bool(row[name]) if kind is bool else row[name]
    if overrides != (customer.settings or {}):
        customer.settings = overrides
    if row.get("required_documents"):
        customer.required_documents = [d.strip() for d in row["required_documents"].split("|") if d.strip()]


def customer_as_dict(customer: Customer) -> dict[str, Any]:
    return {
        "customer_id": customer.code,
        "name": customer.name,
        "siren": customer.siren,
        "siret": customer.siret,
        "vat": customer.vat,
        "language": customer.language,
        "group": customer.group,
        "country": customer.country,
        "public_buyer": customer.public_buyer,
        "requires_po": customer.requires_po,
        "requires_buyer_reference": customer.requires_buyer_reference,
        "required_documents": customer.required_documents,
        "blocked": customer.blocked,
        "settings": customer.settings or {},
        "contacts": [
            {
                "email": c.email,
                "role": c.role,
                "name": c.name,
                "language": c.language,
                "channel": c.channel,
                "format": c.format,
                "priority": c.priority,
                "valid": c.valid,
                "invalid_reason": c.invalid_reason,
                "source": c.source,
            }
            for c in customer.contacts
        ],
    }


def list_customers(database: Database) -> list[dict[str, Any]]:
    with database.session() as session:
        customers = session.scalars(
            select(Customer).options(selectinload(Customer.contacts)).order_by(Customer.code)
        )
        return [customer_as_dict(c) for c in customers]


def export_csv(database: Database) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for customer in list_customers(database):
        base = {
            "customer_id": customer["customer_id"],
            "name": customer["name"],
            "siren": customer["siren"] or "",
            "vat": customer["vat"] or "",
            "language": customer["language"],
            "group": customer["group"] or "",
            "siret": customer["siret"] or "",
            "public_buyer": "yes" if customer["public_buyer"] else "",
            "requires_po": "yes" if customer["requires_po"] else "",
            "requires_buyer_reference": "yes" if customer["requires_buyer_reference"] else "",
            "required_documents": "|".join(customer["required_documents"] or []),
            "blocked": "yes" if customer["blocked"] else "",
            "country": customer["country"] or "",
            "address": "",
        }
        for name, kind in SETTING_COLUMNS.items():
            value = (customer.get("settings") or {}).get(name)
            base[name] = ("yes" if value else "no") if kind is bool and value is not None else (value or "")
        contacts = customer["contacts"] or [{}]
        for contact in contacts:
            writer.writerow(
                {
                    **base,
                    "email": contact.get("email", ""),
                    "role": contact.get("role", ""),
                    "contact_name": contact.get("name") or "",
                    "priority": contact.get("priority", ""),
                    "channel": contact.get("channel", ""),
                    "format": contact.get("format", ""),
                    "endpoint": "",
                }
            )
    return buffer.getvalue()
