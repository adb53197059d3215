"""Which customer an invoice is for: identifiers first, then the mail's addresses, then the name.

A weak match (fuzzy name, an address domain shared by several customers) or two signals that disagree
are not guessed: the invoice is held with the candidates for a person to choose.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from jalon.formats.model import Invoice as InvoiceModel
from jalon.formats.model import Party
from jalon.models import Contact, Customer

_LEGAL_FORMS = (
    r"\b(sas|sasu|sarl|eurl|sa|sci|snc|scop|gie|ltd|limited|gmbh|ag|inc|llc|plc|bv|nv|spa|srl|sl)\b"
)


@dataclass
class Match:
    customer: Customer | None
    method: str  # siren | siret | vat | code | relay | forwarded | recipients | name | none
    strong: bool
    reason: str = ""
    candidates: list[str] = field(default_factory=list)


# Built once: every invoice asks (building a statement and its cache key cost more than running it).
_BY_SIREN = select(Customer).where(Customer.siren == bindparam("siren"))
_BY_VAT = select(Customer).where(Customer.vat == bindparam("vat"))
_BY_CODE = select(Customer).where(Customer.code == bindparam("code"))


def normalize_name(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = re.sub(_LEGAL_FORMS, " ", text)
    return " ".join(re.findall(r"[a-z0-9]+", text))


def _by_contacts(session: Session, emails: list[str]) -> list[Customer]:
    if not emails:
        return []
    lowered = sorted({e.lower() for e in emails})
    ids = set(session.scalars(select(Contact.customer_id).where(func.lower(Contact.email).in_(lowered))))
    return [c for c in (session.get(Customer, i) for i in sorted(ids)) if c is not None]


def buyer_siren(buyer: Party) -> str | None:
    """The buyer's SIREN as printed, else the first nine digits of its SIRET."""
    return buyer.siren or (buyer.siret[:9] if buyer.siret else None)


def compact_vat(value: str | None) -> str | None:
    """A VAT number as the directory keeps it: no spaces, dots or dashes, upper case."""
    return re.sub(r"[\s.-]", "", value).upper() if value else None


def match_customer(
    session: Session,
    model: InvoiceModel | None,
    *,
    relay_recipients: list[str] = (),  # type: ignore[assignment]
    forwarded_recipients: list[str] = (),  # type: ignore[assignment]
    header_recipients: list[str] = (),  # type: ignore[assignment]
) -> Match:
    by_id: Match | None = None
    if model is not None:
        buyer = model.buyer
        siren = buyer_siren(buyer)
        if siren:
            found = list(session.scalars(_BY_SIREN, {"siren": siren}))
            if len(found) == 1:
                by_id = Match(found[0], "siren", True)
            elif len(found) > 1:
                siret = buyer.siret
                exact = [c for c in found if siret and c.siret == siret]
                by_id = Match(exact[0], "siret", True) if len(exact) == 1 else None
        vat = compact_vat(buyer.vat_id)
        if by_id is None and vat:
            found = list(session.scalars(_BY_VAT, {"vat": vat}))
            if len(found) == 1:
                by_id = Match(found[0], "vat", True)
        if by_id is None:
            for code in buyer.identifiers:
                customer = session.scalar(_BY_CODE, {"code": code})
                if customer is not None:
                    by_id = Match(customer, "code", True)
                    break

    by_address: Match | None = None
    for method, emails in (
        ("relay", relay_recipients),
        ("forwarded", forwarded_recipients),
        ("recipients", header_recipients),
    ):
        customers = _by_contacts(session, list(emails))
        if len(customers) == 1:
            by_address = Match(customers[0], method, True)
            break
        if len(customers) > 1:
            by_address = Match(
                None,
                method,
                False,
                f"the {method} addresses belong to several customers",
                [c.code for c in customers],
            )
            break

    if by_id and by_address and by_address.customer and by_address.customer.id != by_id.customer.id:  # type: ignore[union-attr]
        return Match(
            None,
            "conflict",
            False,
            f"the invoice's identifiers say {by_id.customer.code} but the {by_address.method} addresses "  # type: ignore[union-attr]
            f"say {by_address.customer.code}",
            [by_id.customer.code, by_address.customer.code],
        )  # type: ignore[union-attr]
    if by_id:
        return by_id
    if by_address and by_address.customer is not None and model is not None:
        clash = _identifier_clash(model, by_address.customer)
        if clash:  # the addresses are a customer's, but the invoice is billed to someone else
            return Match(
                None,
                "conflict",
                False,
                f"the {by_address.method} addresses are {by_address.customer.code}'s but the invoice's buyer "
                f"{clash}",
                [by_address.customer.code],
            )
    if by_address:
        return by_address

    if model is not None and model.buyer.name:
        wanted = normalize_name(model.buyer.name)
        if wanted:
            exact = [c for c in session.scalars(select(Customer)) if normalize_name(c.name) == wanted]
            if len(exact) == 1:
                return Match(exact[0], "name", True, "matched on the exact buyer name")
            close = [c for c in session.scalars(select(Customer)) if _close(normalize_name(c.name), wanted)]
            if close:
                return Match(
                    None,
                    "name",
                    False,
                    f"buyer name {model.buyer.name!r} only resembles a customer",
                    [c.code for c in close[:5]],
                )
    return Match(None, "none", False, "no customer matches the invoice's identifiers, addresses or name")


def _identifier_clash(model: InvoiceModel, customer: Customer) -> str | None:
    """How the invoice's buyer identifiers contradict a customer's (None when they agree or one is unknown):
    an invoice printed for another company must not reach this one because its mail was addressed to it."""
    siren, vat = buyer_siren(model.buyer), compact_vat(model.buyer.vat_id)
    if siren and customer.siren and siren != customer.siren:
        return f"has SIREN {siren}, not {customer.siren}"
    if vat and customer.vat and vat != compact_vat(customer.vat):
        return f"has VAT number {vat}, not {customer.vat}"
    return None


def _close(a: str, b: str) -> bool:
    if not a or not b:
        return False
    words_a, words_b = set(a.split()), set(b.split())
    overlap = len(words_a & words_b) / max(len(words_a | words_b), 1)
    return overlap >= 0.5 or a in b or b in a
