"""The generic text reader: an invoice model from the positioned text of a PDF, whatever tool made it.

No template per issuer. Labels (textlabels.py) point at values by proximity: after the label in the same cell,
in the next cell on the right, or in the cell below (label above value). Totals are chosen together so that
HT + TVA = TTC to the cent, and the VAT breakdown so that base x rate = VAT; amounts that add up are believed,
amounts that do not are kept but marked unsure. Every field gets a confidence (0..1); when two readings of a
field disagree and nothing decides between them, the field is left empty with a low confidence: an empty
field sends the invoice to a person, a wrong one sends a wrong invoice.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jalon.formats import textlabels as labels
from jalon.formats.model import Invoice, Line, PrecedingInvoice, VatBreakdown
from jalon.formats.pdf import PdfText
from jalon.formats.textlayout import Cell, Layout, build
from jalon.formats.textvalues import (
    ISO_CURRENCIES,
    ZERO_DECIMAL,
    Amount,
    find_amounts,
    find_dates,
    guess_decimal_mark,
    month_first_document,
    percents,
)

CENT = Decimal("0.01")
STANDARD_RATES = tuple(
    Decimal(r)
    for r in [
        "20",
        "10",
        "5.5",
        "2.1",
        "8.5",
        "13",
        "0.9",
        "19",
        "7",
        "21",
        "6",
        "9",
        "12",
        "22",
        "23",
        "24",
        "25",
        "17",
        "16",
        "15",
        "8.1",
        "2.6",
        "3.8",
        "14",
        "4",
        "5",
    ]
)
_LABEL_TABLE = labels.compile_table(labels.LABELS)
_TOTALS_TABLE = labels.compile_table(labels.TOTALS)
_PARTY_TABLE = labels.compile_table(labels.PARTY_LABELS)
_IDENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-_/.]{0,34}$")
_LEADING = re.compile(r"^(?:[\s:#°.\-–]|n\s?[°o]\.?\s|no\.?\s|num(?:ero|ber)?\.?\s|ref\.?\s)+", re.IGNORECASE)
_NOT_VAT_ROW = re.compile(
    r"\b(?:remise|rabais|ristourne|discount|escompte|allowance|charge|frais|majoration)\b"
)
_COMBINED: dict[tuple[int, ...], re.Pattern[str]] = {}
_CATEGORY_CODES = {"s", "z", "e", "ae", "k", "g", "o", "l", "m"}
_LABEL_VALUE = re.compile(r"^[^\d:]{2,40}\s?:\s*\S")  # "Livraison: adresse…" is a label with its own value
_FILLER = {
    "client",
    "customer",
    "fournisseur",
    "interne",
    "internal",
    ":",
    "-",
    "du",
    "de",
    "la",
    "no",
    "n°",
    "nr",
}
_STOP_TOKENS = {"du", "de", "le", "la", "date", "du:", "of", "the", "page", "client", "customer", "n°", "no"}


@dataclass(slots=True)
class Candidate:
    value: Any
    score: float
    cell: Cell

    @property
    def order(self) -> float:
        return self.cell.row + self.cell.x0 / 10_000


@dataclass
class Hints:
    """Per-issuer help from config, for a layout the generic reader misses."""

    labels: Mapping[str, list[str]] | None = None  # extra folded regexes per field
    decimal_mark: str | None = None
    month_first: bool | None = None
    currency: str | None = None
    seller_ids: tuple[str, ...] = ()  # SIREN/SIRET/VAT known to belong to the issuer

    @classmethod
    def of(cls, value: Hints | Mapping[str, Any] | None) -> Hints:
        if value is None:
            return cls()
        if isinstance(value, Hints):
            return value
        return cls(
            labels=value.get("labels"),
            decimal_mark=value.get("decimal_mark"),
            month_first=value.get("month_first"),
            currency=value.get("currency"),
            seller_ids=tuple(value.get("seller_ids", ())),
        )


class Reader:
    """One document being read: the layout, the document's conventions, and the fields found so far."""

    def __init__(self, layout: Layout, hints: Hints):
        self.layout = layout
        self.hints = hints
        self.cells = list(layout.cells())
        self.decimal = hints.decimal_mark or guess_decimal_mark([c.text for c in self.cells])
        folded = [c.folded for c in self.cells]
        self.month_first = (
            hints.month_first if hints.month_first is not None else month_first_document(folded)
        )
        if hints.month_first is None and not self.month_first and _us_document(self.cells):
            self.month_first = month_first_document(folded, default=True)
        self.table = {key: list(value) for key, value in _LABEL_TABLE.items()}
        for key, extra in (hints.labels or {}).items():
            self.table.setdefault(key, [])[:0] = [(re.compile(pattern), 1.0) for pattern in extra]
        self.confidence: dict[str, float] = {}
        self.warnings: list[str] = []
        self.zero_rows: list[tuple[Decimal, str | None, str | None]] = []  # (base, category, VATEX code)
        self._label_cells: set[int] | None = None
        self._hits: dict[tuple[int, ...], list[tuple[Cell, int, float]]] = {}

    # --- labels and values --------------------------------------------------------------------------------

    def hits(self, patterns: Iterable[tuple[re.Pattern[str], float]]) -> list[tuple[Cell, int, float]]:
        """Cells matching one of `patterns` (the first that matches gives the strength), memoised."""
        patterns = list(patterns)
        key = tuple(id(p) for p, _ in patterns)
        cached = self._hits.get(key)
        if cached is not None:
            return cached
        combined = _COMBINED.get(key)
        if combined is None:
            combined = _COMBINED[key] = re.compile(
                "|".join(f"(?:{p.pattern})" for p, _ in patterns) or "(?!)"
            )
        found = []
        for cell in self.cells:
            if not combined.search(cell.folded):  # one pass to skip the cells no pattern can match
                continue
            for pattern, strength in patterns:
                match = pattern.search(cell.folded)
                if match:
                    found.append((cell, match.end(), strength))
                    break
        self._hits[key] = found
        return found

    def is_label(self, cell: Cell) -> bool:
        """A cell that is itself a label (its value cannot be what a neighbouring label points at)."""
        if self._label_cells is None:
            ids = set()
            for table in (_LABEL_TABLE, _TOTALS_TABLE, _PARTY_TABLE):
                for patterns in table.values():
                    for cell_, end, _ in self.hits(patterns):
                        # "Total HT : 100,00" carries its own value: a label only when little follows it
                        if len(cell_.folded) - end <= 2:
                            ids.add(id(cell_))
            self._label_cells = ids
        return id(cell) in self._label_cells

    def near(
        self, field: str, parse: Callable[[str, Cell], Any], below: bool = True, exclude: tuple[str, ...] = ()
    ) -> list[Candidate]:
        """Values next to the labels of `field`, parsed; each scored by label strength and position. Labels
        that also name a field in `exclude` ("Date of delivery" for the issue date) are skipped."""
        hits = self.hits(self.table.get(field, []))
        if exclude:
            others = [p for name in exclude for p, strength in self.table.get(name, []) if strength >= 0.85]
            hits = [h for h in hits if not any(p.search(h[0].folded) for p in others)]
        return self.near_hits(hits, parse, below)

    def near_hits(
        self, hits: list[tuple[Cell, int, float]], parse: Callable[[str, Cell], Any], below: bool = True
    ) -> list[Candidate]:
        found: list[Candidate] = []
        for cell, end, strength in hits:
            rest = cell.text[end:]
            value = parse(rest, cell) if rest.strip(" :#-") else None
            if value is not None:
                found.append(Candidate(value, strength, cell))
                continue
            right = self.layout.right_of(cell)
            if right is not None and not self.is_label(right) and not _LABEL_VALUE.match(right.folded):
                value = parse(right.text, right)
                if value is not None:
                    far = right.x0 - cell.x1 > 0.45 * self.layout.page_widths.get(cell.page, 600)
                    found.append(Candidate(value, strength * (0.8 if far else 0.95), right))
                    continue
            if below:
                for distance, other in enumerate(self.layout.below(cell, max_rows=2)):
                    if self.is_label(other) or _LABEL_VALUE.match(other.folded):
                        break
                    value = parse(other.text, other)
                    if value is not None:
                        found.append(Candidate(value, strength * (0.85 - 0.1 * min(distance, 2)), other))
                        break
        return found

    # --- value parsers ------------------------------------------------------------------------------------

    def parse_ident(self, text: str, cell: Cell | None = None, need_digit: bool = True) -> str | None:
        """A reference after its label: skips filler words ("client", "du", ":"), takes one token."""
        tokens = _LEADING.sub("", text.strip()).split()
        token = ""
        for candidate in tokens[:4]:
            candidate = _LEADING.sub("", candidate).rstrip(".,;:)")
            if not candidate or candidate.lower() in _STOP_TOKENS or candidate.lower() in _FILLER:
                continue
            token = candidate
            break
        if not token or not _IDENT.match(token):
            return None
        if need_digit and not any(ch.isdigit() for ch in token):
            return None
        if find_dates(token.lower(), self.month_first) and re.fullmatch(r"[\d/.\-]+", token):
            return None  # a date, not a number
        if re.fullmatch(r"\d{1,3}(?:[ .,]\d{3})*[.,]\d{2}", token):
            return None  # an amount
        return token

    def parse_code(self, text: str, cell: Cell | None = None) -> str | None:
        return self.parse_ident(text, cell, need_digit=False)

    def parse_date(self, text: str, cell: Cell | None = None) -> dt.date | None:
        hits = find_dates(text.lower() if text.isascii() else _fold(text), self.month_first)
        return hits[0].value if hits else None

    def parse_amount(self, text: str, cell: Cell | None = None) -> Amount | None:
        amounts = [a for a in find_amounts(text, self.decimal) if a.decimals in (0, 2) or a.currency]
        return amounts[-1] if amounts else None

    # --- single fields ------------------------------------------------------------------------------------

    def pick(self, name: str, candidates: list[Candidate]) -> Any:
        """The best candidate; ties between different values leave the field empty (a person decides)."""
        if not candidates:
            self.confidence[name] = 0.0
            return None
        ranked = sorted(candidates, key=lambda c: (-c.score, c.order))
        best = ranked[0]
        rivals = [c for c in ranked[1:] if c.value != best.value and c.score >= best.score - 0.1]
        agree = sum(1 for c in ranked[1:] if c.value == best.value)
        if rivals:
            self.confidence[name] = 0.2
            self.warnings.append(
                f"{name}: several candidates ({best.value!r}, {rivals[0].value!r}), left empty"
            )
            return None
        self.confidence[name] = round(min(0.99, 0.82 * best.score + 0.05 * min(agree, 2) + 0.05), 2)
        return best.value


def _us_document(cells: list[Cell]) -> bool:
    """Dollars and English labels: numeric dates are month/day unless a date proves otherwise."""
    dollars = sum(1 for c in cells[:400] if "$" in c.text or "USD" in c.text)
    english = sum(1 for c in cells[:400] if re.search(r"\b(?:invoice|amount|total|due)\b", c.folded))
    return dollars >= 2 and english >= 2


def _fold(text: str) -> str:
    from jalon.formats.textvalues import fold

    return fold(text)


# --- totals, VAT breakdown, lines ---------------------------------------------------------------------------


def _amount_candidates(reader: Reader, kind: str) -> list[Candidate]:
    """Amounts beside each totals label of `kind`: every amount in the rest of the row (base and VAT may
    share a row) or below the label (a totals table with labels above)."""
    found: list[Candidate] = []
    for cell, end, strength in reader.hits(_TOTALS_TABLE[kind]):
        if labels.NOT_A_TOTAL.search(cell.folded[:end]) and kind != "vat":
            continue
        if kind == "vat" and re.search(
            r"\b(?:n\s?[°o]|numero|number|no|id|intra\w*|non applicable)\b", cell.folded
        ):
            continue
        if kind in ("without_vat", "with_vat") and re.search(r"\bpage\b|report", cell.folded):
            continue
        row = reader.layout.rows[cell.row]
        pool: list[tuple[Amount, Cell]] = []
        own = [a for a in find_amounts(cell.text[end:], reader.decimal)]
        pool.extend((a, cell) for a in own)
        for other in row.cells[cell.index + 1 :]:
            if reader.is_label(other):
                break
            pool.extend((a, other) for a in find_amounts(other.text, reader.decimal))
        if not pool:
            for other in reader.layout.below(cell, max_rows=1):
                if not reader.is_label(other):
                    pool.extend((a, other) for a in find_amounts(other.text, reader.decimal))
                break
        money = [(a, c) for a, c in pool if a.decimals == 2 or (a.decimals == 0 and _zero_decimal(reader))]
        for rank, (amount, where) in enumerate(reversed(money)):
            found.append(Candidate(amount.value, strength * (1.0 if rank == 0 else 0.85), where))
    return found


def _zero_decimal(reader: Reader) -> bool:
    return reader.hints.currency in ZERO_DECIMAL or any(
        "¥" in c.text or "JPY" in c.text for c in reader.cells[:400]
    )


@dataclass
class Totals:
    without_vat: Decimal | None = None
    vat: Decimal | None = None
    with_vat: Decimal | None = None
    payable: Decimal | None = None
    prepaid: Decimal | None = None
    negative: bool = False


def read_totals(reader: Reader, exempt: bool, rate_rows: RateRows | None = None) -> Totals:
    cands = {kind: _amount_candidates(reader, kind) for kind in labels.TOTALS}
    summed: list[Candidate] = []
    if rate_rows and len(rate_rows) > 1:
        # several rates and no single VAT total printed: the VAT rows together are a candidate
        last = max(row for _, _, row in rate_rows.values())
        cell = reader.layout.rows[last].cells[-1]
        total = sum((abs(e[1]) for e in rate_rows.values()), Decimal("0"))
        summed = [Candidate(total, 0.85, cell), Candidate(-total, 0.8, cell)]
        cands["vat"].extend(summed)
    totals_pool = cands["with_vat"] + [Candidate(c.value, c.score * 0.95, c.cell) for c in cands["payable"]]
    rows = max(len(reader.layout.rows), 1)
    best: tuple[float, Candidate, Candidate | None, Candidate] | None = None
    vat_pool = cands["vat"] or []
    for h in cands["without_vat"]:
        for t in totals_pool:
            if t.value == h.value and (exempt or not vat_pool):
                options: list[Candidate | None] = [None]
            else:
                # a credit note may print its VAT without the minus sign of its totals
                options = [
                    v
                    for v in vat_pool
                    if h.value + v.value == t.value
                    or (h.value < 0 and t.value < 0 and h.value - abs(v.value) == t.value)
                ]
            for v in options:
                if t.value == 0:
                    continue
                score = (
                    h.score + t.score + (v.score if v else 0.6) + 0.3 * (h.cell.row + t.cell.row) / (2 * rows)
                )
                if best is None or score > best[0]:
                    best = (score, h, v, t)
    result = Totals()
    if best is not None:
        _, h, v, t = best
        vat = (
            (v.value if v else Decimal("0"))
            if h.value + (v.value if v else 0) == t.value
            else -abs(v.value if v else 0)
        )
        result.without_vat, result.vat, result.with_vat = h.value, vat, t.value
        for key in ("total_without_vat", "total_vat", "total_with_vat"):
            reader.confidence[key] = 0.97
    else:
        # Nothing adds up: keep each best reading, say we are unsure (the totals check will hold it).
        if summed:  # one VAT row per rate: their sum is the VAT total
            cands["vat"] = summed[:1]
        for kind, key in (
            ("without_vat", "total_without_vat"),
            ("vat", "total_vat"),
            ("with_vat", "total_with_vat"),
        ):
            pool = cands[kind] if kind != "with_vat" else totals_pool
            value = reader.pick(key, _last_wins(pool))
            setattr(result, kind, value)
            if value is not None:
                reader.confidence[key] = min(reader.confidence[key], 0.55)
        if (
            exempt
            and result.vat is None
            and result.without_vat is not None
            and result.without_vat == result.with_vat
        ):
            result.vat = Decimal("0")
        if result.without_vat is not None or result.with_vat is not None:
            reader.warnings.append("totals do not add up (HT + VAT != TTC) or were not all found")
    prepaid = [c.value for c in cands["prepaid"] if c.value > 0]
    payable = [c.value for c in cands["payable"]]
    if result.with_vat is not None:
        result.payable = result.with_vat
        for paid in prepaid:
            if result.with_vat - paid in payable:
                result.prepaid, result.payable = paid, result.with_vat - paid
                break
    values = [x for x in (result.without_vat, result.with_vat) if x is not None]
    if values and all(x < 0 for x in values):
        result.negative = True
        for kind in ("without_vat", "vat", "with_vat", "payable", "prepaid"):
            value = getattr(result, kind)
            if value is not None:
                setattr(result, kind, -value)
    return result


def _last_wins(pool: list[Candidate]) -> list[Candidate]:
    """Totals printed twice (a summary box and a final line) agree; when they do not, the last one counts."""
    if not pool:
        return []
    top = max(c.score for c in pool)
    strong = [c for c in pool if c.score >= top - 0.1]
    last = max(strong, key=lambda c: c.order)
    return [Candidate(last.value, last.score + 0.2, last.cell)] + [c for c in pool if c is not last]


RateRows = dict[Decimal, tuple[Decimal | None, Decimal, int]]


def read_rate_rows(reader: Reader) -> RateRows:
    """Rows that print a VAT rate with its VAT (and usually its base: base x rate = VAT), by rate; the last row
    of a rate wins (a summary comes after the item lines)."""
    entries: RateRows = {}
    for row_index, row in enumerate(reader.layout.rows):
        folded = row.folded
        found = percents(folded)
        if _NOT_VAT_ROW.search(folded) and not re.search(r"\b(?:tva|vat|taxe?s?|mwst|ust)\b", folded):
            continue  # a discount or a charge in percent, not a VAT rate
        rates = [r for r in found if 0 < r < 30]
        amounts = [a.value for a in find_amounts(row.text, reader.decimal) if a.decimals == 2]
        if found and not rates and found[0] == 0 and 0 in amounts and any(amounts):
            # an exempt or zero-rated part: base printed with a zero VAT
            base = next(a for a in amounts if a)
            code = next(
                (c.text.strip().upper() for c in row.cells if c.folded.strip() in _CATEGORY_CODES), None
            )
            vatex = re.search(r"\bvatex-[a-z0-9-]+", folded)
            reader.zero_rows.append((base, code, vatex.group(0).upper() if vatex else None))
            continue
        if not rates:
            # a rate column without "%" ("20.0 | -20,48 € | -4,10 €"): believed only when base x rate = VAT
            rate = _bare_rate(row.cells[0].text)
            pair = _base_and_vat(rate, [a for a in amounts if a != rate]) if rate else None
            if rate and pair:
                entries[rate] = (pair[0], pair[1], row_index)
            continue
        rate = rates[0]
        pair = _base_and_vat(rate, amounts)
        if pair is not None:
            entries[rate] = (pair[0], pair[1], row_index)
        elif len(amounts) == 1 and re.search(r"\b(?:tva|vat|tax|mwst|ust)\b", folded):
            if rate not in entries or entries[rate][0] is None:
                entries[rate] = (None, amounts[-1], row_index)
    return entries


def _solve_bases(unknown: list[tuple[Decimal, Decimal]], remaining: Decimal) -> dict[Decimal, Decimal] | None:
    """Bases of rates printed with their VAT only, when exactly one set of bases in cents gives each VAT
    (base x rate rounded) and sums to what is left of the total HT. Several solutions: None (not guessed)."""
    if len(unknown) > 3:
        return None
    options: list[list[Decimal]] = []
    for rate, vat in unknown:
        low = ((vat - Decimal("0.005")) * 100 / rate).quantize(CENT)
        high = ((vat + Decimal("0.005")) * 100 / rate).quantize(CENT)
        steps = int((high - low) / CENT) + 1
        if steps > 400:
            return None
        options.append(
            [b for b in (low + CENT * i for i in range(steps)) if (b * rate / 100).quantize(CENT) == vat]
        )
    solutions: list[tuple[Decimal, ...]] = []

    def walk(index: int, chosen: tuple[Decimal, ...], total: Decimal) -> None:
        if len(solutions) > 1:
            return
        if index == len(options) - 1:
            last = remaining - total
            if last in options[index]:
                solutions.append((*chosen, last))
            return
        for base in options[index]:
            walk(index + 1, (*chosen, base), total + base)

    walk(0, (), Decimal("0"))
    if len(solutions) != 1:
        return None
    return {rate: base for (rate, _), base in zip(unknown, solutions[0], strict=True)}


def _vat_subset(entries: RateRows, vat_total: Decimal) -> RateRows:
    """The rate rows whose VAT adds up to the VAT total: the largest such set, standard rates first."""
    rates = list(entries)
    if len(rates) > 10:
        return {}
    best: tuple[int, int, list[Decimal]] | None = None
    for mask in range(1, 1 << len(rates)):
        chosen = [rate for bit, rate in enumerate(rates) if mask >> bit & 1]
        if sum((entries[rate][1] for rate in chosen), Decimal("0")) != vat_total:
            continue
        key = (sum(rate in STANDARD_RATES for rate in chosen), len(chosen), chosen)
        if best is None or key[:2] > best[:2]:
            best = key
    return {rate: entries[rate] for rate in best[2]} if best else {}


def _bases_from_lines(entries: RateRows, lines: list[Line]) -> None:
    """Rates printed with their VAT only ("TVA 5,5 % : 7,50"): the base is the sum of that rate's lines, when
    base x rate gives that VAT."""
    for rate, (base, vat, row) in list(entries.items()):
        if base is not None:
            continue
        from_lines = sum((abs(line.net_amount) for line in lines if line.vat_rate == rate), Decimal("0"))
        if from_lines and abs((from_lines * rate / 100).quantize(CENT) - vat) <= CENT:
            entries[rate] = (from_lines, vat, row)


def read_vat_breakdown(
    reader: Reader, totals: Totals, rows: RateRows, exempt_category: tuple[str, str] | None, lines: list[Line]
) -> list[VatBreakdown]:
    """The rate rows that sum to the totals (Σ VAT = total VAT, Σ bases = total HT), else a single rate
    derived from the totals when one standard rate explains them exactly."""
    entries = {rate: (abs(b) if b is not None else None, abs(v), r) for rate, (b, v, r) in rows.items()}
    _bases_from_lines(entries, lines)
    result: list[VatBreakdown] = []
    if totals.vat is not None and entries:
        total_vat = sum((e[1] for e in entries.values()), Decimal("0"))
        if total_vat != totals.vat:
            entries = _vat_subset(entries, totals.vat)
        unknown = [rate for rate, e in entries.items() if e[0] is None]
        known_base = sum((e[0] for e in entries.values() if e[0] is not None), Decimal("0"))
        if unknown and totals.without_vat is not None:
            solved = _solve_bases(
                [(rate, entries[rate][1]) for rate in unknown], totals.without_vat - known_base
            )
            for rate, base in (solved or {}).items():
                entries[rate] = (base, entries[rate][1], entries[rate][2])
        for rate, (base, vat, _) in sorted(entries.items(), key=lambda item: -item[0]):
            if base is not None:
                result.append(VatBreakdown(category="S", rate=rate, taxable_amount=base, tax_amount=vat))
        bases = sum((b.taxable_amount for b in result), Decimal("0"))
        zero_bases = sum((abs(z[0]) for z in reader.zero_rows), Decimal("0"))
        if (
            result
            and totals.without_vat is not None
            and zero_bases
            and bases + zero_bases == totals.without_vat
        ):
            for base, code, vatex in reader.zero_rows:  # the exempt or zero-rated part of a mixed invoice
                category = code or (exempt_category[0] if exempt_category else "Z")
                reason = exempt_category[1] if exempt_category and exempt_category[0] == category else None
                result.append(VatBreakdown(category=category, rate=Decimal("0"), taxable_amount=abs(base),
                                           tax_amount=Decimal("0"), exemption_reason=reason,
                                           exemption_reason_code=vatex))  # fmt: skip
            bases += zero_bases
        if result and (
            (totals.without_vat is not None and bases != totals.without_vat) or len(result) < len(entries)
        ):
            result = []
    if not result and totals.without_vat is not None and totals.vat is not None:
        if totals.vat == 0:
            code, reason = exempt_category or ("Z", None)
            reader.confidence["vat_breakdown"] = 0.8 if exempt_category else 0.5
            return [VatBreakdown(category=code, rate=Decimal("0"), taxable_amount=totals.without_vat,
                                 tax_amount=Decimal("0"), exemption_reason=reason)]  # fmt: skip
        for rate in STANDARD_RATES:
            if totals.without_vat and (totals.without_vat * rate / 100).quantize(CENT) == totals.vat:
                reader.confidence["vat_breakdown"] = 0.7
                return [
                    VatBreakdown(
                        category="S", rate=rate, taxable_amount=totals.without_vat, tax_amount=totals.vat
                    )
                ]
    reader.confidence["vat_breakdown"] = 0.95 if result else 0.0
    return result


def _bare_rate(text: str) -> Decimal | None:
    match = re.fullmatch(r"\s*(\d{1,2}(?:[.,]\d{1,2})?)\s*", text)
    if not match:
        return None
    rate = Decimal(match.group(1).replace(",", "."))
    return rate if rate in STANDARD_RATES else None


def _base_and_vat(rate: Decimal, amounts: list[Decimal]) -> tuple[Decimal, Decimal] | None:
    for i, base in enumerate(amounts):
        for vat in amounts[i + 1 :]:
            if base and abs((abs(base) * rate / 100).quantize(CENT) - abs(vat)) <= CENT:
                return base, vat
    return None


def read_lines(reader: Reader, totals: Totals) -> list[Line]:
    """Item rows under a table header: quantity x unit price = amount, descriptions from the text cells."""
    rows = reader.layout.rows
    lines: list[Line] = []
    header: list[tuple[str, Cell]] | None = None
    unparsed = 0
    for row in rows:
        kinds = _header_kinds(row.cells)
        if len({k for k, _ in kinds}) >= 3 and any(k == "description" for k, _ in kinds):
            header = kinds
            continue
        if header is None:
            continue
        if any(reader.is_label(c) for c in row.cells) and (
            reader.hits(_TOTALS_TABLE["without_vat"]) and any(_is_totals_cell(c) for c in row.cells)
        ):
            header = None
            continue
        parsed = _line_of_row(reader, row.cells)
        if parsed is not None:
            parsed.id = str(len(lines) + 1)
            lines.append(parsed)
        elif lines and row.cells and not find_amounts(row.text, reader.decimal):
            if row.page == lines[-1].__dict__.get("_page", row.page):
                lines[-1].name = (lines[-1].name + " " + " ".join(c.text for c in row.cells)).strip()
        elif find_amounts(row.text, reader.decimal) and not re.search(
            r"report|page|carried|brought", row.folded
        ):
            unparsed += 1
    total = sum((line.net_amount for line in lines), Decimal("0"))
    exact = totals.without_vat is not None and total in {totals.without_vat, -totals.without_vat}
    reader.confidence["lines"] = (
        0.95 if lines and exact else (0.5 if lines and not unparsed else 0.2 if lines else 0.0)
    )
    return lines


def _is_totals_cell(cell: Cell) -> bool:
    return any(p.search(cell.folded) for patterns in _TOTALS_TABLE.values() for p, _ in patterns)


def _header_kinds(cells: list[Cell]) -> list[tuple[str, Cell]]:
    kinds = []
    for cell in cells:
        if len(cell.folded) > 40 or any(ch.isdigit() for ch in cell.folded):
            return []
        for kind, pattern in labels.TABLE_HEADER.items():
            if pattern.search(cell.folded):
                kinds.append((kind, cell))
                break
    return kinds


def _line_of_row(reader: Reader, cells: list[Cell]) -> Line | None:
    numbers: list[tuple[Decimal, int]] = []
    texts: list[str] = []
    rate: Decimal | None = None
    for cell in cells:
        found = find_amounts(cell.text, reader.decimal)
        rates = percents(cell.folded)
        if rates:
            rate = rates[0]
        if found and sum(a.end - a.start for a in found) >= len(cell.text.replace(" ", "")) * 0.6:
            numbers.extend((a.value, a.decimals) for a in found)
        elif not rates:
            texts.append(cell.text)
    if len(numbers) < 2 or not texts:
        return None
    amount = numbers[-1][0]
    for i, (qty, _) in enumerate(numbers[:-1]):
        for price, _ in numbers[i + 1 : -1] or []:
            if abs(abs(qty * price).quantize(CENT) - abs(amount)) <= CENT:
                return Line(name=" ".join(texts), quantity=qty, net_price=price, net_amount=amount,
                            vat_rate=rate, vat_category="S" if rate else None, unit="C62")  # fmt: skip
    if len(numbers) == 2 and abs(numbers[0][0] - amount) <= CENT:
        return Line(name=" ".join(texts), quantity=Decimal("1"), net_price=amount, net_amount=amount, vat_rate=rate,
                    vat_category="S" if rate else None, unit="C62")  # fmt: skip
    return None


# --- whole document -----------------------------------------------------------------------------------------


def read(text: PdfText, hints: Hints | Mapping[str, Any] | None = None) -> Invoice:
    """Read an invoice from PDF text. Never raises on odd text: unknown fields stay empty, confidence 0."""
    from jalon.formats.textparties import read_parties

    reader = Reader(build(text), Hints.of(hints))
    invoice = Invoice(source="text")
    everything = "\n".join(c.folded for c in reader.cells)
    mentions = {key: pattern.search(everything) for key, pattern in labels.MENTIONS.items()}

    preceding = reader.pick("preceding_invoice", reader.near("preceding_invoice", reader.parse_ident))
    if preceding:
        invoice.preceding_invoices.append(PrecedingInvoice(number=preceding))
    others = ("preceding_invoice", "purchase_order", "customer_code", "buyer_reference", "delivery_date")
    number = reader.near("invoice_number", reader.parse_ident, exclude=others)
    invoice.number = reader.pick("invoice_number", number) or ""
    issue = reader.near(
        "issue_date", reader.parse_date, exclude=("due_date", "delivery_date", "preceding_invoice")
    )
    invoice.issue_date = reader.pick("issue_date", issue)
    due = reader.near("due_date", reader.parse_date, exclude=("delivery_date",))
    invoice.due_date = reader.pick("due_date", due)
    invoice.tax_point_date = None
    delivery = reader.near("delivery_date", reader.parse_date)
    if delivery:
        invoice.delivery.date = reader.pick("delivery_date", delivery)
    if invoice.issue_date is None:
        invoice.issue_date = _fallback_issue_date(reader, {invoice.due_date, invoice.delivery.date})
    invoice.purchase_order = reader.pick("purchase_order", reader.near("purchase_order", reader.parse_ident))
    invoice.buyer_reference = reader.pick(
        "buyer_reference", reader.near("buyer_reference", reader.parse_code)
    )
    customer_code = reader.pick("customer_code", reader.near("customer_code", reader.parse_code))

    exempt = _exemption(mentions)
    rate_rows = read_rate_rows(reader)
    totals = read_totals(reader, exempt is not None, rate_rows)
    invoice.totals.tax_exclusive = totals.without_vat if totals.without_vat is not None else Decimal("0")
    invoice.totals.vat_total = totals.vat
    invoice.totals.tax_inclusive = totals.with_vat if totals.with_vat is not None else Decimal("0")
    invoice.totals.payable = totals.payable if totals.payable is not None else invoice.totals.tax_inclusive
    invoice.totals.prepaid = totals.prepaid
    invoice.lines = read_lines(reader, totals)
    invoice.vat_breakdown = read_vat_breakdown(reader, totals, rate_rows, exempt, invoice.lines)
    if totals.negative:
        for line in invoice.lines:
            line.net_amount, line.quantity = abs(line.net_amount), abs(line.quantity)
    line_sum = sum((line.net_amount for line in invoice.lines), Decimal("0"))
    invoice.totals.line_total = line_sum if invoice.lines else invoice.totals.tax_exclusive

    invoice.type_code = "381" if _is_credit_note(reader) or totals.negative else "380"
    reader.confidence["doc_type"] = 0.95 if _is_credit_note(reader) else (0.8 if totals.negative else 0.9)
    invoice.currency = _currency(reader)

    parties = read_parties(reader)
    invoice.seller, invoice.buyer = parties.seller, parties.buyer
    if customer_code:
        invoice.buyer.identifiers.append(customer_code)
    if parties.delivery is not None:
        invoice.delivery.address = parties.delivery
    invoice.payment.iban, invoice.payment.bic = parties.iban, parties.bic
    if invoice.payment.iban:
        invoice.payment.means_code = "58"

    _mentions(reader, invoice, mentions)
    invoice.confidence = dict(sorted(reader.confidence.items()))
    invoice.reader_warnings = reader.warnings + list(text.warnings)
    return invoice


def _fallback_issue_date(reader: Reader, others: set[dt.date | None]) -> dt.date | None:
    """No issue-date label: the first date at the top of page one that is not another known date."""
    for cell in reader.cells:
        if cell.page != 0 or cell.row > 25:
            break
        value = reader.parse_date(cell.text)
        if value is not None and value not in others:
            reader.confidence["issue_date"] = 0.45
            return value
    return None


def _exemption(mentions: Mapping[str, re.Match[str] | None]) -> tuple[str, str] | None:
    if mentions["reverse_charge"]:
        return "AE", "Reverse charge"
    if mentions["intra_eu_exempt"]:
        return "K", "Intra-community supply"
    if mentions["vat_exempt_franchise"]:
        return "E", "TVA non applicable, art. 293 B du CGI"
    if mentions["export_exempt"]:
        return "G", "Export outside the EU"
    return None


def _is_credit_note(reader: Reader) -> bool:
    for cell in reader.cells:
        if cell.page == 0 and cell.row < 40 and labels.CREDIT_TITLE.search(cell.folded):
            return True
    return False


def _currency(reader: Reader) -> str:
    if reader.hints.currency:
        reader.confidence["currency"] = 1.0
        return reader.hints.currency
    labelled = reader.near("currency", lambda text, cell: _currency_code(text))
    if labelled:
        value = reader.pick("currency", labelled)
        if value:
            return value
    votes: dict[str, int] = {}
    for cell in reader.cells:
        for amount in find_amounts(cell.text, reader.decimal):
            if amount.currency:
                votes[amount.currency] = votes.get(amount.currency, 0) + 1
        for token in re.findall(r"\b[A-Z]{3}\b", cell.text):
            if (token in ISO_CURRENCIES and token != "EUR") or token == "EUR":
                votes[token] = votes.get(token, 0) + 1
    if votes:
        ranked = sorted(votes.items(), key=lambda item: -item[1])
        top, count = ranked[0]
        second = ranked[1][1] if len(ranked) > 1 else 0
        reader.confidence["currency"] = 0.95 if count >= 2 * second + 1 else 0.5
        return top
    reader.confidence["currency"] = 0.4  # nothing printed: euro, the usual case, but unsure
    return "EUR"


def _currency_code(text: str) -> str | None:
    for token in re.findall(r"[A-Za-z€$£¥]+", text):
        code = token.upper()
        if code in ISO_CURRENCIES:
            return code
        symbol = {"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY"}.get(token)
        if symbol:
            return symbol
    return None


def _mentions(reader: Reader, invoice: Invoice, mentions: Mapping[str, re.Match[str] | None]) -> None:
    def sentence(key: str) -> str | None:
        pattern = labels.MENTIONS[key]
        for cell in reader.cells:
            if pattern.search(cell.folded):
                return cell.text
        return None

    invoice.penalty_rate_text = sentence("penalty_rate")
    invoice.recovery_indemnity_text = sentence("recovery_indemnity")
    invoice.early_payment_discount_text = sentence("early_payment_discount")
    invoice.vat_on_debits = True if mentions["vat_on_debits"] else None
    for cell in reader.cells:
        if labels.OPERATION_LABEL.search(cell.folded):
            rest = cell.folded[labels.OPERATION_LABEL.search(cell.folded).end() :]  # type: ignore[union-attr]
            right = reader.layout.right_of(cell)
            for text in (rest, right.folded if right else ""):
                for pattern, category in labels.OPERATION_CATEGORY:
                    if pattern.search(text):
                        invoice.operation_category = category
                        break
                if invoice.operation_category:
                    break
            break
