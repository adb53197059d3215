"""Values as people print them on invoices: amounts, dates, percentages, currencies.

`1 234,56 €`, `1.234,56 EUR`, `€1,234.56`, `(1,234.56)`, `1'234.50 CHF`; `05/11/2025`, `5 novembre 2025`,
`2025-11-05`, `05.11.2025`, `Nov 5, 2025`. Text is matched after `fold()` (lower case, accents removed, one
kind of space), so every table here is written in that folded form.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_FOLD_CHARS: dict[str, str] = {}


def _fold_char(ch: str) -> str:
    folded = _FOLD_CHARS.get(ch)
    if folded is None:
        base = unicodedata.normalize("NFKD", ch)
        base = "".join(c for c in base if not unicodedata.combining(c)) or ch
        base = base.translate(_PLAIN).lower()[:1] or ch
        folded = " " if base.isspace() else base
        _FOLD_CHARS[ch] = folded
    return folded


def fold(text: str) -> str:
    """Lower case, accents removed, quotes and dashes made plain; one character for one, so offsets in the
    folded text are offsets in the original."""
    if text.isascii():
        return text.lower()
    return "".join(_fold_char(ch) for ch in text)


_PLAIN = str.maketrans({"’": "'", "‘": "'", "´": "'", "`": "'", "−": "-", "–": "-", "—": "-", "\u00a0": " "})

# --- currencies ---------------------------------------------------------------------------------------------

ISO_CURRENCIES = frozenset(
    str.split(
        "EUR USD GBP CHF JPY CAD AUD NZD SEK NOK DKK PLN CZK HUF RON BGN CNY HKD SGD INR BRL MXN ZAR TRY "
        "ILS AED SAR MAD TND XOF XAF"
    )
)
SYMBOLS = {
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "us$": "USD",
    "ca$": "CAD",
    "c$": "CAD",
    "a$": "AUD",
    "$": "USD",
}
ZERO_DECIMAL = frozenset({"JPY", "HUF", "XOF", "XAF"})  # amounts often printed without cents

_CUR = r"(?:€|£|¥|US\$|CA\$|C\$|A\$|\$|EUR|USD|GBP|CHF|JPY|CAD|AUD|SEK|NOK|DKK|PLN|CZK|HUF|CNY|SGD|HKD|INR)"
_GROUPED = r"\d{1,3}(?:(?P<sep>[ \u00a0\u202f.,'’])\d{3})(?:(?P=sep)\d{3})*(?:[.,]\d{1,4})?"
_PLAIN_NUM = r"\d+(?:[.,]\d{1,4})?"
AMOUNT_RE = re.compile(
    rf"(?<![\w.,/:-])(?P<neg>\(|-\s?|−\s?)?(?P<cur1>{_CUR}\s?)?(?P<neg2>-\s?)?"
    rf"(?P<num>{_GROUPED}|{_PLAIN_NUM})(?![\w/])(?!\.\d)(?!,\d)(?P<cur2>\s?{_CUR}(?![A-Za-z]))?(?P<close>\))?(?!\s?%)",
)
PERCENT_RE = re.compile(r"(?<![\d.,])(\d{1,2}(?:[.,]\d{1,3})?)\s?%")


@dataclass(frozen=True, slots=True)
class Amount:
    value: Decimal
    start: int
    end: int
    currency: str | None  # ISO code when a symbol or code was printed with it
    decimals: int  # digits after the decimal separator (0 when none)


def _currency_of(token: str | None) -> str | None:
    if not token:
        return None
    token = token.strip()
    return SYMBOLS.get(token.lower(), token.upper() if token.upper() in ISO_CURRENCIES else None)


def _to_decimal(number: str, decimal_mark: str) -> tuple[Decimal, int] | None:
    raw = number.replace("\u00a0", " ").replace("\u202f", " ").replace("’", "'")
    last_dot, last_comma = raw.rfind("."), raw.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        mark = "." if last_dot > last_comma else ","
    elif last_dot >= 0 or last_comma >= 0:
        mark = "." if last_dot >= 0 else ","
        position = max(last_dot, last_comma)
        tail = raw[position + 1 :]
        grouped = raw.count(mark) > 1 or (len(tail) == 3 and mark != decimal_mark)
        if grouped:
            mark = ""
    else:
        mark = ""
    integer, _, fraction = raw.rpartition(mark) if mark else (raw, "", "")
    if not mark:
        integer, fraction = raw, ""
    digits = re.sub(r"[^\d]", "", integer)
    if not digits:
        return None
    try:
        value = Decimal(f"{digits}.{fraction}") if fraction else Decimal(digits)
    except InvalidOperation:
        return None
    return value, len(fraction)


def find_amounts(text: str, decimal_mark: str = ",") -> list[Amount]:
    """Every amount-looking number in `text`, with its sign and currency when printed beside it."""
    return list(_amounts(text, decimal_mark))


@functools.lru_cache(maxsize=8192)  # a document asks about the same cells many times; amounts are immutable
def _amounts(text: str, decimal_mark: str) -> tuple[Amount, ...]:
    found: list[Amount] = []
    for match in AMOUNT_RE.finditer(text):
        parsed = _to_decimal(match.group("num"), decimal_mark)
        if parsed is None:
            continue
        value, decimals = parsed
        negative = bool(match.group("neg2")) or (
            match.group("neg") is not None and (match.group("neg") != "(" or match.group("close") is not None)
        )
        currency = _currency_of(match.group("cur1")) or _currency_of(match.group("cur2"))
        found.append(Amount(-value if negative else value, match.start(), match.end(), currency, decimals))
    return tuple(found)


def guess_decimal_mark(texts: list[str]) -> str:
    """`,` or `.`: which one ends the money amounts of this document (`1 234,56` vs `1,234.56`)."""
    comma = dot = 0
    for text in texts:
        comma += len(re.findall(r"\d,\d\d(?!\d)", text))
        dot += len(re.findall(r"\d\.\d\d(?!\d)", text))
    return "." if dot > comma else ","


def percents(text: str) -> list[Decimal]:
    return [Decimal(m.group(1).replace(",", ".")) for m in PERCENT_RE.finditer(text)]


# --- dates --------------------------------------------------------------------------------------------------

MONTHS = {
    "janvier": 1,
    "janv": 1,
    "jan": 1,
    "january": 1,
    "januar": 1,
    "enero": 1,
    "gennaio": 1,
    "fevrier": 2,
    "fevr": 2,
    "fev": 2,
    "feb": 2,
    "february": 2,
    "februar": 2,
    "mars": 3,
    "mar": 3,
    "march": 3,
    "marz": 3,
    "avril": 4,
    "avr": 4,
    "apr": 4,
    "april": 4,
    "mai": 5,
    "may": 5,
    "juin": 6,
    "jun": 6,
    "june": 6,
    "juni": 6,
    "juillet": 7,
    "juil": 7,
    "jul": 7,
    "july": 7,
    "juli": 7,
    "aout": 8,
    "aug": 8,
    "august": 8,
    "septembre": 9,
    "sept": 9,
    "sep": 9,
    "september": 9,
    "octobre": 10,
    "oct": 10,
    "october": 10,
    "oktober": 10,
    "novembre": 11,
    "nov": 11,
    "november": 11,
    "decembre": 12,
    "dec": 12,
    "december": 12,
    "dezember": 12,
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_NUMERIC_DATE = re.compile(r"(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/.-]?\d)")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?!\d)")
_DAY_MONTH = re.compile(
    rf"(?<!\d)(\d{{1,2}})(?:er|st|nd|rd|th)?\.?\s+(?:of\s+)?({_MONTH})\.?,?\s+(\d{{4}})(?!\d)"
)
_MONTH_DAY = re.compile(rf"(?<![a-z])({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)")


@dataclass(frozen=True, slots=True)
class DateHit:
    value: dt.date
    start: int
    end: int
    ambiguous: bool  # day and month could be swapped (both <= 12)


def _make(year: int, month: int, day: int) -> dt.date | None:
    if year < 100:
        year += 2000
    if not 1990 <= year <= 2100:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def find_dates(folded: str, month_first: bool = False) -> list[DateHit]:
    """Dates in folded text, in order. `month_first` reads 11/05/2025 as November 5 (US style)."""
    hits: list[DateHit] = []
    taken: list[tuple[int, int]] = []

    def add(value: dt.date | None, match: re.Match[str], ambiguous: bool = False) -> None:
        if value is None or any(s < match.end() and match.start() < e for s, e in taken):
            return
        taken.append((match.start(), match.end()))
        hits.append(DateHit(value, match.start(), match.end(), ambiguous))

    for m in _ISO_DATE.finditer(folded):
        add(_make(int(m.group(1)), int(m.group(3)), int(m.group(4))), m)
    for m in _DAY_MONTH.finditer(folded):
        add(_make(int(m.group(3)), MONTHS[m.group(2)], int(m.group(1))), m)
    for m in _MONTH_DAY.finditer(folded):
        add(_make(int(m.group(3)), MONTHS[m.group(1)], int(m.group(2))), m)
    for m in _NUMERIC_DATE.finditer(folded):
        first, second, year = int(m.group(1)), int(m.group(3)), int(m.group(4))
        if len(m.group(4)) == 2 and m.group(2) == ".":
            continue  # 12.50.25 is more often a number than a date
        day, month = (second, first) if month_first else (first, second)
        value = _make(year, month, day)
        if value is None:  # 25/11 cannot be month-first (nor 11/25 day-first): the other order is meant
            value = _make(year, first, second) if not month_first else _make(year, second, first)
        add(value, m, ambiguous=first <= 12 and second <= 12 and first != second)
    hits.sort(key=lambda hit: hit.start)
    return hits


def month_first_document(folded_texts: list[str], default: bool = False) -> bool:
    """True when numeric dates in this document are month/day/year (a US layout); `default` when no date
    settles it (every day <= 12)."""
    votes = 0
    for text in folded_texts:
        for m in _NUMERIC_DATE.finditer(text):
            first, second = int(m.group(1)), int(m.group(3))
            if first > 12 >= second:
                votes -= 1
            elif second > 12 >= first:
                votes += 1
    return votes > 0 if votes else default
