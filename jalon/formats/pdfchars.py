"""PDFium's characters to words: positioned runs of text with their baseline, read level whatever the angle.

Each word keeps its box (PDFium's loose character boxes: font ascent to descent, so a comma sits on its
line) and its baseline, on which the layout lines words up. A page with rotated text (a stamp, a page scanned
askew, a legal line printed up the margin) is read again with each character turned level. A glyph whose font
has no Unicode mapping (Ghostscript's PDF/A output) is guessed from its neighbours rather than dropped.
"""

from __future__ import annotations

import ctypes
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pypdfium2 as pdfium


@dataclass(frozen=True, slots=True)
class Span:
    """A run of text on one line of one page; coordinates in points, y growing downwards from the top."""

    page: int
    x0: float
    top: float
    x1: float
    bottom: float
    text: str
    base: float = -1.0  # the baseline (y downwards); -1: unknown
    spaced: bool = False  # a space came before it in the PDF's text (a word, not the rest of one)

    @property
    def height(self) -> float:
        return self.bottom - self.top


_BLANK = "\x00\ufffe\ufeff"
# (index, character, left, right, top, bottom, baseline), y growing downwards. A blank has no left; a space
# the PDF printed keeps its right edge (its width is not a gap), other blanks have right = -1
Glyph = tuple[int, str, float | None, float, float, float, float | None]


def _blank(char: str) -> bool:
    return char.isspace() or char in _BLANK or "\ud800" <= char <= "\udfff"  # surrogates: emoji


def page_spans(textpage: pdfium.PdfTextPage, number: int, height: float) -> list[Span]:
    """Words from PDFium's characters and their loose boxes (font ascent to descent, so a comma sits on its
    line). A word ends at a space (printed or inferred by PDFium), a line break, a jump backwards or a gap;
    the layout joins words into cells. Character boxes, not PDFium's text rectangles: HTML-to-PDF printers
    place each glyph on its own, and rectangles cut and repeat their text. Each word keeps its baseline (the
    layout lines words up on it). A page with rotated text (a stamp, a page scanned askew, a legal line
    printed up the margin) is read again with each character turned level (`_levelled`)."""
    count = textpage.count_chars()
    if count <= 0:
        return []
    text = textpage.get_text_range()
    handle = textpage.raw
    if len(text) != count:  # characters outside the BMP take two UTF-16 units: ask PDFium one by one
        text = "".join(chr(pdfium.raw.FPDFText_GetUnicode(handle, k) or 32) for k in range(count))
    spans = _level_words(handle, text, number, height)
    if spans is None:  # a word starts with a rotated character: read the page turned level
        spans = _words(_levelled(text, handle, height), number)
    return spans


def _level_words(handle: Any, text: str, number: int, height: float) -> list[Span] | None:
    """`_words` over PDFium's characters as they come, for a page printed level: the same words, read in
    one loop (no glyph tuples, no PDFium call for a blank that cannot join two words), the reading of every
    page of every invoice. None when a word starts with a rotated character (the page is read turned)."""
    spans: list[Span] = []
    word: list[str] = []
    x0 = x1 = top = bottom = base = 0.0
    spaces = 0
    spaced = space_seen = False
    box = pdfium.raw.FS_RECTF()
    loose_box, generated = pdfium.raw.FPDFText_GetLooseCharBox, pdfium.raw.FPDFText_IsGenerated
    angle_of, origin_of = pdfium.raw.FPDFText_GetCharAngle, pdfium.raw.FPDFText_GetCharOrigin
    x, y = ctypes.c_double(), ctypes.c_double()

    def flush() -> None:
        text = "".join(word)
        if _UNMAPPED.search(text):
            text = _UNMAPPED.sub(_unmapped, text)
        spans.append(Span(number, x0, top, x1, bottom, text, base, spaced))
        word.clear()

    for index, char in enumerate(text):
        if char.isspace() or char in _BLANK or "\ud800" <= char <= "\udfff":
            # one space printed by the PDF joins two words of a phrase; see `_words`
            if char == " " and word and not generated(handle, index):
                loose_box(handle, index, box)
                if box.right >= 0:
                    spaces += 1
                    if box.right > x1:
                        x1 = box.right
                    continue
            if word:
                flush()
            spaces = 0
            if char == " ":
                space_seen = True
            continue
        loose_box(handle, index, box)
        left, right, char_top, char_bottom = box.left, box.right, height - box.top, height - box.bottom
        if spaces:
            if spaces == 1:
                word.append(" ")
            else:
                flush()
            spaces = 0
        size = char_bottom - char_top
        if word and _breaks_word(top, bottom, x1, left, char_top, size):
            flush()
        if not word:
            spaced, space_seen = space_seen or bool(spans and spans[-1].text.endswith(" ")), False
            x0, top, bottom = left, char_top, char_bottom
            if _turned(angle_of(handle, index)):
                return None
            origin_of(handle, index, x, y)
            base = height - y.value
            word.append(char)
            x1 = right
            continue
        word.append(char)
        if right > x1:
            x1 = right
        if char_top < top:
            top = char_top
        if char_bottom > bottom:
            bottom = char_bottom
    if word:
        flush()
    return spans


def _breaks_word(top: float, bottom: float, x1: float, left: float, char_top: float, size: float) -> bool:
    """Whether a character cannot go on the word so far (its box `top`..`bottom`, right edge `x1`)."""
    return (
        abs(char_top - top) > 0.35 * max(size, bottom - top)  # another line
        or left < x1 - 0.5 * size  # back to the left: another run
        or left - x1 > 0.3 * size  # a gap wider than a space
    )


_TURNED = 0.005  # radians (0.3 degree): a line drifts less than 3 points across a page; read as level
_SIDEWAYS = 0.35  # radians (20 degrees): beyond this, text runs up or down the page, not along a line


def _turned(angle: float) -> bool:
    return angle >= 0 and min(angle, 2 * math.pi - angle) > _TURNED


def _words(glyphs: Iterable[Glyph], number: int) -> list[Span]:
    """Characters turned level (`_levelled`), in the order the PDF prints them, joined into words as
    `_level_words` joins a level page's; a word's baseline is its first character's, else under its box."""
    spans: list[Span] = []
    word: list[str] = []
    x0 = x1 = top = bottom = base = 0.0

    def flush() -> None:
        if word:
            text = "".join(word)
            if _UNMAPPED.search(text):
                text = _UNMAPPED.sub(_unmapped, text)
            spans.append(Span(number, x0, top, x1, bottom, text, base, spaced))
            word.clear()

    spaces = 0
    spaced = space_seen = False
    for _index, char, left, right, char_top, char_bottom, char_base in glyphs:
        if left is None:
            # one space printed by the PDF joins two words of a phrase (monospaced text has wide ones); two
            # or more are a column gap; a space PDFium inferred leaves the decision to the layout's geometry
            if char == " " and word and right >= 0:
                spaces += 1
                x1 = max(x1, right)  # the space's own width is not a gap
                continue
            flush()
            spaces = 0
            space_seen = space_seen or char == " "
            continue
        if spaces:
            if spaces == 1:
                word.append(" ")
            else:
                flush()
            spaces = 0
        size = char_bottom - char_top
        if word and _breaks_word(top, bottom, x1, left, char_top, size):
            flush()
        if not word:
            spaced, space_seen = space_seen or bool(spans and spans[-1].text.endswith(" ")), False
            x0, top, bottom = left, char_top, char_bottom
            base = char_base if char_base is not None else char_bottom - 0.2 * size
        word.append(char)
        x1 = max(x1, right) if len(word) > 1 else right
        top, bottom = min(top, char_top), max(bottom, char_bottom)
    flush()
    return spans


# A glyph whose font has no Unicode mapping comes out as its character code, a control character
# (Ghostscript's PDF/A output re-encodes non-ASCII glyphs so: "DATE D'\x02MISSION"). ASCII survives; what is
# lost is mostly an accented letter, a degree sign, a dash or "à": guessed from the characters around it. A
# glyph standing alone is left to the layout (LONE_GLYPH), which sees the line: "à" ends a label, "–" joins.
LONE_GLYPH = "\ue000"
_UNMAPPED = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f]")


def _unmapped(match: re.Match[str]) -> str:
    text, start = match.string, match.start()
    before, after = text[start - 1 : start], text[start + 1 : start + 2]
    word_start = start == 0 or not text[start - 1].isalnum()
    if after.isalpha():  # inside or at the head of a word: an accented letter, most often é / É
        if word_start:
            return "E"
        return "E" if after.isupper() and before.isupper() else "e"
    if before in ("N", "n") and (start == 1 or not text[start - 2].isalpha()):
        return "°"  # N° / n°
    if before.isalpha():  # at the end of a word: Café, Adressé
        return "E" if before.isupper() and text[max(0, start - 3) : start].isupper() else "e"
    if before.isdigit():
        return "€"
    return LONE_GLYPH if not before.strip() and not after.strip() else "–"


def _levelled(text: str, handle: Any, height: float) -> list[Glyph]:
    """Every character as if its line were level. Characters printed at a small angle (a stamp, a page
    scanned askew) are turned back around the first character at that angle, so the block keeps its place;
    text printed sideways (a legal line up the margin) is laid out in a strip under the page, where it reads
    as a footer. Level characters keep PDFium's boxes."""
    x, y = ctypes.c_double(), ctypes.c_double()
    box = pdfium.raw.FS_RECTF()
    angle_of, origin_of = pdfium.raw.FPDFText_GetCharAngle, pdfium.raw.FPDFText_GetCharOrigin
    size_of = pdfium.raw.FPDFText_GetFontSize
    glyphs: list[Glyph] = []
    # position in `glyphs`, angle, u, v, width, height, x, y
    turned: list[tuple[int, float, float, float, float, float, float, float]] = []
    for index, char in enumerate(text):
        printed_space = char == " " and not pdfium.raw.FPDFText_IsGenerated(handle, index)
        if _blank(char) and not printed_space:
            glyphs.append((index, char, None, -1.0, 0.0, 0.0, None))
            continue
        angle = angle_of(handle, index)
        origin_of(handle, index, x, y)
        if not _turned(angle):
            pdfium.raw.FPDFText_GetLooseCharBox(handle, index, box)
            if printed_space:
                glyphs.append((index, char, None, box.right, 0.0, 0.0, None))
                continue
            glyphs.append(
                (index, char, box.left, box.right, height - box.top, height - box.bottom, height - y.value)
            )
            continue
        key = round(angle, 2)  # PDFium measures clockwise: the line runs at -angle in PDF space (y up)
        cos, sin = math.cos(key), math.sin(key)
        u, v = x.value * cos - y.value * sin, x.value * sin + y.value * cos  # along the line, across it
        # the loose box is upright around the turned glyph: solve for the glyph's own width and height
        pdfium.raw.FPDFText_GetLooseCharBox(handle, index, box)
        wide, tall, c, s = box.right - box.left, box.top - box.bottom, abs(cos), abs(sin)
        size = max(size_of(handle, index), 1.0)
        if abs(c * c - s * s) > 0.3:
            width = (wide * c - tall * s) / (c * c - s * s)
            glyph_height = (tall * c - wide * s) / (c * c - s * s)
        else:
            width, glyph_height = 0.5 * size, size
        width = min(max(width, 0.1 * size), 2 * size)
        glyph_height = min(max(glyph_height, 0.5 * size), 2 * size)
        turned.append((len(glyphs), key, u, v, width, glyph_height, x.value, y.value))
        glyphs.append((index, char, None, 0.0, 0.0, 0.0, None))  # placed below
    if not turned:
        return glyphs
    anchors: dict[float, tuple[float, float, float, float]] = {}  # key -> (u, v, x, y) of its first character
    extent: dict[float, list[float]] = {}  # key -> [smallest u, smallest v, largest v]
    for _, key, u, v, _, _, x0, y0 in turned:
        anchors.setdefault(key, (u, v, x0, y0))
        span = extent.setdefault(key, [u, v, v])
        span[0], span[1], span[2] = min(span[0], u), min(span[1], v), max(span[2], v)
    strips: dict[float, float] = {}
    strip_top = height + 12.0
    for key, (_, v_low, v_high) in extent.items():
        if min(key, 2 * math.pi - key) >= _SIDEWAYS:
            strips[key] = strip_top
            strip_top += v_high - v_low + 24.0
    for position, key, u, v, width, tall, _, _ in turned:
        if key in strips:
            left = 20.0 + u - extent[key][0]
            base = strips[key] + extent[key][2] - v + 0.8 * tall
        else:
            anchor_u, anchor_v, anchor_x, anchor_y = anchors[key]
            left = anchor_x + u - anchor_u
            base = height - (anchor_y + v - anchor_v)
        index, char = glyphs[position][:2]
        if char == " ":
            glyphs[position] = (index, char, None, left + width, 0.0, 0.0, None)
            continue
        glyphs[position] = (index, char, left, left + width, base - 0.78 * tall, base + 0.22 * tall, base)
    return glyphs
