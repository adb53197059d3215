"""The one invoice model every reader fills and every writer reads: the EN 16931 semantic model.

Field docs give the EN 16931 business term (BT-xx) or group (BG-xx). Amounts are `Decimal`, dates are
`datetime.date`; the model is plain dataclasses so it pickles across the process pool and serialises to
JSON (`to_dict` / `from_dict`) for storage.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import types
import typing
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

CREDIT_NOTE_TYPE_CODES = frozenset(
    {"81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "532"}
)


@dataclass
class Address:
    """BG-5 / BG-8 / BG-12 / BG-15: postal address."""

    line1: str | None = None  # BT-35 / BT-50 / BT-75
    line2: str | None = None  # BT-36 / BT-51 / BT-76
    line3: str | None = None  # BT-162 / BT-163 / BT-165
    city: str | None = None  # BT-37 / BT-52 / BT-77
    postcode: str | None = None  # BT-38 / BT-53 / BT-78
    subdivision: str | None = None  # BT-39 / BT-54 / BT-79
    country: str | None = None  # BT-40 / BT-55 / BT-80, ISO 3166-1 alpha-2

    def is_empty(self) -> bool:
        return not any(dataclasses.astuple(self))


@dataclass
class Contact:
    """BG-6 / BG-9: a party's contact."""

    name: str | None = None  # BT-41 / BT-56
    phone: str | None = None  # BT-42 / BT-57
    email: str | None = None  # BT-43 / BT-58


@dataclass
class Party:
    """BG-4 seller, BG-7 buyer, BG-10 payee, BG-11 seller's tax representative."""

    name: str | None = None  # BT-27 / BT-44 / BT-59 / BT-62
    trading_name: str | None = None  # BT-28 / BT-45
    identifiers: list[str] = field(default_factory=list)  # BT-29 / BT-46 / BT-60 (e.g. GLN, customer code)
    identifier_schemes: dict[str, str] = field(
        default_factory=dict
    )  # identifier -> BT-29-1 scheme (0088 GLN…)
    siren: str | None = None  # BT-30 / BT-47 / BT-61 legal registration id, scheme 0002 (SIREN) in France
    siret: str | None = None  # BT-29 / BT-46 with scheme 0009 (SIRET)
    legal_id: str | None = None  # BT-30 / BT-47 when the scheme is not SIREN
    legal_id_scheme: str | None = None  # BT-30-1 / BT-47-1
    vat_id: str | None = None  # BT-31 / BT-48 / BT-63
    tax_registration_id: str | None = None  # BT-32 (seller's local tax id)
    legal_form: str | None = None  # BT-33 seller additional legal information (capital, RCS…)
    electronic_address: str | None = None  # BT-34 / BT-49
    electronic_address_scheme: str | None = None  # BT-34-1 / BT-49-1
    address: Address = field(default_factory=Address)  # BG-5 / BG-8 / BG-12
    contact: Contact = field(default_factory=Contact)  # BG-6 / BG-9


@dataclass
class AllowanceCharge:
    """BG-20 / BG-21 document level, BG-27 / BG-28 line level."""

    is_charge: bool = False  # False: allowance (BG-20), True: charge (BG-21)
    amount: Decimal = Decimal("0")  # BT-92 / BT-99 / BT-136 / BT-141
    base_amount: Decimal | None = None  # BT-93 / BT-100 / BT-137 / BT-142
    percent: Decimal | None = None  # BT-94 / BT-101 / BT-138 / BT-143
    vat_category: str | None = None  # BT-95 / BT-102
    vat_rate: Decimal | None = None  # BT-96 / BT-103
    reason: str | None = None  # BT-97 / BT-104 / BT-139 / BT-144
    reason_code: str | None = None  # BT-98 / BT-105 / BT-140 / BT-145


@dataclass
class Line:
    """BG-25: invoice line."""

    id: str = ""  # BT-126
    note: str | None = None  # BT-127
    object_id: str | None = None  # BT-128
    object_id_scheme: str | None = None  # BT-128-1
    quantity: Decimal = Decimal("0")  # BT-129
    unit: str | None = None  # BT-130, UN/ECE rec 20 code (C62, HUR, KGM…)
    net_amount: Decimal = Decimal("0")  # BT-131
    order_line_ref: str | None = None  # BT-132
    accounting_ref: str | None = None  # BT-133
    period_start: dt.date | None = None  # BT-134
    period_end: dt.date | None = None  # BT-135
    allowances_charges: list[AllowanceCharge] = field(default_factory=list)  # BG-27 / BG-28
    net_price: Decimal = Decimal("0")  # BT-146
    price_discount: Decimal | None = None  # BT-147
    gross_price: Decimal | None = None  # BT-148
    price_base_quantity: Decimal | None = None  # BT-149
    price_base_unit: str | None = None  # BT-150
    vat_category: str | None = None  # BT-151 (S, Z, E, AE, K, G, O, L, M)
    vat_rate: Decimal | None = None  # BT-152
    name: str = ""  # BT-153
    description: str | None = None  # BT-154
    seller_item_id: str | None = None  # BT-155
    buyer_item_id: str | None = None  # BT-156
    standard_item_id: str | None = None  # BT-157
    standard_item_scheme: str | None = None  # BT-157-1
    classification_ids: list[str] = field(default_factory=list)  # BT-158
    classification_schemes: dict[str, str] = field(default_factory=dict)  # BT-158 -> BT-158-1 (STI, CV…)
    attributes: dict[str, str] = field(default_factory=dict)  # BG-32: BT-160 name -> BT-161 value
    origin_country: str | None = None  # BT-159


@dataclass
class VatBreakdown:
    """BG-23: VAT breakdown, one per category and rate."""

    category: str = "S"  # BT-118
    rate: Decimal | None = None  # BT-119 (percent)
    taxable_amount: Decimal = Decimal("0")  # BT-116
    tax_amount: Decimal = Decimal("0")  # BT-117
    exemption_reason: str | None = None  # BT-120
    exemption_reason_code: str | None = None  # BT-121
    due_date_type_code: str | None = None  # BT-8 carried per breakdown in CII (e.g. 72: VAT on payments)


@dataclass
class Totals:
    """BG-22: document totals."""

    line_total: Decimal = Decimal("0")  # BT-106
    allowance_total: Decimal | None = None  # BT-107
    charge_total: Decimal | None = None  # BT-108
    tax_exclusive: Decimal = Decimal("0")  # BT-109
    vat_total: Decimal | None = None  # BT-110
    vat_total_accounting: Decimal | None = None  # BT-111 (in BT-6 currency)
    tax_inclusive: Decimal = Decimal("0")  # BT-112
    prepaid: Decimal | None = None  # BT-113
    rounding: Decimal | None = None  # BT-114
    payable: Decimal = Decimal("0")  # BT-115
    # Not an EN 16931 term: a retenue de garantie (holdback, retention) the buyer keeps back from what is due
    # (BT-115) until the guarantee period ends (French works contracts: at most 5 %, released after a year).
    holdback: Decimal | None = None


DIRECT_DEBIT_CODES = ("49", "59")  # UNTDID 4461: direct debit, SEPA direct debit


@dataclass
class Payment:
    """BG-16: payment instructions, with BG-17 credit transfer and BG-19 direct debit."""

    means_code: str | None = None  # BT-81 (UNTDID 4461: 30 transfer, 58 SEPA transfer, 59 SEPA DD…)
    means_text: str | None = None  # BT-82
    remittance_info: str | None = None  # BT-83
    iban: str | None = None  # BT-84
    account_name: str | None = None  # BT-85
    bic: str | None = None  # BT-86
    card_pan: str | None = None  # BT-87
    card_holder: str | None = None  # BT-88
    mandate_ref: str | None = None  # BT-89
    creditor_id: str | None = None  # BT-90
    debited_account: str | None = None  # BT-91
    # Not an EN 16931 term: the PDF says the seller collects it by direct debit ("Règlement par prélèvement
    # SEPA") where no mandate reference (BT-89) could be read to write it as code 59.
    direct_debit: bool = False

    @property
    def debited(self) -> bool:
        """Collected by the seller on the due date (direct debit): nothing to remind the buyer of before."""
        return self.direct_debit or self.means_code in DIRECT_DEBIT_CODES


@dataclass
class Attachment:
    """BG-24: additional supporting document."""

    id: str = ""  # BT-122
    description: str | None = None  # BT-123
    uri: str | None = None  # BT-124
    content: bytes | None = None  # BT-125
    mime_code: str | None = None  # BT-125-1
    filename: str | None = None  # BT-125-2


@dataclass
class Note:
    """BG-1: invoice note. French mandatory mentions travel here with subject codes PMT/PMD/AAB."""

    text: str = ""  # BT-22
    subject_code: str | None = None  # BT-21 (UNTDID 4451: AAB, PMT, PMD, REG, ABL, TXD…)


@dataclass
class PrecedingInvoice:
    """BG-3: reference to a preceding invoice (credit notes, corrections)."""

    number: str = ""  # BT-25
    issue_date: dt.date | None = None  # BT-26


@dataclass
class Delivery:
    """BG-13: delivery information."""

    party_name: str | None = None  # BT-70
    location_id: str | None = None  # BT-71
    location_scheme: str | None = None  # BT-71-1
    date: dt.date | None = None  # BT-72
    address: Address = field(default_factory=Address)  # BG-15


@dataclass
class Invoice:
    """BG-0: an invoice or credit note, whatever format it came from."""

    number: str = ""  # BT-1
    issue_date: dt.date | None = None  # BT-2
    type_code: str = (
        "380"  # BT-3 (UNTDID 1001: 380 invoice, 381 credit note, 384 corrective, 389 self-billed)
    )
    currency: str = "EUR"  # BT-5
    vat_currency: str | None = None  # BT-6
    tax_point_date: dt.date | None = None  # BT-7
    vat_due_date_code: str | None = None  # BT-8 (UNTDID 2005: 3 issue, 35 delivery, 432 payment)
    due_date: dt.date | None = None  # BT-9
    buyer_reference: str | None = None  # BT-10 (Chorus Pro service code for French public buyers)
    project_ref: str | None = None  # BT-11
    contract_ref: str | None = None  # BT-12
    purchase_order: str | None = None  # BT-13
    sales_order: str | None = None  # BT-14
    receiving_advice: str | None = None  # BT-15
    despatch_advice: str | None = None  # BT-16
    tender_ref: str | None = None  # BT-17
    invoiced_object: str | None = None  # BT-18
    invoiced_object_scheme: str | None = None  # BT-18-1
    buyer_accounting_ref: str | None = None  # BT-19
    payment_terms: str | None = None  # BT-20
    notes: list[Note] = field(default_factory=list)  # BG-1
    business_process: str | None = None  # BT-23 (French reform: B1 goods, S1 services, M1 mixed…)
    specification_id: str | None = None  # BT-24 (profile URN)
    preceding_invoices: list[PrecedingInvoice] = field(default_factory=list)  # BG-3
    seller: Party = field(default_factory=Party)  # BG-4
    buyer: Party = field(default_factory=Party)  # BG-7
    payee: Party | None = None  # BG-10
    tax_representative: Party | None = None  # BG-11
    delivery: Delivery = field(default_factory=Delivery)  # BG-13
    period_start: dt.date | None = None  # BT-73
    period_end: dt.date | None = None  # BT-74
    payment: Payment = field(default_factory=Payment)  # BG-16
    allowances_charges: list[AllowanceCharge] = field(default_factory=list)  # BG-20 / BG-21
    totals: Totals = field(default_factory=Totals)  # BG-22
    vat_breakdown: list[VatBreakdown] = field(default_factory=list)  # BG-23
    lines: list[Line] = field(default_factory=list)  # BG-25
    attachments: list[Attachment] = field(default_factory=list)  # BG-24

    # French mentions that have no EN 16931 business term of their own (Code de commerce L441-9/L441-10,
    # CGI 242 nonies A); readers fill them from notes or text, writers emit them as notes.
    penalty_rate_text: str | None = None  # late-payment penalty rate mention
    recovery_indemnity_text: str | None = None  # the 40 EUR fixed recovery indemnity mention
    early_payment_discount_text: str | None = None  # escompte mention
    operation_category: str | None = None  # goods | services | both
    vat_on_debits: bool | None = None  # "option pour le paiement de la TVA d'après les débits"

    # Provenance: which reader produced this model, and how sure it is of each field (0..1).
    source: str = "none"  # facturx | xml | text | none
    profile: str | None = None  # e.g. EN16931, BASIC, EXTENDED, UBL, PEPPOL
    confidence: dict[str, float] = field(default_factory=dict)
    reader_warnings: list[str] = field(default_factory=list)

    @property
    def doc_type(self) -> str:
        """invoice | credit_note, from BT-3."""
        return "credit_note" if self.type_code in CREDIT_NOTE_TYPE_CODES else "invoice"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (Decimal -> str, date -> ISO, bytes -> base64)."""
        return _encode(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Invoice:
        return _decode(cls, data)

    def copied(self) -> Invoice:
        """A deep copy, for a writer that fills in derived values: several times faster than
        `copy.deepcopy`, which a conversion did twice per invoice."""
        return _clone(self)


_IMMUTABLE = (str, int, float, Decimal, dt.date, bytes, type(None))  # bool is an int, datetime a date


def _clone(value: Any) -> Any:
    if isinstance(value, _IMMUTABLE):
        return value
    if isinstance(value, list):
        return [_clone(v) for v in value]
    if isinstance(value, dict):
        return {k: _clone(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value):
        twin = object.__new__(type(value))
        twin.__dict__.update({k: _clone(v) for k, v in value.__dict__.items()})
        return twin
    return copy.deepcopy(value)


def _encode(value: Any) -> Any:
    import base64

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    return value


_HINTS_CACHE: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS_CACHE:
        _HINTS_CACHE[cls] = typing.get_type_hints(cls)
    return _HINTS_CACHE[cls]


def _decode(tp: Any, value: Any) -> Any:
    import base64

    if value is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        return _decode(inner[0], value)
    if origin is list:
        (item,) = typing.get_args(tp)
        return [_decode(item, v) for v in value]
    if origin is dict:
        _, vtype = typing.get_args(tp)
        return {k: _decode(vtype, v) for k, v in value.items()}
    if dataclasses.is_dataclass(tp):
        hints = _hints(tp)
        known = {f.name for f in dataclasses.fields(tp)}
        return tp(**{k: _decode(hints[k], v) for k, v in value.items() if k in known})
    if tp is Decimal:
        return Decimal(str(value))
    if tp is dt.date:
        return dt.date.fromisoformat(value)
    if tp is bytes:
        return base64.b64decode(value)
    return value
