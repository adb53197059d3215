# ruff: noqa: E501, RUF005  (long literal tables of sample data; list concatenation reads better here)
"""Second blind set of invoice PDFs: 16 layouts x 5 documents, made without seeing the reader.

Writes tests/data/invoices_blind2/<layout>_<n>.pdf and, beside each, <layout>_<n>.json with the values a
perfect reader returns. Run `.venv/bin/python tests/gen_invoices_blind2.py` (dev tool: needs reportlab,
fpdf2, python-docx, odfpy and LibreOffice's `soffice` for the four office layouts; none of these is a
dependency of jalon). Everything is drawn from a seeded random.Random, so the values are stable; the
LibreOffice PDFs may differ byte-wise between LibreOffice versions.

Three PDF producers, none of them the HTML/Chromium route of the first blind set:
  rl_*  ReportLab platypus (Table, Paragraph, Frame, PageTemplate; no canvas drawing of text)
  fp_*  fpdf2 (cells, multi_cell, table(), rotation, character spacing)
  lo_*  python-docx / odfpy documents converted to PDF by LibreOffice (Writer)

Conventions of the expected values (the JSON):
  doc_type         "credit_note" when the document calls itself AVOIR / Credit note, else "invoice".
  invoice_number   the document's own number as printed (for a credit note the AVOIR's number, never the
                   "Facture d'origine n°").
  issue_date, due_date   ISO dates; due_date only when a date is printed (payment terms alone -> null).
  currency         ISO 4217 code of the amounts.
  seller_name      the registered name: as printed in the legal line (footer / small print) before "au
                   capital", ", RCS", " - SIRET" and the like, the legal form kept when the line writes it
                   as part of the name ("SAS Dupont Frères au capital ..." -> "SAS Dupont Frères";
                   "Dupont Frères, SAS au capital ..." -> "Dupont Frères"). The letterhead may show a
                   trade name instead; the legal line wins. An individual entrepreneur: the person's name.
  seller_siren     whenever the SIREN is visible: printed as SIREN, as the RCS number, or as the first nine
                   digits of a printed SIRET. Foreign sellers: null.
  seller_siret, seller_vat   only when printed.
  buyer_name       first line of the billed-to block.
  buyer_siren      as for the seller (SIREN or SIRET printed in the billed-to block); buyer_vat when printed.
  purchase_order   the buyer's order number: "Bon de commande", "N° de commande", "Votre commande",
                   "PO number", and for French public buyers the "N° d'engagement" (Chorus Pro).
  buyer_reference  the buyer's own routing reference: "Référence acheteur", "Buyer reference",
                   "Your reference", and for public buyers the "Code service". A "N° client" / "Customer
                   no." given by the seller is NOT a buyer reference.
  total_without_vat, total_vat, total_with_vat   the document's totals after discount and shipping,
                   before any deposit ("Acompte versé" / "Deposit paid": the amount due then differs
                   from total_with_vat). Credit notes: positive numbers, whatever sign they are printed with.
  vat_breakdown    one {rate, base, amount} per VAT rate. VAT-exempt documents (art. 293 B, reverse
                   charge, export) carry one entry at rate 0 with the whole base and amount 0.
  split            "tune" or "final": each layout has both; the lead tunes on "tune" only.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from calendar_words import EN_MONTHS, FR_MONTHS, FR_MONTHS_ABBR, FR_WEEKDAYS
from stdnum import luhn
from stdnum.be import vat as be_vat
from stdnum.ch import uid as ch_uid
from stdnum.de import vat as de_vat
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret
from stdnum.fr import tva as fr_tva
from stdnum.gb import vat as gb_vat
from stdnum.it import iva as it_iva
from stdnum.se import vat as se_vat

from jalon.formats.extract import READ_FIELDS

OUT = Path(__file__).resolve().parent / "data" / "invoices_blind2"
SEED = 2026_0312
PER_LAYOUT = 5
D = Decimal
CENT = D("0.01")
ZERO = D(0)
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
LIBERATION = Path("/usr/share/fonts/truetype/liberation")


def q(x) -> Decimal:
    return D(x).quantize(CENT, rounding=ROUND_HALF_UP)


# ------------------------------------------------------------------ identifiers (valid check digits)


def make_siren(rng: random.Random) -> str:
    base = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(7))
    s = base + luhn.calc_check_digit(base)
    assert fr_siren.is_valid(s)
    return s


def make_siret(rng: random.Random, siren: str) -> str:
    base = siren + "000" + str(rng.randint(1, 9))
    s = base + luhn.calc_check_digit(base)
    assert fr_siret.is_valid(s)
    return s


def make_fr_vat(siren: str) -> str:
    v = f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"
    assert fr_tva.is_valid(v)
    return v


def _brute(rng, make, valid, tries=100000):
    for _ in range(tries):
        cand = make(rng)
        if valid(cand):
            return cand
    raise RuntimeError("no valid identifier found")


def _digits(rng, n, first_nonzero=True):
    s = "".join(str(rng.randint(0, 9)) for _ in range(n))
    return (str(rng.randint(1, 9)) + s[1:]) if first_nonzero else s


def foreign_vat(rng: random.Random, country: str) -> str:
    if country == "DE":
        return _brute(rng, lambda r: "DE" + _digits(r, 9), de_vat.is_valid)
    if country == "BE":
        return _brute(rng, lambda r: "BE0" + _digits(r, 9), be_vat.is_valid)
    if country == "IT":
        return _brute(
            rng, lambda r: "IT" + _digits(r, 7, False) + "001" + _digits(r, 1, False), it_iva.is_valid
        )
    if country == "GB":
        return _brute(rng, lambda r: "GB" + _digits(r, 9), gb_vat.is_valid)
    if country == "SE":

        def mk(r):
            base = "55" + _digits(r, 7, False)
            return "SE" + base + luhn.calc_check_digit(base) + "01"

        return _brute(rng, mk, se_vat.is_valid)
    if country == "CH":
        return _brute(rng, lambda r: "CHE" + _digits(r, 9), ch_uid.is_valid)
    raise ValueError(country)


def fmt_siren(s: str) -> str:
    return f"{s[:3]} {s[3:6]} {s[6:9]}"


def fmt_siret(s: str, style: int = 0) -> str:
    return [f"{s[:3]} {s[3:6]} {s[6:9]} {s[9:]}", s, f"{s[:9]} {s[9:]}"][style % 3]


def fmt_vat(v: str, style: int = 0) -> str:
    if v.startswith("CHE"):
        return f"CHE-{v[3:6]}.{v[6:9]}.{v[9:12]}"
    if v.startswith("FR") and style % 2:
        return f"FR {v[2:4]} {v[4:7]} {v[7:10]} {v[10:]}"
    return v


def fmt_ch_vat(v: str, suffix="TVA") -> str:
    return f"CHE-{v[3:6]}.{v[6:9]}.{v[9:12]} {suffix}"


def make_iban(rng: random.Random) -> str:
    bban = "30004" + _digits(rng, 5, False) + _digits(rng, 11, False) + f"{rng.randint(10, 97):02d}"
    # ISO 13616 check digits
    num = "".join(str(int(c, 36)) for c in bban + "FR00")
    chk = 98 - int(num) % 97
    iban = f"FR{chk:02d}{bban}"
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


# ------------------------------------------------------------------ dates and amounts as printed


def fdate(d: dt.date, style: str) -> str:
    day1 = "1er" if d.day == 1 else str(d.day)
    return {
        "num": d.strftime("%d/%m/%Y"),
        "num2": d.strftime("%d/%m/%y"),
        "dot": d.strftime("%d.%m.%Y"),
        "dash": d.strftime("%d-%m-%Y"),
        "iso": d.isoformat(),
        "long": f"{day1} {FR_MONTHS[d.month - 1]} {d.year}",
        "wlong": f"{FR_WEEKDAYS[d.weekday()]} {day1} {FR_MONTHS[d.month - 1]} {d.year}",
        "abbr": f"{d.day} {FR_MONTHS_ABBR[d.month - 1]} {d.year}",
        "us": f"{EN_MONTHS[d.month - 1]} {d.day}, {d.year}",
        "uk": f"{d.day} {EN_MONTHS[d.month - 1]} {d.year}",
        "ukshort": f"{d.day:02d} {EN_MONTHS[d.month - 1][:3]} {d.year}",
        "usnum": d.strftime("%m/%d/%Y"),
    }[style]


def money(x: Decimal, style: str = "fr", cur: str = "", neg_paren: bool = False) -> str:
    """Amount as printed: fr '1 234,56', frdot '1.234,56', en '1,234.56', ch "1'234.56", plain '1234.56'."""
    x = q(x)
    neg = x < 0
    ip, dp = f"{abs(x):.2f}".split(".")
    groups = []
    while len(ip) > 3:
        groups.insert(0, ip[-3:])
        ip = ip[:-3]
    groups.insert(0, ip)
    sep, dec = {
        "fr": (" ", ","),
        "frnb": ("\u00a0", ","),
        "frdot": (".", ","),
        "en": (",", "."),
        "ch": ("'", "."),
        "plain": ("", "."),
        "plainfr": ("", ","),
    }[style]
    s = sep.join(groups) + dec + dp
    if cur:
        s = {
            "€": s + " €",
            "EUR": s + " EUR",
            "$": "$" + s,
            "£": "£" + s,
            "USD": "USD " + s,
            "GBP": "GBP " + s,
            "CHF": "CHF " + s,
            "SEK": s + " SEK",
            "kr": s + " kr",
            "€pre": "€" + s,
        }[cur]
    if neg:
        s = f"({s})" if neg_paren else "-" + s
    return s


def pct(rate: Decimal, style: str = "fr") -> str:
    s = f"{rate.normalize():f}"
    if style == "fr":
        s = s.replace(".", ",")
    return s + " %" if style == "fr" else s + "%"


# ------------------------------------------------------------------ the document model


@dataclass
class Party:
    name: str  # name in the letterhead / address block
    legal: str = ""  # registered name as printed in the legal line (expected seller_name)
    legal_line: str = ""  # the whole legal line as printed
    siren: str | None = None
    siret: str | None = None
    vat: str | None = None
    addr: list[str] = field(default_factory=list)
    country: str = "FR"
    show_siren: bool = False
    show_siret: bool = False
    show_vat: bool = False
    show_rcs: bool = False
    phone: str = ""
    email: str = ""
    iban: str = ""


@dataclass
class Line:
    desc: str
    qty: Decimal
    unit_price: Decimal
    rate: Decimal
    unit: str = ""
    disc: Decimal = ZERO  # line discount in %
    ref: str = ""

    @property
    def total(self) -> Decimal:
        return q(self.qty * self.unit_price * (1 - self.disc / 100))


@dataclass
class Doc:
    layout: str
    idx: int
    kind: str  # invoice | credit_note
    number: str
    issue: dt.date
    due: dt.date | None
    currency: str
    seller: Party
    buyer: Party
    lines: list[Line]
    discount_pct: Decimal = ZERO
    shipping: Decimal = ZERO
    shipping_rate: Decimal | None = None
    deposit: Decimal = ZERO
    po: str | None = None
    buyer_ref: str | None = None
    orig_number: str | None = None
    orig_date: dt.date | None = None
    vat_mode: str = "normal"  # normal | exempt (293 B) | reverse | export
    customer_no: str | None = None
    extra: dict = field(default_factory=dict)
    split: str = "tune"

    # ---- computed amounts
    def gross_by_rate(self) -> dict[Decimal, Decimal]:
        out: dict[Decimal, Decimal] = {}
        for ln in self.lines:
            out[ln.rate] = out.get(ln.rate, D(0)) + ln.total
        return out

    @property
    def subtotal(self) -> Decimal:
        return sum((ln.total for ln in self.lines), D(0))

    def discount_by_rate(self) -> dict[Decimal, Decimal]:
        return {r: q(g * self.discount_pct / 100) for r, g in self.gross_by_rate().items()}

    @property
    def discount(self) -> Decimal:
        return sum(self.discount_by_rate().values(), D(0))

    def breakdown(self) -> list[tuple[Decimal, Decimal, Decimal]]:
        g = self.gross_by_rate()
        dsc = self.discount_by_rate()
        bases = {r: g[r] - dsc[r] for r in g}
        if self.shipping:
            sr = self.shipping_rate if self.shipping_rate is not None else max(bases)
            bases[sr] = bases.get(sr, D(0)) + self.shipping
        return [(r, bases[r], q(bases[r] * r / 100)) for r in sorted(bases, reverse=True)]

    @property
    def total_ht(self) -> Decimal:
        return sum((b for _, b, _ in self.breakdown()), D(0))

    @property
    def total_vat(self) -> Decimal:
        return sum((a for _, _, a in self.breakdown()), D(0))

    @property
    def total_ttc(self) -> Decimal:
        return self.total_ht + self.total_vat

    @property
    def net_due(self) -> Decimal:
        return self.total_ttc - self.deposit

    def expected(self) -> dict:
        s, b = self.seller, self.buyer
        num = lambda x: float(q(x))  # noqa: E731
        return {
            "doc_type": self.kind,
            "invoice_number": self.number,
            "issue_date": self.issue.isoformat(),
            "due_date": self.due.isoformat() if self.due else None,
            "currency": self.currency,
            "seller_name": s.legal or s.name,
            "seller_siren": s.siren if (s.show_siren or s.show_siret or s.show_rcs) else None,
            "seller_siret": s.siret if s.show_siret else None,
            "seller_vat": s.vat if s.show_vat else None,
            "buyer_name": b.name,
            "buyer_siren": b.siren if (b.show_siren or b.show_siret) else None,
            "buyer_vat": b.vat if b.show_vat else None,
            "purchase_order": self.po,
            "buyer_reference": self.buyer_ref,
            "total_without_vat": num(self.total_ht),
            "total_vat": num(self.total_vat),
            "total_with_vat": num(self.total_ttc),
            "vat_breakdown": [
                {"rate": float(r), "base": num(bs), "amount": num(a)} for r, bs, a in self.breakdown()
            ],
            "split": self.split,
        }


# ------------------------------------------------------------------ shared pools

STREETS = [
    "rue de la République",
    "avenue Jean Jaurès",
    "boulevard Voltaire",
    "rue des Tanneurs",
    "chemin du Moulin",
    "rue Pasteur",
    "allée des Tilleuls",
    "quai de la Fosse",
    "rue du Faubourg Saint-Antoine",
    "impasse des Lilas",
    "route de Vienne",
    "place du Marché",
    "rue Lafayette",
    "avenue de la Gare",
    "rue Nationale",
    "cours Gambetta",
    "rue du Général Leclerc",
    "ZI des Bruyères",
    "ZA du Grand Pré",
    "parc d'activités Les Hauts",
]
CITIES = [
    ("69003", "Lyon"),
    ("44000", "Nantes"),
    ("33000", "Bordeaux"),
    ("31000", "Toulouse"),
    ("59000", "Lille"),
    ("67000", "Strasbourg"),
    ("13002", "Marseille"),
    ("35000", "Rennes"),
    ("75011", "Paris"),
    ("34000", "Montpellier"),
    ("21000", "Dijon"),
    ("38000", "Grenoble"),
    ("49100", "Angers"),
    ("37000", "Tours"),
    ("63000", "Clermont-Ferrand"),
    ("76000", "Rouen"),
    ("87000", "Limoges"),
    ("29200", "Brest"),
    ("64100", "Bayonne"),
    ("74000", "Annecy"),
]
FIRST = [
    "Camille",
    "Julien",
    "Sophie",
    "Thomas",
    "Claire",
    "Nicolas",
    "Élodie",
    "Mathieu",
    "Inès",
    "Hugo",
    "Manon",
    "Antoine",
    "Léa",
    "Bruno",
    "Nathalie",
    "Yannick",
    "Chloé",
    "Olivier",
    "Aurélie",
    "Rémi",
]
LAST = [
    "Martin",
    "Bernard",
    "Dubois",
    "Lefèvre",
    "Moreau",
    "Girard",
    "Roux",
    "Fournier",
    "Morel",
    "Garnier",
    "Chevalier",
    "Lambert",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Muller",
    "Henry",
    "Perrin",
    "Mercier",
]
BUYERS = [
    "Hôtel du Parc",
    "Clinique Saint-Vincent",
    "Boulangerie Lefort",
    "Transports Girard",
    "Cave des Coteaux",
    "Imprimerie Moderne",
    "Garage de l'Avenue",
    "Cabinet Vétérinaire des Halles",
    "Ateliers Bressan",
    "Logistique Océane",
    "Pharmacie du Centre",
    "Restaurant Le Comptoir",
    "Agence Immobilière Horizon",
    "Brasserie des Arts",
    "Menuiserie Vidal",
    "Laboratoire Biomnis Ouest",
    "Camping Les Pins",
    "Domaine de la Roche",
    "Éditions du Quai",
    "Société Fromagère du Jura",
    "Biscuiterie Nantaise",
    "Studio Pixel Nord",
    "Crèche Les P'tits Loups",
    "Quincaillerie Centrale",
    "Mutuelle Entrain",
]
FORMS = ["SAS", "SARL", "SA", "EURL", "SASU"]


def address(rng: random.Random, city=None) -> list[str]:
    cp, c = city or rng.choice(CITIES)
    return [f"{rng.randint(1, 180)} {rng.choice(STREETS)}", f"{cp} {c.upper() if rng.random() < 0.3 else c}"]


def person(rng) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def phone(rng) -> str:
    return "0" + str(rng.randint(1, 5)) + " " + " ".join(f"{rng.randint(0, 99):02d}" for _ in range(4))


def capital(rng) -> str:
    return rng.choice(
        ["1 000", "5 000", "7 500", "10 000", "15 000", "37 000", "50 000", "100 000", "150 000", "250 000"]
    )


def fr_company(
    rng, name, *, city=None, legal=None, form=None, style=None, show=("rcs", "siret", "vat")
) -> Party:
    """A French company. style picks how the legal line writes the name and form."""
    siren = make_siren(rng)
    p = Party(
        name=name,
        siren=siren,
        siret=make_siret(rng, siren),
        vat=make_fr_vat(siren),
        addr=address(rng, city),
        phone=phone(rng),
    )
    form = form or rng.choice(FORMS)
    legal = legal or name
    style = style if style is not None else rng.randint(0, 2)
    rcs_city = p.addr[-1].split(" ", 1)[1].title()
    if style == 0:  # "Dupont Frères, SAS au capital de ..."
        p.legal = legal
        head = f"{legal}, {form} au capital de {capital(rng)} €"
    elif style == 1:  # "SAS Dupont Frères au capital de ..."
        p.legal = f"{form} {legal}"
        head = f"{form} {legal} au capital de {capital(rng)} €"
    else:  # "Dupont Frères SAS au capital de ..."
        p.legal = f"{legal} {form}"
        head = f"{legal} {form} au capital de {capital(rng)} €"
    parts = [head]
    p.show_rcs = "rcs" in show
    p.show_siren = "siren" in show
    p.show_siret = "siret" in show
    p.show_vat = "vat" in show
    if p.show_rcs:
        parts.append(f"RCS {rcs_city} {fmt_siren(siren)}")
    if p.show_siren:
        parts.append(f"SIREN {fmt_siren(siren)}")
    if p.show_siret:
        parts.append(f"SIRET {fmt_siret(p.siret, rng.randint(0, 2))}")
    if p.show_vat:
        parts.append(f"N° TVA intracommunautaire {fmt_vat(p.vat, rng.randint(0, 1))}")
    p.legal_line = " – ".join(parts)
    p.email = "compta@" + ascii_slug(name)[:14] + ".fr"
    p.iban = make_iban(rng)
    return p


def ascii_slug(s: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", s.lower()) if c.isascii() and c.isalnum())


def fr_buyer(rng, name=None, show=()) -> Party:
    name = name or rng.choice(BUYERS) + (" " + rng.choice(FORMS) if rng.random() < 0.4 else "")
    siren = make_siren(rng)
    p = Party(name=name, siren=siren, siret=make_siret(rng, siren), vat=make_fr_vat(siren), addr=address(rng))
    p.show_siren, p.show_siret, p.show_vat = "siren" in show, "siret" in show, "vat" in show
    return p


def issue_date(rng, lo=(2026, 1, 2), hi=(2026, 6, 28)) -> dt.date:
    a, b = dt.date(*lo), dt.date(*hi)
    return a + dt.timedelta(days=rng.randint(0, (b - a).days))


def end_of_month(d: dt.date) -> dt.date:
    nxt = (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def pick_lines(rng, pool, n, rates=None) -> list[Line]:
    """pool: (desc, unit, lo, hi, rate) tuples; prices drawn between lo and hi."""
    items = rng.sample(pool, min(n, len(pool)))
    out = []
    for desc, unit, lo, hi, rate in items:
        if unit in ("h", "heure", "jour", "j", "day", "hour", "hours", "days"):
            qty = D(rng.choice([1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 0.5, 1.5, 2.5]))
        elif unit in ("forfait", "flat", "lot", "mois", "month"):
            qty = D(1)
        else:
            qty = D(rng.choice([1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 24, 25, 30, 40, 50]))
        price = q(D(rng.uniform(lo, hi)))
        out.append(Line(desc, qty, price, D(str(rate)) if rates is None else rng.choice(rates), unit))
    return out


def qty_str(x: Decimal, style="fr") -> str:
    s = f"{x.normalize():f}"
    return s.replace(".", ",") if style == "fr" else s


# ================================================================== ReportLab platypus layouts

_RL_READY = False


def rl_setup():
    global _RL_READY
    if _RL_READY:
        return
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for name, path in [
        ("DVS", DEJAVU / "DejaVuSans.ttf"),
        ("DVS-B", DEJAVU / "DejaVuSans-Bold.ttf"),
        ("DVSC", DEJAVU / "DejaVuSansCondensed.ttf"),
        ("DVSC-B", DEJAVU / "DejaVuSansCondensed-Bold.ttf"),
        ("DVSerif", DEJAVU / "DejaVuSerif.ttf"),
        ("DVSerif-B", DEJAVU / "DejaVuSerif-Bold.ttf"),
        ("DVMono", DEJAVU / "DejaVuSansMono.ttf"),
        ("LS", LIBERATION / "LiberationSans-Regular.ttf"),
        ("LS-B", LIBERATION / "LiberationSans-Bold.ttf"),
        ("LSerif", LIBERATION / "LiberationSerif-Regular.ttf"),
        ("LSerif-B", LIBERATION / "LiberationSerif-Bold.ttf"),
        ("LN", LIBERATION / "LiberationSansNarrow-Regular.ttf"),
        ("LN-B", LIBERATION / "LiberationSansNarrow-Bold.ttf"),
        ("LMono", LIBERATION / "LiberationMono-Regular.ttf"),
    ]:
        pdfmetrics.registerFont(TTFont(name, str(path)))
    for fam in ["DVS", "DVSC", "DVSerif", "LS", "LSerif", "LN"]:
        addMapping(fam, 0, 0, fam)
        addMapping(fam, 1, 0, fam + "-B")
        addMapping(fam, 0, 1, fam)
        addMapping(fam, 1, 1, fam + "-B")
    _RL_READY = True


def rl_styles(font: str, size: float = 9):
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle("b", fontName=font, fontSize=size, leading=size * 1.25)
    return {
        "n": base,
        "r": ParagraphStyle("r", parent=base, alignment=TA_RIGHT),
        "c": ParagraphStyle("c", parent=base, alignment=TA_CENTER),
        "b": ParagraphStyle("bb", parent=base, fontName=font + "-B"),
        "br": ParagraphStyle("bbr", parent=base, fontName=font + "-B", alignment=TA_RIGHT),
        "s": ParagraphStyle("s", parent=base, fontSize=size - 2, leading=(size - 2) * 1.2),
        "sc": ParagraphStyle(
            "sc", parent=base, fontSize=size - 2.5, leading=(size - 2.5) * 1.2, alignment=TA_CENTER
        ),
        "h": ParagraphStyle(
            "h", parent=base, fontName=font + "-B", fontSize=size + 9, leading=(size + 9) * 1.2
        ),
        "hr": ParagraphStyle(
            "hr",
            parent=base,
            fontName=font + "-B",
            fontSize=size + 7,
            leading=(size + 7) * 1.2,
            alignment=TA_RIGHT,
        ),
        "m": ParagraphStyle(
            "m", parent=base, fontName="Courier", fontSize=size - 1, leading=(size - 1) * 1.15
        ),
    }


def esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def rl_build(story, footer=None, header=None, margins=(18, 18, 18, 28), title="Facture") -> bytes:
    """Builds with a BaseDocTemplate; footer(page_no) / header(page_no) return flowables laid in frames."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    buf = io.BytesIO()
    left, right, top, bottom = (m * mm for m in margins)
    W, H = A4

    def on_page(canv, doc):
        if footer:
            Frame(
                left,
                6 * mm,
                W - left - right,
                bottom - 8 * mm,
                showBoundary=0,
                leftPadding=0,
                rightPadding=0,
                topPadding=0,
                bottomPadding=0,
            ).addFromList(list(footer(doc.page)), canv)
        if header:
            Frame(
                left,
                H - top + 2 * mm,
                W - left - right,
                top - 6 * mm,
                leftPadding=0,
                rightPadding=0,
                topPadding=0,
                bottomPadding=0,
            ).addFromList(list(header(doc.page)), canv)

    doc = BaseDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=left,
        rightMargin=right,
        topMargin=top,
        bottomMargin=bottom,
        invariant=1,
        pageCompression=1,
        title=title,
        author="",
        creator="",
    )
    frame = Frame(left, bottom, W - left - right, H - top - bottom, id="body")
    doc.addPageTemplates([PageTemplate(id="p", frames=[frame], onPage=on_page)])
    doc.build(story)
    return buf.getvalue()


# ---------------------------------------------------------------- A: consultancy letterhead, ruled table

CONSULT = [
    ("ARCANE", "Arcane Conseil et Associés", "conseil & stratégie"),
    ("Boréal Stratégie", "Boréal Stratégie", "organisation · finance"),
    ("KAIROS", "Kairos Management Consulting", "transformation"),
    ("Lignes Claires", "Lignes Claires Organisation", "performance des équipes"),
    ("Novalis RH", "Novalis Ressources Humaines", "recrutement & RH"),
    ("Cap Azimut", "Cap Azimut Conseil", "stratégie commerciale"),
]
CONSULT_LINES = [
    ("Mission d'audit organisationnel – phase 1", "jour", 750, 1100, 20),
    ("Atelier de cadrage (demi-journée)", "forfait", 600, 950, 20),
    ("Accompagnement conduite du changement", "jour", 800, 1200, 20),
    ("Rédaction du rapport de synthèse", "forfait", 900, 2400, 20),
    ("Journée de conseil senior", "jour", 950, 1400, 20),
    ("Entretiens individuels (direction)", "h", 120, 180, 20),
    ("Frais de déplacement (forfait)", "forfait", 150, 420, 20),
    ("Animation séminaire de direction", "jour", 1500, 2200, 20),
]


def make_rl_letterhead(rng, i) -> Doc:
    trade, legal, tag = CONSULT[i % len(CONSULT)]
    seller = fr_company(rng, trade, legal=legal, style=[0, 1, 2, 0, 2][i], show=("rcs", "vat"))
    seller.extra_tag = tag
    buyer = fr_buyer(rng, show=("siret", "vat"))
    iss = issue_date(rng)
    n = (
        f"{iss.year}-{rng.randint(100, 480)}"
        if i % 2
        else f"F{iss.year}{iss.month:02d}-{rng.randint(10, 99):03d}"
    )
    return Doc(
        "rl_letterhead",
        i,
        "invoice",
        n,
        iss,
        iss + dt.timedelta(days=30),
        "EUR",
        seller,
        buyer,
        pick_lines(rng, CONSULT_LINES, rng.randint(2, 5)),
        po=f"BC-{iss.year}-{rng.randint(1000, 9999)}" if i in (0, 2, 3) else None,
        buyer_ref=f"ACH/{rng.randint(10, 99)}/{person(rng).split()[1].upper()[:4]}" if i in (1, 3) else None,
        customer_no=f"C{rng.randint(1000, 9999)}",
    )


def render_rl_letterhead(doc: Doc) -> bytes:
    rl_setup()
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle, XPreformatted

    font = ["DVS", "LS", "DVSC", "LS", "DVS"][doc.idx]
    st = rl_styles(font, 9)
    s, b = doc.seller, doc.buyer
    letters = " ".join(s.name.upper())
    art = f"+{'=' * (len(letters) + 4)}+\n|  {letters}  |\n+{'=' * (len(letters) + 4)}+\n   {s.extra_tag}"
    left = [XPreformatted(esc(art), st["m"]), Spacer(1, 3 * mm)] + [
        Paragraph(esc(x), st["n"]) for x in s.addr + [f"Tél. {s.phone}", s.email]
    ]
    ds = "num"
    meta = Table(
        [["Facture n°", doc.number], ["Date", fdate(doc.issue, ds)], ["Échéance", fdate(doc.due, ds)]]
        + ([["N° client", doc.customer_no]] if doc.customer_no else []),
        colWidths=[28 * mm, 38 * mm],
    )
    meta.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 9),
                ("FONT", (0, 0), (0, -1), font + "-B", 9),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("BOX", (0, 0), (-1, -1), 0.6, colors.black),
                ("INNERGRID", (0, 0), (-1, -1), 0.3, colors.grey),
            ]
        )
    )
    right = [Paragraph("FACTURE", st["hr"]), Spacer(1, 2 * mm), meta]
    head = Table([[left, right]], colWidths=[100 * mm, 74 * mm])
    head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (1, 0), (1, 0), "RIGHT")]))
    bill = [Paragraph("<b>Facturé à</b>", st["n"]), Paragraph(esc(b.name), st["b"])] + [
        Paragraph(esc(x), st["n"]) for x in b.addr
    ]
    if b.show_siret:
        bill.append(Paragraph(f"SIRET : {fmt_siret(b.siret, doc.idx)}", st["n"]))
    if b.show_vat:
        bill.append(Paragraph(f"TVA intracom. : {fmt_vat(b.vat)}", st["n"]))
    refs = [Paragraph(f"<b>Objet :</b> {esc(doc.lines[0].desc.split('–')[0].strip())}", st["n"])]
    if doc.po:
        refs.append(Paragraph(f"Bon de commande n° {doc.po}", st["n"]))
    if doc.buyer_ref:
        refs.append(Paragraph(f"Référence acheteur : {doc.buyer_ref}", st["n"]))
    addr = Table([[refs, bill]], colWidths=[95 * mm, 79 * mm])
    addr.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOX", (1, 0), (1, 0), 0.4, colors.grey),
                ("LEFTPADDING", (1, 0), (1, 0), 8),
            ]
        )
    )
    rows = [["Désignation", "Qté", "Unité", "PU HT", "Montant HT"]]
    for ln in doc.lines:
        rows.append(
            [
                Paragraph(esc(ln.desc), st["n"]),
                qty_str(ln.qty),
                ln.unit,
                money(ln.unit_price, "fr", "€"),
                money(ln.total, "fr", "€"),
            ]
        )
    t = Table(rows, colWidths=[82 * mm, 14 * mm, 18 * mm, 28 * mm, 32 * mm], repeatRows=1)
    t.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 9),
                ("FONT", (0, 0), (-1, 0), font + "-B", 9),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde4ee")),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#555555")),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    ((rate, _base, amt),) = doc.breakdown()
    tot = Table(
        [
            ["Total HT", money(doc.total_ht, "fr", "€")],
            [f"TVA {pct(rate)}", money(amt, "fr", "€")],
            ["Total TTC", money(doc.total_ttc, "fr", "€")],
            ["Net à payer", money(doc.net_due, "fr", "€")],
        ],
        colWidths=[36 * mm, 32 * mm],
        hAlign="RIGHT",
    )
    tot.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 9.5),
                ("FONT", (0, 3), (-1, 3), font + "-B", 10.5),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("LINEABOVE", (0, 2), (-1, 2), 0.6, colors.black),
                ("BOX", (0, 3), (-1, 3), 1, colors.black),
            ]
        )
    )
    pay = Paragraph(
        f"Règlement par virement sous 30 jours, au plus tard le {fdate(doc.due, ds)}. IBAN {s.iban}. "
        "En cas de retard, pénalités au taux de 3 fois le taux d'intérêt légal et indemnité forfaitaire "
        "pour frais de recouvrement de 40 €. Pas d'escompte pour paiement anticipé.",
        st["s"],
    )
    story = [
        head,
        Spacer(1, 8 * mm),
        addr,
        Spacer(1, 8 * mm),
        t,
        Spacer(1, 5 * mm),
        tot,
        Spacer(1, 10 * mm),
        pay,
    ]
    footer = lambda p: [Paragraph(esc(s.legal_line), st["sc"])]  # noqa: E731
    return rl_build(story, footer=footer)


# ---------------------------------------------------------------- B: craftsman, number in a box, deposit, 3 rates

ARTISANS = [
    ("Morel Plomberie Chauffage", "EURL"),
    ("Menuiserie Roux & Fils", "SARL"),
    ("Électricité Garnier", "SARL"),
    ("Isolation Faure Habitat", "SAS"),
    ("Maçonnerie Chevalier", "SARL"),
]
ARTISAN_LINES = [
    ("Isolation des combles perdus (laine soufflée 30 cm)", "m²", 18, 34, 5.5),
    ("Pose pompe à chaleur air/eau 8 kW", "forfait", 5200, 9800, 5.5),
    ("Remplacement fenêtres PVC double vitrage", "u", 420, 780, 5.5),
    ("Dépose et évacuation ancienne chaudière", "forfait", 250, 480, 10),
    ("Main d'œuvre plomberie", "h", 45, 62, 10),
    ("Réfection salle d'eau (carrelage, faïence)", "m²", 65, 120, 10),
    ("Fourniture et pose radiateur acier", "u", 280, 520, 10),
    ("Mise en conformité tableau électrique", "forfait", 650, 1400, 10),
    ("Déplacement et mise en sécurité chantier", "forfait", 45, 90, 10),
    ("Fourniture lave-vaisselle encastrable", "u", 480, 890, 20),
    ("Fourniture hotte aspirante", "u", 210, 460, 20),
    ("Abri de jardin bois (hors habitation)", "forfait", 900, 1900, 20),
]


def make_rl_artisan(rng, i) -> Doc:
    name, form = ARTISANS[i]
    seller = fr_company(rng, name, form=form, style=[0, 2, 0, 1, 0][i], show=("siret", "vat"))
    buyer = fr_buyer(
        rng,
        name=rng.choice(
            [
                "SCI Les Terrasses",
                "SCI du Vieux Port",
                "Syndicat des copropriétaires Le Parc",
                "SCI Horizon Patrimoine",
                "Gîtes de la Vallée SARL",
            ]
        ),
    )
    iss = issue_date(rng)
    lines = pick_lines(rng, ARTISAN_LINES[:3], 1) + pick_lines(rng, ARTISAN_LINES[3:9], rng.randint(1, 3))
    if i % 2 == 0:
        lines += pick_lines(rng, ARTISAN_LINES[9:], 1)
    d = Doc(
        "rl_artisan",
        i,
        "invoice",
        f"{iss.year}-{rng.randint(100, 300)}",
        iss,
        None if i == 3 else iss + dt.timedelta(days=rng.choice([15, 30])),
        "EUR",
        seller,
        buyer,
        lines,
    )
    if i in (0, 1, 4):
        d.deposit = q(d.total_ttc * D("0.30"))
    d.extra["chantier"] = address(rng)
    d.extra["devis"] = f"D{iss.year % 100}-{rng.randint(10, 99)}"
    d.extra["rm"] = f"{fmt_siren(seller.siren)} RM {seller.addr[-1][:2]}"
    return d


def render_rl_artisan(doc: Doc) -> bytes:
    rl_setup()
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    font = ["LSerif", "DVSerif", "LS", "LSerif", "DVS"][doc.idx]
    st = rl_styles(font, 9.5)
    s, b = doc.seller, doc.buyer
    ds = "long"
    who = [
        Paragraph(f"<font size=16><b>{esc(s.name)}</b></font>", st["n"]),
        Spacer(1, 2 * mm),
        Paragraph(
            "Plomberie · Chauffage · Rénovation énergétique"
            if doc.idx % 2 == 0
            else "Travaux de rénovation – Artisan qualifié RGE",
            st["s"],
        ),
    ] + [Paragraph(esc(x), st["n"]) for x in s.addr + [f"Tél : {s.phone}"]]
    box = Table([["FACTURE"], [f"N° {doc.number}"], [f"du {fdate(doc.issue, ds)}"]], colWidths=[62 * mm])
    box.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font + "-B", 12),
                ("FONT", (0, 2), (-1, 2), font, 10),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("BOX", (0, 0), (-1, -1), 1.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
            ]
        )
    )
    head = Table([[who, box]], colWidths=[112 * mm, 62 * mm])
    head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    client = [Paragraph("Client :", st["s"]), Paragraph(f"<b>{esc(b.name)}</b>", st["n"])] + [
        Paragraph(esc(x), st["n"]) for x in b.addr
    ]
    site = (
        [Paragraph("Adresse du chantier :", st["s"])]
        + [Paragraph(esc(x), st["n"]) for x in doc.extra["chantier"]]
        + [Paragraph(f"Suivant devis n° {doc.extra['devis']} accepté", st["s"])]
    )
    blk = Table([[site, client]], colWidths=[87 * mm, 87 * mm])
    blk.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    rows = [["Désignation des travaux", "Qté", "U", "P.U. HT", "TVA", "Total HT"]]
    for ln in doc.lines:
        rows.append(
            [
                Paragraph(esc(ln.desc), st["n"]),
                qty_str(ln.qty),
                ln.unit,
                money(ln.unit_price, "fr"),
                pct(ln.rate),
                money(ln.total, "fr"),
            ]
        )
    t = Table(rows, colWidths=[80 * mm, 13 * mm, 14 * mm, 24 * mm, 16 * mm, 27 * mm])
    t.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 9.5),
                ("FONT", (0, 0), (-1, 0), font + "-B", 9.5),
                ("LINEBELOW", (0, 0), (-1, 0), 1, colors.black),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                ("ALIGN", (1, 0), (-1, 0), "RIGHT"),
                ("TOPPADDING", (0, 1), (-1, -1), 4),
            ]
        )
    )
    trows = [["Total HT", money(doc.total_ht, "fr", "€")]]
    for r, base, a in doc.breakdown():
        trows.append([f"TVA {pct(r)} sur {money(base, 'fr')}", money(a, "fr", "€")])
    trows.append(["Total TTC", money(doc.total_ttc, "fr", "€")])
    if doc.deposit:
        trows.append(
            [
                f"Acompte versé le {fdate(doc.issue - dt.timedelta(days=40), 'num')}",
                money(-doc.deposit, "fr", "€"),
            ]
        )
    trows.append(["Net à payer", money(doc.net_due, "fr", "€")])
    tot = Table(trows, colWidths=[62 * mm, 30 * mm], hAlign="RIGHT")
    tot.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 9.5),
                ("FONT", (0, -1), (-1, -1), font + "-B", 11),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("LINEABOVE", (0, -1), (-1, -1), 1, colors.black),
            ]
        )
    )
    terms = f"Date d'échéance : {fdate(doc.due, ds)}" if doc.due else "Paiement à réception de facture"
    notes = [
        Paragraph(esc(terms), st["b"]),
        Paragraph(
            "Taux réduits de TVA appliqués conformément aux art. 278-0 bis A et 279-0 bis du CGI "
            "(attestation simplifiée remise par le client). Pénalités de retard : 10 % l'an ; "
            "indemnité forfaitaire de recouvrement : 40 €.",
            st["s"],
        ),
        Paragraph(
            f"Assurance décennale MAAF n° {doc.number.replace('-', '')}7{doc.idx}A – "
            "couverture France métropolitaine.",
            st["s"],
        ),
    ]
    story = [
        head,
        Spacer(1, 7 * mm),
        blk,
        Spacer(1, 7 * mm),
        t,
        Spacer(1, 4 * mm),
        tot,
        Spacer(1, 8 * mm),
    ] + notes
    legal = s.legal_line + f" – Répertoire des Métiers {doc.extra['rm']}"
    return rl_build(story, footer=lambda p: [Paragraph(esc(legal), st["sc"])])


# ---------------------------------------------------------------- C: French public buyer, number in the title

PUBLIC_BUYERS = [
    ("Commune de Villeurbanne", "Direction des Sports", ("69100", "Villeurbanne")),
    ("Centre Hospitalier de Bourg-en-Bresse", "Services économiques", ("01000", "Bourg-en-Bresse")),
    ("Département de la Drôme", "Direction des routes", ("26000", "Valence")),
    ("Université de Rennes", "Bibliothèque universitaire", ("35000", "Rennes")),
    ("Métropole Nice Côte d'Azur", "Médiathèques", ("06000", "Nice")),
]
PUBLIC_SELLERS = [
    (
        "Librairie Le Carré des Mots",
        [
            ("Abonnement Le Monde (12 mois)", "u", 380, 420, 2.1),
            ("Abonnement revue Esprit (1 an)", "u", 80, 120, 2.1),
            ("Ouvrages jeunesse (lot)", "lot", 150, 600, 5.5),
            ("Romans – nouveautés de la rentrée", "u", 18, 25, 5.5),
            ("DVD documentaires", "u", 18, 32, 20),
            ("Équipement des ouvrages (film, cotes)", "u", 1.2, 2.4, 20),
        ],
    ),
    (
        "Verts Espaces Services",
        [
            ("Tonte des terrains de sport", "forfait", 1200, 2600, 20),
            ("Taille des haies", "h", 38, 52, 20),
            ("Évacuation déchets verts", "m³", 22, 35, 20),
        ],
    ),
    (
        "Ateliers Numériques du Rhône",
        [
            ("Maintenance parc informatique (trimestre)", "forfait", 1800, 4200, 20),
            ("Intervention sur site", "h", 65, 95, 20),
            ("Licence antivirus poste (1 an)", "u", 18, 32, 20),
        ],
    ),
]


def make_rl_public(rng, i) -> Doc:
    sname, pool = PUBLIC_SELLERS[[0, 1, 0, 2, 0][i]]
    seller = fr_company(rng, sname, style=0, show=("siret", "vat"))
    bname, svc, city = PUBLIC_BUYERS[i]
    buyer = fr_buyer(rng, name=bname, show=("siret",))
    buyer.siren = "2" + buyer.siren[1:8]
    buyer.siren += luhn.calc_check_digit(buyer.siren)
    buyer.siret = make_siret(rng, buyer.siren)
    buyer.addr = address(rng, city)
    buyer.extra_svc = svc
    iss = issue_date(rng)
    n = f"{iss.year}-{rng.randint(100, 400)}"
    lines = pick_lines(rng, pool, min(len(pool), rng.randint(3, 5)))
    d = Doc(
        "rl_public",
        i,
        "invoice",
        n,
        iss,
        iss + dt.timedelta(days=30),
        "EUR",
        seller,
        buyer,
        lines,
        po=[f"{rng.randint(1000000000, 1999999999)}", f"EJ{iss.year}{rng.randint(10000, 99999)}"][i % 2],
        buyer_ref=[f"SERV-{rng.randint(100, 999)}", "DSI-042" if i == 3 else f"BIB{rng.randint(10, 99)}"][
            i % 2
        ],
    )
    d.extra["marche"] = f"Marché n° {iss.year - 1}-MAPA-{rng.randint(10, 99):03d}"
    return d


def render_rl_public(doc: Doc) -> bytes:
    rl_setup()
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import HRFlowable, Paragraph, Spacer, Table, TableStyle

    font = ["LN", "DVSC", "LN", "DVS", "LS"][doc.idx]
    st = rl_styles(font, 9)
    s, b = doc.seller, doc.buyer
    ds = ["dot", "dash", "dot", "iso", "dash"][doc.idx]
    title = Paragraph(f"FACTURE N° {doc.number}", st["h"])
    sub = Paragraph(
        f"Émise le {fdate(doc.issue, ds)} – à régler au plus tard le {fdate(doc.due, ds)}", st["n"]
    )
    seller_blk = (
        [Paragraph("<b>Émetteur</b>", st["s"]), Paragraph(f"<b>{esc(s.name)}</b>", st["n"])]
        + [Paragraph(esc(x), st["n"]) for x in s.addr]
        + [Paragraph(f"SIRET {fmt_siret(s.siret)}", st["n"]), Paragraph(f"TVA {fmt_vat(s.vat)}", st["n"])]
    )
    buyer_blk = (
        [
            Paragraph("<b>Destinataire (Chorus Pro)</b>", st["s"]),
            Paragraph(f"<b>{esc(b.name)}</b>", st["n"]),
            Paragraph(esc(b.extra_svc), st["n"]),
        ]
        + [Paragraph(esc(x), st["n"]) for x in b.addr]
        + [Paragraph(f"SIRET {fmt_siret(b.siret, 1)}", st["n"])]
    )
    hdr = Table([[seller_blk, buyer_blk]], colWidths=[87 * mm, 87 * mm])
    hdr.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOX", (1, 0), (1, 0), 0.5, colors.black),
                ("LEFTPADDING", (1, 0), (1, 0), 6),
            ]
        )
    )
    refs = Table(
        [
            ["Code service", "N° d'engagement juridique", "Marché"],
            [doc.buyer_ref, doc.po, doc.extra["marche"].split("n° ")[1]],
        ],
        colWidths=[40 * mm, 60 * mm, 74 * mm],
    )
    refs.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), font + "-B", 8),
                ("FONT", (0, 1), (-1, 1), font, 9),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.grey),
            ]
        )
    )
    rows = [["Désignation", "Quantité", "Prix unitaire HT", "Taux TVA", "Montant HT"]]
    for ln in doc.lines:
        rows.append(
            [
                Paragraph(esc(ln.desc), st["n"]),
                qty_str(ln.qty),
                money(ln.unit_price, "frdot"),
                pct(ln.rate),
                money(ln.total, "frdot"),
            ]
        )
    t = Table(rows, colWidths=[78 * mm, 20 * mm, 28 * mm, 20 * mm, 28 * mm])
    t.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 9),
                ("FONT", (0, 0), (-1, 0), font + "-B", 9),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f0f0e0")),
            ]
        )
    )
    bd = [["Taux", "Base HT", "Montant TVA"]] + [
        [pct(r), money(bs, "frdot"), money(a, "frdot")] for r, bs, a in doc.breakdown()
    ]
    bdt = Table(bd, colWidths=[18 * mm, 28 * mm, 28 * mm])
    bdt.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 8.5),
                ("FONT", (0, 0), (-1, 0), font + "-B", 8.5),
                ("ALIGN", (0, 0), (-1, -1), "RIGHT"),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ]
        )
    )
    tot = Table(
        [
            ["Montant hors taxes", money(doc.total_ht, "frdot", "EUR")],
            ["Total TVA", money(doc.total_vat, "frdot", "EUR")],
            ["Montant TTC", money(doc.total_ttc, "frdot", "EUR")],
        ],
        colWidths=[38 * mm, 34 * mm],
    )
    tot.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 9.5),
                ("FONT", (0, 2), (-1, 2), font + "-B", 10.5),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("BOX", (0, 2), (-1, 2), 1, colors.black),
            ]
        )
    )
    both = Table([[bdt, tot]], colWidths=[90 * mm, 84 * mm])
    both.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (1, 0), (1, 0), "RIGHT")]))
    pay = Paragraph(
        f"Paiement par mandat administratif, délai global de paiement de 30 jours. Virement sur IBAN "
        f"{s.iban}. Facture déposée sur Chorus Pro.",
        st["s"],
    )
    story = [
        title,
        sub,
        HRFlowable(width="100%", thickness=1.2, spaceBefore=4, spaceAfter=8),
        hdr,
        Spacer(1, 6 * mm),
        refs,
        Spacer(1, 6 * mm),
        t,
        Spacer(1, 5 * mm),
        both,
        Spacer(1, 10 * mm),
        pay,
    ]
    return rl_build(story, footer=lambda p: [Paragraph(esc(s.legal_line), st["sc"])])


# ---------------------------------------------------------------- D: wholesaler, several pages, totals on the last

WHOLESALERS = [
    ("CRA Distribution", "Comptoir Rhodanien de l'Alimentation"),
    ("ProCash Ouest", "Distribution Alimentaire de l'Ouest"),
    ("Saveurs Grossistes", "Saveurs & Terroirs Grossistes"),
    ("Marché Pro Provence", "Provence Frais Distribution"),
    ("Épicentre Pro", "Épicentre Approvisionnement"),
]
FOOD = [
    "Farine T55 sac 25 kg",
    "Sucre semoule 10 kg",
    "Huile de tournesol 5 L",
    "Beurre doux 82 % 1 kg",
    "Crème liquide 35 % 1 L",
    "Lait UHT demi-écrémé 1 L",
    "Œufs frais calibre M x180",
    "Riz basmati 5 kg",
    "Pâtes penne 5 kg",
    "Tomates pelées 4/4",
    "Sel fin 10 kg",
    "Chocolat noir 64 % 5 kg",
    "Levure boulangère 500 g",
    "Café grains 1 kg",
    "Thé noir 100 sachets",
    "Jus d'orange 1 L",
    "Eau minérale 1,5 L x6",
    "Emmental râpé 1 kg",
    "Jambon cuit supérieur 4 kg",
    "Saumon fumé 1 kg",
    "Lentilles vertes 5 kg",
    "Pois chiches 4/4",
    "Moutarde de Dijon 5 kg",
    "Vinaigre de vin 1 L",
    "Miel toutes fleurs 1 kg",
    "Confiture fraise 1 kg",
    "Biscuits secs 2 kg",
    "Compote pomme 4/4",
    "Olives vertes 1 kg",
    "Thon albacore 1,7 kg",
]
NONFOOD = [
    "Vin rouge AOP Côtes du Rhône 75 cl",
    "Bière blonde 33 cl x24",
    "Pastis 1 L",
    "Liquide vaisselle 5 L",
    "Essuie-tout rouleau x6",
    "Sacs poubelle 100 L x25",
    "Film étirable 300 m",
    "Gants nitrile x100",
    "Détergent sol 5 L",
    "Barquettes alu x100",
    "Serviettes papier x500",
    "Cognac VS 70 cl",
]


def make_rl_multipage(rng, i) -> Doc:
    trade, legal = WHOLESALERS[i]
    seller = fr_company(rng, trade, legal=legal, style=[0, 2, 0, 1, 2][i], show=("rcs", "siret", "vat"))
    buyer = fr_buyer(rng, show=("siret", "vat"))
    iss = issue_date(rng)
    n_lines = [58, 96, 120, 66, 104][i]
    lines = []
    for _k in range(n_lines):
        nonfood = rng.random() < 0.3
        desc = rng.choice(NONFOOD if nonfood else FOOD)
        price = D(str(round(rng.uniform(0.6, 48), 3)))
        lines.append(
            Line(
                desc,
                D(rng.choice([1, 2, 3, 4, 5, 6, 10, 12, 20, 24])),
                price,
                D(20) if nonfood else D("5.5"),
                rng.choice(["u", "colis", "kg", "ct"]),
                ref=f"{rng.randint(100000, 999999)}",
            )
        )
    d = Doc(
        "rl_multipage",
        i,
        "invoice",
        f"FA{iss.strftime('%y%m')}{rng.randint(1000, 9999)}",
        iss,
        end_of_month(iss + dt.timedelta(days=30)) if i != 2 else None,
        "EUR",
        seller,
        buyer,
        lines,
        discount_pct=D(rng.choice([2, 3, 5])),
        shipping=q(D(rng.uniform(25, 90))),
        shipping_rate=D(20),
        po=f"CMD-{rng.randint(10000, 99999)}" if i != 4 else None,
        customer_no=f"{rng.randint(100000, 999999)}",
    )
    d.extra["bl"] = f"BL{rng.randint(100000, 999999)}"
    return d


def render_rl_multipage(doc: Doc) -> bytes:
    rl_setup()
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    font = ["LN", "DVSC", "LS", "LN", "DVSC"][doc.idx]
    st = rl_styles(font, 8.5)
    s, b = doc.seller, doc.buyer
    ds = "num2"
    lh = (
        [
            Paragraph(f"<font size=15><b>{esc(s.name)}</b></font>", st["n"]),
            Paragraph("Grossiste alimentaire – cash & carry – livraison CHR", st["s"]),
        ]
        + [Paragraph(esc(x), st["n"]) for x in s.addr]
        + [Paragraph(f"Tél. {s.phone}", st["n"])]
    )
    bill = (
        [Paragraph("FACTURER À", st["s"]), Paragraph(f"<b>{esc(b.name)}</b>", st["n"])]
        + [Paragraph(esc(x), st["n"]) for x in b.addr]
        + [Paragraph(f"SIRET {fmt_siret(b.siret, 2)}", st["n"]), Paragraph(f"N° TVA {b.vat}", st["n"])]
    )
    hdr = Table([[lh, bill]], colWidths=[95 * mm, 79 * mm])
    hdr.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOX", (1, 0), (1, 0), 0.5, colors.black)])
    )
    info = [
        ["Facture", "Date", "Échéance", "Code client", "Votre commande", "Bon de livraison"],
        [
            doc.number,
            fdate(doc.issue, ds),
            fdate(doc.due, ds) if doc.due else "30 j fin de mois",
            doc.customer_no,
            doc.po or "—",
            doc.extra["bl"],
        ],
    ]
    it = Table(info, colWidths=[30 * mm, 22 * mm, 28 * mm, 26 * mm, 34 * mm, 34 * mm])
    it.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), font + "-B", 8),
                ("FONT", (0, 1), (-1, 1), font, 9),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
            ]
        )
    )
    rows = [["Réf.", "Désignation", "Qté", "U", "PU HT", "TVA", "Montant HT"]]
    for ln in doc.lines:
        rows.append(
            [
                ln.ref,
                ln.desc,
                qty_str(ln.qty),
                ln.unit,
                f"{ln.unit_price:.3f}".replace(".", ","),
                "1" if ln.rate == D("5.5") else "2",
                money(ln.total, "fr"),
            ]
        )
    t = Table(rows, colWidths=[16 * mm, 78 * mm, 12 * mm, 12 * mm, 18 * mm, 12 * mm, 26 * mm], repeatRows=1)
    t.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 8),
                ("FONT", (0, 0), (-1, 0), font + "-B", 8),
                ("ALIGN", (2, 0), (-1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f3f3f3")]),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    codes = {D("5.5"): "1", D(20): "2"}
    bd = [["Code", "Taux", "Base HT", "TVA"]] + [
        [codes[r], pct(r), money(bs, "fr"), money(a, "fr")] for r, bs, a in doc.breakdown()
    ]
    bdt = Table(bd, colWidths=[12 * mm, 16 * mm, 26 * mm, 22 * mm])
    bdt.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 8.5),
                ("FONT", (0, 0), (-1, 0), font + "-B", 8.5),
                ("ALIGN", (0, 0), (-1, -1), "RIGHT"),
                ("BOX", (0, 0), (-1, -1), 0.5, colors.black),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
            ]
        )
    )
    tot = Table(
        [
            ["Sous-total HT", money(doc.subtotal, "fr")],
            [f"Remise {pct(doc.discount_pct)}", money(-doc.discount, "fr")],
            ["Frais de port", money(doc.shipping, "fr")],
            ["Total HT", money(doc.total_ht, "fr")],
            ["Total TVA", money(doc.total_vat, "fr")],
            ["Total TTC", money(doc.total_ttc, "fr", "€")],
            ["NET À PAYER", money(doc.net_due, "fr", "€")],
        ],
        colWidths=[34 * mm, 30 * mm],
    )
    tot.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 9),
                ("FONT", (0, -1), (-1, -1), font + "-B", 10),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("LINEABOVE", (0, 3), (-1, 3), 0.5, colors.black),
                ("BOX", (0, -1), (-1, -1), 1, colors.black),
            ]
        )
    )
    both = Table([[bdt, tot]], colWidths=[100 * mm, 74 * mm])
    both.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story = [
        hdr,
        Spacer(1, 4 * mm),
        it,
        Spacer(1, 4 * mm),
        t,
        Spacer(1, 4 * mm),
        both,
        Spacer(1, 4 * mm),
        Paragraph(
            "Code TVA 1 = 5,5 % ; code 2 = 20 %. Marchandises voyageant aux risques du destinataire. "
            "Pénalités de retard : 3 fois le taux d'intérêt légal ; indemnité forfaitaire de 40 € pour "
            "frais de recouvrement.",
            st["s"],
        ),
    ]

    def footer(page):
        return [Paragraph(f"{esc(s.legal_line)}<br/>Facture {doc.number} – page {page}", st["sc"])]

    return rl_build(story, footer=footer, margins=(18, 18, 14, 22))


# ---------------------------------------------------------------- E: credit notes (AVOIR), signs vary

AVOIR_SELLERS = [
    (
        "Bureau Plus Pro",
        "Papeteries Armoricaines",
        [
            ("Ramette papier A4 80 g (carton de 5)", "ct", 19, 32, 20),
            ("Cartouche toner noir HL-L5100", "u", 65, 120, 20),
            ("Fauteuil de bureau ergonomique", "u", 180, 390, 20),
        ],
    ),
    (
        "Cuisines Pro Équipement",
        "Cuisines Professionnelles Équipement",
        [("Four mixte 10 niveaux", "u", 5800, 9200, 20), ("Batteur mélangeur 20 L", "u", 1900, 3100, 20)],
    ),
    (
        "Tissus & Lin du Nord",
        "Tissus et Lin du Nord",
        [("Nappe lin 180x300 blanche", "u", 45, 80, 20), ("Serviettes coton (lot de 12)", "lot", 28, 46, 20)],
    ),
    (
        "Épicerie Fine Delmas",
        "Delmas Épicerie Fine",
        [
            ("Coffret foie gras 180 g", "u", 24, 39, 5.5),
            ("Champagne brut 75 cl", "u", 22, 38, 20),
            ("Ballotin chocolats 500 g", "u", 18, 29, 5.5),
        ],
    ),
    (
        "Formapro Conseil",
        "Formapro Conseil et Formation",
        [
            ("Formation Excel avancé (2 jours)", "forfait", 900, 1500, 20),
            ("Support de cours imprimé", "u", 12, 25, 20),
        ],
    ),
]
MOTIFS = [
    "Retour de marchandise non conforme",
    "Geste commercial suite à retard de livraison",
    "Annulation partielle de la commande",
    "Erreur de prix sur facture",
    "Article défectueux repris",
]


def make_rl_avoir(rng, i) -> Doc:
    trade, legal, pool = AVOIR_SELLERS[i]
    seller = fr_company(
        rng, trade, legal=legal, style=[0, 0, 2, 1, 0][i], show=("siren", "vat") if i % 2 else ("rcs", "vat")
    )
    buyer = fr_buyer(rng, show=("vat", "siren"))
    iss = issue_date(rng)
    lines = pick_lines(rng, pool, rng.randint(1, len(pool)))
    for ln in lines:
        ln.qty = min(ln.qty, D(rng.randint(1, 4)))
    orig = iss - dt.timedelta(days=rng.randint(8, 60))
    d = Doc(
        "rl_avoir",
        i,
        "credit_note",
        [f"AV-{iss.year}-{rng.randint(10, 99):04d}", f"A{iss.strftime('%y%m')}{rng.randint(100, 999)}"][
            i % 2
        ],
        iss,
        None,
        "EUR",
        seller,
        buyer,
        lines,
        orig_number=f"FA-{orig.year}-{rng.randint(100, 999):05d}",
        orig_date=orig,
        buyer_ref=f"REF-{rng.randint(1000, 9999)}" if i == 2 else None,
        customer_no=f"CL{rng.randint(10000, 99999)}",
    )
    d.extra["motif"] = MOTIFS[i]
    d.extra["neg"] = i in (0, 2, 3)
    return d


def render_rl_avoir(doc: Doc) -> bytes:
    rl_setup()
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import HRFlowable, Paragraph, Spacer, Table, TableStyle

    font = ["DVS", "LS", "DVSerif", "LSerif", "LN"][doc.idx]
    st = rl_styles(font, 9)
    s, b = doc.seller, doc.buyer
    sg = -1 if doc.extra["neg"] else 1
    ds = ["num", "abbr", "num", "long", "dash"][doc.idx]
    cur = "€" if doc.idx % 2 else "EUR"
    left = (
        [Paragraph(f"<font size=14><b>{esc(s.name)}</b></font>", st["n"])]
        + [Paragraph(esc(x), st["n"]) for x in s.addr]
        + [Paragraph(esc(s.email), st["n"])]
    )
    right = [
        Paragraph("AVOIR", st["hr"]),
        Paragraph(f"N° {doc.number}", st["br"]),
        Paragraph(f"Date : {fdate(doc.issue, ds)}", st["r"]),
        Paragraph(f"Facture d'origine n° {doc.orig_number} du {fdate(doc.orig_date, ds)}", st["r"]),
    ]
    hdr = Table([[left, right]], colWidths=[95 * mm, 79 * mm])
    hdr.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    cli = (
        [Paragraph(f"<b>{esc(b.name)}</b>", st["n"])]
        + [Paragraph(esc(x), st["n"]) for x in b.addr]
        + [Paragraph(f"SIREN : {fmt_siren(b.siren)} – TVA : {b.vat}", st["n"])]
    )
    info = [
        Paragraph(f"Code client : {doc.customer_no}", st["n"]),
        Paragraph(f"Motif : {esc(doc.extra['motif'])}", st["n"]),
    ]
    if doc.buyer_ref:
        info.append(Paragraph(f"Votre référence : {doc.buyer_ref}", st["n"]))
    blk = Table([[info, cli]], colWidths=[95 * mm, 79 * mm])
    blk.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    rows = [["Article", "Qté", "PU HT", "TVA", "Total HT"]]
    for ln in doc.lines:
        rows.append(
            [
                Paragraph(esc(ln.desc), st["n"]),
                qty_str(sg * ln.qty),
                money(ln.unit_price, "fr"),
                pct(ln.rate),
                money(sg * ln.total, "fr"),
            ]
        )
    t = Table(rows, colWidths=[90 * mm, 16 * mm, 26 * mm, 16 * mm, 26 * mm])
    t.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 9),
                ("FONT", (0, 0), (-1, 0), font + "-B", 9),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("LINEABOVE", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEBELOW", (0, -1), (-1, -1), 0.8, colors.black),
            ]
        )
    )
    trows = [["Total HT", money(sg * doc.total_ht, "fr", cur)]]
    for r, _bs, a in doc.breakdown():
        trows.append([f"TVA {pct(r)}", money(sg * a, "fr", cur)])
    trows.append(["Total TTC", money(sg * doc.total_ttc, "fr", cur)])
    trows.append(
        [
            "Montant en votre faveur" if doc.idx % 2 else "Montant à rembourser",
            money(doc.total_ttc, "fr", cur),
        ]
    )
    tot = Table(trows, colWidths=[48 * mm, 32 * mm], hAlign="RIGHT")
    tot.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 9.5),
                ("FONT", (0, -1), (-1, -1), font + "-B", 10),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("BOX", (0, -1), (-1, -1), 0.8, colors.black),
            ]
        )
    )
    note = Paragraph(
        "Cet avoir sera déduit de votre prochain règlement ou remboursé par virement sur demande."
        if doc.idx % 2
        else "Avoir remboursé par virement sous 15 jours.",
        st["s"],
    )
    story = [
        hdr,
        HRFlowable(width="100%", thickness=0.5, spaceBefore=6, spaceAfter=6),
        blk,
        Spacer(1, 8 * mm),
        t,
        Spacer(1, 4 * mm),
        tot,
        Spacer(1, 8 * mm),
        note,
    ]
    return rl_build(story, footer=lambda p: [Paragraph(esc(s.legal_line), st["sc"])])


# ---------------------------------------------------------------- F: English export invoice (USD/GBP/SEK/CHF)

EXPORTERS = [
    ("FOREZ VALVES", "Vannes et Robinetterie du Forez"),
    ("Lumière d'Alsace", "Verrerie Lumière d'Alsace"),
    ("Atelier Sellier Dumas", "Sellerie Dumas"),
    ("BIOCOSM", "Biocosmétiques de Provence"),
    ("Tonnellerie Marsan", "Tonnellerie Marsan"),
]
EXPORT_LINES = [
    ("Industrial ball valve DN50 PN40", "pcs", 180, 420, 0),
    ("Spare parts kit – seals & gaskets", "kit", 45, 120, 0),
    ("Crystal pendant lamp, model Ondine", "pcs", 260, 540, 0),
    ('Leather saddle, dressage, 17.5"', "pcs", 1900, 3400, 0),
    ("Organic face serum 30 ml (case of 24)", "case", 210, 330, 0),
    ("French oak barrel 225 L, medium toast", "pcs", 780, 1100, 0),
    ("Technical documentation (English)", "flat", 150, 300, 0),
    ("Packing and crating", "flat", 90, 260, 0),
]
EXPORT_BUYERS = [
    ("Harbor Industrial Supply Inc.", ["1450 Commerce St", "Houston, TX 77002", "USA"], "US", "USD"),
    ("Whitfield & Sons Ltd", ["14 Queen's Road", "Bristol BS8 1QU", "United Kingdom"], "GB", "GBP"),
    ("Nordisk Hästsport AB", ["Sveavägen 44", "111 34 Stockholm", "Sweden"], "SE", "SEK"),
    ("Bergmann Kosmetik AG", ["Bahnhofstrasse 21", "8001 Zürich", "Switzerland"], "CH", "CHF"),
    ("Napa Ridge Cellars LLC", ["2200 Silverado Trail", "Napa, CA 94558", "USA"], "US", "USD"),
]


def make_rl_export(rng, i) -> Doc:
    trade, legal = EXPORTERS[i]
    seller = fr_company(rng, trade, legal=legal, style=[0, 2, 0, 1, 0][i], show=("rcs", "vat"))
    bname, baddr, country, cur = EXPORT_BUYERS[i]
    buyer = Party(name=bname, addr=baddr, country=country)
    if country in ("GB", "SE", "CH"):
        buyer.vat, buyer.show_vat = foreign_vat(rng, country), True
    iss = issue_date(rng, lo=(2026, 1, 13), hi=(2026, 6, 28))
    if iss.day <= 12:
        iss = iss.replace(day=iss.day + 13)
    product = [[0, 1], [2], [3], [4], [5]][i]
    lines = pick_lines(rng, [EXPORT_LINES[k] for k in product], 2) + pick_lines(
        rng, EXPORT_LINES[6:], rng.randint(0, 2)
    )
    if cur == "SEK":
        for ln in lines:
            ln.unit_price = q(ln.unit_price * D("11.2"))
    d = Doc(
        "rl_export",
        i,
        "invoice",
        f"EXP-{iss.year}-{rng.randint(10, 250):04d}",
        iss,
        iss + dt.timedelta(days=[30, 45, 60, 30, 30][i]),
        cur,
        seller,
        buyer,
        lines,
        shipping=q(D(rng.uniform(120, 600))),
        shipping_rate=D(0),
        vat_mode="reverse" if country == "SE" else "export",
        po=f"PO-{rng.randint(40000, 49999)}" if i != 3 else None,
    )
    d.extra["incoterm"] = {
        "US": rng.choice(["EXW Saint-Étienne", "FCA Lyon", "CIP Houston"]),
        "GB": "DAP Bristol",
        "SE": "DAP Stockholm",
        "CH": "FCA Mulhouse",
    }[country]
    return d


def render_rl_export(doc: Doc) -> bytes:
    rl_setup()
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    font = ["LS", "DVS", "LSerif", "DVSC", "LS"][doc.idx]
    st = rl_styles(font, 9)
    s, b = doc.seller, doc.buyer
    ds = "usnum" if doc.currency == "USD" and doc.idx == 0 else ("us" if doc.currency == "USD" else "uk")
    cur = {"USD": "$", "GBP": "£", "SEK": "SEK", "CHF": "CHF"}[doc.currency]
    mst = "en" if doc.currency != "SEK" else "fr"
    m = lambda x: money(x, mst, cur)  # noqa: E731
    top = Table(
        [[Paragraph(f"<font size=18><b>{esc(s.name)}</b></font>", st["n"]), Paragraph("INVOICE", st["hr"])]],
        colWidths=[110 * mm, 64 * mm],
    )
    top.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 2, colors.HexColor("#1d3557")),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ]
        )
    )
    frm = (
        [Paragraph("<b>From</b>", st["s"])]
        + [Paragraph(esc(x), st["n"]) for x in s.addr + ["France"]]
        + [Paragraph(f"VAT No. {s.vat}", st["n"]), Paragraph(f"EORI {s.vat}00000", st["n"])]
    )
    to = [Paragraph("<b>Bill to</b>", st["s"]), Paragraph(f"<b>{esc(b.name)}</b>", st["n"])] + [
        Paragraph(esc(x), st["n"]) for x in b.addr
    ]
    if b.show_vat:
        to.append(Paragraph(f"VAT: {fmt_ch_vat(b.vat, 'MWST') if b.country == 'CH' else b.vat}", st["n"]))
    meta = [
        ["Invoice No.", doc.number],
        ["Invoice date", fdate(doc.issue, ds)],
        ["Due date", fdate(doc.due, ds)],
        ["Terms", f"Net {(doc.due - doc.issue).days}"],
    ]
    if doc.po:
        meta.append(["Customer PO", doc.po])
    meta.append(["Incoterm", doc.extra["incoterm"]])
    mt = Table(meta, colWidths=[26 * mm, 34 * mm])
    mt.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 8.5),
                ("FONT", (0, 0), (0, -1), font + "-B", 8.5),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
            ]
        )
    )
    hdr = Table([[frm, to, mt]], colWidths=[56 * mm, 58 * mm, 60 * mm])
    hdr.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    rows = [["Description", "Qty", "Unit", "Unit price", "Amount"]]
    for ln in doc.lines:
        rows.append(
            [Paragraph(esc(ln.desc), st["n"]), qty_str(ln.qty, "en"), ln.unit, m(ln.unit_price), m(ln.total)]
        )
    t = Table(rows, colWidths=[84 * mm, 14 * mm, 16 * mm, 30 * mm, 30 * mm])
    t.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 9),
                ("FONT", (0, 0), (-1, 0), font + "-B", 9),
                ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1d3557")),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("LINEBELOW", (0, 1), (-1, -1), 0.3, colors.HexColor("#999999")),
            ]
        )
    )
    exempt = (
        "VAT exempt – intra-Community supply of goods, article 262 ter I of the French CGI; reverse charge: "
        "VAT due by the customer"
        if doc.vat_mode == "reverse"
        else "VAT exempt – export of goods outside the EU, article 262 I of the French CGI"
    )
    tot = Table(
        [
            ["Subtotal", m(doc.subtotal)],
            ["Freight & insurance", m(doc.shipping)],
            ["VAT 0%", m(D(0))],
            ["Grand total", m(doc.total_ttc)],
            ["Amount paid", m(D(0))],
            ["Balance due", m(doc.net_due)],
        ],
        colWidths=[40 * mm, 34 * mm],
        hAlign="RIGHT",
    )
    tot.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 9.5),
                ("FONT", (0, 3), (-1, 3), font + "-B", 10),
                ("FONT", (0, 5), (-1, 5), font + "-B", 11),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("LINEABOVE", (0, 3), (-1, 3), 0.8, colors.black),
                ("BACKGROUND", (0, 5), (-1, 5), colors.HexColor("#e9eef5")),
            ]
        )
    )
    story = [
        top,
        Spacer(1, 5 * mm),
        hdr,
        Spacer(1, 8 * mm),
        t,
        Spacer(1, 4 * mm),
        tot,
        Spacer(1, 6 * mm),
        Paragraph(esc(exempt), st["s"]),
        Paragraph(
            f"All amounts in {doc.currency}. Please pay by wire transfer to IBAN {s.iban}, BIC BNPAFRPPXXX, "
            f"quoting invoice {doc.number}.",
            st["s"],
        ),
    ]
    return rl_build(story, footer=lambda p: [Paragraph(esc(s.legal_line), st["sc"])])


# ================================================================== fpdf2 layouts


def fp_new(fonts=("DejaVuSans",), footer=None, orientation="P"):
    from fpdf import FPDF

    class P(FPDF):
        def footer(self):
            if footer:
                footer(self)

    pdf = P(orientation=orientation, unit="mm", format="A4")
    pdf.set_creation_date(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    pdf.set_producer("")
    files = {
        "DejaVuSans": (DEJAVU / "DejaVuSans.ttf", DEJAVU / "DejaVuSans-Bold.ttf"),
        "DejaVuSansCondensed": (DEJAVU / "DejaVuSansCondensed.ttf", DEJAVU / "DejaVuSansCondensed-Bold.ttf"),
        "DejaVuSerif": (DEJAVU / "DejaVuSerif.ttf", DEJAVU / "DejaVuSerif-Bold.ttf"),
        "LiberationSans": (LIBERATION / "LiberationSans-Regular.ttf", LIBERATION / "LiberationSans-Bold.ttf"),
        "LiberationSerif": (
            LIBERATION / "LiberationSerif-Regular.ttf",
            LIBERATION / "LiberationSerif-Bold.ttf",
        ),
        "LiberationNarrow": (
            LIBERATION / "LiberationSansNarrow-Regular.ttf",
            LIBERATION / "LiberationSansNarrow-Bold.ttf",
        ),
        "LiberationMono": (LIBERATION / "LiberationMono-Regular.ttf", LIBERATION / "LiberationMono-Bold.ttf"),
        "DejaVuMono": (DEJAVU / "DejaVuSansMono.ttf", DEJAVU / "DejaVuSansMono-Bold.ttf"),
    }
    for f in fonts:
        reg, bold = files[f]
        pdf.add_font(f, "", str(reg))
        pdf.add_font(f, "B", str(bold))
    pdf.set_auto_page_break(True, margin=22)
    return pdf


def fp_bytes(pdf) -> bytes:
    return bytes(pdf.output())


def fp_par(pdf, h, text, align="L"):
    from fpdf.enums import XPos, YPos

    pdf.multi_cell(0, h, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def fp_kv(pdf, label, value, w1, w2, font, size=9, bold=False, align="R", h=5.5, border=0):
    from fpdf.enums import XPos, YPos

    pdf.set_font(font, "B" if bold else "", size)
    pdf.cell(w1, h, label, border=border)
    pdf.cell(w2, h, value, border=border, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


# ---------------------------------------------------------------- G: SaaS subscription, English/French, reverse charge

SAAS = [
    ("pilotis", "Pilotis Software"),
    ("Kanbanio", "Kanbanio"),
    ("datafleur", "Datafleur Analytics"),
    ("Signaturo", "Signaturo Cloud"),
    ("Hublo RH", "Hublo Technologies"),
]
SAAS_LINES = [
    ("Plan Business – {n} seats – {p}", "month", 290, 1400, 20),
    ("API add-on (1M calls) – {p}", "month", 90, 250, 20),
    ("Extra storage 500 GB – {p}", "month", 25, 60, 20),
    ("Premium support – {p}", "month", 150, 400, 20),
    ("Onboarding package (one-off)", "flat", 800, 2500, 20),
    ("SSO / SAML module – {p}", "month", 60, 180, 20),
]
EU_BUYERS = [
    ("Kramer Logistik GmbH", ["Hafenstraße 12", "20457 Hamburg", "Germany"], "DE"),
    ("Vandenberghe Bouw NV", ["Kortrijksesteenweg 210", "9000 Gent", "Belgium"], "BE"),
    ("Officine Rinaldi S.r.l.", ["Via Torino 88", "10121 Torino", "Italy"], "IT"),
    ("Grönlund Media AB", ["Drottninggatan 5", "411 14 Göteborg", "Sweden"], "SE"),
]


def make_fp_saas(rng, i) -> Doc:
    trade, legal = SAAS[i]
    seller = fr_company(rng, trade, legal=legal, style=[2, 0, 1, 2, 0][i], show=("rcs", "vat"))
    iss = issue_date(rng)
    period = f"{EN_MONTHS[iss.month - 1]} {iss.year}"
    domestic = i in (1, 4)
    if domestic:
        buyer = fr_buyer(rng, show=("siren", "vat"))
        cur, mode, rate = "EUR", "normal", D(20)
    else:
        bname, baddr, c = EU_BUYERS[[0, 0, 1, 2, 3][i]]
        buyer = Party(name=bname, addr=baddr, country=c, vat=foreign_vat(rng, c), show_vat=True)
        cur, mode, rate = ("SEK" if c == "SE" else "EUR"), "reverse", D(0)
    lines = pick_lines(rng, SAAS_LINES, rng.randint(2, 4))
    for ln in lines:
        ln.desc = ln.desc.format(n=rng.choice([10, 15, 25, 40, 60]), p=period)
        ln.rate = rate
        if cur == "SEK":
            ln.unit_price = q(ln.unit_price * D("11.4"))
    n = f"INV-{iss.year}-{rng.randint(100, 9999):05d}"
    return Doc(
        "fp_saas",
        i,
        "invoice",
        n,
        iss,
        iss + dt.timedelta(days=rng.choice([14, 30])),
        cur,
        seller,
        buyer,
        lines,
        vat_mode=mode,
        po=f"PO{rng.randint(4500000000, 4599999999)}" if i in (0, 3) else None,
        buyer_ref=f"{rng.choice(['IT', 'OPS', 'FIN'])}-{rng.randint(100, 999)}" if i in (2, 4) else None,
        customer_no=f"cus_{rng.randint(10**7, 10**8)}",
    )


def render_fp_saas(doc: Doc) -> bytes:
    from fpdf.enums import XPos, YPos

    s, b = doc.seller, doc.buyer
    en = doc.idx != 4
    font = ["DejaVuSans", "LiberationSans", "DejaVuSansCondensed", "LiberationSans", "DejaVuSans"][doc.idx]

    def foot(pdf):
        pdf.set_y(-16)
        pdf.set_font(font, "", 6.5)
        pdf.set_text_color(110)
        fp_par(pdf, 3.2, s.legal_line + f" – {s.addr[0]}, {s.addr[1]}", align="C")
        pdf.set_text_color(0)

    pdf = fp_new((font,), foot)
    pdf.add_page()
    ds = "iso" if doc.idx % 2 == 0 else "ukshort"
    cur = {"EUR": "€pre" if en else "€", "SEK": "SEK"}[doc.currency]
    mst = "en" if en and doc.currency == "EUR" else "fr"
    m = lambda x: money(x, mst, cur)  # noqa: E731
    pdf.set_fill_color(35, 38, 64)
    pdf.rect(0, 0, 210, 34, "F")
    pdf.set_text_color(255)
    pdf.set_xy(14, 10)
    pdf.set_font(font, "B", 20)
    pdf.cell(100, 10, ("◆ " if font.startswith("DejaVu") else "// ") + s.name)
    pdf.set_font(font, "", 9)
    pdf.set_xy(14, 21)
    pdf.cell(100, 5, "Cloud software for teams" if en else "Logiciel en ligne pour les équipes")
    pdf.set_xy(120, 9)
    pdf.set_font(font, "", 9)
    pdf.cell(76, 5, "Amount due" if en else "Montant dû", align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(font, "B", 18)
    pdf.cell(76, 10, m(doc.net_due), align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(font, "", 9)
    pdf.cell(
        76, 5, (f"due {fdate(doc.due, ds)}" if en else f"à payer avant le {fdate(doc.due, 'num')}"), align="R"
    )
    pdf.set_text_color(0)
    pdf.set_xy(14, 42)
    pdf.set_font(font, "B", 14)
    pdf.cell(
        0,
        8,
        (f"Invoice {doc.number}" if en else f"Facture {doc.number}"),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    y0 = pdf.get_y() + 2
    pdf.set_xy(14, y0)
    pdf.set_font(font, "", 9)
    labels = (
        ["Invoice date", "Due date", "Customer ID"]
        if en
        else ["Date de facture", "Date d'échéance", "Identifiant client"]
    )
    vals = [fdate(doc.issue, ds if en else "num"), fdate(doc.due, ds if en else "num"), doc.customer_no]
    if doc.po:
        labels.append("PO number")
        vals.append(doc.po)
    if doc.buyer_ref:
        labels.append("Buyer reference" if en else "Référence acheteur")
        vals.append(doc.buyer_ref)
    for lab, v in zip(labels, vals, strict=False):
        pdf.set_x(14)
        fp_kv(pdf, lab, v, 32, 50, font, 9, align="L")
    pdf.set_xy(112, y0)
    pdf.set_font(font, "B", 9)
    pdf.cell(80, 5, "Billed to" if en else "Facturé à", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(font, "", 9)
    for x in [b.name] + b.addr:
        pdf.cell(80, 5, x, new_x=XPos.LEFT, new_y=YPos.NEXT)
    if b.show_siren:
        pdf.cell(80, 5, f"SIREN {fmt_siren(b.siren)}", new_x=XPos.LEFT, new_y=YPos.NEXT)
    if b.show_vat:
        pdf.cell(80, 5, f"VAT ID: {b.vat}" if en else f"N° TVA : {b.vat}", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_y(max(pdf.get_y(), y0 + 32) + 6)
    with pdf.table(
        col_widths=(100, 18, 32, 32),
        text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
        borders_layout="HORIZONTAL_LINES",
        line_height=6.5,
        padding=1.2,
    ) as table:
        r = table.row()
        for h in (
            ["Description", "Qty", "Unit price", "Amount"]
            if en
            else ["Description", "Qté", "Prix unitaire", "Montant"]
        ):
            r.cell(h)
        for ln in doc.lines:
            r = table.row()
            r.cell(ln.desc)
            r.cell(qty_str(ln.qty, "en" if en else "fr"))
            r.cell(m(ln.unit_price))
            r.cell(m(ln.total))
    pdf.ln(4)
    rate = doc.breakdown()[0][0]
    rows = [
        ("Subtotal" if en else "Sous-total HT", m(doc.total_ht)),
        ((f"VAT {pct(rate, 'en')}" if en else f"TVA {pct(rate)}"), m(doc.total_vat)),
        ("Total" if en else "Total TTC", m(doc.total_ttc)),
        ("Amount due" if en else "Montant dû", m(doc.net_due)),
    ]
    for k, (lab, v) in enumerate(rows):
        pdf.set_x(120)
        fp_kv(pdf, lab, v, 40, 36, font, 10 if k == 3 else 9, bold=k == 3, h=6.5, border="T" if k == 3 else 0)
    pdf.ln(6)
    pdf.set_font(font, "", 8)
    if doc.vat_mode == "reverse":
        fp_par(
            pdf,
            4,
            "Reverse charge – VAT to be accounted for by the recipient (Article 196, Directive 2006/112/EC). "
            "Autoliquidation – art. 283-2 du CGI.",
        )
    fp_par(
        pdf,
        4,
        (
            "Paid by card on file? This invoice is settled automatically. Otherwise pay by SEPA transfer to "
            if en
            else "Règlement par prélèvement SEPA ou virement sur "
        )
        + s.iban
        + ".",
    )
    return fp_bytes(pdf)


# ---------------------------------------------------------------- H: transport, rotated legal footer, number in a cell

CARRIERS = [
    ("TRANSALP", "Transports Alpins Réunis"),
    ("Rapid'Fret", "Rapid Fret Logistique"),
    ("Girard Transports", "Transports Girard et Fils"),
    ("ExpressOuest", "Express Ouest Messagerie"),
    ("Citroute", "Citroute Groupage"),
]
ROUTES = [
    ("Lyon (69)", "Marseille (13)"),
    ("Grenoble (38)", "Turin (IT)"),
    ("Rennes (35)", "Paris (75)"),
    ("Nantes (44)", "Bordeaux (33)"),
    ("Lille (59)", "Strasbourg (67)"),
    ("Clermont-Fd (63)", "Toulouse (31)"),
]


def make_fp_transport(rng, i) -> Doc:
    trade, legal = CARRIERS[i]
    seller = fr_company(rng, trade, legal=legal, style=[0, 1, 0, 2, 0][i], show=("rcs", "siret", "vat"))
    buyer = fr_buyer(rng, show=("siren", "vat") if i % 2 else ("siret", "vat"))
    iss = issue_date(rng)
    lines = []
    for _k in range(rng.randint(2, 5)):
        a, z = rng.choice(ROUTES)
        lines.append(
            Line(
                f"Transport {a} → {z} – {rng.randint(2, 33)} palettes – LV n° {rng.randint(100000, 999999)}",
                D(1),
                q(D(rng.uniform(380, 1650))),
                D(20),
                "voyage",
            )
        )
    fuel = sum((ln.total for ln in lines), D(0))
    lines.append(
        Line(
            f"Surcharge gazole (indexation CNR {rng.choice(['8,4', '9,1', '7,6'])} %)",
            D(1),
            q(fuel * D(rng.choice(["0.084", "0.091", "0.076"]))),
            D(20),
            "forfait",
        )
    )
    if rng.random() < 0.6:
        lines.append(Line("Attente au chargement", D(rng.randint(1, 3)), D("55.00"), D(20), "h"))
    d = Doc(
        "fp_transport",
        i,
        "invoice",
        f"{rng.randint(2600000, 2699999)}",
        iss,
        end_of_month(iss) + dt.timedelta(days=45) if i != 1 else iss + dt.timedelta(days=30),
        "EUR",
        seller,
        buyer,
        lines,
        po=f"OT-{rng.randint(10000, 99999)}" if i in (0, 2, 4) else None,
        customer_no=f"{rng.randint(1000, 9999)}",
    )
    return d


def render_fp_transport(doc: Doc) -> bytes:
    from fpdf.enums import XPos, YPos

    s, b = doc.seller, doc.buyer
    font = [
        "LiberationNarrow",
        "DejaVuSansCondensed",
        "LiberationSans",
        "LiberationNarrow",
        "DejaVuSansCondensed",
    ][doc.idx]

    def foot(pdf):  # legal line written vertically along the left edge, small print
        pdf.set_font(font, "", 6)
        pdf.set_text_color(90)
        with pdf.rotation(90, x=7, y=285):
            pdf.text(7, 285, s.legal_line)
        pdf.set_text_color(0)
        pdf.set_y(-12)
        pdf.set_font(font, "", 7)
        pdf.cell(0, 4, f"Page {pdf.page_no()}/{{nb}}", align="R")

    pdf = fp_new((font,), foot)
    pdf.set_left_margin(16)
    pdf.add_page()
    ds = "dash"
    pdf.set_font(font, "B", 22)
    pdf.cell(90, 11, s.name.upper(), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(font, "", 8.5)
    pdf.cell(
        90,
        4.5,
        "Transport routier – Messagerie – Affrètement – Logistique",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    for x in s.addr + [f"Tél. {s.phone} – exploitation@{ascii_slug(s.name)}.fr"]:
        pdf.cell(90, 4.5, x, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.cell(
        90, 4.5, f"Licence communautaire n° {s.siren[:4]}/{s.siren[4:]}", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.set_xy(118, 14)
    pdf.set_font(font, "", 8.5)
    pdf.cell(78, 4.5, "Adresse de facturation", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(font, "B", 10)
    pdf.cell(78, 5.5, b.name, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(font, "", 9)
    for x in b.addr:
        pdf.cell(78, 4.8, x, new_x=XPos.LEFT, new_y=YPos.NEXT)
    if b.show_siret:
        pdf.cell(78, 4.8, f"SIRET : {fmt_siret(b.siret)}", new_x=XPos.LEFT, new_y=YPos.NEXT)
    if b.show_siren:
        pdf.cell(78, 4.8, f"SIREN : {fmt_siren(b.siren)}", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.cell(78, 4.8, f"TVA : {fmt_vat(b.vat, 1)}", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_y(max(pdf.get_y(), 50) + 8)
    heads = ["FACTURE N°", "DATE", "ÉCHÉANCE", "CODE CLIENT", "ORDRE DE TRANSPORT"]
    vals = [doc.number, fdate(doc.issue, ds), fdate(doc.due, ds), doc.customer_no, doc.po or ""]
    with pdf.table(
        col_widths=(32, 28, 28, 30, 40), text_align="CENTER", line_height=6, borders_layout="ALL"
    ) as table:
        r = table.row()
        for h in heads:
            r.cell(h)
        r = table.row()
        for v in vals:
            r.cell(v)
    pdf.ln(6)
    with pdf.table(
        col_widths=(104, 14, 16, 22, 26),
        text_align=("LEFT", "RIGHT", "LEFT", "RIGHT", "RIGHT"),
        borders_layout="SINGLE_TOP_LINE",
        line_height=5.5,
    ) as table:
        r = table.row()
        for h in ["Prestation", "Qté", "Unité", "PU HT", "Montant"]:
            r.cell(h)
        for ln in doc.lines:
            r = table.row()
            r.cell(ln.desc)
            r.cell(qty_str(ln.qty))
            r.cell(ln.unit)
            r.cell(money(ln.unit_price, "fr"))
            r.cell(money(ln.total, "fr"))
    pdf.ln(6)
    ((rate, base, amt),) = doc.breakdown()
    y = pdf.get_y()
    pdf.set_font(font, "", 8.5)
    with pdf.table(
        col_widths=(20, 26, 26),
        width=72,
        align="LEFT",
        text_align="RIGHT",
        line_height=5,
        borders_layout="MINIMAL",
    ) as table:
        r = table.row()
        for h in ["Taux", "Base HT", "TVA"]:
            r.cell(h)
        r = table.row()
        r.cell(pct(rate))
        r.cell(money(base, "fr"))
        r.cell(money(amt, "fr"))
    pdf.set_y(y)
    for k, (lab, v) in enumerate(
        [
            ("Montant hors taxes", money(doc.total_ht, "fr", "€")),
            (f"TVA {pct(rate)}", money(doc.total_vat, "fr", "€")),
            ("Montant TTC", money(doc.total_ttc, "fr", "€")),
        ]
    ):
        pdf.set_x(124)
        fp_kv(pdf, lab, v, 36, 36, font, 10 if k == 2 else 9, bold=k == 2, h=6, border=1 if k == 2 else 0)
    pdf.ln(8)
    pdf.set_font(font, "", 7.5)
    terms = "à 30 jours date de facture" if doc.idx == 1 else "à 45 jours fin de mois"
    fp_par(
        pdf,
        3.6,
        f"Conditions : paiement {terms} par virement (art. L441-10 C. com.). Tout retard entraîne "
        "des pénalités égales à 3 fois le taux d'intérêt légal et une indemnité forfaitaire de 40 €. "
        "Prestations soumises aux conditions générales du contrat type (décret 2017-461). "
        f"IBAN : {s.iban}",
    )
    return fp_bytes(pdf)


# ---------------------------------------------------------------- I: micro-entrepreneur, VAT exempt (art. 293 B)

MICRO = [
    ("Studio Lumen", "Camille Fabre", "Graphisme & identité visuelle"),
    ("Hugo Mercier Développement", "Hugo Mercier", "Développeur web freelance"),
    ("Atelier Papier Plume", "Inès Rousseau", "Rédaction & traduction"),
    ("Pas à Pas Formation", "Bruno Lambert", "Formateur bureautique"),
    ("Clic & Déclic", "Manon Guérin", "Photographe professionnelle"),
]
MICRO_LINES = [
    ("Création d'identité visuelle (logo, charte)", "forfait", 600, 1800, 0),
    ("Déclinaison cartes de visite", "forfait", 120, 300, 0),
    ("Développement site vitrine (5 pages)", "forfait", 1200, 3200, 0),
    ("Maintenance mensuelle", "mois", 60, 150, 0),
    ("Traduction anglais → français", "forfait", 180, 900, 0),
    ("Relecture et correction", "h", 35, 55, 0),
    ("Formation Excel – niveau 2", "jour", 450, 700, 0),
    ("Séance photo corporate (demi-journée)", "forfait", 350, 650, 0),
    ("Retouche et livraison des photos", "forfait", 90, 240, 0),
    ("Frais de déplacement", "forfait", 25, 90, 0),
]


def make_fp_micro(rng, i) -> Doc:
    trade, person_name, tag = MICRO[i]
    siren = make_siren(rng)
    seller = Party(
        name=trade,
        legal=person_name,
        siren=siren,
        siret=make_siret(rng, siren),
        addr=address(rng),
        show_siret=True,
        phone=phone(rng),
        email=ascii_slug(person_name)[:12] + "@mailo.fr",
        iban=make_iban(rng),
    )
    form = ["Entrepreneur individuel", "EI", "entrepreneur individuel (EI)", "EI", "Entrepreneur individuel"][
        i
    ]
    seller.legal_line = (
        f"{person_name}, {form} – SIRET {fmt_siret(seller.siret, i)} – Code APE {rng.choice(['7410Z', '6201Z', '7430Z', '8559A', '7420Z'])}"
        + (" – Dispensé d'immatriculation au RCS et au RM" if i % 2 == 0 else "")
    )
    seller.extra_tag = tag
    buyer = fr_buyer(rng, show=("siret",) if i in (1, 2) else ())
    iss = issue_date(rng)
    pool = [MICRO_LINES[k] for k in [(0, 1, 9), (2, 3, 9), (4, 5), (6, 9), (7, 8, 9)][i]]
    lines = pick_lines(rng, pool, rng.randint(1, 3))
    d = Doc(
        "fp_micro",
        i,
        "invoice",
        [
            f"{iss.year}-{rng.randint(1, 60):03d}",
            f"F{rng.randint(100, 300)}",
            f"{iss.strftime('%Y%m')}-{rng.randint(1, 9):02d}",
            f"{rng.randint(20, 99)}-{iss.year}",
            f"CF-{iss.year % 100}-{rng.randint(10, 99)}",
        ][i],
        iss,
        iss + dt.timedelta(days=30) if i != 4 else None,
        "EUR",
        seller,
        buyer,
        lines,
        vat_mode="exempt",
        po=f"CDE{rng.randint(10000, 99999)}" if i == 1 else None,
    )
    if i == 2:
        d.deposit = q(d.total_ttc * D("0.3"))
    return d


def render_fp_micro(doc: Doc) -> bytes:
    from fpdf.enums import XPos, YPos

    s, b = doc.seller, doc.buyer
    font = ["DejaVuSerif", "LiberationSans", "LiberationSerif", "DejaVuSans", "LiberationSerif"][doc.idx]

    def foot(pdf):
        pdf.set_y(-14)
        pdf.set_font(font, "", 7)
        fp_par(pdf, 3.5, s.legal_line, align="C")

    pdf = fp_new((font,), foot)
    pdf.set_margins(20, 18, 20)
    pdf.add_page()
    ds = ["long", "wlong", "long", "num", "wlong"][doc.idx]
    pdf.set_font(font, "B", 17)
    pdf.cell(0, 9, s.name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(font, "", 9)
    pdf.cell(0, 5, s.extra_tag, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for x in s.addr + [s.phone + " · " + s.email]:
        pdf.cell(0, 4.6, x, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(8)
    y = pdf.get_y()
    pdf.set_font(font, "B", 13)
    pdf.cell(
        80,
        7,
        ("Facture N°" if doc.idx == 3 else "Facture ") + doc.number,
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_font(font, "", 9.5)
    pdf.cell(80, 5.5, f"Date : {fdate(doc.issue, ds)}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if doc.due:
        pdf.cell(80, 5.5, f"À régler avant le : {fdate(doc.due, ds)}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    else:
        pdf.cell(80, 5.5, "Paiement à réception", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if doc.po:
        pdf.cell(80, 5.5, f"N° de commande : {doc.po}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    yl = pdf.get_y()
    pdf.set_xy(118, y)
    pdf.set_font(font, "", 8.5)
    pdf.cell(72, 5, "Client", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(font, "B", 10)
    pdf.cell(72, 5.5, b.name, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(font, "", 9.5)
    for x in b.addr:
        pdf.cell(72, 5, x, new_x=XPos.LEFT, new_y=YPos.NEXT)
    if b.show_siret:
        pdf.cell(72, 5, f"SIRET {fmt_siret(b.siret)}", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_y(max(yl, pdf.get_y()) + 10)
    with pdf.table(
        col_widths=(88, 22, 30, 30),
        text_align=("LEFT", "CENTER", "RIGHT", "RIGHT"),
        borders_layout=["NONE", "HORIZONTAL_LINES", "SINGLE_TOP_LINE", "NO_HORIZONTAL_LINES", "NONE"][
            doc.idx
        ],
        line_height=6.5,
    ) as table:
        r = table.row()
        for h in ["Prestation", "Quantité", "Prix unitaire", "Total"]:
            r.cell(h)
        for ln in doc.lines:
            r = table.row()
            r.cell(ln.desc)
            r.cell(qty_str(ln.qty) + (f" {ln.unit}" if ln.unit in ("h", "jour") else ""))
            r.cell(money(ln.unit_price, "frnb", "€"))
            r.cell(money(ln.total, "frnb", "€"))
    pdf.ln(5)
    rows = (
        [("Total", money(doc.total_ttc, "frnb", "€"))]
        if doc.idx != 3
        else [
            ("Total HT", money(doc.total_ht, "frnb", "€")),
            ("TVA", money(D(0), "frnb", "€")),
            ("Total TTC", money(doc.total_ttc, "frnb", "€")),
        ]
    )
    if doc.deposit:
        rows.append(
            (
                f"Acompte reçu le {fdate(doc.issue - dt.timedelta(days=21), 'num')}",
                money(-doc.deposit, "frnb", "€"),
            )
        )
    rows.append(("Net à payer", money(doc.net_due, "frnb", "€")))
    for k, (lab, v) in enumerate(rows):
        pdf.set_x(100)
        fp_kv(pdf, lab, v, 55, 35, font, 10.5 if k == len(rows) - 1 else 9.5, bold=k == len(rows) - 1, h=6.5)
    pdf.ln(4)
    pdf.set_font(font, "B", 9.5)
    pdf.cell(0, 6, "TVA non applicable, art. 293 B du CGI", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(font, "", 8)
    fp_par(
        pdf,
        4,
        f"Règlement par virement : IBAN {s.iban}. Pas d'escompte pour règlement anticipé. En cas de retard de "
        "paiement, indemnité forfaitaire pour frais de recouvrement : 40 € (art. D.441-5 du Code de commerce).",
    )
    return fp_bytes(pdf)


# ---------------------------------------------------------------- J: utility bill (water 5.5/10, energy, telecom)

UTILITIES = [
    ("Eaux du Val de Loire", "Compagnie des Eaux du Val de Loire", "water"),
    ("Dauphiné Énergies", "Dauphiné Énergies Fourniture", "power"),
    ("Fibre Pro Occitanie", "Occitanie Fibre Professionnelle", "telecom"),
    ("Syndicat des Eaux de l'Aube", "Société d'Exploitation des Eaux de l'Aube", "water"),
    ("Watt Provence Pro", "Watt Provence", "power"),
]


def make_fp_utility(rng, i) -> Doc:
    trade, legal, kind = UTILITIES[i]
    seller = fr_company(rng, trade, legal=legal, style=[0, 2, 0, 1, 0][i], show=("rcs", "vat"))
    buyer = fr_buyer(rng, show=("siret",) if i in (0, 2, 3) else ())
    iss = issue_date(rng)
    start = (iss.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    per = f"du {start.strftime('%d/%m/%Y')} au {end_of_month(start).strftime('%d/%m/%Y')}"
    if kind == "water":
        m3 = D(rng.randint(40, 900))
        lines = [
            Line(f"Abonnement eau potable {per}", D(1), q(D(rng.uniform(18, 45))), D("5.5")),
            Line(
                f"Consommation eau potable ({m3} m³)",
                m3,
                D(rng.choice(["1.9820", "2.1150", "1.8740"])),
                D("5.5"),
                "m³",
            ),
            Line("Redevance pour pollution domestique (Agence de l'eau)", m3, D("0.3300"), D("5.5"), "m³"),
            Line(
                f"Assainissement collectif ({m3} m³)",
                m3,
                D(rng.choice(["1.6420", "1.7710", "2.0330"])),
                D(10),
                "m³",
            ),
            Line("Redevance modernisation des réseaux de collecte", m3, D("0.1600"), D(10), "m³"),
        ]
    elif kind == "power":
        kwh = D(rng.randint(1800, 24000))
        lines = [
            Line(
                f"Abonnement {rng.choice([36, 42, 60, 84])} kVA {per}",
                D(1),
                q(D(rng.uniform(60, 240))),
                D(20),
            ),
            Line(
                f"Consommation heures pleines ({kwh} kWh)",
                kwh,
                D(rng.choice(["0.1841", "0.2012", "0.1766"])),
                D(20),
                "kWh",
            ),
            Line(
                f"Consommation heures creuses ({kwh // 3} kWh)",
                kwh // 3,
                D(rng.choice(["0.1470", "0.1522"])),
                D(20),
                "kWh",
            ),
            Line("Accise sur l'électricité", kwh + kwh // 3, D("0.02250"), D(20), "kWh"),
            Line("Contribution tarifaire d'acheminement", D(1), q(D(rng.uniform(8, 40))), D(20)),
        ]
    else:
        lines = [
            Line(f"Forfait Fibre Pro 1 Gb/s {per}", D(1), D("69.00"), D(20)),
            Line("Option IP fixe", D(1), D("10.00"), D(20)),
            Line("Lignes mobiles Pro 100 Go", D(rng.randint(3, 14)), D("19.99"), D(20), "u"),
            Line("Communications hors forfait", D(1), q(D(rng.uniform(1, 45))), D(20)),
        ]
    n = " ".join(["".join(str(rng.randint(0, 9)) for _ in range(4)) for _ in range(3)])
    d = Doc(
        "fp_utility",
        i,
        "invoice",
        n,
        iss,
        iss + dt.timedelta(days=rng.choice([14, 15, 20])),
        "EUR",
        seller,
        buyer,
        lines,
        customer_no=f"{rng.randint(10**9, 10**10 - 1)}",
        buyer_ref=f"ENG-{rng.randint(1000, 9999)}" if i == 4 else None,
    )
    d.extra["contract"] = f"{rng.randint(10**7, 10**8 - 1)}"
    d.extra["kind"] = kind
    d.extra["per"] = per
    return d


def render_fp_utility(doc: Doc) -> bytes:
    from fpdf.enums import XPos, YPos

    s, b = doc.seller, doc.buyer
    font = ["LiberationSans", "DejaVuSansCondensed", "LiberationSans", "DejaVuSans", "LiberationNarrow"][
        doc.idx
    ]

    def foot(pdf):
        pdf.set_y(-15)
        pdf.set_font(font, "", 6)
        fp_par(pdf, 3, s.legal_line + f" – Siège : {s.addr[0]}, {s.addr[1]}", align="C")

    pdf = fp_new((font,), foot)
    pdf.add_page()
    pdf.set_font(font, "B", 16)
    pdf.set_text_color(0, 90, 150)
    pdf.cell(110, 9, s.name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0)
    pdf.set_font(font, "", 8.5)
    pdf.cell(
        110, 4.5, f"Service clients : {s.phone} (appel non surtaxé)", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.ln(3)
    pdf.set_font(font, "B", 9)
    pdf.cell(90, 5, "Vos références", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(font, "", 9)
    refs = [
        ("N° de facture", doc.number),
        ("Date de facture", fdate(doc.issue, "num")),
        ("Référence client", doc.customer_no),
        ("N° de contrat", doc.extra["contract"]),
        ("Période", doc.extra["per"]),
    ]
    if doc.buyer_ref:
        refs.append(("Référence acheteur", doc.buyer_ref))
    for k, v in refs:
        fp_kv(pdf, k + " :", v, 32, 58, font, 8.5, align="L", h=4.6)
    yb = pdf.get_y()
    pdf.set_xy(118, 12)
    pdf.set_fill_color(230, 240, 248)
    pdf.set_font(font, "", 9)
    pdf.cell(78, 6, "Montant à payer", fill=True, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(font, "B", 18)
    pdf.cell(78, 11, money(doc.net_due, "fr", "€"), fill=True, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(font, "", 9)
    pdf.cell(
        78, 6, f"avant le {fdate(doc.due, 'long')}", fill=True, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT
    )
    pdf.ln(8)
    pdf.set_x(118)
    pdf.set_font(font, "B", 10)
    pdf.cell(78, 5.5, b.name, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(font, "", 9)
    for x in b.addr:
        pdf.cell(78, 5, x, new_x=XPos.LEFT, new_y=YPos.NEXT)
    if b.show_siret:
        pdf.cell(78, 5, f"SIRET du site : {fmt_siret(b.siret)}", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_y(max(yb, pdf.get_y()) + 8)
    pdf.set_font(font, "B", 11)
    pdf.cell(0, 7, "Détail de votre facture", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(font, "", 8.5)
    with pdf.table(
        col_widths=(100, 22, 24, 16, 28),
        text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
        borders_layout="HORIZONTAL_LINES",
        line_height=5.2,
    ) as table:
        r = table.row()
        for h in ["Libellé", "Quantité", "Prix unitaire", "TVA", "Montant HT"]:
            r.cell(h)
        for ln in doc.lines:
            r = table.row()
            r.cell(ln.desc)
            r.cell(qty_str(ln.qty) + (f" {ln.unit}" if ln.unit else ""))
            r.cell(
                f"{ln.unit_price.normalize():f}".replace(".", ",") if ln.unit else money(ln.unit_price, "fr")
            )
            r.cell(pct(ln.rate))
            r.cell(money(ln.total, "fr"))
    pdf.ln(5)
    y = pdf.get_y()
    pdf.set_font(font, "", 8.5)
    for r_, bs, a in doc.breakdown():
        fp_kv(pdf, f"TVA {pct(r_)} sur {money(bs, 'fr', '€')}", money(a, "fr", "€"), 52, 24, font, 8.5, h=5)
    pdf.set_y(y)
    rows = [
        ("Total hors TVA", money(doc.total_ht, "fr", "€")),
        ("Total TVA", money(doc.total_vat, "fr", "€")),
        ("Total TTC", money(doc.total_ttc, "fr", "€")),
        ("Solde antérieur", money(D(0), "fr", "€")),
        ("Montant à payer", money(doc.net_due, "fr", "€")),
    ]
    for k, (lab, v) in enumerate(rows):
        pdf.set_x(120)
        fp_kv(
            pdf, lab, v, 44, 32, font, 10 if k == 4 else 9, bold=k in (2, 4), h=6, border="T" if k == 4 else 0
        )
    pdf.ln(8)
    pdf.set_font(font, "", 7.5)
    fp_par(
        pdf,
        3.6,
        f"Prélèvement automatique à l'échéance sur le compte {s.iban[:9]}**** si vous avez opté pour ce mode de "
        "paiement. En cas de retard : pénalités au taux légal majoré et indemnité forfaitaire de 40 € (clients "
        "professionnels).",
    )
    return fp_bytes(pdf)


# ---------------------------------------------------------------- K: scanned-looking (odd spacing, skew, speckles)

SCAN_SELLERS = [
    (
        "GARAGE DE LA POSTE",
        "Garage de la Poste",
        [
            ("Vidange + filtre à huile", "forfait", 85, 140, 20),
            ("Plaquettes de frein AV", "jeu", 45, 95, 20),
            ("Main d'oeuvre atelier", "h", 58, 72, 20),
            ("Pneu 205/55 R16 91V", "u", 75, 130, 20),
        ],
    ),
    (
        "IMPRIMERIE MARTIN",
        "Imprimerie Martin et Cie",
        [
            ("Flyers A5 recto-verso 135 g", "ex", 0.04, 0.12, 20),
            ("Cartes de visite 350 g", "ex", 0.05, 0.15, 20),
            ("Affiches A2 couleur", "u", 2.5, 6, 20),
            ("Frais de calage", "forfait", 40, 90, 20),
        ],
    ),
    (
        "NET'SERVICES",
        "Net Services Propreté",
        [
            ("Nettoyage bureaux (mensuel)", "forfait", 480, 1600, 20),
            ("Nettoyage vitres", "m²", 2, 4.5, 20),
            ("Fourniture consommables sanitaires", "forfait", 45, 160, 20),
        ],
    ),
]


def make_fp_scan(rng, i) -> Doc:
    trade, legal, pool = SCAN_SELLERS[[0, 1, 2, 0, 1][i]]
    seller = fr_company(rng, trade, legal=legal, style=[0, 2, 0, 0, 2][i], show=("siret", "vat"))
    buyer = fr_buyer(rng, show=("vat", "siren") if i == 3 else ())
    iss = issue_date(rng)
    lines = pick_lines(rng, pool, rng.randint(2, len(pool)))
    for ln in lines:
        if ln.unit == "ex":
            ln.qty = D(rng.choice([500, 1000, 2500, 5000]))
            ln.unit_price = q(ln.unit_price) or D("0.05")
    return Doc(
        "fp_scan",
        i,
        "invoice",
        f"{rng.randint(100, 9999):06d}",
        iss,
        iss + dt.timedelta(days=30) if i in (1, 2, 4) else None,
        "EUR",
        seller,
        buyer,
        lines,
        po=f"{rng.randint(100, 999)}/{iss.year % 100}" if i == 2 else None,
    )


def render_fp_scan(doc: Doc) -> bytes:
    rng = random.Random(f"scan-{doc.idx}")
    s, b = doc.seller, doc.buyer
    font = ["LiberationMono", "DejaVuMono", "LiberationMono", "DejaVuMono", "LiberationMono"][doc.idx]
    pdf = fp_new((font,))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_fill_color(246, 244, 238)
    pdf.rect(0, 0, 210, 297, "F")
    pdf.set_fill_color(150)
    for _ in range(160):  # speckles of a photocopy
        x, y, r = rng.uniform(0, 210), rng.uniform(0, 297), rng.uniform(0.1, 0.45)
        pdf.rect(x, y, r, r, "F")
    angle = [0.6, -0.45, 0.8, -0.7, 0.35][doc.idx]
    ds = ["num", "num2", "num", "dot", "num2"][doc.idx]

    def put(x, y, text, size=9, bold=False, sp=0.0, words=True, ocr=False):
        """Each word placed on its own with uneven gaps and baselines, as an OCR text layer is; with ocr=True
        some long words of labels are also cut in two, as OCR engines do."""
        pdf.set_font(font, "B" if bold else "", size)
        pdf.set_char_spacing(sp)
        x += rng.uniform(-0.6, 0.6)
        y += rng.uniform(-0.25, 0.25)
        parts = text.split(" ") if words and sp < 2 else [text]
        if ocr:
            cut = []
            for w in parts:
                if len(w) >= 6 and w.isalpha() and rng.random() < 0.4:
                    k = rng.randint(2, len(w) - 2)
                    cut += [w[:k], w[k:]]
                else:
                    cut.append(w)
            parts = cut
        for w in parts:
            if w:
                pdf.text(x, y + rng.uniform(-0.2, 0.2), w)
                x += pdf.get_string_width(w)
            x += pdf.get_string_width(" ") * rng.uniform(0.7, 2.2)
        pdf.set_char_spacing(0)

    def gap(t):  # irregular spacing between words, as in an OCR layer
        return " ".join(w + " " * rng.choice([0, 0, 1, 2]) for w in t.split(" ")).strip()

    with pdf.rotation(angle, x=105, y=148):
        y = 22
        put(18, y, s.name, 15, True, 1.2)
        y += 6
        for x in s.addr + [f"Tel {s.phone}"]:
            put(18, y, gap(x), 9)
            y += 4.5
        put(18, y, f"SIRET {fmt_siret(s.siret, 1)}   TVA {s.vat}", 8)
        put(120, 26, "F A C T U R E", 16, True, 2.5)
        put(120, 34, f"N°  {doc.number}", 11, True)
        put(120, 40, "Date :", 9)
        put(134, 40, fdate(doc.issue, ds), 9)
        if doc.due:
            put(120, 45, "Echeance :", 9, ocr=True)
            put(142, 45, fdate(doc.due, ds), 9)
        y = 60
        put(110, y, "Client :", 8)
        y += 5
        put(110, y, b.name, 10, True)
        for x in b.addr:
            y += 4.8
            put(110, y, gap(x), 9)
        if b.show_siren:
            y += 4.8
            put(110, y, f"SIREN  {fmt_siren(b.siren)}", 9)
        if b.show_vat:
            y += 4.8
            put(110, y, f"TVA   {b.vat}", 9)
        y = 96
        if doc.po:
            put(18, y - 6, f"V/ bon de commande : {doc.po}", 9)
        put(18, y, "DESIGNATION", 8.5, True, 0.8, ocr=True)
        put(112, y, "QTE", 8.5, True, 0.8)
        put(130, y, "P.U. H.T.", 8.5, True, 0.8)
        put(165, y, "MONTANT", 8.5, True, 0.8)
        pdf.set_draw_color(60)
        pdf.line(18, y + 2, 192, y + 2)
        y += 8
        pdf.set_font(font, "", 9)
        for ln in doc.lines:
            put(18, y, gap(ln.desc), 8.5, ocr=True)
            qs = qty_str(ln.qty)
            put(122 - pdf.get_string_width(qs), y, qs, 8.5)
            up = money(ln.unit_price, "plainfr")
            put(155 - pdf.get_string_width(up), y, up, 8.5, sp=0.3)
            tt = money(ln.total, "fr")
            put(190 - pdf.get_string_width(tt), y, tt, 8.5, sp=0.3)
            y += 6
        pdf.line(18, y - 2, 192, y - 2)
        y += 6
        ((rate, _base, amt),) = doc.breakdown()
        for lab, v, bold in [
            ("TOTAL H.T.", money(doc.total_ht, "fr"), False),
            (f"T.V.A. {money(rate, 'plainfr')} %", money(amt, "fr"), False),
            ("TOTAL T.T.C.", money(doc.total_ttc, "fr"), True),
            ("NET A PAYER  EUR", money(doc.net_due, "fr"), True),
        ]:
            put(118, y, lab, 9.5, bold, 0.6, ocr=True)
            pdf.set_font(font, "B" if bold else "", 9.5)
            put(190 - pdf.get_string_width(v) - 2, y, v, 9.5, bold, 0.3)
            y += 6
        y += 8
        put(18, y, gap("Reglement : cheque ou virement  -  pas d'escompte"), 8, ocr=True)
        y += 4.5
        put(18, y, gap("Penalites de retard : 3 x taux legal  -  indemnite forfaitaire 40 EUR"), 8, ocr=True)
        put(18, 276, s.legal_line, 6)
    return fp_bytes(pdf)


# ---------------------------------------------------------------- L: Swiss seller in CHF (8.1 / 2.6 %)

SWISS = [
    (
        "Horlogerie du Jura",
        "Atelier Horloger Jura Sàrl",
        "Neuchâtel",
        ("2000", "Neuchâtel"),
        [
            ("Révision complète montre automatique", "u", 280, 650, 8.1),
            ("Remplacement verre saphir", "u", 120, 260, 8.1),
        ],
    ),
    (
        "Fiduciaire Léman",
        "Fiduciaire Léman SA",
        "Vaud",
        ("1003", "Lausanne"),
        [
            ("Tenue de la comptabilité 2025", "forfait", 2400, 6800, 8.1),
            ("Déclaration TVA trimestrielle", "u", 180, 420, 8.1),
            ("Conseil fiscal", "h", 160, 240, 8.1),
        ],
    ),
    (
        "Chocolats Favre",
        "Chocolaterie Favre SA",
        "Fribourg",
        ("1700", "Fribourg"),
        [
            ("Pralinés assortis 1 kg", "kg", 64, 95, 2.6),
            ("Tablettes grand cru (carton 50)", "ct", 180, 260, 2.6),
            ("Coffrets cadeaux personnalisés", "u", 18, 35, 8.1),
            ("Livraison Genève", "forfait", 35, 60, 8.1),
        ],
    ),
    (
        "Imprimerie du Rhône",
        "Imprimerie du Rhône Sàrl",
        "Valais",
        ("1950", "Sion"),
        [("Brochures 16 pages A4", "ex", 2, 4, 8.1), ("Livres reliés (tirage)", "ex", 9, 18, 2.6)],
    ),
    (
        "Bénédict Informatique",
        "Bénédict Informatique Sàrl",
        "Genève",
        ("1204", "Genève"),
        [
            ("Développement logiciel", "h", 130, 180, 8.1),
            ("Maintenance annuelle", "forfait", 1200, 3600, 8.1),
        ],
    ),
]
SWISS_BUYERS = [
    ("Hôtel Beau-Rivage Léman SA", ["Quai du Mont-Blanc 13", "1201 Genève"]),
    ("Pharmacie Centrale de Bulle Sàrl", ["Grand-Rue 22", "1630 Bulle"]),
    ("Garage Zbinden AG", ["Industriestrasse 8", "3175 Flamatt"]),
    ("Commune de Martigny", ["Rue de l'Hôtel-de-Ville 1", "1920 Martigny"]),
    ("Cabinet dentaire Roulin", ["Avenue de la Gare 10", "1950 Sion"]),
]


def make_fp_swiss(rng, i) -> Doc:
    trade, legal, canton, city, pool = SWISS[i]
    vat = foreign_vat(rng, "CH")
    seller = Party(
        name=trade,
        legal=legal,
        vat=vat,
        show_vat=True,
        country="CH",
        addr=[
            f"{rng.choice(['Rue du Seyon', 'Avenue de Rumine', 'Rue de Lausanne', 'Route de Chêne'])} {rng.randint(1, 90)}",
            f"{city[0]} {city[1]}",
        ],
        phone=f"+41 {rng.randint(21, 79)} {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
    )
    seller.legal_line = f"{legal} · {fmt_ch_vat(vat)} · Registre du commerce du canton de {canton}"
    bname, baddr = SWISS_BUYERS[i]
    buyer = Party(name=bname, addr=baddr, country="CH")
    if i != 3:
        buyer.vat, buyer.show_vat = foreign_vat(rng, "CH"), True
    iss = issue_date(rng)
    lines = pick_lines(rng, pool, len(pool))
    for ln in lines:
        if ln.unit == "ex":
            ln.qty = D(rng.choice([200, 500, 1000]))
    return Doc(
        "fp_swiss",
        i,
        "invoice",
        f"{iss.year}-{rng.randint(100, 999)}" if i % 2 else f"R{rng.randint(10000, 99999)}",
        iss,
        iss + dt.timedelta(days=30),
        "CHF",
        seller,
        buyer,
        lines,
        po=f"BC {rng.randint(1000, 9999)}" if i == 3 else None,
    )


def render_fp_swiss(doc: Doc) -> bytes:
    from fpdf.enums import XPos, YPos

    s, b = doc.seller, doc.buyer
    font = ["DejaVuSerif", "LiberationSans", "DejaVuSans", "LiberationSerif", "LiberationSans"][doc.idx]

    def foot(pdf):
        pdf.set_y(-13)
        pdf.set_font(font, "", 6.5)
        fp_par(pdf, 3.2, s.legal_line, align="C")

    pdf = fp_new((font,), foot)
    pdf.set_margins(22, 15, 18)
    pdf.add_page()
    m = lambda x: money(x, "ch")  # noqa: E731
    pdf.set_font(font, "B", 15)
    pdf.cell(0, 8, s.name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(font, "", 8.5)
    pdf.cell(0, 4.5, " · ".join(s.addr + [s.phone]), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.cell(0, 4.5, f"N° IDE / TVA : {fmt_ch_vat(s.vat)}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_xy(120, 42)  # window envelope position (right, Swiss style)
    pdf.set_font(font, "", 10)
    for x in [b.name] + b.addr:
        pdf.cell(70, 5.2, x, new_x=XPos.LEFT, new_y=YPos.NEXT)
    if b.show_vat:
        pdf.set_font(font, "", 8.5)
        pdf.cell(70, 5, f"IDE {fmt_ch_vat(b.vat)}", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_xy(22, 80)
    pdf.set_font(font, "", 9)
    pdf.cell(
        0,
        5,
        f"{s.addr[1].split(' ', 1)[1]}, le {fdate(doc.issue, 'dot')}",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(3)
    pdf.set_font(font, "B", 13)
    pdf.cell(0, 7, f"Facture n° {doc.number}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(font, "", 9)
    if doc.po:
        pdf.cell(0, 5, f"Votre bon de commande : {doc.po}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    with pdf.table(
        col_widths=(84, 18, 26, 14, 28),
        text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
        borders_layout="NO_HORIZONTAL_LINES",
        line_height=5.6,
    ) as table:
        r = table.row()
        for h in ["Désignation", "Quantité", "Prix CHF", "TVA", "Total CHF"]:
            r.cell(h)
        for ln in doc.lines:
            r = table.row()
            r.cell(ln.desc)
            r.cell(qty_str(ln.qty, "en"))
            r.cell(m(ln.unit_price))
            r.cell(pct(ln.rate, "en"))
            r.cell(m(ln.total))
    pdf.ln(4)
    rows = [("Total hors TVA", m(doc.total_ht))]
    for r_, bs, a in doc.breakdown():
        rows.append((f"TVA {pct(r_, 'en')} sur {m(bs)}", m(a)))
    rows.append(("Total TVA incluse  CHF", m(doc.total_ttc)))
    for k, (lab, v) in enumerate(rows):
        pdf.set_x(96)
        fp_kv(
            pdf,
            lab,
            v,
            60,
            24,
            font,
            10 if k == len(rows) - 1 else 9,
            bold=k == len(rows) - 1,
            h=6,
            border="TB" if k == len(rows) - 1 else 0,
        )
    pdf.ln(5)
    pdf.set_font(font, "", 8.5)
    fp_par(
        pdf,
        4.2,
        f"Conditions de paiement : 30 jours net, échéance le {fdate(doc.due, 'dot')}. Merci de votre confiance.",
    )
    # receipt part of a QR-bill (without the code), as printed at the foot of Swiss invoices
    pdf.set_draw_color(120)
    pdf.set_dash_pattern(dash=1, gap=1)
    pdf.line(0, 192, 210, 192)
    pdf.set_dash_pattern()
    pdf.set_xy(8, 197)
    pdf.set_font(font, "B", 10)
    pdf.cell(55, 6, "Récépissé", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(font, "B", 7)
    pdf.cell(55, 4, "Compte / Payable à", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(font, "", 8)
    iban = f"CH{random.Random(s.vat).randint(10, 99)} 0900 0000 {random.Random(s.name).randint(1000, 9999)} {random.Random(b.name).randint(1000, 9999)} 1"
    for x in [iban, s.legal] + s.addr:
        pdf.cell(55, 4, x, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_font(font, "B", 7)
    pdf.cell(20, 4, "Monnaie")
    pdf.cell(30, 4, "Montant", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_x(8)
    pdf.set_font(font, "", 8)
    pdf.cell(20, 4, "CHF")
    pdf.cell(30, 4, money(doc.total_ttc, "fr").replace(",", "."))
    return fp_bytes(pdf)


# ================================================================== LibreOffice layouts (python-docx / odfpy -> soffice)
# The render_lo_* functions return (suffix, document bytes); main() converts them in one soffice run.


def docx_doc(font: str, size: float, margins=(18, 18, 16, 16)):
    from docx import Document
    from docx.shared import Mm, Pt

    d = Document()
    sec = d.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.left_margin, sec.right_margin, sec.top_margin, sec.bottom_margin = (Mm(m) for m in margins)
    sec.footer_distance = Mm(8)
    st = d.styles["Normal"]
    st.font.name = font
    st.font.size = Pt(size)
    st.paragraph_format.space_after = Pt(0)
    st.paragraph_format.space_before = Pt(0)
    d.core_properties.author = ""
    d.core_properties.created = dt.datetime(2026, 1, 1)
    d.core_properties.modified = dt.datetime(2026, 1, 1)
    return d


def docx_par(container, text, size=None, bold=False, align=None, font=None, space_after=0):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = container.add_paragraph()
    r = p.add_run(text)
    r.bold = bold
    if size:
        r.font.size = Pt(size)
    if font:
        r.font.name = font
    if align:
        p.alignment = {
            "R": WD_ALIGN_PARAGRAPH.RIGHT,
            "C": WD_ALIGN_PARAGRAPH.CENTER,
            "L": WD_ALIGN_PARAGRAPH.LEFT,
        }[align]
    p.paragraph_format.space_after = Pt(space_after)
    return p


def docx_cell(cell, lines, align=None, bold=False, size=None):
    """Fills a table cell with one paragraph per line (the first reuses the cell's empty paragraph)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    if isinstance(lines, str):
        lines = [lines]
    for k, text in enumerate(lines):
        p = cell.paragraphs[0] if k == 0 else cell.add_paragraph()
        r = p.add_run(text)
        r.bold = bold if not isinstance(bold, list) else bold[k]
        if size:
            r.font.size = Pt(size)
        if align:
            p.alignment = {"R": WD_ALIGN_PARAGRAPH.RIGHT, "C": WD_ALIGN_PARAGRAPH.CENTER}[align]


def docx_widths(table, widths_mm):
    from docx.shared import Mm

    table.autofit = False
    for col, w in zip(table.columns, widths_mm, strict=False):
        col.width = Mm(w)
    for row in table.rows:
        for c, w in zip(row.cells, widths_mm, strict=False):
            c.width = Mm(w)


def docx_bytes(d) -> bytes:
    import io

    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------- M: accountants' / lawyers' fee note (docx)

CABINETS = [
    ("CABINET FAURE", "Faure & Associés Expertise Comptable", "Expertise comptable · Audit · Conseil"),
    ("Lambert Avocats", "Lambert Avocats Associés", "Avocats au Barreau de Lyon"),
    ("AUDITIA", "Auditia Commissariat aux Comptes", "Commissariat aux comptes"),
    ("Perrin Conseil Juridique", "Perrin Conseil Juridique", "Droit des affaires · Droit social"),
    ("COMPTA'SUD", "Compta Sud Expertise", "Expertise comptable & paie"),
]
FEES = [
    ("Tenue de la comptabilité – 1er trimestre", "forfait", 900, 2400, 20),
    ("Établissement des comptes annuels et liasse fiscale", "forfait", 1800, 4200, 20),
    ("Établissement des bulletins de paie", "u", 18, 32, 20),
    ("Consultation – rupture conventionnelle", "h", 180, 320, 20),
    ("Rédaction de statuts et formalités", "forfait", 850, 1900, 20),
    ("Assistance assemblée générale annuelle", "forfait", 450, 900, 20),
    ("Mission de commissariat aux comptes – exercice 2025", "forfait", 4500, 9800, 20),
    ("Frais de dossier et débours refacturés", "forfait", 30, 120, 20),
]


def make_lo_honoraires(rng, i) -> Doc:
    trade, legal, tag = CABINETS[i]
    seller = fr_company(
        rng,
        trade,
        legal=legal,
        style=[0, 2, 0, 1, 0][i],
        form=["SAS", "SELARL", "SA", "SELAS", "SARL"][i],
        show=("rcs", "vat") if i % 2 else ("siret", "vat"),
    )
    seller.extra_tag = tag
    buyer = fr_buyer(rng, show=("siren",) if i in (0, 2, 3) else ())
    iss = issue_date(rng)
    pool = FEES[[0, 3, 6, 3, 0][i] :][:3] + FEES[-1:]
    lines = pick_lines(rng, pool, rng.randint(2, 3))
    d = Doc(
        "lo_honoraires",
        i,
        "invoice",
        [
            f"NH{iss.year}-{rng.randint(100, 999)}",
            f"{iss.year}/{iss.month:02d}/{rng.randint(1, 99):04d}",
            f"H-{rng.randint(1000, 9999)}",
            f"{iss.year}-{rng.randint(100, 200)}",
            f"FH{rng.randint(10000, 99999)}",
        ][i],
        iss,
        iss + dt.timedelta(days=30) if i in (0, 2, 4) else None,
        "EUR",
        seller,
        buyer,
        lines,
        buyer_ref=f"Dossier {rng.randint(1000, 9999)}-{rng.choice(['JUR', 'RH', 'FIN'])}"
        if i in (1, 3)
        else None,
    )
    if i in (1, 3):
        d.deposit = max(D(100), (d.total_ttc * D("0.3") / 100).to_integral_value() * 100)
    d.extra["mission"] = f"Lettre de mission du {fdate(iss - dt.timedelta(days=rng.randint(90, 400)), 'num')}"
    return d


def render_lo_honoraires(doc: Doc):
    from docx.shared import Pt

    s, b = doc.seller, doc.buyer
    font = ["Liberation Serif", "DejaVu Serif", "Liberation Sans", "Liberation Serif", "DejaVu Sans"][doc.idx]
    d = docx_doc(font, 10)
    sec = d.sections[0]
    hp = sec.header.paragraphs[0]
    letters = " ".join(s.name.upper())
    art = [f"  ┌{'─' * (len(letters) + 2)}┐", f"  │ {letters} │", f"  └{'─' * (len(letters) + 2)}┘"]
    for k, ln in enumerate(art):
        p = hp if k == 0 else sec.header.add_paragraph()
        r = p.add_run(ln)
        r.font.name = "DejaVu Sans Mono"
        r.font.size = Pt(9)
    docx_par(sec.header, "     " + s.extra_tag, size=8)
    fp = sec.footer.paragraphs[0]
    r = fp.add_run(
        s.legal_line
        + (
            " – Membre d'une association de gestion agréée"
            if doc.idx % 2 == 0
            else " – Inscrit au Barreau, assurance RCP MMA"
        )
    )
    r.font.size = Pt(6.5)
    fp.alignment = 1
    ds = "wlong"
    t = d.add_table(rows=1, cols=2)
    docx_cell(t.rows[0].cells[0], s.addr + [f"Tél. {s.phone}", s.email], size=9)
    right = [
        f"Note d'honoraires n° {doc.number}",
        f"{s.addr[-1].split(' ', 1)[1].title()}, le {fdate(doc.issue, ds)}",
    ]
    if doc.due:
        right.append(f"Date d'échéance : {fdate(doc.due, 'num')}")
    docx_cell(t.rows[0].cells[1], right, align="R", bold=[True] + [False] * (len(right) - 1))
    docx_widths(t, [95, 79])
    docx_par(d, "")
    t2 = d.add_table(rows=1, cols=2)
    left = [doc.extra["mission"]]
    if doc.buyer_ref:
        left.append(f"Votre référence : {doc.buyer_ref}")
    docx_cell(t2.rows[0].cells[0], left, size=9)
    cli = [b.name] + b.addr + ([f"SIREN {fmt_siren(b.siren)}"] if b.show_siren else [])
    docx_cell(t2.rows[0].cells[1], cli, bold=[True] + [False] * (len(cli) - 1))
    docx_widths(t2, [95, 79])
    docx_par(d, "")
    docx_par(d, "Honoraires", bold=True, size=11, space_after=4)
    tab = d.add_table(rows=1, cols=4)
    tab.style = "Table Grid"
    for c, h in zip(tab.rows[0].cells, ["Désignation", "Qté", "PU HT", "Montant HT"], strict=False):
        docx_cell(c, h, bold=True, align=None if h == "Désignation" else "R")
    for ln in doc.lines:
        row = tab.add_row().cells
        docx_cell(row[0], ln.desc)
        docx_cell(row[1], qty_str(ln.qty) + (" h" if ln.unit == "h" else ""), align="R")
        docx_cell(row[2], money(ln.unit_price, "fr", "€"), align="R")
        docx_cell(row[3], money(ln.total, "fr", "€"), align="R")
    docx_widths(tab, [98, 20, 28, 28])
    docx_par(d, "")
    ((rate, _base, amt),) = doc.breakdown()
    rows = [
        ("Total honoraires HT", money(doc.total_ht, "fr", "€")),
        (f"TVA au taux de {pct(rate)}", money(amt, "fr", "€")),
        ("Total TTC", money(doc.total_ttc, "fr", "€")),
    ]
    if doc.deposit:
        rows.append(("Provision reçue", money(-doc.deposit, "fr", "€")))
        rows.append(("Reste à payer", money(doc.net_due, "fr", "€")))
    tt = d.add_table(rows=0, cols=3)
    for k, (lab, v) in enumerate(rows):
        c = tt.add_row().cells
        docx_cell(c[1], lab, bold=k in (2, 4))
        docx_cell(c[2], v, align="R", bold=k in (2, 4))
    docx_widths(tt, [84, 52, 38])
    docx_par(d, "")
    docx_par(
        d,
        ("Honoraires payables à réception." if not doc.due else "Règlement à 30 jours.")
        + f" Virement : IBAN {s.iban}. Pénalités de retard : taux BCE + 10 points ; indemnité forfaitaire de "
        "recouvrement : 40 €.",
        size=8,
    )
    return ".docx", docx_bytes(d)


# ---------------------------------------------------------------- O: English event invoice, GBP/EUR, deposit (docx)

EVENTS = [
    ("Maison Lumière Events", "Lumière Événements"),
    ("Riviera Seminars", "Riviera Séminaires et Congrès"),
    ("Château Venues", "Châteaux et Réceptions de Loire"),
    ("Alpine Incentives", "Alpine Incentives"),
    ("Bordeaux Wine Tours", "Oenotourisme Bordelais"),
]
EVENT_LINES = [
    ("Venue hire – plenary room, 2 days", "day", 1800, 4200, 20),
    ("Catering – lunch buffet for {n} guests", "guest", 32, 58, 10),
    ("Gala dinner – {n} guests", "guest", 85, 140, 10),
    ("Audio-visual equipment and technician", "day", 650, 1400, 20),
    ("Coach transfers airport – venue", "flat", 900, 2200, 10),
    ("Guided vineyard tour with tasting", "guest", 45, 90, 20),
    ("Event coordination fee", "flat", 1200, 3000, 20),
]
UK_BUYERS = [
    ("Hartley Pharmaceuticals Ltd", ["3 Cambridge Science Park", "Cambridge CB4 0FZ", "United Kingdom"]),
    ("Blackwood Capital LLP", ["20 Moorgate", "London EC2R 6DA", "United Kingdom"]),
    ("Ainsworth Engineering plc", ["Wharf Road", "Manchester M17 1AB", "United Kingdom"]),
]


def make_lo_events(rng, i) -> Doc:
    trade, legal = EVENTS[i]
    seller = fr_company(rng, trade, legal=legal, style=[0, 2, 0, 0, 1][i], show=("rcs", "vat"))
    if i in (1, 3):
        buyer = fr_buyer(rng, show=("siren", "vat"))
        cur = "EUR"
    else:
        bn, ba = UK_BUYERS[[0, 0, 1, 0, 2][i]]
        buyer = Party(name=bn, addr=ba, country="GB", vat=foreign_vat(rng, "GB"), show_vat=True)
        cur = "GBP" if i != 4 else "EUR"
    iss = issue_date(rng)
    n = rng.choice([40, 60, 80, 120, 150])
    lines = pick_lines(rng, EVENT_LINES, rng.randint(3, 5))
    for ln in lines:
        if ln.unit == "guest":
            ln.qty = D(n)
        ln.desc = ln.desc.format(n=n)
    d = Doc(
        "lo_events",
        i,
        "invoice",
        f"EV{iss.year % 100}{rng.randint(1000, 9999)}",
        iss,
        iss + dt.timedelta(days=rng.choice([14, 30])),
        cur,
        seller,
        buyer,
        lines,
        po=f"PO-{rng.randint(100000, 999999)}" if i in (0, 2) else None,
        buyer_ref=f"{rng.choice(['MKT', 'HR', 'SALES'])}/{rng.randint(100, 999)}" if i in (1, 2, 4) else None,
    )
    if i != 3:
        d.deposit = q(d.total_ttc * D(rng.choice(["0.3", "0.4", "0.5"])))
    return d


def render_lo_events(doc: Doc):
    from docx.shared import Pt, RGBColor

    s, b = doc.seller, doc.buyer
    font = ["Liberation Sans", "DejaVu Sans", "Liberation Serif", "Liberation Sans", "DejaVu Serif"][doc.idx]
    d = docx_doc(font, 9.5)
    sec = d.sections[0]
    fp = sec.footer.paragraphs[0]
    r = fp.add_run(s.legal_line)
    r.font.size = Pt(7)
    fp.alignment = 1
    cur = {"GBP": "£", "EUR": "€pre"}[doc.currency]
    m = lambda x: money(x, "en", cur)  # noqa: E731
    ds = "uk"
    p = docx_par(d, s.name, size=20, bold=True)
    p.runs[0].font.color.rgb = RGBColor(0x8A, 0x1C, 0x3C)
    docx_par(d, " · ".join(s.addr + ["France", s.phone]), size=8.5, space_after=10)
    t = d.add_table(rows=1, cols=2)
    docx_cell(
        t.rows[0].cells[0],
        ["INVOICE TO"]
        + [b.name]
        + b.addr
        + (
            [f"VAT reg. no. {b.vat}"]
            if b.country == "GB"
            else [f"SIREN {fmt_siren(b.siren)}", f"VAT no. {b.vat}"]
        ),
        bold=[True, True] + [False] * 8,
        size=9.5,
    )
    meta = [
        f"Invoice number: {doc.number}",
        f"Date of issue: {fdate(doc.issue, ds)}",
        f"Payment due: {fdate(doc.due, ds)}",
    ]
    if doc.po:
        meta.append(f"Purchase order: {doc.po}")
    if doc.buyer_ref:
        meta.append(f"Your reference: {doc.buyer_ref}")
    docx_cell(t.rows[0].cells[1], ["INVOICE"] + meta, align="R", bold=[True] + [False] * 6)
    docx_widths(t, [95, 79])
    docx_par(d, "")
    tab = d.add_table(rows=1, cols=5)
    tab.style = "Light Grid Accent 1" if doc.idx % 2 else "Table Grid"
    for c, h in zip(tab.rows[0].cells, ["Item", "Qty", "Unit price", "VAT", "Net amount"], strict=False):
        docx_cell(c, h, bold=True, align=None if h == "Item" else "R")
    for ln in doc.lines:
        row = tab.add_row().cells
        docx_cell(row[0], ln.desc)
        docx_cell(row[1], qty_str(ln.qty, "en"), align="R")
        docx_cell(row[2], m(ln.unit_price), align="R")
        docx_cell(row[3], pct(ln.rate, "en"), align="R")
        docx_cell(row[4], m(ln.total), align="R")
    docx_widths(tab, [86, 16, 26, 16, 30])
    docx_par(d, "")
    rows = [("Net total", m(doc.total_ht))] + [
        (f"VAT @ {pct(r_, 'en')} on {m(bs)}", m(a)) for r_, bs, a in doc.breakdown()
    ]
    rows.append(("Total", m(doc.total_ttc)))
    if doc.deposit:
        rows.append(
            (f"Less deposit received {fdate(doc.issue - dt.timedelta(days=60), 'ukshort')}", m(-doc.deposit))
        )
    rows.append(("Balance due" if doc.deposit else "Amount due", m(doc.net_due)))
    tt = d.add_table(rows=0, cols=3)
    for k, (lab, v) in enumerate(rows):
        c = tt.add_row().cells
        last = k == len(rows) - 1
        docx_cell(c[1], lab, bold=last or lab == "Total")
        docx_cell(c[2], v, align="R", bold=last or lab == "Total")
    docx_widths(tt, [70, 70, 34])
    docx_par(d, "")
    docx_par(
        d,
        "French VAT is charged as the services are supplied in France (art. 259 A of the French tax code). "
        f"Bank transfer to IBAN {s.iban}. Late payment: interest at three times the French legal rate and a "
        "fixed recovery fee of EUR 40.",
        size=8,
    )
    return ".docx", docx_bytes(d)


# ---------------------------------------------------------------- odfpy helpers


class Odt:
    """A small builder over odfpy: named paragraph/cell styles, tables, a footer on the master page."""

    def __init__(self, font: str, size: float, footer_text: str, footer_size: float = 6.5):
        from odf.opendocument import OpenDocumentText
        from odf.style import (
            FontFace,
            Footer,
            MasterPage,
            PageLayout,
            PageLayoutProperties,
            ParagraphProperties,
            Style,
            TextProperties,
        )
        from odf.text import P

        self.doc = OpenDocumentText()
        self.font, self.size = font, size
        self._styles = {}
        for f in {font, "Liberation Mono"}:
            self.doc.fontfacedecls.addElement(FontFace(name=f, fontfamily=f"'{f}'", fontpitch="variable"))
        pl = PageLayout(name="PL")
        pl.addElement(
            PageLayoutProperties(
                pagewidth="210mm",
                pageheight="297mm",
                margintop="14mm",
                marginbottom="10mm",
                marginleft="17mm",
                marginright="17mm",
            )
        )
        self.doc.automaticstyles.addElement(pl)
        fs = Style(name="FooterP", family="paragraph")
        fs.addElement(ParagraphProperties(textalign="center"))
        fs.addElement(TextProperties(fontname=font, fontsize=f"{footer_size}pt"))
        self.doc.automaticstyles.addElement(fs)
        mp = MasterPage(name="Standard", pagelayoutname=pl)
        ft = Footer()
        ft.addElement(P(stylename=fs, text=footer_text))
        mp.addElement(ft)
        self.doc.masterstyles.addElement(mp)
        self.Style, self.TP, self.PP = Style, TextProperties, ParagraphProperties

    def pstyle(self, size=None, bold=False, align="start", font=None, color=None, space_after=0):
        key = ("p", size, bold, align, font, color, space_after)
        if key not in self._styles:
            st = self.Style(name=f"P{len(self._styles)}", family="paragraph")
            st.addElement(self.PP(textalign=align, marginbottom=f"{space_after}pt"))
            kw = {"fontname": font or self.font, "fontsize": f"{size or self.size}pt"}
            if bold:
                kw["fontweight"] = "bold"
            if color:
                kw["color"] = color
            st.addElement(self.TP(**kw))
            self.doc.automaticstyles.addElement(st)
            self._styles[key] = st
        return self._styles[key]

    def cstyle(self, border=None, bg=None, pad="1.2mm", **sides):
        from odf.style import TableCellProperties

        key = ("c", border, bg, pad, tuple(sorted(sides.items())))
        if key not in self._styles:
            st = self.Style(name=f"C{len(self._styles)}", family="table-cell")
            kw = {"padding": pad}
            if border:
                kw["border"] = border
            if bg:
                kw["backgroundcolor"] = bg
            kw.update(sides)
            st.addElement(TableCellProperties(**kw))
            self.doc.automaticstyles.addElement(st)
            self._styles[key] = st
        return self._styles[key]

    def p(self, text, parent=None, **kw):
        from odf.text import P

        el = P(stylename=self.pstyle(**kw), text=text)
        (parent or self.doc.text).addElement(el)
        return el

    def table(self, widths_mm, rows, cell_style=None, styles=None, paras=None):
        """rows: list of lists of str or list[str] (several paragraphs); styles(r, c) -> cell style;
        paras(r, c) -> dict of pstyle arguments."""
        from odf.style import TableColumnProperties, TableProperties
        from odf.table import Table, TableCell, TableColumn, TableRow

        n = len(self._styles)
        ts = self.Style(name=f"T{n}", family="table")
        ts.addElement(TableProperties(width=f"{sum(widths_mm)}mm", align="left"))
        self.doc.automaticstyles.addElement(ts)
        self._styles[("t", n)] = ts
        t = Table(name=f"Table{n}", stylename=ts)
        for k, w in enumerate(widths_mm):
            cs = self.Style(name=f"T{n}c{k}", family="table-column")
            cs.addElement(TableColumnProperties(columnwidth=f"{w}mm"))
            self.doc.automaticstyles.addElement(cs)
            t.addElement(TableColumn(stylename=cs))
        for r, row in enumerate(rows):
            tr = TableRow()
            for c, val in enumerate(row):
                st = styles(r, c) if styles else (cell_style or self.cstyle())
                cell = TableCell(stylename=st, valuetype="string")
                for k, line in enumerate(val if isinstance(val, list) else [val]):
                    kw = paras(r, c) if paras else {}
                    if isinstance(kw, list):
                        kw = kw[k]
                    self.p(line, parent=cell, **kw)
                tr.addElement(cell)
            t.addElement(tr)
        self.doc.text.addElement(t)
        return t

    def bytes(self) -> bytes:
        import io

        buf = io.BytesIO()
        self.doc.save(buf)
        return buf.getvalue()


# ---------------------------------------------------------------- N: beverage wholesaler, remise + port, both ids (odt)

BOISSONS = [
    ("Boissons du Sud-Ouest", "Comptoir des Boissons du Sud-Ouest"),
    ("Rhône Boissons Distribution", "Rhône Boissons Distribution"),
    ("CHR Breizh Boissons", "Breizh Boissons CHR"),
    ("Les Caves Réunies", "Caves Réunies de Bourgogne"),
    ("Flandres Drinks", "Distribution de Boissons des Flandres"),
]
DRINKS = [
    ("Eau minérale plate 1 L x12", "pack", 4.2, 7.5, 5.5),
    ("Eau gazeuse 50 cl x24", "pack", 7.8, 12, 5.5),
    ("Jus de pomme artisanal 1 L x6", "carton", 9.5, 16, 5.5),
    ("Limonade bouteille verre 33 cl x24", "caisse", 14, 22, 5.5),
    ("Sirop de grenadine 1 L", "u", 3.1, 5.8, 5.5),
    ("Cola 33 cl x24", "caisse", 12, 19, 5.5),
    ("Bière pression fût 30 L", "fût", 95, 160, 20),
    ("Vin blanc IGP Côtes de Gascogne 75 cl x6", "carton", 24, 48, 20),
    ("Vin rouge AOP Madiran 75 cl x6", "carton", 45, 90, 20),
    ("Crémant de Bourgogne brut x6", "carton", 48, 78, 20),
    ("Gin artisanal 70 cl", "u", 21, 38, 20),
    ("Bière blonde 33 cl x24", "caisse", 22, 36, 20),
]


def make_lo_grossiste(rng, i) -> Doc:
    trade, legal = BOISSONS[i]
    seller = fr_company(rng, trade, legal=legal, style=[0, 2, 1, 0, 2][i], show=("rcs", "siret", "vat"))
    buyer = fr_buyer(
        rng,
        name=rng.choice(
            [
                "Restaurant Le Comptoir",
                "Brasserie des Arts SARL",
                "Hôtel du Parc",
                "Bar-Tabac Le Central",
                "Camping Les Pins SAS",
            ]
        ),
        show=("siret", "vat") if i != 2 else ("siren", "vat"),
    )
    iss = issue_date(rng)
    lines = pick_lines(rng, DRINKS[:6], rng.randint(2, 4)) + pick_lines(rng, DRINKS[6:], rng.randint(2, 4))
    d = Doc(
        "lo_grossiste",
        i,
        "invoice",
        f"{rng.choice(['FC', 'FV', 'F'])}{iss.strftime('%y')}-{rng.randint(10000, 99999)}",
        iss,
        iss + dt.timedelta(days=rng.choice([20, 30, 45])),
        "EUR",
        seller,
        buyer,
        lines,
        discount_pct=D(rng.choice([5, 3, "2.5", 5, 4])) if i != 3 else D(0),
        shipping=q(D(rng.uniform(15, 45))) if i in (0, 1, 3) else D(0),
        shipping_rate=D(20),
        po=f"{rng.randint(100, 999)}-{rng.randint(10, 99)}" if i in (1, 3) else None,
        buyer_ref=f"RA-{rng.randint(100, 999)}" if i == 4 else None,
        customer_no=f"411{rng.randint(10000, 99999)}",
    )
    return d


def render_lo_grossiste(doc: Doc):
    s, b = doc.seller, doc.buyer
    font = [
        "Liberation Sans",
        "DejaVu Sans Condensed",
        "Liberation Sans Narrow",
        "Liberation Serif",
        "DejaVu Sans",
    ][doc.idx]
    o = Odt(font, 8.5, s.legal_line, 6)
    ds = "num"
    o.p(s.name, size=16, bold=True, color="#2b5d34")
    o.p("Distributeur de boissons CHR – Livraison sous 48 h", size=8)
    o.p("", size=4)
    box = o.cstyle(border="0.5pt solid #000000")
    plain = o.cstyle(pad="0.6mm")
    seller_col = [s.addr[0], s.addr[1], f"Tél. {s.phone}", f"Commandes : {s.email}"]
    buyer_col = (
        ["Client facturé", b.name]
        + b.addr
        + ([f"SIRET {fmt_siret(b.siret)}"] if b.show_siret else [f"SIREN {fmt_siren(b.siren)}"])
        + [f"TVA {b.vat}"]
    )
    o.table(
        [95, 81],
        [[seller_col, buyer_col]],
        styles=lambda r, c: plain if c == 0 else box,
        paras=lambda r, c: (
            [{} for _ in seller_col] if c == 0 else [{"size": 7.5}, {"bold": True, "size": 10}] + [{}] * 6
        ),
    )
    o.p("", size=6)
    heads = [
        "Numéro de facture",
        "Date",
        "Échéance",
        "Compte client",
        "Votre commande" if doc.po else "Réf. acheteur",
    ]
    vals = [
        doc.number,
        fdate(doc.issue, ds),
        fdate(doc.due, ds),
        doc.customer_no,
        doc.po or doc.buyer_ref or "—",
    ]
    o.table(
        [38, 28, 28, 34, 48],
        [heads, vals],
        cell_style=box,
        paras=lambda r, c: {"bold": r == 0, "align": "center", "size": 7.5 if r == 0 else 9},
    )
    o.p("", size=6)
    rows = [["Désignation", "Cond.", "Qté", "PU HT", "Code TVA", "Montant HT"]]
    codes = {D("5.5"): "A", D(20): "B"}
    for ln in doc.lines:
        rows.append(
            [
                ln.desc,
                ln.unit,
                qty_str(ln.qty),
                money(ln.unit_price, "fr"),
                codes[ln.rate],
                money(ln.total, "fr"),
            ]
        )
    hl = o.cstyle(pad="0.8mm", borderbottom="0.4pt solid #888888")
    head = o.cstyle(pad="0.8mm", bg="#dfeadf", borderbottom="0.8pt solid #000000")
    o.table(
        [76, 18, 12, 22, 18, 30],
        rows,
        styles=lambda r, c: head if r == 0 else hl,
        paras=lambda r, c: {"bold": r == 0, "align": "start" if c in (0, 1) else "end"},
    )
    o.p("", size=6)
    bd = [["Code", "Taux", "Base HT", "Montant TVA"]] + [
        [codes[r], pct(r), money(bs, "fr"), money(a, "fr")] for r, bs, a in doc.breakdown()
    ]
    tot = [["Sous-total", money(doc.subtotal, "fr")]]
    if doc.discount_pct:
        tot.append([f"Remise {pct(doc.discount_pct)}", money(-doc.discount, "fr")])
    if doc.shipping:
        tot.append(["Frais de port", money(doc.shipping, "fr")])
    tot += [
        ["Base HT", money(doc.total_ht, "fr")],
        ["Total TVA", money(doc.total_vat, "fr")],
        ["Total TTC", money(doc.total_ttc, "fr", "€")],
        ["Net à payer", money(doc.net_due, "fr", "€")],
    ]
    o.table([14, 16, 26, 26], bd, cell_style=box, paras=lambda r, c: {"bold": r == 0, "align": "end"})
    o.p("", size=4)
    o.table(
        [120, 28, 28],
        [["", a, v] for a, v in tot],
        styles=lambda r, c: plain,
        paras=lambda r, c: {"bold": r >= len(tot) - 2, "align": "end" if c == 2 else "start", "size": 9.5},
    )
    o.p("", size=6)
    o.p(
        "Code A : TVA 5,5 % – Code B : TVA 20 %. Les emballages consignés restent la propriété du fournisseur. "
        "Pénalités de retard : 3 fois le taux d'intérêt légal ; indemnité forfaitaire de recouvrement : 40 €. "
        f"IBAN {s.iban}",
        size=7,
    )
    return ".odt", o.bytes()


# ---------------------------------------------------------------- P: pharma distributor to hospitals, 2.1/5.5/20, credit notes (odt)

PHARMA_SELLERS = [
    ("PharmaLog Distribution", "Pharmalog Répartition"),
    ("Medisud Répartition", "Médisud Répartition Pharmaceutique"),
    ("Hospidis", "Hospidis Santé"),
    ("Alliance Médicale Ouest", "Alliance Médicale de l'Ouest"),
    ("Répartition Pharma Est", "Répartition Pharmaceutique de l'Est"),
]
HOSPITALS = [
    (
        "Centre Hospitalier Universitaire de Nantes",
        "Pharmacie à usage intérieur",
        ("44093", "Nantes Cedex 1"),
    ),
    ("Centre Hospitalier de Valence", "PUI – Achats", ("26953", "Valence Cedex 9")),
    ("Hôpital Local de Pontarlier", "Pharmacie", ("25300", "Pontarlier")),
    ("Centre Hospitalier de Dax", "Direction des achats", ("40100", "Dax")),
    ("EHPAD Public Les Glycines", "Économat", ("87000", "Limoges")),
]
MEDS = [
    ("Paracétamol 1 g cpr B/100 (remb.)", "boîte", 2.1, 4.9, 2.1),
    ("Amoxicilline 1 g cpr B/14 (remb.)", "boîte", 3.2, 6.1, 2.1),
    ("Héparine sodique 5000 UI/ml (remb.)", "fl", 8.4, 14.2, 2.1),
    ("Insuline glargine stylo x5 (remb.)", "boîte", 38, 62, 2.1),
    ("Pansements hydrocolloïdes 10x10 x10", "boîte", 12, 24, 5.5),
    ("Protections incontinence T3 x14", "paquet", 6.5, 11, 5.5),
    ("Solution hydroalcoolique 500 ml", "fl", 2.4, 4.8, 20),
    ("Gants d'examen nitrile x200", "boîte", 6.8, 12.5, 20),
    ("Crème hydratante dermatologique 400 ml", "tube", 5.9, 9.9, 20),
]


def make_lo_hopital(rng, i) -> Doc:
    trade, legal = PHARMA_SELLERS[i]
    seller = fr_company(rng, trade, legal=legal, style=[0, 0, 2, 0, 1][i], show=("rcs", "siret", "vat"))
    hname, svc, city = HOSPITALS[i]
    siren = "26" + _digits(rng, 6, False)
    siren += luhn.calc_check_digit(siren)
    buyer = Party(
        name=hname, siren=siren, siret=make_siret(rng, siren), addr=address(rng, city), show_siret=True
    )
    buyer.extra_svc = svc
    iss = issue_date(rng)
    credit = i in (1, 3)
    lines = (
        pick_lines(rng, MEDS[:4], 2 if credit else rng.randint(2, 4))
        + pick_lines(rng, MEDS[4:6], 1)
        + (pick_lines(rng, MEDS[6:], rng.randint(1, 2)) if not credit or i == 3 else [])
    )
    for ln in lines:
        ln.qty = D(rng.choice([2, 3, 5]) if credit else rng.choice([10, 20, 30, 50, 60, 100]))
    orig = iss - dt.timedelta(days=rng.randint(10, 45))
    d = Doc(
        "lo_hopital",
        i,
        "credit_note" if credit else "invoice",
        (
            f"AV{iss.strftime('%y%m')}{rng.randint(100, 999)}"
            if credit
            else f"FH{iss.strftime('%y%m')}{rng.randint(1000, 9999)}"
        ),
        iss,
        None if credit else iss + dt.timedelta(days=50),
        "EUR",
        seller,
        buyer,
        lines,
        po=f"{rng.randint(2000000000, 2099999999)}" if i != 4 else None,
        buyer_ref=f"PUI{rng.randint(100, 999)}" if i != 2 else None,
        orig_number=f"FH{orig.strftime('%y%m')}{rng.randint(1000, 9999)}" if credit else None,
        orig_date=orig if credit else None,
    )
    return d


def render_lo_hopital(doc: Doc):
    s, b = doc.seller, doc.buyer
    credit = doc.kind == "credit_note"
    font = [
        "Liberation Sans",
        "DejaVu Sans",
        "Liberation Sans Narrow",
        "DejaVu Sans Condensed",
        "Liberation Serif",
    ][doc.idx]
    o = Odt(font, 8.5, s.legal_line + " – Établissement pharmaceutique autorisé par l'ANSM", 6)
    ds = ["num", "iso", "num", "dot", "num"][doc.idx]
    plain = o.cstyle(pad="0.5mm")
    box = o.cstyle(border="0.6pt solid #000000", pad="1.5mm")
    left = [s.name, s.addr[0], s.addr[1], f"Tél. {s.phone}", f"SIRET {fmt_siret(s.siret, 1)}"]
    title = ["AVOIR" if credit else "FACTURE", f"N° {doc.number}", f"Date : {fdate(doc.issue, ds)}"]
    if credit:
        title += [f"Facture d'origine n° {doc.orig_number}", f"du {fdate(doc.orig_date, ds)}"]
    else:
        title.append(f"Échéance : {fdate(doc.due, ds)}")
    o.table(
        [100, 76],
        [[left, title]],
        styles=lambda r, c: plain if c == 0 else box,
        paras=lambda r, c: (
            ([{"bold": True, "size": 14}] + [{}] * 4)
            if c == 0
            else (
                [{"bold": True, "size": 16, "align": "end"}, {"bold": True, "align": "end", "size": 11}]
                + [{"align": "end"}] * 3
            )
        ),
    )
    o.p("", size=8)
    dest = ["Établissement destinataire", b.name, b.extra_svc] + b.addr + [f"SIRET : {fmt_siret(b.siret)}"]
    refs = []
    if doc.buyer_ref:
        refs.append(f"Code service : {doc.buyer_ref}")
    if doc.po:
        refs.append(f"N° d'engagement : {doc.po}")
    refs.append(f"Marché : {doc.issue.year - 1}-AOO-PHARMA-{doc.idx + 3:02d}, lot {doc.idx + 2}")
    o.table(
        [90, 86],
        [[refs, dest]],
        styles=lambda r, c: plain if c == 0 else box,
        paras=lambda r, c: [{}] * 3 if c == 0 else [{"size": 7}, {"bold": True, "size": 10}] + [{}] * 5,
    )
    o.p("", size=8)
    rows = [["Code CIP / réf.", "Désignation", "Qté", "PU HT", "TVA", "Total HT"]]
    for ln in doc.lines:
        cr = random.Random(ln.desc)
        cip = "34009" + "".join(str(cr.randint(0, 9)) for _ in range(8))
        rows.append(
            [cip, ln.desc, qty_str(ln.qty), money(ln.unit_price, "fr"), pct(ln.rate), money(ln.total, "fr")]
        )
    grid = o.cstyle(border="0.3pt solid #777777", pad="0.8mm")
    o.table(
        [28, 72, 12, 20, 16, 28],
        rows,
        cell_style=grid,
        paras=lambda r, c: {"bold": r == 0, "align": "start" if c in (0, 1) else "end", "size": 8},
    )
    o.p("", size=6)
    bd = [["Taux TVA", "Base HT", "TVA"]] + [
        [pct(r), money(bs, "fr"), money(a, "fr")] for r, bs, a in doc.breakdown()
    ]
    o.table([20, 28, 24], bd, cell_style=grid, paras=lambda r, c: {"bold": r == 0, "align": "end"})
    o.p("", size=4)
    tot = [
        ["Total HT", money(doc.total_ht, "fr", "€")],
        ["Total TVA", money(doc.total_vat, "fr", "€")],
        ["Total TTC", money(doc.total_ttc, "fr", "€")],
    ]
    tot.append(["Montant de l'avoir" if credit else "Net à payer", money(doc.total_ttc, "fr", "€")])
    o.table(
        [104, 44, 28],
        [["", a, v] for a, v in tot],
        cell_style=plain,
        paras=lambda r, c: {"bold": r >= 2, "align": "end" if c == 2 else "start", "size": 9.5},
    )
    o.p("", size=6)
    o.p(
        (
            "Avoir à imputer sur le prochain mandatement."
            if credit
            else "Paiement par mandat administratif à 50 jours (délai global de paiement des établissements publics de santé). "
            "Indemnité forfaitaire pour frais de recouvrement : 40 €."
        )
        + " Facture transmise via Chorus Pro.",
        size=7.5,
    )
    return ".odt", o.bytes()


# ================================================================== driver

LAYOUTS = [
    "rl_letterhead",
    "rl_artisan",
    "rl_public",
    "rl_multipage",
    "rl_avoir",
    "rl_export",
    "fp_saas",
    "fp_transport",
    "fp_micro",
    "fp_utility",
    "fp_scan",
    "fp_swiss",
    "lo_honoraires",
    "lo_events",
    "lo_grossiste",
    "lo_hopital",
]


def assign_splits(rng: random.Random) -> dict[str, list[str]]:
    """Half tune, half final overall; every layout gets both (2 or 3 of each)."""
    layouts = LAYOUTS[:]
    rng.shuffle(layouts)
    three = set(layouts[: len(layouts) // 2])
    out = {}
    for lay in LAYOUTS:
        k = 3 if lay in three else 2
        labels = ["tune"] * k + ["final"] * (PER_LAYOUT - k)
        rng.shuffle(labels)
        out[lay] = labels
    return out


def check(doc: Doc) -> None:
    """Identifiers valid, amounts adding up to the cent."""
    e = doc.expected()
    for k, mod in [("seller_siren", fr_siren), ("buyer_siren", fr_siren), ("seller_siret", fr_siret)]:
        if e[k]:
            assert mod.is_valid(e[k]), (doc.layout, doc.idx, k, e[k])
    for k in ("seller_vat", "buyer_vat"):
        v = e[k]
        if v:
            mod = {
                "FR": fr_tva,
                "DE": de_vat,
                "BE": be_vat,
                "IT": it_iva,
                "GB": gb_vat,
                "SE": se_vat,
                "CH": ch_uid,
            }[v[:2]]
            assert mod.is_valid(v), (doc.layout, doc.idx, k, v)
            if v.startswith("FR") and k == "seller_vat" and e["seller_siren"]:
                assert v[4:] == e["seller_siren"]
    if e["seller_siret"]:
        assert e["seller_siret"][:9] == e["seller_siren"]
    ht = sum(D(str(x["base"])) for x in e["vat_breakdown"])
    tva = sum(D(str(x["amount"])) for x in e["vat_breakdown"])
    assert ht == D(str(e["total_without_vat"])) and tva == D(str(e["total_vat"])), (doc.layout, doc.idx)
    assert D(str(e["total_without_vat"])) + D(str(e["total_vat"])) == D(str(e["total_with_vat"])), (
        doc.layout,
        doc.idx,
    )
    for x in e["vat_breakdown"]:
        assert q(D(str(x["base"])) * D(str(x["rate"])) / 100) == D(str(x["amount"])), (doc.layout, doc.idx)
    assert doc.subtotal - doc.discount + doc.shipping == doc.total_ht, (doc.layout, doc.idx)
    assert all(v > 0 for v in (doc.total_ttc, doc.net_due)), (doc.layout, doc.idx)
    assert set(e) == set(READ_FIELDS) | {"split"}


def soffice_convert(sources: dict[str, tuple[str, bytes]]) -> dict[str, bytes]:
    """{stem: (suffix, bytes)} -> {stem: pdf bytes}, through one headless LibreOffice run."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        raise SystemExit(
            "LibreOffice (soffice) is needed for the lo_* layouts: apt-get install libreoffice-writer-nogui"
        )
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        files = []
        for stem, (suffix, data) in sources.items():
            f = tmp / f"{stem}{suffix}"
            f.write_bytes(data)
            files.append(str(f))
        profile = tmp / "profile"
        subprocess.run(
            [
                exe,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(tmp / "out"),
                *files,
            ],
            check=True,
            capture_output=True,
            timeout=600,
        )
        return {stem: (tmp / "out" / f"{stem}.pdf").read_bytes() for stem in sources}


def build_all() -> list[Doc]:
    splits = assign_splits(random.Random(f"{SEED}-splits"))
    docs = []
    for lay in LAYOUTS:
        for i in range(PER_LAYOUT):
            rng = random.Random(f"{SEED}-{lay}-{i}")
            doc = globals()[f"make_{lay}"](rng, i)
            doc.split = splits[lay][i]
            check(doc)
            docs.append(doc)
    return docs


def main(argv: list[str]) -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    docs = build_all()
    pdfs, office = {}, {}
    for doc in docs:
        stem = f"{doc.layout}_{doc.idx + 1}"
        out = globals()[f"render_{doc.layout}"](doc)
        if isinstance(out, tuple):
            office[stem] = out
        else:
            pdfs[stem] = out
    if office:
        pdfs.update(soffice_convert(office))
    for doc in docs:
        stem = f"{doc.layout}_{doc.idx + 1}"
        data = pdfs[stem]
        assert len(data) < 80_000, (stem, len(data))
        (OUT / f"{stem}.pdf").write_bytes(data)
        (OUT / f"{stem}.json").write_text(
            json.dumps(doc.expected(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    n_tune = sum(d.split == "tune" for d in docs)
    print(f"{len(docs)} PDFs in {OUT} ({len(LAYOUTS)} layouts; {n_tune} tune, {len(docs) - n_tune} final)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
