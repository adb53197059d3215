"""Blind invoice set 3: French/English B2B invoice PDFs with their ground truth.

Written without looking at the PDF reader under jalon/ (nor at the earlier generators), so the layouts
below are independent of what the reader expects. Twelve layouts, five invoices each, drawn with
reportlab's standard fonts (genuine text PDFs). Every figure is computed with Decimal and half-up
rounding: lines - allowances + charges = total excl. VAT, VAT per rate = base x rate, total = HT + VAT.

    cd /work/main && .venv/bin/python tests/gen_invoices_blind3.py

writes tests/data/invoices_blind3/<layout>_<n>.pdf and .json (n = 1, 2 "tune"; n = 3, 4, 5 "final").
Deterministic: each invoice draws from random.Random("<layout>-<n>") and the PDFs are written invariant.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from stdnum.ch import uid as ch_uid
from stdnum.eu import vat as eu_vat
from stdnum.gb import vat as gb_vat

OUT = Path(__file__).resolve().parent / "data" / "invoices_blind3"
W, H = A4
NBSP = "\u00a0"
ZERO = Decimal(0)
CENT = Decimal("0.01")
R20, R10, R55, R21, R6, R0 = Decimal(20), Decimal(10), Decimal("5.5"), Decimal(21), Decimal(6), Decimal(0)
R21P = Decimal("2.1")


def D(x: object) -> Decimal:
    return Decimal(str(x))


def q2(x: Decimal) -> Decimal:
    return Decimal(x).quantize(CENT, rounding=ROUND_HALF_UP)


# ------------------------------------------------------------------ identifiers


def luhn_ok(s: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(s)):
        d = int(ch)
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def luhn_complete(prefix: str) -> str:
    return next(prefix + str(d) for d in range(10) if luhn_ok(prefix + str(d)))


def new_siren(rng: random.Random) -> str:
    return luhn_complete(str(rng.randint(3, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(7)))


def new_siret(rng: random.Random, siren: str) -> str:
    return luhn_complete(siren + f"{rng.randint(1, 60):04d}")


def fr_vat(siren: str) -> str:
    return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"


def foreign_vat(rng: random.Random, cc: str) -> str:
    shapes = {
        "DE": ("DE", 9, ""),
        "IT": ("IT", 11, ""),
        "NL": ("NL", 9, "B01"),
        "ES": ("ESB", 8, ""),
        "AT": ("ATU", 8, ""),
        "BE": ("BE0", 9, ""),
        "PL": ("PL", 10, ""),
        "IE": ("IE", 7, "W"),
        "PT": ("PT", 9, ""),
    }
    head, n, tail = shapes[cc]
    while True:
        cand = head + "".join(str(rng.randint(0, 9)) for _ in range(n)) + tail
        if cc == "IE":
            for letter in "ABCDEFGHJKLMNPQRSTVWX":
                if eu_vat.is_valid(cand[:-1] + letter):
                    return cand[:-1] + letter
            continue
        if eu_vat.is_valid(cand):
            return cand


def gb_number(rng: random.Random) -> str:
    while True:
        cand = "GB" + str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(8))
        if gb_vat.is_valid(cand):
            return cand


def ch_number(rng: random.Random) -> str:
    while True:
        cand = "CHE" + "".join(str(rng.randint(0, 9)) for _ in range(9))
        if ch_uid.is_valid(cand):
            return cand


def be_vat(rng: random.Random) -> str:
    first = str(rng.randint(4, 8)) + "".join(str(rng.randint(0, 9)) for _ in range(6))
    body = "0" + first
    return f"BE{body}{97 - int(body) % 97:02d}"


def iban_digits(country: str, bban: str) -> str:
    rearranged = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    return f"{98 - int(rearranged) % 97:02d}"


def grouped(s: str, n: int = 4) -> str:
    return " ".join(s[i : i + n] for i in range(0, len(s), n))


def fr_iban(rng: random.Random) -> str:
    bank, branch = f"{rng.randint(10000, 30099):05d}", f"{rng.randint(1, 99999):05d}"
    acct = f"{rng.randint(10**9, 10**11 - 1):011d}"
    key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(acct)) % 97
    bban = f"{bank}{branch}{acct}{key:02d}"
    return grouped("FR" + iban_digits("FR", bban) + bban)


def be_iban(rng: random.Random) -> str:
    first = f"{rng.randint(1, 999):03d}{rng.randint(0, 9999999):07d}"
    chk = int(first) % 97 or 97
    bban = f"{first}{chk:02d}"
    return grouped("BE" + iban_digits("BE", bban) + bban)


def be_structured(rng: random.Random) -> str:
    body = f"{rng.randint(10**8, 10**10 - 1):010d}"
    chk = int(body) % 97 or 97
    s = f"{body}{chk:02d}"
    return f"+++{s[:3]}/{s[3:7]}/{s[7:]}+++"


def sp_siren(s: str) -> str:
    return f"{s[:3]} {s[3:6]} {s[6:9]}"


def sp_siret(s: str) -> str:
    return f"{s[:3]} {s[3:6]} {s[6:9]} {s[9:]}"


def be_dotted(vat: str) -> str:
    d = vat[2:]
    return f"{d[:4]}.{d[4:7]}.{d[7:]}"


BICS = ["CCBPFRPPBDX", "AGRIFRPP833", "CMCIFR2A", "BNPAFRPPXXX", "SOGEFRPP", "CEPAFRPP444", "CRLYFRPP"]


# ------------------------------------------------------------------ formats

MOIS = str.split("janvier février mars avril mai juin juillet août septembre octobre novembre décembre")
MOIS_ABR = str.split("janv. févr. mars avr. mai juin juil. août sept. oct. nov. déc.")
MONTHS = str.split("January February March April May June July August September October November December")


def num(x: Decimal, style: str = "fr", dec: int = 2, sep: str = " ") -> str:
    """fr: 1 234,56 (sep chosen); de: 1.234,56; en: 1,234.56; plain: 1234,56."""
    x = Decimal(x)
    s = f"{abs(x):,.{dec}f}"
    if style == "fr":
        s = s.replace(",", "\x00").replace(".", ",").replace("\x00", sep)
    elif style == "de":
        s = s.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    elif style == "plain":
        s = s.replace(",", "").replace(".", ",")
    neg = x < 0 and abs(x) >= Decimal(10) ** -dec / 2
    return ("-" if neg else "") + s


def qty_txt(q: Decimal, style: str = "fr", dec: int | None = None) -> str:
    if dec is not None:
        return num(q, style, dec)
    if q == q.to_integral_value():
        return num(q, style, 0)
    s = f"{q.normalize():f}"
    return s.replace(".", ",") if style in ("fr", "de", "plain") else s


def price_dec(p: Decimal) -> int:
    return 3 if q2(p) != p else 2


def rate_txt(r: Decimal, style: str = "fr", dec: int = 2, space: bool = True) -> str:
    s = f"{r:.{dec}f}"
    if style != "en":
        s = s.replace(".", ",")
    return s + (" %" if space else "%")


def d_fr(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def d_long(d: date) -> str:
    day = "1er" if d.day == 1 else str(d.day)
    return f"{day} {MOIS[d.month - 1]} {d.year}"


def d_abr(d: date) -> str:
    return f"{d.day} {MOIS_ABR[d.month - 1]} {d.year}"


def d_uk(d: date) -> str:
    return f"{d.day:02d} {MONTHS[d.month - 1][:3]} {d.year}"


def d_us(d: date) -> str:
    return f"{MONTHS[d.month - 1]} {d.day}, {d.year}"


def rand_date(rng: random.Random, lo: date = date(2026, 1, 5), hi: date = date(2026, 12, 18)) -> date:
    d = lo + timedelta(days=rng.randint(0, (hi - lo).days))
    while d.weekday() >= 5:
        d -= timedelta(days=1)
    return d


def end_of_month(d: date) -> date:
    nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


# ------------------------------------------------------------------ model


@dataclass
class Party:
    name: str
    address: list[str]
    siren: str | None = None
    siret: str | None = None
    vat: str | None = None
    extra: dict = field(default_factory=dict)


@dataclass
class Line:
    desc: str
    qty: Decimal
    price: Decimal
    rate: Decimal
    disc: Decimal = ZERO
    ref: str = ""
    unit: str = ""
    info: dict = field(default_factory=dict)

    @property
    def amount(self) -> Decimal:
        return q2(self.qty * self.price * (100 - self.disc) / 100)


@dataclass
class AC:
    is_charge: bool
    reason: str
    split: dict[Decimal, Decimal]

    @property
    def amount(self) -> Decimal:
        return sum(self.split.values(), ZERO)


@dataclass
class Doc:
    number: str
    issue: date
    due: date | None
    seller: Party
    buyer: Party
    lines: list[Line]
    acs: list[AC] = field(default_factory=list)
    doc_type: str = "invoice"
    currency: str = "EUR"
    po: str | None = None
    buyer_ref: str | None = None
    line_rates_shown: bool = True
    meta: dict = field(default_factory=dict)

    def lines_total(self) -> Decimal:
        return sum((ln.amount for ln in self.lines), ZERO)

    def rates(self) -> list[Decimal]:
        rs = {ln.rate for ln in self.lines}
        for a in self.acs:
            rs.update(a.split)
        return sorted(rs)

    def breakdown(self) -> list[tuple[Decimal, Decimal, Decimal]]:
        out = []
        for r in self.rates():
            base = sum((ln.amount for ln in self.lines if ln.rate == r), ZERO)
            for a in self.acs:
                base += a.split.get(r, ZERO) * (1 if a.is_charge else -1)
            out.append((r, base, q2(base * r / 100)))
        return out

    @property
    def ht(self) -> Decimal:
        return sum((b for _, b, _ in self.breakdown()), ZERO)

    @property
    def tva(self) -> Decimal:
        return sum((v for _, _, v in self.breakdown()), ZERO)

    @property
    def ttc(self) -> Decimal:
        return self.ht + self.tva

    def truth(self, split: str) -> dict:
        s, b = self.seller, self.buyer

        def f(x: Decimal) -> float:
            return float(q2(x))

        return {
            "doc_type": self.doc_type,
            "invoice_number": self.number,
            "issue_date": self.issue.isoformat(),
            "due_date": self.due.isoformat() if self.due else None,
            "currency": self.currency,
            "seller_name": s.name,
            "seller_siren": s.siren,
            "seller_siret": s.siret,
            "seller_vat": s.vat,
            "buyer_name": b.name,
            "buyer_siren": b.siren,
            "buyer_vat": b.vat,
            "purchase_order": self.po,
            "buyer_reference": self.buyer_ref,
            "total_without_vat": f(self.ht),
            "total_vat": f(self.tva),
            "total_with_vat": f(self.ttc),
            "vat_breakdown": [
                {"rate": float(r), "base": f(b_), "amount": f(v)} for r, b_, v in self.breakdown()
            ],
            "lines": [
                {
                    "description": ln.desc,
                    "quantity": float(ln.qty),
                    "unit_price": float(ln.price),
                    "amount": f(ln.amount),
                    "vat_rate": float(ln.rate) if self.line_rates_shown else None,
                }
                for ln in self.lines
            ],
            "allowances_charges": [
                {"is_charge": a.is_charge, "amount": f(a.amount), "reason": a.reason} for a in self.acs
            ],
            "split": split,
        }


def pct_allowance(lines: list[Line], pct: Decimal, reason: str) -> AC:
    """A percentage discount applied rate by rate: base = lines x (1 - p) rounded, allowance = the rest."""
    split = {}
    for r in sorted({ln.rate for ln in lines}):
        s = sum((ln.amount for ln in lines if ln.rate == r), ZERO)
        split[r] = s - q2(s * (100 - pct) / 100)
    return AC(False, reason, split)


# ------------------------------------------------------------------ parties

STREETS = [
    "12 rue des Tanneurs",
    "4 allée des Peupliers",
    "145 avenue Jean Jaurès",
    "ZA du Bois Joli – 3 rue de l'Artisanat",
    "27 boulevard Gambetta",
    "8 impasse des Vignes",
    "Parc d'activités Les Portes – Bât. C",
    "56 route de Lyon",
    "2 place de la République",
    "19 rue Pasteur",
    "ZI Nord – 7 rue Denis Papin",
    "101 rue du Faubourg Saint-Antoine",
    "31 quai des Chartrons",
    "6 chemin des Écoliers",
    "88 avenue de la Libération",
    "14 rue du Général Leclerc",
    "230 rue de la Garenne",
]
CITIES = [
    ("69003", "Lyon", "Lyon", "04"),
    ("33000", "Bordeaux", "Bordeaux", "05"),
    ("31200", "Toulouse", "Toulouse", "05"),
    ("44000", "Nantes", "Nantes", "02"),
    ("67000", "Strasbourg", "Strasbourg", "03"),
    ("59000", "Lille", "Lille Métropole", "03"),
    ("13008", "Marseille", "Marseille", "04"),
    ("35000", "Rennes", "Rennes", "02"),
    ("21000", "Dijon", "Dijon", "03"),
    ("37000", "Tours", "Tours", "02"),
    ("63000", "Clermont-Ferrand", "Clermont-Ferrand", "04"),
    ("76000", "Rouen", "Rouen", "02"),
    ("86000", "Poitiers", "Poitiers", "05"),
    ("45000", "Orléans", "Orléans", "02"),
    ("38000", "Grenoble", "Grenoble", "04"),
    ("49100", "Angers", "Angers", "02"),
    ("51100", "Reims", "Reims", "03"),
    ("29200", "Brest", "Brest", "02"),
    ("64100", "Bayonne", "Bayonne", "05"),
    ("74000", "Annecy", "Annecy", "04"),
    ("92100", "Boulogne-Billancourt", "Nanterre", "01"),
    ("75011", "Paris", "Paris", "01"),
    ("94200", "Ivry-sur-Seine", "Créteil", "01"),
    ("17000", "La Rochelle", "La Rochelle", "05"),
]


def phone(rng: random.Random, prefix: str) -> str:
    return prefix + " " + " ".join(f"{rng.randint(10, 99)}" for _ in range(4))


def slug(name: str) -> str:
    table = str.maketrans("éèêëàâäîïôöûüç", "eeeeaaaiioouuc")
    words = [
        w for w in name.lower().translate(table).replace("'", " ").replace("&", " ").split() if w.isalnum()
    ]
    return "-".join(w for w in words if w not in ("sas", "sarl", "sa", "de", "des", "du", "la", "le", "et"))[
        :28
    ]


def fr_seller(
    rng: random.Random,
    name: str,
    form: str,
    capital: int,
    street: str,
    city: tuple[str, str, str, str],
    ape: str,
    **extra: object,
) -> Party:
    siren = new_siren(rng)
    cp, town, greffe, tel = city
    return Party(
        name=name,
        address=[street, f"{cp} {town}"],
        siren=siren,
        siret=new_siret(rng, siren),
        vat=fr_vat(siren),
        extra={
            "form": form,
            "capital": capital,
            "greffe": greffe,
            "ape": ape,
            "tel": phone(rng, "0" + tel[1]),
            "email": f"contact@{slug(name)}.fr",
            "iban": fr_iban(rng),
            "bic": rng.choice(BICS),
            "town": town,
            **extra,
        },
    )


def fr_buyer(rng: random.Random, name: str, *, siren: bool = False, vat: bool = False) -> Party:
    cp, town, _, _ = rng.choice(CITIES)
    s = new_siren(rng)
    return Party(
        name=name,
        address=[rng.choice(STREETS), f"{cp} {town}"],
        siren=s if siren else None,
        vat=fr_vat(s) if vat else None,
        extra={"siren_any": s},
    )


def capital_txt(c: int) -> str:
    return num(D(c), "fr", 0, NBSP) + NBSP + "€"


def fr_legal(s: Party, *, ape: bool = True, siret: bool = True) -> str:
    e = s.extra
    head = s.name if s.name.endswith(e["form"]) else f"{s.name} – {e['form']}"
    parts = [f"{head} au capital de {capital_txt(e['capital'])}", f"RCS {e['greffe']} {sp_siren(s.siren)}"]
    if siret:
        parts.append(f"SIRET {s.siret}")
    parts.append(f"TVA intracommunautaire {s.vat}")
    if ape:
        parts.append(f"Code APE {e['ape']}")
    return " – ".join(parts)


PENALTIES = [
    "En cas de retard de paiement, une pénalité égale à trois fois le taux d'intérêt légal sera exigible "
    "(art. L441-10 du Code de commerce), ainsi qu'une indemnité forfaitaire pour frais de recouvrement "
    "de 40 €. Pas d'escompte pour paiement anticipé.",
    "Pénalités de retard : taux directeur de la BCE majoré de 10 points. Indemnité forfaitaire pour frais "
    "de recouvrement : 40 euros (art. D441-5 du Code de commerce). Escompte pour règlement anticipé : néant.",
    "Tout retard de paiement entraîne de plein droit l'application de pénalités au taux de 12 % l'an et "
    "d'une indemnité forfaitaire de 40 € pour frais de recouvrement. Aucun escompte ne sera accordé.",
]


# ------------------------------------------------------------------ drawing helpers


class Pdf:
    def __init__(self, path: Path, title: str, author: str) -> None:
        self.c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
        self.c.setTitle(title)
        self.c.setAuthor(author)
        self.c.setCreator("gen_invoices_blind3")

    def t(
        self,
        x: float,
        y: float,
        s: str,
        font: str = "Helvetica",
        size: float = 9,
        align: str = "l",
        gray: float | None = None,
    ) -> None:
        c = self.c
        c.setFont(font, size)
        if gray is not None:
            c.setFillGray(gray)
        if align == "r":
            c.drawRightString(x, y, s)
        elif align == "c":
            c.drawCentredString(x, y, s)
        else:
            c.drawString(x, y, s)
        if gray is not None:
            c.setFillGray(0)

    def para(
        self, x: float, y: float, s: str, width: float, font: str = "Helvetica", size: float = 7, lead=None
    ) -> float:
        lead = lead or size * 1.25
        for part in simpleSplit(s, font, size, width):
            self.t(x, y, part, font, size)
            y -= lead
        return y

    def hl(self, x1: float, x2: float, y: float, w: float = 0.5, gray: float = 0) -> None:
        self.c.setLineWidth(w)
        self.c.setStrokeGray(gray)
        self.c.line(x1, y, x2, y)
        self.c.setStrokeGray(0)

    def vl(self, x: float, y1: float, y2: float, w: float = 0.5, gray: float = 0) -> None:
        self.c.setLineWidth(w)
        self.c.setStrokeGray(gray)
        self.c.line(x, y1, x, y2)
        self.c.setStrokeGray(0)

    def box(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        fill: float | None = None,
        stroke: bool = True,
        lw: float = 0.5,
        rgb: tuple[float, float, float] | None = None,
    ) -> None:
        c = self.c
        c.setLineWidth(lw)
        if rgb is not None:
            c.setFillColorRGB(*rgb)
        elif fill is not None:
            c.setFillGray(fill)
        c.rect(x, y, w, h, stroke=1 if stroke else 0, fill=1 if (fill is not None or rgb) else 0)
        c.setFillGray(0)

    def page(self) -> None:
        self.c.showPage()

    def save(self) -> None:
        self.c.save()


@dataclass
class Col:
    title: str
    width: float
    align: str = "l"


@dataclass
class Note:
    text: str
    font: str = "Helvetica-Oblique"


def table(
    p: Pdf,
    x: float,
    top: float,
    cols: list[Col],
    rows: list,
    *,
    font: str = "Helvetica",
    bold: str = "Helvetica-Bold",
    size: float = 8,
    head_size: float | None = None,
    lead: float | None = None,
    head_fill: float | None = None,
    grid: bool = False,
    rules: bool = False,
    frame: bool = True,
    wrap: int | None = None,
    pad: float = 3,
    note_col: int = 1,
    min_rows_height: float = 0,
) -> float:
    """Draws a table whose top edge is at `top`; returns the y of its bottom edge."""
    head_size = head_size or size
    lead = lead or size * 1.3
    xs = [x]
    for c in cols:
        xs.append(xs[-1] + c.width)
    right = xs[-1]
    nh = max(c.title.count("\n") + 1 for c in cols)
    hh = 2 * pad + head_size * 1.05 + (nh - 1) * head_size * 1.2
    if head_fill is not None:
        p.box(x, top - hh, right - x, hh, fill=head_fill, stroke=False)
    for i, c in enumerate(cols):
        for k, part in enumerate(c.title.split("\n")):
            yy = top - pad - head_size * 0.85 - k * head_size * 1.2
            if c.align == "r":
                p.t(xs[i + 1] - pad, yy, part, bold, head_size, "r")
            elif c.align == "c":
                p.t((xs[i] + xs[i + 1]) / 2, yy, part, bold, head_size, "c")
            else:
                p.t(xs[i] + pad, yy, part, bold, head_size)
    y = top - hh
    if frame:
        p.hl(x, right, top, 0.7)
        p.hl(x, right, y, 0.7)
    y0 = y
    for row in rows:
        if isinstance(row, Note):
            p.t(xs[note_col] + pad, y - pad * 0.5 - size * 0.95, row.text, row.font, size)
            y -= lead + pad * 0.6
        else:
            cells = []
            for i, cell in enumerate(row):
                if i == wrap:
                    cells.append(simpleSplit(cell, font, size, cols[i].width - 2 * pad) or [""])
                else:
                    cells.append([cell])
            n = max(len(c) for c in cells)
            for i, parts in enumerate(cells):
                for k, part in enumerate(parts):
                    yy = y - pad * 0.5 - size * 0.95 - k * lead
                    if cols[i].align == "r":
                        p.t(xs[i + 1] - pad, yy, part, font, size, "r")
                    elif cols[i].align == "c":
                        p.t((xs[i] + xs[i + 1]) / 2, yy, part, font, size, "c")
                    else:
                        p.t(xs[i] + pad, yy, part, font, size)
            y -= n * lead + pad * 0.6
        if rules:
            p.hl(x, right, y, 0.3, 0.6)
    if y0 - y < min_rows_height:
        y = y0 - min_rows_height
    if frame:
        p.hl(x, right, y, 0.7)
    if grid:
        for xx in xs:
            p.vl(xx, top, y, 0.5)
    return y


def kv(
    p: Pdf,
    xl: float,
    xr: float,
    y: float,
    rows: list[tuple[str, str, bool]],
    *,
    font: str = "Helvetica",
    bold: str = "Helvetica-Bold",
    size: float = 8.5,
    lead: float = 13,
) -> float:
    for label, value, strong in rows:
        f = bold if strong else font
        p.t(xl, y, label, f, size)
        p.t(xr, y, value, f, size, "r")
        y -= lead
    return y


# ================================================================== 1. bt_negoce
# Building-materials merchant: letterhead top-left, ruled reference tables top-right, "Adresse de
# facturation" box, gridded item table with Rem. % and a VAT code column ("1") resolved in the VAT summary,
# freight / eco-contribution charges, NBSP thousands separators, dd/mm/yyyy.

BT_SELLERS = [
    (
        "Comptoir Bordelais des Matériaux",
        "SAS",
        250000,
        "41 rue Lucien Faure",
        CITIES[1],
        "Négoce de matériaux",
    ),
    (
        "Matériaux Val de Loire",
        "SARL",
        80000,
        "ZI Les Grands Mortiers – 12 rue des Frênes",
        CITIES[9],
        "Bois",
    ),
    ("Point Bâti Savoie SAS", "SAS", 120000, "1250 avenue de la Boisse", CITIES[19], "Gros œuvre"),
    ("Négoce Dauphinois Bois & Matériaux", "SAS", 400000, "5 rue du Drac", CITIES[14], "Panneaux"),
    ("Établissements Perrin Matériaux SA", "SA", 600000, "18 boulevard de Chicago", CITIES[8], "Depuis 1952"),
]
BT_BUYERS = [
    "Entreprise Giraud Bâtiment",
    "SARL Menuiserie Lefort",
    "Rénov'Habitat 33 SAS",
    "Maçonnerie Ferreira et Fils",
    "Duval Construction SARL",
    "Ets Chabert Père & Fils",
    "Atelier Bois Concept SAS",
]
BT_PRODUCTS = [
    ("CIM35", "Ciment CEM II/B-LL 32,5 R CE NF sac 35 kg", "SAC", "7.90"),
    ("PLQBA13", "Plaque de plâtre BA13 standard 2500 x 1200 mm", "U", "8.45"),
    ("RAIL48", "Rail métallique R48 longueur 3 m", "U", "3.12"),
    ("MONT48", "Montant M48 longueur 2,70 m", "U", "3.48"),
    ("LVR100", "Laine de verre GR32 revêtue kraft 100 mm rouleau 4,50 m²", "RLX", "31.90"),
    ("VIS25", "Vis TTPC 25 mm phosphatée boîte de 1000", "BTE", "14.75"),
    ("PARPG20", "Bloc béton creux 20 x 20 x 50 NF B40", "U", "1.385"),
    ("SAB04", "Sable 0/4 lavé big bag 1 tonne", "T", "62.00"),
    ("PER16", "Tube PER gainé Ø16 couronne 50 m", "CRN", "48.60"),
    ("COLC2", "Mortier colle carrelage C2 gris 25 kg", "SAC", "18.90"),
    ("BANDE150", "Bande à joint papier 150 m", "RLX", "4.65"),
    ("ENDJ25", "Enduit de jointoiement prise normale 25 kg", "SAC", "21.30"),
    ("CHEV6375", "Chevron sapin traité classe 2 63 x 75 mm 4 m", "U", "9.80"),
    ("OSB18", "Panneau OSB3 18 mm 2500 x 1250 mm", "U", "24.90"),
    ("CHEV840", "Cheville nylon 8 x 40 boîte de 100", "BTE", "6.20"),
    ("TS25C", "Treillis soudé ST25C 2,40 x 6,00 m", "U", "42.50"),
    ("GRAV610", "Gravier roulé 6/10 big bag 1 tonne", "T", "71.00"),
    ("MORT35", "Mortier bâtard prêt à gâcher 35 kg", "SAC", "9.45"),
    ("PVC100", "Tube PVC évacuation Ø100 NF longueur 4 m", "U", "16.35"),
    ("CDE100", "Coude PVC 87°30 Ø100 mâle-femelle", "U", "2.874"),
    ("HYD25", "Hydrofuge de masse bidon 25 L", "BID", "54.20"),
    ("POLY40", "Polystyrène expansé TH38 40 mm 1200 x 600", "PAN", "5.96"),
]


def build_bt_negoce(rng: random.Random, n: int) -> Doc:
    name, form, cap, street, city, tag = BT_SELLERS[n - 1]
    seller = fr_seller(rng, name, form, cap, street, city, "4673A", tagline=tag)
    buyer = fr_buyer(rng, BT_BUYERS[(n * 3) % len(BT_BUYERS)], vat=n % 2 == 1)
    issue = rand_date(rng)
    due = end_of_month(issue + timedelta(days=45)) if n != 4 else issue + timedelta(days=30)
    lines = []
    for ref, desc, unit, price in rng.sample(BT_PRODUCTS, rng.randint(6, 12)):
        if unit == "T":
            q = D(rng.choice(["1.5", "2", "2.25", "3.5", "0.8"]))
        elif unit in ("U", "PAN"):
            q = D(rng.randint(4, 120))
        else:
            q = D(rng.randint(1, 40))
        disc = D(rng.choice(["0", "0", "0", "5", "10", "12.5", "15"]))
        lines.append(Line(desc, q, D(price), R20, disc, ref=ref, unit=unit))
    acs = []
    if n in (1, 5):
        acs.append(AC(True, "Frais de livraison camion grue", {R20: D("85.00")}))
    if n == 3:
        acs.append(AC(True, "Participation transport", {R20: D("45.00")}))
        acs.append(AC(True, "Éco-contribution PMCB", {R20: D("12.36")}))
    if n == 4:
        acs.append(AC(False, "Remise exceptionnelle", {R20: D("50.00")}))
    po = None if n == 2 else rng.choice(["CH-", "BC ", "CDE"]) + str(rng.randint(1000, 9999))
    return Doc(
        number=f"FC26{rng.randint(1000, 99999):06d}",
        issue=issue,
        due=due,
        seller=seller,
        buyer=buyer,
        lines=lines,
        acs=acs,
        po=po,
        meta={
            "client": f"C{rng.randint(10000, 99999)}",
            "rep": rng.choice(["J. Roux", "S. Martin", "Comptoir", "A. Petit"]),
            "chantier": rng.choice(
                ["Résidence Les Tilleuls", "Maison Lacoste", "Groupe scolaire Jean Moulin"]
            ),
            "bl": f"BL26{rng.randint(10000, 99999)}",
            "lcr": n % 2 == 0,
        },
    )


def draw_bt_negoce(doc: Doc, path: Path) -> None:
    s, b = doc.seller, doc.buyer

    def fm(x: Decimal, dec: int = 2) -> str:
        return num(x, "fr", dec, NBSP)

    p = Pdf(path, f"Facture {doc.number}", s.name)
    L, R = 40, W - 40
    y = H - 52
    p.t(L, y, s.name, "Helvetica-Bold", 13)
    p.t(L, y - 13, s.extra["tagline"], "Helvetica-Oblique", 8)
    y -= 15
    for line in [*s.address, f"Tél. {s.extra['tel']}", s.extra["email"]]:
        y -= 10.5
        p.t(L, y, line, "Helvetica", 8.5)
    p.t(R, H - 50, "FACTURE", "Helvetica-Bold", 20, "r")
    cols = [
        Col("N° facture", 78, "c"),
        Col("Date", 58, "c"),
        Col("Code client", 58, "c"),
        Col("Page", 36, "c"),
    ]
    yt = table(
        p,
        R - 230,
        H - 60,
        cols,
        [[doc.number, d_fr(doc.issue), doc.meta["client"], "1/1"]],
        grid=True,
        head_fill=0.87,
        size=8.5,
        head_size=7.5,
    )
    cols = [Col("Votre commande", 92, "c"), Col("Commercial", 68, "c"), Col("Échéance", 70, "c")]
    table(
        p,
        R - 230,
        yt - 6,
        cols,
        [[doc.po or "", doc.meta["rep"], d_fr(doc.due)]],
        grid=True,
        head_fill=0.87,
        size=8.5,
        head_size=7.5,
    )
    yb = H - 175
    p.box(R - 230, yb - 80, 230, 80)
    p.t(R - 224, yb - 11, "Adresse de facturation", "Helvetica-Oblique", 7.5, gray=0.35)
    p.t(R - 224, yb - 25, b.name, "Helvetica-Bold", 10)
    yy = yb - 25
    for line in b.address:
        yy -= 11
        p.t(R - 224, yy, line, "Helvetica", 9)
    if b.vat:
        p.t(R - 224, yy - 14, f"N° TVA : {b.vat}", "Helvetica", 8)
    p.t(L, yb - 11, "Livraison", "Helvetica-Oblique", 7.5, gray=0.35)
    p.t(L, yb - 25, f"Chantier : {doc.meta['chantier']}", "Helvetica", 8.5)
    p.t(L, yb - 36, f"Livré le {d_fr(doc.issue)} – BL n° {doc.meta['bl']}", "Helvetica", 8.5)
    cols = [
        Col("Réf.", 52),
        Col("Désignation", 214),
        Col("Qté", 42, "r"),
        Col("U", 28, "c"),
        Col("PU HT", 50, "r"),
        Col("Rem. %", 36, "r"),
        Col("Montant HT", 63, "r"),
        Col("TVA", 30, "c"),
    ]
    rows = [
        [
            ln.ref,
            ln.desc,
            qty_txt(ln.qty, "fr", 2),
            ln.unit,
            fm(ln.price, price_dec(ln.price)),
            fm(ln.disc) if ln.disc else "",
            fm(ln.amount),
            "1",
        ]
        for ln in doc.lines
    ]
    y = table(
        p, L, yb - 100, cols, rows, grid=True, head_fill=0.85, size=8, wrap=1, lead=10.5, min_rows_height=250
    )
    # VAT summary (left) and totals (right)
    cols = [Col("Code", 34, "c"), Col("Taux", 50, "r"), Col("Base HT", 70, "r"), Col("Montant TVA", 70, "r")]
    vrows = [["1", rate_txt(r), fm(base), fm(v)] for r, base, v in doc.breakdown()]
    table(p, L, y - 12, cols, vrows, grid=True, head_fill=0.92, size=8)
    rows_t = [("Total brut HT", fm(doc.lines_total()), False)]
    rows_t += [(a.reason, ("" if a.is_charge else "-") + fm(a.amount), False) for a in doc.acs]
    rows_t += [("Total net HT", fm(doc.ht), True), ("Total TVA", fm(doc.tva), False)]
    yk = kv(p, R - 200, R - 4, y - 24, rows_t)
    yk -= 5
    p.box(R - 204, yk - 9, 204, 20, fill=0.9)
    p.t(R - 200, yk - 2, "Total TTC", "Helvetica-Bold", 10)
    p.t(R - 4, yk - 2, fm(doc.ttc) + " €", "Helvetica-Bold", 10, "r")
    p.t(R - 200, yk - 24, "Net à payer", "Helvetica", 8.5)
    p.t(R - 4, yk - 24, fm(doc.ttc) + " EUR", "Helvetica", 8.5, "r")
    yp = min(yk - 50, y - 80)
    mode = "LCR directe non acceptée" if doc.meta["lcr"] else "Virement bancaire"
    p.t(L, yp, f"Mode de règlement : {mode} – échéance le {d_fr(doc.due)}", "Helvetica-Bold", 8)
    if not doc.meta["lcr"]:
        p.t(L, yp - 11, f"IBAN : {s.extra['iban']}   BIC : {s.extra['bic']}", "Helvetica", 8)
    p.para(L, yp - 26, PENALTIES[0], R - L, size=7)
    p.para(
        L,
        60,
        "Clause de réserve de propriété : les marchandises restent notre propriété jusqu'au paiement "
        "intégral du prix (loi n° 80-335 du 12 mai 1980).",
        R - L,
        "Helvetica-Oblique",
        6.5,
    )
    p.hl(L, R, 46, 0.4, 0.5)
    p.t(W / 2, 36, fr_legal(s), "Helvetica", 6.3, "c")
    p.save()


# ================================================================== 2. ep_alimentaire
# Food / CHR wholesaler: centred Times letterhead, invoice facts left and customer right, unruled item table
# with a one-digit VAT code column (1 = 5,5 %, 2 = 10 %, 3 = 20 %) explained in the VAT summary, per-rate
# "Remise commerciale" and delivery fee, plain-space thousands.

EP_SELLERS = [
    ("Primeurs & Épicerie du Rhône", "SAS", 150000, "MIN de Lyon – Bât. B", CITIES[0]),
    ("Gastronomie Distribution Ouest", "SARL", 60000, "14 rue de la Fonderie", CITIES[3]),
    (
        "Comptoir Alimentaire Méditerranée",
        "SAS",
        300000,
        "MIN des Arnavaux – 40 chemin du Littoral",
        CITIES[6],
    ),
    ("Les Halles Normandes Distribution", "SARL", 45000, "ZA du Madrillet – 9 rue Ampère", CITIES[11]),
    ("Alsace Restauration Services", "SAS", 200000, "3 rue du Port du Rhin", CITIES[4]),
]
EP_BUYERS = [
    "Brasserie des Halles",
    "Pizzeria Il Forno SARL",
    "Restaurant Le Quai 17",
    "Café de la Gare SNC",
    "Hôtel du Parc SAS",
    "La Table de Margaux",
]
EP_PRODUCTS = {
    R55: [
        ("FAR55", "Farine de blé T55 sac 25 kg", "1 x 25 kg", "17.40"),
        ("BEU82", "Beurre doux 82 % MG plaque 1 kg", "1 kg", "9.85"),
        ("CRE35", "Crème liquide UHT 35 % MG 1 L", "carton 6", "4.62"),
        ("OEU180", "Œufs frais plein air calibre M", "plateau 180", "46.80"),
        ("TOM44", "Tomates pelées boîte 4/4", "carton 6", "2.38"),
        ("HUI5", "Huile de tournesol bidon 5 L", "1 x 5 L", "11.95"),
        ("MOZ1", "Mozzarella fior di latte 1 kg", "1 kg", "8.70"),
        ("JUS1", "Jus d'orange 100 % pur jus 1 L", "carton 6", "2.05"),
        ("PEN5", "Pâtes penne rigate 5 kg", "1 x 5 kg", "9.40"),
        ("JAM4", "Jambon cuit supérieur découenné 4 kg", "pièce", "38.60"),
        ("SUC1", "Sucre semoule 1 kg", "colis 10", "1.21"),
    ],
    R10: [
        ("BOIS1", "Bois de chêne sec pour four à pizza – 1 stère", "stère", "118.00"),
        ("BOISB", "Bûchettes d'allumage hêtre sac 20 dm³", "sac", "6.90"),
    ],
    R20: [
        ("VINCDR", "Côtes du Rhône rouge AOP 75 cl", "carton 6", "5.45"),
        ("BIE30", "Bière blonde pression fût 30 L", "fût", "96.00"),
        ("LVA5", "Liquide vaisselle main bidon 5 L", "1 x 5 L", "7.35"),
        ("BARQ", "Barquettes aluminium 1 L avec couvercles x 100", "carton", "19.80"),
        ("SERV", "Serviettes ouate 2 plis 38 x 38 blanc x 2000", "carton", "27.60"),
        ("FILM", "Film étirable alimentaire 300 m x 45 cm", "rouleau", "8.15"),
    ],
}


def build_ep_alimentaire(rng: random.Random, n: int) -> Doc:
    name, form, cap, street, city = EP_SELLERS[n - 1]
    seller = fr_seller(rng, name, form, cap, street, city, "4639B")
    buyer = fr_buyer(rng, EP_BUYERS[n], siren=n in (2, 5), vat=n in (1, 3))
    issue = rand_date(rng)
    rates = [R55, R10, R20] if n in (1, 3, 5) else [R55, R20]
    lines = []
    for r in rates:
        k = {R55: rng.randint(4, 7), R10: rng.randint(1, 2), R20: rng.randint(2, 4)}[r]
        for ref, desc, cond, price in rng.sample(EP_PRODUCTS[r], k):
            q = D(rng.randint(1, 12)) if r != R10 else D(rng.choice(["1", "2", "0.5"]))
            lines.append(Line(desc, q, D(price), r, ref=ref, unit=cond))
    rng.shuffle(lines)
    acs = []
    if n in (1, 3):
        acs.append(pct_allowance(lines, D(3), "Remise commerciale 3 %"))
    if n == 5:
        acs.append(pct_allowance(lines, D(2), "Remise fidélité 2 %"))
    if n in (2, 3):
        acs.append(AC(True, "Frais de livraison (franco non atteint)", {R20: D("15.00")}))
    return Doc(
        number=f"26-{issue.month:02d}-{rng.randint(100, 999):05d}",
        issue=issue,
        due=issue + timedelta(days=rng.choice([15, 30])),
        seller=seller,
        buyer=buyer,
        lines=lines,
        acs=acs,
        meta={"client": str(rng.randint(41000, 41999)), "tournee": f"{rng.randint(1, 12):02d}"},
    )


EP_CODES = {R55: "1", R10: "2", R20: "3"}


def draw_ep_alimentaire(doc: Doc, path: Path) -> None:
    s, b = doc.seller, doc.buyer

    def fm(x: Decimal) -> str:
        return num(x, "fr", 2, " ")

    p = Pdf(path, f"Facture {doc.number}", s.name)
    L, R = 42, W - 42
    p.t(W / 2, H - 50, s.name.upper(), "Times-Bold", 16, "c")
    p.t(W / 2, H - 64, "Grossiste alimentaire – Distribution CHR", "Times-Italic", 10, "c")
    p.t(W / 2, H - 77, f"{s.address[0]} – {s.address[1]}", "Times-Roman", 9, "c")
    p.t(W / 2, H - 88, f"Tél. {s.extra['tel']} – {s.extra['email']}", "Times-Roman", 9, "c")
    p.hl(L, R, H - 96, 1)
    y = H - 125
    p.t(L, y, f"FACTURE N° {doc.number}", "Times-Bold", 13)
    facts = [
        f"du {d_fr(doc.issue)}",
        f"Client n° : {doc.meta['client']}",
        f"Tournée {doc.meta['tournee']} – livraison du {d_fr(doc.issue)}",
        f"Date d'échéance : {d_fr(doc.due)}",
    ]
    for i, f in enumerate(facts):
        p.t(L, y - 15 - 12 * i, f, "Times-Roman", 10)
    x2 = W / 2 + 40
    p.t(x2, y, "Client", "Times-Italic", 9, gray=0.3)
    p.t(x2, y - 15, b.name, "Times-Bold", 11)
    yy = y - 15
    for line in b.address:
        yy -= 12
        p.t(x2, yy, line, "Times-Roman", 10)
    if b.siren:
        yy -= 12
        p.t(x2, yy, f"SIREN {sp_siren(b.siren)}", "Times-Roman", 9)
    if b.vat:
        yy -= 12
        p.t(x2, yy, f"TVA intracom. {b.vat}", "Times-Roman", 9)
    cols = [
        Col("Code", 48),
        Col("Désignation", 200),
        Col("Colisage", 70),
        Col("Qté", 34, "r"),
        Col("Prix U. HT", 60, "r"),
        Col("Montant HT", 66, "r"),
        Col("T.", 33, "c"),
    ]
    rows = [
        [ln.ref, ln.desc, ln.unit, qty_txt(ln.qty), fm(ln.price), fm(ln.amount), EP_CODES[ln.rate]]
        for ln in doc.lines
    ]
    y = table(
        p,
        L,
        H - 215,
        cols,
        rows,
        font="Times-Roman",
        bold="Times-Bold",
        size=9.5,
        lead=13.5,
        wrap=1,
        rules=False,
    )
    yk = y - 16
    p.t(R - 200, yk, "Total marchandises HT", "Times-Roman", 10)
    p.t(R, yk, fm(doc.lines_total()), "Times-Roman", 10, "r")
    for a in doc.acs:
        yk -= 13
        p.t(R - 200, yk, a.reason, "Times-Roman", 10)
        p.t(R, yk, ("" if a.is_charge else "- ") + fm(a.amount), "Times-Roman", 10, "r")
    cols = [Col("Code TVA", 50, "c"), Col("Taux", 50, "r"), Col("Base HT", 70, "r"), Col("TVA", 60, "r")]
    vrows = [[EP_CODES[r], rate_txt(r), fm(base), fm(v)] for r, base, v in doc.breakdown()]
    table(p, L, y - 10, cols, vrows, font="Times-Roman", bold="Times-Bold", size=9.5, grid=True)
    yk -= 22
    yk = kv(
        p,
        R - 200,
        R,
        yk,
        [("Total HT", fm(doc.ht), True), ("Total TVA", fm(doc.tva), False)],
        font="Times-Roman",
        bold="Times-Bold",
        size=10,
        lead=14,
    )
    p.hl(R - 200, R, yk + 9, 0.8)
    p.t(R - 200, yk - 4, "Total TTC EUR", "Times-Bold", 12)
    p.t(R, yk - 4, fm(doc.ttc), "Times-Bold", 12, "r")
    yp = min(yk - 40, y - 110)
    p.t(L, yp, f"Règlement par prélèvement SEPA le {d_fr(doc.due)}.", "Times-Roman", 9)
    p.para(L, yp - 13, PENALTIES[1], R - L, "Times-Roman", 8)
    p.t(W / 2, 42, fr_legal(s, siret=False), "Times-Roman", 7, "c")
    p.t(
        W / 2,
        33,
        f"SIRET {sp_siret(s.siret)} – Agrément sanitaire FR {sanitary_code(s.siren)} CE",
        "Times-Roman",
        7,
        "c",
    )
    p.save()


def sanitary_code(seed: str) -> str:
    """A stable sanitary-approval-like number derived from the seller's SIREN (decoy digits)."""
    return f"{int(seed[:2]) % 95 + 1:02d}.{int(seed[2:5]):03d}.{int(seed[5:8]):03d}"


# ================================================================== 3. mp_bureau
# Office-supplies distributor, 2-3 pages: running header with "Page i/N", item grid repeated on each page,
# "À reporter" at the foot of a page and "Report" at the top of the next, per-line VAT % (20 and 5,5 for
# books), loyalty discount per rate or a shipping charge, totals and VAT table on the last page only.

MP_SELLERS = [
    ("Papeteries Réunies de l'Ouest", "SAS", 500000, "Parc d'activités de la Lande – 2 rue Monge", CITIES[7]),
    ("Bureau Service Occitanie", "SARL", 75000, "20 avenue de Larrieu", CITIES[2]),
    ("Fournitures Pro Île-de-France SAS", "SAS", 1200000, "7 rue Jules Ferry", CITIES[22]),
    ("Centrale du Bureau Nord", "SAS", 350000, "Parc de la Haute Borne – 4 avenue Halley", CITIES[5]),
    ("Alpes Bureautique Diffusion", "SAS", 220000, "61 cours Berriat", CITIES[14]),
]
MP_BUYERS = [
    "Cabinet d'expertise comptable Morel & Associés",
    "Clinique vétérinaire des Acacias",
    "Agence immobilière Carré Sud SAS",
    "Fondation Saint-Exupéry",
    "Transports Bernard & Fils SAS",
]
MP_ITEMS = [
    ("Ramette papier A4 80 g blanc 500 feuilles", "3.89"),
    ("Ramette papier A3 80 g blanc 500 feuilles", "8.20"),
    ("Stylo bille rétractable bleu pointe moyenne", "0.42"),
    ("Stylo bille rétractable noir pointe moyenne", "0.42"),
    ("Surligneur jaune fluo pointe biseautée", "0.68"),
    ("Crayon graphite HB avec gomme", "0.19"),
    ("Classeur à levier dos 80 mm A4 bleu", "2.35"),
    ("Classeur à levier dos 50 mm A4 noir", "2.29"),
    ("Chemise à élastiques 3 rabats A4 carte", "0.87"),
    ("Intercalaires 12 touches A4 polypropylène", "1.15"),
    ("Pochettes perforées A4 x 100", "3.45"),
    ("Agrafes 26/6 boîte de 5000", "1.62"),
    ("Agrafeuse de bureau 25 feuilles", "9.90"),
    ("Perforateur 2 trous 30 feuilles", "11.50"),
    ("Bloc-notes A4 ligné 80 feuilles", "1.48"),
    ("Cahier spirale 24 x 32 cm 180 pages", "2.95"),
    ("Notes repositionnables 76 x 76 jaune x 12", "6.80"),
    ("Enveloppes DL 110 x 220 fenêtre x 500", "17.40"),
    ("Enveloppes C4 229 x 324 kraft x 250", "23.60"),
    ("Ruban adhésif transparent 19 mm x 33 m x 8", "4.10"),
    ("Ciseaux bureau 21 cm", "3.25"),
    ("Cartouche toner noir compatible TN-2420", "38.90"),
    ("Cartouche jet d'encre couleur XL", "27.45"),
    ("Pile alcaline AA LR6 x 24", "9.60"),
    ("Étiquettes adresse 99,1 x 38,1 mm x 1400", "15.20"),
    ("Correcteur roller 4,2 mm x 10 m", "1.35"),
    ("Marqueur tableau blanc assortis x 4", "3.90"),
    ("Boîte d'archives dos 100 mm kraft", "1.05"),
    ("Corbeille à courrier fumé", "2.70"),
    ("Calculatrice de bureau 12 chiffres", "14.90"),
    ("Lingettes nettoyantes écrans x 100", "5.40"),
    ("Gobelets carton 20 cl x 50", "2.15"),
    ("Café grains 1 kg arabica", "14.80"),
    ("Sucre en morceaux 1 kg", "1.95"),
    ("Essuie-mains pliés x 3750 feuilles", "31.50"),
    ("Gel hydroalcoolique 1 L pompe", "6.95"),
    ("Clé USB 64 Go", "8.40"),
    ("Souris optique filaire USB", "7.90"),
    ("Multiprise 5 prises avec interrupteur", "12.60"),
    ("Parapheur 18 compartiments", "13.80"),
]
MP_BOOKS = [
    ("Livre – Code du travail 2026 (Dalloz)", "79.00"),
    ("Livre – Mémento comptable 2026", "98.00"),
    ("Livre – Guide pratique de la paie 2026", "56.00"),
    ("Dictionnaire Le Petit Robert 2026", "35.00"),
    ("Agenda civil 2027 semainier 21 x 27", "18.50"),
]


def build_mp_bureau(rng: random.Random, n: int) -> Doc:
    name, form, cap, street, city = MP_SELLERS[n - 1]
    seller = fr_seller(rng, name, form, cap, street, city, "4666Z")
    buyer = fr_buyer(rng, MP_BUYERS[n - 1], siren=n in (1, 4), vat=n in (2, 3, 4))
    issue = rand_date(rng)
    count = {1: 34, 2: 58, 3: 45, 4: 80, 5: 41}[n]
    pool = [(d, p, R20) for d, p in MP_ITEMS] * 2
    picks = rng.sample(pool, count - 2) + [(d, p, R55) for d, p in rng.sample(MP_BOOKS[:4], 2)]
    rng.shuffle(picks)
    lines = []
    seen: dict[str, int] = {}
    for desc, price, rate in picks:
        seen[desc] = seen.get(desc, 0) + 1
        ref = f"{abs(hash_str(desc)) % 900000 + 100000}"
        label, unit_price = desc, D(price)
        if seen[desc] > 1:
            label, unit_price, ref = f"{desc} – lot de 5", D(price) * 5, ref + "-5"
        q = D(rng.choice([1, 1, 2, 2, 3, 5, 6, 10, 12, 20, 24, 50]))
        if "Livre" in desc or "Dictionnaire" in desc:
            q = D(rng.randint(1, 3))
        lines.append(Line(label, q, unit_price, rate, ref=ref))
    acs = []
    if n in (2, 4):
        acs.append(pct_allowance(lines, D(2), "Remise fidélité 2 %"))
    if n in (1, 3):
        acs.append(AC(True, "Participation aux frais de port", {R20: D("9.90")}))
    return Doc(
        number=f"FA{issue.strftime('%y%m')}-{rng.randint(1, 9999):04d}",
        issue=issue,
        due=issue + timedelta(days=30),
        seller=seller,
        buyer=buyer,
        lines=lines,
        acs=acs,
        po=f"DA-2026-{rng.randint(100, 9999):04d}" if n != 5 else None,
        buyer_ref=f"CC-{rng.randint(1000, 9999)}" if n in (2, 3, 5) else None,
        meta={"client": f"{rng.randint(200000, 299999)}"},
    )


def hash_str(s: str) -> int:
    h = 7
    for ch in s:
        h = (h * 31 + ord(ch)) % 1000003
    return h


def draw_mp_bureau(doc: Doc, path: Path) -> None:
    s, b = doc.seller, doc.buyer

    def fm(x: Decimal) -> str:
        return num(x, "fr", 2, " ")

    L, R = 36, W - 36
    cols = [
        Col("Réf.", 48),
        Col("Désignation", 252),
        Col("Qté", 36, "r"),
        Col("PU HT €", 56, "r"),
        Col("Montant HT €", 70, "r"),
        Col("TVA %", 61, "c"),
    ]
    cap_first, cap_next, totals_room = 38, 49, 14
    lines, chunks, i = doc.lines, [], 0
    cap = cap_first
    while True:
        rest = len(lines) - i
        if rest <= cap - totals_room:
            chunks.append(lines[i:])
            break
        chunks.append(lines[i : i + cap])
        i += cap
        cap = cap_next
        if i >= len(lines):
            chunks.append([])
            break
    pages = len(chunks)
    p = Pdf(path, f"Facture {doc.number}", s.name)
    running = ZERO
    for pi, chunk in enumerate(chunks, 1):
        p.t(L, H - 34, s.name, "Helvetica-Bold", 9)
        p.t(
            R,
            H - 34,
            f"Facture N° {doc.number} du {d_fr(doc.issue)} – Page {pi}/{pages}",
            "Helvetica",
            8.5,
            "r",
        )
        p.hl(L, R, H - 40, 0.6)
        if pi == 1:
            y = H - 64
            p.t(L, y, s.name, "Helvetica-Bold", 15)
            for k, line in enumerate([*s.address, f"Tél. {s.extra['tel']}", s.extra["email"]]):
                p.t(L, y - 14 - 10.5 * k, line, "Helvetica", 8.5)
            p.box(R - 240, H - 150, 240, 90)
            p.t(R - 232, H - 75, "Facturé à", "Helvetica-Oblique", 8, gray=0.4)
            wy = H - 89
            for part in simpleSplit(b.name, "Helvetica-Bold", 10, 225):
                p.t(R - 232, wy, part, "Helvetica-Bold", 10)
                wy -= 12
            wy -= 1
            for line in b.address:
                p.t(R - 232, wy, line, "Helvetica", 9)
                wy -= 11
            ids = []
            if b.siren:
                ids.append(f"SIREN : {b.siren}")
            if b.vat:
                ids.append(f"TVA : {b.vat}")
            if ids:
                p.t(R - 232, wy - 2, "   ".join(ids), "Helvetica", 7.5)
            p.t(L, H - 172, "FACTURE", "Helvetica-Bold", 16)
            facts = [
                ("N° de facture", doc.number),
                ("Date de facture", d_fr(doc.issue)),
                ("Date d'échéance", d_fr(doc.due)),
                ("N° client", doc.meta["client"]),
            ]
            if doc.po:
                facts.append(("Votre bon de commande", doc.po))
            if doc.buyer_ref:
                facts.append(("Votre référence", doc.buyer_ref))
            for k, (lab, val) in enumerate(facts):
                col, row = k % 3, k // 3
                p.t(L + 175 * col, H - 192 - 22 * row, lab, "Helvetica", 7, gray=0.4)
                p.t(L + 175 * col, H - 202 - 22 * row, val, "Helvetica-Bold", 9)
            top = H - 250
        else:
            top = H - 62
        rows: list = []
        if pi > 1:
            rows.append(["", "Report", "", "", fm(running), ""])
        for ln in chunk:
            rows.append(
                [
                    ln.ref,
                    ln.desc,
                    qty_txt(ln.qty),
                    fm(ln.price),
                    fm(ln.amount),
                    rate_txt(ln.rate, dec=1, space=False),
                ]
            )
            running += ln.amount
        last = pi == pages
        if not last:
            rows.append(["", "À reporter", "", "", fm(running), ""])
        y = table(p, L, top, cols, rows, grid=True, head_fill=0.88, size=8, lead=11)
        if last:
            y -= 14
            cols_v = [Col("Taux TVA", 60, "c"), Col("Base HT", 80, "r"), Col("Montant TVA", 80, "r")]
            vrows = [[rate_txt(r), fm(base), fm(v)] for r, base, v in doc.breakdown()]
            table(p, L, y, cols_v, vrows, grid=True, head_fill=0.93, size=8)
            rows_t = [("Total articles HT", fm(doc.lines_total()), False)]
            rows_t += [(a.reason, ("" if a.is_charge else "-") + fm(a.amount), False) for a in doc.acs]
            rows_t += [("Total HT", fm(doc.ht), True), ("Total TVA", fm(doc.tva), False)]
            yk = kv(p, R - 210, R - 4, y - 10, rows_t, size=8.5)
            yk -= 5
            p.box(R - 214, yk - 8, 214, 20, fill=0.85)
            p.t(R - 210, yk - 1, "Total TTC", "Helvetica-Bold", 10.5)
            p.t(R - 4, yk - 1, fm(doc.ttc) + " €", "Helvetica-Bold", 10.5, "r")
            yp = min(yk - 36, y - 80)
            p.t(
                L,
                yp,
                f"Conditions de paiement : 30 jours date de facture, soit le {d_fr(doc.due)}.",
                "Helvetica",
                8,
            )
            p.t(L, yp - 11, f"Virement : IBAN {s.extra['iban']} – BIC {s.extra['bic']}", "Helvetica", 8)
            p.para(L, yp - 25, PENALTIES[2], R - L, size=7)
        p.hl(L, R, 46, 0.4, 0.5)
        p.t(W / 2, 36, fr_legal(s), "Helvetica", 6.2, "c")
        p.t(W / 2, 27, f"Page {pi}/{pages}", "Helvetica", 6.5, "c")
        p.page()
    p.save()


# ================================================================== 4. en_agency
# English invoice from a French agency: "INVOICE" meta block on the right, "Bill to" left, Description /
# Qty / Rate / Amount, 1,234.56 with £ / $ / €, UK or US dates; 0 % VAT with a reverse-charge (EU buyers)
# or outside-scope (UK, US) note, optional "Discount" line.

EN_SELLERS = [
    ("Studio Lumen SAS", "SAS", 20000, "18 rue Sainte-Catherine", CITIES[0]),
    ("Pixel & Plume SARL", "SARL", 10000, "52 rue de Turenne", CITIES[21]),
    ("Northlight Digital SAS", "SAS", 50000, "3 quai de la Fosse", CITIES[3]),
    ("Atelier Koan SAS", "SAS", 15000, "9 cours Julien", CITIES[6]),
    ("Onze Heures Onze SAS", "SAS", 30000, "27 rue des Arts", CITIES[2]),
]
EN_BUYERS = {
    1: ("Harbour & Finch Ltd", ["14 Albion Street", "Leeds LS1 6AD", "United Kingdom"], "GB", "GBP"),
    2: (
        "Van Leeuwen Retail B.V.",
        ["Keizersgracht 221", "1016 DV Amsterdam", "The Netherlands"],
        "NL",
        "EUR",
    ),
    3: (
        "Bluegrass Outdoor Co.",
        ["410 West Main Street, Suite 300", "Louisville, KY 40202", "USA"],
        "US",
        "USD",
    ),
    4: ("Corrib Software Ltd", ["Unit 5, Galway Technology Park", "Galway H91 X2FT", "Ireland"], "IE", "EUR"),
    5: ("Thistle Foods plc", ["88 George Street", "Edinburgh EH2 3BU", "United Kingdom"], "GB", "GBP"),
}
EN_SERVICES = [
    ("Brand identity workshop (2 half-day sessions)", "1", "2400.00"),
    ("UX research – user interviews and synthesis", "6", "650.00"),
    ("UI design – mobile app, sprint {s}", "8.5", "620.00"),
    ("Front-end development (React) – {m}", "14", "580.00"),
    ("Project management", "3", "550.00"),
    ("Motion design – product teaser (45 s)", "1", "3200.00"),
    ("Copywriting – landing pages EN/FR (per page)", "5", "280.00"),
    ("Website hosting & maintenance – Q{q} 2026", "1", "1350.00"),
    ("Stock photography licences", "12", "39.00"),
    ("SEO audit and recommendations", "1", "1800.00"),
    ("Design system documentation", "4", "600.00"),
]
CUR_SIGN = {"GBP": "£", "USD": "$", "EUR": "€"}


def build_en_agency(rng: random.Random, n: int) -> Doc:
    name, form, cap, street, city = EN_SELLERS[n - 1]
    seller = fr_seller(rng, name, form, cap, street, city, "7311Z")
    bname, baddr, cc, cur = EN_BUYERS[n]
    bvat = {"GB": gb_number, "US": lambda r: None}.get(cc, lambda r: foreign_vat(r, cc))(rng)
    buyer = Party(bname, baddr, vat=bvat, extra={"cc": cc})
    issue = rand_date(rng)
    lines = []
    for desc, q, price in rng.sample(EN_SERVICES, rng.randint(3, 6)):
        desc = desc.format(
            s=rng.randint(2, 6), m=MONTHS[(issue.month - 2) % 12] + " 2026", q=(issue.month - 1) // 3 + 1
        )
        lines.append(Line(desc, D(q), D(price), R0))
    acs = (
        [AC(False, "Discount (5%)", {R0: q2(sum((ln.amount for ln in lines), ZERO) * 5 / 100)})]
        if n in (2, 5)
        else []
    )
    return Doc(
        number=f"INV-{issue.year}-{rng.randint(40, 400):04d}",
        issue=issue,
        due=issue + timedelta(days=rng.choice([14, 30, 45])),
        seller=seller,
        buyer=buyer,
        lines=lines,
        acs=acs,
        currency=cur,
        po=f"PO-{rng.randint(10000, 99999)}" if n in (1, 3, 4) else None,
        buyer_ref=rng.choice(["Marketing – Q4 campaign", "Project Atlas", "IT/2026/118"])
        if n in (2, 3)
        else None,
        line_rates_shown=False,
    )


def draw_en_agency(doc: Doc, path: Path) -> None:
    s, b = doc.seller, doc.buyer
    sign = CUR_SIGN[doc.currency]
    us = b.extra["cc"] == "US"
    dt = d_us if us else d_uk

    def fm(x: Decimal) -> str:
        return ("-" if x < 0 else "") + sign + num(abs(x), "en")

    p = Pdf(path, f"Invoice {doc.number}", s.name)
    L, R = 50, W - 50
    p.box(0, H - 8, W, 8, rgb=(0.12, 0.2, 0.35), stroke=False)
    p.t(L, H - 60, s.name, "Helvetica-Bold", 16)
    for k, line in enumerate([*s.address, "France", s.extra["email"]]):
        p.t(L, H - 76 - 11 * k, line, "Helvetica", 8.5, gray=0.25)
    p.t(R, H - 60, "INVOICE", "Helvetica-Bold", 22, "r")
    meta = [("Invoice No.", doc.number), ("Invoice date", dt(doc.issue)), ("Due date", dt(doc.due))]
    if doc.po:
        meta.append(("PO number", doc.po))
    if doc.buyer_ref:
        meta.append(("Your reference", doc.buyer_ref))
    for k, (lab, val) in enumerate(meta):
        p.t(R - 215, H - 84 - 13 * k, lab, "Helvetica", 8.5, gray=0.4)
        p.t(R, H - 84 - 13 * k, val, "Helvetica", 8.5, "r")
    y = H - 180
    p.t(L, y, "BILL TO", "Helvetica-Bold", 8, gray=0.4)
    p.t(L, y - 15, b.name, "Helvetica-Bold", 10.5)
    for k, line in enumerate(b.address):
        p.t(L, y - 28 - 11 * k, line, "Helvetica", 9)
    if b.vat:
        p.t(L, y - 30 - 11 * len(b.address), f"VAT No. {b.vat}", "Helvetica", 8.5)
    cols = [Col("Description", 285), Col("Qty", 50, "r"), Col("Rate", 80, "r"), Col("Amount", 80, "r")]
    rows = [[ln.desc, qty_txt(ln.qty, "en"), fm(ln.price), fm(ln.amount)] for ln in doc.lines]
    y = table(p, L, H - 275, cols, rows, size=9, head_size=8, lead=13, rules=True, wrap=0, pad=4)
    rows_t = [("Subtotal", fm(doc.lines_total()), False)]
    rows_t += [(a.reason, fm(-a.amount), False) for a in doc.acs]
    rows_t += [("VAT (0%)", fm(ZERO), False)]
    yk = kv(p, R - 180, R - 4, y - 18, rows_t, size=9, lead=14)
    yk -= 5
    p.box(R - 184, yk - 9, 184, 22, rgb=(0.12, 0.2, 0.35), stroke=False)
    p.c.setFillGray(1)
    p.c.setFont("Helvetica-Bold", 10.5)
    p.c.drawString(R - 178, yk - 2, f"Total due ({doc.currency})")
    p.c.drawRightString(R - 4, yk - 2, fm(doc.ttc))
    p.c.setFillGray(0)
    yn = yk - 45
    if b.extra["cc"] in ("NL", "IE"):
        note = (
            "Reverse charge: VAT to be accounted for by the recipient under Article 196 of Council "
            "Directive 2006/112/EC (autoliquidation)."
        )
    else:
        note = (
            "VAT not applicable – services supplied to a business established outside the EU "
            "(article 259-1 of the French General Tax Code)."
        )
    yn = p.para(L, yn, note, R - L, "Helvetica-Oblique", 8.5)
    p.t(L, yn - 10, "Payment details", "Helvetica-Bold", 9)
    p.t(L, yn - 23, f"Bank transfer – IBAN {s.extra['iban']} – BIC {s.extra['bic']}", "Helvetica", 8.5)
    p.t(L, yn - 35, f"Please quote {doc.number} with your payment.", "Helvetica", 8.5)
    p.para(
        L,
        yn - 52,
        "Late payment: interest at three times the French legal rate plus a fixed recovery fee "
        "of EUR 40 (art. L441-10 French Commercial Code). No discount for early payment.",
        R - L,
        size=7.5,
    )
    p.hl(L, R, 52, 0.4, 0.6)
    legal = (
        f"{s.name} – simplified joint-stock company (SAS) with a share capital of EUR "
        f"{num(D(s.extra['capital']), 'en', 0)} – RCS {s.extra['greffe']} {sp_siren(s.siren)}"
    )
    if s.extra["form"] == "SARL":
        legal = legal.replace("simplified joint-stock company (SAS)", "limited liability company (SARL)")
    p.t(W / 2, 40, legal, "Helvetica", 7, "c")
    p.t(W / 2, 30, f"SIRET {s.siret} – VAT No. {s.vat}", "Helvetica", 7, "c")
    p.save()


# ================================================================== 5. be_fournisseur
# Belgian supplier (French-speaking): grey "FACTURE" band, 1.234,56 amounts, dd-mm-yyyy dates, "HTVA" /
# "TVAC", 21 % and 6 % per line, structured communication +++xxx/xxxx/xxxxx+++, enterprise number and RPM;
# one intra-community supply to a French buyer (autoliquidation, art. 39bis).

BE_SELLERS = [
    ("Mosa Distribution SRL", ["Quai de Rome 52", "4000 Liège", "Belgique"], "Liège, division Liège"),
    (
        "Hainaut Fournitures Boulangerie SA",
        ["Rue de la Providence 118", "6030 Charleroi", "Belgique"],
        "Hainaut, division Charleroi",
    ),
    (
        "Ardenne Saveurs SRL",
        ["Route de Bastogne 7", "6900 Marche-en-Famenne", "Belgique"],
        "Liège, division Marche-en-Famenne",
    ),
    ("Brabant Pro Horeca SA", ["Avenue Reine Astrid 233", "1300 Wavre", "Belgique"], "Brabant wallon"),
    (
        "Namur Gastro Services SRL",
        ["Chaussée de Louvain 410", "5020 Namur", "Belgique"],
        "Liège, division Namur",
    ),
]
BE_BUYERS = [
    ("Boulangerie Dumont SRL", ["Rue Saint-Gilles 12", "4000 Liège"]),
    ("Pâtisserie Lejeune SRL", ["Grand-Rue 87", "6000 Charleroi"]),
    ("Taverne du Perron SRL", ["Place du Marché 3", "4500 Huy"]),
    ("Pâtisserie Vauban SARL", ["21 rue Esquermoise", "59000 Lille", "France"]),
    ("Hôtel des Ardennes SA", ["Rue de la Gare 1", "6830 Bouillon"]),
]
BE_PRODUCTS = {
    R6: [
        ("100234", "Farine de froment type 55 – sac 25 kg", "19.80"),
        ("100871", "Chocolat de couverture noir 70 % – 5 kg", "61.50"),
        ("101120", "Beurre pâtissier 82 % – 10 kg", "88.40"),
        ("101455", "Sucre fin cristallisé – 25 kg", "27.25"),
        ("102030", "Levure fraîche – 500 g x 10", "12.90"),
        ("102177", "Confiture extra framboises – seau 5 kg", "24.60"),
        ("103402", "Amandes effilées – 1 kg", "13.75"),
    ],
    R21: [
        ("500310", "Moule à cake anti-adhésif 30 cm", "11.40"),
        ("500722", "Papier cuisson siliconé 40 x 60 – 500 feuilles", "34.90"),
        ("501005", "Boîtes à tartes carton 28 cm – 100 pièces", "29.50"),
        ("501390", "Dégraissant cuisine professionnel – 5 L", "16.80"),
        ("502210", "Poche à douille jetable 53 cm – 100 pièces", "9.95"),
    ],
}


def build_be_fournisseur(rng: random.Random, n: int) -> Doc:
    sname, saddr, rpm = BE_SELLERS[n - 1]
    svat = be_vat(rng)
    seller = Party(
        sname, saddr, vat=svat, extra={"rpm": rpm, "iban": be_iban(rng), "tel": phone(rng, "+32 4")}
    )
    bname, baddr = BE_BUYERS[n - 1]
    intra = n == 4
    buyer = Party(bname, baddr, vat=fr_vat(new_siren(rng)) if intra else be_vat(rng))
    issue = rand_date(rng)
    lines = []
    for r in (R6, R21):
        for ref, desc, price in rng.sample(BE_PRODUCTS[r], rng.randint(2, 4)):
            lines.append(
                Line(
                    desc,
                    D(rng.randint(1, 15)),
                    D(price),
                    R0 if intra else r,
                    ref=ref,
                    disc=D(rng.choice(["0", "0", "5", "10"])),
                )
            )
    acs = []
    if n == 2:
        acs.append(AC(True, "Frais de transport", {R21: D("35.00")}))
    if n == 3:
        acs.append(pct_allowance(lines, D(2), "Remise 2 %"))
    if n == 4:
        acs.append(AC(True, "Frais de transport", {R0: D("120.00")}))
    return Doc(
        number=f"2026/{rng.randint(100, 2999):05d}",
        issue=issue,
        due=issue + timedelta(days=30),
        seller=seller,
        buyer=buyer,
        lines=lines,
        acs=acs,
        buyer_ref=f"Cde {rng.randint(100, 999)}/{issue.month:02d}" if n in (1, 3, 5) else None,
        meta={"comm": be_structured(rng), "client": f"{rng.randint(1000, 9999)}"},
    )


def draw_be_fournisseur(doc: Doc, path: Path) -> None:
    s, b = doc.seller, doc.buyer

    def fm(x: Decimal) -> str:
        return num(x, "de")

    def dd(d: date) -> str:
        return d.strftime("%d-%m-%Y")

    intra = b.vat.startswith("FR")
    p = Pdf(path, f"Facture {doc.number}", s.name)
    L, R = 45, W - 45
    p.t(L, H - 55, s.name, "Helvetica-Bold", 14)
    for k, line in enumerate([*s.address, f"Tél. {s.extra['tel']}", f"TVA BE {be_dotted(s.vat)}"]):
        p.t(L, H - 70 - 10.5 * k, line, "Helvetica", 8.5)
    x2 = W / 2 + 30
    p.t(x2, H - 110, b.name, "Helvetica-Bold", 10.5)
    for k, line in enumerate(b.address):
        p.t(x2, H - 123 - 11.5 * k, line, "Helvetica", 9.5)
    p.t(x2, H - 128 - 11.5 * len(b.address), f"N° TVA : {b.vat}", "Helvetica", 8.5)
    p.box(L, H - 205, R - L, 22, fill=0.82, stroke=False)
    p.t(L + 8, H - 198, "FACTURE", "Helvetica-Bold", 13)
    facts = [
        ("Facture n°", doc.number),
        ("Date", dd(doc.issue)),
        ("Échéance", dd(doc.due)),
        ("N° client", doc.meta["client"]),
    ]
    if doc.buyer_ref:
        facts.append(("Votre réf.", doc.buyer_ref))
    for k, (lab, val) in enumerate(facts):
        p.t(L + 8 + 102 * k, H - 222, lab, "Helvetica", 7.5, gray=0.35)
        p.t(L + 8 + 102 * k, H - 233, val, "Helvetica-Bold", 9)
    cols = [
        Col("Article", 46),
        Col("Description", 196),
        Col("Qté", 34, "r"),
        Col("Prix unit.", 58, "r"),
        Col("Rem.", 36, "r"),
        Col("TVA", 40, "r"),
        Col("Total HTVA", 95, "r"),
    ]
    rows = [
        [
            ln.ref,
            ln.desc,
            qty_txt(ln.qty),
            fm(ln.price),
            f"{ln.disc:.0f}%" if ln.disc else "",
            f"{ln.rate:.0f}%",
            fm(ln.amount),
        ]
        for ln in doc.lines
    ]
    y = table(p, L, H - 250, cols, rows, grid=True, head_fill=0.9, size=8.5, lead=11.5, wrap=1)
    for a in doc.acs:
        y -= 13
        p.t(L + 49, y, a.reason, "Helvetica", 8.5)
        p.t(R - 3, y, ("" if a.is_charge else "-") + fm(a.amount), "Helvetica", 8.5, "r")
    cols = [Col("Taux", 45, "r"), Col("Base HTVA", 75, "r"), Col("TVA", 65, "r")]
    vrows = [[f"{r:.0f}%", fm(base), fm(v)] for r, base, v in doc.breakdown()]
    table(p, L, y - 14, cols, vrows, head_fill=0.93, size=8.5)
    yk = kv(
        p,
        R - 180,
        R - 3,
        y - 26,
        [("Total HTVA", fm(doc.ht), False), ("Total TVA", fm(doc.tva), False)],
        size=9,
        lead=14,
    )
    p.hl(R - 180, R, yk + 9, 0.8)
    p.t(R - 180, yk - 4, "Total TVAC", "Helvetica-Bold", 11)
    p.t(R - 3, yk - 4, fm(doc.ttc) + " EUR", "Helvetica-Bold", 11, "r")
    yp = min(yk - 40, y - 95)
    if intra:
        yp = (
            p.para(
                L,
                yp,
                "Autoliquidation – Livraison intracommunautaire exonérée de TVA, article 39bis du Code de "
                "la TVA belge ; TVA due par l'acquéreur (art. 138 de la directive 2006/112/CE).",
                R - L,
                "Helvetica-Bold",
                8,
            )
            - 6
        )
    p.t(
        L,
        yp,
        f"À payer au plus tard le {dd(doc.due)} sur le compte {s.extra['iban']} (BIC GKCCBEBB)",
        "Helvetica",
        8.5,
    )
    p.t(L, yp - 12, f"avec la communication structurée {doc.meta['comm']}", "Helvetica-Bold", 8.5)
    p.para(
        L,
        yp - 30,
        "En cas de non-paiement à l'échéance, un intérêt de retard au taux légal applicable aux "
        "transactions commerciales ainsi qu'une indemnité forfaitaire de 40 EUR sont dus de plein droit "
        "(loi du 2 août 2002).",
        R - L,
        size=7,
    )
    p.hl(L, R, 48, 0.4, 0.5)
    p.t(
        W / 2,
        37,
        f"{s.name} – {s.address[0]}, {s.address[1]} – N° d'entreprise {be_dotted(s.vat)} – "
        f"RPM {s.extra['rpm']}",
        "Helvetica",
        6.8,
        "c",
    )
    p.save()


# ================================================================== 6. conseil
# Consulting / IT services: long French dates ("Paris, le 5 novembre 2026", "1er"), contract + PO + buyer
# reference block, Prestation / Période ("du 01/10/2026 au 31/10/2026") / Jours / TJM, single 20 %,
# optional contractual discount, IBAN, 40 € indemnity.

CS_SELLERS = [
    ("Altimeo Conseil", "SAS", 40000, "24 rue de la Chaussée d'Antin", CITIES[21], "7022Z"),
    ("Nexalis Ingénierie SAS", "SAS", 150000, "5 place Bellecour", CITIES[0], "6202A"),
    ("Cabinet Arpège Finance", "SARL", 20000, "11 allées de Tourny", CITIES[1], "7022Z"),
    ("Solvane Data", "SAS", 75000, "Immeuble Le Quadrille – 19 rue Jacqueline Auriol", CITIES[7], "6202A"),
    ("Orféo Transformation", "SAS", 100000, "40 rue du Président Édouard Herriot", CITIES[0], "7022Z"),
]
CS_BUYERS = [
    "Banque Régionale du Centre-Ouest",
    "Mutuelle Santé Horizon",
    "Groupe Valmont Industries SA",
    "Caisse de Retraite des Artisans du Nord",
    "Laboratoires Serrano SAS",
]
CS_ROLES = [
    ("Assistance technique – Chef de projet senior", "850.00"),
    ("Assistance technique – Développeur Java confirmé", "540.00"),
    ("Expertise cybersécurité – revue d'architecture", "1150.00"),
    ("Conseil en organisation – directeur de mission", "1400.00"),
    ("Conduite du changement – consultant senior", "920.00"),
    ("Data engineering – consultant confirmé", "640.00"),
    ("Business analyst – lot facturation", "610.00"),
]
FIRSTS = ["J. Moreau", "C. Nguyen", "L. Bertrand", "A. Haddad", "M. Lemoine", "S. Carvalho", "T. Lambert"]


def build_conseil(rng: random.Random, n: int) -> Doc:
    name, form, cap, street, city, ape = CS_SELLERS[n - 1]
    seller = fr_seller(rng, name, form, cap, street, city, ape)
    buyer = fr_buyer(rng, CS_BUYERS[n - 1], siren=n in (1, 3), vat=n in (1, 2, 4))
    month = rng.randint(1, 10)
    start, end = date(2026, month, 1), end_of_month(date(2026, month, 1))
    issue = end + timedelta(days=rng.randint(1, 6))
    while issue.weekday() >= 5:
        issue += timedelta(days=1)
    if n == 2:
        issue = date(2026, month + 1, 1)
    lines = []
    for role, price in rng.sample(CS_ROLES, rng.randint(2, 4)):
        days = D(rng.choice(["18", "19.5", "20", "21", "12", "8.5", "15"]))
        desc = f"{role} ({rng.choice(FIRSTS)})"
        lines.append(Line(desc, days, D(price), R20, info={"period": (start, end)}))
    if n in (1, 4):
        lines.append(
            Line(
                "Frais de déplacement – forfait mensuel",
                D(1),
                D(rng.choice(["380.00", "612.40"])),
                R20,
                info={"period": (start, end)},
            )
        )
    acs = (
        [AC(False, "Remise contractuelle 5 %", {R20: q2(sum((ln.amount for ln in lines), ZERO) * 5 / 100)})]
        if n == 3
        else []
    )
    return Doc(
        number=f"F{issue.year}-{rng.randint(100, 999):04d}",
        issue=issue,
        due=issue + timedelta(days=rng.choice([30, 45, 60])),
        seller=seller,
        buyer=buyer,
        lines=lines,
        acs=acs,
        po=f"45{rng.randint(10**7, 10**8 - 1)}" if n != 5 else None,
        buyer_ref=rng.choice(["DSI/PROJ-ATLAS", "DAF-2026-017", "Programme Horizon 2027", "RH/SIRH-22"])
        if n in (1, 2, 5)
        else None,
        line_rates_shown=False,
        meta={
            "contract": f"CC-{rng.randint(2023, 2025)}-{rng.randint(1, 99):03d}",
            "attn": rng.choice(FIRSTS),
        },
    )


def draw_conseil(doc: Doc, path: Path) -> None:
    s, b = doc.seller, doc.buyer

    def fm(x: Decimal) -> str:
        return num(x, "fr", 2, " ") + " €"

    p = Pdf(path, f"Facture {doc.number}", s.name)
    L, R = 55, W - 55
    p.box(L, H - 44, 6, 30, rgb=(0.1, 0.3, 0.55), stroke=False)
    p.t(L + 14, H - 30, s.name, "Helvetica-Bold", 15)
    p.t(L + 14, H - 43, f"{s.address[0]} – {s.address[1]}", "Helvetica", 8.5, gray=0.3)
    p.t(R, H - 90, f"{s.extra['town']}, le {d_long(doc.issue)}", "Helvetica", 9.5, "r")
    x2 = W / 2 + 20
    p.t(x2, H - 120, b.name, "Helvetica-Bold", 10)
    p.t(x2, H - 133, f"À l'attention de {doc.meta['attn']}", "Helvetica", 9)
    p.t(x2, H - 145, "Service comptabilité fournisseurs", "Helvetica", 9)
    for k, line in enumerate(b.address):
        p.t(x2, H - 157 - 12 * k, line, "Helvetica", 9)
    yb = H - 157 - 12 * len(b.address)
    if b.siren:
        p.t(x2, yb - 2, f"SIREN {sp_siren(b.siren)}", "Helvetica", 8)
        yb -= 11
    if b.vat:
        p.t(x2, yb - 2, f"N° TVA intracommunautaire : {b.vat}", "Helvetica", 8)
    y = H - 240
    p.t(L, y, f"FACTURE N° {doc.number}", "Helvetica-Bold", 14)
    refs = [f"Contrat cadre n° {doc.meta['contract']}"]
    if doc.po:
        refs.append(f"Bon de commande n° {doc.po}")
    if doc.buyer_ref:
        refs.append(f"Votre référence : {doc.buyer_ref}")
    for k, ref in enumerate(refs):
        p.t(L, y - 17 - 12 * k, ref, "Helvetica", 9)
    start, end = doc.lines[0].info["period"]
    p.t(
        L,
        y - 17 - 12 * len(refs),
        f"Objet : prestations du mois de {MOIS[start.month - 1]} {start.year}",
        "Helvetica",
        9,
    )
    cols = [
        Col("Prestation", 185),
        Col("Période", 105),
        Col("Jours", 40, "r"),
        Col("TJM HT", 70, "r"),
        Col("Montant HT", 85, "r"),
    ]
    rows = [
        [ln.desc, f"du {start:%d/%m/%Y} au {end:%d/%m/%Y}", qty_txt(ln.qty), fm(ln.price), fm(ln.amount)]
        for ln in doc.lines
    ]
    y = table(
        p,
        L,
        y - 40 - 12 * len(refs),
        cols,
        rows,
        size=8.5,
        lead=11,
        rules=True,
        wrap=0,
        pad=4,
        head_fill=0.92,
    )
    rows_t = [(a.reason, "- " + fm(a.amount), False) for a in doc.acs]
    rows_t = [("Sous-total HT", fm(doc.lines_total()), False), *rows_t] if doc.acs else []
    rows_t += [
        ("Total HT", fm(doc.ht), True),
        ("TVA 20 %", fm(doc.tva), False),
        ("Total TTC", fm(doc.ttc), True),
    ]
    yk = kv(p, R - 190, R - 4, y - 20, rows_t, size=9.5, lead=15)
    p.hl(R - 190, R, yk + 26, 0.6)
    yp = yk - 14
    p.t(L, yp, f"Échéance : {d_long(doc.due)}", "Helvetica-Bold", 9)
    p.t(
        L,
        yp - 13,
        f"Règlement par virement – IBAN {s.extra['iban']} – BIC {s.extra['bic']}",
        "Helvetica",
        8.5,
    )
    p.para(L, yp - 30, PENALTIES[0], R - L, size=7.5)
    p.hl(L, R, 50, 0.4, 0.6)
    p.t(W / 2, 40, fr_legal(s, siret=False), "Helvetica", 6.8, "c")
    p.t(
        W / 2,
        31,
        f"SIRET {sp_siret(s.siret)} – Tél. {s.extra['tel']} – {s.extra['email']}",
        "Helvetica",
        6.8,
        "c",
    )
    p.save()


# ================================================================== 7. ue_industrie
# French manufacturer to an EU business: bilingual FR/EN headings, "Facturé à / Invoice to" and "Livré à /
# Delivery address" side by side, ruled header table with Incoterm, HS code column, ISO dates, freight and
# packing charges, 0 % "Exonération de TVA, art. 262 ter I du CGI", buyer VAT from DE/IT/ES/AT/PL.

UE_SELLERS = [
    (
        "Mécanique de Précision Savoyarde",
        "SAS",
        800000,
        "ZI des Grands Prés – 120 rue des Horlogers",
        ("74300", "Cluses", "Annecy", "04"),
    ),
    (
        "Techniplast Jura SAS",
        "SAS",
        1500000,
        "Plastics Vallée – 8 rue de la Sous-Préfecture",
        ("01100", "Oyonnax", "Bourg-en-Bresse", "04"),
    ),
    (
        "Fonderie Ardennaise",
        "SA",
        2400000,
        "Zone industrielle de Mohon",
        ("08000", "Charleville-Mézières", "Sedan", "03"),
    ),
    (
        "Hydraulique du Forez",
        "SAS",
        600000,
        "15 rue de la Talaudière",
        ("42000", "Saint-Étienne", "Saint-Étienne", "04"),
    ),
    (
        "Visserie Industrielle Lorraine",
        "SAS",
        350000,
        "Parc d'activités du Saintois",
        ("54000", "Nancy", "Nancy", "03"),
    ),
]
UE_BUYERS = [
    ("Brenner Antriebstechnik GmbH", ["Industriestraße 14", "70565 Stuttgart", "Allemagne / Germany"], "DE"),
    (
        "Officine Meccaniche Rinaldi S.r.l.",
        ["Via dell'Artigianato 22", "25030 Castel Mella (BS)", "Italie / Italy"],
        "IT",
    ),
    (
        "Componentes Levante S.L.",
        [
            "Polígono Industrial Fuente del Jarro",
            "Calle Ciudad de Sevilla 40",
            "46988 Paterna (Valencia)",
            "Espagne / Spain",
        ],
        "ES",
    ),
    ("Huber Maschinenbau GmbH", ["Gewerbepark 3", "4600 Wels", "Autriche / Austria"], "AT"),
    ("Zaklady Metalowe Nowak Sp. z o.o.", ["ul. Przemysłowa 17", "61-001 Poznan", "Pologne / Poland"], "PL"),
]
UE_PRODUCTS = [
    ("MP-20417", "Axe rectifié Ø20 h6 L=240 / Ground shaft", "84834021", "18.60"),
    ("MP-31002", "Bague bronze autolubrifiante 25x30x20 / Bushing", "84833080", "4.35"),
    ("TP-5510", "Carter injecté PA6 GF30 / Injected housing", "39269097", "2.87"),
    ("FA-0880", "Pièce de fonderie GS 400 usinée / Ductile iron casting", "73251000", "46.20"),
    ("HY-7730", "Vérin hydraulique double effet 50/28 course 200 / Cylinder", "84122120", "312.00"),
    ("HY-7810", "Distributeur 4/3 CETOP 3 24 V DC / Directional valve", "84812010", "178.50"),
    ("VL-M8x30", "Vis CHC M8x30 classe 12.9 zinguée (cent) / Socket screw", "73181562", "14.90"),
    ("VL-EC10", "Écrou frein M10 classe 8 (cent) / Lock nut", "73181630", "6.75"),
    ("MP-40990", "Plaque de fixation acier S355 usinée / Mounting plate", "73269098", "27.40"),
    ("TP-6120", "Joint torique NBR 70 ShA 32x3 (cent) / O-ring", "40169300", "11.20"),
]


def build_ue_industrie(rng: random.Random, n: int) -> Doc:
    name, form, cap, street, city = UE_SELLERS[n - 1]
    seller = fr_seller(rng, name, form, cap, street, city, "2562B")
    bname, baddr, cc = UE_BUYERS[n - 1]
    buyer = Party(bname, baddr, vat=foreign_vat(rng, cc), extra={"cc": cc})
    issue = rand_date(rng)
    lines = []
    for ref, desc, hs, price in rng.sample(UE_PRODUCTS, rng.randint(3, 7)):
        q = (
            D(rng.choice([10, 20, 25, 40, 50, 100, 150, 200, 500]))
            if D(price) < 50
            else D(rng.randint(2, 24))
        )
        lines.append(Line(desc, q, D(price), R0, ref=ref, info={"hs": hs}))
    acs = [
        AC(True, "Frais de transport / Freight", {R0: D(rng.choice(["185.00", "240.00", "312.50", "96.00"]))})
    ]
    if n in (2, 4):
        acs.append(AC(True, "Emballage / Packing", {R0: D(rng.choice(["35.00", "48.00"]))}))
    return Doc(
        number=f"FE{issue.year % 100}{rng.randint(10000, 99999)}",
        issue=issue,
        due=issue + timedelta(days=rng.choice([30, 60])),
        seller=seller,
        buyer=buyer,
        lines=lines,
        acs=acs,
        po=f"{rng.randint(4500000000, 4599999999)}" if n != 3 else f"PED-{rng.randint(1000, 9999)}/26",
        line_rates_shown=False,
        meta={
            "client": f"EX{rng.randint(1000, 9999)}",
            "incoterm": rng.choice(["DAP", "FCA Cluses", "EXW", "CPT"]),
            "weight": rng.randint(40, 900),
            "delivery": rng.random() < 0.5,
        },
    )


def draw_ue_industrie(doc: Doc, path: Path) -> None:
    s, b = doc.seller, doc.buyer

    def fm(x: Decimal) -> str:
        return num(x, "fr", 2, " ")

    p = Pdf(path, f"Facture {doc.number}", s.name)
    L, R = 40, W - 40
    p.t(L, H - 50, s.name.upper(), "Helvetica-Bold", 13)
    for k, line in enumerate([*s.address, "France", f"Tél. +33 {s.extra['tel'][1:]} – {s.extra['email']}"]):
        p.t(L, H - 64 - 10 * k, line, "Helvetica", 8)
    p.t(L, H - 108, f"N° TVA / VAT No. : {s.vat}", "Helvetica-Bold", 8)
    p.t(L, H - 118, f"EORI : {s.vat[:2]}{s.siret}", "Helvetica", 8)
    p.t(R, H - 52, "FACTURE / INVOICE", "Helvetica-Bold", 16, "r")
    cols = [
        Col("N° facture\nInvoice No.", 80, "c"),
        Col("Date\nDate", 70, "c"),
        Col("Échéance\nDue date", 70, "c"),
    ]
    table(
        p,
        R - 220,
        H - 62,
        cols,
        [[doc.number, doc.issue.isoformat(), doc.due.isoformat()]],
        grid=True,
        head_fill=0.88,
        size=8.5,
        head_size=7,
    )
    y = H - 140
    half = (R - L) / 2
    for k, (title, lines_) in enumerate(
        [
            ("Facturé à / Invoice to", [b.name, *b.address, f"N° TVA / VAT No. : {b.vat}"]),
            (
                "Livré à / Delivery address",
                [b.name, *(["Wareneingang – Tor 4"] if doc.meta["delivery"] else []), *b.address],
            ),
        ]
    ):
        x = L + k * (half + 10)
        p.box(x, y - 86, half - 10, 86)
        p.t(x + 6, y - 11, title, "Helvetica-Bold", 8, gray=0.3)
        for j, line in enumerate(lines_):
            p.t(x + 6, y - 25 - 10.5 * j, line, "Helvetica-Bold" if j == 0 else "Helvetica", 8.5)
    cols = [
        Col("N° client\nCustomer No.", 80, "c"),
        Col("Votre commande\nYour order", 115, "c"),
        Col("Incoterm", 80, "c"),
        Col("Poids net\nNet weight", 80, "c"),
        Col("Devise\nCurrency", 60, "c"),
        Col("Paiement\nPayment", 100, "c"),
    ]
    days = (doc.due - doc.issue).days
    yt = table(
        p,
        L,
        y - 100,
        cols,
        [
            [
                doc.meta["client"],
                doc.po,
                doc.meta["incoterm"],
                f"{doc.meta['weight']} kg",
                "EUR",
                f"{days} jours / days",
            ]
        ],
        grid=True,
        head_fill=0.9,
        size=8.5,
        head_size=7,
    )
    cols = [
        Col("Réf.\nItem", 58),
        Col("Désignation / Description", 227),
        Col("Code NC\nHS code", 55, "c"),
        Col("Qté\nQty", 40, "r"),
        Col("PU HT\nUnit price", 60, "r"),
        Col("Montant HT\nAmount", 75, "r"),
    ]
    rows = [
        [ln.ref, ln.desc, ln.info["hs"], qty_txt(ln.qty), fm(ln.price), fm(ln.amount)] for ln in doc.lines
    ]
    y = table(
        p,
        L,
        yt - 14,
        cols,
        rows,
        grid=True,
        head_fill=0.88,
        size=8,
        head_size=7,
        lead=11,
        wrap=1,
        min_rows_height=180,
    )
    rows_t = [("Total marchandises / Goods", fm(doc.lines_total()), False)]
    rows_t += [(a.reason, fm(a.amount), False) for a in doc.acs]
    rows_t += [
        ("Total HT / Total excl. VAT", fm(doc.ht), True),
        ("TVA / VAT 0 %", fm(doc.tva), False),
    ]
    yk = kv(p, R - 230, R - 4, y - 16, rows_t, size=8.5)
    yk -= 5
    p.box(R - 234, yk - 8, 234, 20, fill=0.85)
    p.t(R - 230, yk - 1, "Total TTC / Total incl. VAT (EUR)", "Helvetica-Bold", 9)
    p.t(R - 4, yk - 1, fm(doc.ttc), "Helvetica-Bold", 9.5, "r")
    yp = p.para(
        L,
        y - 16,
        "Exonération de TVA, art. 262 ter I du CGI – Livraison intracommunautaire. "
        "VAT exempt intra-Community supply (art. 138 Directive 2006/112/EC); reverse charge by the "
        "customer.",
        240,
        "Helvetica-Bold",
        7.5,
    )
    p.t(L, yp - 8, f"IBAN {s.extra['iban']}", "Helvetica", 7.5)
    p.t(L, yp - 18, f"BIC {s.extra['bic']}", "Helvetica", 7.5)
    p.para(L, min(yk, yp) - 40, PENALTIES[1], R - L, size=7)
    p.hl(L, R, 44, 0.4, 0.5)
    p.t(W / 2, 34, fr_legal(s), "Helvetica", 6.2, "c")
    p.save()


# ================================================================== 8. exp_vins
# Wine estate exporting outside the EU: centred serif letterhead, abbreviated French dates ("5 nov. 2026"),
# Cuvée / Millésime / Cols / Btl par col / Bouteilles / Prix HT table, EORI and excise numbers as decoys,
# transport charge, "Exonération de TVA, art. 262 I du CGI – exportation", EUR or USD, NBSP thousands.

EX_SELLERS = [
    (
        "SCEA Château Puy-Laroque",
        "SCEA",
        450000,
        "Lieu-dit Laroque",
        ("33330", "Saint-Émilion", "Libourne", "05"),
    ),
    (
        "Maison Delorme & Fils",
        "SAS",
        900000,
        "12 rue du Faubourg Bretonnière",
        ("21200", "Beaune", "Dijon", "03"),
    ),
    (
        "Domaine des Trois Coteaux",
        "EARL",
        120000,
        "Route de Tain",
        ("26600", "Mercurol-Veaunes", "Romans", "04"),
    ),
    (
        "Champagne Vautrin-Lemaire",
        "SA",
        1800000,
        "45 avenue de Champagne",
        ("51200", "Épernay", "Reims", "03"),
    ),
    (
        "Vignobles Cazalis",
        "SAS",
        300000,
        "Domaine de la Garrigue",
        ("34070", "Montpellier", "Montpellier", "04"),
    ),
]
EX_BUYERS = [
    ("Vinothek Seefeld AG", ["Seefeldstrasse 128", "8008 Zürich", "Suisse"], "CH", "EUR"),
    ("Pacific Cellars Inc.", ["2200 Alaskan Way, Suite 410", "Seattle, WA 98121", "États-Unis"], "US", "USD"),
    (
        "Tokyo Wine Trading K.K.",
        ["3-7-1 Nishi-Shinjuku", "Shinjuku-ku, Tokyo 163-1030", "Japon"],
        "JP",
        "EUR",
    ),
    ("Northern Fine Wines Ltd", ["7 Quayside", "Newcastle upon Tyne NE1 3DX", "Royaume-Uni"], "GB", "EUR"),
    (
        "Maple Leaf Wine Imports Ltd",
        ["1250 René-Lévesque Ouest", "Montréal (QC) H3B 4W8", "Canada"],
        "CA",
        "USD",
    ),
]
EX_WINES = [
    ("Grand Vin rouge", "2021", "75 cl", "28.50"),
    ("Second vin rouge", "2022", "75 cl", "14.20"),
    ("Grand Vin rouge – magnum", "2019", "150 cl", "64.00"),
    ("Blanc sec", "2024", "75 cl", "11.80"),
    ("Cuvée Prestige", "2020", "75 cl", "42.00"),
    ("Rosé de saignée", "2025", "75 cl", "9.60"),
    ("Brut Réserve", "NM", "75 cl", "21.90"),
    ("Vieilles Vignes", "2022", "75 cl", "17.40"),
]


def build_exp_vins(rng: random.Random, n: int) -> Doc:
    name, form, cap, street, city = EX_SELLERS[n - 1]
    seller = fr_seller(rng, name, form, cap, street, city, "0121Z")
    bname, baddr, cc, cur = EX_BUYERS[n - 1]
    bvat = {"CH": ch_number, "GB": gb_number}.get(cc, lambda r: None)(rng)
    buyer = Party(bname, baddr, vat=bvat, extra={"cc": cc})
    issue = rand_date(rng)
    lines = []
    for wine, vintage, fmt_, price in rng.sample(EX_WINES, rng.randint(3, 6)):
        per = 6 if fmt_ == "75 cl" else 3
        cols = rng.choice([5, 10, 20, 25, 50, 60, 100])
        price_d = D(price) * (D("1.08") if cur == "USD" else 1)
        lines.append(
            Line(
                f"{wine} {vintage}",
                D(cols * per),
                q2(price_d),
                R0,
                info={"cols": cols, "per": per, "fmt": fmt_, "vintage": vintage},
            )
        )
    acs = [
        AC(
            True,
            "Transport et assurance jusqu'au port d'embarquement",
            {R0: D(rng.choice(["420.00", "685.00", "1150.00"]))},
        )
    ]
    if n in (1, 4):
        acs.append(AC(True, "Palettisation et filmage", {R0: D("60.00")}))
    return Doc(
        number=f"EXP-{issue.year}-{rng.randint(10, 300):03d}",
        issue=issue,
        due=issue + timedelta(days=rng.choice([30, 60])) if n != 3 else None,
        seller=seller,
        buyer=buyer,
        lines=lines,
        acs=acs,
        currency=cur,
        po=f"PO {rng.randint(2026001, 2026999)}" if n in (2, 3, 5) else None,
        line_rates_shown=False,
        meta={
            "accise": f"FR0{rng.randint(10**8, 10**9 - 1)}E",
            "incoterm": rng.choice(["FCA Le Havre", "FOB Marseille-Fos", "EXW"]),
        },
    )


def draw_exp_vins(doc: Doc, path: Path) -> None:
    s, b = doc.seller, doc.buyer
    cur = "€" if doc.currency == "EUR" else "USD"

    def fm(x: Decimal) -> str:
        return num(x, "fr", 2, NBSP)

    p = Pdf(path, f"Facture {doc.number}", s.name)
    L, R = 50, W - 50
    p.t(W / 2, H - 55, s.name, "Times-Bold", 18, "c")
    p.t(W / 2, H - 70, f"{s.address[0]} – {s.address[1]} – France", "Times-Roman", 9.5, "c")
    p.t(W / 2, H - 82, f"Tél. +33 {s.extra['tel'][1:]} – {s.extra['email']}", "Times-Roman", 9.5, "c")
    p.hl(W / 2 - 60, W / 2 + 60, H - 90, 0.6)
    y = H - 125
    p.t(L, y, "FACTURE D'EXPORTATION", "Times-Bold", 13)
    facts = [("N°", doc.number), ("Date", d_abr(doc.issue))]
    facts.append(("Échéance", d_abr(doc.due)) if doc.due else ("Règlement", "paiement d'avance reçu"))
    if doc.po:
        facts.append(("Votre commande", doc.po))
    facts += [("Incoterm", doc.meta["incoterm"]), ("Devise", doc.currency)]
    for k, (lab, val) in enumerate(facts):
        p.t(L, y - 17 - 12 * k, lab, "Times-Roman", 9.5)
        p.t(L + 80, y - 17 - 12 * k, ": " + val, "Times-Roman", 9.5)
    x2 = W / 2 + 30
    p.t(x2, y, "Destinataire", "Times-Italic", 9.5, gray=0.35)
    p.t(x2, y - 16, b.name, "Times-Bold", 11)
    for k, line in enumerate(b.address):
        p.t(x2, y - 29 - 11.5 * k, line, "Times-Roman", 10)
    if b.vat:
        lab = "UID" if b.vat.startswith("CHE") else "VAT Reg. No."
        val = f"{b.vat[:3]}-{b.vat[3:6]}.{b.vat[6:9]}.{b.vat[9:]} TVA" if lab == "UID" else b.vat
        p.t(x2, y - 33 - 11.5 * len(b.address), f"{lab} : {val}", "Times-Roman", 9)
    cols = [
        Col("Désignation", 150),
        Col("Format", 45, "c"),
        Col("Cols", 35, "r"),
        Col("Btl/col", 40, "r"),
        Col("Bouteilles", 55, "r"),
        Col(f"Prix HT/btl ({cur})", 85, "r"),
        Col(f"Montant HT ({cur})", 85, "r"),
    ]
    rows = [
        [
            ln.desc,
            ln.info["fmt"],
            str(ln.info["cols"]),
            str(ln.info["per"]),
            qty_txt(ln.qty),
            fm(ln.price),
            fm(ln.amount),
        ]
        for ln in doc.lines
    ]
    y = table(
        p,
        L,
        H - 245,
        cols,
        rows,
        font="Times-Roman",
        bold="Times-Bold",
        size=9.5,
        lead=13,
        rules=True,
        head_fill=0.92,
        wrap=0,
    )
    rows_t = [("Total vins HT", fm(doc.lines_total()), False)]
    rows_t += [(a.reason, fm(a.amount), False) for a in doc.acs]
    rows_t += [
        ("Total HT", fm(doc.ht), True),
        ("TVA 0 %", fm(doc.tva), False),
        (f"Total à payer ({doc.currency})", fm(doc.ttc), True),
    ]
    kv(p, R - 280, R - 3, y - 18, rows_t, font="Times-Roman", bold="Times-Bold", size=10, lead=14)
    yp = y - 20 - 14 * len(rows_t) - 12
    yp = p.para(
        L,
        yp,
        "Exonération de TVA, art. 262 I du CGI – exportation hors Union européenne. Marchandises "
        "expédiées en suspension de droits d'accises (DAE).",
        R - L,
        "Times-Bold",
        9,
    )
    p.t(
        L,
        yp - 4,
        f"N° d'accise (entrepositaire agréé) : {doc.meta['accise']} – EORI : FR{s.siret}",
        "Times-Roman",
        9,
    )
    p.t(L, yp - 17, f"Banque : IBAN {s.extra['iban']} – BIC {s.extra['bic']}", "Times-Roman", 9)
    p.para(L, yp - 34, PENALTIES[0], R - L, "Times-Roman", 8)
    p.t(W / 2, 42, fr_legal(s, ape=False), "Times-Roman", 7, "c")
    p.t(
        W / 2,
        32,
        "L'abus d'alcool est dangereux pour la santé, à consommer avec modération.",
        "Times-Italic",
        7,
        "c",
    )
    p.save()


# ================================================================== 9. micro
# Micro-entrepreneur (platypus flowables rather than canvas strings): name + "EI", SIRET only, "TVA non
# applicable, art. 293 B du CGI", no VAT number, a Description / Quantité / Prix unitaire / Total table,
# due date printed on some and "Paiement à réception" on others.

MI_SELLERS = [
    ("Julie Marchand", "Graphiste – illustratrice", "7 rue des Capucins", CITIES[10]),
    ("Thomas Rivière", "Photographe professionnel", "22 rue Nationale", CITIES[16]),
    ("Inès Belkacem", "Traductrice anglais / arabe – français", "3 place du Pilori", CITIES[12]),
    ("Antoine Gauthier", "Développeur web indépendant", "15 rue Saint-Malo", CITIES[7]),
    ("Claire Fontaine", "Rédactrice web & community manager", "9 rue du Palais Gallien", CITIES[1]),
]
MI_BUYERS = [
    "Éditions du Quai SARL",
    "Agence Horizon Immobilier",
    "Boulangeries Ravel SAS",
    "Cabinet Dentaire des Lilas",
    "Association Sportive Municipale",
]
MI_SERVICES = {
    1: [
        ("Création de logo et déclinaisons (3 pistes)", "1", "650.00"),
        ("Carte de visite – maquette", "1", "120.00"),
        ("Illustration couverture", "1", "480.00"),
        ("Retouches supplémentaires (heure)", "3", "45.00"),
    ],
    2: [
        ("Reportage photo entreprise – demi-journée", "1", "450.00"),
        ("Retouche et livraison HD (par photo)", "25", "8.00"),
        ("Frais de déplacement (km)", "64", "0.45"),
    ],
    3: [
        ("Traduction anglais > français (mot)", "4250", "0.11"),
        ("Relecture bilingue (heure)", "2", "42.00"),
        ("Majoration urgence", "1", "90.00"),
    ],
    4: [
        ("Développement site vitrine WordPress", "1", "1800.00"),
        ("Intégration boutique en ligne (jour)", "3", "350.00"),
        ("Maintenance mensuelle", "1", "59.00"),
    ],
    5: [
        ("Rédaction articles de blog (1 000 mots)", "6", "95.00"),
        ("Animation réseaux sociaux – mois", "1", "380.00"),
        ("Calendrier éditorial", "1", "150.00"),
    ],
}


def build_micro(rng: random.Random, n: int) -> Doc:
    name, job, street, city = MI_SELLERS[n - 1]
    siren = new_siren(rng)
    cp, town, _, _ = city
    seller = Party(
        name,
        [street, f"{cp} {town}"],
        siren=siren,
        siret=new_siret(rng, siren),
        extra={
            "job": job,
            "tel": phone(rng, "06"),
            "iban": fr_iban(rng),
            "town": town,
            "email": f"{slug(name).replace('-', '.')}@gmail.com",
        },
    )
    buyer = fr_buyer(rng, MI_BUYERS[n - 1], siren=n in (2, 4))
    issue = rand_date(rng)
    lines = [Line(d, D(q), D(pr), R0) for d, q, pr in MI_SERVICES[n][: rng.randint(2, len(MI_SERVICES[n]))]]
    return Doc(
        number=rng.choice(
            [f"{issue.year}-{rng.randint(1, 60):03d}", f"F-{issue.year}-{rng.randint(1, 60):04d}"]
        ),
        issue=issue,
        due=issue + timedelta(days=30) if n in (1, 3, 4) else None,
        seller=seller,
        buyer=buyer,
        lines=lines,
        po=f"CDE{rng.randint(10000, 99999)}" if n == 4 else None,
        line_rates_shown=False,
    )


def draw_micro(doc: Doc, path: Path) -> None:
    s, b = doc.seller, doc.buyer

    def fm(x: Decimal) -> str:
        return num(x, "fr", 2, " ") + " €"

    st = ParagraphStyle("n", fontName="Helvetica", fontSize=9.5, leading=12.5)
    small = ParagraphStyle("s", parent=st, fontSize=7.5, leading=9.5)
    big = ParagraphStyle("b", parent=st, fontName="Helvetica-Bold", fontSize=17, leading=21)
    title = ParagraphStyle("t", parent=st, fontName="Helvetica-Bold", fontSize=13, leading=16)
    left = [
        Paragraph(s.name, big),
        Paragraph(f"Entrepreneur individuel (EI) – {s.extra['job']}", st),
        Paragraph(f"{s.address[0]}<br/>{s.address[1]}", st),
        Paragraph(f"{s.extra['tel']} · {s.extra['email']}", st),
        Paragraph(f"SIRET : {sp_siret(s.siret)}", st),
    ]
    bl = [f"<b>{b.name}</b>", *b.address]
    if b.siren:
        bl.append(f"SIREN : {sp_siren(b.siren)}")
    right = [Paragraph("Client", small), Paragraph("<br/>".join(bl), st)]
    head = Table([[left, right]], colWidths=[300, 195])
    head.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOX", (1, 0), (1, 0), 0.5, "#888888"),
                ("LEFTPADDING", (0, 0), (0, 0), 0),
            ]
        )
    )
    facts = [f"Facture n° {doc.number}", f"Date : {d_fr(doc.issue)}"]
    if doc.due:
        facts.append(f"Date d'échéance : {d_fr(doc.due)}")
    if doc.po:
        facts.append(f"Votre bon de commande : {doc.po}")
    data = [["Description", "Quantité", "Prix unitaire", "Total"]]
    data += [[Paragraph(ln.desc, st), qty_txt(ln.qty), fm(ln.price), fm(ln.amount)] for ln in doc.lines]
    items = Table(data, colWidths=[250, 65, 85, 95])
    items.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9),
                ("FONT", (0, 1), (-1, -1), "Helvetica", 9.5),
                ("BACKGROUND", (0, 0), (-1, 0), "#E8E8E8"),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, "#BBBBBB"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    variant = len(doc.number) % 2
    if variant:
        trows = [["Total HT", fm(doc.ht)], ["TVA", "0,00 €"], ["Total TTC", fm(doc.ttc)]]
    else:
        trows = [["Total", fm(doc.ht)], ["Net à payer", fm(doc.ttc)]]
    totals = Table(trows, colWidths=[110, 95], hAlign="RIGHT")
    totals.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "Helvetica", 10),
                ("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 11),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, "#000000"),
            ]
        )
    )
    pay = (
        "Paiement à réception de facture, par virement" if not doc.due else "Paiement par virement à 30 jours"
    )
    story = [
        head,
        Spacer(1, 26),
        Paragraph("FACTURE", title),
        Paragraph("<br/>".join(facts), st),
        Spacer(1, 14),
        items,
        Spacer(1, 10),
        totals,
        Spacer(1, 12),
        Paragraph("<b>TVA non applicable, art. 293 B du CGI</b>", st),
        Spacer(1, 8),
        Paragraph(f"{pay} – IBAN : {s.extra['iban']}", st),
        Spacer(1, 8),
        Paragraph(
            "Pénalités de retard : trois fois le taux d'intérêt légal. Indemnité forfaitaire pour frais de "
            "recouvrement due au créancier en cas de retard de paiement : 40 €. Pas d'escompte en cas de "
            "paiement anticipé.",
            small,
        ),
    ]

    def footer(c: canvas.Canvas, _doc: object) -> None:
        c.setFont("Helvetica", 7)
        c.drawCentredString(
            W / 2,
            30,
            f"{s.name} EI – {s.address[0]}, {s.address[1]} – SIRET {s.siret} – "
            "Dispensé d'immatriculation au RCS et au RM",
        )

    pdf = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=50,
        rightMargin=50,
        topMargin=45,
        bottomMargin=50,
        title=f"Facture {doc.number}",
        author=s.name,
        invariant=1,
    )
    pdf.build(story, onFirstPage=footer, onLaterPages=footer)


# ================================================================== 10. av_avoir
# Credit note ("AVOIR") referencing the original invoice and a reason; amounts printed positive on odd
# numbers and negative on even ones; 20 % and 5,5 % lines with the rate per line; "à déduire" wording.

AV_SELLERS = [
    ("Hygiène Pro Distribution", "SAS", 180000, "4 rue de l'Industrie", CITIES[17], "4644Z"),
    ("Librairie Fournitures Scolaires du Centre", "SARL", 50000, "33 rue de la Barre", CITIES[13], "4761Z"),
    ("Électro Services Rhône-Alpes", "SAS", 260000, "70 avenue Berthelot", CITIES[0], "4652Z"),
    (
        "Diffusion Textile Picarde",
        "SAS",
        90000,
        "5 rue Jules Barni",
        ("80000", "Amiens", "Amiens", "03"),
        "4641Z",
    ),
    ("Comptoir Médical Atlantique", "SARL", 70000, "11 rue du Port", CITIES[23], "4646Z"),
]
AV_BUYERS = [
    "Collège Saint-Joseph OGEC",
    "Résidence seniors Les Magnolias SAS",
    "Auto-école Conduite 2000 SARL",
    "Hôtel Le Phare SAS",
    "EHPAD Les Jardins d'Aunis",
]
AV_ITEMS = {
    R20: [
        ("H-1020", "Papier toilette 2 plis x 96 rouleaux", "38.40"),
        ("H-2210", "Savon mousse 1 L cartouche", "7.95"),
        ("E-5530", "Bouilloire électrique 1,7 L", "24.90"),
        ("T-0881", "Drap housse 90 x 190 coton", "11.60"),
        ("M-3310", "Gants nitrile non poudrés x 100", "6.45"),
        ("F-9021", "Cahier 24 x 32 96 pages", "1.25"),
    ],
    R55: [
        ("L-4402", "Manuel scolaire Mathématiques 3e", "24.50"),
        ("L-4417", "Dictionnaire bilingue français-anglais", "19.90"),
        ("M-6020", "Protections d'incontinence taille M x 14", "9.80"),
    ],
}
AV_REASONS = [
    "Retour de marchandise (bon de retour {r})",
    "Geste commercial – livraison incomplète",
    "Erreur de prix sur facture",
    "Retour de marchandise non conforme (bon de retour {r})",
    "Ristourne de fin d'année 2026",
]


def build_av_avoir(rng: random.Random, n: int) -> Doc:
    name, form, cap, street, city, ape = AV_SELLERS[n - 1]
    seller = fr_seller(rng, name, form, cap, street, city, ape)
    buyer = fr_buyer(rng, AV_BUYERS[n - 1], siren=n in (1, 3, 4), vat=n in (1, 2, 3))
    issue = rand_date(rng)
    orig = issue - timedelta(days=rng.randint(6, 40))
    if n == 5:
        lines = [Line("Ristourne annuelle 2 % sur chiffre d'affaires 2026", D(1), D("1184.36"), R20)]
    else:
        rates = [R20] if n in (1, 3) else [R20, R55]
        lines = []
        for r in rates:
            for ref, desc, price in rng.sample(AV_ITEMS[r], rng.randint(1, 3)):
                if n == 3:
                    lines.append(
                        Line(
                            f"{desc} – différence de prix",
                            D(rng.randint(10, 60)),
                            D(rng.choice(["0.35", "1.20", "0.80"])),
                            r,
                            ref=ref,
                        )
                    )
                else:
                    lines.append(Line(desc, D(rng.randint(1, 8)), D(price), r, ref=ref))
    return Doc(
        number=f"AV{issue.year % 100}-{rng.randint(1, 999):05d}",
        issue=issue,
        due=None,
        seller=seller,
        buyer=buyer,
        lines=lines,
        doc_type="credit_note",
        buyer_ref=f"LIT-2026-{rng.randint(10, 99):03d}" if n == 3 else None,
        meta={
            "orig": f"FA{orig.year % 100}-{rng.randint(1000, 9999):05d}",
            "orig_date": orig,
            "reason": AV_REASONS[n - 1].format(r=f"BR-{rng.randint(1000, 9999)}"),
            "neg": n % 2 == 0,
        },
    )


def draw_av_avoir(doc: Doc, path: Path) -> None:
    s, b = doc.seller, doc.buyer
    sg = -1 if doc.meta["neg"] else 1

    def fm(x: Decimal, signed: bool = True) -> str:
        return num(x * (sg if signed else 1), "fr", 2, " ")

    p = Pdf(path, f"Avoir {doc.number}", s.name)
    L, R = 42, W - 42
    p.box(L, H - 60, 4, 40, rgb=(0.65, 0.1, 0.1), stroke=False)
    p.t(L + 12, H - 32, s.name, "Helvetica-Bold", 12.5)
    for k, line in enumerate([*s.address, f"{s.extra['tel']} – {s.extra['email']}"]):
        p.t(L + 12, H - 45 - 10 * k, line, "Helvetica", 8)
    p.t(R, H - 40, "AVOIR", "Helvetica-Bold", 24, "r")
    p.t(R, H - 58, f"N° {doc.number}", "Helvetica-Bold", 11, "r")
    p.t(R, H - 72, f"Date : {d_fr(doc.issue)}", "Helvetica", 9.5, "r")
    p.box(R - 235, H - 180, 235, 85)
    p.t(R - 228, H - 110, b.name, "Helvetica-Bold", 10)
    for k, line in enumerate(b.address):
        p.t(R - 228, H - 123 - 11 * k, line, "Helvetica", 9)
    ids = []
    if b.siren:
        ids.append(f"SIREN {b.siren}")
    if b.vat:
        ids.append(f"TVA {b.vat}")
    for k, idt in enumerate(ids):
        p.t(R - 228, H - 151 - 10 * k, idt, "Helvetica", 8)
    y = H - 205
    p.t(
        L,
        y,
        f"Avoir sur facture n° {doc.meta['orig']} du {d_fr(doc.meta['orig_date'])}",
        "Helvetica-Bold",
        9.5,
    )
    p.t(L, y - 13, f"Motif : {doc.meta['reason']}", "Helvetica", 9.5)
    if doc.buyer_ref:
        p.t(L, y - 26, f"Votre référence : {doc.buyer_ref}", "Helvetica", 9.5)
    cols = [
        Col("Référence", 60),
        Col("Désignation", 225),
        Col("Qté", 40, "r"),
        Col("PU HT", 60, "r"),
        Col("TVA", 45, "c"),
        Col("Total HT", 81, "r"),
    ]
    rows = [
        [ln.ref, ln.desc, qty_txt(ln.qty), fm(ln.price, False), rate_txt(ln.rate, dec=1), fm(ln.amount)]
        for ln in doc.lines
    ]
    y = table(
        p, L, y - 45, cols, rows, grid=True, head_fill=0.9, size=8.5, lead=11.5, wrap=1, min_rows_height=120
    )
    rows_t = [("Total HT", fm(doc.ht), True)]
    rows_t += [(f"TVA {rate_txt(r, dec=1)} sur {fm(base)}", fm(v), False) for r, base, v in doc.breakdown()]
    rows_t += [("Total TVA", fm(doc.tva), False), ("Total TTC", fm(doc.ttc) + " €", True)]
    yk = kv(p, R - 230, R - 4, y - 18, rows_t, size=9, lead=14)
    p.hl(R - 230, R, yk + 26, 0.6)
    p.t(
        L,
        yk - 16,
        f"Montant de l'avoir à déduire de votre prochain règlement : {fm(doc.ttc, False)} €",
        "Helvetica-Bold",
        9,
    )
    p.t(
        L,
        yk - 30,
        "Cet avoir n'est pas un titre de paiement. Il est imputable sur nos factures à venir.",
        "Helvetica-Oblique",
        8,
    )
    p.hl(L, R, 46, 0.4, 0.5)
    p.t(W / 2, 36, fr_legal(s), "Helvetica", 6.2, "c")
    p.save()


# ================================================================== 11. pharma
# Pharmaceutical wholesaler to a pharmacy, in an ERP listing style: Courier throughout, two-digit-year dates
# (05/11/26), no thousands separator (1234,56), CIP13 codes, four VAT rates (2,1 / 5,5 / 10 / 20) printed per
# line, FINESS number as a decoy, urgent-delivery fee and an on-invoice percentage discount per rate.

PH_SELLERS = [
    (
        "Répartition Pharmaceutique Loire",
        "SAS",
        2000000,
        "Rue de l'Aéronautique",
        ("44340", "Bouguenais", "Nantes", "02"),
    ),
    (
        "Pharma Distribution Sud-Ouest",
        "SA",
        3500000,
        "ZI du Phare – 20 avenue de Magudas",
        ("33700", "Mérignac", "Bordeaux", "05"),
    ),
    (
        "Medirépart Auvergne",
        "SAS",
        1200000,
        "Rue Gustave Eiffel",
        ("63100", "Clermont-Ferrand", "Clermont-Ferrand", "04"),
    ),
    (
        "Officina Répartition Est",
        "SAS",
        2500000,
        "Parc Club des Tanneries",
        ("67380", "Lingolsheim", "Strasbourg", "03"),
    ),
    (
        "Grossiste Pharmaceutique Provençal",
        "SA",
        1600000,
        "Zone Athélia IV",
        ("13600", "La Ciotat", "Marseille", "04"),
    ),
]
PH_BUYERS = [
    "SELARL Pharmacie du Marché",
    "SELAS Pharmacie des Quatre Vents",
    "Pharmacie Centrale Gambetta SNC",
    "SELARL Grande Pharmacie de la Gare",
    "Pharmacie de l'Hôtel de Ville EURL",
]
PH_ITEMS = {
    R21P: [
        ("PARACETAMOL BGR 1G CPR B/8", "1.16"),
        ("AMOXICILLINE BGR 1G CPR B/6", "2.68"),
        ("IBUPROFENE BGR 400MG CPR B/30", "1.74"),
        ("METFORMINE BGR 850MG CPR B/90", "3.02"),
        ("ATORVASTATINE BGR 20MG CPR B/90", "11.57"),
        ("LEVOTHYROXINE 75MCG CPR B/90", "2.49"),
        ("INSULINE GLARGINE 100U/ML STYLO B/5", "42.10"),
        ("SALBUTAMOL 100MCG SUSP INH FL/200D", "3.26"),
        ("OMEPRAZOLE BGR 20MG GEL B/28", "3.88"),
    ],
    R55: [
        ("PRESERVATIFS LUBRIFIES B/12", "4.20"),
        ("PROTEGE-SLIPS COTON BIO B/30", "2.35"),
        ("SERVIETTES HYGIENIQUES NUIT B/10", "1.98"),
    ],
    R10: [
        ("SPRAY NASAL EAU DE MER 100ML (NR)", "3.15"),
        ("PASTILLES GORGE MIEL CITRON B/24 (NR)", "2.90"),
        ("VITAMINE C 500MG CPR A CROQUER B/30 (NR)", "3.40"),
    ],
    R20: [
        ("CREME SOLAIRE SPF50+ 50ML", "9.80"),
        ("SHAMPOOING DOUX FAMILLE 400ML", "3.65"),
        ("BROSSE A DENTS SOUPLE ADULTE", "1.45"),
        ("THERMOMETRE FLEXIBLE DIGITAL", "4.90"),
    ],
}


def build_pharma(rng: random.Random, n: int) -> Doc:
    name, form, cap, street, city = PH_SELLERS[n - 1]
    seller = fr_seller(rng, name, form, cap, street, city, "4646Z")
    buyer = fr_buyer(rng, PH_BUYERS[n - 1], siren=True, vat=n != 2)
    issue = rand_date(rng)
    lines = []
    for r, k in (
        (R21P, rng.randint(4, 7)),
        (R55, rng.randint(0, 2)),
        (R10, rng.randint(1, 2)),
        (R20, rng.randint(1, 3)),
    ):
        for desc, price in rng.sample(PH_ITEMS[r], k):
            cip = "34009" + "".join(str(rng.randint(0, 9)) for _ in range(8))
            lines.append(
                Line(
                    desc,
                    D(rng.choice([1, 2, 3, 5, 6, 10, 12, 24, 30])),
                    D(price),
                    r,
                    ref=cip,
                    disc=D(
                        rng.choice(["0", "2.5", "2.5", "0", "10", "30"])
                        if r != R21P
                        else rng.choice(["0", "2.5"])
                    ),
                )
            )
    rng.shuffle(lines)
    acs = []
    if n in (2, 5):
        acs.append(AC(True, "FRAIS DE LIVRAISON URGENTE", {R20: D("9.90")}))
    if n in (4, 5):
        acs.append(pct_allowance(lines, D("1.5"), "REMISE SUR FACTURE 1,5 %"))
    return Doc(
        number=f"{rng.randint(10**8, 10**9 - 1)}",
        issue=issue,
        due=end_of_month(issue) + timedelta(days=10),
        seller=seller,
        buyer=buyer,
        lines=lines,
        acs=acs,
        meta={
            "finess": f"{rng.choice(['44', '33', '63', '67', '13'])}{rng.randint(10**6, 10**7 - 1)}",
            "client": f"{rng.randint(100000, 999999)}",
            "tour": rng.choice(["MATIN", "APRES-MIDI"]),
        },
    )


def draw_pharma(doc: Doc, path: Path) -> None:
    s, b = doc.seller, doc.buyer
    F, FB = "Courier", "Courier-Bold"

    def fm(x: Decimal) -> str:
        return num(x, "plain")

    def dd(d: date) -> str:
        return d.strftime("%d/%m/%y")

    p = Pdf(path, f"Facture {doc.number}", s.name)
    L, R = 30, W - 30
    p.t(L, H - 40, s.name.upper(), FB, 11)
    p.t(L, H - 52, f"{s.address[0]} - {s.address[1]}".upper(), F, 8)
    p.t(L, H - 62, f"TEL {s.extra['tel']}  ETABLISSEMENT PHARMACEUTIQUE AUTORISE", F, 8)
    p.box(W / 2 + 20, H - 140, R - W / 2 - 20, 90)
    x2 = W / 2 + 28
    p.t(x2, H - 64, b.name.upper(), FB, 9)
    for k, line in enumerate(b.address):
        p.t(x2, H - 76 - 10 * k, line.upper(), F, 8.5)
    p.t(x2, H - 102, f"FINESS {doc.meta['finess']}", F, 8)
    p.t(x2, H - 112, f"SIREN  {b.siren}", F, 8)
    if b.vat:
        p.t(x2, H - 122, f"TVA    {b.vat}", F, 8)
    p.t(L, H - 95, "FACTURE", FB, 14)
    facts = [
        ("NUMERO", doc.number),
        ("DATE", dd(doc.issue)),
        ("CLIENT", doc.meta["client"]),
        ("LIVRAISON", doc.meta["tour"]),
        ("ECHEANCE", dd(doc.due)),
    ]
    for k, (lab, val) in enumerate(facts):
        p.t(L, H - 110 - 10 * k, f"{lab:<10}: {val}", F, 8.5)
    cols = [
        Col("CIP13", 78),
        Col("DESIGNATION", 200),
        Col("QTE", 28, "r"),
        Col("PU HT", 46, "r"),
        Col("REM%", 34, "r"),
        Col("MONTANT HT", 66, "r"),
        Col("TVA", 35, "r"),
    ]
    rows = [
        [
            ln.ref,
            ln.desc,
            qty_txt(ln.qty),
            fm(ln.price),
            num(ln.disc, "plain") if ln.disc else "",
            fm(ln.amount),
            num(ln.rate, "plain"),
        ]
        for ln in doc.lines
    ]
    y = table(p, L, H - 180, cols, rows, font=F, bold=FB, size=7.5, lead=10, frame=True, wrap=1)
    remb = sum((ln.amount for ln in doc.lines if ln.rate == R21P), ZERO)
    p.t(L, y - 12, f"NB LIGNES : {len(doc.lines)}   DONT SPECIALITES REMBOURSABLES : {fm(remb)}", F, 7.5)
    yk = y - 30
    p.t(R - 250, yk, f"{'TOTAL BRUT HT':<30}{fm(doc.lines_total()):>12}", F, 8)
    for a in doc.acs:
        yk -= 10
        p.t(R - 250, yk, f"{a.reason[:30]:<30}{('' if a.is_charge else '-') + fm(a.amount):>12}", F, 8)
    cols = [Col("TAUX", 40, "r"), Col("BASE HT", 70, "r"), Col("MONTANT TVA", 75, "r")]
    vrows = [[num(r, "plain"), fm(base), fm(v)] for r, base, v in doc.breakdown()]
    yv = table(p, L, y - 24, cols, vrows, font=F, bold=FB, size=8, lead=10.5, grid=True)
    yk -= 16
    for lab, val in (("TOTAL HT", doc.ht), ("TOTAL TVA", doc.tva), ("TOTAL TTC", doc.ttc)):
        p.t(
            R - 250,
            yk,
            f"{lab:<30}{fm(val):>12}",
            FB if lab == "TOTAL TTC" else F,
            8.5 if lab != "TOTAL TTC" else 9,
        )
        yk -= 11
    yp = min(yk, yv) - 18
    p.t(L, yp, f"REGLEMENT PAR PRELEVEMENT LE {dd(doc.due)} - RELEVE MENSUEL", F, 7.5)
    p.para(L, yp - 11, PENALTIES[2].upper(), R - L, F, 6.5)
    p.para(L, 44, fr_legal(s).upper(), R - L, F, 5.8)
    p.save()


# ================================================================== 12. btp
# Construction subcontractor: Qualibat and decennial-insurance mentions, site address, sectioned works table
# (N° / Désignation / U / Qté / PU HT / Montant HT) with wrapped designations, "Retenue de garantie 5 %" and
# "Acompte versé" after the total (not document allowances); odd numbers self-billed VAT
# ("Autoliquidation", art. 283-2 nonies), even numbers 10 % + 20 % for a residential client.

BT2_SELLERS = [
    ("Plâtrerie Peinture Morel", "SARL", 30000, "17 rue des Artisans", CITIES[3], "4331Z"),
    ("Électricité Générale Baudin", "SAS", 100000, "ZA de la Madeleine", CITIES[15], "4321A"),
    ("Charpente Couverture Lemoine SARL", "SARL", 50000, "Lieu-dit La Croix Verte", CITIES[12], "4391B"),
    ("Plomberie Chauffage Rivière", "SAS", 40000, "6 rue Denis Papin", CITIES[5], "4322A"),
    ("Maçonnerie Da Silva & Fils", "SARL", 80000, "Chemin de Bellevue", CITIES[18], "4399C"),
]
BT2_BUYERS = {
    1: ("Constructions Raynal SAS", "Construction de 24 logements collectifs – ZAC des Prés"),
    2: ("SCI Les Jardins de Flore", "Rénovation d'un immeuble d'habitation – 8 logements"),
    3: ("Bâti Ouest Entreprise Générale", "Extension du groupe scolaire Jules Ferry"),
    4: ("Syndicat des copropriétaires Résidence Le Parc", "Réfection des parties communes"),
    5: ("Groupe Habitat Promotion SNC", "Résidence Les Terrasses du Lac – bâtiment B"),
}
BT2_COMMON = ("Installation et repli de chantier", "ft", "850.00")
BT2_WORKS = {
    1: [
        (
            "Fourniture et pose de cloisons en plaques de plâtre BA13 sur ossature métallique 72/48, "
            "y compris bandes et joints",
            "m²",
            "38.50",
        ),
        ("Doublage des murs périphériques par complexe isolant PSE 10+80", "m²", "31.20"),
        ("Faux-plafond en plaques de plâtre sur fourrures, finition bandes", "m²", "42.00"),
        ("Peinture acrylique deux couches sur murs et plafonds, impression comprise", "m²", "16.80"),
        ("Bandes et enduit de finition sur joints existants", "ml", "6.40"),
    ],
    2: [
        ("Tableau électrique pré-équipé 3 rangées, différentiels 30 mA", "u", "685.00"),
        ("Point lumineux en plafond y compris câblage et boîte DCL", "u", "78.00"),
        ("Prise de courant 2P+T 16 A encastrée", "u", "52.00"),
        ("Câble U1000 R2V 3G2,5 posé sous conduit ICTA", "ml", "9.80"),
        ("Interphone audio 2 fils, platine de rue et combiné", "ens", "1290.00"),
    ],
    3: [
        ("Charpente traditionnelle sapin traité, fourniture et levage", "m³", "1450.00"),
        ("Couverture en tuiles terre cuite à emboîtement, y compris liteaunage", "m²", "64.00"),
        ("Écran sous toiture HPV et contre-liteaux", "m²", "11.50"),
        ("Gouttière zinc demi-ronde développé 33 avec crochets", "ml", "48.00"),
    ],
    4: [
        ("Fourniture et pose d'une chaudière gaz à condensation 25 kW", "ens", "4350.00"),
        ("Réseau d'alimentation cuivre Ø14/16, raccords à sertir", "ml", "27.50"),
        ("Radiateur acier panneau type 22 H600 L1000 avec robinet thermostatique", "u", "365.00"),
        ("Évacuations PVC Ø40 à Ø100, y compris raccords et colliers", "ml", "21.00"),
        ("Mise en service et réglages", "ft", "240.00"),
    ],
    5: [
        ("Maçonnerie en blocs béton de 20, hourdés au mortier", "m²", "58.00"),
        ("Dalle béton armé ép. 13 cm, coffrage et ferraillage compris", "m²", "96.00"),
        ("Enduit monocouche gratté, teinte au choix", "m²", "34.50"),
        ("Linteaux béton préfabriqués, fourniture et pose", "ml", "62.00"),
    ],
}


def build_btp(rng: random.Random, n: int) -> Doc:
    name, form, cap, street, city, ape = BT2_SELLERS[n - 1]
    seller = fr_seller(
        rng,
        name,
        form,
        cap,
        street,
        city,
        ape,
        qualibat=f"{rng.randint(1000, 9999)}",
        decennale=f"{rng.randint(100000, 999999)}/1000",
    )
    bname, site = BT2_BUYERS[n]
    autoliq = n % 2 == 1
    buyer = fr_buyer(rng, bname, siren=autoliq, vat=autoliq)
    buyer.extra["siret"] = new_siret(rng, buyer.extra["siren_any"])
    issue = rand_date(rng)
    pool = BT2_WORKS[n]
    works = [BT2_COMMON, *rng.sample(pool, rng.randint(3, len(pool)))]
    lines = []
    for k, (desc, unit, price) in enumerate(works):
        q = D(1) if unit in ("ft", "ens") else D(rng.choice(["12", "36.5", "85", "142.25", "210", "18", "6"]))
        if unit == "m³":
            q = D(rng.choice(["4.2", "6.75"]))
        rate = R0 if autoliq else (R20 if k == len(works) - 1 else R10)
        if rate == R20:
            desc += " – local commercial en rez-de-chaussée"
        lines.append(Line(desc, q, D(price), rate, unit=unit, ref=f"{k + 1}"))
    return Doc(
        number=f"{issue.year}-{rng.randint(40, 320):03d}",
        issue=issue,
        due=issue + timedelta(days=rng.choice([30, 45])) if n != 5 else None,
        seller=seller,
        buyer=buyer,
        lines=lines,
        po=f"ST-{issue.year}-{rng.randint(10, 99):03d}" if autoliq else None,
        line_rates_shown=not autoliq,
        meta={
            "site": site,
            "lot": [
                "05 – PLÂTRERIE ISOLATION",
                "11 – ÉLECTRICITÉ",
                "03 – CHARPENTE COUVERTURE",
                "09 – PLOMBERIE CHAUFFAGE",
                "02 – GROS ŒUVRE",
            ][n - 1],
            "autoliq": autoliq,
            "acompte": D(rng.choice(["1500.00", "2500.00"])) if n in (2, 3) else None,
            "situation": rng.randint(1, 4),
        },
    )


def draw_btp(doc: Doc, path: Path) -> None:
    s, b = doc.seller, doc.buyer

    def fm(x: Decimal) -> str:
        return num(x, "fr", 2, " ") + " €"

    p = Pdf(path, f"Facture {doc.number}", s.name)
    L, R = 45, W - 45
    p.t(L, H - 50, s.name, "Helvetica-Bold", 14)
    p.t(L, H - 63, f"{s.address[0]} – {s.address[1]}", "Helvetica", 8.5)
    p.t(L, H - 74, f"Tél. {s.extra['tel']} – {s.extra['email']}", "Helvetica", 8.5)
    p.t(L, H - 85, f"Qualification Qualibat n° {s.extra['qualibat']}", "Helvetica-Oblique", 8)
    x2 = W / 2 + 25
    p.t(x2, H - 110, b.name, "Helvetica-Bold", 10)
    for k, line in enumerate(b.address):
        p.t(x2, H - 123 - 11.5 * k, line, "Helvetica", 9.5)
    yb = H - 123 - 11.5 * len(b.address)
    if b.siren:
        p.t(x2, yb - 2, f"SIRET : {sp_siret(b.extra['siret'])}", "Helvetica", 8.5)
        p.t(x2, yb - 13, f"TVA intracommunautaire : {b.vat}", "Helvetica", 8.5)
    y = H - 190
    title = f"FACTURE N° {doc.number}"
    if doc.meta["autoliq"]:
        title += f" – SITUATION N° {doc.meta['situation']}"
    p.t(L, y, title, "Helvetica-Bold", 12.5)
    p.t(L, y - 15, f"Date : {d_fr(doc.issue)}", "Helvetica", 9.5)
    p.t(L, y - 27, f"Chantier : {doc.meta['site']}", "Helvetica", 9.5)
    if doc.po:
        p.t(L, y - 39, f"Contrat de sous-traitance n° {doc.po}", "Helvetica", 9.5)
    cols = [
        Col("N°", 26, "c"),
        Col("Désignation", 272),
        Col("U", 28, "c"),
        Col("Qté", 45, "r"),
        Col("PU HT", 62, "r"),
        Col("Montant HT", 72, "r"),
    ]
    if not doc.meta["autoliq"]:
        cols[1].width -= 37
        cols.append(Col("TVA", 37, "c"))
    rows: list = [Note(f"LOT {doc.meta['lot']}", "Helvetica-Bold")]
    for ln in doc.lines:
        row = [ln.ref, ln.desc, ln.unit, qty_txt(ln.qty, "fr", 2), fm(ln.price), fm(ln.amount)]
        if not doc.meta["autoliq"]:
            row.append(rate_txt(ln.rate, dec=0, space=False))
        rows.append(row)
    y = table(p, L, y - 55, cols, rows, size=8.5, lead=11, wrap=1, rules=True, head_fill=0.9, grid=True)
    rows_t = [("Total HT", fm(doc.ht), True)]
    if doc.meta["autoliq"]:
        rows_t += [("TVA", "Autoliquidation", False), ("Total TTC", fm(doc.ttc), True)]
    else:
        rows_t += [
            (f"TVA {rate_txt(r, dec=0)} sur {fm(base)}", fm(v), False) for r, base, v in doc.breakdown()
        ]
        rows_t += [("Total TVA", fm(doc.tva), False), ("Total TTC", fm(doc.ttc), True)]
    net = doc.ttc
    extra_rows = []
    retenue = q2(doc.ttc * 5 / 100) if doc.meta["autoliq"] else None
    if retenue is not None:
        extra_rows.append(("Retenue de garantie 5 %", "- " + fm(retenue), False))
        net -= retenue
    if doc.meta["acompte"]:
        extra_rows.append(("Acompte versé", "- " + fm(doc.meta["acompte"]), False))
        net -= doc.meta["acompte"]
    extra_rows.append(("Net à payer", fm(net), True))
    yk = kv(p, R - 230, R - 4, y - 18, rows_t, size=9, lead=14)
    p.hl(R - 230, R, yk + 8, 0.5)
    yk = kv(p, R - 230, R - 4, yk - 6, extra_rows, size=9, lead=14)
    yp = yk - 12
    if doc.meta["autoliq"]:
        yp = (
            p.para(
                L,
                yp,
                "Autoliquidation : TVA due par le preneur en application de l'article 283-2 nonies du CGI "
                "(travaux de construction réalisés en sous-traitance).",
                R - L,
                "Helvetica-Bold",
                8.5,
            )
            - 4
        )
    pay = (
        f"Paiement à {(doc.due - doc.issue).days} jours, soit le {d_fr(doc.due)}"
        if doc.due
        else "Paiement à réception"
    )
    p.t(L, yp, f"{pay} – IBAN {s.extra['iban']}", "Helvetica", 8.5)
    p.para(L, yp - 14, PENALTIES[1], R - L, size=7)
    p.para(
        L,
        70,
        f"Assurance responsabilité civile décennale : SMABTP, police n° {s.extra['decennale']} – couverture "
        "géographique : France métropolitaine.",
        R - L,
        "Helvetica-Oblique",
        7,
    )
    p.hl(L, R, 46, 0.4, 0.5)
    p.t(W / 2, 36, fr_legal(s), "Helvetica", 6.2, "c")
    p.save()


# ================================================================== main

LAYOUTS: list[tuple[str, Callable[[random.Random, int], Doc], Callable[[Doc, Path], None]]] = [
    ("bt_negoce", build_bt_negoce, draw_bt_negoce),
    ("ep_alimentaire", build_ep_alimentaire, draw_ep_alimentaire),
    ("mp_bureau", build_mp_bureau, draw_mp_bureau),
    ("en_agency", build_en_agency, draw_en_agency),
    ("be_fournisseur", build_be_fournisseur, draw_be_fournisseur),
    ("conseil", build_conseil, draw_conseil),
    ("ue_industrie", build_ue_industrie, draw_ue_industrie),
    ("exp_vins", build_exp_vins, draw_exp_vins),
    ("micro", build_micro, draw_micro),
    ("av_avoir", build_av_avoir, draw_av_avoir),
    ("pharma", build_pharma, draw_pharma),
    ("btp", build_btp, draw_btp),
]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in [*OUT.glob("*.pdf"), *OUT.glob("*.json")]:
        old.unlink()
    count = 0
    for slug_, build, draw in LAYOUTS:
        for n in range(1, 6):
            rng = random.Random(f"blind3-{slug_}-{n}")
            doc = build(rng, n)
            stem = OUT / f"{slug_}_{n}"
            draw(doc, stem.with_suffix(".pdf"))
            truth = doc.truth("tune" if n <= 2 else "final")
            stem.with_suffix(".json").write_text(
                json.dumps(truth, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
            count += 1
    print(f"wrote {count} invoices to {OUT}")


if __name__ == "__main__":
    main()
