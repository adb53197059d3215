"""Invoice model <-> EDIFACT INVOIC: write D96A in the EANCOM flavour (UNA UNB UNH BGM DTM FTX RFF NAD FII CTA
COM CUX PAT PAI ALC LIN PIA IMD QTY MOA PRI TAX UNS CNT MOA TAX UNT UNZ), and read INVOIC back (D96A EANCOM,
and the EN 16931 D14B examples' segments: NAD+SE, PYT). pydifact does the syntax (escaping, UNT/UNZ counts).

Qualifiers used, as data below: DTM 137 issue, 35 delivery, 13 due, 171 reference date, 194/206 period;
RFF ON order, VN sales order, CT contract, DQ despatch advice, IV preceding invoice, CR buyer reference,
AEP project; party RFF VA VAT, XA SIREN, GN other legal id, FC tax number, API SIRET, IT other ids;
MOA 203 line, 79 lines total, 125 taxable, 176 VAT (with a currency: in accounting currency), 77 invoice
total, 113 prepaid, 9 payable, 260/259 allowances/charges, 165 rounding, 204/23 allowance/charge, 25 base,
124 VAT per rate. Free texts: FTX with the note's subject code (AAI when none), PAI for payment terms.
"""

from __future__ import annotations

import datetime as dt
import warnings
from decimal import Decimal
from typing import Any

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
from jalon.formats.xmltext import fmt_amount, fmt_decimal

UNA = "UNA:+.? '"
MESSAGE_TYPE = ["INVOIC", "D", "96A", "UN", "EAN008"]
PARTY_ROLES = {
    "SU": "seller",
    "SE": "seller",
    "BY": "buyer",
    "PE": "payee",
    "DP": "delivery",
    "ST": "delivery",
}
REFERENCES = {
    "ON": "purchase_order",
    "VN": "sales_order",
    "CT": "contract_ref",
    "DQ": "despatch_advice",
    "CR": "buyer_reference",
    "AEP": "project_ref",
}
TOTALS = {
    "79": "line_total",
    "125": "tax_exclusive",
    "77": "tax_inclusive",
    "113": "prepaid",
    "9": "payable",
    "260": "allowance_total",
    "259": "charge_total",
    "165": "rounding",
}

# The EN 16931 EDIFACT binding (D14B) names two totals differently: read them too.
D14B_TOTALS = {"388": "tax_inclusive", "389": "tax_exclusive"}


# D96A's sizes: a name or address line an..35 (NAD: 5 name lines), an item description an..35 twice per IMD,
# a free text an..70 five times per FTX. Longer texts go on in further segments of the same kind.
NAME, DESCRIPTION, FREE_TEXT = 35, 35, 70


def _chunks(text: str | None, size: int = NAME, count: int = 5) -> list[str]:
    """The first `count` pieces of `text`, each at most `size` characters, cut between words."""
    return (_pieces(text, size) or [""])[:count]


def _pieces(text: str | None, size: int) -> list[str]:
    """`text` in pieces of at most `size` characters, cut at a space (consumed: joining the pieces with one
    space gives the text back); a word longer than `size` is cut inside."""
    words = " ".join((text or "").split()).split(" ") if text and text.strip() else []
    pieces: list[str] = []
    current = ""
    for word in words:
        while len(word) > size:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(word[:size])
            word = word[size:]
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= size:
            current += " " + word
        else:
            pieces.append(current)
            current = word
    if current:
        pieces.append(current)
    return pieces


def _segments(text: str | None, size: int, count: int) -> list[list[str]]:
    """The pieces of `text` grouped `count` per segment: one list per segment to write."""
    pieces = _pieces(text, size)
    return [pieces[i : i + count] for i in range(0, len(pieces), count)] or [[""]]


# UNOC is ISO 8859-1: what it cannot carry is written the way a person would type it.
_LATIN1 = str.maketrans({"€": "EUR", "—": "-", "–": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...",
                         "œ": "oe", "Œ": "OE", "\u202f": " ", "\u2009": " ", "•": "-"})  # fmt: skip


def _latin1(text: str) -> bytes:
    import unicodedata

    text = text.translate(_LATIN1)
    out = []
    for char in text:
        if ord(char) < 256:
            out.append(char)
        else:  # a letter with an accent Latin-1 lacks (ă, ő…): its letter
            out.append(unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode() or "?")
    return "".join(out).encode("latin-1")


def _date(value: dt.date) -> str:
    return value.strftime("%Y%m%d")


class _Out:
    def __init__(self) -> None:
        from pydifact.segments import Segment

        self.Segment = Segment
        self.segments: list[Any] = []

    def add(self, tag: str, *elements: Any) -> None:
        self.segments.append(self.Segment(tag, *elements))

    def moa(self, qualifier: str, value: Decimal | None, currency: str | None = None) -> None:
        if value is not None:
            self.add(
                "MOA",
                [qualifier, fmt_amount(value), currency] if currency else [qualifier, fmt_amount(value)],
            )

    def tax(self, category: str | None, rate: Decimal | None) -> None:
        self.add(
            "TAX",
            "7",
            "VAT",
            "",
            "",
            ["", "", "", fmt_decimal(rate) if rate is not None else ""],
            category or "",
        )

    def party(self, role: str, party: Party, *, with_bank: Any = None) -> None:
        gln = next((i for i in party.identifiers if party.identifier_schemes.get(i) == "0088"), None)
        a = party.address
        self.add(
            "NAD",
            role,
            [gln, "", "9"] if gln else "",
            "",
            _chunks(party.name),
            [a.line1 or "", a.line2 or "", a.line3 or ""],
            a.city or "",
            a.subdivision or "",
            a.postcode or "",
            a.country or "",
        )
        if with_bank is not None and (with_bank.iban or with_bank.bic):
            self.add(
                "FII",
                "RB",
                [with_bank.iban or "", with_bank.account_name or ""],
                [with_bank.bic or "", "25", "17"],
            )
        for qualifier, value in (
            ("VA", party.vat_id),
            ("XA", party.siren),
            ("GN", party.legal_id),
            ("FC", party.tax_registration_id),
            ("API", party.siret),
        ):
            if value:
                self.add("RFF", [qualifier, value])
        for ident in party.identifiers:
            if ident != gln:
                self.add("RFF", ["IT", ident])
        c = party.contact
        if c.name or c.phone or c.email:
            self.add("CTA", "IC", ["", c.name or ""])
            if c.phone:
                self.add("COM", [c.phone, "TE"])
            if c.email:
                self.add("COM", [c.email, "EM"])

    def allowance(self, ac: AllowanceCharge, with_tax: bool) -> None:
        self.add(
            "ALC", "C" if ac.is_charge else "A", "", "", "1", [ac.reason_code or "", "", "", ac.reason or ""]
        )
        if ac.percent is not None:
            self.add("PCD", ["1", fmt_decimal(ac.percent)])
        self.moa("23" if ac.is_charge else "204", ac.amount)
        self.moa("25", ac.base_amount)
        if with_tax:
            self.tax(ac.vat_category, ac.vat_rate)


def _line(out: _Out, line: Line) -> None:
    gtin = line.standard_item_id if line.standard_item_scheme == "0160" else None
    out.add("LIN", line.id, "", [gtin, "SRV"] if gtin else "")
    ids = [[line.seller_item_id, "SA"]] if line.seller_item_id else []
    if line.buyer_item_id:
        ids.append([line.buyer_item_id, "IN"])
    if ids:
        out.add("PIA", "5", *ids)
    for part in _segments(line.name, DESCRIPTION, 2):
        out.add("IMD", "F", "", ["", "", "", *part])
    if line.description:
        for part in _segments(line.description, DESCRIPTION, 2):
            out.add("IMD", "F", "DSC", ["", "", "", *part])
    out.add("QTY", ["47", fmt_decimal(line.quantity), line.unit or "C62"])
    if line.note:
        for part in _segments(line.note, FREE_TEXT, 5):
            out.add("FTX", "AAI", "", "", part)
    out.moa("203", line.net_amount)
    price = ["AAA", fmt_decimal(line.net_price), "", ""]
    if line.price_base_quantity is not None:
        price += [fmt_decimal(line.price_base_quantity), line.price_base_unit or ""]
    out.add("PRI", price)
    if line.gross_price is not None:
        out.add("PRI", ["AAB", fmt_decimal(line.gross_price)])
    if line.order_line_ref:
        out.add("RFF", ["LI", line.order_line_ref])
    out.tax(line.vat_category, line.vat_rate)
    for ac in line.allowances_charges:
        out.allowance(ac, with_tax=False)


def write_edifact(
    inv: Invoice,
    *,
    sender: str | None = None,
    recipient: str | None = None,
    reference: str | None = None,
    prepared_at: dt.datetime | None = None,
) -> bytes:
    """EDIFACT INVOIC D96A (EANCOM) bytes, in ISO 8859-1 as UNOC says; sender and recipient default to the
    parties' GLN, else VAT ids. The interchange is dated when it is prepared (`prepared_at`, now) and its
    control reference (`reference`) is unique per sender: made from that instant unless given."""
    from pydifact.segmentcollection import Interchange, Message

    from jalon.formats import mentions

    inv = mentions.complete_for_output(inv)
    if inv.issue_date is None:
        raise ValueError("cannot write EDIFACT without an issue date (BT-2)")

    def address_of(party: Party) -> list[str]:
        gln = next((i for i in party.identifiers if party.identifier_schemes.get(i) == "0088"), None)
        return [gln, "14"] if gln else [party.vat_id or party.siren or party.name or "UNKNOWN", "ZZZ"]

    out = _Out()
    out.add("BGM", inv.type_code, inv.number, "9")
    out.add("DTM", ["137", _date(inv.issue_date), "102"])
    if inv.delivery.date:
        out.add("DTM", ["35", _date(inv.delivery.date), "102"])
    if inv.period_start:
        out.add("DTM", ["194", _date(inv.period_start), "102"])
    if inv.period_end:
        out.add("DTM", ["206", _date(inv.period_end), "102"])
    for note in inv.notes:
        for part in _segments(note.text, FREE_TEXT, 5):
            out.add("FTX", note.subject_code or "AAI", "", "", part)
    if inv.payment_terms:
        for part in _segments(inv.payment_terms, FREE_TEXT, 5):
            out.add("FTX", "PAI", "", "", part)
    for qualifier, name in REFERENCES.items():
        if getattr(inv, name):
            out.add("RFF", [qualifier, getattr(inv, name)])
    for preceding in inv.preceding_invoices:
        out.add("RFF", ["IV", preceding.number])
        if preceding.issue_date:
            out.add("DTM", ["171", _date(preceding.issue_date), "102"])
    out.party("SU", inv.seller, with_bank=None if inv.payee else inv.payment)
    out.party("BY", inv.buyer)
    if inv.payee is not None:
        out.party("PE", inv.payee, with_bank=inv.payment)
    d = inv.delivery
    if d.party_name or d.location_id or not d.address.is_empty():
        ids = [d.location_id] if d.location_id else []
        out.party(
            "DP",
            Party(
                name=d.party_name,
                identifiers=ids,
                identifier_schemes={i: "0088" for i in ids},
                address=d.address,
            ),
        )
    out.add("CUX", ["2", inv.currency, "4"], *([["3", inv.vat_currency, "7"]] if inv.vat_currency else []))
    if inv.due_date:
        out.add("PAT", "1")
        out.add("DTM", ["13", _date(inv.due_date), "102"])
    if inv.payment.means_code:
        out.add("PAI", ["", "", inv.payment.means_code])
    for ac in inv.allowances_charges:
        out.allowance(ac, with_tax=True)
    for line in inv.lines:
        _line(out, line)
    out.add("UNS", "S")
    out.add("CNT", ["2", str(len(inv.lines))])
    t = inv.totals
    for qualifier, name in TOTALS.items():
        out.moa(qualifier, getattr(t, name))
    out.moa("176", t.vat_total)
    if inv.vat_currency and t.vat_total_accounting is not None:
        out.moa("176", t.vat_total_accounting, inv.vat_currency)
    for bd in inv.vat_breakdown:
        out.tax(bd.category, bd.rate)
        out.moa("125", bd.taxable_amount)
        out.moa("124", bd.tax_amount)
    prepared_at = prepared_at or dt.datetime.now(dt.UTC)
    reference = reference or prepared_at.strftime("%y%m%d%H%M%S") + f"{prepared_at.microsecond // 10000:02d}"
    interchange = Interchange(
        sender=sender.split(":") if sender else address_of(inv.seller),
        recipient=recipient.split(":") if recipient else address_of(inv.buyer),
        control_reference=reference,
        syntax_identifier=("UNOC", 3),
        timestamp=prepared_at.replace(tzinfo=None),
    )
    message = Message("1", MESSAGE_TYPE)  # the message's reference within its interchange
    message.add_segments(out.segments)
    interchange.add_message(message)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydifact warns it has no segment XML for service segments
        text = interchange.serialize(break_lines=True)
    return _latin1(UNA + "\n" + text)


# --- reading ---------------------------------------------------------------------------------------------


def _el(segment: Any, index: int, component: int | None = None) -> str | None:
    """Element `index` (component `component` of a composite) of a pydifact segment, None when absent."""
    elements = segment.elements
    if index >= len(elements):
        return None
    value = elements[index]
    if isinstance(value, list):
        value = value[component or 0] if (component or 0) < len(value) else None
    elif component:
        value = None
    return value or None


def _composite(segment: Any, index: int) -> list[str]:
    value = segment.elements[index] if index < len(segment.elements) else []
    return [v for v in (value if isinstance(value, list) else [value]) if v is not None]


def _num(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text.replace(",", "."))
    except ArithmeticError:
        raise ValueError(f"EDIFACT: {text!r} is not a number") from None


def _day(text: str | None) -> dt.date | None:
    if not text or len(text) < 8:
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


def parse(data: bytes) -> Any:
    """pydifact Interchange of the bytes; ValueError when it is not EDIFACT."""
    from pydifact.segmentcollection import EDISyntaxError, Interchange

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return Interchange.from_str(text.lstrip("\ufeff"))
    except (EDISyntaxError, ValueError, IndexError, KeyError) as error:
        raise ValueError(f"not readable EDIFACT: {error}") from None


def _continuation_tag(seg: Any) -> str:
    if seg.tag == "IMD":
        return "IMD:DSC" if _el(seg, 1) == "DSC" else "IMD:name"
    if seg.tag == "FTX":
        return f"FTX:{_el(seg, 0)}"
    return seg.tag


def _joined(before: str | None, more: str | None) -> str | None:
    return f"{before} {more}" if before and more else before or more


class _Reader:
    def __init__(self) -> None:
        self.inv = Invoice(source="xml", profile="EDIFACT")
        self.party: Party | None = None
        self.line: Line | None = None
        self.charge: AllowanceCharge | None = None
        self.summary = False
        self.last_tax: tuple[str | None, Decimal | None] | None = None
        self.last_dtm_target: str | None = None
        self.last_tag = ""  # the segment before ("IMD:DSC", "FTX:AAI"…): a text may go on in the next one
        self.last_full = False  # that FTX used all five of its text parts

    def feed(self, seg: Any) -> None:
        handler = getattr(self, f"seg_{seg.tag}", None)
        if handler is not None:
            handler(seg)
        self.last_tag = _continuation_tag(seg)

    def seg_BGM(self, seg: Any) -> None:
        self.inv.type_code = _el(seg, 0, 0) or "380"
        self.inv.number = _el(seg, 1, 0) or ""

    def seg_DTM(self, seg: Any) -> None:
        qualifier, value = _el(seg, 0, 0), _day(_el(seg, 0, 1))
        inv = self.inv
        if qualifier == "137":
            inv.issue_date = value
        elif qualifier == "35":
            inv.delivery.date = value
        elif qualifier in ("13", "140"):
            inv.due_date = value
        elif qualifier == "194":
            inv.period_start = value
        elif qualifier == "206":
            inv.period_end = value
        elif qualifier == "171" and inv.preceding_invoices:
            inv.preceding_invoices[-1].issue_date = value

    def seg_FTX(self, seg: Any) -> None:
        code, parts = _el(seg, 0), _composite(seg, 3)
        text = " ".join(parts) or None
        if not text or code == "DOC":
            if code == "DOC":
                self.inv.specification_id = _el(seg, 3, 0)
            return
        # Five full text parts and the same code next: one text written over several segments.
        going_on = self.last_tag == f"FTX:{code}" and self.last_full
        self.last_full = len([part for part in parts if part]) == 5
        if self.line is not None and not self.summary:
            self.line.note = _joined(self.line.note, text) if going_on else text
        elif code == "PAI":
            self.inv.payment_terms = _joined(self.inv.payment_terms, text) if going_on else text
        elif going_on and self.inv.notes:
            self.inv.notes[-1].text = _joined(self.inv.notes[-1].text, text)
        else:
            self.inv.notes.append(Note(text=text, subject_code=None if code == "AAI" else code))

    def seg_RFF(self, seg: Any) -> None:
        qualifier, value = _el(seg, 0, 0), _el(seg, 0, 1)
        if not value:
            return
        if self.line is not None and not self.summary:
            if qualifier in ("LI", "ON"):
                self.line.order_line_ref = value
            return
        if self.party is not None:
            field = {
                "VA": "vat_id",
                "XA": "siren",
                "GN": "legal_id",
                "FC": "tax_registration_id",
                "API": "siret",
            }
            if qualifier in field:
                setattr(self.party, field[qualifier], value)
            elif qualifier == "IT":
                self.party.identifiers.append(value)
            return
        if qualifier == "IV":
            self.inv.preceding_invoices.append(PrecedingInvoice(number=value))
        elif qualifier in REFERENCES:
            setattr(self.inv, REFERENCES[qualifier], value)

    def seg_NAD(self, seg: Any) -> None:
        role = PARTY_ROLES.get(_el(seg, 0) or "")
        ident, agency = _el(seg, 1, 0), _el(seg, 1, 2)
        street = _composite(seg, 4)
        party = Party(
            name=" ".join(_composite(seg, 3)).strip() or None,
            address=Address(
                line1=(street[0] if street else None) or None,
                line2=(street[1] if len(street) > 1 else None) or None,
                line3=(street[2] if len(street) > 2 else None) or None,
                city=_el(seg, 5),
                subdivision=_el(seg, 6),
                postcode=_el(seg, 7),
                country=_el(seg, 8),
            ),
        )
        if ident:
            party.identifiers.append(ident)
            if agency == "9":
                party.identifier_schemes[ident] = "0088"
        self.party = party
        if role == "seller":
            self.inv.seller = party
        elif role == "buyer":
            self.inv.buyer = party
        elif role == "payee":
            self.inv.payee = party
        elif role == "delivery":
            self.inv.delivery.party_name = party.name
            self.inv.delivery.location_id = ident
            self.inv.delivery.address = party.address

    def seg_FII(self, seg: Any) -> None:
        pay = self.inv.payment
        pay.iban = _el(seg, 1, 0)
        pay.account_name = _el(seg, 1, 1)
        pay.bic = _el(seg, 2, 0)

    def seg_CTA(self, seg: Any) -> None:
        if self.party is not None:
            self.party.contact = Contact(name=_el(seg, 1, 1))

    def seg_COM(self, seg: Any) -> None:
        if self.party is not None:
            kind = _el(seg, 0, 1)
            if kind == "TE":
                self.party.contact.phone = _el(seg, 0, 0)
            elif kind == "EM":
                self.party.contact.email = _el(seg, 0, 0)

    def seg_CUX(self, seg: Any) -> None:
        self.party = None
        self.inv.currency = _el(seg, 0, 1) or self.inv.currency
        if len(seg.elements) > 1:
            self.inv.vat_currency = _el(seg, 1, 1)

    def seg_PAI(self, seg: Any) -> None:
        self.inv.payment.means_code = _el(seg, 0, 2)

    def seg_PAT(self, seg: Any) -> None:
        self.party = None

    seg_PYT = seg_PAT

    def seg_ALC(self, seg: Any) -> None:
        self.party = None
        ac = AllowanceCharge(is_charge=_el(seg, 0) == "C", reason_code=_el(seg, 4, 0), reason=_el(seg, 4, 3))
        self.charge = ac
        (self.line.allowances_charges if self.line is not None else self.inv.allowances_charges).append(ac)

    def seg_PCD(self, seg: Any) -> None:
        if self.charge is not None:
            self.charge.percent = _num(_el(seg, 0, 1))

    def seg_LIN(self, seg: Any) -> None:
        self.party, self.charge = None, None
        self.line = Line(id=_el(seg, 0) or str(len(self.inv.lines) + 1))
        if _el(seg, 2, 0):
            self.line.standard_item_id, self.line.standard_item_scheme = _el(seg, 2, 0), "0160"
        self.inv.lines.append(self.line)

    def seg_PIA(self, seg: Any) -> None:
        if self.line is None:
            return
        for index in range(1, len(seg.elements)):
            code, kind = _el(seg, index, 0), _el(seg, index, 1)
            if kind == "SA":
                self.line.seller_item_id = code
            elif kind == "IN":
                self.line.buyer_item_id = code

    def seg_IMD(self, seg: Any) -> None:
        if self.line is None:
            return
        text = " ".join(_composite(seg, 2)[3:]).strip() or None
        kind = "DSC" if _el(seg, 1) == "DSC" else "name"
        going_on = self.last_tag == f"IMD:{kind}"  # a text longer than one segment goes on in the next
        if kind == "DSC":
            self.line.description = _joined(self.line.description, text) if going_on else text
        else:
            self.line.name = (_joined(self.line.name, text) if going_on else text) or ""

    def seg_QTY(self, seg: Any) -> None:
        if self.line is not None:
            self.line.quantity = _num(_el(seg, 0, 1)) or Decimal("0")
            self.line.unit = _el(seg, 0, 2)

    def seg_PRI(self, seg: Any) -> None:
        if self.line is None:
            return
        qualifier, value = _el(seg, 0, 0), _num(_el(seg, 0, 1))
        if qualifier == "AAA":
            self.line.net_price = value or Decimal("0")
            self.line.price_base_quantity = _num(_el(seg, 0, 4))
            self.line.price_base_unit = _el(seg, 0, 5)
        elif qualifier == "AAB":
            self.line.gross_price = value

    def seg_TAX(self, seg: Any) -> None:
        category, rate = _el(seg, 5), _num(_el(seg, 4, 3))
        if self.summary:
            self.inv.vat_breakdown.append(VatBreakdown(category=category or "S", rate=rate))
        elif self.charge is not None and self.line is None:
            self.charge.vat_category, self.charge.vat_rate = category, rate
        elif self.line is not None:
            self.line.vat_category, self.line.vat_rate = category, rate

    def seg_UNS(self, seg: Any) -> None:
        self.summary, self.line, self.charge, self.party = True, None, None, None

    def seg_MOA(self, seg: Any) -> None:
        qualifier, value, currency = _el(seg, 0, 0), _num(_el(seg, 0, 1)), _el(seg, 0, 2)
        if value is None:
            return
        t = self.inv.totals
        if self.summary:
            if self.inv.vat_breakdown and qualifier in ("124", "125") and self._in_breakdown():
                bd = self.inv.vat_breakdown[-1]
                if qualifier == "124":
                    bd.tax_amount = value
                else:
                    bd.taxable_amount = value
            elif qualifier == "176":
                if currency and currency != self.inv.currency:
                    t.vat_total_accounting = value
                else:
                    t.vat_total = value
            elif qualifier in TOTALS or qualifier in D14B_TOTALS:
                setattr(t, TOTALS.get(qualifier) or D14B_TOTALS[qualifier], value)
            return
        if self.charge is not None:
            if qualifier in ("204", "23", "8"):
                self.charge.amount = value
            elif qualifier == "25":
                self.charge.base_amount = value
        elif self.line is not None and qualifier == "203":
            self.line.net_amount = value

    def _in_breakdown(self) -> bool:
        return self._breakdown_started

    _breakdown_started = False

    def finish(self) -> Invoice:
        from jalon.formats import mentions

        mentions.fill_from_codes(self.inv)
        return self.inv


def read_edifact(data: bytes) -> Invoice:
    """The first INVOIC message of an interchange -> model. ValueError when there is none or it is broken."""
    interchange = parse(data)
    for message in interchange.get_messages():
        if (message.identifier or [""])[0] != "INVOIC":
            continue
        reader = _Reader()
        for segment in message.segments:
            if segment.tag == "TAX" and reader.summary:
                reader._breakdown_started = True
            reader.feed(segment)
        return reader.finish()
    raise ValueError("no INVOIC message in this EDIFACT interchange")


def validate(data: bytes, *, profile: str | None = None) -> Any:
    """EDIFACT has no official rule set here: syntax (pydifact), segment counts, the mandatory segments of an
    EANCOM INVOIC, and the invoice read back with amounts that add up."""
    from jalon.formats.validation import Finding, ValidationReport

    report = ValidationReport(valid=True, format="edifact", profile=profile or "D96A-EANCOM")
    try:
        interchange = parse(data)
        messages = list(interchange.get_messages())
    except ValueError as error:
        report.errors.append(Finding("EDI-SYNTAX", str(error)))
        report.valid = False
        return report
    raw = list(interchange.segments)  # as parsed: pydifact rebuilds message trailers on its own
    trailer = interchange.get_footer_segment()
    if trailer is None or _el(trailer, 0) != str(len(messages)):
        report.errors.append(
            Finding("EDI-UNZ", f"UNZ count does not match the {len(messages)} messages", "UNZ")
        )
    start = None
    for index, segment in enumerate(raw):
        if segment.tag == "UNH":
            start = index
        elif segment.tag == "UNT" and start is not None:
            if _el(segment, 0) != str(index - start + 1):
                report.errors.append(
                    Finding(
                        "EDI-UNT",
                        f"UNT says {_el(segment, 0)} segments, the message has {index - start + 1}",
                        "UNT",
                    )
                )
            start = None
    for message in messages:
        tags = [s.tag for s in message.segments]
        for tag in ("BGM", "DTM", "NAD", "CUX", "UNS", "MOA"):
            if tag not in tags:
                report.errors.append(Finding("EDI-MANDATORY", f"mandatory segment {tag} missing", tag))
    try:
        invoice = read_edifact(data)
    except ValueError as error:
        report.errors.append(Finding("EDI-READ", str(error)))
    else:
        t = invoice.totals
        lines = sum((line.net_amount for line in invoice.lines), Decimal("0"))
        if invoice.lines and t.line_total != lines:
            report.errors.append(
                Finding("EDI-TOTALS", f"MOA+79 {t.line_total} is not the sum of lines {lines}")
            )
        if not invoice.number or invoice.issue_date is None:
            report.errors.append(
                Finding("EDI-MANDATORY", "invoice number (BGM) and date (DTM+137) are required")
            )
        from jalon.formats.validation import sums_read_back

        report.errors.extend(sums_read_back(invoice))
    report.warnings.append(
        Finding("RULES-MISSING", "no official EDIFACT rule set here: structural checks only")
    )
    report.valid = not report.errors
    return report
