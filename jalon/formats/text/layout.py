"""Positioned spans -> rows of cells, and the geometry questions a label asks: what is beside me, below me.

A cell is a run of text on one line with no wide gap inside; a row is the cells sharing a baseline band on one
page. Values are found next to their labels: in the same cell after the label, in the next cell on the right,
or in the cell just below that overlaps the label horizontally (a label above its value). Thresholds are
relative to the text height, so they hold for any font size and any extractor.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise

from jalon.formats.pdf import LONE_GLYPH, PdfText, Span
from jalon.formats.text.values import fold

MERGE_GAP = 0.55  # a gap narrower than this many text heights joins two runs into one cell
LOOSE_GAP = 2.2  # the same on a page whose words stand apart (a scan's text layer)
BELOW_ROWS = 4  # how many rows below a label a value may sit
PAGE_OFFSET = 100_000.0  # pages stacked vertically: one y axis for the whole document


@dataclass(slots=True)
class Cell:
    page: int
    x0: float
    x1: float
    top: float
    bottom: float
    text: str
    folded: str = ""
    row: int = -1
    index: int = -1  # position in its row

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 1.0)

    @property
    def centre_x(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(slots=True)
class Row:
    page: int
    top: float
    bottom: float
    cells: list[Cell] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "  ".join(cell.text for cell in self.cells)

    @property
    def folded(self) -> str:
        return "  ".join(cell.folded for cell in self.cells)


@dataclass
class Layout:
    rows: list[Row]
    page_widths: dict[int, float]
    page_count: int

    @property
    def first_page(self) -> int:
        """The first page with text (a cover or a page printed as an image may come before it)."""
        return self.rows[0].page if self.rows else 0

    def cells(self) -> Iterator[Cell]:
        for row in self.rows:
            yield from row.cells

    def right_of(self, cell: Cell) -> Cell | None:
        row = self.rows[cell.row]
        return row.cells[cell.index + 1] if cell.index + 1 < len(row.cells) else None

    def below(self, cell: Cell, max_rows: int = BELOW_ROWS) -> Iterator[Cell]:
        """Cells in the next rows of the same page that overlap `cell` horizontally, nearest first. Rows with
        nothing under the cell (a neighbouring column's lines) do not count towards `max_rows`."""
        limit = cell.bottom + max(cell.height, 7.0) * (3.5 * max_rows)
        seen = 0
        for row in self.rows[cell.row + 1 :]:
            if row.page != cell.page or row.top > limit or seen >= max_rows:
                return
            under = [other for other in row.cells if _overlap(cell, other) > 0]
            if under:
                seen += 1
                yield from under

    def column_below(
        self, cell: Cell, max_gap: float = 2.2, max_rows: int = 8, loose: bool = False
    ) -> list[Cell]:
        """The block of cells stacked under `cell` (an address under a "Bill to" label), until a gap. `loose`
        also takes lines that only partly overlap it (a right-aligned letterhead over left-aligned lines)."""
        block: list[Cell] = []
        last = cell
        for row in self.rows[cell.row + 1 :]:
            if (
                row.page != cell.page
                or row.top - last.bottom > last.height * max_gap
                or len(block) >= max_rows
            ):
                break
            hits = [
                other
                for other in row.cells
                if _starts_under(cell, other) or (loose and _overlap(last, other) > 0)
            ]
            if hits:
                block.append(hits[0])
                last = hits[0]
        return block


def _overlap(a: Cell, b: Cell) -> float:
    return min(a.x1, b.x1) - max(a.x0, b.x0)


def _starts_under(anchor: Cell, other: Cell) -> bool:
    """`other` belongs to the block under `anchor`: aligned left or right with it, or mostly overlapping."""
    tolerance = max(anchor.height * 1.5, 12.0)  # a block is often indented under its label
    if abs(other.x0 - anchor.x0) <= tolerance or abs(other.x1 - anchor.x1) <= tolerance:
        return True
    return _overlap(anchor, other) > 0.5 * min(anchor.x1 - anchor.x0, other.x1 - other.x0)


def build(text: PdfText) -> Layout:
    rows: list[Row] = []
    widths: dict[int, float] = {}
    for spans in text.pages:
        if not spans:
            continue
        page = spans[0].page
        widths[page] = max(span.x1 for span in spans)
        bands = _bands(spans)
        rows.extend(_cells(bands, LOOSE_GAP if _loosely_spaced(bands) else MERGE_GAP))
    for number, row in enumerate(rows):
        for index, cell in enumerate(row.cells):
            cell.row, cell.index = number, index
    return Layout(rows, widths, text.page_count)


def _lines(spans: list[Span]) -> list[tuple[float, float, list[Span]]]:
    """Spans on one baseline, as (centre, height, spans). A span printed over one already there (fake bold,
    stacked glyphs) is dropped."""
    ordered = sorted(spans, key=lambda s: (s.base if s.base >= 0 else s.bottom - 0.2 * s.height, s.x0))
    lines: list[list[Span]] = []
    bases: list[float] = []
    for span in ordered:
        base = span.base if span.base >= 0 else span.bottom - 0.2 * span.height
        placed = False
        for index in range(len(lines) - 1, max(len(lines) - 4, -1), -1):
            if abs(base - bases[index]) > 0.25 * min(max(span.height, 1.0), max(lines[index][0].height, 1.0)):
                continue
            overlaps = [(min(span.x1, o.x1) - max(span.x0, o.x0), min(span.x1 - span.x0, o.x1 - o.x0))
                        for o in lines[index]]  # fmt: skip
            if any(width > 0.5 and width >= 0.6 * narrower for width, narrower in overlaps):
                placed = True  # printed over text already there: dropped
                break
            if any(width > 0.5 for width, _ in overlaps):
                continue
            lines[index].append(span)
            placed = True
            break
        if not placed:
            lines.append([span])
            bases.append(base)
    out = []
    for members in lines:
        centre = sum((s.top + s.bottom) / 2 for s in members) / len(members)
        out.append((centre, min(max(s.height, 1.0) for s in members), members))
    return out


def _loosely_spaced(bands: list[list[Span]]) -> bool:
    """A page typed with wide, uneven word spaces (a scan's text layer, an old printer's output): most
    words that follow one another on a line stand between half a text height and two apart, where typeset
    text either joins them or leaves a column gap."""
    loose = total = 0
    for band in bands:
        for left, right in pairwise(band):
            if _has_digit(left.text) or _has_digit(right.text):
                continue
            gap = (right.x0 - left.x1) / max(min(left.height, right.height), 1.0)
            if gap <= 6:
                total += 1
                loose += MERGE_GAP < gap <= LOOSE_GAP
    return loose >= 12 and loose >= 0.4 * total


def _has_digit(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def _bands(spans: list[Span]) -> list[list[Span]]:
    """Spans on one line form a row. Words sharing a baseline are one line whatever their size (an accented
    capital or a bold label beside a plain value); lines whose centres lie within half a text height join
    into one band (a value centred beside a label in a larger type), unless they overlap horizontally (a
    tall title beside two small lines must not fold them into one)."""
    lines = _lines(spans)
    lines.sort(key=lambda line: (line[0], line[2][0].x0))
    bands: list[list[Span]] = []
    centres: list[float] = []
    heights: list[float] = []
    for centre, height, members in lines:
        placed = False
        for index in range(len(bands) - 1, max(len(bands) - 4, -1), -1):
            if abs(centre - centres[index]) > 0.5 * min(height, heights[index]):
                continue
            if any(min(a.x1, b.x1) - max(a.x0, b.x0) > 0.5 for a in members for b in bands[index]):
                continue
            bands[index].extend(members)
            placed = True
            break
        if not placed:
            bands.append(list(members))
            centres.append(centre)
            heights.append(height)
    for band in bands:
        band.sort(key=lambda s: s.x0)
    return bands


def _cells(bands: list[list[Span]], merge_gap: float) -> list[Row]:
    """Each band's spans joined into cells where the gap between them is narrower than `merge_gap` text
    heights."""
    rows: list[Row] = []
    for band in bands:
        cells: list[Cell] = []
        for span in band:
            text = span.text
            if cells:
                last = cells[-1]
                gap = span.x0 - last.x1
                height = min(last.height, max(span.height, 1.0))
                if gap <= height * merge_gap:
                    glued = gap < height * 0.2 and not span.spaced  # PDFium saw no space: one word
                    joiner = "" if glued or last.text.endswith(" ") or text.startswith(" ") else " "
                    last.text = last.text + joiner + text
                    last.x1 = max(last.x1, span.x1)
                    last.top, last.bottom = min(last.top, span.top), max(last.bottom, span.bottom)
                    continue
            cells.append(Cell(span.page, span.x0, span.x1, span.top, span.bottom, text))
        for cell in cells:
            cell.text = " ".join(cell.text.split())
            if LONE_GLYPH in cell.text:  # an unmapped glyph alone: "Adressé à" at the end, a dash between
                cell.text = re.sub(f"{LONE_GLYPH}$", "à", cell.text).replace(LONE_GLYPH, "–")
            cell.folded = fold(cell.text)
        cells = [cell for cell in cells if cell.text]
        if cells:
            rows.append(Row(cells[0].page, min(c.top for c in cells), max(c.bottom for c in cells), cells))
    return rows
