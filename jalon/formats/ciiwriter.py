"""Invoice model -> UN/CEFACT CII XML (D16B or D22B), for one profile: MINIMUM, BASIC-WL, BASIC, EN16931,
EXTENDED (the Factur-X levels) or EXTENDED-CTC-FR (French reform).

The builder writes the EN 16931 binding in the XSD sequence order; a Factur-X level then keeps only what its
own XSD declares (`_prune`: the level XSDs are restrictions of the full one), plus the few context rules the
level schematron adds on top (`_NOT_IN_PROFILE`). Amounts print with two decimals, never an exponent.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from pathlib import Path

from lxml import etree

from jalon.formats import mentions
from jalon.formats.cii import NS, PROFILE_GUIDELINES, QDT, RAM, RSM, UDT, VAT_DATE_2005_TO_CII
from jalon.formats.model import Address, AllowanceCharge, Invoice, Line, Party
from jalon.formats.xmlbuild import binary_object, element, legal_registration, qualified
from jalon.formats.xmltext import fmt_102, fmt_amount, fmt_decimal

PROFILES = ("MINIMUM", "BASIC-WL", "BASIC", "EN16931", "EXTENDED", "EXTENDED-CTC-FR")
# Factur-X level -> the XSD that restricts it (names from validation.XSDS)
_LEVEL_XSD = {
    "MINIMUM": "fx-minimum",
    "BASIC-WL": "fx-basicwl",
    "BASIC": "fx-basic",
    "EN16931": "fx-en16931",
    "EXTENDED": "fx-extended",
}
# Elements a level's XSD allows (its party and allowance types are shared) but its schematron reports as
# "not used in the given context" at that place. Found by writing every corpus example in every level.
_AGREEMENT = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement"
_LINE_AC = (
    "rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem/ram:SpecifiedLineTradeSettlement/"
)
_NOT_IN_PROFILE = {
    "MINIMUM": (
        f"{_AGREEMENT}/ram:BuyerTradeParty/ram:PostalTradeAddress",
        f"{_AGREEMENT}/ram:BuyerTradeParty/ram:SpecifiedTaxRegistration",
    ),
    "BASIC-WL": (f"{_AGREEMENT}/ram:BuyerTradeParty/ram:SpecifiedLegalOrganization/ram:TradingBusinessName",),
    "BASIC": (
        f"{_AGREEMENT}/ram:BuyerTradeParty/ram:SpecifiedLegalOrganization/ram:TradingBusinessName",
        f"{_LINE_AC}ram:SpecifiedTradeAllowanceCharge/ram:CalculationPercent",
        f"{_LINE_AC}ram:SpecifiedTradeAllowanceCharge/ram:BasisAmount",
    ),
}


class _B:
    """Tiny element builder: `sub` adds a child only when it has something to say."""

    @staticmethod
    def el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str | None) -> etree._Element:
        return element(parent, qualified(NS, tag), text, **attrs)

    @classmethod
    def sub(
        cls, parent: etree._Element, tag: str, text: str | None, **attrs: str | None
    ) -> etree._Element | None:
        if text is None or text == "":
            return None
        return cls.el(parent, tag, text, **attrs)

    @classmethod
    def date(
        cls, parent: etree._Element, tag: str, value: dt.date | None, inner: str = "udt:DateTimeString"
    ) -> None:
        if value is not None:
            holder = cls.el(parent, tag)
            cls.el(holder, inner, fmt_102(value), format="102")

    @classmethod
    def amount(cls, parent: etree._Element, tag: str, value: Decimal | None, **attrs: str | None) -> None:
        if value is not None:
            cls.el(parent, tag, fmt_amount(value), **attrs)

    @classmethod
    def period(cls, parent: etree._Element, start: dt.date | None, end: dt.date | None) -> None:
        """An invoicing period (BG-14, or BG-26 on a line), when it has a start or an end."""
        if start or end:
            period = cls.el(parent, "ram:BillingSpecifiedPeriod")
            cls.date(period, "ram:StartDateTime", start)
            cls.date(period, "ram:EndDateTime", end)


def _is_iban(value: str) -> bool:
    compact = value.replace(" ", "")
    return len(compact) >= 15 and compact[:2].isalpha() and compact[2:4].isdigit()


def _address(parent: etree._Element, address: Address) -> None:
    if address.is_empty():
        return
    a = _B.el(parent, "ram:PostalTradeAddress")
    _B.sub(a, "ram:PostcodeCode", address.postcode)
    _B.sub(a, "ram:LineOne", address.line1)
    _B.sub(a, "ram:LineTwo", address.line2)
    _B.sub(a, "ram:LineThree", address.line3)
    _B.sub(a, "ram:CityName", address.city)
    _B.sub(a, "ram:CountryID", address.country)
    _B.sub(a, "ram:CountrySubDivisionName", address.subdivision)


def _party(parent: etree._Element, tag: str, party: Party | None) -> None:
    if party is None:
        return
    p = _B.el(parent, tag)
    plain = [i for i in party.identifiers if not party.identifier_schemes.get(i)]
    schemed = [i for i in party.identifiers if party.identifier_schemes.get(i)]
    for ident in plain:
        _B.el(p, "ram:ID", ident)
    for ident in schemed:
        _B.el(p, "ram:GlobalID", ident, schemeID=party.identifier_schemes[ident])
    if party.siret:
        _B.el(p, "ram:GlobalID", party.siret, schemeID="0009")
    _B.sub(p, "ram:Name", party.name)
    _B.sub(p, "ram:Description", party.legal_form)
    legal_id, scheme = legal_registration(party)
    if legal_id or party.trading_name:
        legal = _B.el(p, "ram:SpecifiedLegalOrganization")
        _B.sub(legal, "ram:ID", legal_id, schemeID=scheme)
        _B.sub(legal, "ram:TradingBusinessName", party.trading_name)
    contact = party.contact
    if contact.name or contact.phone or contact.email:
        c = _B.el(p, "ram:DefinedTradeContact")
        _B.sub(c, "ram:PersonName", contact.name)
        if contact.phone:
            _B.el(_B.el(c, "ram:TelephoneUniversalCommunication"), "ram:CompleteNumber", contact.phone)
        if contact.email:
            _B.el(_B.el(c, "ram:EmailURIUniversalCommunication"), "ram:URIID", contact.email)
    _address(p, party.address)
    if party.electronic_address:
        uri = _B.el(p, "ram:URIUniversalCommunication")
        _B.el(uri, "ram:URIID", party.electronic_address, schemeID=party.electronic_address_scheme)
    if party.vat_id:
        _B.el(_B.el(p, "ram:SpecifiedTaxRegistration"), "ram:ID", party.vat_id, schemeID="VA")
    if party.tax_registration_id:
        _B.el(_B.el(p, "ram:SpecifiedTaxRegistration"), "ram:ID", party.tax_registration_id, schemeID="FC")


def _allowance(parent: etree._Element, ac: AllowanceCharge, with_tax: bool) -> None:
    a = _B.el(parent, "ram:SpecifiedTradeAllowanceCharge")
    _B.el(_B.el(a, "ram:ChargeIndicator"), "udt:Indicator", "true" if ac.is_charge else "false")
    if ac.percent is not None:
        _B.el(a, "ram:CalculationPercent", fmt_decimal(ac.percent))
    _B.amount(a, "ram:BasisAmount", ac.base_amount)
    _B.amount(a, "ram:ActualAmount", ac.amount)
    _B.sub(a, "ram:ReasonCode", ac.reason_code)
    _B.sub(a, "ram:Reason", ac.reason)
    if with_tax:
        tax = _B.el(a, "ram:CategoryTradeTax")
        _B.el(tax, "ram:TypeCode", "VAT")
        _B.sub(tax, "ram:CategoryCode", ac.vat_category)
        if ac.vat_rate is not None:
            _B.el(tax, "ram:RateApplicablePercent", fmt_decimal(ac.vat_rate))


def _line(parent: etree._Element, line: Line) -> None:
    item = _B.el(parent, "ram:IncludedSupplyChainTradeLineItem")
    doc = _B.el(item, "ram:AssociatedDocumentLineDocument")
    _B.el(doc, "ram:LineID", line.id)
    if line.note:
        _B.el(_B.el(doc, "ram:IncludedNote"), "ram:Content", line.note)
    product = _B.el(item, "ram:SpecifiedTradeProduct")
    _B.sub(product, "ram:GlobalID", line.standard_item_id, schemeID=line.standard_item_scheme)
    _B.sub(product, "ram:SellerAssignedID", line.seller_item_id)
    _B.sub(product, "ram:BuyerAssignedID", line.buyer_item_id)
    _B.el(product, "ram:Name", line.name)
    _B.sub(product, "ram:Description", line.description)
    for name, value in line.attributes.items():
        char = _B.el(product, "ram:ApplicableProductCharacteristic")
        _B.el(char, "ram:Description", name)
        _B.el(char, "ram:Value", value)
    for code in line.classification_ids:
        cls = _B.el(product, "ram:DesignatedProductClassification")
        _B.el(cls, "ram:ClassCode", code, listID=line.classification_schemes.get(code))
    if line.origin_country:
        _B.el(_B.el(product, "ram:OriginTradeCountry"), "ram:ID", line.origin_country)
    agreement = _B.el(item, "ram:SpecifiedLineTradeAgreement")
    if line.order_line_ref:
        _B.el(_B.el(agreement, "ram:BuyerOrderReferencedDocument"), "ram:LineID", line.order_line_ref)
    base_unit = line.price_base_unit
    if line.gross_price is not None:
        gross = _B.el(agreement, "ram:GrossPriceProductTradePrice")
        _B.el(gross, "ram:ChargeAmount", fmt_decimal(line.gross_price))
        if line.price_base_quantity is not None:
            _B.el(gross, "ram:BasisQuantity", fmt_decimal(line.price_base_quantity), unitCode=base_unit)
        if line.price_discount is not None:
            discount = _B.el(gross, "ram:AppliedTradeAllowanceCharge")
            _B.el(_B.el(discount, "ram:ChargeIndicator"), "udt:Indicator", "false")
            _B.el(discount, "ram:ActualAmount", fmt_decimal(line.price_discount))
    net = _B.el(agreement, "ram:NetPriceProductTradePrice")
    _B.el(net, "ram:ChargeAmount", fmt_decimal(line.net_price))
    if line.price_base_quantity is not None:
        _B.el(net, "ram:BasisQuantity", fmt_decimal(line.price_base_quantity), unitCode=base_unit)
    delivery = _B.el(item, "ram:SpecifiedLineTradeDelivery")
    _B.el(delivery, "ram:BilledQuantity", fmt_decimal(line.quantity), unitCode=line.unit or "C62")
    settlement = _B.el(item, "ram:SpecifiedLineTradeSettlement")
    tax = _B.el(settlement, "ram:ApplicableTradeTax")
    _B.el(tax, "ram:TypeCode", "VAT")
    _B.sub(tax, "ram:CategoryCode", line.vat_category)
    if line.vat_rate is not None:
        _B.el(tax, "ram:RateApplicablePercent", fmt_decimal(line.vat_rate))
    _B.period(settlement, line.period_start, line.period_end)
    for ac in line.allowances_charges:
        _allowance(settlement, ac, with_tax=False)
    summation = _B.el(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
    _B.amount(summation, "ram:LineTotalAmount", line.net_amount)
    _object_reference(settlement, line.object_id, line.object_id_scheme)
    if line.accounting_ref:
        _B.el(
            _B.el(settlement, "ram:ReceivableSpecifiedTradeAccountingAccount"), "ram:ID", line.accounting_ref
        )


def _object_reference(parent: etree._Element, ident: str | None, scheme: str | None) -> None:
    """An invoiced object identifier (BT-18, or BT-128 on a line): a referenced document typed 130."""
    if ident:
        ref = _B.el(parent, "ram:AdditionalReferencedDocument")
        _B.el(ref, "ram:IssuerAssignedID", ident)
        _B.el(ref, "ram:TypeCode", "130")
        _B.sub(ref, "ram:ReferenceTypeCode", scheme)


def _agreement(tx: etree._Element, inv: Invoice) -> None:
    agreement = _B.el(tx, "ram:ApplicableHeaderTradeAgreement")
    _B.sub(agreement, "ram:BuyerReference", inv.buyer_reference)
    _party(agreement, "ram:SellerTradeParty", inv.seller)
    _party(agreement, "ram:BuyerTradeParty", inv.buyer)
    _party(agreement, "ram:SellerTaxRepresentativeTradeParty", inv.tax_representative)
    for tag, value in (
        ("ram:SellerOrderReferencedDocument", inv.sales_order),
        ("ram:BuyerOrderReferencedDocument", inv.purchase_order),
        ("ram:ContractReferencedDocument", inv.contract_ref),
    ):
        if value:
            _B.el(_B.el(agreement, tag), "ram:IssuerAssignedID", value)
    for att in inv.attachments:
        ref = _B.el(agreement, "ram:AdditionalReferencedDocument")
        _B.el(ref, "ram:IssuerAssignedID", att.id)
        _B.sub(ref, "ram:URIID", att.uri)
        _B.el(ref, "ram:TypeCode", "916")
        _B.sub(ref, "ram:Name", att.description)
        if att.content is not None:
            binary_object(ref, qualified(NS, "ram:AttachmentBinaryObject"), att)
    if inv.tender_ref:
        ref = _B.el(agreement, "ram:AdditionalReferencedDocument")
        _B.el(ref, "ram:IssuerAssignedID", inv.tender_ref)
        _B.el(ref, "ram:TypeCode", "50")
    _object_reference(agreement, inv.invoiced_object, inv.invoiced_object_scheme)
    if inv.project_ref:
        project = _B.el(agreement, "ram:SpecifiedProcuringProject")
        _B.el(project, "ram:ID", inv.project_ref)
        _B.el(project, "ram:Name", "Project reference")  # BT-11 has no name; the XSD wants one


def _delivery(tx: etree._Element, inv: Invoice) -> None:
    delivery = _B.el(tx, "ram:ApplicableHeaderTradeDelivery")
    d = inv.delivery
    if d.party_name or d.location_id or not d.address.is_empty():
        ship_to = _B.el(delivery, "ram:ShipToTradeParty")
        if d.location_scheme:
            _B.sub(ship_to, "ram:GlobalID", d.location_id, schemeID=d.location_scheme)
        else:
            _B.sub(ship_to, "ram:ID", d.location_id)
        _B.sub(ship_to, "ram:Name", d.party_name)
        _address(ship_to, d.address)
    if d.date:
        event = _B.el(delivery, "ram:ActualDeliverySupplyChainEvent")
        _B.date(event, "ram:OccurrenceDateTime", d.date)
    if inv.despatch_advice:
        _B.el(
            _B.el(delivery, "ram:DespatchAdviceReferencedDocument"),
            "ram:IssuerAssignedID",
            inv.despatch_advice,
        )
    if inv.receiving_advice:
        _B.el(
            _B.el(delivery, "ram:ReceivingAdviceReferencedDocument"),
            "ram:IssuerAssignedID",
            inv.receiving_advice,
        )


def _settlement(tx: etree._Element, inv: Invoice) -> None:
    s = _B.el(tx, "ram:ApplicableHeaderTradeSettlement")
    pay = inv.payment
    _B.sub(s, "ram:CreditorReferenceID", pay.creditor_id)
    _B.sub(s, "ram:PaymentReference", pay.remittance_info)
    _B.sub(s, "ram:TaxCurrencyCode", inv.vat_currency)
    _B.el(s, "ram:InvoiceCurrencyCode", inv.currency)
    _party(s, "ram:PayeeTradeParty", inv.payee)
    if pay.means_code:
        means = _B.el(s, "ram:SpecifiedTradeSettlementPaymentMeans")
        _B.el(means, "ram:TypeCode", pay.means_code)
        _B.sub(means, "ram:Information", pay.means_text)
        if pay.card_pan:
            card = _B.el(means, "ram:ApplicableTradeSettlementFinancialCard")
            _B.el(card, "ram:ID", pay.card_pan)
            _B.sub(card, "ram:CardholderName", pay.card_holder)
        if pay.debited_account:
            _B.el(_B.el(means, "ram:PayerPartyDebtorFinancialAccount"), "ram:IBANID", pay.debited_account)
        if pay.iban or pay.account_name:
            account = _B.el(means, "ram:PayeePartyCreditorFinancialAccount")
            if pay.iban and _is_iban(pay.iban):
                _B.el(account, "ram:IBANID", pay.iban)
            _B.sub(account, "ram:AccountName", pay.account_name)
            if pay.iban and not _is_iban(pay.iban):
                _B.el(account, "ram:ProprietaryID", pay.iban)
        if pay.bic:
            _B.el(_B.el(means, "ram:PayeeSpecifiedCreditorFinancialInstitution"), "ram:BICID", pay.bic)
    header_code = VAT_DATE_2005_TO_CII.get(inv.vat_due_date_code or "", inv.vat_due_date_code)
    for index, bd in enumerate(inv.vat_breakdown):
        tax = _B.el(s, "ram:ApplicableTradeTax")
        _B.amount(tax, "ram:CalculatedAmount", bd.tax_amount)
        _B.el(tax, "ram:TypeCode", "VAT")
        _B.sub(tax, "ram:ExemptionReason", bd.exemption_reason)
        _B.amount(tax, "ram:BasisAmount", bd.taxable_amount)
        _B.el(tax, "ram:CategoryCode", bd.category)
        _B.sub(tax, "ram:ExemptionReasonCode", bd.exemption_reason_code)
        if index == 0:  # BT-7 is one date: CII-SR-461 allows a single TaxPointDate
            _B.date(tax, "ram:TaxPointDate", inv.tax_point_date, inner="udt:DateString")
        _B.sub(tax, "ram:DueDateTypeCode", bd.due_date_type_code or header_code)
        if bd.rate is not None:
            _B.el(tax, "ram:RateApplicablePercent", fmt_decimal(bd.rate))
    _B.period(s, inv.period_start, inv.period_end)
    for ac in inv.allowances_charges:
        _allowance(s, ac, with_tax=True)
    if inv.payment_terms or inv.due_date or pay.mandate_ref:
        terms = _B.el(s, "ram:SpecifiedTradePaymentTerms")
        _B.sub(terms, "ram:Description", inv.payment_terms)
        _B.date(terms, "ram:DueDateDateTime", inv.due_date)
        _B.sub(terms, "ram:DirectDebitMandateID", pay.mandate_ref)
    t = inv.totals
    sums = _B.el(s, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _B.amount(sums, "ram:LineTotalAmount", t.line_total)
    _B.amount(sums, "ram:ChargeTotalAmount", t.charge_total)
    _B.amount(sums, "ram:AllowanceTotalAmount", t.allowance_total)
    _B.amount(sums, "ram:TaxBasisTotalAmount", t.tax_exclusive)
    _B.amount(sums, "ram:TaxTotalAmount", t.vat_total, currencyID=inv.currency)
    if inv.vat_currency and inv.vat_currency != inv.currency:
        _B.amount(sums, "ram:TaxTotalAmount", t.vat_total_accounting, currencyID=inv.vat_currency)
    _B.amount(sums, "ram:RoundingAmount", t.rounding)
    _B.amount(sums, "ram:GrandTotalAmount", t.tax_inclusive)
    _B.amount(sums, "ram:TotalPrepaidAmount", t.prepaid)
    _B.amount(sums, "ram:DuePayableAmount", t.payable)
    for preceding in inv.preceding_invoices[:1]:  # CII carries one (BG-3 repeats only in UBL)
        ref = _B.el(s, "ram:InvoiceReferencedDocument")
        _B.el(ref, "ram:IssuerAssignedID", preceding.number)
        _B.date(ref, "ram:FormattedIssueDateTime", preceding.issue_date, inner="qdt:DateTimeString")
    if inv.buyer_accounting_ref:
        _B.el(_B.el(s, "ram:ReceivableSpecifiedTradeAccountingAccount"), "ram:ID", inv.buyer_accounting_ref)


def build(inv: Invoice, profile: str = "EN16931") -> etree._Element:
    """The full EN 16931 CII tree for the model (not yet restricted to a Factur-X level)."""
    root = etree.Element(
        f"{{{RSM}}}CrossIndustryInvoice", nsmap={"rsm": RSM, "qdt": QDT, "ram": RAM, "udt": UDT}
    )
    context = _B.el(root, "rsm:ExchangedDocumentContext")
    if inv.business_process:
        _B.el(
            _B.el(context, "ram:BusinessProcessSpecifiedDocumentContextParameter"),
            "ram:ID",
            inv.business_process,
        )
    guideline = PROFILE_GUIDELINES.get(profile) or inv.specification_id or PROFILE_GUIDELINES["EN16931"]
    _B.el(_B.el(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", guideline)
    doc = _B.el(root, "rsm:ExchangedDocument")
    _B.el(doc, "ram:ID", inv.number)
    _B.el(doc, "ram:TypeCode", inv.type_code)
    if inv.issue_date is None:
        raise ValueError("cannot write CII without an issue date (BT-2)")
    _B.date(doc, "ram:IssueDateTime", inv.issue_date)
    for note in inv.notes:
        n = _B.el(doc, "ram:IncludedNote")
        _B.el(n, "ram:Content", note.text)
        _B.sub(n, "ram:SubjectCode", note.subject_code)
    tx = _B.el(root, "rsm:SupplyChainTradeTransaction")
    for line in inv.lines:
        _line(tx, line)
    _agreement(tx, inv)
    _delivery(tx, inv)
    _settlement(tx, inv)
    return root


# --- restriction to a Factur-X level ----------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _allowed_children(xsd_name: str) -> dict[str, dict[str, str]]:
    """complexType name -> {child element local name: its type name}, over every XSD of a level."""
    from jalon.formats.validation import xsd_path

    folder = Path(xsd_path(xsd_name)).parent
    xs = "{http://www.w3.org/2001/XMLSchema}"
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    types: dict[str, dict[str, str]] = {}
    for path in folder.glob("*.xsd"):
        tree = etree.parse(str(path), parser)
        for complex_type in tree.getroot().iter(f"{xs}complexType"):
            name = complex_type.get("name")
            if name:
                types[name] = {
                    e.get("name"): (e.get("type") or "").rpartition(":")[2]
                    for e in complex_type.iter(f"{xs}element")
                    if e.get("name")
                }
    return types


def _prune(root: etree._Element, profile: str) -> None:
    types = _allowed_children(_LEVEL_XSD[profile])

    def walk(element: etree._Element, type_name: str) -> None:
        allowed = types.get(type_name)
        if allowed is None:
            return  # a leaf (udt/qdt) type
        for child in list(element):
            local = etree.QName(child).localname
            if local not in allowed:
                element.remove(child)
            else:
                walk(child, allowed[local])

    walk(root, "CrossIndustryInvoiceType")
    for path in _NOT_IN_PROFILE.get(profile, ()):
        for found in root.findall(path, NS):
            found.getparent().remove(found)
    if profile == "MINIMUM":  # MINIMUM has no BT-6: the VAT total in accounting currency (BT-111) goes
        sums = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/"
        currency = root.findtext(f"{sums}ram:InvoiceCurrencyCode", namespaces=NS)
        for total in root.findall(
            f"{sums}ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:TaxTotalAmount", NS
        ):
            if total.get("currencyID") != currency:
                total.getparent().remove(total)


def write_cii(inv: Invoice, *, profile: str = "EN16931", french: bool = False) -> bytes:
    """CII XML bytes for the model in one profile. `french=True` (implied by EXTENDED-CTC-FR) completes what
    the French reform adds (BT-23 from the operation category, mention notes, SIREN-based addresses)."""
    profile = profile.upper()
    if profile not in PROFILES:
        raise ValueError(f"unknown CII profile {profile!r}: use one of {', '.join(PROFILES)}")
    french = french or profile == "EXTENDED-CTC-FR"
    prepared = mentions.complete_for_output(inv, french=french)
    root = build(prepared, profile)
    if profile in _LEVEL_XSD:
        _prune(root, profile)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
