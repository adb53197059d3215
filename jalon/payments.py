"""Payments close the loop: money recorded by hand, through the API, or read from a bank file (CSV or ISO
20022 camt.053), matched to invoices by the invoice number in the remittance text, then by amount and
customer.

A bank file is read whole before anything is applied: a malformed file is refused with the line and the
reason, and nothing of it is recorded. Then every line is applied in one transaction: paid invoices settle
(every scenario step stops, their late cases close), partial payments are kept, unmatched lines are kept
unlinked for a person and reported. Importing the same file twice records nothing twice.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jalon import events
from jalon.db import Database, utcnow
from jalon.handlers import cases
from jalon.models import Customer, Invoice, Payment

CENT = Decimal("0.01")
OPEN_STATES = ("received", "held", "ready", "sent")  # an invoice that may still be paid


class PaymentFileError(ValueError):
    """A bank file jalon refuses whole; `line` is where the problem is (1-based), when known."""

    def __init__(self, line: int | None, reason: str) -> None:
        self.line = line
        self.reason = reason
        super().__init__(f"line {line}: {reason}" if line else reason)


@dataclass
class BankLine:
    """One credit on the account, as the bank file tells it."""

    line: int
    amount: Decimal
    currency: str
    booked_on: dt.date
    reference: str  # remittance text, structured references included
    payer: str | None = None
    payer_account: str | None = None
    invoice_hint: str | None = None  # a referenced document number or an "invoice" column
    bank_ref: str | None = None
    source_ref: str = ""


@dataclass
class Statement:
    format: str  # camt053 | csv
    lines: list[BankLine]
    ignored: list[dict[str, Any]] = field(default_factory=list)  # debits, reversals, pending entries


# --- amounts and dates as banks write them ----------------------------------------------------------------


def parse_amount(text: str) -> Decimal:
    """'1234.56', '1 234,56', '1.234,56', '1,234.56', '-12,00' -> Decimal."""
    cleaned = re.sub(r"[\s\u00a0\u202f€$£]|EUR", "", text.strip())
    if re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+(,\d+)?", cleaned):
        cleaned = cleaned.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", cleaned):
        cleaned = cleaned.replace(",", "")
    else:
        cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"[+-]?\d+(\.\d+)?", cleaned):
        raise ValueError(f"not an amount: {text!r}")
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"not an amount: {text!r}") from None


def parse_date(text: str) -> dt.date:
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%Y%m%d", "%d/%m/%y"):
        try:
            return dt.datetime.strptime(text[:10] if pattern == "%Y-%m-%d" else text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {text!r}")


# --- camt.053 ---------------------------------------------------------------------------------------------


def _ns_child(element: Any, ns: str, *path: str) -> Any:
    for name in path:
        if element is None:
            return None
        element = element.find(f"{{{ns}}}{name}")
    return element


def _ns_text(element: Any, ns: str, *path: str) -> str | None:
    found = _ns_child(element, ns, *path)
    return found.text.strip() if found is not None and found.text and found.text.strip() else None


def _line_of(error: Exception) -> int | None:
    found = re.search(r"line (\d+)", str(error))
    return int(found.group(1)) if found else None


def parse_camt053(data: bytes) -> Statement:
    """ISO 20022 BankToCustomerStatement (camt.053.001.02 to .13): one `BankLine` per credit transaction."""
    from jalon.formats import xmlsafe

    try:
        root = xmlsafe.parse(data)
    except ValueError as error:
        raise PaymentFileError(_line_of(error), f"not a readable XML file: {error}") from None
    ns = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    if not ns.startswith("urn:iso:std:iso:20022:tech:xsd:camt.053."):
        raise PaymentFileError(root.sourceline, f"not a camt.053 statement (namespace {ns or 'none'!r})")
    report = _ns_child(root, ns, "BkToCstmrStmt")
    statements = report.findall(f"{{{ns}}}Stmt") if report is not None else []
    if not statements:
        raise PaymentFileError(root.sourceline, "no BkToCstmrStmt/Stmt in the file")
    lines: list[BankLine] = []
    ignored: list[dict[str, Any]] = []
    for stmt_index, statement in enumerate(statements):
        stmt_id = _ns_text(statement, ns, "Id") or f"stmt{stmt_index}"
        for entry_index, entry in enumerate(statement.findall(f"{{{ns}}}Ntry")):
            lines.extend(_entry_lines(entry, ns, stmt_id, entry_index, ignored))
    return Statement("camt053", lines, ignored)


def _amount_of(element: Any, ns: str, where: str) -> tuple[Decimal, str]:
    if element is None or not (element.text or "").strip():
        raise PaymentFileError(getattr(element, "sourceline", None), f"{where}: no amount")
    currency = element.get("Ccy")
    if not currency or not re.fullmatch(r"[A-Z]{3}", currency):
        raise PaymentFileError(element.sourceline, f"{where}: amount without a valid Ccy currency")
    try:
        amount = Decimal(element.text.strip())
    except InvalidOperation:
        raise PaymentFileError(
            element.sourceline, f"{where}: amount {element.text.strip()!r} is not a number"
        ) from None
    if amount < 0 or amount != amount.quantize(Decimal("0.00001")):
        raise PaymentFileError(element.sourceline, f"{where}: amount {element.text.strip()!r} is not valid")
    return amount, currency


def _entry_lines(
    entry: Any, ns: str, stmt_id: str, index: int, ignored: list[dict[str, Any]]
) -> list[BankLine]:
    line = entry.sourceline
    amount, currency = _amount_of(_ns_child(entry, ns, "Amt"), ns, "Ntry")
    direction = _ns_text(entry, ns, "CdtDbtInd")
    if direction not in ("CRDT", "DBIT"):
        raise PaymentFileError(line, f"Ntry: CdtDbtInd must be CRDT or DBIT, not {direction!r}")
    status = _ns_text(entry, ns, "Sts", "Cd") or _ns_text(entry, ns, "Sts") or "BOOK"
    booked_text = (
        _ns_text(entry, ns, "BookgDt", "Dt")
        or _ns_text(entry, ns, "BookgDt", "DtTm")
        or _ns_text(entry, ns, "ValDt", "Dt")
        or _ns_text(entry, ns, "ValDt", "DtTm")
    )
    if not booked_text:
        raise PaymentFileError(line, "Ntry: no booking date (BookgDt) nor value date (ValDt)")
    try:
        booked = dt.date.fromisoformat(booked_text[:10])
    except ValueError:
        raise PaymentFileError(line, f"Ntry: bad date {booked_text!r}") from None
    entry_ref = _ns_text(entry, ns, "AcctSvcrRef") or _ns_text(entry, ns, "NtryRef") or f"n{index}"
    if direction == "DBIT" or status != "BOOK" or (_ns_text(entry, ns, "RvslInd") or "").lower() == "true":
        why = "debit" if direction == "DBIT" else ("reversal" if status == "BOOK" else f"status {status}")
        ignored.append({"line": line, "amount": str(amount), "reason": why})
        return []
    details = entry.findall(f"{{{ns}}}NtryDtls/{{{ns}}}TxDtls")
    entry_text = _ns_text(entry, ns, "AddtlNtryInf") or ""
    if not details:
        return [
            BankLine(
                line,
                amount,
                currency,
                booked,
                entry_text,
                bank_ref=entry_ref,
                source_ref=f"camt053:{stmt_id}:{entry_ref}",
            )
        ]
    result = []
    for tx_index, tx in enumerate(details):
        tx_amount_el = _ns_child(tx, ns, "Amt") or _ns_child(tx, ns, "AmtDtls", "TxAmt", "Amt")
        if tx_amount_el is not None:
            tx_amount, tx_currency = _amount_of(tx_amount_el, ns, "TxDtls")
        elif len(details) == 1:
            tx_amount, tx_currency = amount, currency
        else:
            raise PaymentFileError(
                tx.sourceline, "TxDtls: several transactions in the entry, this one without amount"
            )
        if _ns_text(tx, ns, "CdtDbtInd") == "DBIT":
            ignored.append({"line": tx.sourceline, "amount": str(tx_amount), "reason": "debit"})
            continue
        texts = [el.text.strip() for el in tx.iter(f"{{{ns}}}Ustrd") if el.text and el.text.strip()]
        structured = [
            el.text.strip()
            for name in ("Ref", "Nb")
            for el in tx.iter(f"{{{ns}}}{name}")
            if el.text and el.text.strip()
        ]
        extra = _ns_text(tx, ns, "AddtlTxInf")
        payer = _ns_text(tx, ns, "RltdPties", "Dbtr", "Nm") or _ns_text(
            tx, ns, "RltdPties", "Dbtr", "Pty", "Nm"
        )
        account = _ns_text(tx, ns, "RltdPties", "DbtrAcct", "Id", "IBAN")
        ref = _ns_text(tx, ns, "Refs", "AcctSvcrRef") or _ns_text(tx, ns, "Refs", "EndToEndId")
        referenced = next(
            (
                el.text.strip()
                for el in tx.iter(f"{{{ns}}}RfrdDocInf")
                for el in el.iter(f"{{{ns}}}Nb")
                if el.text
            ),
            None,
        )
        result.append(
            BankLine(
                tx.sourceline,
                tx_amount,
                tx_currency,
                booked,
                " ".join([*texts, *structured, *([extra] if extra else []), entry_text]).strip(),
                payer=payer,
                payer_account=account,
                invoice_hint=referenced,
                bank_ref=ref or entry_ref,
                source_ref=f"camt053:{stmt_id}:{entry_ref}:{tx_index}",
            )
        )
    return result


# --- CSV ------------------------------------------------------------------------------------------------

CSV_COLUMNS = {  # what banks and spreadsheets call each column (lower case, no accents)
    "date": (
        "date",
        "booking date",
        "date operation",
        "date comptable",
        "date de comptabilisation",
        "value date",
        "date valeur",
        "paid_on",
    ),
    "amount": ("amount", "montant", "credit", "credit eur", "montant eur"),
    "reference": (
        "reference",
        "libelle",
        "label",
        "remittance",
        "remittance information",
        "communication",
        "motif",
        "description",
        "details",
    ),
    "payer": ("payer", "debtor", "donneur d'ordre", "emetteur", "client", "customer", "name", "nom"),
    "invoice": ("invoice", "facture", "invoice number", "numero de facture", "n facture"),
    "currency": ("currency", "devise"),
    "id": ("id", "transaction id", "reference bancaire", "bank reference"),
}


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip().lower().replace("°", "")


def parse_csv(data: bytes) -> Statement:
    """A CSV with a header naming at least a date and an amount (French or English names, `;` or `,`)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    if not text.strip():
        raise PaymentFileError(1, "empty file")
    first = text.splitlines()[0]
    delimiter = max(";,\t", key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [_plain(h) for h in next(reader)]
    columns: dict[str, int] = {}
    for name, aliases in CSV_COLUMNS.items():
        for position, title in enumerate(header):
            if title in aliases and name not in columns:
                columns[name] = position
    missing = [name for name in ("date", "amount") if name not in columns]
    if missing:
        raise PaymentFileError(
            1, f"the header has no {' nor '.join(missing)} column (found: {', '.join(header)})"
        )
    lines: list[BankLine] = []
    ignored: list[dict[str, Any]] = []
    seen: Counter[str] = Counter()
    for row in reader:
        number = reader.line_num
        if not any(cell.strip() for cell in row):
            continue

        def cell(name: str, row: list[str] = row) -> str:
            position = columns.get(name)
            return row[position].strip() if position is not None and position < len(row) else ""

        if not cell("amount"):
            raise PaymentFileError(number, "no amount")
        try:
            amount = parse_amount(cell("amount"))
            booked = parse_date(cell("date"))
        except ValueError as error:
            raise PaymentFileError(number, str(error)) from None
        if amount <= 0:
            ignored.append({"line": number, "amount": str(amount), "reason": "debit or zero"})
            continue
        currency = (cell("currency") or "EUR").upper()
        if not re.fullmatch(r"[A-Z]{3}", currency):
            raise PaymentFileError(number, f"bad currency {currency!r}")
        identity = "|".join(
            [cell("id"), booked.isoformat(), str(amount), cell("reference"), cell("payer"), cell("invoice")]
        )
        digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
        seen[digest] += 1
        lines.append(
            BankLine(
                number,
                amount,
                currency,
                booked,
                cell("reference"),
                payer=cell("payer") or None,
                invoice_hint=cell("invoice") or None,
                bank_ref=cell("id") or None,
                source_ref=f"csv:{digest}:{seen[digest]}",  # the 2nd identical line is another payment
            )
        )
    return Statement("csv", lines, ignored)


def read_statement(data: bytes) -> Statement:
    from jalon.formats import xmlsafe

    return parse_camt053(data) if xmlsafe.is_xml(data) else parse_csv(data)


# --- recording and settling -----------------------------------------------------------------------------


def outstanding(invoice: Invoice) -> Decimal:
    from jalon.dunning import outstanding as owed

    return owed(invoice)


def settle(session: Session, invoice: Invoice, *, actor: str, at: dt.datetime, source: str) -> None:
    """Paid in full: every scenario step stops, every milestone is met, late cases close, pauses end."""
    from jalon import scenarios

    invoice.state = "paid"
    invoice.paid_at = at
    invoice.paused_until = None
    invoice.pause_reason = None
    events.record(
        session, "invoice.paid", invoice_id=invoice.id, actor=actor, at=at, source=source, level="paid"
    )
    session.flush()
    scenarios.stop_invoice(session, invoice.id, reason="paid")
    scenarios.settle_milestones(session, invoice, actor=actor)
    cases.close_invoice_cases(
        session, invoice.id, actor=actor, resolution=f"paid ({source})", kinds=("late",)
    )


def record_payment(
    session: Session,
    invoice: Invoice | None,
    amount: Decimal,
    paid_on: dt.date,
    *,
    actor: str,
    source: str,
    currency: str = "EUR",
    reference: str | None = None,
    source_ref: str | None = None,
    data: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> Payment:
    """Keep one payment; with an invoice, count it and settle the invoice once nothing is owed."""
    now = now or utcnow()
    payment = Payment(
        invoice_id=invoice.id if invoice else None,
        amount=amount.quantize(CENT),
        currency=currency,
        paid_on=paid_on,
        reference=reference,
        source=source,
        source_ref=source_ref,
        data=dict(data or {}),
    )
    session.add(payment)
    if invoice is None:
        return payment
    invoice.amount_paid = (Decimal(invoice.amount_paid or 0) + amount).quantize(CENT)
    remaining = outstanding(invoice)
    events.record(
        session,
        "payment.received",
        invoice_id=invoice.id,
        customer_id=invoice.customer_id,
        actor=actor,
        at=now,
        amount=amount,
        currency=currency,
        paid_on=paid_on,
        source=source,
        reference=(reference or "")[:200],
        remaining=remaining,
    )
    if remaining <= 0 and invoice.state in OPEN_STATES:
        settle(session, invoice, actor=actor, at=now, source=source)
    return payment


# --- matching ------------------------------------------------------------------------------------------


def normal(text: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", _plain(text).upper())


_TOKEN = re.compile(r"[^\s,;:/()\[\]'\"+*]+")


def number_candidates(text: str) -> list[str]:
    """Normalised words of a remittance text, runs of two or three of them ('FA 2026 0042'), and words
    without a letter prefix glued by the bank ('FACT20260042' -> '20260042')."""
    words = [normal(w) for w in _TOKEN.findall(text or "")]
    words = [w for w in words if w]
    found: list[str] = []
    for i, word in enumerate(words):
        found.append(word)
        found.extend("".join(words[i : i + n]) for n in (2, 3) if i + n <= len(words))
        stripped = re.sub(r"^[A-Z]+", "", word)
        if stripped != word and len(stripped) >= 4:
            found.append(stripped)
    return list(dict.fromkeys(found))


@dataclass
class Allocation:
    invoice: Invoice
    amount: Decimal


@dataclass
class Matcher:
    """Open invoices by normalised number and by customer, loaded once per import."""

    session: Session
    by_number: dict[str, list[Invoice]] = field(default_factory=dict)
    by_customer: dict[int, list[Invoice]] = field(default_factory=dict)
    customers: list[tuple[Customer, set[str]]] = field(default_factory=list)

    @classmethod
    def load(cls, session: Session) -> Matcher:
        matcher = cls(session)
        query = select(Invoice).where(
            Invoice.state.in_((*OPEN_STATES, "paid")), Invoice.doc_type != "credit_note"
        )
        for invoice in session.scalars(query.order_by(Invoice.id)):
            matcher.by_number.setdefault(normal(invoice.number), []).append(invoice)
            if invoice.customer_id and invoice.state in OPEN_STATES:
                matcher.by_customer.setdefault(invoice.customer_id, []).append(invoice)
        for customer in session.scalars(select(Customer)):
            keys = {normal(v) for v in (customer.name, customer.code, customer.siren, customer.vat) if v}
            matcher.customers.append((customer, {k for k in keys if len(k) >= 3}))
        return matcher

    def by_reference(self, line: BankLine) -> list[Invoice]:
        found: list[Invoice] = []
        for candidate in number_candidates(" ".join(filter(None, [line.invoice_hint, line.reference]))):
            for invoice in self.by_number.get(candidate, []):
                if invoice not in found:
                    found.append(invoice)
        return found

    def customer_of(self, line: BankLine) -> Customer | None:
        payer = normal(line.payer or "")
        words = set(number_candidates(line.reference))
        for customer, keys in self.customers:
            if payer and any(
                key == payer or (len(key) >= 5 and (key in payer or payer in key)) for key in keys
            ):
                return customer
        for customer, keys in self.customers:
            if keys & words:
                return customer
        return None

    def match(self, line: BankLine) -> tuple[list[Allocation], str, str | None]:
        """(allocations, method, why unmatched)."""
        invoices = [i for i in self.by_reference(line) if i.currency == line.currency]
        if invoices:
            payable = [i for i in invoices if i.state in OPEN_STATES]
            if not payable:
                return [], "invoice_number", f"invoice {invoices[0].number} is already paid"
            return self.allocate(payable, line.amount), "invoice_number", None
        customer = self.customer_of(line)
        if customer is None:
            return [], "", "no invoice number in the remittance text and no known customer"
        same = [
            i
            for i in self.by_customer.get(customer.id, [])
            if i.state in OPEN_STATES and i.currency == line.currency and outstanding(i) == line.amount
        ]
        if len(same) == 1:
            return [Allocation(same[0], line.amount)], "amount_and_customer", None
        if same:
            numbers = ", ".join(i.number for i in same)
            return [], "", f"{len(same)} open invoices of {customer.name} owe {line.amount}: {numbers}"
        return [], "", f"no open invoice of {customer.name} owes {line.amount}"

    @staticmethod
    def allocate(invoices: list[Invoice], amount: Decimal) -> list[Allocation]:
        """One payment for several invoices named in its text: each in turn gets what it owes; the last
        one gets what is left (an overpayment stays visible on it)."""
        allocations = []
        left = amount
        for index, invoice in enumerate(invoices):
            share = left if index == len(invoices) - 1 else min(outstanding(invoice), left)
            if share <= 0:
                break
            allocations.append(Allocation(invoice, share))
            left -= share
        return allocations


# --- use cases ----------------------------------------------------------------------------------------


def import_statement(
    database: Database, data: bytes, *, actor: str, filename: str = "", now: dt.datetime | None = None
) -> dict[str, Any]:
    """Read the whole file (refusing it whole if malformed), then apply every line in one transaction."""
    now = now or utcnow()
    statement = read_statement(data)  # raises PaymentFileError: nothing applied
    report: dict[str, Any] = {
        "file": filename,
        "format": statement.format,
        "lines": len(statement.lines),
        "matched": [],
        "partial": [],
        "unmatched": [],
        "duplicates": [],
        "ignored": statement.ignored,
    }
    with database.session() as session:
        matcher = Matcher.load(session)
        known = set(
            session.scalars(
                select(Payment.source_ref).where(
                    Payment.source_ref.in_([line.source_ref for line in statement.lines])
                )
            )
        )
        for line in statement.lines:
            if line.source_ref in known:
                report["duplicates"].append(
                    {"line": line.line, "amount": str(line.amount), "reference": line.reference}
                )
                continue
            allocations, method, why = matcher.match(line)
            common = {
                "payer": line.payer,
                "account": line.payer_account,
                "bank_ref": line.bank_ref,
                "file": filename,
                "line": line.line,
            }
            if not allocations:
                record_payment(
                    session,
                    None,
                    line.amount,
                    line.booked_on,
                    actor=actor,
                    source=statement.format,
                    currency=line.currency,
                    reference=line.reference,
                    source_ref=line.source_ref,
                    data={**common, "unmatched": why},
                    now=now,
                )
                report["unmatched"].append(
                    {
                        "line": line.line,
                        "amount": str(line.amount),
                        "reference": line.reference,
                        "payer": line.payer,
                        "reason": why,
                    }
                )
                continue
            for index, allocation in enumerate(allocations):
                invoice = allocation.invoice
                record_payment(
                    session,
                    invoice,
                    allocation.amount,
                    line.booked_on,
                    actor=actor,
                    source=statement.format,
                    currency=line.currency,
                    reference=line.reference,
                    source_ref=line.source_ref if index == 0 else f"{line.source_ref}#{index}",
                    data={**common, "method": method},
                    now=now,
                )
                entry = {
                    "line": line.line,
                    "invoice": invoice.number,
                    "amount": str(allocation.amount),
                    "method": method,
                    "remaining": str(outstanding(invoice)),
                    "paid": invoice.state == "paid",
                }
                report["matched" if invoice.state == "paid" else "partial"].append(entry)
        if report["unmatched"]:
            cases.open_case(
                session,
                "unmatched",
                f"{len(report['unmatched'])} bank line(s) of {filename or 'an import'} match no invoice",
                key=cases.case_key("unmatched", "payments", hashlib.sha256(data).hexdigest()[:16]),
                facts={"file": filename, "lines": report["unmatched"][:50]},
            )
    return report


def import_file(database: Database, path: str | Path, *, actor: str = "cli") -> dict[str, Any]:
    file = Path(path)
    return import_statement(database, file.read_bytes(), actor=actor, filename=file.name)


def pay(
    database: Database,
    number: str,
    *,
    actor: str,
    amount: Decimal | None = None,
    paid_on: dt.date | None = None,
    reference: str | None = None,
    source: str = "manual",
    now: dt.datetime | None = None,
) -> tuple[bool, str, dict[str, Any]]:
    """A payment recorded by a person (CLI, API, chat): the whole outstanding amount unless told."""
    from jalon.handlers.actions import find_invoice

    now = now or utcnow()
    with database.session() as session:
        invoice = find_invoice(session, number)
        if invoice is None:
            return False, f"no invoice {number}", {}
        if invoice.state not in OPEN_STATES:
            return False, f"invoice {number} is {invoice.state}", {"state": invoice.state}
        owed = outstanding(invoice)
        amount = owed if amount is None else Decimal(amount)
        if amount <= 0:
            return False, "a payment must be a positive amount", {}
        record_payment(
            session,
            invoice,
            amount,
            paid_on or now.date(),
            actor=actor,
            source=source,
            currency=invoice.currency,
            reference=reference,
            now=now,
        )
        remaining = outstanding(invoice)
        state = invoice.state
    message = f"invoice {number} paid" if state == "paid" else f"invoice {number}: {remaining} still owed"
    return True, message, {"amount": str(amount), "remaining": str(remaining), "state": state}
