"""The generic text reader: an invoice model from the positioned text of a PDF, whatever tool made it.

No template per issuer. Labels (text/labels.py) point at values by proximity: after the label in the same
cell, in the next cell on the right, or in the cell below (label above value). Totals are chosen together so
that HT + TVA = TTC to the cent, and the VAT breakdown so that base x rate = VAT; amounts that add up are
believed, amounts that do not are kept but marked unsure. Every field gets a confidence (0..1); when two
readings of a field disagree and nothing decides between them, the field is left empty with a low confidence:
an empty field sends the invoice to a person, a wrong one sends a wrong invoice.

Modules: values (amounts, dates), layout (spans -> rows of cells), labels (the words, as data), reader (labels
find values), amounts (totals), vat (VAT breakdown), lines (item lines), parties (seller and buyer blocks),
legalname (the registered name), partyids (identifiers to each party); `read` puts them together.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from jalon.formats.model import Invoice, PrecedingInvoice
from jalon.formats.pdf import PdfText
from jalon.formats.text import labels
from jalon.formats.text.amounts import read_totals
from jalon.formats.text.charges import read_document_charges
from jalon.formats.text.layout import build
from jalon.formats.text.lines import read_lines
from jalon.formats.text.reader import Hints, Reader
from jalon.formats.text.values import ISO_CURRENCIES, find_amounts, fold
from jalon.formats.text.vat import read_rate_rows, read_vat_breakdown
from jalon.formats.text.vatcodes import apply_vat_column

__all__ = ["Hints", "read"]


def read(text: PdfText, hints: Hints | Mapping[str, Any] | None = None) -> Invoice:
    """Read an invoice from PDF text. Never raises on odd text: unknown fields stay empty, confidence 0."""
    from jalon.formats.text.parties import read_parties

    reader = Reader(build(text), Hints.of(hints))
    invoice = Invoice(source="text")
    everything = "\n".join(c.folded for c in reader.cells)
    mentions = {key: pattern.search(everything) for key, pattern in labels.MENTIONS.items()}

    preceding = reader.pick("preceding_invoice", reader.near("preceding_invoice", reader.parse_ident))
    if preceding:
        invoice.preceding_invoices.append(PrecedingInvoice(number=preceding))
    others = ("preceding_invoice", "purchase_order", "customer_code", "buyer_reference", "delivery_date")
    number = reader.near("invoice_number", reader.parse_ident, exclude=others)
    if not number:  # "Numéro | Date | Code client" over their values: the document's own reference strip
        bare = [
            (cell, end, 0.6)
            for cell, end, _ in reader.hits(_BARE_NUMBER)
            if reader.heading_row(cell) and re.search(r"\bdate\b", reader.layout.rows[cell.row].folded)
        ]
        number = reader.near_hits(bare, reader.parse_ident)
    invoice.number = reader.pick("invoice_number", number) or ""
    issue = reader.near(
        "issue_date", reader.parse_date, exclude=("due_date", "delivery_date", "preceding_invoice")
    )
    invoice.issue_date = reader.pick("issue_date", issue)
    due = reader.near("due_date", reader.parse_date, exclude=("delivery_date",))
    invoice.due_date = reader.pick("due_date", due)
    invoice.tax_point_date = None
    delivery = reader.near("delivery_date", reader.parse_date)
    if delivery:
        invoice.delivery.date = reader.pick("delivery_date", delivery)
    if invoice.issue_date is None:
        invoice.issue_date = _fallback_issue_date(reader, {invoice.due_date, invoice.delivery.date})
    # Payment terms ("30 jours fin de mois") are kept as printed; no due date is computed from them: the law
    # asks for the date itself, and a computed date would be jalon's, not the seller's.
    invoice.payment_terms = _payment_terms(reader)
    invoice.purchase_order = reader.pick("purchase_order", reader.near("purchase_order", reader.parse_ident))
    references = reader.near("buyer_reference", reader.parse_reference)
    if not references:
        references = reader.near(
            "customer_reference", _lettered(reader.parse_reference), exclude=("purchase_order",)
        )
    invoice.buyer_reference = reader.pick("buyer_reference", references)
    customer_code = reader.pick("customer_code", reader.near("customer_code", reader.parse_code))

    exempt = _exemption(mentions)
    rate_rows = read_rate_rows(reader)
    totals = read_totals(reader, exempt is not None, rate_rows)
    invoice.totals.tax_exclusive = totals.without_vat if totals.without_vat is not None else Decimal("0")
    invoice.totals.vat_total = totals.vat
    invoice.totals.tax_inclusive = totals.with_vat if totals.with_vat is not None else Decimal("0")
    invoice.totals.payable = totals.payable if totals.payable is not None else invoice.totals.tax_inclusive
    invoice.totals.prepaid = totals.prepaid
    invoice.totals.holdback = totals.holdback
    invoice.lines = read_lines(reader, totals)
    invoice.vat_breakdown = read_vat_breakdown(reader, totals, rate_rows, exempt, invoice.lines)
    apply_vat_column(reader, invoice.lines, invoice.vat_breakdown)
    if totals.negative:
        for line in invoice.lines:
            line.net_amount, line.quantity = abs(line.net_amount), abs(line.quantity)
    line_sum = sum((line.net_amount for line in invoice.lines), Decimal("0"))
    invoice.totals.line_total = line_sum if invoice.lines else invoice.totals.tax_exclusive
    invoice.allowances_charges = read_document_charges(
        reader, invoice.lines, totals.without_vat, invoice.vat_breakdown
    )
    if invoice.allowances_charges:
        allowances = [ac.amount for ac in invoice.allowances_charges if not ac.is_charge]
        charges = [ac.amount for ac in invoice.allowances_charges if ac.is_charge]
        invoice.totals.allowance_total = sum(allowances, Decimal("0")) if allowances else None
        invoice.totals.charge_total = sum(charges, Decimal("0")) if charges else None

    credit = _is_credit_note(reader)
    invoice.type_code = "381" if credit or totals.negative else "380"
    reader.confidence["doc_type"] = 0.95 if credit else (0.8 if totals.negative else 0.9)
    invoice.currency = _currency(reader)

    parties = read_parties(reader)
    invoice.seller, invoice.buyer = parties.seller, parties.buyer
    if customer_code:
        invoice.buyer.identifiers.append(customer_code)
    if parties.delivery is not None:
        invoice.delivery.address = parties.delivery
        if not parties.delivery.is_empty() and parties.delivery.country is None:
            # a delivery address printed without a country is in the buyer's (EN 16931 BR-57 asks for one)
            parties.delivery.country = invoice.buyer.address.country or invoice.seller.address.country
    invoice.payment.iban, invoice.payment.bic = parties.iban, parties.bic
    if invoice.payment.iban:
        invoice.payment.means_code = "58"
    debit = mentions["direct_debit"]
    invoice.payment.direct_debit = debit is not None and not labels.OPTIONAL_MEANS.search(
        everything, debit.end(), debit.end() + 120
    )
    if invoice.payment.direct_debit:
        mandate = reader.pick("mandate_ref", reader.near("mandate_reference", reader.parse_ident))
        if mandate:  # what EN 16931 needs to say "SEPA direct debit" (Peppol R061: a mandate reference)
            invoice.payment.means_code, invoice.payment.mandate_ref = "59", mandate
            invoice.payment.creditor_id = reader.pick(
                "creditor_id", reader.near("creditor_id", reader.parse_ident)
            )

    _mentions(reader, invoice, mentions)
    invoice.confidence = dict(sorted(reader.confidence.items()))
    invoice.reader_warnings = reader.warnings + list(text.warnings)
    return invoice


def _lettered(parse: Callable[[str, Any], str | None]) -> Callable[[str, Any], str | None]:
    def parse_lettered(text: str, cell: Any) -> str | None:
        value = parse(text, cell)
        return value if value and re.search(r"[A-Za-z]", value) else None

    return parse_lettered


_BARE_NUMBER = ((re.compile(r"^(?:numero|number|n\s?[°o]\.?|no\.?)\s*:?$"), 0.6),)
_TERMS_LABEL = re.compile(
    r"\b(?:conditions? de (?:paiement|reglement)|modalites de (?:paiement|reglement)|delai de paiement|"
    r"payment terms?|terms of payment|echeance|paiement|reglement|payable)\b"
)
_TERMS = re.compile(
    r"\b(?P<days>\d{1,3}) ?(?:jours|days|j)\b(?: nets?\b)?(?P<eom> fin de mois| end of month| fdm)?"
    r"|(?P<now>a (?:la )?reception|des reception|comptant|upon receipt|on receipt|immediat|due on receipt)"
)


def _payment_terms(reader: Reader) -> str | None:
    """The payment terms as printed ("30 jours fin de mois", "à réception"), next to their label."""
    for cell in reader.cells:
        label = _TERMS_LABEL.search(cell.folded)
        if label is None:
            continue
        for text, folded in (
            (cell.text[label.end() :], cell.folded[label.end() :]),
            _right_text(reader, cell),
        ):
            if _TERMS.search(folded):
                return _terms_clause(text)
    return None


# What often follows the terms on the same line: the means of payment and the bank details.
_AFTER_TERMS = re.compile(
    r"\s[-–—|•;]\s|\s*[;|•]\s*|\b(?:IBAN|BIC|RIB|SWIFT)\b|\b(?:par|by) (?:virement|transfer|cheque)"
    r"|(?<=[a-z0-9)])\.\s+(?=[A-ZÀ-Ý])",  # the end of the sentence
    re.I,
)


def _terms_clause(text: str) -> str:
    """The terms alone ("à réception", "30 jours fin de mois"), not the IBAN printed after them."""
    for clause in _AFTER_TERMS.split(text):
        if clause and _TERMS.search(fold(clause)):
            return clause.strip(" :,.")
    return text.strip(" :")


def _right_text(reader: Reader, cell) -> tuple[str, str]:
    right = reader.layout.right_of(cell)
    return (right.text, right.folded) if right is not None else ("", "")


def _fallback_issue_date(reader: Reader, others: set[dt.date | None]) -> dt.date | None:
    """No issue-date label: the one date printed at the top of page one (other than the due or delivery date).
    Several different dates there and none labelled: left empty, a person reads it."""
    found: set[dt.date] = set()
    for cell in reader.cells:
        if cell.page != reader.layout.first_page or cell.row > 25:
            break
        value = reader.parse_date(cell.text)
        if value is not None and value not in others:
            found.add(value)
    if len(found) == 1:
        reader.confidence["issue_date"] = 0.45
        return found.pop()
    if found:
        reader.warnings.append("issue_date: several unlabelled dates at the top, left empty")
    return None


def _exemption(mentions: Mapping[str, re.Match[str] | None]) -> tuple[str, str] | None:
    if mentions["reverse_charge"]:
        return "AE", "Reverse charge"
    if mentions["intra_eu_exempt"]:
        return "K", "Intra-community supply"
    if mentions["vat_exempt_franchise"]:
        return "E", "TVA non applicable, art. 293 B du CGI"
    if mentions["export_exempt"]:
        return "G", "Export outside the EU"
    return None


def _is_credit_note(reader: Reader) -> bool:
    for cell in reader.cells:
        if (
            cell.page == reader.layout.first_page
            and cell.row < 40
            and labels.CREDIT_TITLE.search(cell.folded)
        ):
            return True
    return False


def _currency(reader: Reader) -> str:
    if reader.hints.currency:
        reader.confidence["currency"] = 1.0
        return reader.hints.currency
    labelled = reader.near("currency", lambda text, cell: _currency_code(text))
    if labelled:
        value = reader.pick("currency", labelled)
        if value:
            return value
    votes: dict[str, int] = {}
    for cell in reader.cells:
        for amount in find_amounts(cell.text, reader.decimal):
            if amount.currency:
                votes[amount.currency] = votes.get(amount.currency, 0) + 1
        for token in re.findall(r"\b[A-Z]{3}\b", cell.text):
            if (token in ISO_CURRENCIES and token != "EUR") or token == "EUR":
                votes[token] = votes.get(token, 0) + 1
    if votes:
        ranked = sorted(votes.items(), key=lambda item: -item[1])
        top, count = ranked[0]
        second = ranked[1][1] if len(ranked) > 1 else 0
        reader.confidence["currency"] = 0.95 if count >= 2 * second + 1 else 0.5
        return top
    reader.confidence["currency"] = 0.4  # nothing printed: euro, the usual case, but unsure
    return "EUR"


def _currency_code(text: str) -> str | None:
    for token in re.findall(r"[A-Za-z€$£¥]+", text):
        code = token.upper()
        if code in ISO_CURRENCIES:
            return code
        symbol = {"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY"}.get(token)
        if symbol:
            return symbol
    return None


def _mentions(reader: Reader, invoice: Invoice, mentions: Mapping[str, re.Match[str] | None]) -> None:
    def sentence(key: str) -> str | None:
        pattern = labels.MENTIONS[key]
        for cell in reader.cells:
            if pattern.search(cell.folded):
                return cell.text
        return None

    invoice.penalty_rate_text = sentence("penalty_rate")
    invoice.recovery_indemnity_text = sentence("recovery_indemnity")
    invoice.early_payment_discount_text = sentence("early_payment_discount")
    invoice.vat_on_debits = True if mentions["vat_on_debits"] else None
    for cell in reader.cells:
        if labels.OPERATION_LABEL.search(cell.folded):
            rest = cell.folded[labels.OPERATION_LABEL.search(cell.folded).end() :]  # type: ignore[union-attr]
            right = reader.layout.right_of(cell)
            for text in (rest, right.folded if right else ""):
                for pattern, category in labels.OPERATION_CATEGORY:
                    if pattern.search(text):
                        invoice.operation_category = category
                        break
                if invoice.operation_category:
                    break
            break
