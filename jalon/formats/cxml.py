"""Invoice model <-> cXML InvoiceDetailRequest (Coupa, SAP Ariba supplier invoices), and back.

One InvoiceDetailOrder per invoice (the purchase order BT-13), one InvoiceDetailItem per line, VAT as
TaxDetail per rate in the summary. Document allowances and charges are header Modifications (reason code,
reason, VAT category and rate) with their totals: Gross = Subtotal + Tax, Net = BT-112. BT-111 (VAT in the
accounting currency BT-6) is the tax Money's alternateAmount / alternateCurrency; line allowances travel
only inside the line's net amount. Parties are InvoicePartner contacts
(from/remitTo = seller, billTo = buyer) with IdReference domains vatID, siren, siret, gln. The due date
travels as PaymentTerm payInNumberOfDays; notes (French mentions included) as Comments typed by their
subject code. cXML documents carry a DOCTYPE naming the cXML DTD: the reader accepts that one form (never
loaded) and nothing else.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from lxml import etree

from jalon.formats import mentions, xmlsafe
from jalon.formats.model import (
    Address,
    AllowanceCharge,
    Contact,
    Invoice,
    Line,
    Note,
    Party,
    PrecedingInvoice,
    VatBreakdown,
)
from jalon.formats.xmlbuild import element as _sub
from jalon.formats.xmltext import date_iso, decimal, fmt_amount, fmt_decimal, text

CXML_VERSION = "1.2.060"
DOCTYPE = f'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/{CXML_VERSION}/InvoiceDetail.dtd">'
ID_DOMAINS = {"vatID": "vat_id", "siren": "siren", "siret": "siret", "taxID": "tax_registration_id"}


XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _money(parent: etree._Element, tag: str, value: Decimal | None, currency: str) -> None:
    if value is not None:
        _sub(_sub(parent, tag), "Money", fmt_amount(value), currency=currency)


def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00+00:00"


def _partner(parent: etree._Element, role: str, party: Party) -> None:
    partner = _sub(parent, "InvoicePartner")
    contact = _sub(partner, "Contact", role=role)
    _sub(contact, "Name", party.name or "").set(XML_LANG, "fr")
    a = party.address
    if not a.is_empty():
        postal = _sub(contact, "PostalAddress")
        for line in (a.line1, a.line2, a.line3):
            if line:
                _sub(postal, "Street", line)
        _sub(postal, "City", a.city or "")
        if a.subdivision:
            _sub(postal, "State", a.subdivision)
        if a.postcode:
            _sub(postal, "PostalCode", a.postcode)
        _sub(postal, "Country", a.country or "", isoCountryCode=a.country or "")
    if party.contact.email:
        _sub(contact, "Email", party.contact.email)
    if party.contact.phone:
        phone = _sub(_sub(contact, "Phone"), "TelephoneNumber")
        _sub(phone, "Number", party.contact.phone)
    for domain, field in ID_DOMAINS.items():
        if getattr(party, field):
            _sub(partner, "IdReference", identifier=getattr(party, field), domain=domain)
    for ident in party.identifiers:
        domain = "gln" if party.identifier_schemes.get(ident) == "0088" else "supplierReference"
        _sub(partner, "IdReference", identifier=ident, domain=domain)


def write_cxml(inv: Invoice, *, sender_identity: str | None = None, deployment: str = "production") -> bytes:
    """cXML InvoiceDetailRequest bytes (with the cXML DOCTYPE portals expect)."""
    inv = mentions.complete_for_output(inv)
    if inv.issue_date is None:
        raise ValueError("cannot write cXML without an issue date")
    currency = inv.currency
    payload = hashlib.sha256(f"{inv.seller.vat_id}/{inv.number}".encode()).hexdigest()[:24]
    root = etree.Element("cXML", payloadID=f"{payload}@jalon", timestamp=_stamp(inv.issue_date))
    root.set(XML_LANG, "fr-FR")
    header = _sub(root, "Header")
    for tag, party in (("From", inv.seller), ("To", inv.buyer), ("Sender", inv.seller)):
        holder = _sub(header, tag)
        credential = _sub(holder, "Credential", domain="NetworkID")
        _sub(
            credential,
            "Identity",
            sender_identity
            if tag == "Sender" and sender_identity
            else (party.vat_id or party.siren or party.name or "unknown"),
        )
        if tag == "Sender":
            _sub(holder, "UserAgent", "jalon")
    request = _sub(_sub(root, "Request", deploymentMode=deployment), "InvoiceDetailRequest")
    head = _sub(
        request,
        "InvoiceDetailRequestHeader",
        invoiceID=inv.number,
        purpose="creditMemo" if inv.doc_type == "credit_note" else "standard",
        operation="new",
        invoiceDate=_stamp(inv.issue_date),
    )
    _sub(head, "InvoiceDetailHeaderIndicator")
    _sub(head, "InvoiceDetailLineIndicator", isTaxInLine="yes")
    if inv.preceding_invoices:
        _sub(
            head,
            "InvoiceIDInfo",
            invoiceID=inv.preceding_invoices[0].number,
            invoiceDate=_stamp(inv.preceding_invoices[0].issue_date)
            if inv.preceding_invoices[0].issue_date
            else None,
        )
    for role, party in (("remitTo", inv.payee or inv.seller), ("from", inv.seller), ("billTo", inv.buyer)):
        _partner(head, role, party)
    if inv.due_date:
        _sub(head, "PaymentTerm", payInNumberOfDays=str((inv.due_date - inv.issue_date).days))
    if inv.payment_terms:
        _sub(head, "Comments", inv.payment_terms, type="paymentTerms")
    for note in inv.notes:
        _sub(head, "Comments", note.text, type=note.subject_code or "general")
    if inv.buyer_reference:
        _sub(head, "Extrinsic", inv.buyer_reference, name="buyerReference")
    order = _sub(request, "InvoiceDetailOrder")
    info = _sub(order, "InvoiceDetailOrderInfo")
    _sub(_sub(info, "OrderReference", orderID=inv.purchase_order or ""), "DocumentReference", payloadID="")
    for line in inv.lines:
        _item(order, line, currency)
    summary = _sub(request, "InvoiceDetailSummary")
    t = inv.totals
    _money(summary, "SubtotalAmount", t.line_total, currency)
    tax = _sub(summary, "Tax")
    # BT-111, the VAT total in the VAT accounting currency (BT-6): the tax Money's alternate amount and
    # currency, as Coupa and Ariba read amounts in a local currency
    accounting = inv.vat_currency is not None and t.vat_total_accounting is not None
    _sub(
        tax,
        "Money",
        fmt_amount(t.vat_total or sum((b.tax_amount for b in inv.vat_breakdown), Decimal(0))),
        currency=currency,
        alternateAmount=fmt_amount(t.vat_total_accounting) if accounting else None,
        alternateCurrency=inv.vat_currency if accounting else None,
    )
    _sub(tax, "Description", "TVA")
    for bd in inv.vat_breakdown:
        detail = _sub(
            tax,
            "TaxDetail",
            purpose="tax",
            category="vat",
            percentageRate=fmt_decimal(bd.rate) if bd.rate is not None else None,
            exemptDetail=bd.category if bd.category != "S" else None,
        )
        _money(detail, "TaxableAmount", bd.taxable_amount, currency)
        _money(detail, "TaxAmount", bd.tax_amount, currency)
        if bd.exemption_reason:
            _sub(detail, "Description", bd.exemption_reason)
    vat = t.vat_total or sum((b.tax_amount for b in inv.vat_breakdown), Decimal(0))
    # cXML's sums: Gross = Subtotal + Tax; the document's allowances and charges are header modifications,
    # totalled in TotalCharges / TotalAllowances; Net = Gross + charges - allowances (BT-112).
    _money(summary, "GrossAmount", t.line_total + vat, currency)
    _modifications(summary, inv, currency)
    charges = [ac.amount for ac in inv.allowances_charges if ac.is_charge]
    allowances = [ac.amount for ac in inv.allowances_charges if not ac.is_charge]
    total_charges = t.charge_total if t.charge_total is not None else sum(charges) if charges else None
    total_allowances = (
        t.allowance_total if t.allowance_total is not None else sum(allowances) if allowances else None
    )
    _money(summary, "TotalCharges", total_charges, currency)
    _money(summary, "TotalAllowances", total_allowances, currency)
    _money(summary, "NetAmount", t.tax_inclusive, currency)
    _money(summary, "DepositAmount", t.prepaid, currency)
    _money(summary, "DueAmount", t.payable, currency)
    body = etree.tostring(root, encoding="UTF-8", pretty_print=True).decode("utf-8")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{DOCTYPE}\n{body}'.encode()


def _modifications(summary: etree._Element, inv: Invoice, currency: str) -> None:
    """One Modification per document allowance (AdditionalDeduction) or charge (AdditionalCost), named by
    its reason code and described by its reason."""
    if not inv.allowances_charges:
        return
    holder = _sub(summary, "InvoiceHeaderModifications")
    for ac in inv.allowances_charges:
        modification = _sub(holder, "Modification")
        if ac.is_charge:
            _money(modification, "AdditionalCost", ac.amount, currency)
        else:
            _money(_sub(modification, "AdditionalDeduction"), "DeductionAmount", ac.amount, currency)
        name = ac.reason_code or ("Charge" if ac.is_charge else "Allowance")
        detail = _sub(modification, "ModificationDetail", name=name)
        if ac.reason:
            _sub(detail, "Description", ac.reason).set(XML_LANG, "fr")
        if ac.vat_category or ac.vat_rate is not None:
            _sub(detail, "Extrinsic", ac.vat_category or "", name="vatCategory")
            _sub(
                detail,
                "Extrinsic",
                fmt_decimal(ac.vat_rate) if ac.vat_rate is not None else "",
                name="vatRate",
            )


def _read_modifications(summary: etree._Element | None) -> list[AllowanceCharge]:
    found = []
    for modification in (
        summary.findall("InvoiceHeaderModifications/Modification") if summary is not None else []
    ):
        charge = modification.find("AdditionalCost") is not None
        amount = _money_of(
            modification, "AdditionalCost/Money" if charge else "AdditionalDeduction/DeductionAmount/Money"
        )
        detail = modification.find("ModificationDetail")
        name = detail.get("name") if detail is not None else None
        extrinsic = (
            {e.get("name"): text(e) for e in detail.findall("Extrinsic")} if detail is not None else {}
        )
        found.append(
            AllowanceCharge(
                is_charge=charge,
                amount=amount or Decimal(0),
                reason=text(detail.find("Description")) if detail is not None else None,
                reason_code=None if name in ("Charge", "Allowance") else name,
                vat_category=extrinsic.get("vatCategory") or None,
                vat_rate=decimal(extrinsic.get("vatRate")),
            )
        )
    return found


def _item(order: etree._Element, line: Line, currency: str) -> None:
    item = _sub(order, "InvoiceDetailItem", invoiceLineNumber=line.id, quantity=fmt_decimal(line.quantity))
    _sub(item, "UnitOfMeasure", line.unit or "C62")
    _sub(_sub(item, "UnitPrice"), "Money", fmt_decimal(line.net_price), currency=currency)
    reference = _sub(item, "InvoiceDetailItemReference", lineNumber=line.order_line_ref or line.id)
    if line.seller_item_id or line.buyer_item_id:
        ids = _sub(reference, "ItemID")
        _sub(ids, "SupplierPartID", line.seller_item_id or "")
        if line.buyer_item_id:
            _sub(ids, "BuyerPartID", line.buyer_item_id)
    description = _sub(reference, "Description", line.description or line.name)
    description.set(XML_LANG, "fr")
    if line.description:
        _sub(description, "ShortName", line.name)
    _money(item, "SubtotalAmount", line.net_amount, currency)
    tax = _sub(item, "Tax")
    rate = line.vat_rate or Decimal(0)
    _sub(
        tax, "Money", fmt_amount((line.net_amount * rate / 100).quantize(Decimal("0.01"))), currency=currency
    )
    _sub(tax, "Description", "TVA")
    _sub(
        tax,
        "TaxDetail",
        category="vat",
        percentageRate=fmt_decimal(rate),
        exemptDetail=line.vat_category if line.vat_category not in (None, "S") else None,
    )


# --- reading ---------------------------------------------------------------------------------------------


def _money_of(element: etree._Element | None, path: str) -> Decimal | None:
    return (
        decimal(text(element.find(path))) if element is not None and element.find(path) is not None else None
    )


def _read_partner(partner: etree._Element) -> Party:
    contact = partner.find("Contact")
    party = Party(name=text(contact.find("Name")) if contact is not None else None)
    if contact is not None:
        postal = contact.find("PostalAddress")
        if postal is not None:
            streets = [text(s) for s in postal.findall("Street")]
            country = postal.find("Country")
            party.address = Address(
                line1=streets[0] if streets else None,
                line2=streets[1] if len(streets) > 1 else None,
                line3=streets[2] if len(streets) > 2 else None,
                city=text(postal.find("City")),
                subdivision=text(postal.find("State")),
                postcode=text(postal.find("PostalCode")),
                country=None if country is None else country.get("isoCountryCode") or text(country),
            )
        party.contact = Contact(
            email=text(contact.find("Email")), phone=text(contact.find("Phone/TelephoneNumber/Number"))
        )
    for ref in partner.findall("IdReference"):
        domain, ident = ref.get("domain"), ref.get("identifier")
        if domain in ID_DOMAINS:
            setattr(party, ID_DOMAINS[domain], ident)
        elif ident:
            party.identifiers.append(ident)
            if domain == "gln":
                party.identifier_schemes[ident] = "0088"
    return party


def read_cxml(xml: bytes | etree._Element) -> Invoice:
    """A cXML InvoiceDetailRequest -> model; ValueError for anything else."""
    root = xmlsafe.parse(xml, allow_doctype_system=True) if isinstance(xml, bytes | bytearray) else xml
    request = root.find("Request/InvoiceDetailRequest")
    head = None if request is None else request.find("InvoiceDetailRequestHeader")
    if head is None:
        raise ValueError("not a cXML InvoiceDetailRequest")
    issue = date_iso(head.get("invoiceDate"))
    inv = Invoice(source="xml", profile="CXML", number=head.get("invoiceID") or "", issue_date=issue)
    inv.type_code = "381" if head.get("purpose") == "creditMemo" else "380"
    previous = head.find("InvoiceIDInfo")
    if previous is not None:
        inv.preceding_invoices.append(
            PrecedingInvoice(previous.get("invoiceID") or "", date_iso(previous.get("invoiceDate")))
        )
    remit = None
    for partner in head.findall("InvoicePartner"):
        role = partner.find("Contact").get("role") if partner.find("Contact") is not None else None
        if role == "from":
            inv.seller = _read_partner(partner)
        elif role == "billTo":
            inv.buyer = _read_partner(partner)
        elif role == "remitTo":
            remit = _read_partner(partner)
    if remit is not None and remit != inv.seller:
        inv.payee = remit  # remitTo differs from the seller only when a payee (BG-10) is named
    term = head.find("PaymentTerm")
    if term is not None and issue is not None and term.get("payInNumberOfDays"):
        inv.due_date = issue + dt.timedelta(days=int(term.get("payInNumberOfDays")))
    for comment in head.findall("Comments"):
        kind = comment.get("type")
        if kind == "paymentTerms":
            inv.payment_terms = text(comment)
        elif text(comment):
            inv.notes.append(Note(text=text(comment) or "", subject_code=None if kind == "general" else kind))
    for extrinsic in head.findall("Extrinsic"):
        if extrinsic.get("name") == "buyerReference":
            inv.buyer_reference = text(extrinsic)
    order = request.find("InvoiceDetailOrder/InvoiceDetailOrderInfo/OrderReference")
    inv.purchase_order = (order.get("orderID") or None) if order is not None else None
    for item in request.findall("InvoiceDetailOrder/InvoiceDetailItem"):
        inv.lines.append(_read_item(item))
    summary = request.find("InvoiceDetailSummary")
    money = summary.find("SubtotalAmount/Money") if summary is not None else None
    if money is not None:
        inv.currency = money.get("currency") or inv.currency
    t = inv.totals
    t.line_total = _money_of(summary, "SubtotalAmount/Money") or Decimal(0)
    t.vat_total = _money_of(summary, "Tax/Money")
    tax_money = summary.find("Tax/Money") if summary is not None else None
    if tax_money is not None and tax_money.get("alternateCurrency") and tax_money.get("alternateAmount"):
        inv.vat_currency = tax_money.get("alternateCurrency")
        t.vat_total_accounting = decimal(tax_money.get("alternateAmount"))
    # BT-112 is NetAmount (Gross + charges - allowances); cXML from other tools may only give GrossAmount
    t.tax_inclusive = (
        _money_of(summary, "NetAmount/Money") or _money_of(summary, "GrossAmount/Money") or Decimal(0)
    )
    inv.allowances_charges = _read_modifications(summary)
    t.payable = _money_of(summary, "DueAmount/Money") or t.tax_inclusive
    t.charge_total = _money_of(summary, "TotalCharges/Money")
    t.allowance_total = _money_of(summary, "TotalAllowances/Money")
    t.prepaid = _money_of(summary, "DepositAmount/Money")
    t.tax_exclusive = t.tax_inclusive - (t.vat_total or Decimal(0))
    for detail in summary.findall("Tax/TaxDetail") if summary is not None else []:
        inv.vat_breakdown.append(
            VatBreakdown(
                category=detail.get("exemptDetail") or "S",
                rate=decimal(detail.get("percentageRate")),
                taxable_amount=_money_of(detail, "TaxableAmount/Money") or Decimal(0),
                tax_amount=_money_of(detail, "TaxAmount/Money") or Decimal(0),
                exemption_reason=text(detail.find("Description")),
            )
        )
    mentions.fill_from_codes(inv)
    return inv


def _read_item(item: etree._Element) -> Line:
    reference = item.find("InvoiceDetailItemReference")
    description = reference.find("Description") if reference is not None else None
    short = description.find("ShortName") if description is not None else None
    detail = item.find("Tax/TaxDetail")
    line = Line(
        id=item.get("invoiceLineNumber") or "",
        quantity=decimal(item.get("quantity")) or Decimal(0),
        unit=text(item.find("UnitOfMeasure")),
        net_price=_money_of(item, "UnitPrice/Money") or Decimal(0),
        net_amount=_money_of(item, "SubtotalAmount/Money") or Decimal(0),
        vat_category=(detail.get("exemptDetail") or "S") if detail is not None else None,
        vat_rate=decimal(detail.get("percentageRate")) if detail is not None else None,
    )
    if description is not None:
        own = (description.text or "").strip() or None
        line.name, line.description = (text(short) or "", own) if short is not None else (own or "", None)
    if reference is not None:
        line.seller_item_id = text(reference.find("ItemID/SupplierPartID"))
        line.buyer_item_id = text(reference.find("ItemID/BuyerPartID"))
        if reference.get("lineNumber") and reference.get("lineNumber") != line.id:
            line.order_line_ref = reference.get("lineNumber")
    return line
