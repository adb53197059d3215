"""Read one invoice from what a billing tool sent: the most reliable reader that works wins.

Order: XML embedded in the PDF (Factur-X / ZUGFeRD / XRechnung CII, or UBL) -> a CII or UBL XML file sent
beside the PDF -> the PDF's text -> nothing. `read_invoice` never raises: bad bytes give a `ReadResult`
without an invoice and with an `error` a person understands ("encrypted PDF", "unreadable: image-only PDF
(scan)", "hostile XML: …"). `to_json` is the `jalon extract --json` view of the model.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from jalon.formats import xmlsafe
from jalon.formats.model import Invoice

_ROOT = re.compile(rb"<(?:[\w.-]+:)?(CrossIndustryInvoice|CrossIndustryDocument|Invoice|CreditNote)[\s>/]")
NOT_FOUND = (
    0.3  # text confidence below this: the reader found nothing it could keep (0.0 none, 0.2 ambiguous)
)
# The fields a reader fills and is rated on: each carries a confidence (an XML reader's is 1.0), and the
# reader's accuracy tests and their data generators compare exactly these keys of `to_json`.
READ_FIELDS = (
    "doc_type",
    "invoice_number",
    "issue_date",
    "due_date",
    "currency",
    "seller_name",
    "seller_siren",
    "seller_siret",
    "seller_vat",
    "buyer_name",
    "buyer_siren",
    "buyer_vat",
    "purchase_order",
    "buyer_reference",
    "total_without_vat",
    "total_vat",
    "total_with_vat",
    "vat_breakdown",
)


@dataclass
class ReadResult:
    """What reading produced: an invoice (or None), which reader, why it failed, and the XML found."""

    invoice: Invoice | None
    source: str = "none"  # facturx | xml | text | none
    error: str | None = None
    xml: bytes | None = None
    xml_name: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.invoice is not None


def xml_kind(data: bytes) -> str | None:
    """cii | ubl | None, from the root element name, without parsing (the XML may be hostile): skips the XML
    declaration, comments (German samples open with pages of licence text), processing instructions,
    DOCTYPE."""
    position = 0
    head = data[:262_144]
    codec = xmlsafe.wide_codec(head)
    if codec:  # UTF-16/32, as some ERPs write it: looked at as UTF-8 (the parse reads the original)
        head = (
            head[: len(head) // 4 * 4].decode(codec, errors="replace").encode("utf-8").lstrip(b"\xef\xbb\xbf")
        )
    if head.startswith(b"\xef\xbb\xbf"):
        position = 3
    for _ in range(64):
        while position < len(head) and head[position : position + 1] in b" \t\r\n":
            position += 1
        if head.startswith(b"<!DOCTYPE", position) or head.startswith(b"<!doctype", position):
            # a DTD (maybe an internal subset full of entities): find the root after it; the parse refuses it
            match = _ROOT.search(head, position)
            return (
                None if match is None else ("cii" if match.group(1).startswith(b"CrossIndustry") else "ubl")
            )
        for opener, closer in ((b"<?", b"?>"), (b"<!--", b"-->"), (b"<!", b">")):
            if head.startswith(opener, position):
                end = head.find(closer, position)
                if end < 0:
                    return None
                position = end + len(closer)
                break
        else:
            break
    match = _ROOT.match(head, position)
    if match is None:
        return None
    return "cii" if match.group(1).startswith(b"CrossIndustry") else "ubl"


def read_xml(data: bytes, source: str, name: str | None = None) -> ReadResult:
    """One CII or UBL document -> ReadResult. Hostile XML (entities, DTDs) is refused, never expanded."""
    kind = xml_kind(data)
    if kind is None:
        return ReadResult(None, "none", "not an invoice XML (neither CII nor UBL)", xml=data, xml_name=name)
    try:
        if kind == "cii":
            from jalon.formats.cii import read_cii as reader
        else:
            from jalon.formats.ubl import read_ubl as reader
    except ImportError as error:  # the XML readers are not installed in this build
        return ReadResult(None, "none", f"XML reader unavailable: {error}", xml=data, xml_name=name)
    try:
        root = xmlsafe.parse(data)
        invoice = reader(root)
    except xmlsafe.HostileXML as error:
        return ReadResult(None, "none", f"hostile XML: {error}", xml=data, xml_name=name)
    except Exception as error:  # a broken XML is a reason to hold, never a crash
        return ReadResult(
            None, "none", f"malformed XML: {type(error).__name__}: {error}"[:300], xml=data, xml_name=name
        )
    invoice.reader_warnings.extend(f"{ABSENT} {term}" for term in absent_terms(root, kind))
    invoice.source = source
    _normalise_ids(invoice)
    for key in READ_FIELDS:
        invoice.confidence.setdefault(key, 1.0)
    return ReadResult(invoice, source, None, xml=data, xml_name=name)


def _normalise_ids(invoice: Invoice) -> None:
    """A SIRET written where the SIREN goes (scheme 0002 with 14 digits, seen in FNFE samples): keep both."""
    for party in (invoice.seller, invoice.buyer):
        value = (party.siren or "").replace(" ", "")
        if len(value) == 14 and value.isdigit():
            party.siret = party.siret or value
            party.siren = value[:9]


ABSENT = (
    "absent:"  # reader_warnings prefix for mandatory elements the XML lacks (the model cannot show absence)
)
# Mandatory business terms whose absence the model cannot express (its amounts default to zero), as
# ElementPath per syntax (namespaced: fast). Lines and breakdowns are checked each ("every line has …").
_RSM = "{urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}"
_RAM = "{urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100}"
_CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
_CAC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}"
_SETTLEMENT = f"{_RSM}SupplyChainTradeTransaction/{_RAM}ApplicableHeaderTradeSettlement"
_SUMS = f"{_SETTLEMENT}/{_RAM}SpecifiedTradeSettlementHeaderMonetarySummation"
_PRESENCE = {
    "cii": (
        ("BT-3", f"{_RSM}ExchangedDocument/{_RAM}TypeCode"),
        ("BT-5", f"{_SETTLEMENT}/{_RAM}InvoiceCurrencyCode"),
        ("BT-106", f"{_SUMS}/{_RAM}LineTotalAmount"),
        ("BT-109", f"{_SUMS}/{_RAM}TaxBasisTotalAmount"),
        ("BT-112", f"{_SUMS}/{_RAM}GrandTotalAmount"),
        ("BT-115", f"{_SUMS}/{_RAM}DuePayableAmount"),
    ),
    "ubl": (
        ("BT-3", f"{_CBC}InvoiceTypeCode|{_CBC}CreditNoteTypeCode"),
        ("BT-5", f"{_CBC}DocumentCurrencyCode"),
        ("BT-106", f"{_CAC}LegalMonetaryTotal/{_CBC}LineExtensionAmount"),
        ("BT-109", f"{_CAC}LegalMonetaryTotal/{_CBC}TaxExclusiveAmount"),
        ("BT-112", f"{_CAC}LegalMonetaryTotal/{_CBC}TaxInclusiveAmount"),
        ("BT-115", f"{_CAC}LegalMonetaryTotal/{_CBC}PayableAmount"),
    ),
}
_EACH = {
    "cii": (
        f"{_RSM}SupplyChainTradeTransaction/{_RAM}IncludedSupplyChainTradeLineItem",
        (
            ("BT-129", f"{_RAM}SpecifiedLineTradeDelivery/{_RAM}BilledQuantity"),
            (
                "BT-131",
                f"{_RAM}SpecifiedLineTradeSettlement/{_RAM}SpecifiedTradeSettlementLineMonetarySummation/{_RAM}LineTotalAmount",
            ),
            (
                "BT-146",
                f"{_RAM}SpecifiedLineTradeAgreement/{_RAM}NetPriceProductTradePrice/{_RAM}ChargeAmount",
            ),
        ),
        f"{_SETTLEMENT}/{_RAM}ApplicableTradeTax",
        (("BT-116", f"{_RAM}BasisAmount"), ("BT-117", f"{_RAM}CalculatedAmount")),
    ),
    "ubl": (
        f"{_CAC}InvoiceLine|{_CAC}CreditNoteLine",
        (
            ("BT-129", f"{_CBC}InvoicedQuantity|{_CBC}CreditedQuantity"),
            ("BT-131", f"{_CBC}LineExtensionAmount"),
            ("BT-146", f"{_CAC}Price/{_CBC}PriceAmount"),
        ),
        f"{_CAC}TaxTotal/{_CAC}TaxSubtotal",
        (("BT-116", f"{_CBC}TaxableAmount"), ("BT-117", f"{_CBC}TaxAmount")),
    ),
}


def _find(element: Any, paths: str) -> bool:
    return any(element.find(path) is not None for path in paths.split("|"))


def _findall(element: Any, paths: str) -> list[Any]:
    return [found for path in paths.split("|") for found in element.iterfind(path)]


def absent_terms(root: Any, kind: str) -> list[str]:
    """Mandatory business terms missing from the XML tree (BR-04, BR-05, BR-12..15, BR-22/24/26, BR-45/46)."""
    if kind not in _PRESENCE or etree_localname(root) == "CrossIndustryDocument":
        return []
    missing = [term for term, path in _PRESENCE[kind] if not _find(root, path)]
    lines_path, line_terms, tax_path, tax_terms = _EACH[kind]
    for path, terms in ((lines_path, line_terms), (tax_path, tax_terms)):
        for element in _findall(root, path):
            for term, sub in terms:
                if term not in missing and not _find(element, sub):
                    missing.append(term)
    return missing


def etree_localname(root: Any) -> str:
    tag = root.tag if isinstance(root.tag, str) else ""
    return tag.rsplit("}", 1)[-1]


def read_invoice(
    pdf: bytes, attachments: Sequence[tuple[str, bytes]] = (), hints: Mapping[str, Any] | None = None
) -> ReadResult:
    """The invoice in `pdf` (and the files sent with it), by the most reliable reader that works."""
    try:
        return _read(pdf or b"", attachments, hints)
    except Exception as error:  # last line of defence: the gateway keeps running whatever the bytes
        return ReadResult(None, "none", f"reader error: {type(error).__name__}: {error}"[:300])


def _read(
    pdf: bytes, attachments: Sequence[tuple[str, bytes]], hints: Mapping[str, Any] | None
) -> ReadResult:
    warnings: list[str] = []
    if xml_kind(pdf) is not None:  # an XML invoice sent as the main document
        return read_xml(pdf, "xml", None)
    candidates = [(name, data, "facturx") for name, data in _embedded(pdf, warnings)] if pdf else []
    candidates += [(name, data, "xml") for name, data in attachments]
    for name, data, source in candidates:
        if xml_kind(data) is None:
            if source == "facturx" and _looks_like_invoice_xml(name):
                warnings.append(f"embedded {name}: not a CII or UBL invoice XML")
            continue
        result = read_xml(data, source, name)
        if result.ok or (result.error or "").startswith("hostile XML"):
            result.warnings[:0] = warnings
            return result
        warnings.append(f"{'embedded' if source == 'facturx' else 'attached'} {name}: {result.error}")
    if not pdf:
        return ReadResult(None, "none", "no PDF and no invoice XML", warnings=warnings)
    return _read_text(pdf, hints, warnings)


def _looks_like_invoice_xml(name: str) -> bool:
    from jalon.formats.facturx import KNOWN_NAMES

    return name.lower().rsplit("/", 1)[-1] in KNOWN_NAMES


def _embedded(pdf: bytes, warnings: list[str]) -> list[tuple[str, bytes]]:
    """The XML files embedded in the PDF, the standard names (factur-x.xml, xrechnung.xml…) first. Each goes
    through read_xml, which parses it once with xmlsafe (hostile XML refused there)."""
    try:
        from jalon.formats.facturx import KNOWN_NAMES, xml_attachments
    except ImportError:
        return []
    try:
        found = xml_attachments(pdf)
    except Exception as error:  # a PDF the attachment reader cannot walk is read as text (or refused there)
        warnings.append(f"embedded files not readable: {type(error).__name__}: {error}"[:200])
        return []

    def rank(item: tuple[str, bytes]) -> int:
        name = item[0].lower().rsplit("/", 1)[-1]
        return KNOWN_NAMES.index(name) if name in KNOWN_NAMES else len(KNOWN_NAMES)

    return sorted(found, key=rank)


def _read_text(pdf: bytes, hints: Mapping[str, Any] | None, warnings: list[str]) -> ReadResult:
    from jalon.formats import text
    from jalon.formats.pdf import PdfError, read_text

    try:
        content = read_text(pdf)
    except PdfError as error:
        return ReadResult(None, "none", error.reason, warnings=warnings)
    invoice = text.read(content, hints)
    invoice.reader_warnings[:0] = warnings
    return ReadResult(invoice, "text", None, warnings=warnings)


# --- JSON view ----------------------------------------------------------------------------------------------


def _number(value: Decimal | None, positive: bool) -> float | int | None:
    if value is None:
        return None
    value = abs(value) if positive else value
    return (
        int(value) if value == value.to_integral_value() and value.as_tuple().exponent >= 0 else float(value)
    )


def _address_json(address: Any) -> dict[str, str | None]:
    return {
        "line1": address.line1,
        "line2": address.line2,
        "line3": address.line3,
        "postcode": address.postcode,
        "city": address.city,
        "country": address.country,
    }


def to_json(invoice: Invoice) -> dict[str, Any]:
    """The `jalon extract --json` fields: identifiers as strings, dates ISO, amounts as numbers (a credit
    note's amounts positive, its doc_type credit_note), the VAT breakdown, the reader used, per-field
    confidence."""
    credit = invoice.doc_type == "credit_note"
    totals = invoice.totals
    seller, buyer = invoice.seller, invoice.buyer
    vat_total = totals.vat_total
    if vat_total is None and invoice.vat_breakdown:
        vat_total = sum((b.tax_amount for b in invoice.vat_breakdown), Decimal("0"))
    text_source = invoice.source == "text"

    def unread(name: str) -> bool:
        """A total the text reader did not find, or found twice differently and left empty (the model's
        amounts cannot be empty: they read zero)."""
        return text_source and invoice.confidence.get(name, 1.0) < NOT_FOUND

    return (
        {
            "doc_type": invoice.doc_type,
            "type_code": invoice.type_code,
            "invoice_number": invoice.number or None,
            "issue_date": invoice.issue_date.isoformat() if invoice.issue_date else None,
            "due_date": invoice.due_date.isoformat() if invoice.due_date else None,
            "currency": invoice.currency or None,
            "seller_name": seller.name,
            "seller_siren": seller.siren,
            "seller_siret": seller.siret,
            "seller_vat": seller.vat_id,
            "buyer_name": buyer.name,
            "buyer_siren": buyer.siren,
            "buyer_siret": buyer.siret,
            "buyer_vat": buyer.vat_id,
            "purchase_order": invoice.purchase_order,
            "buyer_reference": invoice.buyer_reference,
            "customer_code": buyer.identifiers[0] if buyer.identifiers else None,
            "total_without_vat": None
            if unread("total_without_vat")
            else _number(totals.tax_exclusive, credit),
            "total_vat": _number(vat_total, credit),
            "total_with_vat": None if unread("total_with_vat") else _number(totals.tax_inclusive, credit),
            "amount_due": _number(totals.payable, credit),
            "vat_breakdown": [
                {
                    "rate": _number(b.rate, False),
                    "base": _number(b.taxable_amount, credit),
                    "amount": _number(b.tax_amount, credit),
                    "category": b.category,
                }
                for b in invoice.vat_breakdown
            ],
            "preceding_invoices": [p.number for p in invoice.preceding_invoices],
            "seller_country": seller.address.country,
            "buyer_country": buyer.address.country,
            "seller_address": _address_json(seller.address),
            "buyer_address": _address_json(buyer.address),
            "iban": invoice.payment.iban,
            "lines": len(invoice.lines),
            "line_items": [
                {
                    "id": line.id or None,
                    "seller_item_id": line.seller_item_id,
                    "name": line.name or None,
                    "quantity": _number(line.quantity, credit),
                    "unit_price": _number(line.net_price, False),
                    "amount": _number(line.net_amount, credit),
                    "vat_rate": _number(line.vat_rate, False),
                }
                for line in invoice.lines
            ],
            "source": invoice.source,
            "profile": invoice.profile,
            "confidence": {key: round(value, 2) for key, value in sorted(invoice.confidence.items())},
            "warnings": list(invoice.reader_warnings),
        }
        | ({"holdback": _number(totals.holdback, credit)} if totals.holdback else {})
        | ({"direct_debit": True} if invoice.payment.debited else {})
    )


def result_json(result: ReadResult) -> dict[str, Any]:
    """to_json for a read that may have failed: `source` none and `error` set when nothing was read."""
    if result.invoice is None:
        return {"source": "none", "error": result.error, "warnings": result.warnings}
    data = to_json(result.invoice)
    data["source"] = result.source
    if result.xml_name:
        data["xml_name"] = result.xml_name
    return data
