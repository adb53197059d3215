"""Bank statements -> credit lines: ISO 20022 camt.053 (BankToCustomerStatement, versions .02 to .13) and CSV
exports (French or English headers, `;` or `,`, decimal commas, day-first dates). A file is read whole: any
malformed line refuses it, with the line and the reason (`PaymentFileError`). No database here."""

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
from typing import Any


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
        # `is None`, not `or`: an lxml element without children is false, so an `Amt` was taken for missing
        tx_amount_el = _ns_child(tx, ns, "Amt")
        if tx_amount_el is None:
            tx_amount_el = _ns_child(tx, ns, "AmtDtls", "TxAmt", "Amt")
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
    "amount": (
        "amount",
        "montant",
        "credit",
        "credit eur",
        "credit euros",
        "montant eur",
        "montant credit",
        "credit (eur)",
        "credits",
    ),
    # French banks often split the amount: a Débit and a Crédit column, one of them empty on each line
    "debit": ("debit", "debit eur", "debit euros", "montant debit", "debit (eur)", "debits"),
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


def plain(text: str) -> str:
    """Lower case, no accents: how names are compared."""
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
    header = [plain(h) for h in next(reader)]
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
            if cell("debit"):  # money out, in the Débit column: not a payment to us
                ignored.append({"line": number, "amount": f"-{cell('debit').lstrip('-')}", "reason": "debit"})
                continue
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
