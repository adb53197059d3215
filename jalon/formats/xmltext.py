"""Convert between XML text and model values (amounts, dates, codes) the same way in every reader and writer.

Readers are lenient about spacing and tell bad values apart from absent ones by raising `ValueError` with the
element named; writers print decimals without exponent and dates in the form each syntax wants.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from lxml import etree


def text(element: etree._Element | None) -> str | None:
    """The stripped text of an element, None when absent or blank."""
    if element is None:
        return None
    value = element.text
    if value is None:
        return None
    value = value.strip()
    return value or None


def decimal(value: str | None, what: str = "amount") -> Decimal | None:
    if value is None:
        return None
    try:
        number = Decimal(value.strip().replace(" ", ""))
    except InvalidOperation:
        raise ValueError(f"{what}: {value!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{what}: {value!r} is not a finite number")
    return number


def date_102(value: str | None, fmt: str | None = "102", what: str = "date") -> dt.date | None:
    """A UN/CEFACT date: format 102 (CCYYMMDD), 610 (CCYYMM), 616 (CCYYWW: Monday); ISO tolerated."""
    if value is None:
        return None
    raw = value.strip()
    try:
        if fmt in (None, "102") and len(raw) == 8 and raw.isdigit():
            return dt.date(int(raw[:4]), int(raw[4:6]), int(raw[6:8]))
        if fmt == "610" and len(raw) == 6 and raw.isdigit():
            return dt.date(int(raw[:4]), int(raw[4:6]), 1)
        if fmt == "616" and len(raw) == 6 and raw.isdigit():
            return dt.date.fromisocalendar(int(raw[:4]), int(raw[4:6]), 1)
        return dt.date.fromisoformat(raw[:10])
    except ValueError:
        raise ValueError(f"{what}: {value!r} is not a date in format {fmt or '102'}") from None


def date_iso(value: str | None, what: str = "date") -> dt.date | None:
    """An ISO date (UBL, cXML, GS1); a time or zone after the date is ignored."""
    if value is None:
        return None
    raw = value.strip()
    try:
        return dt.date.fromisoformat(raw[:10])
    except ValueError:
        raise ValueError(f"{what}: {value!r} is not an ISO date") from None


def fmt_decimal(value: Decimal) -> str:
    """Plain notation, never an exponent (XSD decimals refuse '1E+2')."""
    text_value = format(value, "f")
    if text_value in ("-0", "-0.00"):
        return text_value[1:]
    return text_value


def fmt_amount(value: Decimal) -> str:
    """An amount with at least two decimals (what EN 16931 expects to see), more kept if present."""
    if value == value.to_integral_value() or -value.as_tuple().exponent < 2:  # type: ignore[operator]
        value = value.quantize(Decimal("0.01"))
    return fmt_decimal(value)


def fmt_102(value: dt.date) -> str:
    return value.strftime("%Y%m%d")
