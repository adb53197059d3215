"""One document being read: its layout, its conventions (decimal mark, day/month order), the label tables,
and how a label finds its value (after it in the same cell, in the cell on its right, in the cell below), each
candidate scored, with `pick` leaving a field empty when readings disagree.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jalon.formats.text import labels
from jalon.formats.text.layout import Cell, Layout
from jalon.formats.text.values import (
    Amount,
    find_amounts,
    find_dates,
    fold,
    guess_decimal_mark,
    month_first_document,
)

LABEL_TABLE = labels.compile_table(labels.LABELS)
TOTALS_TABLE = labels.compile_table(labels.TOTALS)
PARTY_TABLE = labels.compile_table(labels.PARTY_LABELS)
_IDENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-_/.]{0,34}$")
_LEADING = re.compile(r"^(?:[\s:#°.\-–]|n\s?[°o]\.?\s|no\.?\s|num(?:ero|ber)?\.?\s|ref\.?\s)+", re.IGNORECASE)
_LABEL_VALUE = re.compile(r"^[^\d:]{2,40}\s?:\s*\S")  # "Livraison: adresse…" is a label with its own value
_FILLER = set(
    ["client", "customer", "fournisseur", "interne", "internal", ":", "-", "du", "de", "la", "no", "n°", "nr"]
)
_STOP_TOKENS = set(
    ["du", "de", "le", "la", "date", "du:", "of", "the", "page", "client", "customer", "n°", "no"]
)
_COMBINED: dict[tuple[int, ...], re.Pattern[str]] = {}


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
        self.table = {key: list(value) for key, value in LABEL_TABLE.items()}
        for key, extra in (hints.labels or {}).items():
            self.table.setdefault(key, [])[:0] = [(re.compile(pattern), 1.0) for pattern in extra]
        self.confidence: dict[str, float] = {}
        self.warnings: list[str] = []
        self.zero_rows: list[tuple[Decimal, str | None, str | None]] = []  # (base, category, VATEX code)
        self.line_vat_codes: dict[str, str] = {}  # line id -> what its VAT column prints ("A", "1", "5,5")
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
            for table in (LABEL_TABLE, TOTALS_TABLE, PARTY_TABLE):
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
            if below and self.heading_row(cell):  # a table of labels over values: the value is below
                candidate = self._below(cell, strength, parse)
                if candidate is not None:
                    found.append(candidate)
                    continue
            right = self.layout.right_of(cell)
            if right is not None and not self.is_label(right) and not _LABEL_VALUE.match(right.folded):
                value = parse(right.text, right)
                if value is not None:
                    far = right.x0 - cell.x1 > 0.45 * self.layout.page_widths.get(cell.page, 600)
                    found.append(Candidate(value, strength * (0.8 if far else 0.95), right))
                    continue
            if below:
                candidate = self._below(cell, strength, parse)
                if candidate is not None:
                    found.append(candidate)
        return found

    def _below(self, cell: Cell, strength: float, parse: Callable[[str, Cell], Any]) -> Candidate | None:
        paired = self.column_value(cell)
        if paired is not None and not self.is_label(paired):
            value = parse(paired.text, paired)
            # the slot under a heading holds its value, or says there is none ("—"): nothing further down
            return Candidate(value, strength * 0.85, paired) if value is not None else None
        heading = bool(self.heading_run(cell))  # a heading's value is on the next row or nowhere
        for distance, other in enumerate(self.layout.below(cell, max_rows=1 if heading else 2)):
            if self.is_label(other) or _LABEL_VALUE.match(other.folded) or other.folded.endswith(":"):
                return None
            if heading and other.row != cell.row + 1:
                return None
            value = parse(other.text, other)
            if value is not None:
                return Candidate(value, strength * (0.85 - 0.1 * min(distance, 2)), other)
        return None

    def column_value(self, cell: Cell) -> Cell | None:
        """In a row of headings over a row of as many values (a boxed totals bar, a reference strip), the
        value in the same column, however the two rows are aligned."""
        run = self.heading_run(cell)
        rows = self.layout.rows
        if not run:
            return None
        reach = 3 * cell.height
        # the next row with something under the headings: a letterhead's lines printed beside the strip
        # ("41 rue Lucien Faure" at the left margin) may fall between the headings and their values
        for following in rows[cell.row + 1 : cell.row + 4]:
            if following.page != cell.page or following.top - rows[cell.row].bottom > 2.5 * cell.height:
                return None
            values = [c for c in following.cells if c.x1 >= run[0].x0 - reach and c.x0 <= run[-1].x1 + reach]
            if values and all(self.is_label(c) for c in values):
                continue  # the same headings translated ("N° facture | Date" over "Invoice No. | Date")
            if values:
                return values[run.index(cell)] if len(values) == len(run) else None
        return None

    def heading_row(self, cell: Cell) -> bool:
        return bool(self.heading_run(cell))

    def heading_run(self, cell: Cell) -> list[Cell]:
        """The column headings around `cell` on its row ("Numéro | Date | Code client", "Code service |
        N° d'engagement | Marché"): the neighbouring cells with no digit and no closing colon ("Code
        service : | FACTURES" is a label and its value). Fewer than two: not a heading row, []."""
        cells = self.layout.rows[cell.row].cells

        def heading(other: Cell) -> bool:
            return not any(ch.isdigit() for ch in other.folded) and not other.folded.endswith(":")

        if not heading(cell):
            return []
        first = last = cell.index
        while first > 0 and heading(cells[first - 1]):
            first -= 1
        while last + 1 < len(cells) and heading(cells[last + 1]):
            last += 1
        return cells[first : last + 1] if last > first else []

    # --- value parsers ------------------------------------------------------------------------------------

    def parse_ident(self, text: str, cell: Cell | None = None, need_digit: bool = True) -> str | None:
        """A reference after its label: skips filler words ("client", "du", ":"), takes one token."""
        if re.fullmatch(r"[\d\s.,'’-]+", text.strip()) and any(
            a.decimals == 2 and a.end - a.start >= len(text.strip())
            for a in find_amounts(text.strip(), self.decimal)
        ):
            return None  # "1 177,04": an amount, not a reference
        tokens = _LEADING.sub("", text.strip()).split()
        token = ""
        for candidate in tokens[:4]:
            candidate = _LEADING.sub("", candidate).rstrip(".,;:)")
            if not candidate or candidate.lower() in _STOP_TOKENS or candidate.lower() in _FILLER:
                continue
            token = candidate
            break
        rest = tokens[tokens.index(token) + 1 :] if token in tokens else []
        if token.isdigit():  # "99 1653 8345": a long number printed in groups is one number
            groups = [token]
            for group in rest:
                if not group.isdigit() or len(group) > 6:
                    break
                groups.append(group)
            if len(groups) > 1 and len("".join(groups)) >= 6:
                token = "".join(groups)
        elif token.isalpha() and token.isupper() and len(token) <= 4 and rest and rest[0].isdigit():
            # "FC 504 7377": a letter prefix, then the number in groups
            groups = [token]
            for group in rest:
                if not group.isdigit() or len(group) > 8:
                    break
                groups.append(group)
            token = "".join(groups)
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

    def parse_reference(self, text: str, cell: Cell | None = None) -> str | None:
        """A free reference ("Chantier 204", "SERV-ACHATS"): the value up to the next label, a few words."""
        value = _LEADING.sub("", text.strip())
        value = re.split(r"\s+\S+\s?:", value, maxsplit=1)[0].strip(" .,;")
        words = value.split()
        if not words or len(value) > 40 or len(words) > 4 or words[0].lower() in _STOP_TOKENS:
            return self.parse_code(text, cell)
        if not any(ch.isalnum() for ch in value):
            return None  # "—": printed to say there is none
        numeric = not re.search(r"[A-Za-z]", value)
        amounts = find_amounts(value, self.decimal) if numeric else []
        if find_dates(fold(value), self.month_first) or any(a.end - a.start >= len(value) for a in amounts):
            return None  # a date or an amount is not a reference ("4653-25" is one)
        return value

    def parse_date(self, text: str, cell: Cell | None = None) -> dt.date | None:
        hits = find_dates(text.lower() if text.isascii() else fold(text), self.month_first)
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
