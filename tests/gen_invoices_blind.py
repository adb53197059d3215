#!/usr/bin/env python3
# ruff: noqa: E501  (HTML and CSS templates are kept on long lines)
"""Blind evaluation set of invoice PDFs for the PDF text reader.

Written without looking at the reader or at the team's own generator and samples:
every invoice is an HTML+CSS page modelled on what French and European billing
software prints (Sage 100, Cegid, EBP, Odoo, QuickBooks, Pennylane, SAP forms, a
craftsman's hand-filled pad, a utility bill, a public-sector invoice, an English
export invoice, a multi-page invoice with carried-forward subtotals, credit notes,
CHF/GBP/USD invoices...), printed to PDF by headless Chromium.

Beside each PDF a JSON holds the values a perfect reader would return:

  doc_type, invoice_number, issue_date, due_date (ISO), currency, seller_name,
  seller_siren, seller_siret, seller_vat, buyer_name, buyer_siren, buyer_vat,
  purchase_order, buyer_reference, total_without_vat, total_vat, total_with_vat,
  vat_breakdown [{rate, base, amount}]

Conventions of the expected values:
  * null where the document does not print the value. A SIREN counts as printed when
    the SIREN or the SIRET is printed (the SIREN is the SIRET's first nine digits),
    never merely because a French VAT number contains it. A due date counts as printed
    only when a date is printed (not "30 jours net", not "payable à réception").
  * identifiers are stored compact (no spaces, dots or dashes); names as printed.
  * credit notes carry positive totals, whatever sign the document prints.
  * total_vat is the sum of the VAT amounts printed per rate when the document prints
    no separate VAT total (Odoo, a craftsman's pad, some Swiss invoices).
  * total_with_vat is the invoice total including VAT, not the balance left after a
    deposit ("Acompte") has been deducted.
  * purchase_order: "Bon de commande", "Votre commande", "N° de commande", "P.O. Number",
    "Customer PO", "Your order", "N° d'engagement". buyer_reference: "Votre référence",
    "Référence client" (Odoo), "Your reference", "Code service".

Amounts are computed with Decimal and add up to the cent (line amounts -> base per
rate -> VAT per rate rounded half-up -> totals). SIREN, SIRET and VAT numbers carry
valid check digits (python-stdnum).

Usage (needs Debian's chromium and playwright from the venv; no browser download):
    .venv/bin/python tests/gen_invoices_blind.py [--out DIR] [--html-dir DIR] [--seed N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import random
import string
import sys
import tempfile
import zlib
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from calendar_words import EN_MONTHS, FR_MONTHS, FR_MONTHS_ABBR
from stdnum import luhn
from stdnum.be import vat as be_vat
from stdnum.ch import vat as ch_vat
from stdnum.de import vat as de_vat
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret
from stdnum.fr import tva as fr_tva
from stdnum.gb import vat as gb_vat
from stdnum.ie import vat as ie_vat
from stdnum.it import iva as it_iva
from stdnum.nl import vat as nl_vat

from jalon.formats.extract import READ_FIELDS

SEED = 20261105
CHROMIUM = "/usr/bin/chromium"
OUT = Path(__file__).resolve().parent / "data" / "invoices_blind"

D = Decimal
CENT = D("0.01")


def q2(x: Decimal) -> Decimal:
    return x.quantize(CENT, ROUND_HALF_UP)


def e(s) -> str:
    return html.escape(str(s), quote=True)


# --------------------------------------------------------------------------- numbers


def num(x: Decimal, thou: str, dec: str, places: int = 2) -> str:
    neg = x < 0
    s = f"{abs(x):,.{places}f}"
    ip, _, fp = s.partition(".")
    ip = ip.replace(",", thou)
    out = ip + (dec + fp if places else "")
    return ("-" if neg else "") + out


def fr(x):  # 1 234,56
    return num(x, " ", ",")


def frn(x):  # 1 234,56 with a narrow no-break space (what babel/Odoo print)
    return num(x, "\u202f", ",")


def frb(x):  # 1 234,56 with a no-break space
    return num(x, "\u00a0", ",")


def fr0(x):  # 1234,56
    return num(x, "", ",")


def de_(x):  # 1.234,56
    return num(x, ".", ",")


def en(x):  # 1,234.56
    return num(x, ",", ".")


def chf(x, apo="'"):  # 1'234.50
    return num(x, apo, ".")


def qty_fr(q: Decimal) -> str:
    q = q.normalize()
    s = f"{q:f}"
    return s.replace(".", ",")


def qty_en(q: Decimal) -> str:
    return f"{q.normalize():f}"


def rate_fr(r: Decimal) -> str:  # 5,5 / 20
    return qty_fr(r)


def rate_en(r: Decimal) -> str:
    return qty_en(r)


# --------------------------------------------------------------------------- dates


def d_slash(d):
    return d.strftime("%d/%m/%Y")


def d_slash2(d):
    return d.strftime("%d/%m/%y")


def d_dot(d):
    return d.strftime("%d.%m.%Y")


def d_iso(d):
    return d.isoformat()


def d_fr_long(d):
    day = "1er" if d.day == 1 else str(d.day)
    return f"{day} {FR_MONTHS[d.month - 1]} {d.year}"


def d_fr_abbr(d):
    return f"{d.day} {FR_MONTHS_ABBR[d.month - 1]} {d.year}"


def d_en_us(d):
    return f"{EN_MONTHS[d.month - 1][:3]} {d.day}, {d.year}"


def d_en_uk(d):
    return f"{d.day} {EN_MONTHS[d.month - 1]} {d.year}"


# --------------------------------------------------------------------------- identifiers


def digits(rng, n):
    return "".join(str(rng.randint(0, 9)) for _ in range(n))


def gen_siren(rng, first=None):
    head = str(first if first is not None else rng.randint(3, 9)) + digits(rng, 7)
    s = head + luhn.calc_check_digit(head)
    assert fr_siren.is_valid(s)
    return s


def gen_siret(rng, siren):
    head = siren + f"{rng.randint(1, 299):04d}"
    s = head + luhn.calc_check_digit(head)
    assert fr_siret.is_valid(s)
    return s


def fr_vat_of(siren):
    v = f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"
    assert fr_tva.is_valid(v)
    return v


def brute(rng, make, check_values, valid):
    while True:
        body = make()
        for c in check_values:
            cand = body + c
            if valid(cand):
                return cand


def gen_vat(rng, country):
    d2 = [f"{i:02d}" for i in range(100)]
    d1 = [str(i) for i in range(10)]
    if country == "GB":
        return brute(rng, lambda: "GB" + str(rng.randint(1, 9)) + digits(rng, 6), d2, gb_vat.is_valid)
    if country == "DE":
        return brute(rng, lambda: "DE" + str(rng.randint(1, 9)) + digits(rng, 7), d1, de_vat.is_valid)
    if country == "BE":
        return brute(rng, lambda: "BE0" + str(rng.randint(2, 9)) + digits(rng, 6), d2, be_vat.is_valid)
    if country == "NL":
        return brute(rng, lambda: "NL" + digits(rng, 8), [c + "B01" for c in d1], nl_vat.is_valid)
    if country == "IT":
        return brute(rng, lambda: "IT" + str(rng.randint(0, 1)) + digits(rng, 9), d1, it_iva.is_valid)
    if country == "IE":
        return brute(
            rng,
            lambda: "IE" + str(rng.randint(1, 9)) + digits(rng, 6),
            list(string.ascii_uppercase[:23]),
            ie_vat.is_valid,
        )
    if country == "CH":
        return brute(rng, lambda: "CHE" + digits(rng, 8), d1, lambda c: ch_vat.is_valid(c + "TVA"))
    raise ValueError(country)


def siren_sp(s):
    return f"{s[:3]} {s[3:6]} {s[6:9]}"


def siret_sp(s):
    return f"{s[:3]} {s[3:6]} {s[6:9]} {s[9:]}"


def vat_sp(v):
    if v.startswith("FR"):
        return f"FR {v[2:4]} {v[4:7]} {v[7:10]} {v[10:]}"
    if v.startswith("GB"):
        return "GB " + gb_vat.format(v)
    if v.startswith("CHE"):
        return f"CHE-{v[3:6]}.{v[6:9]}.{v[9:12]}"
    return v


def not_luhn(rng, n):
    while True:
        s = str(rng.randint(1, 9)) + digits(rng, n - 1)
        if not luhn.is_valid(s):
            return s


# --------------------------------------------------------------------------- parties

FR_CITIES = [
    ("69003", "Lyon"),
    ("44000", "Nantes"),
    ("33000", "Bordeaux"),
    ("59000", "Lille"),
    ("35000", "Rennes"),
    ("31000", "Toulouse"),
    ("67000", "Strasbourg"),
    ("13006", "Marseille"),
    ("38000", "Grenoble"),
    ("21000", "Dijon"),
    ("37000", "Tours"),
    ("49100", "Angers"),
    ("34000", "Montpellier"),
    ("63000", "Clermont-Ferrand"),
    ("76000", "Rouen"),
    ("29200", "Brest"),
    ("74000", "Annecy"),
    ("54000", "Nancy"),
    ("87000", "Limoges"),
    ("57000", "Metz"),
    ("45000", "Orléans"),
    ("51100", "Reims"),
    ("69500", "Bron"),
    ("92100", "Boulogne-Billancourt"),
    ("75011", "Paris"),
    ("75008", "Paris"),
    ("06000", "Nice"),
    ("64100", "Bayonne"),
]
FR_STREETS = [
    "12 rue des Tanneurs",
    "ZA des Grands Champs, 4 rue de l'Industrie",
    "45 avenue Jean Jaurès",
    "3 impasse du Moulin",
    "8 allée Pierre Curie",
    "17 boulevard Gambetta",
    "2 place de la République",
    "110 route de Vienne",
    "Parc Technologique, 21 rue Ampère",
    "9 quai de la Fosse",
    "56 cours Lafayette",
    "Zone artisanale Les Bruyères",
    "31 rue du Faubourg Saint-Antoine",
    "14 chemin des Vignes",
    "5 rue Nationale",
    "27 avenue de la Gare",
    "Immeuble Le Sextant, 3 rue Louis Blériot",
    "72 rue de la Paix",
]
SURNAMES = [
    "Dubois",
    "Lefèvre",
    "Moreau",
    "Girard",
    "Fontaine",
    "Chevalier",
    "Robin",
    "Masson",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Muller",
    "Henry",
    "Roussel",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clément",
    "Gauthier",
    "Dumont",
    "Fournier",
    "Mercier",
    "Bonnet",
    "Lambert",
    "Marchand",
    "Noël",
    "Barbier",
    "Arnaud",
    "Brun",
    "Roux",
    "Leclerc",
    "Caron",
    "Picard",
    "Renaud",
    "Vidal",
    "Aubert",
    "Lemaire",
    "Collin",
]
TRADES = [
    "Menuiserie",
    "Imprimerie",
    "Transports",
    "Électricité",
    "Plomberie",
    "Maçonnerie",
    "Serrurerie",
    "Carrosserie",
    "Ébénisterie",
    "Charpente",
    "Peinture",
    "Couverture",
]
BRANDS = [
    "Néolis",
    "Bureautik",
    "Vertigo Studio",
    "Ouest Emballages",
    "Provence Matériaux",
    "Atlantique Logistique",
    "Septentrion",
    "Azur Nettoyage",
    "Boréal Data",
    "Kerlann Marine",
    "Normandie Froid",
    "Cévennes Bois",
    "Lumen Systèmes",
    "Ardoise & Cie",
    "Hexagone Médical",
    "Alpha Conseil",
    "Sillage Informatique",
    "Géode Ingénierie",
    "Rivages Traiteur",
    "Papeterie du Centre",
    "Orbital Sécurité",
    "Delta Fluides",
    "Quadrille Architecture",
    "Saveurs d'Armor",
    "Tilia Paysage",
    "Cap Horizon Formation",
    "Mistral Énergie",
    "Opaline Verrerie",
    "Rhône Hydraulique",
    "Brocéliande Bio",
    "Vauban Bâtiment",
    "Lys Imprimés",
    "Pyrène Outillage",
    "Solstice Événements",
    "Ondine Laboratoires",
    "Calypso Nautisme",
    "Grand Est Levage",
]
FORMS = ["SARL", "SAS", "SA", "EURL", "SASU"]


@dataclass
class Party:
    name: str
    street: str
    zip: str
    city: str
    country: str = "France"
    siren: str | None = None
    siret: str | None = None
    vat: str | None = None
    phone: str = ""
    email: str = ""
    form: str = ""
    capital: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def addr(self):
        if self.country == "United Kingdom":
            return [self.street, self.city, self.zip, "UNITED KINGDOM"]
        if self.country == "Ireland":
            return [self.street, f"{self.city} {self.zip}", "IRELAND"]
        if self.country == "USA":
            return [self.street, f"{self.city}, {self.zip}", "USA"]
        return [self.street, f"{self.zip} {self.city}"] + (
            [self.country.upper()] if self.country != "France" else []
        )


class Names:
    """Hands out distinct company names."""

    def __init__(self, rng, used):
        self.rng = rng
        self.used = used  # shared by all layouts: a company name appears once in the set

    def french(self, style=None):
        rng = self.rng
        for _ in range(1000):
            form = rng.choice(FORMS)
            style_ = style or rng.choice(["trade", "brand", "brand_form_first"])
            if style_ == "trade":
                base = f"{rng.choice(TRADES)} {rng.choice(SURNAMES)}"
                name = f"{base} {form}"
            elif style_ == "brand":
                base = rng.choice(BRANDS)
                name = f"{base} {form}"
            else:
                base = rng.choice(BRANDS)
                name = f"{form} {base}"
            if base not in self.used:
                self.used.add(base)
                return name, form
        raise RuntimeError("out of names")

    def pick(self, pool):
        free = [p for p in pool if p[0] not in self.used]
        p = self.rng.choice(free)
        self.used.add(p[0])
        return p


def phone_fr(rng):
    return "0" + str(rng.randint(1, 5)) + " " + " ".join(f"{rng.randint(0, 99):02d}" for _ in range(4))


def french_party(rng, names, style=None, siren_first=None):
    name, form = names.french(style)
    z, city = rng.choice(FR_CITIES)
    siren = gen_siren(rng, siren_first)
    p = Party(
        name=name,
        street=rng.choice(FR_STREETS),
        zip=z,
        city=city,
        siren=siren,
        siret=gen_siret(rng, siren),
        vat=fr_vat_of(siren),
        phone=phone_fr(rng),
        form=form,
        capital=fr(D(rng.choice([1000, 5000, 7500, 10000, 20000, 37000, 50000, 100000, 250000]))).replace(
            ",00", ""
        ),
    )
    slug = (
        "".join(
            c
            for c in name.lower().split()[0 if form != name.split()[0] else 1]
            if c.isalpha() and c.isascii()
        )
        or "contact"
    )
    p.email = f"contact@{slug}.fr"
    return p


UK_COMPANIES = [
    ("Harrow & Finch Ltd", "14 Clerkenwell Road", "EC1M 5RD", "London"),
    ("Greywater Supplies Ltd", "Unit 7, Trafford Park", "M17 1HH", "Manchester"),
    ("Kestrel Print Services Ltd", "22 Temple Street", "BS1 6EN", "Bristol"),
    ("Ashdown Analytics Ltd", "3 Park Square East", "LS1 2NE", "Leeds"),
    ("Thornbury Joinery Ltd", "Old Mill, Station Road", "GL12 8AA", "Thornbury"),
    ("Bramble & Oak Interiors Ltd", "61 High Street", "OX1 4AP", "Oxford"),
    ("Northgate Marine Ltd", "Dock Road", "HU9 1TD", "Hull"),
]
IE_COMPANIES = [
    ("Corrib Software Ltd", "Block B, Galway Business Park", "H91 X2F4", "Galway"),
    ("Liffey Catering Supplies Ltd", "18 Ormond Quay", "D07 R2P6", "Dublin 7"),
    ("Shannon Precision Tooling Ltd", "Smithstown Industrial Estate", "V14 E093", "Shannon"),
]
US_COMPANIES = [
    ("Redwood Instruments Inc.", "2450 Mission College Blvd", "CA 95054", "Santa Clara"),
    ("Bayline Foods LLC", "88 Harbor Drive", "MD 21230", "Baltimore"),
    ("Cobalt Aerospace Corp.", "1200 Airport Road", "WA 98108", "Seattle"),
    ("Prairie Labs Inc.", "401 N Michigan Ave", "IL 60611", "Chicago"),
]
EU_SAP_SELLERS = [
    ("Brenner Maschinenbau GmbH", "Industriestraße 14", "70565", "Stuttgart", "Germany", "DE"),
    ("Hoffmann Antriebstechnik GmbH", "Am Hafen 3", "28217", "Bremen", "Germany", "DE"),
    ("Vandermeulen Industrial Supplies NV", "Noorderlaan 112", "2030", "Antwerpen", "Belgium", "BE"),
    ("Van Leeuwen Techniek B.V.", "Westerkade 21", "3016 CM", "Rotterdam", "Netherlands", "NL"),
]
EU_BUYERS = [
    ("Officine Meccaniche Ferrari Srl", "Via Emilia Est 220", "41122", "Modena", "Italy", "IT"),
    ("Ateliers Lambotte SA", "Rue de la Station 45", "4000", "Liège", "Belgium", "BE"),
    ("Delft Componenten B.V.", "Schoemakerstraat 7", "2628 VK", "Delft", "Netherlands", "NL"),
]
CH_SELLERS = [
    ("Atelier Horloger Berset SA", "Rue du Seyon 12", "2000", "Neuchâtel"),
    ("Fromagerie du Jura Sàrl", "Grand-Rue 4", "2900", "Porrentruy"),
    ("Léman Précision SA", "Chemin du Viaduc 1", "1008", "Prilly"),
    ("Imprimerie Chablais Sàrl", "Avenue de la Gare 30", "1870", "Monthey"),
]
CH_BUYERS = [
    ("Hôtel du Lac Vevey SA", "Quai Perdonnet 18", "1800", "Vevey"),
    ("Clinique des Alpes SA", "Route de Chamonix 2", "1950", "Sion"),
    ("Garage de la Broye Sàrl", "Route de Lausanne 50", "1530", "Payerne"),
]
PUBLIC_BUYERS = [
    "Commune de Villeurbanne",
    "Université de Rennes",
    "Centre hospitalier de Bourg-en-Bresse",
    "Département de la Gironde",
    "Lycée professionnel Jean Moulin",
    "Communauté d'agglomération du Grand Dole",
    "Syndicat mixte des eaux de la Vienne",
]
INDIVIDUALS = [
    "M. et Mme Martin",
    "Mme Claire Dupuis",
    "M. Jean-Marc Royer",
    "Mme Sophie Lebrun",
    "M. Thomas Besnard",
    "M. et Mme Ferrand",
]


def foreign_party(rng, names, pool, country, vat_cc=None):
    name, street, z, city = names.pick(pool)[:4]
    p = Party(name=name, street=street, zip=z, city=city, country=country)
    if vat_cc:
        p.vat = gen_vat(rng, vat_cc)
    return p


# --------------------------------------------------------------------------- documents


@dataclass
class Line:
    desc: str
    qty: Decimal
    unit: str
    price: Decimal
    rate: Decimal
    amount: Decimal
    code: str = ""
    disc: Decimal = field(default_factory=Decimal)


@dataclass
class Doc:
    layout: str
    doc_type: str
    number: str
    issue: dt.date
    due: dt.date | None
    currency: str
    seller: Party
    buyer: Party
    lines: list
    po: str | None = None
    buyer_ref: str | None = None
    show: set = field(default_factory=set)
    breakdown_shown: bool = True
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        self.compute()

    def compute(self):
        bases = {}
        for ln in self.lines:
            bases[ln.rate] = bases.get(ln.rate, D(0)) + ln.amount
        self.breakdown = [(r, q2(b), q2(b * r / 100)) for r, b in sorted(bases.items())]
        self.ht = sum((b for _, b, _ in self.breakdown), D(0))
        self.tva = sum((a for _, _, a in self.breakdown), D(0))
        self.ttc = self.ht + self.tva

    def expected(self):
        s, b = self.seller, self.buyer
        sh = self.show
        return {
            "doc_type": self.doc_type,
            "invoice_number": self.number,
            "issue_date": self.issue.isoformat(),
            "due_date": self.due.isoformat() if self.due else None,
            "currency": self.currency,
            "seller_name": s.name,
            "seller_siren": s.siren if ({"seller_siren", "seller_siret"} & sh) else None,
            "seller_siret": s.siret if "seller_siret" in sh else None,
            "seller_vat": s.vat if "seller_vat" in sh else None,
            "buyer_name": b.name,
            "buyer_siren": b.siren if ({"buyer_siren", "buyer_siret"} & sh) else None,
            "buyer_vat": b.vat if "buyer_vat" in sh else None,
            "purchase_order": self.po,
            "buyer_reference": self.buyer_ref,
            "total_without_vat": float(self.ht),
            "total_vat": float(self.tva),
            "total_with_vat": float(self.ttc),
            "vat_breakdown": [
                {"rate": float(r), "base": float(bb), "amount": float(a)} for r, bb, a in self.breakdown
            ]
            if self.breakdown_shown
            else None,
        }


def money(rng, lo, hi):
    return D(rng.randint(int(lo * 100), int(hi * 100))) / 100


def make_line(rng, item, code=""):
    desc, unit, lo, hi, rate, qk = item
    if qk == "int":
        qty = D(rng.randint(1, 24))
    elif qk == "few":
        qty = D(rng.randint(1, 4))
    elif qk == "one":
        qty = D(1)
    elif qk == "hours":
        qty = D(rng.randint(1, 32)) / 2
    elif qk == "kg":
        qty = D(rng.randint(500, 40000)) / 1000
    elif qk == "big":
        qty = D(rng.randint(10, 500))
    else:
        raise ValueError(qk)
    price = money(rng, lo, hi)
    return Line(
        desc=desc, qty=qty, unit=unit, price=price, rate=D(str(rate)), amount=q2(qty * price), code=code
    )


def pick_lines(rng, catalog, n, code_prefix="", code_digits=4):
    items = rng.sample(catalog, min(n, len(catalog)))
    return [
        make_line(rng, it, f"{code_prefix}{rng.randint(10 ** (code_digits - 1), 10**code_digits - 1)}")
        for it in items
    ]


def rand_date(rng, start=dt.date(2025, 1, 6), span=660):
    return start + dt.timedelta(days=rng.randint(0, span))


def end_of_month(d):
    nxt = (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


# catalogs: (description, unit, min price, max price, VAT rate, quantity kind)
CAT_SERVICES = [
    ("Prestation de conseil — journée consultant senior", "j", 650, 1100, 20, "few"),
    ("Développement spécifique module d'export comptable", "j", 480, 720, 20, "int"),
    ("Maintenance annuelle logiciel — licence 10 postes", "u", 900, 2400, 20, "one"),
    ("Formation utilisateurs (session d'une journée)", "u", 850, 1400, 20, "few"),
    ("Audit de sécurité du système d'information", "forfait", 2500, 6000, 20, "one"),
    ("Hébergement serveur dédié — mensualité", "mois", 89, 249, 20, "few"),
    ("Assistance téléphonique — pack 10 heures", "pack", 390, 690, 20, "one"),
    ("Frais de déplacement", "forfait", 45, 180, 20, "one"),
    ("Rédaction cahier des charges", "h", 75, 120, 20, "hours"),
    ("Reprise de données historiques", "forfait", 600, 1800, 20, "one"),
]
CAT_GOODS = [
    ("Vis inox A2 6x40 — boîte de 200", "bte", 14, 32, 20, "int"),
    ("Panneau contreplaqué bouleau 2500x1220 ép. 18 mm", "u", 42, 96, 20, "int"),
    ("Ramette papier A4 80 g/m² blanc", "u", 3.2, 6.5, 20, "big"),
    ("Cartouche toner noir haute capacité", "u", 48, 135, 20, "few"),
    ("Câble réseau RJ45 cat. 6 — 3 m", "u", 2.1, 7.9, 20, "big"),
    ("Gants de protection nitrile T9 (boîte de 100)", "bte", 6, 14, 20, "int"),
    ("Chariot de manutention 250 kg", "u", 180, 420, 20, "one"),
    ("Étagère métallique galvanisée 5 niveaux", "u", 65, 190, 20, "few"),
    ("Ruban adhésif polypropylène 48 mm x 66 m", "rlx", 1.2, 3.4, 20, "big"),
    ("Carton double cannelure 600x400x400", "u", 1.5, 4.2, 20, "big"),
    ("Lampe LED étanche 1500 mm 50 W", "u", 22, 58, 20, "int"),
    ("Disjoncteur différentiel 40 A 30 mA type AC", "u", 38, 89, 20, "int"),
]
CAT_FOOD = [
    ("Farine de blé T65 — sac 25 kg", "sac", 14, 24, 5.5, "int"),
    ("Sucre semoule — sac 10 kg", "sac", 9, 15, 5.5, "int"),
    ("Beurre doux 82 % MG — carton 10 kg", "ctn", 68, 110, 5.5, "few"),
    ("Huile de colza — bidon 5 L", "bid", 8, 14, 5.5, "int"),
    ("Chocolat noir 64 % pistoles — 5 kg", "u", 45, 78, 5.5, "few"),
    ("Œufs frais calibre M — plateau de 30", "plt", 6.5, 9.9, 5.5, "int"),
    ("Lait entier UHT — pack 6 x 1 L", "pack", 5.2, 8.4, 5.5, "int"),
    ("Levure fraîche — 500 g", "u", 1.8, 3.2, 5.5, "int"),
    ("Jus de pomme artisanal — 1 L", "bt", 2.1, 3.9, 5.5, "big"),
    ("Plateau-repas livré (consommation immédiate)", "u", 11, 19, 10, "int"),
    ("Sandwich traiteur emballé", "u", 3.2, 5.8, 10, "big"),
    ("Boisson chaude à emporter", "u", 1.4, 2.6, 10, "big"),
    ("Liquide vaisselle professionnel 5 L", "bid", 7, 16, 20, "few"),
    ("Sacs kraft à poignées (x 250)", "lot", 18, 34, 20, "few"),
    ("Barquettes aluminium 1 L (x 100)", "lot", 9, 19, 20, "few"),
    ("Soda 33 cl — pack de 24", "pack", 9, 16, 20, "int"),
]
CAT_WORKS = [
    ("Dépose de l'ancienne baignoire et évacuation", "forfait", 180, 320, 10, "one"),
    ("Fourniture et pose receveur de douche extra-plat 90x120", "u", 420, 780, 10, "one"),
    ("Main-d'œuvre plombier", "h", 42, 58, 10, "hours"),
    ("Remplacement ballon d'eau chaude 200 L", "u", 780, 1350, 10, "one"),
    ("Raccordement cuivre et PER, fournitures diverses", "forfait", 90, 260, 10, "one"),
    ("Mitigeur thermostatique", "u", 120, 290, 10, "one"),
    ("Déplacement", "forfait", 25, 60, 20, "one"),
    ("Pose de carrelage mural", "m²", 38, 62, 10, "int"),
    ("Peinture plafond deux couches", "m²", 14, 26, 10, "int"),
    ("Fourniture robinet de jardin (vente seule)", "u", 18, 45, 20, "one"),
]


def invoice_no(rng, pattern, issue):
    return pattern.format(
        y=issue.year,
        yy=issue.strftime("%y"),
        m=issue.strftime("%m"),
        n3=rng.randint(1, 999),
        n4=rng.randint(1, 9999),
        n5=rng.randint(1, 99999),
        n6=rng.randint(1, 999999),
    )


def choose(rng, p):
    return rng.random() < p


# --------------------------------------------------------------------------- HTML helpers


def page(css, body, lang="fr"):
    return f"""<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title></title>
<style>@page {{ size: A4; margin: 12mm 13mm; }} * {{ box-sizing: border-box; }}
html, body {{ margin: 0; padding: 0; }} table {{ border-collapse: collapse; }}
{css}</style></head><body>{body}</body></html>"""


def br(lines):
    return "<br>".join(e(x) for x in lines if x)


# =========================================================================== layouts
# Each builder: (rng, names, i) -> (Doc, html)

SAGE_CSS = """
body { font-family: 'Liberation Sans'; font-size: 8.6pt; color: #000; }
.top { display: flex; justify-content: space-between; }
.sname { font-size: 15pt; font-weight: bold; }
.docbox { border: 1.2px solid #000; width: 96mm; }
.docbox .t { background: #ddd; text-align: center; font-size: 13pt; font-weight: bold; padding: 2px; border-bottom: 1px solid #000; }
.docbox table { width: 100%; } .docbox th, .docbox td { border: 1px solid #000; padding: 2px 4px; text-align: center; }
.docbox th { font-weight: normal; font-size: 7.5pt; }
.client { border: 1px solid #000; margin: 6mm 0 0 auto; width: 96mm; padding: 3mm 4mm; min-height: 28mm; font-size: 9.5pt; }
.refs { margin: 5mm 0 2mm 0; }
table.lines { width: 100%; margin-top: 3mm; } table.lines th { background: #ddd; border: 1px solid #000; padding: 3px; font-size: 7.8pt; }
table.lines td { border-left: 1px solid #000; border-right: 1px solid #000; padding: 2px 4px; vertical-align: top; }
table.lines tr.last td { border-bottom: 1px solid #000; height: 40mm; }
.r { text-align: right; } .c { text-align: center; }
.bottom { display: flex; justify-content: space-between; margin-top: 4mm; align-items: flex-start; }
table.recap th, table.recap td { border: 1px solid #000; padding: 2px 6px; }
table.recap th { background: #eee; font-size: 7.6pt; }
table.tot td { border: 1px solid #000; padding: 3px 8px; } table.tot td:first-child { background: #eee; }
table.tot tr.net td { font-weight: bold; font-size: 10pt; }
table.ech { margin-top: 3mm; } table.ech th, table.ech td { border: 1px solid #000; padding: 2px 6px; }
.foot { position: fixed; bottom: 0; left: 0; right: 0; text-align: center; font-size: 7pt; border-top: 1px solid #000; padding-top: 2px; }
.mentions { font-size: 6.8pt; margin-top: 5mm; width: 110mm; }
"""


def build_sage(rng, names, i):
    seller = french_party(rng, names, "trade" if i % 2 else "brand")
    buyer = french_party(rng, names)
    issue = rand_date(rng)
    due = issue + dt.timedelta(days=rng.choice([30, 45, 60]))
    cat = CAT_GOODS if i % 2 == 0 else CAT_GOODS + CAT_SERVICES
    lines = pick_lines(rng, cat, rng.randint(3, 8), code_prefix=rng.choice(["ART", "REF", ""]))
    if i == 3:  # a food line at 5.5 % too
        lines += pick_lines(rng, CAT_FOOD[:5], 2, code_prefix="ALI")
    for ln in lines:
        if choose(rng, 0.3):
            ln.disc = D(rng.choice([5, 10, 15]))
            ln.amount = q2(ln.qty * ln.price * (100 - ln.disc) / 100)
    show = {"seller_siret", "seller_vat"}
    if i != 1:
        show |= {"buyer_vat", "buyer_siren"}
    po = (
        invoice_no(rng, rng.choice(["CMD{yy}-{n4:04d}", "BC{n6:06d}", "PO-{y}-{n3:03d}"]), issue)
        if i != 2
        else None
    )
    ref = (
        invoice_no(rng, rng.choice(["Chantier {n3}", "AFF-{n4:04d}", "DA {yy}/{n3:03d}"]), issue)
        if i in (1, 2)
        else None
    )
    doc = Doc(
        "sage",
        "invoice",
        invoice_no(rng, "FA{n5:05d}", issue),
        issue,
        due,
        "EUR",
        seller,
        buyer,
        lines,
        po=po,
        buyer_ref=ref,
        show=show,
    )
    codes = {r: str(k + 1) for k, (r, _, _) in enumerate(doc.breakdown)}
    client_code = f"C{rng.randint(100, 9999):04d}"
    rows = "".join(
        f"<tr><td>{e(ln.code)}</td><td>{e(ln.desc)}</td><td class=r>{qty_fr(ln.qty)}</td>"
        f"<td class=r>{fr(ln.price)}</td><td class=r>{qty_fr(ln.disc) if ln.disc else ''}</td>"
        f"<td class=r>{fr(ln.amount)}</td><td class=c>{codes[ln.rate]}</td></tr>"
        for ln in lines
    )
    rows += "<tr class=last><td></td><td></td><td></td><td></td><td></td><td></td><td></td></tr>"
    recap = "".join(
        f"<tr><td class=c>{codes[r]}</td><td class=r>{fr(b)}</td><td class=r>{rate_fr(r)} %</td>"
        f"<td class=r>{fr(a)}</td></tr>"
        for r, b, a in doc.breakdown
    )
    refs = []
    if po:
        od = issue - dt.timedelta(days=rng.randint(3, 30))
        refs.append(f"Votre commande n° {e(po)} du {d_slash(od)}")
    if ref:
        refs.append(f"Votre référence : {e(ref)}")
    bl = f"BL{rng.randint(10000, 99999)}"
    refs.append(f"Bon de livraison : {bl}")
    cid = []
    if "buyer_vat" in show:
        cid.append(f"N° TVA intracom. : {e(buyer.vat)}")
    if "buyer_siren" in show:
        cid.append(f"SIREN : {siren_sp(buyer.siren)}")
    s = seller
    body = f"""
<div class=top><div><div class=sname>{e(s.name)}</div>{br(s.addr)}<br>Tél. : {e(s.phone)}<br>{e(s.email)}</div>
<div><div class=docbox><div class=t>FACTURE</div><table><tr><th>Numéro</th><th>Date</th><th>Code client</th><th>Page</th></tr>
<tr><td><b>{e(doc.number)}</b></td><td>{d_slash(issue)}</td><td>{client_code}</td><td>1/1</td></tr></table></div>
<div class=client><b>{e(buyer.name)}</b><br>{br(buyer.addr)}<br><span style="font-size:7.8pt">{"<br>".join(cid)}</span></div></div></div>
<div class=refs>{"<br>".join(refs)}</div>
<table class=lines><tr><th>Référence</th><th>Désignation</th><th>Qté</th><th>P.U. HT</th><th>Rem. %</th><th>Montant HT</th><th>TVA</th></tr>{rows}</table>
<div class=bottom><div><table class=recap><tr><th>Code</th><th>Base HT</th><th>Taux TVA</th><th>Montant TVA</th></tr>{recap}</table>
<table class=ech><tr><th>Échéance</th><th>Mode de règlement</th><th>Montant</th></tr>
<tr><td>{d_slash(due)}</td><td>Virement</td><td class=r>{fr(doc.ttc)}</td></tr></table>
<div class=mentions>En cas de retard de paiement, application d'une pénalité égale à trois fois le taux d'intérêt légal
et d'une indemnité forfaitaire pour frais de recouvrement de 40 €. Pas d'escompte pour paiement anticipé.</div></div>
<table class=tot><tr><td>Total HT</td><td class=r>{fr(doc.ht)}</td></tr><tr><td>Total TVA</td><td class=r>{fr(doc.tva)}</td></tr>
<tr><td>Total TTC</td><td class=r>{fr(doc.ttc)}</td></tr><tr><td>Acompte</td><td class=r>0,00</td></tr>
<tr class=net><td>NET À PAYER (EUR)</td><td class=r>{fr(doc.ttc)}</td></tr></table></div>
<div class=foot>{e(s.name)} — {e(s.form)} au capital de {e(s.capital)} € — RCS {e(s.city)} B {siren_sp(s.siren)} — SIRET {siret_sp(s.siret)}
— APE {rng.choice(["4332A", "4669B", "4741Z", "1812Z", "4673A"])} — N° TVA intracommunautaire {e(s.vat)}</div>"""
    return doc, page(SAGE_CSS, body)


CEGID_CSS = """
body { font-family: 'DejaVu Sans'; font-size: 8pt; color: #1b1b1b; }
.hdr { display: flex; justify-content: space-between; border-bottom: 3px solid #0a4d8c; padding-bottom: 3mm; }
.logo { font-size: 14pt; font-weight: bold; color: #0a4d8c; }
h1 { font-size: 20pt; color: #0a4d8c; margin: 0; letter-spacing: 1px; }
table.grid { width: 100%; margin-top: 4mm; } table.grid td { border: 1px solid #9ab; padding: 1px 5px 3px 5px; vertical-align: top; width: 16.6%; }
table.grid .l { display: block; font-size: 6.5pt; color: #0a4d8c; text-transform: uppercase; }
table.grid .v { display: block; font-size: 9pt; font-weight: bold; }
.addrs { display: flex; gap: 6mm; margin-top: 4mm; } .addrs > div { flex: 1; border: 1px solid #9ab; padding: 2mm 3mm; min-height: 24mm; }
.addrs .l { font-size: 6.5pt; color: #0a4d8c; text-transform: uppercase; }
table.lines { width: 100%; margin-top: 5mm; } table.lines th { background: #0a4d8c; color: #fff; padding: 3px; font-size: 7pt; text-align: left; }
table.lines td { padding: 2px 3px; border-bottom: 1px dotted #9ab; } .r { text-align: right !important; }
table.totbar { width: 100%; margin-top: 6mm; } table.totbar td { border: 1px solid #0a4d8c; padding: 1px 5px 3px 5px; text-align: right; }
table.totbar .l { display: block; font-size: 6.5pt; color: #0a4d8c; text-transform: uppercase; text-align: left; }
table.totbar .v { display: block; font-size: 9.5pt; font-weight: bold; }
table.vat { margin-top: 3mm; } table.vat td, table.vat th { border: 1px solid #9ab; padding: 1px 6px; font-size: 7.5pt; }
.foot { position: fixed; bottom: 0; left: 0; right: 0; text-align: center; font-size: 6.5pt; color: #444; }
"""


def build_cegid(rng, names, i):
    seller = french_party(rng, names, "brand")
    buyer = french_party(rng, names)
    issue = rand_date(rng)
    due = end_of_month(issue + dt.timedelta(days=45)) if i != 1 else issue + dt.timedelta(days=30)
    lines = pick_lines(rng, CAT_SERVICES + CAT_GOODS[:4], rng.randint(2, 6), code_prefix="")
    show = {"seller_siren", "seller_vat", "buyer_vat"}
    ref = invoice_no(rng, "{n4:04d}-{yy}", issue) if i != 2 else None
    po = invoice_no(rng, "45{n6:06d}", issue) if i != 0 else None
    doc = Doc(
        "cegid",
        "invoice",
        invoice_no(rng, "F{yy}/{n6:06d}", issue),
        issue,
        due,
        "EUR",
        seller,
        buyer,
        lines,
        po=po,
        buyer_ref=ref,
        show=show,
    )
    dfmt = d_slash2 if i == 2 else d_slash
    cells = [
        ("N° facture", doc.number),
        ("Date facture", dfmt(issue)),
        ("Code client", f"{buyer.name.split()[0][:3].upper()}{rng.randint(100, 999)}"),
        ("Votre référence", ref or ""),
        ("N° commande", po or ""),
        ("Date d'échéance", dfmt(due)),
    ]
    grid = "".join(
        f"<td><span class=l>{e(a)}</span><span class=v>{e(b) or '&nbsp;'}</span></td>" for a, b in cells
    )
    rows = "".join(
        f"<tr><td>{e(ln.code)}</td><td>{e(ln.desc)}</td><td class=r>{qty_fr(ln.qty)}</td>"
        f"<td class=r>{de_(ln.price)}</td><td class=r>{de_(ln.amount)}</td><td class=r>{rate_fr(ln.rate)}</td></tr>"
        for ln in lines
    )
    vat = "".join(
        f"<tr><td class=r>{rate_fr(r)} %</td><td class=r>{de_(b)}</td><td class=r>{de_(a)}</td></tr>"
        for r, b, a in doc.breakdown
    )
    bar = [
        ("Total H.T.", f"{de_(doc.ht)} EUR"),
        ("Total T.V.A.", f"{de_(doc.tva)} EUR"),
        ("Total T.T.C.", f"{de_(doc.ttc)} EUR"),
        ("Net à payer", f"{de_(doc.ttc)} EUR"),
    ]
    bar_html = "".join(f"<td><span class=l>{a}</span><span class=v>{b}</span></td>" for a, b in bar)
    s = seller
    deliv = f"{buyer.name}<br>Site de {e(rng.choice(FR_CITIES)[1])}<br>Quai n° {rng.randint(1, 9)}"
    body = f"""
<div class=hdr><div><div class=logo>{e(s.name)}</div>{br(s.addr)}<br>Tél. {e(s.phone)}</div>
<div style="text-align:right"><h1>FACTURE</h1>Original</div></div>
<table class=grid><tr>{grid}</tr></table>
<div class=addrs><div><div class=l>Adresse de facturation</div><b>{e(buyer.name)}</b><br>{br(buyer.addr)}<br>N° TVA : {vat_sp(buyer.vat)}</div>
<div><div class=l>Adresse de livraison</div>{deliv}</div></div>
<table class=lines><tr><th>Article</th><th>Libellé</th><th class=r>Qté</th><th class=r>PU HT</th><th class=r>Montant HT</th><th class=r>TVA %</th></tr>{rows}</table>
<table class=vat><tr><th>Taux</th><th>Base HT</th><th>Montant TVA</th></tr>{vat}</table>
<table class=totbar><tr>{bar_html}</tr></table>
<p style="font-size:7pt">Règlement par virement à réception de facture, au plus tard à la date d'échéance. IBAN FR76 3000 4{rng.randint(100, 999)} 0000 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)} {rng.randint(100, 999)}
— Indemnité forfaitaire pour frais de recouvrement : 40 €.</p>
<div class=foot>{e(s.name)} — {e(s.form)} au capital de {e(s.capital)} € — SIREN {s.siren} RCS {e(s.city)} — TVA intracommunautaire {vat_sp(s.vat)}</div>"""
    return doc, page(CEGID_CSS, body)


EBP_CSS = """
body { font-family: 'Liberation Serif'; font-size: 9.5pt; }
.hdr { display: flex; justify-content: space-between; }
.sname { font-size: 16pt; font-weight: bold; font-variant: small-caps; }
table.kv { border: 1.5px solid #444; width: 82mm; } table.kv td { padding: 2px 6px; border-bottom: 1px solid #bbb; }
table.kv td.l { font-weight: bold; background: #f1efe8; width: 38mm; } table.kv td.v { text-align: right; }
.buyer { margin: 7mm 0 0 auto; width: 82mm; padding: 2mm 3mm; border-left: 3px solid #444; }
table.lines { width: 100%; margin-top: 8mm; } table.lines th { border-top: 1.5px solid #444; border-bottom: 1.5px solid #444; padding: 3px; }
table.lines td { padding: 3px; } .r { text-align: right; }
.bottom { display: flex; justify-content: space-between; margin-top: 6mm; border-top: 1px solid #444; padding-top: 3mm; }
table.tk td { padding: 2px 6px; } table.tk td.v { text-align: right; min-width: 30mm; } table.tk tr.big td { font-weight: bold; border-top: 1.5px solid #444; }
table.vr th, table.vr td { padding: 1px 6px; border-bottom: 1px solid #ccc; }
.foot { position: fixed; bottom: 0; left: 0; right: 0; font-size: 7.5pt; text-align: center; color: #333; }
"""


def build_ebp(rng, names, i):
    seller = french_party(rng, names, "trade")
    buyer = french_party(rng, names)
    issue = rand_date(rng)
    due = issue + dt.timedelta(days=rng.choice([30, 60])) if i != 2 else None
    cat = CAT_GOODS + CAT_WORKS[6:] if i % 2 else CAT_GOODS + CAT_SERVICES[6:]
    lines = pick_lines(rng, cat, rng.randint(3, 7), code_prefix=rng.choice(["", "P"]), code_digits=5)
    if i == 3:
        lines += pick_lines(rng, CAT_WORKS[:6], 2)
    show = {"seller_siret", "seller_vat"}
    if i in (0, 3):
        show |= {"buyer_vat", "buyer_siret"}
    po = invoice_no(rng, "BC-{n5:05d}", issue) if i != 1 else None
    ref = invoice_no(rng, "{n3}/{yy}", issue) if i in (1, 3) else None
    doc = Doc(
        "ebp",
        "invoice",
        invoice_no(rng, "FA-{y}-{n4:04d}", issue),
        issue,
        due,
        "EUR",
        seller,
        buyer,
        lines,
        po=po,
        buyer_ref=ref,
        show=show,
    )
    kv = [
        ("Facture N°", doc.number),
        ("Date", d_fr_long(issue)),
        ("Échéance", d_fr_long(due) if due else "À réception"),
        ("Code client", f"CL{rng.randint(10000, 99999)}"),
    ]
    if po:
        kv.append(("Bon de commande", po))
    if ref:
        kv.append(("Votre référence", ref))
    kv.append(("Mode de règlement", rng.choice(["Chèque", "Virement bancaire", "LCR"])))
    kvh = "".join(f"<tr><td class=l>{e(a)}</td><td class=v>{e(b)}</td></tr>" for a, b in kv)
    rows = "".join(
        f"<tr><td>{e(ln.code)}</td><td>{e(ln.desc)}</td><td class=r>{qty_fr(ln.qty)}</td><td class=r>{fr(ln.price)} €</td>"
        f"<td class=r>{rate_fr(ln.rate)}</td><td class=r>{fr(ln.amount)} €</td></tr>"
        for ln in lines
    )
    vr = "".join(
        f"<tr><td>{rate_fr(r)} %</td><td class=r>{fr(b)} €</td><td class=r>{fr(a)} €</td></tr>"
        for r, b, a in doc.breakdown
    )
    bid = []
    if "buyer_siret" in show:
        bid.append(f"SIRET : {buyer.siret}")
    if "buyer_vat" in show:
        bid.append(f"N° TVA intracom. : {buyer.vat}")
    s = seller
    body = f"""
<div class=hdr><div><div class=sname>{e(s.name)}</div>{br(s.addr)}<br>Tél : {e(s.phone)} — {e(s.email)}</div>
<table class=kv>{kvh}</table></div>
<div class=buyer><b>{e(buyer.name)}</b><br>{br(buyer.addr)}<br><small>{"<br>".join(bid)}</small></div>
<table class=lines><tr><th>Code</th><th>Description</th><th class=r>Quantité</th><th class=r>PU HT</th><th class=r>% TVA</th><th class=r>Total HT</th></tr>{rows}</table>
<div class=bottom><div><table class=vr><tr><th>Taux</th><th>Base</th><th>Montant TVA</th></tr>{vr}</table>
<p style="font-size:8pt;width:95mm">Conditions : paiement {"à réception de facture" if not due else "à échéance"}. Escompte pour paiement anticipé : néant.
Pénalités de retard : 3 fois le taux d'intérêt légal. Indemnité forfaitaire de recouvrement : 40,00 €.</p></div>
<table class=tk><tr><td>Total HT</td><td class=v>{fr(doc.ht)} €</td></tr><tr><td>Total TVA</td><td class=v>{fr(doc.tva)} €</td></tr>
<tr><td>Total TTC</td><td class=v>{fr(doc.ttc)} €</td></tr><tr class=big><td>Net à payer</td><td class=v>{fr(doc.ttc)} €</td></tr></table></div>
<div class=foot>{e(s.form)} au capital de {e(s.capital)} € — SIRET : {s.siret} — RCS {e(s.city)} — Code APE : {rng.choice(["1623Z", "4321A", "4322A", "3312Z"])} — N° TVA : {s.vat}</div>"""
    return doc, page(EBP_CSS, body)


ODOO_CSS = """
body { font-family: 'DejaVu Sans'; font-size: 8.5pt; color: #222; }
.hdr { display: flex; justify-content: space-between; border-bottom: 1px solid #875a7b; padding-bottom: 2mm; }
.logo { font-size: 17pt; font-weight: bold; color: #875a7b; } .co { text-align: right; font-size: 8pt; }
.partner { margin: 10mm 0 0 105mm; line-height: 1.35; }
h2 { font-size: 15pt; margin: 8mm 0 4mm 0; font-weight: normal; }
.info { display: flex; gap: 10mm; margin-bottom: 5mm; } .info strong { display: block; }
table.lines { width: 100%; } table.lines th { border-bottom: 1.5px solid #222; text-align: left; padding: 4px; }
table.lines td { border-bottom: 1px solid #ddd; padding: 4px; } .r { text-align: right !important; }
.tot { margin-left: auto; width: 85mm; margin-top: 4mm; } .tot td { padding: 3px 4px; } .tot .v { text-align: right; }
.tot tr.b td { border-top: 1.5px solid #222; font-weight: bold; } .tot .base { font-size: 7.5pt; color: #666; }
.foot { position: fixed; bottom: 0; left: 0; right: 0; text-align: center; font-size: 7pt; border-top: 1px solid #ccc; padding-top: 2mm; }
"""


def build_odoo(rng, names, i):
    seller = french_party(rng, names, "brand")
    buyer = french_party(rng, names)
    issue = rand_date(rng)
    credit = i == 3
    due = None if credit else issue + dt.timedelta(days=rng.choice([15, 30, 45]))
    cat = CAT_SERVICES if i != 1 else CAT_FOOD
    lines = pick_lines(rng, cat, rng.randint(2, 6))
    show = (
        {"seller_siret", "seller_vat", "buyer_vat", "buyer_siret"}
        if i != 2
        else {"seller_siret", "seller_vat"}
    )
    ref = invoice_no(rng, rng.choice(["DA-{y}-{n3:03d}", "Projet {n3}"]), issue) if i != 1 else None
    po = invoice_no(rng, "CDE{n5:05d}", issue) if i == 1 else None
    num_ = invoice_no(rng, "RFAC/{y}/{n5:05d}" if credit else "FAC/{y}/{n5:05d}", issue)
    doc = Doc(
        "odoo",
        "credit_note" if credit else "invoice",
        num_,
        issue,
        due,
        "EUR",
        seller,
        buyer,
        lines,
        po=po,
        buyer_ref=ref,
        show=show,
    )
    info = [("Date de facturation:", d_slash(issue))]
    if due:
        info.append(("Date d'échéance:", d_slash(due)))
    info.append(("Origine:", f"S{rng.randint(10000, 99999)}"))
    if ref:
        info.append(("Référence client:", ref))
    if po:
        info.append(("Bon de commande:", po))
    infoh = "".join(f"<div><strong>{e(a)}</strong>{e(b)}</div>" for a, b in info)
    rows = "".join(
        f"<tr><td>{e(ln.desc)}</td><td class=r>{qty_fr(ln.qty)} {e(ln.unit if ln.unit != 'u' else 'Unité(s)')}</td>"
        f"<td class=r>{frn(ln.price)}</td><td>TVA {rate_fr(ln.rate)}%</td><td class=r>{frn(ln.amount)}\u00a0€</td></tr>"
        for ln in lines
    )
    multi = len(doc.breakdown) > 1
    taxes = "".join(
        f"<tr><td>TVA {rate_fr(r)}%"
        + (f" <span class=base>sur {frn(b)}\u00a0€</span>" if multi else "")
        + f"</td><td class=v>{frn(a)}\u00a0€</td></tr>"
        for r, b, a in doc.breakdown
    )
    pid = []
    if "buyer_vat" in show:
        pid.append(f"TVA : {buyer.vat}")
    if "buyer_siret" in show:
        pid.append(f"SIRET : {buyer.siret}")
    s = seller
    title = "Avoir" if credit else "Facture"
    extra = ""
    if credit:
        orig = f"FAC/{issue.year}/{rng.randint(1, 99999):05d}"
        extra = f"<p>Avoir sur la facture {orig} — retour partiel de marchandises.</p>"
    else:
        extra = (
            f"<p>Veuillez utiliser la communication suivante pour votre paiement : <b>{e(num_)}</b></p>"
            f"<p>Conditions de paiement : {(due - issue).days} jours</p>"
        )
    body = f"""
<div class=hdr><div class=logo>{e(s.name.replace(" " + s.form, "").replace(s.form + " ", ""))}</div>
<div class=co><b>{e(s.name)}</b><br>{br(s.addr)}<br>France</div></div>
<div class=partner><b>{e(buyer.name)}</b><br>{br(buyer.addr)}<br>France<br>{"<br>".join(pid)}</div>
<h2>{title} {e(num_)}</h2>
<div class=info>{infoh}</div>
<table class=lines><tr><th>Description</th><th class=r>Quantité</th><th class=r>Prix unitaire</th><th>Taxes</th><th class=r>Montant</th></tr>{rows}</table>
<table class=tot><tr class=b><td>Montant hors taxes</td><td class=v>{frn(doc.ht)}\u00a0€</td></tr>{taxes}
<tr class=b><td>Total</td><td class=v>{frn(doc.ttc)}\u00a0€</td></tr></table>
{extra}
<div class=foot>{e(s.phone)} | {e(s.email)} | TVA : {s.vat} | SIRET : {s.siret}<br>Page 1 / 1</div>"""
    return doc, page(ODOO_CSS, body)


QB_CSS = """
body { font-family: 'Liberation Sans'; font-size: 8.5pt; color: #393a3d; }
.title { font-size: 22pt; color: #2ca01c; letter-spacing: 1px; margin-bottom: 2mm; }
.co { margin-bottom: 6mm; line-height: 1.4; }
.band { display: flex; gap: 8mm; } .band > div { flex: 1; } .band h4 { margin: 0 0 1mm 0; font-size: 7.5pt; color: #6b6c72; }
table.meta td { padding: 1px 4px; } table.meta td.l { font-weight: bold; font-size: 7.5pt; color: #6b6c72; text-align: right; }
table.cf { margin-top: 5mm; } table.cf th { font-size: 7.5pt; color: #6b6c72; text-align: left; padding-right: 12mm; } table.cf td { padding-right: 12mm; }
table.lines { width: 100%; margin-top: 5mm; } table.lines th { background: #e6f4e4; color: #2ca01c; font-size: 7.5pt; text-align: left; padding: 4px; }
table.lines td { padding: 4px; border-bottom: 1px dotted #c9c9c9; } .r { text-align: right !important; }
.totals { margin: 4mm 0 0 auto; width: 80mm; } .totals td { padding: 2px 4px; } .totals td.v { text-align: right; }
.totals tr.due td { font-size: 12pt; font-weight: bold; border-top: 1px solid #393a3d; padding-top: 3px; }
.vs { margin-top: 8mm; } .vs h4 { margin: 0; font-size: 8pt; } .vs table td, .vs table th { padding: 2px 10px 2px 0; text-align: right; }
.vs table th { font-size: 7.5pt; color: #6b6c72; }
"""


def build_quickbooks(rng, names, i):
    irish = i == 2
    credit = i == 3
    if irish:
        seller = foreign_party(rng, names, IE_COMPANIES, "Ireland", "IE")
        buyer = foreign_party(rng, names, IE_COMPANIES, "Ireland", "IE")
        cur, sym = "EUR", "€"
    else:
        seller = foreign_party(rng, names, UK_COMPANIES, "United Kingdom", "GB")
        buyer = foreign_party(rng, names, UK_COMPANIES, "United Kingdom", "GB")
        cur, sym = "GBP", "£"
    issue = rand_date(rng)
    terms = rng.choice([14, 30])
    due = None if credit else issue + dt.timedelta(days=terms)
    items_uk = [
        ("Consulting", "Technical consulting — day rate", 450, 780, 20, "few"),
        ("Design", "Brand identity design package", 900, 2400, 20, "one"),
        ("Printing", "Printed brochures A5, 16 pages (per 100)", 85, 160, 20, "int"),
        ("Hosting", "Managed hosting — monthly fee", 40, 160, 20, "few"),
        ("Books", "Reference handbook (zero-rated)", 12, 45, 0, "int"),
        ("Support", "Support hours", 55, 95, 20, "hours"),
        ("Travel", "Travel and subsistence", 60, 240, 20, "one"),
    ]
    items_ie = [
        ("Software", "Annual subscription — Corrib Cloud", 600, 2400, 23, "one"),
        ("Training", "On-site training day", 550, 900, 23, "few"),
        ("Catering", "Catering for training day", 120, 380, 13.5, "one"),
        ("Consulting", "Implementation consulting", 85, 140, 23, "hours"),
        ("Repairs", "Equipment repair and servicing", 90, 450, 13.5, "one"),
    ]
    cat = items_ie if irish else items_uk
    lines = []
    for act, desc, lo, hi, rate, qk in rng.sample(cat, rng.randint(2, 4)):
        ln = make_line(rng, (desc, "", lo, hi, rate, qk))
        ln.code = act
        lines.append(ln)
    show = {"seller_vat"} | ({"buyer_vat"} if i in (1, 2) else set())
    po = invoice_no(rng, "PO-{n5:05d}", issue) if i in (0, 2) else None
    doc = Doc(
        "quickbooks",
        "credit_note" if credit else "invoice",
        str(rng.randint(1001, 1999)),
        issue,
        due,
        cur,
        seller,
        buyer,
        lines,
        po=po,
        show=show,
    )

    def m(x):
        return f"{sym}{en(x)}"

    dfmt = d_slash
    title = "CREDIT NOTE" if credit else "INVOICE"
    meta = [(f"{title} NO.", doc.number), ("DATE", dfmt(issue))]
    if due:
        meta += [("DUE DATE", dfmt(due)), ("TERMS", f"Net {terms}")]
    metah = "".join(f"<tr><td class=l>{a}</td><td>{e(b)}</td></tr>" for a, b in meta)
    cf = ""
    if po:
        cf = (
            f"<table class=cf><tr><th>P.O. NUMBER</th><th>SALES REP</th></tr>"
            f"<tr><td>{e(po)}</td><td>{rng.choice(['JH', 'AK', 'MB'])}</td></tr></table>"
        )
    rows = "".join(
        f"<tr><td>{dfmt(issue)}</td><td><b>{e(ln.code)}</b></td><td>{e(ln.desc)}</td>"
        f"<td class=r>{qty_en(ln.qty)}</td><td class=r>{en(ln.price)}</td><td class=r>{en(ln.amount)}</td>"
        f"<td>{rate_en(ln.rate)}% {'S' if ln.rate else 'Z'}</td></tr>"
        for ln in lines
    )
    vs = "".join(
        f"<tr><td>VAT @ {rate_en(r)}%</td><td>{en(a)}</td><td>{en(b)}</td></tr>" for r, b, a in doc.breakdown
    )
    bvat = f"<br>VAT No. {vat_sp(buyer.vat)}" if "buyer_vat" in show else ""
    s = seller
    due_label = "TOTAL CREDIT" if credit else "BALANCE DUE"
    body = f"""
<div class=title>{title}</div>
<div class=co><b>{e(s.name)}</b><br>{br(s.addr)}<br>accounts@{s.name.split()[0].lower()}.{"ie" if irish else "co.uk"}<br>VAT Registration No.: {vat_sp(s.vat)}</div>
<div class=band><div><h4>BILL TO</h4>{e(buyer.name)}<br>{br(buyer.addr)}{bvat}</div>
<div><h4>SHIP TO</h4>{e(buyer.name)}<br>{e(buyer.street)}<br>{e(buyer.zip)} {e(buyer.city)}</div>
<div><table class=meta>{metah}</table></div></div>
{cf}
<table class=lines><tr><th>DATE</th><th>ACTIVITY</th><th>DESCRIPTION</th><th class=r>QTY</th><th class=r>RATE</th><th class=r>AMOUNT</th><th>VAT</th></tr>{rows}</table>
<table class=totals><tr><td>SUBTOTAL</td><td class=v>{en(doc.ht)}</td></tr><tr><td>VAT TOTAL</td><td class=v>{en(doc.tva)}</td></tr>
<tr><td>TOTAL</td><td class=v>{en(doc.ttc)}</td></tr><tr class=due><td>{due_label}</td><td class=v>{m(doc.ttc)}</td></tr></table>
<div class=vs><h4>VAT SUMMARY</h4><table><tr><th style="text-align:left">RATE</th><th>VAT</th><th>NET</th></tr>{vs}</table></div>
<p style="margin-top:8mm;font-size:7.5pt">{"Please pay by bank transfer to " + ("IBAN IE29 AIBK 9311 5212 3456 78" if irish else "Sort code 20-45-77, Account 43917265") + ". Thank you for your business." if not credit else "This credit has been applied to your account."}</p>"""
    return doc, page(QB_CSS, body, "en")


PL_CSS = """
body { font-family: 'DejaVu Sans'; font-size: 8.3pt; color: #1f2937; }
.top { display: flex; justify-content: space-between; align-items: flex-start; }
.brand { font-size: 13pt; font-weight: bold; } h1 { font-size: 18pt; margin: 0; font-weight: normal; color: #4f46e5; }
table.kv td { padding: 2px 0 2px 10mm; } table.kv td.l { color: #6b7280; padding-left: 0; }
.cards { display: flex; gap: 6mm; margin-top: 8mm; } .card { flex: 1; background: #f3f4f6; border-radius: 6px; padding: 3mm 4mm; }
.card .h { font-size: 7pt; color: #6b7280; text-transform: uppercase; margin-bottom: 1mm; }
table.lines { width: 100%; margin-top: 8mm; } table.lines th { color: #6b7280; font-weight: normal; font-size: 7.5pt; text-align: left; border-bottom: 1px solid #d1d5db; padding: 4px; }
table.lines td { padding: 5px 4px; border-bottom: 1px solid #f0f0f0; } .r { text-align: right !important; }
table.tot { margin: 5mm 0 0 auto; width: 75mm; } table.tot td { padding: 3px 0; } table.tot td.v { text-align: right; }
table.tot tr.g td { font-weight: bold; font-size: 10.5pt; border-top: 1px solid #1f2937; padding-top: 5px; }
.pay { margin-top: 10mm; font-size: 7.8pt; background: #eef2ff; padding: 3mm 4mm; border-radius: 6px; }
.foot { position: fixed; bottom: 0; left: 0; right: 0; text-align: center; font-size: 7pt; color: #6b7280; }
"""


def build_pennylane(rng, names, i):
    seller = french_party(rng, names, "brand_form_first" if i % 2 else "brand")
    buyer = french_party(rng, names)
    issue = rand_date(rng)
    due = issue + dt.timedelta(days=rng.choice([15, 30]))
    cat = (
        CAT_SERVICES
        if i != 2
        else [*CAT_SERVICES[:3], ("Ouvrage « Guide pratique de la paie »", "u", 25, 60, 5.5, "int")]
    )
    lines = pick_lines(rng, cat, rng.randint(1, 4))
    show = {"seller_siren", "seller_vat", "buyer_siren"} | ({"buyer_vat"} if i != 3 else set())
    po = invoice_no(rng, "PO{y}{n4:04d}", issue) if i in (1, 2) else None
    doc = Doc(
        "pennylane",
        "invoice",
        invoice_no(rng, "F-{y}-{n3:03d}", issue),
        issue,
        due,
        "EUR",
        seller,
        buyer,
        lines,
        po=po,
        show=show,
    )
    dfmt = d_fr_abbr if i % 2 else d_slash
    mf = frn if i in (0, 3) else fr
    kv = [("Numéro de facture", doc.number), ("Date d'émission", dfmt(issue)), ("Date d'échéance", dfmt(due))]
    if po:
        kv.append(("Bon de commande", po))
    kvh = "".join(f"<tr><td class=l>{e(a)}</td><td>{e(b)}</td></tr>" for a, b in kv)
    rows = "".join(
        f"<tr><td>{e(ln.desc)}</td><td class=r>{qty_fr(ln.qty)}</td><td class=r>{mf(ln.price)} €</td>"
        f"<td class=r>{rate_fr(ln.rate)} %</td><td class=r>{mf(ln.amount)} €</td></tr>"
        for ln in lines
    )
    taxes = "".join(
        f"<tr><td>TVA {rate_fr(r)} %{f' (base {mf(b)} €)' if len(doc.breakdown) > 1 else ''}</td>"
        f"<td class=v>{mf(a)} €</td></tr>"
        for r, b, a in doc.breakdown
    )
    s = seller
    bid = [f"SIREN {buyer.siren}", *([f"TVA {buyer.vat}"] if "buyer_vat" in show else [])]
    body = f"""
<div class=top><div class=brand>{e(s.name)}</div><div style="text-align:right"><h1>Facture</h1><table class=kv>{kvh}</table></div></div>
<div class=cards><div class=card><div class=h>Émetteur</div><b>{e(s.name)}</b><br>{br(s.addr)}<br>{e(s.email)}</div>
<div class=card><div class=h>Facturé à</div><b>{e(buyer.name)}</b><br>{br(buyer.addr)}<br>{"<br>".join(bid)}</div></div>
<table class=lines><tr><th>Description</th><th class=r>Qté</th><th class=r>Prix unitaire HT</th><th class=r>TVA</th><th class=r>Montant HT</th></tr>{rows}</table>
<table class=tot><tr><td>Total HT</td><td class=v>{mf(doc.ht)} €</td></tr>{taxes}<tr><td>Total TTC</td><td class=v>{mf(doc.ttc)} €</td></tr>
<tr class=g><td>Montant à payer</td><td class=v>{mf(doc.ttc)} €</td></tr></table>
<div class=pay><b>Informations de paiement</b><br>Virement bancaire — IBAN FR76 1695 8000 01{rng.randint(10, 99)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)} {rng.randint(100, 999)} — BIC QNTOFRP1XXX<br>
Indiquez la référence {e(doc.number)} dans le libellé du virement. Pénalités de retard : 3 fois le taux d'intérêt légal ; indemnité forfaitaire de 40 € pour frais de recouvrement.</div>
<div class=foot>{e(s.name)} · {e(s.form)} au capital de {e(s.capital)} € · SIREN {s.siren} · RCS {e(s.city)} · TVA intracommunautaire {s.vat}</div>"""
    return doc, page(PL_CSS, body)


SAP_CSS = """
body { font-family: 'Liberation Sans'; font-size: 8.5pt; }
.sender { font-size: 6.5pt; text-decoration: underline; margin-top: 22mm; }
.wrap { display: flex; justify-content: space-between; }
.addr { width: 85mm; margin-top: 2mm; line-height: 1.35; }
.logo { text-align: right; font-size: 12pt; font-weight: bold; }
table.info td { padding: 0 0 1px 0; } table.info td.l { width: 32mm; }
h2 { font-size: 12pt; margin: 10mm 0 3mm 0; }
table.items { width: 100%; font-family: 'Liberation Mono'; font-size: 7.8pt; }
table.items th { border-bottom: 1px solid #000; text-align: left; padding: 2px; font-weight: normal; }
table.items td { padding: 2px; vertical-align: top; } .r { text-align: right !important; }
table.sum { margin: 4mm 0 0 auto; font-family: 'Liberation Mono'; font-size: 8pt; } table.sum td { padding: 1px 3mm; } table.sum td.v { text-align: right; }
table.sum tr.t td { border-top: 1px solid #000; font-weight: bold; }
.foot { position: fixed; bottom: 0; left: 0; right: 0; font-size: 6.5pt; display: flex; justify-content: space-between; border-top: 1px solid #000; padding-top: 1mm; }
"""


def build_sap(rng, names, i):
    name, street, z, city, country, cc = names.pick(EU_SAP_SELLERS)
    seller = Party(name=name, street=street, zip=z, city=city, country=country, vat=gen_vat(rng, cc))
    if i == 0:
        buyer = french_party(rng, names)
        buyer.country = "France"
    else:
        bn, bs, bz, bc, bco, bcc = names.pick(EU_BUYERS)
        buyer = Party(name=bn, street=bs, zip=bz, city=bc, country=bco, vat=gen_vat(rng, bcc))
    issue = rand_date(rng)
    due = issue + dt.timedelta(days=30) if i != 2 else None
    mats = [
        ("Deep groove ball bearing 6204-2RS", "PC", 3.5, 9.8, 0, "big"),
        ('Hydraulic hose assembly 1/2" x 2000 mm', "PC", 24, 61, 0, "int"),
        ("Helical gear motor 0.75 kW i=20", "PC", 380, 920, 0, "few"),
        ("Coupling flange DN80 PN16", "PC", 48, 110, 0, "int"),
        ("Proximity sensor M18 PNP NO", "PC", 19, 44, 0, "int"),
        ("Service technician (on site)", "H", 68, 98, 0, "hours"),
        ("Freight and packaging", "LE", 45, 260, 0, "one"),
    ]
    lines = []
    for it in rng.sample(mats, rng.randint(3, 5)):
        ln = make_line(rng, it, code=f"{rng.randint(100000, 999999)}")
        lines.append(ln)
    show = {"seller_vat", "buyer_vat"}
    po = f"45{rng.randint(10000000, 99999999)}"
    doc = Doc(
        "sap",
        "invoice",
        f"9{rng.randint(1000000, 9999999)}",
        issue,
        due,
        "EUR",
        seller,
        buyer,
        lines,
        po=po,
        show=show,
    )
    od = issue - dt.timedelta(days=rng.randint(5, 40))
    info = [
        ("Invoice", ""),
        ("Number", doc.number),
        ("Date", d_dot(issue)),
        ("Customer number", str(rng.randint(100000, 199999))),
        ("Your order", po),
        ("Order date", d_dot(od)),
        ("Delivery note", f"80{rng.randint(100000, 999999)}"),
        ("Your VAT ID", buyer.vat),
        ("Our VAT ID", seller.vat),
    ]
    infoh = "".join(f"<tr><td class=l>{e(a)}</td><td>{e(b)}</td></tr>" for a, b in info)
    rows = "".join(
        f"<tr><td>{(k + 1) * 10:06d}</td><td>{e(ln.code)}</td><td>{e(ln.desc)}</td><td class=r>{num(ln.qty, '.', ',', 3)}</td>"
        f"<td>{ln.unit}</td><td class=r>{de_(ln.price)}</td><td class=r>{de_(ln.amount)}</td></tr>"
        for k, ln in enumerate(lines)
    )
    if due:
        terms = f"Terms of payment: within 30 days net, due on {d_dot(due)}."
    else:
        terms = "Terms of payment: within 14 days 2 % discount, within 30 days net."
    s = seller
    body = f"""
<div class=wrap><div><div class=sender>{e(s.name)} · {e(s.street)} · {e(s.zip)} {e(s.city)}</div>
<div class=addr>{e(buyer.name)}<br>Accounts Payable<br>{br(buyer.addr)}</div></div>
<div><div class=logo>{e(s.name.split()[0].upper())}</div><br><table class=info>{infoh}</table></div></div>
<h2>Invoice {e(doc.number)}</h2>
<p>We invoice the following deliveries according to your order {e(po)} of {d_dot(od)}.</p>
<table class=items><tr><th>Item</th><th>Material</th><th>Description</th><th class=r>Quantity</th><th>UoM</th><th class=r>Price/Unit</th><th class=r>Net value</th></tr>{rows}</table>
<table class=sum><tr><td>Total net value</td><td class=v>{de_(doc.ht)} EUR</td></tr>
<tr><td>VAT 0,00 % on {de_(doc.ht)}</td><td class=v>{de_(doc.tva)} EUR</td></tr>
<tr class=t><td>Total amount</td><td class=v>{de_(doc.ttc)} EUR</td></tr></table>
<p>Intra-Community supply exempt from VAT, reverse charge: VAT to be accounted for by the recipient (Art. 138 and 196, Council Directive 2006/112/EC).</p>
<p>{terms}<br>Incoterms 2020: DAP {e(buyer.city)}</p>
<div class=foot><div>{e(s.name)}<br>{e(s.street)}<br>{e(s.zip)} {e(s.city)}, {e(s.country)}</div>
<div>Managing directors: K. {rng.choice(["Brenner", "Vos", "Janssens", "Weber"])}, M. {rng.choice(["Schulz", "Peeters", "de Vries"])}<br>Registered office: {e(s.city)}</div>
<div>VAT ID: {s.vat}<br>IBAN DE{rng.randint(10, 99)} 6005 0101 000{rng.randint(1000000, 9999999)}<br>BIC SOLADEST600</div></div>"""
    return doc, page(SAP_CSS, body, "en")


ART_CSS = """
body { font-family: 'Breip'; font-size: 12.5pt; color: #1a237e; }
.paper { background: repeating-linear-gradient(#fff 0, #fff 7.4mm, #c5cae9 7.4mm, #c5cae9 7.6mm); min-height: 265mm; padding: 2mm 4mm; }
.pr { font-family: 'Liberation Sans'; color: #b71c1c; font-size: 8pt; }
.hdr { display: flex; justify-content: space-between; }
.stamp { border: 2px solid #1a237e; padding: 2mm 3mm; font-family: 'Liberation Sans'; font-size: 8pt; color: #1a237e; width: 80mm; transform: rotate(-1.5deg); }
.stamp b { font-size: 10pt; }
h1 { font-family: 'Liberation Sans'; color: #b71c1c; font-size: 16pt; margin: 0; }
table.t { width: 100%; margin-top: 4mm; } table.t th { font-family: 'Liberation Sans'; color: #b71c1c; font-size: 8pt; border-bottom: 1px solid #b71c1c; text-align: left; }
table.t td { height: 7.6mm; padding: 0 2mm; } .r { text-align: right !important; }
table.tot { margin-left: auto; } table.tot td { padding: 0 3mm; height: 7.6mm; }
"""


def build_artisan(rng, names, i):
    seller = french_party(rng, names, "trade")
    surname = seller.name.split()[1]
    trade = rng.choice(["Plomberie", "Plomberie Chauffage", "Sanitaire Chauffage"])
    seller.name = f"{trade} {surname}" + ("" if i == 2 else f" {seller.form}")
    franchise = i == 2
    company_buyer = i == 1
    if company_buyer:
        buyer = french_party(rng, names)
        buyer.name = f"SCI {rng.choice(['Les Tilleuls', 'du Parc', 'Bellevue', 'Les Acacias'])}"
    else:
        buyer = Party(
            name=rng.choice(INDIVIDUALS), street=rng.choice(FR_STREETS), zip=seller.zip, city=seller.city
        )
    issue = rand_date(rng)
    due = issue + dt.timedelta(days=30) if i in (1, 3) else None
    lines = pick_lines(rng, CAT_WORKS, rng.randint(3, 5))
    if franchise:
        for ln in lines:
            ln.rate = D(0)
    show = {"seller_siret"} | (set() if franchise else {"seller_vat"})
    if company_buyer:
        show |= {"buyer_siren"}
    ref = None
    po = None
    doc = Doc(
        "artisan",
        "invoice",
        f"{issue.year}-{rng.randint(5, 140)}",
        issue,
        due,
        "EUR",
        seller,
        buyer,
        lines,
        po=po,
        buyer_ref=ref,
        show=show,
    )
    deposit = q2(doc.ttc * D("0.3")) if i in (0, 3) else None
    rows = "".join(
        f"<tr><td>{e(ln.desc)}</td><td class=r>{qty_fr(ln.qty)}</td><td class=r>{fr(ln.price)}</td>"
        + ("" if franchise else f"<td class=r>{rate_fr(ln.rate)} %</td>")
        + f"<td class=r>{fr(ln.amount)} €</td></tr>"
        for ln in lines
    )
    rows += "<tr><td></td><td></td><td></td>" + ("" if franchise else "<td></td>") + "<td></td></tr>" * 3
    tot = [("Total HT", f"{fr(doc.ht)} €")]
    if franchise:
        tot.append(("TVA (0 %)", "0,00 €"))
    else:
        for r, b, a in doc.breakdown:
            tot.append((f"TVA {rate_fr(r)} % sur {fr(b)} €", f"{fr(a)} €"))
    tot.append(("Total TTC", f"{fr(doc.ttc)} €"))
    if deposit is not None:
        dd = issue - dt.timedelta(days=rng.randint(10, 40))
        tot.append((f"Acompte versé le {d_slash(dd)}", f"- {fr(deposit)} €"))
        tot.append(("Reste à payer", f"{fr(doc.ttc - deposit)} €"))
    toth = "".join(f"<tr><td>{e(a)}</td><td class=r>{e(b)}</td></tr>" for a, b in tot)
    s = seller
    vat_line = "TVA non applicable, art. 293 B du CGI" if franchise else f"TVA intracom. {vat_sp(s.vat)}"
    if franchise:
        s.form = "EI"
    bline = ""
    if company_buyer:
        bline = f"<br>SIREN {siren_sp(buyer.siren)}"
    cond = f"Échéance : {d_slash(due)}" if due else "Payable à réception de facture"
    ins = f"Assurance décennale {rng.choice(['MAAF', 'SMABTP', 'AXA'])} — contrat n° {rng.randint(100, 999)} {rng.randint(1000, 9999)} {rng.randint(10, 99)}"
    body = f"""<div class=paper>
<div class=hdr><div class=stamp><b>{e(s.name)}</b><br>{"Entrepreneur individuel" if franchise else "Artisan — inscrit au Répertoire des métiers"}<br>{br(s.addr)}<br>
Tél. {e(s.phone)}<br>SIRET {siret_sp(s.siret)}<br>{e(vat_line)}</div>
<div style="text-align:right"><h1>FACTURE</h1><span class=pr>N°</span> {e(doc.number)}<br><span class=pr>Date :</span> {d_fr_long(issue)}</div></div>
<p><span class=pr>Client :</span> {e(buyer.name)}<br>{br(buyer.addr)}{bline}</p>
<p><span class=pr>Chantier :</span> {e(rng.choice(["salle de bains", "cuisine", "chaufferie", "rénovation appartement"]))} — {e(buyer.street)}</p>
<table class=t><tr><th>Désignation</th><th class=r>Qté</th><th class=r>P.U. HT</th>{"" if franchise else "<th class=r>TVA</th>"}<th class=r>Montant HT</th></tr>{rows}</table>
<table class=tot>{toth}</table>
<p>{e(cond)}. {"" if franchise else "Taux réduit de 10 % : travaux d’amélioration d’un local d’habitation achevé depuis plus de deux ans."}</p>
<p class=pr>{e(vat_line if franchise else "")} — Pénalités de retard : 3 fois le taux d'intérêt légal — indemnité forfaitaire de recouvrement 40 € (clients professionnels). {e(ins)}</p>
<p style="text-align:right">Fait à {e(s.city)}, le {d_fr_long(issue)}</p></div>"""
    return doc, page(ART_CSS, body)


UT_CSS = """
body { font-family: 'Liberation Sans Narrow'; font-size: 9pt; color: #102a43; }
.hdr { display: flex; justify-content: space-between; align-items: flex-start; }
.brand { font-size: 20pt; font-weight: bold; color: #00875a; } .brand small { display: block; font-size: 8pt; color: #102a43; font-weight: normal; }
.box { border: 1px solid #00875a; border-radius: 4px; padding: 2mm 3mm; width: 82mm; }
.big { background: #00875a; color: #fff; border-radius: 4px; padding: 3mm 4mm; margin-top: 5mm; display: flex; justify-content: space-between; align-items: center; }
.big .amt { font-size: 20pt; font-weight: bold; }
.cust { margin: 5mm 0 0 100mm; line-height: 1.4; }
h3 { color: #00875a; border-bottom: 2px solid #00875a; margin: 6mm 0 2mm 0; font-size: 11pt; }
table.d { width: 100%; } table.d th { background: #e3f4ec; text-align: left; padding: 3px; font-size: 8pt; } table.d td { padding: 3px; border-bottom: 1px solid #e0e0e0; }
.r { text-align: right !important; }
table.s { margin-left: auto; width: 90mm; } table.s td { padding: 2px 3px; } table.s td.v { text-align: right; } table.s tr.b td { font-weight: bold; border-top: 1px solid #102a43; }
.legal { position: fixed; bottom: 0; font-size: 6.5pt; color: #555; }
"""


def build_utility(rng, names, i):
    sname = ["Énergies du Rhône SA", "Gaz et Lumière de l'Ouest SA", "Régie Électrique Alpine SEM"][i]
    siren = gen_siren(rng)
    seller = Party(
        name=sname,
        street=rng.choice(FR_STREETS),
        zip="69002" if i == 0 else "44000",
        city="Lyon" if i == 0 else "Nantes",
        siren=siren,
        siret=gen_siret(rng, siren),
        vat=fr_vat_of(siren),
        capital=fr(D(rng.randint(2, 90) * 1000000)).replace(",00", ""),
    )
    business = i == 1
    if business:
        buyer = french_party(rng, names, "trade")
    else:
        buyer = Party(
            name=rng.choice(INDIVIDUALS),
            street=rng.choice(FR_STREETS),
            zip=rng.choice(FR_CITIES)[0],
            city=rng.choice(FR_CITIES)[1],
        )
    issue = rand_date(rng)
    due = issue + dt.timedelta(days=rng.choice([14, 15, 21]))
    start = (issue.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    end = issue.replace(day=1) - dt.timedelta(days=1)
    kwh = D(rng.randint(180, 2400 if business else 900))
    price = D(rng.randint(1800, 2700)) / 10000
    lines = [
        Line(
            f"Abonnement du {d_slash(start)} au {d_slash(end)}",
            D(1),
            "mois",
            money(rng, 12, 48),
            D("5.5"),
            D(0),
        ),
        Line(
            f"Consommation {'gaz' if i == 1 else 'électricité'} — {kwh} kWh", kwh, "kWh", price, D(20), D(0)
        ),
        Line("Contribution tarifaire d'acheminement (CTA)", D(1), "", money(rng, 2, 9), D("5.5"), D(0)),
        Line("Accise sur l'énergie", kwh, "kWh", D("0.0225"), D(20), D(0)),
    ]
    for ln in lines:
        ln.amount = q2(ln.qty * ln.price)
    show = {"seller_siren", "seller_vat"} | ({"buyer_siret"} if business else set())
    doc = Doc(
        "utility",
        "invoice",
        f"{rng.randint(10, 99)}{rng.randint(10000000, 99999999)}",
        issue,
        due,
        "EUR",
        seller,
        buyer,
        lines,
        show=show,
    )
    num_sp = f"{doc.number[:2]} {doc.number[2:5]} {doc.number[5:8]} {doc.number[8:]}"
    pdl = not_luhn(rng, 14)
    client_no = not_luhn(rng, 10)
    rows = "".join(
        f"<tr><td>{e(ln.desc)}</td><td class=r>{qty_fr(ln.qty) if ln.unit else ''} {e(ln.unit)}</td>"
        f"<td class=r>{num(ln.price, ' ', ',', 4) if ln.unit == 'kWh' else frb(ln.price)}</td><td class=r>{frb(ln.amount)} €</td><td class=r>{rate_fr(ln.rate)} %</td></tr>"
        for ln in lines
    )
    taxes = "".join(
        f"<tr><td>TVA à {rate_fr(r)} % sur {frb(b)} €</td><td class=v>{frb(a)} €</td></tr>"
        for r, b, a in doc.breakdown
    )
    pay_word = "Prélevé le" if i != 1 else "À payer avant le"
    s = seller
    bid = f"<br>SIRET {siret_sp(buyer.siret)}" if business else ""
    body = f"""
<div class=hdr><div class=brand>{e(s.name.rsplit(" ", 1)[0])}<small>{e(s.name)} — Service clients 09 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}</small></div>
<div class=box>Votre facture <b>n° {num_sp}</b> du {d_slash(issue)}<br>N° client : {client_no}<br>Contrat : {"Pro Multisite" if business else "Tarif Bleu Résidentiel"} — {rng.choice([6, 9, 12, 36])} kVA<br>
Point de livraison (PDL) : {pdl}</div></div>
<div class=cust><b>{e(buyer.name)}</b><br>{br(buyer.addr)}{bid}</div>
<div class=big><div>Montant TTC de cette facture<br><span style="font-size:8pt">Période du {d_slash(start)} au {d_slash(end)}</span></div><div class=amt>{frb(doc.ttc)} €</div>
<div>{pay_word}<br><b style="font-size:12pt">{d_slash(due)}</b></div></div>
<h3>Détail de votre facture</h3>
<table class=d><tr><th>Libellé</th><th class=r>Quantité</th><th class=r>Prix unitaire HT</th><th class=r>Montant HT</th><th class=r>TVA</th></tr>{rows}</table>
<table class=s><tr><td>Total hors TVA</td><td class=v>{frb(doc.ht)} €</td></tr>{taxes}<tr><td>Total TVA</td><td class=v>{frb(doc.tva)} €</td></tr>
<tr class=b><td>Total TTC</td><td class=v>{frb(doc.ttc)} €</td></tr></table>
<p style="font-size:8pt">Votre consommation sur les 12 derniers mois : {rng.randint(2000, 9000)} kWh. Prochaine facture vers le {d_slash(issue + dt.timedelta(days=31))}.
En cas de retard de paiement, des pénalités peuvent être appliquées. Médiateur national de l'énergie : www.energie-mediateur.fr</p>
<div class=legal>{e(s.name)} au capital de {e(s.capital)} euros — {siren_sp(s.siren)} R.C.S. {e(s.city)} — Siège social : {e(s.street)}, {e(s.zip)} {e(s.city)} — N° TVA intracommunautaire : {s.vat}</div>"""
    return doc, page(UT_CSS, body)


PUB_CSS = """
body { font-family: 'Liberation Serif'; font-size: 10pt; }
.hdr { display: flex; justify-content: space-between; }
.dest { border: 1px solid #000; padding: 3mm; width: 90mm; margin-top: 4mm; }
.dest .t { font-weight: bold; text-decoration: underline; }
h1 { text-align: center; font-size: 15pt; margin: 7mm 0 2mm; letter-spacing: 2px; }
.meta { text-align: center; margin-bottom: 5mm; }
table.l { width: 100%; } table.l th, table.l td { border: 1px solid #000; padding: 3px 5px; } table.l th { background: #eee; }
.r { text-align: right !important; }
table.t { margin: 4mm 0 0 auto; } table.t td { border: 1px solid #000; padding: 3px 8px; }
.foot { position: fixed; bottom: 0; left: 0; right: 0; font-size: 7.5pt; text-align: center; }
"""


def build_public(rng, names, i):
    seller = french_party(rng, names)
    pname = names.pick([(n,) for n in PUBLIC_BUYERS])[0]
    psiren = gen_siren(rng, 2)
    buyer = Party(
        name=pname,
        street=rng.choice(
            [
                "Hôtel de Ville, place Lazare-Goujon",
                "2 rue du Thabor",
                "900 route de Paris",
                "Esplanade Charles-de-Gaulle",
                "1 rue Sainte-Catherine",
            ]
        ),
        zip=rng.choice(FR_CITIES)[0],
        city=rng.choice(FR_CITIES)[1],
        siren=psiren,
        siret=gen_siret(rng, psiren),
    )
    issue = rand_date(rng)
    due = issue + dt.timedelta(days=30)
    lines = pick_lines(rng, CAT_GOODS + CAT_SERVICES, rng.randint(2, 5))
    show = {"seller_siret", "seller_vat", "buyer_siret"}
    service = rng.choice(["FIN-MARCHES", "DSI-ACHATS", "SERV-TECH-01", "BIBLIO", "DRH-FORMATION"])
    engagement = f"{rng.choice(['EJ', '13', ''])}{rng.randint(10000000, 99999999)}"
    doc = Doc(
        "public",
        "invoice",
        invoice_no(rng, "{y}-{n4:04d}", issue),
        issue,
        due,
        "EUR",
        seller,
        buyer,
        lines,
        po=engagement,
        buyer_ref=service,
        show=show,
    )
    rows = "".join(
        f"<tr><td>{e(ln.desc)}</td><td class=r>{qty_fr(ln.qty)}</td><td class=r>{fr(ln.price)}</td>"
        f"<td class=r>{fr(ln.amount)}</td></tr>"
        for ln in lines
    )
    s = seller
    marche = f"Marché n° {issue.year - 1}-{rng.randint(10, 180):03d} — lot n° {rng.randint(1, 6)}"
    body = f"""
<div class=hdr><div><b style="font-size:13pt">{e(s.name)}</b><br>{br(s.addr)}<br>Tél. {e(s.phone)}<br>SIRET : {s.siret}<br>N° TVA intracommunautaire : {s.vat}</div>
<div class=dest><span class=t>Destinataire</span><br><b>{e(buyer.name)}</b><br>{br(buyer.addr)}<br>SIRET : {buyer.siret}<br>
Code service : <b>{e(service)}</b><br>N° d'engagement : <b>{e(engagement)}</b><br><small>Facture déposée sur Chorus Pro</small></div></div>
<h1>FACTURE N° {e(doc.number)}</h1>
<div class=meta>Date d'émission : {d_slash(issue)} — Date d'échéance : {d_slash(due)}<br>{e(marche)}</div>
<table class=l><tr><th>Désignation</th><th>Quantité</th><th>Prix unitaire HT (€)</th><th>Montant HT (€)</th></tr>{rows}</table>
<table class=t><tr><td>Montant total HT</td><td class=r>{fr(doc.ht)} €</td></tr>
{"".join(f"<tr><td>TVA {rate_fr(r)} %</td><td class=r>{fr(a)} €</td></tr>" for r, b, a in doc.breakdown)}
<tr><td><b>Montant total TTC</b></td><td class=r><b>{fr(doc.ttc)} €</b></td></tr></table>
<p>Arrêtée la présente facture à la somme de {fr(doc.ttc)} euros TTC.</p>
<p style="font-size:8.5pt">Paiement par virement administratif — délai global de paiement de 30 jours (article R. 2192-10 du code de la commande publique).
En cas de retard, intérêts moratoires au taux de la BCE majoré de 8 points et indemnité forfaitaire de 40 €.<br>
Compte : IBAN FR76 1027 8073 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)} {rng.randint(100, 999)}</p>
<div class=foot>{e(s.name)} — {e(s.form)} au capital de {e(s.capital)} € — RCS {e(s.city)} {siren_sp(s.siren)}</div>"""
    return doc, page(PUB_CSS, body)


EXP_CSS = """
body { font-family: 'DejaVu Sans', sans-serif; font-stretch: condensed; font-size: 8pt; }
h1 { font-size: 16pt; margin: 0 0 4mm; text-align: center; border: 2px solid #000; padding: 2mm; }
.two { display: flex; } .two > div { flex: 1; border: 1px solid #000; padding: 2mm 3mm; min-height: 34mm; }
.two .h { font-size: 6.5pt; font-weight: bold; text-transform: uppercase; background: #eee; margin: -2mm -3mm 1mm; padding: 1mm 3mm; }
table.info { width: 100%; } table.info td { border: 1px solid #000; padding: 2px 4px; width: 25%; } table.info td.l { background: #f4f4f4; font-size: 7pt; }
table.items { width: 100%; margin-top: 4mm; } table.items th, table.items td { border: 1px solid #000; padding: 2px 4px; } table.items th { background: #eee; font-size: 7pt; }
.r { text-align: right !important; }
table.tot { margin: 3mm 0 0 auto; } table.tot td { border: 1px solid #000; padding: 2px 8px; } table.tot tr.g td { font-weight: bold; font-size: 10pt; }
"""


def build_export(rng, names, i):
    seller = french_party(rng, names)
    if i == 2:
        buyer = foreign_party(rng, names, UK_COMPANIES, "United Kingdom", "GB")
        cur, m = "GBP", (lambda x: f"£{en(x)}")
    else:
        buyer = foreign_party(rng, names, US_COMPANIES, "USA")
        cur, m = "USD", ((lambda x: f"${en(x)}") if i == 0 else (lambda x: f"USD {en(x)}"))
    issue = rand_date(rng)
    due = issue + dt.timedelta(days=rng.choice([30, 60]))
    goods = [
        ("Stainless steel ball valve DN50 PN16", "pcs", 85, 240, 0, "int"),
        ("Control unit CX-200 with firmware v4", "pcs", 900, 2600, 0, "few"),
        ("Spare parts kit for CX-200", "set", 120, 390, 0, "few"),
        ("Cognac VSOP 70 cl (case of 6)", "case", 140, 260, 0, "int"),
        ("Technical documentation (English)", "set", 40, 90, 0, "one"),
        ("Export packing and crating", "lot", 150, 480, 0, "one"),
        ("Leather handbag, ref. LUNA", "pcs", 210, 540, 0, "int"),
    ]
    lines = []
    for it in rng.sample(goods, rng.randint(2, 5)):
        ln = make_line(rng, it, code=f"{rng.randint(8400, 9600)}.{rng.randint(10, 99)}")
        lines.append(ln)
    show = {"seller_siret", "seller_vat"} | ({"buyer_vat"} if i == 2 else set())
    po = f"{rng.choice(['PO', 'P'])}{rng.randint(100000, 999999)}"
    ref = None
    doc = Doc(
        "export",
        "invoice",
        invoice_no(rng, "EXP-{yy}-{n4:04d}", issue),
        issue,
        due,
        cur,
        seller,
        buyer,
        lines,
        po=po,
        buyer_ref=ref,
        show=show,
    )
    dfmt = d_iso if i != 1 else d_en_us
    info = [
        ("Invoice No.", doc.number),
        ("Invoice date", dfmt(issue)),
        ("Customer PO", po),
        ("Currency", cur),
        ("Payment terms", f"{(due - issue).days} days net"),
        ("Due date", dfmt(due)),
        ("Incoterms® 2020", f"FCA {seller.city}"),
        ("Country of origin", "France"),
    ]
    cells = "".join(
        f"<td class=l>{e(a)}</td><td>{e(b)}</td>" + ("</tr><tr>" if k % 2 else "")
        for k, (a, b) in enumerate(info)
    )
    rows = "".join(
        f"<tr><td>{e(ln.code)}</td><td>{e(ln.desc)}</td><td>FR</td><td class=r>{qty_en(ln.qty)}</td><td>{ln.unit}</td>"
        f"<td class=r>{en(ln.price)}</td><td class=r>{en(ln.amount)}</td></tr>"
        for ln in lines
    )
    s = seller
    bextra = (
        f"VAT No. {vat_sp(buyer.vat)}"
        if i == 2
        else f"EIN {rng.randint(10, 99)}-{rng.randint(1000000, 9999999)}"
    )
    weight = D(rng.randint(120, 9000)) / 10
    body = f"""
<h1>COMMERCIAL INVOICE</h1>
<div class=two><div><div class=h>Seller / Exporter</div><b>{e(s.name)}</b><br>{br(s.addr)}<br>FRANCE<br>SIRET {s.siret}<br>VAT No. {s.vat}<br>EORI FR{s.siret}</div>
<div><div class=h>Buyer / Consignee</div><b>{e(buyer.name)}</b><br>{br(buyer.addr)}<br>{e(bextra)}</div></div>
<table class=info><tr>{cells}</tr></table>
<table class=items><tr><th>HS code</th><th>Description of goods</th><th>Origin</th><th>Qty</th><th>Unit</th><th>Unit price ({cur})</th><th>Amount ({cur})</th></tr>{rows}</table>
<table class=tot><tr><td>Subtotal</td><td class=r>{m(doc.ht)}</td></tr><tr><td>VAT 0% (export)</td><td class=r>{m(doc.tva)}</td></tr>
<tr class=g><td>Total {cur}</td><td class=r>{m(doc.ttc)}</td></tr></table>
<p>VAT exempt — export of goods outside the European Union, article 262 I of the French General Tax Code (CGI).<br>
Gross weight: {num(weight, ",", ".", 1)} kg — Packages: {rng.randint(1, 12)}<br>
Bank: {rng.choice(["BNP Paribas", "Société Générale", "Crédit Agricole"])} — IBAN FR76 3000 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)} {rng.randint(100, 999)} — SWIFT BNPAFRPPXXX</p>
<p>We hereby certify that this invoice is true and correct and that the goods are of French origin.</p>"""
    return doc, page(EXP_CSS, body, "en")


MP_CSS = """
.bl { color: #555; }
body { font-family: 'Liberation Sans'; font-size: 8pt; }
.pg { height: 270mm; position: relative; page-break-after: always; } .pg:last-child { page-break-after: auto; }
.ph { display: flex; justify-content: space-between; border-bottom: 2px solid #333; padding-bottom: 2mm; margin-bottom: 3mm; }
.ph .n { font-size: 11pt; font-weight: bold; text-align: right; }
table.l { width: 100%; } table.l th { background: #333; color: #fff; padding: 2px 3px; font-size: 7pt; text-align: left; } table.l td { padding: 1.5px 3px; border-bottom: 1px solid #e4e4e4; }
.r { text-align: right !important; } tr.rep td { font-weight: bold; background: #f2f2f2; }
.buyer { margin: 3mm 0 4mm 100mm; border: 1px solid #999; padding: 2mm; }
table.rc td, table.rc th { border: 1px solid #333; padding: 2px 6px; } table.tt td { border: 1px solid #333; padding: 2px 8px; }
.pf { position: absolute; bottom: 0; left: 0; right: 0; font-size: 6.5pt; text-align: center; color: #444; }
"""


def build_multipage(rng, names, i):
    seller = french_party(rng, names, "brand")
    buyer = french_party(rng, names, "trade")
    issue = rand_date(rng)
    due = issue + dt.timedelta(days=rng.choice([30, 45]))
    n_lines = [48, 56, 40][i]
    cat = CAT_FOOD + CAT_GOODS
    lines = []
    for _ in range(n_lines):
        lines.append(make_line(rng, rng.choice(cat), code=f"{rng.randint(100000, 999999)}"))
    show = {"seller_siret", "seller_vat", "buyer_vat", "buyer_siren"}
    po = f"CMD-{issue.strftime('%y%m')}-{rng.randint(100, 999)}" if i != 1 else None
    ref = f"{rng.choice(['Magasin', 'Dépôt', 'Cuisine centrale'])} {rng.randint(1, 40)}" if i == 1 else None
    doc = Doc(
        "multipage",
        "invoice",
        invoice_no(rng, "F{yy}{m}-{n5:05d}", issue),
        issue,
        due,
        "EUR",
        seller,
        buyer,
        lines,
        po=po,
        buyer_ref=ref,
        show=show,
    )
    s = seller
    first_rows, other_rows = 26, 40
    chunks = [lines[:first_rows]]
    rest = lines[first_rows:]
    while rest:
        chunks.append(rest[:other_rows])
        rest = rest[other_rows:]
    # the last page needs room for the totals
    if len(chunks[-1]) > 24:
        last = chunks.pop()
        chunks += [last[: len(last) - 8], last[len(last) - 8 :]]
    npages = len(chunks)
    pages = []
    running = D(0)
    for p, chunk in enumerate(chunks):
        head = f"""<div class=ph><div><b style="font-size:12pt">{e(s.name)}</b><br>{br(s.addr)}</div>
<div class=n>FACTURE N° {e(doc.number)}<br><span style="font-weight:normal;font-size:8pt">du {d_slash(issue)} — Page {p + 1}/{npages}</span></div></div>"""
        if p == 0:
            refs = []
            if po:
                refs.append(f"Votre commande : {e(po)}")
            if ref:
                refs.append(f"Votre référence : {e(ref)}")
            head += (
                f"<div class=buyer><b>{e(buyer.name)}</b><br>{br(buyer.addr)}<br>SIREN {buyer.siren} — TVA {buyer.vat}</div>"
                f"<div>Échéance : {d_slash(due)} — Règlement : LCR directe — {' — '.join(refs)}</div>"
            )
        rows = ""
        if p > 0:
            rows += f"<tr class=rep><td></td><td>Report</td><td></td><td></td><td></td><td class=r>{fr(running)}</td></tr>"
        for k, ln in enumerate(chunk):
            if k % 12 == 0:
                rows += f"<tr><td></td><td class=bl>Bon de livraison BL{rng.randint(100000, 999999)} du {d_slash(issue - dt.timedelta(days=rng.randint(1, 25)))}</td><td></td><td></td><td></td><td></td></tr>"
            rows += (
                f"<tr><td>{e(ln.code)}</td><td>{e(ln.desc)}</td><td class=r>{qty_fr(ln.qty)}</td>"
                f"<td class=r>{fr(ln.price)}</td><td class=r>{rate_fr(ln.rate)}</td><td class=r>{fr(ln.amount)}</td></tr>"
            )
            running += ln.amount
        if p < npages - 1:
            rows += f"<tr class=rep><td></td><td>À reporter</td><td></td><td></td><td></td><td class=r>{fr(running)}</td></tr>"
        body = head + (
            "<table class=l><tr><th>Code</th><th>Désignation</th><th class=r>Qté</th><th class=r>P.U. HT</th>"
            f"<th class=r>TVA %</th><th class=r>Montant HT</th></tr>{rows}</table>"
        )
        if p == npages - 1:
            rc = "".join(
                f"<tr><td>{rate_fr(r)} %</td><td class=r>{fr(b)}</td><td class=r>{fr(a)}</td></tr>"
                for r, b, a in doc.breakdown
            )
            body += f"""<div style="display:flex;justify-content:space-between;margin-top:5mm">
<table class=rc><tr><th>Taux TVA</th><th>Base HT</th><th>Montant TVA</th></tr>{rc}</table>
<table class=tt><tr><td>Total HT</td><td class=r>{fr(doc.ht)} €</td></tr><tr><td>Total TVA</td><td class=r>{fr(doc.tva)} €</td></tr>
<tr><td><b>Total TTC</b></td><td class=r><b>{fr(doc.ttc)} €</b></td></tr></table></div>"""
        body += (
            f"<div class=pf>{e(s.name)} — {e(s.form)} au capital de {e(s.capital)} € — SIRET {siret_sp(s.siret)} — "
            f"TVA {s.vat} — Pénalités de retard : 3 fois le taux légal — Indemnité de recouvrement : 40 €</div>"
        )
        pages.append(f"<div class=pg>{body}</div>")
    return doc, page(MP_CSS, "".join(pages))


AV_CSS = """
body { font-family: 'DejaVu Serif'; font-size: 9.5pt; }
.hdr { display: flex; justify-content: space-between; }
h1 { font-size: 22pt; margin: 0; color: #8b1a1a; font-weight: normal; letter-spacing: 3px; }
.b { border: 1px solid #8b1a1a; padding: 2mm 3mm; margin: 6mm 0 0 auto; width: 85mm; }
table.l { width: 100%; margin-top: 7mm; } table.l th { border-bottom: 2px solid #8b1a1a; text-align: left; padding: 3px; } table.l td { padding: 3px; border-bottom: 1px solid #ddd; }
.r { text-align: right !important; }
table.t { margin: 5mm 0 0 auto; } table.t td { padding: 2px 8px; } table.t tr.g td { font-weight: bold; border-top: 2px solid #8b1a1a; }
.foot { position: fixed; bottom: 0; left: 0; right: 0; text-align: center; font-size: 7.5pt; }
"""


def build_avoir(rng, names, i):
    seller = french_party(rng, names)
    buyer = french_party(rng, names)
    issue = rand_date(rng)
    cat = CAT_GOODS if i != 1 else CAT_FOOD
    lines = pick_lines(rng, cat, rng.randint(1, 4), code_prefix="R")
    show = {"seller_siret", "seller_vat", "buyer_vat", "buyer_siren"}
    orig_no = f"F-{issue.year}-{rng.randint(100, 999):04d}"
    ref = f"RMA-{rng.randint(1000, 9999)}" if i == 2 else None
    doc = Doc(
        "avoir",
        "credit_note",
        f"AV-{issue.year}-{rng.randint(1, 120):04d}",
        issue,
        None,
        "EUR",
        seller,
        buyer,
        lines,
        buyer_ref=ref,
        show=show,
        extra={"negative": True},
    )
    mf = frb if i == 0 else fr
    dfmt = d_fr_long if i != 1 else d_slash
    od = issue - dt.timedelta(days=rng.randint(8, 60))
    rows = "".join(
        f"<tr><td>{e(ln.code)}</td><td>{e(ln.desc)}</td><td class=r>-{qty_fr(ln.qty)}</td><td class=r>{mf(ln.price)}</td>"
        f"<td class=r>{rate_fr(ln.rate)} %</td><td class=r>{mf(-ln.amount)} €</td></tr>"
        for ln in lines
    )
    taxes = "".join(
        f"<tr><td>TVA {rate_fr(r)} % (base {mf(-b)} €)</td><td class=r>{mf(-a)} €</td></tr>"
        for r, b, a in doc.breakdown
    )
    reason = rng.choice(
        [
            "Retour de marchandise non conforme",
            "Geste commercial suite à retard de livraison",
            "Erreur de quantité facturée",
        ]
    )
    s = seller
    refl = f"<br>Votre référence : {e(ref)}" if ref else ""
    body = f"""
<div class=hdr><div><b style="font-size:14pt">{e(s.name)}</b><br>{br(s.addr)}<br>{e(s.phone)}</div>
<div style="text-align:right"><h1>AVOIR</h1>Avoir n° <b>{e(doc.number)}</b><br>Date : {dfmt(issue)}</div></div>
<div class=b><b>{e(buyer.name)}</b><br>{br(buyer.addr)}<br>SIREN : {buyer.siren}<br>TVA intracom. : {buyer.vat}</div>
<p>Avoir sur facture n° {orig_no} du {d_slash(od)}<br>Motif : {e(reason)}{refl}</p>
<table class=l><tr><th>Réf.</th><th>Désignation</th><th class=r>Qté</th><th class=r>P.U. HT</th><th class=r>TVA</th><th class=r>Montant HT</th></tr>{rows}</table>
<table class=t><tr><td>Total HT</td><td class=r>{mf(-doc.ht)} €</td></tr>{taxes}<tr><td>Total TVA</td><td class=r>{mf(-doc.tva)} €</td></tr>
<tr class=g><td>Total TTC de l'avoir</td><td class=r>{mf(-doc.ttc)} €</td></tr></table>
<p>{"Montant remboursé par virement sous 15 jours." if i == 1 else "Montant à déduire de votre prochain règlement."}</p>
<div class=foot>{e(s.name)} — {e(s.form)} au capital de {e(s.capital)} € — SIRET {s.siret} — RCS {e(s.city)} — TVA intracommunautaire {s.vat}</div>"""
    return doc, page(AV_CSS, body)


CH_CSS = """
body { font-family: 'DejaVu Sans'; font-size: 8.8pt; }
.hdr { display: flex; justify-content: space-between; }
.logo { font-size: 15pt; font-weight: bold; color: #c8102e; }
.addr { margin: 12mm 0 0 105mm; line-height: 1.4; }
h2 { font-size: 13pt; margin: 8mm 0 2mm 0; }
table.kv td { padding: 1px 8mm 1px 0; }
table.l { width: 100%; margin-top: 5mm; } table.l th { border-bottom: 1px solid #000; text-align: left; padding: 3px; font-size: 8pt; } table.l td { padding: 3px; }
.r { text-align: right !important; }
table.t { margin: 3mm 0 0 auto; } table.t td { padding: 2px 6px; } table.t tr.g td { font-weight: bold; border-top: 1px solid #000; border-bottom: 3px double #000; }
.qr { position: absolute; top: 192mm; left: 0; right: 0; height: 80mm; border-top: 1px dashed #000; display: flex; font-family: 'Liberation Sans'; font-size: 8pt; }
.qr .rec { width: 52mm; padding: 4mm; border-right: 1px dashed #000; } .qr .pay { flex: 1; padding: 4mm; }
.qr .h { font-weight: bold; font-size: 11pt; margin-bottom: 3mm; } .qr .s { font-weight: bold; font-size: 6pt; margin-top: 2mm; }
.qrcode { width: 46mm; height: 46mm; border: 1px solid #000; float: left; margin-right: 5mm; background: repeating-linear-gradient(45deg, #000 0 2mm, #fff 2mm 4mm); }
"""


def build_chf(rng, names, i):
    name, street, z, city = names.pick(CH_SELLERS)
    seller = Party(name=name, street=street, zip=z, city=city, country="Suisse", vat=gen_vat(rng, "CH"))
    if i == 2:
        buyer = french_party(rng, names)
    else:
        bn, bs, bz, bc = names.pick(CH_BUYERS)
        buyer = Party(
            name=bn, street=bs, zip=bz, city=bc, country="Suisse", vat=gen_vat(rng, "CH") if i == 0 else None
        )
    issue = rand_date(rng)
    due = issue + dt.timedelta(days=30) if i != 1 else None
    items = [
        ("Révision complète montre mécanique", "pce", 280, 650, 8.1, "few"),
        ("Bracelet cuir alligator 20 mm", "pce", 120, 340, 8.1, "one"),
        ("Remplacement verre saphir", "pce", 90, 220, 8.1, "one"),
        ("Main-d'œuvre atelier", "h", 95, 140, 8.1, "hours"),
        ("Gruyère AOP réserve, 1 kg", "kg", 28, 42, 2.6, "kg"),
        ("Vacherin Mont-d'Or AOP", "pce", 18, 32, 2.6, "int"),
        ("Impression flyers A5 (1000 ex.)", "lot", 140, 390, 8.1, "one"),
        ("Livres reliés (catalogue)", "pce", 24, 65, 2.6, "int"),
    ]
    lines = pick_lines(rng, items, rng.randint(2, 5))
    show = {"seller_vat"}
    if buyer.vat and (i == 0 or i == 2):
        show.add("buyer_vat")
    if i == 2:
        show.add("buyer_siren")
    ref = None
    po = f"{rng.randint(2000, 9999)}/{issue.strftime('%y')}" if i == 0 else None
    doc = Doc(
        "chf",
        "invoice",
        invoice_no(rng, "{y}-{n4:04d}", issue),
        issue,
        due,
        "CHF",
        seller,
        buyer,
        lines,
        po=po,
        buyer_ref=ref,
        show=show,
    )
    apo = "’" if i == 1 else "'"
    m = lambda x: chf(x, apo)  # noqa: E731
    cm = (lambda x: f"{m(x)} CHF") if i == 2 else (lambda x: f"CHF {m(x)}")
    kv = [("Facture n°", doc.number), ("Date", d_dot(issue))]
    if due:
        kv.append(("Échéance", d_dot(due)))
    else:
        kv.append(("Conditions", "30 jours net"))
    if po:
        kv.append(("Votre commande", po))
    kv.append(("N° client", str(rng.randint(10000, 99999))))
    kvh = "".join(f"<tr><td>{e(a)}</td><td>{e(b)}</td></tr>" for a, b in kv)
    rows = "".join(
        f"<tr><td>{e(ln.desc)}</td><td class=r>{num(ln.qty, apo, '.', 3) if ln.unit == 'kg' else qty_en(ln.qty)} {e(ln.unit)}</td>"
        f"<td class=r>{m(ln.price)}</td><td class=r>{rate_en(ln.rate)}%</td><td class=r>{m(ln.amount)}</td></tr>"
        for ln in lines
    )
    taxes = "".join(
        f"<tr><td>TVA {rate_fr(r)} % sur CHF {m(b)}</td><td class=r>{m(a)}</td></tr>"
        for r, b, a in doc.breakdown
    )
    bid = ""
    if "buyer_vat" in show:
        bid += f"<br>N° TVA : {vat_sp(buyer.vat) + ' TVA' if buyer.vat.startswith('CHE') else buyer.vat}"
    if "buyer_siren" in show:
        bid += f"<br>SIREN : {buyer.siren}"
    s = seller
    iban = f"CH{rng.randint(10, 99)} 3000 0{rng.randint(100, 999)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)} {rng.randint(1, 9)}"
    qref = f"{rng.randint(10, 99)} {rng.randint(10000, 99999)} {rng.randint(10000, 99999)} {rng.randint(10000, 99999)} {rng.randint(10000, 99999)} {rng.randint(10000, 99999)}"
    amt_qr = num(doc.ttc, " ", ".")
    body = f"""
<div class=hdr><div class=logo>{e(s.name)}</div><div style="text-align:right">{br(s.addr)}<br>IDE/TVA : {vat_sp(s.vat)} TVA</div></div>
<div class=addr><b>{e(buyer.name)}</b><br>{br(buyer.addr)}{bid}</div>
<h2>Facture</h2><table class=kv>{kvh}</table>
<table class=l><tr><th>Désignation</th><th class=r>Quantité</th><th class=r>Prix unitaire CHF</th><th class=r>TVA</th><th class=r>Montant CHF</th></tr>{rows}</table>
<table class=t><tr><td>Total hors TVA</td><td class=r>{cm(doc.ht)}</td></tr>{taxes}<tr class=g><td>Total TTC</td><td class=r>{cm(doc.ttc)}</td></tr></table>
<p>Payable {"jusqu’au " + d_dot(due) if due else "à 30 jours net"} au moyen du bulletin de versement QR ci-dessous. Merci de votre confiance.</p>
<div class=qr><div class=rec><div class=h>Récépissé</div><div class=s>Compte / Payable à</div>{iban}<br>{e(s.name)}<br>{e(s.zip)} {e(s.city)}
<div class=s>Référence</div>{qref}<div class=s>Payable par</div>{e(buyer.name)}<div class=s>Monnaie &nbsp; Montant</div>CHF &nbsp; {amt_qr}<div class=s style="text-align:right">Point de dépôt</div></div>
<div class=pay><div class=h>Section paiement</div><div class=qrcode></div><div class=s>Compte / Payable à</div>{iban}<br>{e(s.name)}<br>{e(s.street)}<br>{e(s.zip)} {e(s.city)}
<div class=s>Référence</div>{qref}<div class=s>Payable par</div>{e(buyer.name)}<br>{e(buyer.city)}<div class=s>Monnaie &nbsp; Montant</div>CHF &nbsp; {amt_qr}</div></div>"""
    return doc, page(CH_CSS + ".pgw { position: relative; height: 272mm; }", f"<div class=pgw>{body}</div>")


RC_CSS = """
body { font-family: 'DejaVu Sans Mono'; font-size: 8pt; }
.hdr { display: flex; justify-content: space-between; border: 1px solid #000; padding: 2mm; }
table.l { width: 100%; margin-top: 4mm; } table.l th { border-top: 1px solid #000; border-bottom: 1px solid #000; text-align: left; padding: 2px; } table.l td { padding: 1px 2px; }
.r { text-align: right !important; }
table.rc { margin-top: 5mm; width: 100%; } table.rc th, table.rc td { border: 1px solid #000; padding: 2px 5px; text-align: right; } table.rc th:first-child, table.rc td:first-child { text-align: left; }
.net { margin-top: 3mm; text-align: right; font-size: 12pt; font-weight: bold; }
.foot { position: fixed; bottom: 0; left: 0; right: 0; font-size: 6.5pt; text-align: center; }
"""


def build_ratecols(rng, names, i):
    seller = french_party(rng, names, "brand")
    buyer = french_party(rng, names, "trade")
    issue = rand_date(rng)
    due = issue + dt.timedelta(days=rng.choice([20, 30]))
    lines = [make_line(rng, it, code=f"{rng.randint(10000, 99999)}") for it in rng.sample(CAT_FOOD, 12)]
    # make sure the three rates are present
    rates = {ln.rate for ln in lines}
    assert {D("5.5"), D(10), D(20)} <= rates, rates
    show = {"seller_siret", "seller_vat", "buyer_siret", "buyer_vat"}
    po = f"{rng.randint(100000, 999999)}" if i == 0 else None
    doc = Doc(
        "ratecols",
        "invoice",
        f"FC {issue.strftime('%y%m')[1:]} {rng.randint(1000, 9999)}",
        issue,
        due,
        "EUR",
        seller,
        buyer,
        lines,
        po=po,
        show=show,
    )
    codes = {D("5.5"): "1", D(10): "2", D(20): "3"}
    rows = "".join(
        f"<tr><td>{e(ln.code)}</td><td>{e(ln.desc)}</td><td class=r>{qty_fr(ln.qty)}</td><td class=r>{fr0(ln.price)}</td>"
        f"<td class=r>{fr0(ln.amount)}</td><td class=r>{codes[ln.rate]}</td></tr>"
        for ln in lines
    )
    cols = "".join(f"<th>{codes[r]} — {num(r, '', ',')} %</th>" for r, _, _ in doc.breakdown)
    r_base = "".join(f"<td>{fr0(b)}</td>" for _, b, _ in doc.breakdown)
    r_tva = "".join(f"<td>{fr0(a)}</td>" for _, _, a in doc.breakdown)
    r_ttc = "".join(f"<td>{fr0(b + a)}</td>" for _, b, a in doc.breakdown)
    s = seller
    pol = f" &nbsp; Votre commande n° {e(po)}" if po else ""
    body = f"""
<div class=hdr><div><b style="font-size:12pt">{e(s.name)}</b><br>{br(s.addr)}<br>SIRET {s.siret} - TVA {s.vat}</div>
<div><b>{e(buyer.name)}</b><br>{br(buyer.addr)}<br>SIRET {buyer.siret}<br>TVA {buyer.vat}</div></div>
<p><b>FACTURE N° {e(doc.number)}</b> &nbsp; Date : {d_slash(issue)} &nbsp; Échéance : {d_slash(due)} (LCR){pol}<br>
Tournée {rng.randint(1, 30)} - Chauffeur {rng.choice(["M. Diallo", "M. Costa", "Mme Perret"])}</p>
<table class=l><tr><th>Code</th><th>Désignation</th><th class=r>Qté</th><th class=r>PU HT</th><th class=r>Mt HT</th><th class=r>T</th></tr>{rows}</table>
<table class=rc><tr><th>Récapitulatif</th>{cols}<th>Total</th></tr>
<tr><td>Base HT</td>{r_base}<td>{fr0(doc.ht)}</td></tr><tr><td>Montant TVA</td>{r_tva}<td>{fr0(doc.tva)}</td></tr>
<tr><td>Total TTC</td>{r_ttc}<td>{fr0(doc.ttc)}</td></tr></table>
<div class=net>NET À PAYER : {fr(doc.ttc)} €</div>
<p>Consignes palettes : {rng.randint(1, 6)} x 15,00 € (non soumis à TVA, non facturées). Escompte 0 %. Indemnité forfaitaire pour frais de recouvrement : 40 €.</p>
<div class=foot>{e(s.name)} - {e(s.form)} au capital de {e(s.capital)} € - RCS {e(s.city)} {s.siren}</div>"""
    return doc, page(RC_CSS, body)


LAYOUTS = {
    "sage": (4, build_sage),
    "cegid": (3, build_cegid),
    "ebp": (4, build_ebp),
    "odoo": (4, build_odoo),
    "quickbooks": (4, build_quickbooks),
    "pennylane": (4, build_pennylane),
    "sap": (3, build_sap),
    "artisan": (4, build_artisan),
    "utility": (3, build_utility),
    "public": (3, build_public),
    "export": (3, build_export),
    "multipage": (3, build_multipage),
    "avoir": (3, build_avoir),
    "chf": (3, build_chf),
    "ratecols": (2, build_ratecols),
}


def check(doc, exp):
    """Self-checks on the expected values (not on the reader)."""
    assert set(exp) == set(READ_FIELDS)
    for k in ("seller_siren", "buyer_siren"):
        if exp[k]:
            assert fr_siren.is_valid(exp[k]), (k, exp[k])
    if exp["seller_siret"]:
        assert fr_siret.is_valid(exp["seller_siret"])
        assert exp["seller_siret"].startswith(exp["seller_siren"])
    assert q2(doc.ht + doc.tva) == doc.ttc
    assert sum(ln.amount for ln in doc.lines) == doc.ht
    for r, b, a in doc.breakdown:
        assert q2(b * r / 100) == a


def build_all(seed):
    docs = []
    used = set()
    for name, (count, fn) in LAYOUTS.items():
        rng = random.Random(seed * 1000003 + zlib.crc32(name.encode()))
        names = Names(rng, used)
        for i in range(count):
            doc, page_html = fn(rng, names, i)
            exp = doc.expected()
            check(doc, exp)
            docs.append((f"{name}_{i + 1:02d}", doc, exp, page_html))
    return docs


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument(
        "--html-dir", type=Path, default=None, help="keep the HTML sources here (default: a temporary folder)"
    )
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--only", default=None, help="comma-separated file stems to (re)build")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    docs = build_all(args.seed)
    assert len(docs) == 50, len(docs)
    args.out.mkdir(parents=True, exist_ok=True)
    only = set(args.only.split(",")) if args.only else None
    with tempfile.TemporaryDirectory() as tmp:
        hdir = args.html_dir or Path(tmp)
        hdir.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                ],
            )
            pg = browser.new_page()
            for stem, _doc, exp, page_html in docs:
                if only and stem not in only:
                    continue
                hp = hdir / f"{stem}.html"
                hp.write_text(page_html, encoding="utf-8")
                pg.goto(hp.as_uri())
                pg.pdf(
                    path=str(args.out / f"{stem}.pdf"),
                    format="A4",
                    print_background=True,
                    prefer_css_page_size=True,
                )
                (args.out / f"{stem}.json").write_text(
                    json.dumps(exp, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
                )
                print(stem, file=sys.stderr)
            browser.close()


if __name__ == "__main__":
    main()
