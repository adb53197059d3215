"""OASIS UBL 2.1 Invoice / CreditNote <-> invoice model (EN 16931 UBL binding, Peppol BIS Billing 3.0, the
French EXTENDED-CTC-FR UBL flavour).

The reader walks the EN 16931 UBL binding; notes carry their BT-21 subject code as `#CODE#text` (the Peppol
and French convention). The writer (`write_ubl`) emits the XSD sequence order for an Invoice or, for credit
note type codes, a CreditNote; `peppol=True` adds what Peppol BIS 3 requires on top (endpoint ids, profile).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from lxml import etree

from jalon.formats import mentions, xmlsafe
from jalon.formats.cii import profile_from_guideline
from jalon.formats.model import (
    Address,
    AllowanceCharge,
    Contact,
    Delivery,
    Invoice,
    Line,
    Note,
    Party,
    Payment,
    PrecedingInvoice,
    VatBreakdown,
)
from jalon.formats.xmlread import XmlReader, add_classification, add_identifier, set_legal_id
from jalon.formats.xmltext import date_iso, decimal, text

INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NS = {"cac": CAC, "cbc": CBC}

_NOTE_CODE = re.compile(r"^#([A-Za-z]{3})#(.*)$", re.DOTALL)


def detect(root: etree._Element) -> str | None:
    """'invoice', 'credit_note', or None for a root that is not UBL."""
    if root.tag == f"{{{INVOICE_NS}}}Invoice":
        return "invoice"
    if root.tag == f"{{{CREDIT_NOTE_NS}}}CreditNote":
        return "credit_note"
    return None


class _Reader(XmlReader):
    def find(self, el: etree._Element | None, path: str) -> etree._Element | None:
        return None if el is None else el.find(path, NS)

    def findall(self, el: etree._Element | None, path: str) -> list[etree._Element]:
        return [] if el is None else el.findall(path, NS)

    def date(self, el: etree._Element | None, path: str) -> dt.date | None:
        try:
            return date_iso(self.t(el, path), path.rsplit(":", 1)[-1])
        except ValueError as error:
            self.warnings.append(str(error))
            return None

    def address(self, a: etree._Element | None) -> Address:
        if a is None:
            return Address()
        return Address(
            line1=self.t(a, "cbc:StreetName"),
            line2=self.t(a, "cbc:AdditionalStreetName"),
            line3=self.t(a, "cac:AddressLine/cbc:Line"),
            city=self.t(a, "cbc:CityName"),
            postcode=self.t(a, "cbc:PostalZone"),
            subdivision=self.t(a, "cbc:CountrySubentity"),
            country=self.t(a, "cac:Country/cbc:IdentificationCode"),
        )

    def party(self, el: etree._Element | None, payment: Payment | None = None) -> Party | None:
        if el is None:
            return None
        party = Party()
        endpoint = self.find(el, "cbc:EndpointID")
        if text(endpoint):
            party.electronic_address = text(endpoint)
            party.electronic_address_scheme = endpoint.get("schemeID")  # type: ignore[union-attr]
        for ident in self.findall(el, "cac:PartyIdentification/cbc:ID"):
            value, scheme = text(ident), ident.get("schemeID")
            if not value:
                continue
            if scheme == "SEPA" and payment is not None:
                payment.creditor_id = value  # BT-90 rides in the seller's identifiers in UBL
            else:
                add_identifier(party, value, scheme)
        party.trading_name = self.t(el, "cac:PartyName/cbc:Name")
        party.address = self.address(self.find(el, "cac:PostalAddress"))
        for scheme in self.findall(el, "cac:PartyTaxScheme"):
            value = self.t(scheme, "cbc:CompanyID")
            if (self.t(scheme, "cac:TaxScheme/cbc:ID") or "").upper() == "VAT":
                party.vat_id = party.vat_id or value
            else:
                party.tax_registration_id = party.tax_registration_id or value
        legal = self.find(el, "cac:PartyLegalEntity")
        if legal is not None:
            party.name = self.t(legal, "cbc:RegistrationName")
            company = self.find(legal, "cbc:CompanyID")
            set_legal_id(party, text(company), None if company is None else company.get("schemeID"))
            party.legal_form = self.t(legal, "cbc:CompanyLegalForm")
        if party.name is None:
            party.name, party.trading_name = party.trading_name, None
        contact = self.find(el, "cac:Contact")
        if contact is not None:
            party.contact = Contact(
                name=self.t(contact, "cbc:Name"),
                phone=self.t(contact, "cbc:Telephone"),
                email=self.t(contact, "cbc:ElectronicMail"),
            )
        return party

    def allowance(self, el: etree._Element, with_tax: bool) -> AllowanceCharge:
        ac = AllowanceCharge(
            is_charge=(self.t(el, "cbc:ChargeIndicator") or "false").lower() in ("true", "1"),
            amount=self.num(el, "cbc:Amount") or Decimal("0"),
            base_amount=self.num(el, "cbc:BaseAmount"),
            percent=self.num(el, "cbc:MultiplierFactorNumeric"),
            reason=self.t(el, "cbc:AllowanceChargeReason"),
            reason_code=self.t(el, "cbc:AllowanceChargeReasonCode"),
        )
        if with_tax:
            ac.vat_category = self.t(el, "cac:TaxCategory/cbc:ID")
            ac.vat_rate = self.num(el, "cac:TaxCategory/cbc:Percent")
        return ac

    def line(self, el: etree._Element) -> Line:
        qty = el.find("cbc:InvoicedQuantity", NS)
        if qty is None:
            qty = el.find("cbc:CreditedQuantity", NS)
        notes = [text(n) for n in self.findall(el, "cbc:Note")]
        line = Line(
            id=self.t(el, "cbc:ID") or "",
            note="\n".join(n for n in notes if n) or None,
            quantity=decimal(text(qty), "InvoicedQuantity") or Decimal("0"),
            unit=None if qty is None else qty.get("unitCode"),
            net_amount=self.num(el, "cbc:LineExtensionAmount") or Decimal("0"),
            accounting_ref=self.t(el, "cbc:AccountingCost"),
            order_line_ref=self.t(el, "cac:OrderLineReference/cbc:LineID"),
        )
        line.period_start = self.date(el, "cac:InvoicePeriod/cbc:StartDate")
        line.period_end = self.date(el, "cac:InvoicePeriod/cbc:EndDate")
        ref = self.find(el, "cac:DocumentReference/cbc:ID")
        if text(ref):
            line.object_id, line.object_id_scheme = text(ref), ref.get("schemeID")  # type: ignore[union-attr]
        for ac in self.findall(el, "cac:AllowanceCharge"):
            line.allowances_charges.append(self.allowance(ac, with_tax=False))
        item = self.find(el, "cac:Item")
        line.description = self.t(item, "cbc:Description")
        line.name = self.t(item, "cbc:Name") or ""
        line.buyer_item_id = self.t(item, "cac:BuyersItemIdentification/cbc:ID")
        line.seller_item_id = self.t(item, "cac:SellersItemIdentification/cbc:ID")
        std = self.find(item, "cac:StandardItemIdentification/cbc:ID")
        if text(std):
            line.standard_item_id, line.standard_item_scheme = text(std), std.get("schemeID")  # type: ignore[union-attr]
        line.origin_country = self.t(item, "cac:OriginCountry/cbc:IdentificationCode")
        for code in self.findall(item, "cac:CommodityClassification/cbc:ItemClassificationCode"):
            add_classification(line, code)
        line.vat_category = self.t(item, "cac:ClassifiedTaxCategory/cbc:ID")
        line.vat_rate = self.num(item, "cac:ClassifiedTaxCategory/cbc:Percent")
        for prop in self.findall(item, "cac:AdditionalItemProperty"):
            name = self.t(prop, "cbc:Name")
            if name:
                line.attributes[name] = self.t(prop, "cbc:Value") or ""
        price = self.find(el, "cac:Price")
        line.net_price = self.num(price, "cbc:PriceAmount") or Decimal("0")
        base = self.find(price, "cbc:BaseQuantity")
        if base is not None:
            line.price_base_quantity = decimal(text(base), "BaseQuantity")
            line.price_base_unit = base.get("unitCode")
        discount = self.find(price, "cac:AllowanceCharge")
        if discount is not None:
            line.price_discount = self.num(discount, "cbc:Amount")
            line.gross_price = self.num(discount, "cbc:BaseAmount")
        return line


def _profile(customization: str | None) -> str | None:
    profile = profile_from_guideline(customization)
    return (
        profile
        if profile in ("EN16931", "PEPPOL", "EXTENDED-CTC-FR", "XRECHNUNG")
        else ("UBL" if profile is None else profile)
    )


def read_ubl(xml: bytes | etree._Element) -> Invoice:
    """Read a UBL 2.1 Invoice or CreditNote (bytes, or a root already parsed by xmlsafe) into the model."""
    root = xmlsafe.parse(xml) if isinstance(xml, bytes | bytearray) else xml
    kind = detect(root)
    if kind is None:
        raise ValueError(f"not a UBL invoice or credit note: root element is {etree.QName(root).localname!r}")
    r = _Reader()
    inv = Invoice(source="xml")
    inv.specification_id = r.t(root, "cbc:CustomizationID")
    inv.business_process = r.t(root, "cbc:ProfileID")
    inv.profile = _profile(inv.specification_id)
    inv.number = r.t(root, "cbc:ID") or ""
    inv.issue_date = r.date(root, "cbc:IssueDate")
    inv.due_date = r.date(root, "cbc:DueDate")
    code = r.t(root, "cbc:InvoiceTypeCode" if kind == "invoice" else "cbc:CreditNoteTypeCode")
    inv.type_code = code or ("380" if kind == "invoice" else "381")
    for note in r.findall(root, "cbc:Note"):
        value = text(note)
        if not value:
            continue
        match = _NOTE_CODE.match(value)
        if match:
            inv.notes.append(Note(text=match.group(2).strip(), subject_code=match.group(1).upper()))
        else:
            inv.notes.append(Note(text=value))
    inv.tax_point_date = r.date(root, "cbc:TaxPointDate")
    inv.currency = r.t(root, "cbc:DocumentCurrencyCode") or inv.currency
    inv.vat_currency = r.t(root, "cbc:TaxCurrencyCode")
    inv.buyer_accounting_ref = r.t(root, "cbc:AccountingCost")
    inv.buyer_reference = r.t(root, "cbc:BuyerReference")
    period = r.find(root, "cac:InvoicePeriod")
    inv.period_start = r.date(period, "cbc:StartDate")
    inv.period_end = r.date(period, "cbc:EndDate")
    inv.vat_due_date_code = r.t(period, "cbc:DescriptionCode")
    inv.purchase_order = r.t(root, "cac:OrderReference/cbc:ID")
    inv.sales_order = r.t(root, "cac:OrderReference/cbc:SalesOrderID")
    if inv.purchase_order == "NA" and inv.sales_order:
        inv.purchase_order = None  # the binding's placeholder when only BT-14 is known
    for ref in r.findall(root, "cac:BillingReference/cac:InvoiceDocumentReference"):
        number = r.t(ref, "cbc:ID")
        if number:
            inv.preceding_invoices.append(PrecedingInvoice(number, r.date(ref, "cbc:IssueDate")))
    inv.despatch_advice = r.t(root, "cac:DespatchDocumentReference/cbc:ID")
    inv.receiving_advice = r.t(root, "cac:ReceiptDocumentReference/cbc:ID")
    inv.tender_ref = r.t(root, "cac:OriginatorDocumentReference/cbc:ID")
    inv.contract_ref = r.t(root, "cac:ContractDocumentReference/cbc:ID")
    for ref in r.findall(root, "cac:AdditionalDocumentReference"):
        type_code = r.t(ref, "cbc:DocumentTypeCode")
        if type_code == "130":
            ident = r.find(ref, "cbc:ID")
            inv.invoiced_object = text(ident)
            inv.invoiced_object_scheme = None if ident is None else ident.get("schemeID")
        elif type_code == "50" and kind == "credit_note":
            inv.project_ref = r.t(ref, "cbc:ID")  # a CreditNote has no ProjectReference
        else:
            inv.attachments.append(
                r.attachment(
                    ref,
                    "cbc:ID",
                    "cbc:DocumentDescription",
                    "cac:Attachment/cac:ExternalReference/cbc:URI",
                    "cac:Attachment/cbc:EmbeddedDocumentBinaryObject",
                )
            )
    inv.project_ref = inv.project_ref or r.t(root, "cac:ProjectReference/cbc:ID")

    payment = Payment()
    inv.seller = r.party(r.find(root, "cac:AccountingSupplierParty/cac:Party"), payment) or Party()
    inv.buyer = r.party(r.find(root, "cac:AccountingCustomerParty/cac:Party")) or Party()
    inv.payee = r.party(r.find(root, "cac:PayeeParty"), payment)
    inv.tax_representative = r.party(r.find(root, "cac:TaxRepresentativeParty"))
    delivery = r.find(root, "cac:Delivery")
    location = r.find(delivery, "cac:DeliveryLocation")
    location_id = r.find(location, "cbc:ID")
    inv.delivery = Delivery(
        party_name=r.t(delivery, "cac:DeliveryParty/cac:PartyName/cbc:Name"),
        location_id=text(location_id),
        location_scheme=None if location_id is None else location_id.get("schemeID"),
        date=r.date(delivery, "cbc:ActualDeliveryDate"),
        address=r.address(r.find(location, "cac:Address")),
    )
    _read_payment(r, root, inv, payment)
    for ac in r.findall(root, "cac:AllowanceCharge"):
        inv.allowances_charges.append(r.allowance(ac, with_tax=True))
    _read_taxes(r, root, inv)
    sums = r.find(root, "cac:LegalMonetaryTotal")
    inv.totals.line_total = r.num(sums, "cbc:LineExtensionAmount") or Decimal("0")
    inv.totals.tax_exclusive = r.num(sums, "cbc:TaxExclusiveAmount") or Decimal("0")
    inv.totals.tax_inclusive = r.num(sums, "cbc:TaxInclusiveAmount") or Decimal("0")
    inv.totals.allowance_total = r.num(sums, "cbc:AllowanceTotalAmount")
    inv.totals.charge_total = r.num(sums, "cbc:ChargeTotalAmount")
    inv.totals.prepaid = r.num(sums, "cbc:PrepaidAmount")
    inv.totals.rounding = r.num(sums, "cbc:PayableRoundingAmount")
    inv.totals.payable = r.num(sums, "cbc:PayableAmount") or Decimal("0")
    line_tag = "cac:InvoiceLine" if kind == "invoice" else "cac:CreditNoteLine"
    inv.lines = [r.line(el) for el in r.findall(root, line_tag)]
    inv.reader_warnings.extend(r.warnings)
    mentions.fill_from_codes(inv)
    return inv


def _read_payment(r: _Reader, root: etree._Element, inv: Invoice, pay: Payment) -> None:
    means = r.find(root, "cac:PaymentMeans")
    if means is not None:
        code = r.find(means, "cbc:PaymentMeansCode")
        pay.means_code = text(code)
        pay.means_text = None if code is None else code.get("name")
        pay.remittance_info = r.t(means, "cbc:PaymentID")
        pay.card_pan = r.t(means, "cac:CardAccount/cbc:PrimaryAccountNumberID")
        pay.card_holder = r.t(means, "cac:CardAccount/cbc:HolderName")
        pay.iban = r.t(means, "cac:PayeeFinancialAccount/cbc:ID")
        pay.account_name = r.t(means, "cac:PayeeFinancialAccount/cbc:Name")
        pay.bic = r.t(means, "cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID")
        pay.mandate_ref = r.t(means, "cac:PaymentMandate/cbc:ID")
        pay.debited_account = r.t(means, "cac:PaymentMandate/cac:PayerFinancialAccount/cbc:ID")
        if inv.due_date is None:
            inv.due_date = r.date(means, "cbc:PaymentDueDate")
    terms = [text(n) for n in r.findall(root, "cac:PaymentTerms/cbc:Note")]
    inv.payment_terms = "\n".join(t for t in terms if t) or None
    inv.payment = pay


def _read_taxes(r: _Reader, root: etree._Element, inv: Invoice) -> None:
    for total in r.findall(root, "cac:TaxTotal"):
        amount = r.find(total, "cbc:TaxAmount")
        value = decimal(text(amount), "TaxAmount")
        currency = None if amount is None else amount.get("currencyID")
        subtotals = r.findall(total, "cac:TaxSubtotal")
        if currency and currency != inv.currency and inv.vat_currency == currency and not subtotals:
            inv.totals.vat_total_accounting = value
            continue
        if inv.totals.vat_total is None or subtotals:
            inv.totals.vat_total = value
        for sub in subtotals:
            category = r.find(sub, "cac:TaxCategory")
            inv.vat_breakdown.append(
                VatBreakdown(
                    category=r.t(category, "cbc:ID") or "S",
                    rate=r.num(category, "cbc:Percent"),
                    taxable_amount=r.num(sub, "cbc:TaxableAmount") or Decimal("0"),
                    tax_amount=r.num(sub, "cbc:TaxAmount") or Decimal("0"),
                    exemption_reason=r.t(category, "cbc:TaxExemptionReason"),
                    exemption_reason_code=r.t(category, "cbc:TaxExemptionReasonCode"),
                )
            )


def write_ubl(
    invoice: Invoice, *, peppol: bool = False, profile: str | None = None, french: bool = False
) -> bytes:
    """Model -> UBL 2.1 Invoice / CreditNote bytes (see `ublwriter.write_ubl`)."""
    from jalon.formats.ublwriter import write_ubl as write

    return write(invoice, peppol=peppol, profile=profile, french=french)
