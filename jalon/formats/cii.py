"""UN/CEFACT Cross Industry Invoice <-> invoice model: read and write CII D16B / D22B (Factur-X, ZUGFeRD 2.x,
XRechnung CII), and read ZUGFeRD 1.0.

The reader is one walk over the EN 16931 CII binding; ZUGFeRD 1.0 uses the same walk with its own namespaces
and the element names it had before D16B renamed them (`_ZF1_RENAMES`). The writer emits elements in the XSD
sequence order for the profile asked (`write_cii(invoice, profile=…, version=…)`), and leaves out what the
profile does not allow.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal

from lxml import etree

from jalon.formats import mentions, xmlsafe
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
    Totals,
    VatBreakdown,
)
from jalon.formats.xmlread import XmlReader, add_classification, add_identifier, set_legal_id
from jalon.formats.xmltext import date_102, decimal, text

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NS = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}

ZF1_RSM = "urn:ferd:CrossIndustryDocument:invoice:1p0"
NS_ZF1 = {
    "rsm": ZF1_RSM,
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:12",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:15",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:12",
}
# D16B name -> ZUGFeRD 1.0 name, for the elements the reader walks.
_ZF1_RENAMES = {
    "rsm:ExchangedDocumentContext": "rsm:SpecifiedExchangedDocumentContext",
    "rsm:ExchangedDocument": "rsm:HeaderExchangedDocument",
    "rsm:SupplyChainTradeTransaction": "rsm:SpecifiedSupplyChainTradeTransaction",
    "ram:ApplicableHeaderTradeAgreement": "ram:ApplicableSupplyChainTradeAgreement",
    "ram:ApplicableHeaderTradeDelivery": "ram:ApplicableSupplyChainTradeDelivery",
    "ram:ApplicableHeaderTradeSettlement": "ram:ApplicableSupplyChainTradeSettlement",
    "ram:SpecifiedLineTradeAgreement": "ram:SpecifiedSupplyChainTradeAgreement",
    "ram:SpecifiedLineTradeDelivery": "ram:SpecifiedSupplyChainTradeDelivery",
    "ram:SpecifiedLineTradeSettlement": "ram:SpecifiedSupplyChainTradeSettlement",
    "ram:SpecifiedTradeSettlementHeaderMonetarySummation": "ram:SpecifiedTradeSettlementMonetarySummation",
    "ram:SpecifiedTradeSettlementLineMonetarySummation": "ram:SpecifiedTradeSettlementMonetarySummation",
    "ram:RateApplicablePercent": "ram:ApplicablePercent",
    "ram:IssuerAssignedID": "ram:ID",
}

# BT-24 guideline id -> profile name used across jalon (validation picks its rule sets by these names).
PROFILE_URNS = {
    "urn:factur-x.eu:1p0:minimum": "MINIMUM",
    "urn:factur-x.eu:1p0:basicwl": "BASIC-WL",
    "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic": "BASIC",
    "urn:cen.eu:en16931:2017": "EN16931",
    "urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended": "EXTENDED",
    "urn:cen.eu:en16931:2017#conformant#urn.cpro.gouv.fr:1p0:extended-ctc-fr": "EXTENDED-CTC-FR",
    "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0": "PEPPOL",
}
PROFILE_GUIDELINES = {name: urn for urn, name in PROFILE_URNS.items()}

# BT-8: model keeps UNTDID 2005 (UBL) codes; CII uses UNTDID 2475.
VAT_DATE_CII_TO_2005 = {"5": "3", "29": "35", "72": "432"}
VAT_DATE_2005_TO_CII = {v: k for k, v in VAT_DATE_CII_TO_2005.items()}


def profile_from_guideline(guideline: str | None) -> str | None:
    """The jalon profile name for a BT-24 value; None when unknown."""
    if not guideline:
        return None
    urn = guideline.strip()
    if urn in PROFILE_URNS:
        return PROFILE_URNS[urn]
    low = urn.lower()
    if "extended-ctc-fr" in low:
        return "EXTENDED-CTC-FR"
    if "xrechnung" in low:
        return "XRECHNUNG"
    if "peppol" in low:
        return "PEPPOL"
    if low.startswith("urn:ferd:crossindustrydocument:invoice:1p0"):
        return "ZUGFERD1-" + urn.rsplit(":", 1)[-1].upper()
    for key, name in (
        ("extended", "EXTENDED"),
        ("basicwl", "BASIC-WL"),
        ("basic", "BASIC"),
        ("minimum", "MINIMUM"),
    ):
        if key in low:
            return name
    if "en16931" in low or "comfort" in low:
        return "EN16931"
    return None


class _Dialect:
    """Namespaces and element names of one CII generation; paths are written in D16B names."""

    def __init__(self, namespaces: dict[str, str], renames: dict[str, str]) -> None:
        self.ns = namespaces
        self.renames = renames

    @functools.lru_cache(maxsize=512)  # noqa: B019 - two long-lived instances, bounded cache
    def path(self, path: str) -> str:
        parts = [self.renames.get(part, part) for part in path.split("/")]
        out = []
        for part in parts:
            prefix, _, local = part.partition(":")
            out.append(f"{{{self.ns[prefix]}}}{local}" if local else part)
        return "/".join(out)


_D16B = _Dialect(NS, {})
_ZF1 = _Dialect(NS_ZF1, _ZF1_RENAMES)


class _Reader(XmlReader):
    def __init__(self, dialect: _Dialect) -> None:
        super().__init__()
        self.d = dialect

    def find(self, el: etree._Element | None, path: str) -> etree._Element | None:
        return None if el is None else el.find(self.d.path(path))

    def findall(self, el: etree._Element | None, path: str) -> list[etree._Element]:
        return [] if el is None else el.findall(self.d.path(path))

    def date(self, el: etree._Element | None, path: str) -> dt.date | None:
        """A date below a *DateTime element (udt:DateTimeString, udt:DateString or qdt:DateTimeString)."""
        holder = self.find(el, path)
        if holder is None:
            return None
        for child in holder:
            if isinstance(child.tag, str) and child.tag.endswith(("DateTimeString", "DateString")):
                try:
                    return date_102(text(child), child.get("format"), path.rsplit(":", 1)[-1])
                except ValueError as error:
                    # A bad date loses that date, not the invoice: the checks then report it missing.
                    self.warnings.append(str(error))
                    return None
        return None

    # --- groups ----------------------------------------------------------------------------------------

    def address(self, el: etree._Element | None) -> Address:
        a = self.find(el, "ram:PostalTradeAddress")
        if a is None:
            return Address()
        return Address(
            line1=self.t(a, "ram:LineOne"),
            line2=self.t(a, "ram:LineTwo"),
            line3=self.t(a, "ram:LineThree"),
            city=self.t(a, "ram:CityName"),
            postcode=self.t(a, "ram:PostcodeCode"),
            subdivision=self.t(a, "ram:CountrySubDivisionName"),
            country=self.t(a, "ram:CountryID"),
        )

    def party(self, el: etree._Element | None) -> Party | None:
        if el is None:
            return None
        party = Party(name=self.t(el, "ram:Name"), legal_form=self.t(el, "ram:Description"))
        for ident in self.findall(el, "ram:ID"):
            if text(ident):
                party.identifiers.append(text(ident))  # type: ignore[arg-type]
        for ident in self.findall(el, "ram:GlobalID"):
            value, scheme = text(ident), ident.get("schemeID")
            if value:
                add_identifier(party, value, scheme)
        legal = self.find(el, "ram:SpecifiedLegalOrganization")
        if legal is not None:
            ident = self.find(legal, "ram:ID")
            set_legal_id(party, text(ident), None if ident is None else ident.get("schemeID"))
            party.trading_name = self.t(legal, "ram:TradingBusinessName")
        contact = self.find(el, "ram:DefinedTradeContact")
        if contact is not None:
            party.contact = Contact(
                name=self.t(contact, "ram:PersonName") or self.t(contact, "ram:DepartmentName"),
                phone=self.t(contact, "ram:TelephoneUniversalCommunication/ram:CompleteNumber"),
                email=self.t(contact, "ram:EmailURIUniversalCommunication/ram:URIID"),
            )
        party.address = self.address(el)
        uri = self.find(el, "ram:URIUniversalCommunication/ram:URIID")
        if text(uri):
            party.electronic_address, party.electronic_address_scheme = text(uri), uri.get("schemeID")  # type: ignore[union-attr]
        for reg in self.findall(el, "ram:SpecifiedTaxRegistration/ram:ID"):
            scheme = (reg.get("schemeID") or "").upper()
            if scheme == "VA" and not party.vat_id:
                party.vat_id = text(reg)
            elif scheme == "FC" and not party.tax_registration_id:
                party.tax_registration_id = text(reg)
        return party

    def allowance(self, el: etree._Element, tax_path: str | None) -> AllowanceCharge:
        indicator = (self.t(el, "ram:ChargeIndicator/udt:Indicator") or "false").lower()
        ac = AllowanceCharge(
            is_charge=indicator in ("true", "1"),
            amount=self.num(el, "ram:ActualAmount") or Decimal("0"),
            base_amount=self.num(el, "ram:BasisAmount"),
            percent=self.num(el, "ram:CalculationPercent"),
            reason=self.t(el, "ram:Reason"),
            reason_code=self.t(el, "ram:ReasonCode"),
        )
        if tax_path:
            tax = self.find(el, tax_path)
            ac.vat_category = self.t(tax, "ram:CategoryCode")
            ac.vat_rate = self.num(tax, "ram:RateApplicablePercent")
        return ac

    def line(self, el: etree._Element) -> Line:
        doc = self.find(el, "ram:AssociatedDocumentLineDocument")
        product = self.find(el, "ram:SpecifiedTradeProduct")
        agreement = self.find(el, "ram:SpecifiedLineTradeAgreement")
        delivery = self.find(el, "ram:SpecifiedLineTradeDelivery")
        settlement = self.find(el, "ram:SpecifiedLineTradeSettlement")
        notes = [self.t(n, "ram:Content") for n in self.findall(doc, "ram:IncludedNote")]
        line = Line(id=self.t(doc, "ram:LineID") or "", note="\n".join(n for n in notes if n) or None)
        line.name = self.t(product, "ram:Name") or ""
        line.description = self.t(product, "ram:Description")
        line.seller_item_id = self.t(product, "ram:SellerAssignedID")
        line.buyer_item_id = self.t(product, "ram:BuyerAssignedID")
        gid = self.find(product, "ram:GlobalID")
        if text(gid):
            line.standard_item_id, line.standard_item_scheme = text(gid), gid.get("schemeID")  # type: ignore[union-attr]
        for char in self.findall(product, "ram:ApplicableProductCharacteristic"):
            name = self.t(char, "ram:Description")
            if name:
                line.attributes[name] = self.t(char, "ram:Value") or ""
        for code in self.findall(product, "ram:DesignatedProductClassification/ram:ClassCode"):
            add_classification(line, code)
        line.origin_country = self.t(product, "ram:OriginTradeCountry/ram:ID")
        line.order_line_ref = self.t(agreement, "ram:BuyerOrderReferencedDocument/ram:LineID")
        gross = self.find(agreement, "ram:GrossPriceProductTradePrice")
        net = self.find(agreement, "ram:NetPriceProductTradePrice")
        line.gross_price = self.num(gross, "ram:ChargeAmount")
        discounts = [
            self.num(a, "ram:ActualAmount") for a in self.findall(gross, "ram:AppliedTradeAllowanceCharge")
        ]
        if any(d is not None for d in discounts):
            line.price_discount = sum((d for d in discounts if d is not None), Decimal("0"))
        line.net_price = self.num(net, "ram:ChargeAmount") or Decimal("0")
        basis = self.find(net, "ram:BasisQuantity")
        if basis is None:
            basis = self.find(gross, "ram:BasisQuantity")
        if basis is not None:
            line.price_base_quantity = decimal(text(basis), "BasisQuantity")
            line.price_base_unit = basis.get("unitCode")
        qty = self.find(delivery, "ram:BilledQuantity")
        line.quantity = decimal(text(qty), "BilledQuantity") or Decimal("0")
        line.unit = None if qty is None else qty.get("unitCode")
        tax = self.find(settlement, "ram:ApplicableTradeTax")
        line.vat_category = self.t(tax, "ram:CategoryCode")
        line.vat_rate = self.num(tax, "ram:RateApplicablePercent")
        line.period_start = self.date(settlement, "ram:BillingSpecifiedPeriod/ram:StartDateTime")
        line.period_end = self.date(settlement, "ram:BillingSpecifiedPeriod/ram:EndDateTime")
        for ac in self.findall(settlement, "ram:SpecifiedTradeAllowanceCharge"):
            line.allowances_charges.append(self.allowance(ac, None))
        line.net_amount = self.num(
            settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount"
        ) or Decimal("0")
        for ref in self.findall(settlement, "ram:AdditionalReferencedDocument"):
            if self.t(ref, "ram:TypeCode") == "130":
                line.object_id = self.t(ref, "ram:IssuerAssignedID")
                line.object_id_scheme = self.t(ref, "ram:ReferenceTypeCode")
        line.accounting_ref = self.t(settlement, "ram:ReceivableSpecifiedTradeAccountingAccount/ram:ID")
        return line


def _read(root: etree._Element, r: _Reader) -> Invoice:
    inv = Invoice(source="xml")
    context = r.find(root, "rsm:ExchangedDocumentContext")
    inv.business_process = r.t(context, "ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID")
    inv.specification_id = r.t(context, "ram:GuidelineSpecifiedDocumentContextParameter/ram:ID")
    inv.profile = profile_from_guideline(inv.specification_id)

    doc = r.find(root, "rsm:ExchangedDocument")
    if doc is None:
        raise ValueError("CII without ExchangedDocument: not an invoice")
    inv.number = r.t(doc, "ram:ID") or ""
    inv.type_code = r.t(doc, "ram:TypeCode") or "380"
    inv.issue_date = r.date(doc, "ram:IssueDateTime")
    for note in r.findall(doc, "ram:IncludedNote"):
        content = r.t(note, "ram:Content")
        if content:
            inv.notes.append(Note(text=content, subject_code=r.t(note, "ram:SubjectCode")))

    tx = r.find(root, "rsm:SupplyChainTradeTransaction")
    if tx is None:
        raise ValueError("CII without SupplyChainTradeTransaction: not an invoice")
    agreement = r.find(tx, "ram:ApplicableHeaderTradeAgreement")
    delivery = r.find(tx, "ram:ApplicableHeaderTradeDelivery")
    settlement = r.find(tx, "ram:ApplicableHeaderTradeSettlement")

    inv.buyer_reference = r.t(agreement, "ram:BuyerReference")
    inv.seller = r.party(r.find(agreement, "ram:SellerTradeParty")) or Party()
    inv.buyer = r.party(r.find(agreement, "ram:BuyerTradeParty")) or Party()
    inv.tax_representative = r.party(r.find(agreement, "ram:SellerTaxRepresentativeTradeParty"))
    inv.sales_order = r.t(agreement, "ram:SellerOrderReferencedDocument/ram:IssuerAssignedID")
    inv.purchase_order = r.t(agreement, "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID")
    inv.contract_ref = r.t(agreement, "ram:ContractReferencedDocument/ram:IssuerAssignedID")
    for ref in r.findall(agreement, "ram:AdditionalReferencedDocument"):
        code = r.t(ref, "ram:TypeCode")
        if code == "50":
            inv.tender_ref = r.t(ref, "ram:IssuerAssignedID")
        elif code == "130":
            inv.invoiced_object = r.t(ref, "ram:IssuerAssignedID")
            inv.invoiced_object_scheme = r.t(ref, "ram:ReferenceTypeCode")
        else:
            inv.attachments.append(
                r.attachment(
                    ref, "ram:IssuerAssignedID", "ram:Name", "ram:URIID", "ram:AttachmentBinaryObject"
                )
            )
    inv.project_ref = r.t(agreement, "ram:SpecifiedProcuringProject/ram:ID")

    ship_to = r.find(delivery, "ram:ShipToTradeParty")
    global_id = r.find(ship_to, "ram:GlobalID")
    inv.delivery = Delivery(
        party_name=r.t(ship_to, "ram:Name"),
        location_id=r.t(ship_to, "ram:ID") or text(global_id),
        location_scheme=None
        if r.find(ship_to, "ram:ID") is not None or global_id is None
        else global_id.get("schemeID"),
        date=r.date(delivery, "ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime"),
        address=r.address(ship_to),
    )
    inv.despatch_advice = r.t(delivery, "ram:DespatchAdviceReferencedDocument/ram:IssuerAssignedID")
    inv.receiving_advice = r.t(delivery, "ram:ReceivingAdviceReferencedDocument/ram:IssuerAssignedID")

    _read_settlement(r, settlement, inv)
    inv.lines = [r.line(el) for el in r.findall(tx, "ram:IncludedSupplyChainTradeLineItem")]
    mentions.fill_from_codes(inv)
    return inv


def _read_settlement(r: _Reader, settlement: etree._Element | None, inv: Invoice) -> None:
    if settlement is None:
        raise ValueError("CII without ApplicableHeaderTradeSettlement: not an invoice")
    inv.currency = r.t(settlement, "ram:InvoiceCurrencyCode") or inv.currency
    inv.vat_currency = r.t(settlement, "ram:TaxCurrencyCode")
    payee = r.find(settlement, "ram:PayeeTradeParty")
    inv.payee = r.party(payee)
    pay = Payment(creditor_id=r.t(settlement, "ram:CreditorReferenceID"))
    pay.remittance_info = r.t(settlement, "ram:PaymentReference")
    means = r.find(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
    if means is not None:
        pay.means_code = r.t(means, "ram:TypeCode")
        pay.means_text = r.t(means, "ram:Information")
        pay.card_pan = r.t(means, "ram:ApplicableTradeSettlementFinancialCard/ram:ID")
        pay.card_holder = r.t(means, "ram:ApplicableTradeSettlementFinancialCard/ram:CardholderName")
        pay.debited_account = r.t(means, "ram:PayerPartyDebtorFinancialAccount/ram:IBANID")
        account = r.find(means, "ram:PayeePartyCreditorFinancialAccount")
        pay.iban = r.t(account, "ram:IBANID") or r.t(account, "ram:ProprietaryID")
        pay.account_name = r.t(account, "ram:AccountName")
        pay.bic = r.t(means, "ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID")
    for tax in r.findall(settlement, "ram:ApplicableTradeTax"):
        bd = VatBreakdown(
            category=r.t(tax, "ram:CategoryCode") or "S",
            rate=r.num(tax, "ram:RateApplicablePercent"),
            taxable_amount=r.num(tax, "ram:BasisAmount") or Decimal("0"),
            tax_amount=r.num(tax, "ram:CalculatedAmount") or Decimal("0"),
            exemption_reason=r.t(tax, "ram:ExemptionReason"),
            exemption_reason_code=r.t(tax, "ram:ExemptionReasonCode"),
            due_date_type_code=r.t(tax, "ram:DueDateTypeCode"),
        )
        inv.vat_breakdown.append(bd)
        inv.tax_point_date = inv.tax_point_date or r.date(tax, "ram:TaxPointDate")
        if bd.due_date_type_code and not inv.vat_due_date_code:
            inv.vat_due_date_code = VAT_DATE_CII_TO_2005.get(bd.due_date_type_code, bd.due_date_type_code)
    # BT-8 is one invoice-level term: a breakdown keeps its own code only when it differs from it.
    header_code = VAT_DATE_2005_TO_CII.get(inv.vat_due_date_code or "", inv.vat_due_date_code)
    for bd in inv.vat_breakdown:
        if bd.due_date_type_code == header_code:
            bd.due_date_type_code = None
    inv.period_start = r.date(settlement, "ram:BillingSpecifiedPeriod/ram:StartDateTime")
    inv.period_end = r.date(settlement, "ram:BillingSpecifiedPeriod/ram:EndDateTime")
    for ac in r.findall(settlement, "ram:SpecifiedTradeAllowanceCharge"):
        inv.allowances_charges.append(r.allowance(ac, "ram:CategoryTradeTax"))
    terms = r.find(settlement, "ram:SpecifiedTradePaymentTerms")
    if terms is not None:
        inv.payment_terms = r.t(terms, "ram:Description")
        inv.due_date = r.date(terms, "ram:DueDateDateTime")
        pay.mandate_ref = r.t(terms, "ram:DirectDebitMandateID")
    inv.payment = pay
    sums = r.find(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    vat_total = vat_accounting = None
    for amount in r.findall(sums, "ram:TaxTotalAmount"):
        currency = amount.get("currencyID")
        value = decimal(text(amount), "TaxTotalAmount")
        if currency and inv.vat_currency and currency == inv.vat_currency and currency != inv.currency:
            vat_accounting = value
        else:
            vat_total = value
    inv.totals = Totals(
        line_total=r.num(sums, "ram:LineTotalAmount") or Decimal("0"),
        allowance_total=r.num(sums, "ram:AllowanceTotalAmount"),
        charge_total=r.num(sums, "ram:ChargeTotalAmount"),
        tax_exclusive=r.num(sums, "ram:TaxBasisTotalAmount") or Decimal("0"),
        vat_total=vat_total,
        vat_total_accounting=vat_accounting,
        tax_inclusive=r.num(sums, "ram:GrandTotalAmount") or Decimal("0"),
        prepaid=r.num(sums, "ram:TotalPrepaidAmount"),
        rounding=r.num(sums, "ram:RoundingAmount"),
        payable=r.num(sums, "ram:DuePayableAmount") or Decimal("0"),
    )
    if r.find(sums, "ram:DuePayableAmount") is None and sums is not None:
        # ZUGFeRD 1.0 BASIC may omit it; EN 16931 defines it as BT-112 - BT-113 + BT-114.
        t = inv.totals
        t.payable = t.tax_inclusive - (t.prepaid or Decimal("0")) + (t.rounding or Decimal("0"))
    for ref in r.findall(settlement, "ram:InvoiceReferencedDocument"):
        number = r.t(ref, "ram:IssuerAssignedID")
        if number:
            inv.preceding_invoices.append(
                PrecedingInvoice(number=number, issue_date=r.date(ref, "ram:FormattedIssueDateTime"))
            )
    inv.buyer_accounting_ref = r.t(settlement, "ram:ReceivableSpecifiedTradeAccountingAccount/ram:ID")


def detect(root: etree._Element) -> str | None:
    """'cii' (D16B/D22B), 'zugferd1', or None for a root that is not CII."""
    if root.tag == f"{{{RSM}}}CrossIndustryInvoice":
        return "cii"
    if root.tag == f"{{{ZF1_RSM}}}CrossIndustryDocument":
        return "zugferd1"
    return None


def read_cii(xml: bytes | etree._Element) -> Invoice:
    """Read a CII invoice (bytes, or a root already parsed by xmlsafe) into the model.

    Raises ValueError (HostileXML for entity tricks) with a clear message for anything that is not a readable
    CII invoice.
    """
    root = xmlsafe.parse(xml) if isinstance(xml, bytes | bytearray) else xml
    kind = detect(root)
    if kind is None:
        raise ValueError(f"not a CII invoice: root element is {etree.QName(root).localname!r}")
    reader = _Reader(_D16B if kind == "cii" else _ZF1)
    invoice = _read(root, reader)
    invoice.reader_warnings.extend(reader.warnings)
    if kind == "zugferd1" and invoice.profile is None:
        invoice.profile = "ZUGFERD1"
    elif kind == "cii" and (invoice.profile or "").startswith("ZUGFERD1"):
        invoice.profile = "EN16931"  # a D16B file still naming the ZUGFeRD 1 comfort guideline
    return invoice


def write_cii(invoice: Invoice, *, profile: str = "EN16931", french: bool = False) -> bytes:
    """Model -> CII XML bytes (see `ciiwriter.write_cii`); valid against both the D16B and D22B XSDs."""
    from jalon.formats.ciiwriter import write_cii as write

    return write(invoice, profile=profile, french=french)
