"""Invoice model <-> GS1 XML invoice (GS1 Business Message Standard 3.x `invoice:invoiceMessage`).

A StandardBusinessDocumentHeader (sender and receiver GLNs), then one `invoice` with its identification,
type (INVOICE / CREDIT_NOTE), currency, parties (GLN, additionalPartyIdentification for SIREN/SIRET/other
ids, organisation name, address, VAT registration), purchase order, payment terms, totals with one
taxSubtotal per VAT rate, the document allowances and charges (invoiceAllowanceCharge with their VAT), and
the lines. The GS1 XSD is not available here: validation is structural.
"""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from jalon.formats import mentions, xmlsafe
from jalon.formats.model import (
    Address,
    AllowanceCharge,
    Invoice,
    Line,
    Note,
    Party,
    PrecedingInvoice,
    VatBreakdown,
)
from jalon.formats.xmlbuild import element as _sub
from jalon.formats.xmltext import date_iso, decimal, fmt_amount, fmt_decimal, text

INVOICE_NS = "urn:gs1:ecom:invoice:xsd:3"
SH_NS = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"
# additionalPartyIdentification type codes used for the French identifiers
PARTY_ID_TYPES = {"SIREN": "siren", "SIRET": "siret", "TAX_NUMBER": "tax_registration_id"}


def _gln(party: Party) -> str | None:
    return next((i for i in party.identifiers if party.identifier_schemes.get(i) == "0088"), None)


def _party(parent: etree._Element, tag: str, party: Party) -> None:
    el = _sub(parent, tag)
    gln = _gln(party)
    if gln:
        _sub(el, "gln", gln)
    for code, field in PARTY_ID_TYPES.items():
        if getattr(party, field):
            _sub(
                el,
                "additionalPartyIdentification",
                getattr(party, field),
                additionalPartyIdentificationTypeCode=code,
            )
    for ident in party.identifiers:
        if ident != gln:
            _sub(
                el,
                "additionalPartyIdentification",
                ident,
                additionalPartyIdentificationTypeCode="BUYER_ASSIGNED_IDENTIFIER_FOR_A_PARTY",
            )
    a = party.address
    address = _sub(el, "address")
    _sub(address, "city", a.city or "")
    _sub(address, "countryCode", a.country or "")
    _sub(address, "name", party.name or "")
    if a.postcode:
        _sub(address, "postalCode", a.postcode)
    if a.subdivision:
        _sub(address, "state", a.subdivision)
    for tag, line in zip(
        ("streetAddressOne", "streetAddressTwo", "streetAddressThree"),
        (a.line1, a.line2, a.line3),
        strict=True,
    ):
        if line:
            _sub(address, tag, line)
    if party.contact.email or party.contact.phone or party.contact.name:
        contact = _sub(el, "contact")
        _sub(contact, "contactTypeCode", "BJ")
        if party.contact.name:
            _sub(contact, "personName", party.contact.name)
        channels = ((party.contact.email, "EMAIL"), (party.contact.phone, "TELEPHONE"))
        for value, kind in channels:
            if value:
                channel = _sub(contact, "communicationChannel")
                _sub(channel, "communicationChannelCode", kind)
                _sub(channel, "communicationValue", value)
    if party.vat_id:
        _sub(_sub(el, "dutyFeeTaxRegistration"), "dutyFeeTaxRegistrationID", party.vat_id)
    _sub(_sub(el, "organisationDetails"), "organisationName", party.name or "")


def write_gs1(inv: Invoice, *, sender_gln: str | None = None, receiver_gln: str | None = None) -> bytes:
    """GS1 XML invoiceMessage bytes."""
    inv = mentions.complete_for_output(inv)
    if inv.issue_date is None:
        raise ValueError("cannot write a GS1 invoice without an issue date")
    cur = inv.currency
    root = etree.Element(f"{{{INVOICE_NS}}}invoiceMessage", nsmap={"invoice": INVOICE_NS, "sh": SH_NS})
    header = etree.SubElement(root, f"{{{SH_NS}}}StandardBusinessDocumentHeader")
    etree.SubElement(header, f"{{{SH_NS}}}HeaderVersion").text = "1.0"
    for tag, gln in (
        ("Sender", sender_gln or _gln(inv.seller)),
        ("Receiver", receiver_gln or _gln(inv.buyer)),
    ):
        holder = etree.SubElement(header, f"{{{SH_NS}}}{tag}")
        etree.SubElement(holder, f"{{{SH_NS}}}Identifier", Authority="GS1").text = gln or "0000000000000"
    ident = etree.SubElement(header, f"{{{SH_NS}}}DocumentIdentification")
    for tag, value in (
        ("Standard", "GS1"),
        ("TypeVersion", "3.4"),
        ("InstanceIdentifier", inv.number),
        ("Type", "Invoice"),
        ("CreationDateAndTime", f"{inv.issue_date.isoformat()}T00:00:00"),
    ):
        etree.SubElement(ident, f"{{{SH_NS}}}{tag}").text = value
    body = _sub(root, "invoice")
    _sub(body, "creationDateTime", f"{inv.issue_date.isoformat()}T00:00:00")
    _sub(body, "documentStatusCode", "ORIGINAL")
    _sub(_sub(body, "invoiceIdentification"), "entityIdentification", inv.number)
    _sub(body, "invoiceType", "CREDIT_NOTE" if inv.doc_type == "credit_note" else "INVOICE")
    _sub(body, "invoiceCurrencyCode", cur)
    for note in inv.notes:
        _sub(body, "note", note.text, languageCode="fr", noteTypeCode=note.subject_code)
    _party(body, "buyer", inv.buyer)
    _party(body, "seller", inv.seller)
    if inv.payee is not None:
        _party(body, "payee", inv.payee)
    t = inv.totals
    totals = _sub(body, "invoiceTotals")
    for tag, value in (
        ("totalInvoiceAmount", t.tax_inclusive),
        ("totalAmountInvoiceAllowancesCharges", t.line_total),
        ("totalEconomicValue", t.tax_exclusive),
        ("totalTaxAmount", t.vat_total),
        ("totalInvoiceAmountPayable", t.payable),
        ("prepaidAmount", t.prepaid),
        ("totalAllowances", t.allowance_total),
        ("totalCharges", t.charge_total),
    ):
        if value is not None:
            _sub(totals, tag, fmt_amount(value), currencyCode=cur)
    for bd in inv.vat_breakdown:
        sub = _sub(totals, "taxSubtotal")
        _sub(sub, "dutyFeeTaxAmount", fmt_amount(bd.tax_amount), currencyCode=cur)
        _sub(sub, "dutyFeeTaxBasisAmount", fmt_amount(bd.taxable_amount), currencyCode=cur)
        _sub(sub, "dutyFeeTaxCategoryCode", bd.category)
        if bd.rate is not None:
            _sub(sub, "dutyFeeTaxPercentage", fmt_decimal(bd.rate))
        _sub(sub, "dutyFeeTaxTypeCode", "VALUE_ADDED_TAX")
        if bd.exemption_reason:
            _sub(sub, "dutyFeeTaxExemptionDescription", bd.exemption_reason)
    for ac in inv.allowances_charges:
        _allowance_charge(body, ac, cur)
    for line in inv.lines:
        _line(body, line, cur)
    if inv.purchase_order:
        _sub(_sub(body, "purchaseOrder"), "entityIdentification", inv.purchase_order)
    for preceding in inv.preceding_invoices:
        ref = _sub(body, "originalInvoice")
        _sub(ref, "entityIdentification", preceding.number)
        if preceding.issue_date:
            _sub(ref, "creationDateTime", f"{preceding.issue_date.isoformat()}T00:00:00")
    if inv.due_date or inv.payment_terms:
        terms = _sub(body, "paymentTerms")
        _sub(terms, "paymentTermsTypeCode", "BASIC_NET")
        if inv.payment_terms:
            _sub(terms, "paymentTermsDescription", inv.payment_terms)
        if inv.due_date:
            _sub(_sub(terms, "paymentTimePeriod"), "timePeriodDue", inv.due_date.isoformat())
    if inv.buyer_reference:
        _sub(_sub(body, "buyerReference"), "entityIdentification", inv.buyer_reference)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _allowance_charge(body: etree._Element, ac: AllowanceCharge, cur: str) -> None:
    """A document allowance or charge (BG-20, BG-21) as an invoiceAllowanceCharge with its VAT."""
    holder = _sub(body, "invoiceAllowanceCharge")
    _sub(holder, "allowanceChargeType", "CHARGE_GLOBAL" if ac.is_charge else "ALLOWANCE_GLOBAL")
    _sub(holder, "allowanceOrChargeType", "CHARGE" if ac.is_charge else "ALLOWANCE")
    _sub(holder, "allowanceChargeAmount", fmt_amount(ac.amount), currencyCode=cur)
    if ac.percent is not None:
        _sub(holder, "allowanceChargePercentage", fmt_decimal(ac.percent))
    if ac.base_amount is not None:
        _sub(holder, "baseAmount", fmt_amount(ac.base_amount), currencyCode=cur)
    if ac.reason_code:
        _sub(holder, "allowanceChargeReasonCode", ac.reason_code)
    if ac.reason:
        _sub(holder, "allowanceChargeDescription", ac.reason, languageCode="fr")
    if ac.vat_category or ac.vat_rate is not None:
        tax = _sub(holder, "leviedDutyFeeTax")
        if ac.vat_category:
            _sub(tax, "dutyFeeTaxCategoryCode", ac.vat_category)
        if ac.vat_rate is not None:
            _sub(tax, "dutyFeeTaxPercentage", fmt_decimal(ac.vat_rate))
        _sub(tax, "dutyFeeTaxTypeCode", "VALUE_ADDED_TAX")


def _read_allowance_charge(el: etree._Element) -> AllowanceCharge:
    tax = el.find("leviedDutyFeeTax")
    return AllowanceCharge(
        is_charge=text(el.find("allowanceOrChargeType")) == "CHARGE",
        amount=_amount(el, "allowanceChargeAmount") or Decimal(0),
        base_amount=_amount(el, "baseAmount"),
        percent=_amount(el, "allowanceChargePercentage"),
        vat_category=text(tax.find("dutyFeeTaxCategoryCode")) if tax is not None else None,
        vat_rate=_amount(tax, "dutyFeeTaxPercentage"),
        reason=text(el.find("allowanceChargeDescription")),
        reason_code=text(el.find("allowanceChargeReasonCode")),
    )


def _line(body: etree._Element, line: Line, cur: str) -> None:
    item = _sub(body, "invoiceLineItem")
    _sub(item, "lineItemNumber", line.id)
    _sub(item, "invoicedQuantity", fmt_decimal(line.quantity), measurementUnitCode=line.unit or "C62")
    _sub(item, "amountExclusiveAllowancesCharges", fmt_amount(line.net_amount), currencyCode=cur)
    _sub(item, "itemPriceExclusiveAllowancesCharges", fmt_decimal(line.net_price), currencyCode=cur)
    trade = _sub(item, "transactionalTradeItem")
    if line.standard_item_id and line.standard_item_scheme == "0160":
        _sub(trade, "gtin", line.standard_item_id)
    if line.seller_item_id:
        _sub(
            trade,
            "additionalTradeItemIdentification",
            line.seller_item_id,
            additionalTradeItemIdentificationTypeCode="SUPPLIER_ASSIGNED",
        )
    if line.buyer_item_id:
        _sub(
            trade,
            "additionalTradeItemIdentification",
            line.buyer_item_id,
            additionalTradeItemIdentificationTypeCode="BUYER_ASSIGNED",
        )
    description = _sub(trade, "tradeItemDescriptionInformation")
    _sub(description, "tradeItemDescription", line.name, languageCode="fr")
    if line.description:
        _sub(description, "descriptionShort", line.description, languageCode="fr")
    tax = _sub(item, "invoiceLineTaxInformation")
    _sub(tax, "dutyFeeTaxCategoryCode", line.vat_category or "S")
    if line.vat_rate is not None:
        _sub(tax, "dutyFeeTaxPercentage", fmt_decimal(line.vat_rate))
    _sub(tax, "dutyFeeTaxTypeCode", "VALUE_ADDED_TAX")


# --- reading ---------------------------------------------------------------------------------------------


def _read_party(el: etree._Element | None) -> Party:
    party = Party()
    if el is None:
        return party
    gln = text(el.find("gln"))
    if gln:
        party.identifiers.append(gln)
        party.identifier_schemes[gln] = "0088"
    for ident in el.findall("additionalPartyIdentification"):
        field = PARTY_ID_TYPES.get(ident.get("additionalPartyIdentificationTypeCode") or "")
        if field:
            setattr(party, field, text(ident))
        elif text(ident):
            party.identifiers.append(text(ident))  # type: ignore[arg-type]
    address = el.find("address")
    if address is not None:
        party.address = Address(
            line1=text(address.find("streetAddressOne")),
            line2=text(address.find("streetAddressTwo")),
            line3=text(address.find("streetAddressThree")),
            city=text(address.find("city")),
            postcode=text(address.find("postalCode")),
            subdivision=text(address.find("state")),
            country=text(address.find("countryCode")),
        )
    contact = el.find("contact")
    if contact is not None:
        party.contact.name = text(contact.find("personName"))
        for channel in contact.findall("communicationChannel"):
            kind, value = (
                text(channel.find("communicationChannelCode")),
                text(channel.find("communicationValue")),
            )
            if kind == "EMAIL":
                party.contact.email = value
            elif kind == "TELEPHONE":
                party.contact.phone = value
    party.vat_id = text(el.find("dutyFeeTaxRegistration/dutyFeeTaxRegistrationID"))
    party.name = text(el.find("organisationDetails/organisationName")) or text(el.find("address/name"))
    return party


def _amount(el: etree._Element | None, tag: str) -> Decimal | None:
    return None if el is None else decimal(text(el.find(tag)), tag)


def read_gs1(xml: bytes | etree._Element) -> Invoice:
    """A GS1 XML invoiceMessage -> model; ValueError for anything else."""
    root = xmlsafe.parse(xml) if isinstance(xml, bytes | bytearray) else xml
    body = root.find("invoice")
    if body is None:
        raise ValueError("not a GS1 invoiceMessage (no invoice element)")
    created = text(body.find("creationDateTime"))
    inv = Invoice(
        source="xml",
        profile="GS1",
        number=text(body.find("invoiceIdentification/entityIdentification")) or "",
    )
    inv.issue_date = date_iso(created) if created else None
    inv.type_code = "381" if text(body.find("invoiceType")) == "CREDIT_NOTE" else "380"
    inv.currency = text(body.find("invoiceCurrencyCode")) or inv.currency
    for note in body.findall("note"):
        if text(note):
            inv.notes.append(Note(text=text(note) or "", subject_code=note.get("noteTypeCode")))
    inv.buyer = _read_party(body.find("buyer"))
    inv.seller = _read_party(body.find("seller"))
    if body.find("payee") is not None:
        inv.payee = _read_party(body.find("payee"))
    totals = body.find("invoiceTotals")
    t = inv.totals
    t.tax_inclusive = _amount(totals, "totalInvoiceAmount") or Decimal(0)
    t.line_total = _amount(totals, "totalAmountInvoiceAllowancesCharges") or Decimal(0)
    t.tax_exclusive = _amount(totals, "totalEconomicValue") or Decimal(0)
    t.vat_total = _amount(totals, "totalTaxAmount")
    t.payable = _amount(totals, "totalInvoiceAmountPayable") or t.tax_inclusive
    t.prepaid = _amount(totals, "prepaidAmount")
    t.allowance_total = _amount(totals, "totalAllowances")
    t.charge_total = _amount(totals, "totalCharges")
    for sub in totals.findall("taxSubtotal") if totals is not None else []:
        inv.vat_breakdown.append(
            VatBreakdown(
                category=text(sub.find("dutyFeeTaxCategoryCode")) or "S",
                rate=_amount(sub, "dutyFeeTaxPercentage"),
                taxable_amount=_amount(sub, "dutyFeeTaxBasisAmount") or Decimal(0),
                tax_amount=_amount(sub, "dutyFeeTaxAmount") or Decimal(0),
                exemption_reason=text(sub.find("dutyFeeTaxExemptionDescription")),
            )
        )
    inv.allowances_charges = [_read_allowance_charge(el) for el in body.findall("invoiceAllowanceCharge")]
    for item in body.findall("invoiceLineItem"):
        quantity = item.find("invoicedQuantity")
        trade = item.find("transactionalTradeItem")
        line = Line(
            id=text(item.find("lineItemNumber")) or "",
            quantity=decimal(text(quantity)) or Decimal(0),
            unit=None if quantity is None else quantity.get("measurementUnitCode"),
            net_amount=_amount(item, "amountExclusiveAllowancesCharges") or Decimal(0),
            net_price=_amount(item, "itemPriceExclusiveAllowancesCharges") or Decimal(0),
            name=text(trade.find("tradeItemDescriptionInformation/tradeItemDescription")) or ""
            if trade is not None
            else "",
            description=text(trade.find("tradeItemDescriptionInformation/descriptionShort"))
            if trade is not None
            else None,
            vat_category=text(item.find("invoiceLineTaxInformation/dutyFeeTaxCategoryCode")),
            vat_rate=_amount(item, "invoiceLineTaxInformation/dutyFeeTaxPercentage"),
        )
        if trade is not None:
            gtin = text(trade.find("gtin"))
            if gtin:
                line.standard_item_id, line.standard_item_scheme = gtin, "0160"
            for ident in trade.findall("additionalTradeItemIdentification"):
                kind = ident.get("additionalTradeItemIdentificationTypeCode")
                if kind == "SUPPLIER_ASSIGNED":
                    line.seller_item_id = text(ident)
                elif kind == "BUYER_ASSIGNED":
                    line.buyer_item_id = text(ident)
        inv.lines.append(line)
    inv.purchase_order = text(body.find("purchaseOrder/entityIdentification"))
    for ref in body.findall("originalInvoice"):
        stamp = text(ref.find("creationDateTime"))
        inv.preceding_invoices.append(
            PrecedingInvoice(text(ref.find("entityIdentification")) or "", date_iso(stamp) if stamp else None)
        )
    terms = body.find("paymentTerms")
    if terms is not None:
        inv.payment_terms = text(terms.find("paymentTermsDescription"))
        due = text(terms.find("paymentTimePeriod/timePeriodDue"))
        inv.due_date = date_iso(due) if due else None
    inv.buyer_reference = text(body.find("buyerReference/entityIdentification"))
    mentions.fill_from_codes(inv)
    return inv
