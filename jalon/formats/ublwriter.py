"""Invoice model -> UBL 2.1 Invoice or CreditNote (EN 16931 binding), Peppol BIS Billing 3.0, or the French
EXTENDED-CTC-FR flavour.

Elements follow the UBL 2.1 XSD sequence; a credit-note type code (381, 396…) gives a CreditNote (which has no
DueDate or ProjectReference: BT-9 goes to PaymentMeans, BT-11 to a document reference typed 50). Notes carry
their subject code as `#CODE#text`. `peppol=True` sets the Peppol customisation and profile ids and, when a
party has no electronic address, uses its SIREN (EAS 0002) or GLN (0088).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from lxml import etree

from jalon.formats import mentions
from jalon.formats.cii import PROFILE_GUIDELINES
from jalon.formats.model import Address, AllowanceCharge, Invoice, Line, Party
from jalon.formats.ubl import CAC, CBC, CREDIT_NOTE_NS, INVOICE_NS
from jalon.formats.xmlbuild import binary_object, element, legal_registration, qualified
from jalon.formats.xmltext import fmt_amount, fmt_decimal

PEPPOL_CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PEPPOL_PROCESS = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
_NS = {"cac": CAC, "cbc": CBC}


class _W:
    def __init__(self, currency: str) -> None:
        self.currency = currency

    @staticmethod
    def el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str | None) -> etree._Element:
        return element(parent, qualified(_NS, tag), text, **attrs)

    def sub(self, parent: etree._Element, tag: str, text: str | None, **attrs: str | None) -> None:
        if text:
            self.el(parent, tag, text, **attrs)

    def amount(
        self, parent: etree._Element, tag: str, value: Decimal | None, currency: str | None = None
    ) -> None:
        if value is not None:
            self.el(parent, tag, fmt_amount(value), currencyID=currency or self.currency)

    def date(self, parent: etree._Element, tag: str, value: dt.date | None) -> None:
        if value is not None:
            self.el(parent, tag, value.isoformat())

    def object_reference(
        self, parent: etree._Element, tag: str, ident: str | None, scheme: str | None
    ) -> None:
        """An invoiced object identifier (BT-18, or BT-128 on a line): a document reference typed 130."""
        if ident:
            ref = self.el(parent, tag)
            self.el(ref, "cbc:ID", ident, schemeID=scheme)
            self.el(ref, "cbc:DocumentTypeCode", "130")

    def period(
        self, parent: etree._Element, start: dt.date | None, end: dt.date | None, code: str | None = None
    ) -> None:
        """An invoicing period (BG-14 with the VAT date code BT-8, or BG-26 on a line), when it has one."""
        if start or end or code:
            period = self.el(parent, "cac:InvoicePeriod")
            self.date(period, "cbc:StartDate", start)
            self.date(period, "cbc:EndDate", end)
            self.sub(period, "cbc:DescriptionCode", code)

    def address(self, parent: etree._Element, tag: str, address: Address) -> None:
        if address.is_empty():
            return
        a = self.el(parent, tag)
        self.sub(a, "cbc:StreetName", address.line1)
        self.sub(a, "cbc:AdditionalStreetName", address.line2)
        self.sub(a, "cbc:CityName", address.city)
        self.sub(a, "cbc:PostalZone", address.postcode)
        self.sub(a, "cbc:CountrySubentity", address.subdivision)
        if address.line3:
            self.el(self.el(a, "cac:AddressLine"), "cbc:Line", address.line3)
        if address.country:
            self.el(self.el(a, "cac:Country"), "cbc:IdentificationCode", address.country)

    def tax_category(
        self, parent: etree._Element, tag: str, category: str | None, rate: Decimal | None
    ) -> etree._Element:
        tax = self.el(parent, tag)
        self.sub(tax, "cbc:ID", category)
        if rate is not None:
            self.el(tax, "cbc:Percent", fmt_decimal(rate))
        return tax

    @staticmethod
    def scheme(tax: etree._Element, scheme: str = "VAT") -> None:
        _W.el(_W.el(tax, "cac:TaxScheme"), "cbc:ID", scheme)

    def allowance(self, parent: etree._Element, ac: AllowanceCharge, with_tax: bool) -> None:
        a = self.el(parent, "cac:AllowanceCharge")
        self.el(a, "cbc:ChargeIndicator", "true" if ac.is_charge else "false")
        self.sub(a, "cbc:AllowanceChargeReasonCode", ac.reason_code)
        self.sub(a, "cbc:AllowanceChargeReason", ac.reason)
        if ac.percent is not None:
            self.el(a, "cbc:MultiplierFactorNumeric", fmt_decimal(ac.percent))
        self.amount(a, "cbc:Amount", ac.amount)
        self.amount(a, "cbc:BaseAmount", ac.base_amount)
        if with_tax:
            self.scheme(self.tax_category(a, "cac:TaxCategory", ac.vat_category, ac.vat_rate))


def _party(
    w: _W,
    parent: etree._Element,
    party: Party,
    *,
    role: str,
    creditor_id: str | None = None,
    tag: str = "cac:Party",
) -> None:
    """role: seller | buyer (full party), payee (BG-10), taxrep (BG-11)."""
    p = w.el(parent, tag)
    if role in ("seller", "buyer") and party.electronic_address:
        w.el(p, "cbc:EndpointID", party.electronic_address, schemeID=party.electronic_address_scheme)
    if role != "taxrep":
        ids = [(i, party.identifier_schemes.get(i)) for i in party.identifiers]
        if party.siret:
            ids.insert(0, (party.siret, "0009"))
        # UBL-SR-16: a buyer has one identifier (BT-46), the SIRET first; the seller may have several
        for ident, scheme in ids[:1] if role == "buyer" else ids:
            w.el(w.el(p, "cac:PartyIdentification"), "cbc:ID", ident, schemeID=scheme)
        if creditor_id:
            w.el(w.el(p, "cac:PartyIdentification"), "cbc:ID", creditor_id, schemeID="SEPA")
    display = party.name if role in ("payee", "taxrep") else party.trading_name
    if display:
        w.el(w.el(p, "cac:PartyName"), "cbc:Name", display)
    if role != "payee":
        w.address(p, "cac:PostalAddress", party.address)
    if party.vat_id:
        tax = w.el(p, "cac:PartyTaxScheme")
        w.el(tax, "cbc:CompanyID", party.vat_id)
        w.scheme(tax)
    if party.tax_registration_id and role == "seller":
        tax = w.el(p, "cac:PartyTaxScheme")
        w.el(tax, "cbc:CompanyID", party.tax_registration_id)
        w.scheme(tax, "LOC")
    if role == "taxrep":
        return
    legal_id, scheme = legal_registration(party)
    if role in ("seller", "buyer") or legal_id:
        legal = w.el(p, "cac:PartyLegalEntity")
        if role != "payee":
            w.el(legal, "cbc:RegistrationName", party.name or "")
        w.sub(legal, "cbc:CompanyID", legal_id, schemeID=scheme)
        if role == "seller":
            w.sub(legal, "cbc:CompanyLegalForm", party.legal_form)
    c = party.contact
    if role in ("seller", "buyer") and (c.name or c.phone or c.email):
        contact = w.el(p, "cac:Contact")
        w.sub(contact, "cbc:Name", c.name)
        w.sub(contact, "cbc:Telephone", c.phone)
        w.sub(contact, "cbc:ElectronicMail", c.email)


def _line(w: _W, root: etree._Element, line: Line, credit: bool) -> None:
    el = w.el(root, "cac:CreditNoteLine" if credit else "cac:InvoiceLine")
    w.el(el, "cbc:ID", line.id)
    w.sub(el, "cbc:Note", line.note)
    w.el(
        el,
        "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity",
        fmt_decimal(line.quantity),
        unitCode=line.unit or "C62",
    )
    w.amount(el, "cbc:LineExtensionAmount", line.net_amount)
    w.sub(el, "cbc:AccountingCost", line.accounting_ref)
    w.period(el, line.period_start, line.period_end)
    if line.order_line_ref:
        w.el(w.el(el, "cac:OrderLineReference"), "cbc:LineID", line.order_line_ref)
    w.object_reference(el, "cac:DocumentReference", line.object_id, line.object_id_scheme)
    for ac in line.allowances_charges:
        w.allowance(el, ac, with_tax=False)
    item = w.el(el, "cac:Item")
    w.sub(item, "cbc:Description", line.description)
    w.el(item, "cbc:Name", line.name)
    for tag, value in (
        ("cac:BuyersItemIdentification", line.buyer_item_id),
        ("cac:SellersItemIdentification", line.seller_item_id),
    ):
        if value:
            w.el(w.el(item, tag), "cbc:ID", value)
    if line.standard_item_id:
        w.el(
            w.el(item, "cac:StandardItemIdentification"),
            "cbc:ID",
            line.standard_item_id,
            schemeID=line.standard_item_scheme,
        )
    if line.origin_country:
        w.el(w.el(item, "cac:OriginCountry"), "cbc:IdentificationCode", line.origin_country)
    for code in line.classification_ids:
        cls = w.el(item, "cac:CommodityClassification")
        w.el(cls, "cbc:ItemClassificationCode", code, listID=line.classification_schemes.get(code))
    w.scheme(w.tax_category(item, "cac:ClassifiedTaxCategory", line.vat_category, line.vat_rate))
    for name, value in line.attributes.items():
        prop = w.el(item, "cac:AdditionalItemProperty")
        w.el(prop, "cbc:Name", name)
        w.el(prop, "cbc:Value", value)
    price = w.el(el, "cac:Price")
    w.el(price, "cbc:PriceAmount", fmt_decimal(line.net_price), currencyID=w.currency)
    if line.price_base_quantity is not None:
        w.el(price, "cbc:BaseQuantity", fmt_decimal(line.price_base_quantity), unitCode=line.price_base_unit)
    if line.price_discount is not None or line.gross_price is not None:
        discount = w.el(price, "cac:AllowanceCharge")
        w.el(discount, "cbc:ChargeIndicator", "false")
        w.el(discount, "cbc:Amount", fmt_decimal(line.price_discount or Decimal("0")), currencyID=w.currency)
        if line.gross_price is not None:
            w.el(discount, "cbc:BaseAmount", fmt_decimal(line.gross_price), currencyID=w.currency)


def _references(w: _W, root: etree._Element, inv: Invoice, credit: bool) -> None:
    if inv.purchase_order or inv.sales_order:
        order = w.el(root, "cac:OrderReference")
        w.el(order, "cbc:ID", inv.purchase_order or "NA")  # EN 16931 UBL binding: NA when only BT-14
        w.sub(order, "cbc:SalesOrderID", inv.sales_order)
    for preceding in inv.preceding_invoices:
        ref = w.el(w.el(root, "cac:BillingReference"), "cac:InvoiceDocumentReference")
        w.el(ref, "cbc:ID", preceding.number)
        w.date(ref, "cbc:IssueDate", preceding.issue_date)
    if inv.despatch_advice:
        w.el(w.el(root, "cac:DespatchDocumentReference"), "cbc:ID", inv.despatch_advice)
    if inv.receiving_advice:
        w.el(w.el(root, "cac:ReceiptDocumentReference"), "cbc:ID", inv.receiving_advice)
    originator = inv.tender_ref
    if originator and not credit:
        w.el(w.el(root, "cac:OriginatorDocumentReference"), "cbc:ID", originator)
    if inv.contract_ref:
        w.el(w.el(root, "cac:ContractDocumentReference"), "cbc:ID", inv.contract_ref)
    w.object_reference(
        root, "cac:AdditionalDocumentReference", inv.invoiced_object, inv.invoiced_object_scheme
    )
    if credit and inv.project_ref:
        ref = w.el(root, "cac:AdditionalDocumentReference")
        w.el(ref, "cbc:ID", inv.project_ref)
        w.el(ref, "cbc:DocumentTypeCode", "50")
    for att in inv.attachments:
        ref = w.el(root, "cac:AdditionalDocumentReference")
        w.el(ref, "cbc:ID", att.id)
        w.sub(ref, "cbc:DocumentDescription", att.description)
        if att.content is not None or att.uri:
            holder = w.el(ref, "cac:Attachment")
            if att.content is not None:
                binary_object(holder, qualified(_NS, "cbc:EmbeddedDocumentBinaryObject"), att)
            if att.uri:
                w.el(w.el(holder, "cac:ExternalReference"), "cbc:URI", att.uri)
    if credit and originator:
        w.el(w.el(root, "cac:OriginatorDocumentReference"), "cbc:ID", originator)
    if inv.project_ref and not credit:
        w.el(w.el(root, "cac:ProjectReference"), "cbc:ID", inv.project_ref)


def _payment(w: _W, root: etree._Element, inv: Invoice, credit: bool) -> None:
    pay = inv.payment
    if pay.means_code:
        means = w.el(root, "cac:PaymentMeans")
        w.el(means, "cbc:PaymentMeansCode", pay.means_code, name=pay.means_text)
        if credit:
            w.date(means, "cbc:PaymentDueDate", inv.due_date)
        w.sub(means, "cbc:PaymentID", pay.remittance_info)
        if pay.card_pan:
            card = w.el(means, "cac:CardAccount")
            w.el(card, "cbc:PrimaryAccountNumberID", pay.card_pan)
            w.el(card, "cbc:NetworkID", "NA")  # required by the UBL XSD, not an EN 16931 term
            w.sub(card, "cbc:HolderName", pay.card_holder)
        if pay.iban or pay.account_name or pay.bic:
            account = w.el(means, "cac:PayeeFinancialAccount")
            w.el(account, "cbc:ID", pay.iban or "")
            w.sub(account, "cbc:Name", pay.account_name)
            if pay.bic:
                w.el(w.el(account, "cac:FinancialInstitutionBranch"), "cbc:ID", pay.bic)
        if pay.mandate_ref or pay.debited_account:
            mandate = w.el(means, "cac:PaymentMandate")
            w.sub(mandate, "cbc:ID", pay.mandate_ref)
            if pay.debited_account:
                w.el(w.el(mandate, "cac:PayerFinancialAccount"), "cbc:ID", pay.debited_account)
    if inv.payment_terms:
        w.el(w.el(root, "cac:PaymentTerms"), "cbc:Note", inv.payment_terms)


def _taxes_and_totals(w: _W, root: etree._Element, inv: Invoice) -> None:
    for ac in inv.allowances_charges:
        w.allowance(root, ac, with_tax=True)
    total = w.el(root, "cac:TaxTotal")
    vat_total = inv.totals.vat_total
    if vat_total is None:
        vat_total = sum((b.tax_amount for b in inv.vat_breakdown), Decimal("0"))
    w.amount(total, "cbc:TaxAmount", vat_total)
    for bd in inv.vat_breakdown:
        sub = w.el(total, "cac:TaxSubtotal")
        w.amount(sub, "cbc:TaxableAmount", bd.taxable_amount)
        w.amount(sub, "cbc:TaxAmount", bd.tax_amount)
        category = w.tax_category(sub, "cac:TaxCategory", bd.category, bd.rate)
        w.sub(category, "cbc:TaxExemptionReasonCode", bd.exemption_reason_code)
        w.sub(category, "cbc:TaxExemptionReason", bd.exemption_reason)
        w.scheme(category)
    if inv.vat_currency and inv.vat_currency != inv.currency and inv.totals.vat_total_accounting is not None:
        w.amount(
            w.el(root, "cac:TaxTotal"), "cbc:TaxAmount", inv.totals.vat_total_accounting, inv.vat_currency
        )
    t = inv.totals
    sums = w.el(root, "cac:LegalMonetaryTotal")
    w.amount(sums, "cbc:LineExtensionAmount", t.line_total)
    w.amount(sums, "cbc:TaxExclusiveAmount", t.tax_exclusive)
    w.amount(sums, "cbc:TaxInclusiveAmount", t.tax_inclusive)
    w.amount(sums, "cbc:AllowanceTotalAmount", t.allowance_total)
    w.amount(sums, "cbc:ChargeTotalAmount", t.charge_total)
    w.amount(sums, "cbc:PrepaidAmount", t.prepaid)
    w.amount(sums, "cbc:PayableRoundingAmount", t.rounding)
    w.amount(sums, "cbc:PayableAmount", t.payable)


# Peppol's EAS list has no e-mail scheme (PEPPOL-EN16931-CL008): an e-mail address is no Peppol endpoint.
NOT_PEPPOL_SCHEMES = {"EM", ""}
# The EAS code of a VAT number, by its country prefix (CEF EAS code list, as the Peppol rules take it).
VAT_EAS = {
    "HU": "9910", "AT": "9914", "ES": "9920", "AD": "9922", "AL": "9923", "BA": "9924", "BE": "9925",
    "BG": "9926", "CH": "9927", "CY": "9928", "CZ": "9929", "DE": "9930", "EE": "9931", "GB": "9932",
    "EL": "9933", "HR": "9934", "IE": "9935", "LI": "9936", "LT": "9937", "LU": "9938", "LV": "9939",
    "MC": "9940", "ME": "9941", "MK": "9942", "MT": "9943", "NL": "9944", "PL": "9945", "PT": "9946",
    "RO": "9947", "RS": "9948", "SI": "9949", "SK": "9950", "SM": "9951", "TR": "9952", "VA": "9953",
    "FR": "9957",
}  # fmt: skip


def _peppol_endpoints(inv: Invoice) -> None:
    """Each party reachable on Peppol: its own endpoint when its scheme is one Peppol knows, else one made
    from its SIREN (0002), GLN (0088) or VAT number (VAT_EAS); failing all, what it had."""
    for party in (inv.seller, inv.buyer):
        scheme = (party.electronic_address_scheme or "").upper()
        if party.electronic_address and scheme not in NOT_PEPPOL_SCHEMES:
            continue
        gln = next((i for i in party.identifiers if party.identifier_schemes.get(i) == "0088"), None)
        vat = (party.vat_id or "").replace(" ", "").upper()
        if party.siren:
            party.electronic_address, party.electronic_address_scheme = party.siren, "0002"
        elif gln:
            party.electronic_address, party.electronic_address_scheme = gln, "0088"
        elif vat[:2] in VAT_EAS:
            party.electronic_address, party.electronic_address_scheme = vat, VAT_EAS[vat[:2]]


def write_ubl(
    inv: Invoice, *, peppol: bool = False, profile: str | None = None, french: bool = False
) -> bytes:
    """UBL 2.1 XML bytes: an Invoice, or a CreditNote for credit-note type codes.

    `profile`: None/EN16931 (CEN), PEPPOL, or EXTENDED-CTC-FR; `french=True` completes what the French
    reform adds (implied by EXTENDED-CTC-FR).
    """
    profile = "PEPPOL" if peppol else (profile or "EN16931").upper()
    french = french or profile == "EXTENDED-CTC-FR"
    prepared = mentions.complete_for_output(inv, french=french)
    if profile == "PEPPOL":
        _peppol_endpoints(prepared)
    credit = prepared.doc_type == "credit_note"
    if prepared.issue_date is None:
        raise ValueError("cannot write UBL without an issue date (BT-2)")
    w = _W(prepared.currency)
    ns = CREDIT_NOTE_NS if credit else INVOICE_NS
    root = etree.Element(
        f"{{{ns}}}{'CreditNote' if credit else 'Invoice'}", nsmap={None: ns, "cac": CAC, "cbc": CBC}
    )
    customization = PEPPOL_CUSTOMIZATION if profile == "PEPPOL" else PROFILE_GUIDELINES.get(profile)
    w.el(root, "cbc:CustomizationID", customization or PROFILE_GUIDELINES["EN16931"])
    process = PEPPOL_PROCESS if profile == "PEPPOL" else prepared.business_process
    w.sub(root, "cbc:ProfileID", process)
    w.el(root, "cbc:ID", prepared.number)
    w.date(root, "cbc:IssueDate", prepared.issue_date)
    if not credit:
        w.date(root, "cbc:DueDate", prepared.due_date)
        w.el(root, "cbc:InvoiceTypeCode", prepared.type_code)
    else:
        w.date(root, "cbc:TaxPointDate", prepared.tax_point_date)
        w.el(root, "cbc:CreditNoteTypeCode", prepared.type_code)
    notes = [f"#{n.subject_code}#{n.text}" if n.subject_code else n.text for n in prepared.notes]
    if profile == "PEPPOL" and len(notes) > 1:
        notes = ["\n".join(n.text for n in prepared.notes)]  # PEPPOL-EN16931-R002: one note only
    for note in notes:
        w.el(root, "cbc:Note", note)
    if not credit:
        w.date(root, "cbc:TaxPointDate", prepared.tax_point_date)
    w.el(root, "cbc:DocumentCurrencyCode", prepared.currency)
    w.sub(root, "cbc:TaxCurrencyCode", prepared.vat_currency)
    w.sub(root, "cbc:AccountingCost", prepared.buyer_accounting_ref)
    w.sub(root, "cbc:BuyerReference", prepared.buyer_reference)
    w.period(root, prepared.period_start, prepared.period_end, prepared.vat_due_date_code)
    _references(w, root, prepared, credit)
    creditor_on_payee = prepared.payee is not None
    _party(
        w,
        w.el(root, "cac:AccountingSupplierParty"),
        prepared.seller,
        role="seller",
        creditor_id=None if creditor_on_payee else prepared.payment.creditor_id,
    )
    _party(w, w.el(root, "cac:AccountingCustomerParty"), prepared.buyer, role="buyer")
    if prepared.payee is not None:
        _party(
            w,
            root,
            prepared.payee,
            role="payee",
            creditor_id=prepared.payment.creditor_id,
            tag="cac:PayeeParty",
        )
    if prepared.tax_representative is not None:
        _party(w, root, prepared.tax_representative, role="taxrep", tag="cac:TaxRepresentativeParty")
    d = prepared.delivery
    if d.date or d.location_id or d.party_name or not d.address.is_empty():
        delivery = w.el(root, "cac:Delivery")
        w.date(delivery, "cbc:ActualDeliveryDate", d.date)
        if d.location_id or not d.address.is_empty():
            location = w.el(delivery, "cac:DeliveryLocation")
            w.sub(location, "cbc:ID", d.location_id, schemeID=d.location_scheme)
            w.address(location, "cac:Address", d.address)
        if d.party_name:
            w.el(w.el(w.el(delivery, "cac:DeliveryParty"), "cac:PartyName"), "cbc:Name", d.party_name)
    _payment(w, root, prepared, credit)
    _taxes_and_totals(w, root, prepared)
    for line in prepared.lines:
        _line(w, root, line, credit)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
