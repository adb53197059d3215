"""Dates in a reply, French and English (and the common forms in German, Spanish, Italian), absolute or
relative, resolved against the message's own date.

"le 15/03", "15 mars", "March 15th", "2025-03-15", "vendredi prochain", "next Tuesday", "fin du mois",
"end of month", "fin avril", "sous 8 jours", "within 10 days", "la semaine prochaine", "demain", "le 15".
Conventions (a promise is read on the safe side, the later date when a phrase is ambiguous):
"next Friday" / "vendredi prochain" is the Friday of the following calendar week; "Friday" / "ce vendredi"
the next Friday after today; "next week" its Friday, "début de semaine prochaine" its Monday;
"début"/"early" a month is its 10th, "mi-"/"mid" its 15th, "fin"/"end" its last day; "le mois prochain" /
"next month" the end of next month, "early"/"début"/"Anfang" next month its 10th, "mid" its 15th; "by year
end" the 31st of December, "before Christmas" the 24th; a day without a month ("le 15") the next such day;
a day and month without a year the next such date (unless it is at most 60 days past: then this year's, a
payment date just passed); "à l'échéance" / "on the due date" the due date the quoted invoice mail states.
Numeric dates are day first (French and British use); month first when the day would exceed 12, or when
day first lands more than 4 months away and month first within them ("by 12/06" written in November).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {
    "janvier": 1, "janv": 1, "jan": 1, "january": 1, "fevrier": 2, "fevr": 2, "fev": 2, "feb": 2,
    "february": 2, "mars": 3, "mar": 3, "march": 3, "avril": 4, "avr": 4, "apr": 4, "april": 4, "mai": 5,
    "may": 5, "juin": 6, "june": 6, "jun": 6, "juillet": 7, "juil": 7, "jul": 7, "july": 7, "aout": 8,
    "aug": 8, "august": 8, "septembre": 9, "sept": 9, "sep": 9, "september": 9, "octobre": 10, "oct": 10,
    "october": 10, "novembre": 11, "nov": 11, "november": 11, "decembre": 12, "dec": 12, "december": 12,
    # German, Spanish, Italian (folded: "März" is "marz")
    "januar": 1, "februar": 2, "marz": 3, "juni": 6, "juli": 7, "oktober": 10, "okt": 10, "dezember": 12,
    "dez": 12, "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
    "gennaio": 1, "febbraio": 2, "aprile": 4, "maggio": 5, "giugno": 6, "luglio": 7, "settembre": 9,
    "ottobre": 10, "dicembre": 12,
}  # fmt: skip
WEEKDAYS = {
    "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
    "montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4, "samstag": 5, "sonntag": 6,
    "lunes": 0, "martes": 1, "miercoles": 2, "jueves": 3, "viernes": 4, "sabado": 5, "domingo": 6,
    "lunedi": 0, "martedi": 1, "mercoledi": 2, "giovedi": 3, "venerdi": 4, "sabato": 5, "domenica": 6,
}  # fmt: skip
NUMBERS = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8,
    "dix": 10, "quinze": 15, "vingt": 20, "trente": 30, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "seven": 7, "ten": 10, "fifteen": 15, "twenty": 20, "thirty": 30, "a": 1,
}  # fmt: skip

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_DAY = "|".join(WEEKDAYS)
_NUM = r"\d{1,3}|" + "|".join(sorted(NUMBERS, key=len, reverse=True))

# name -> pattern, tried in this order on folded text; the first that claims a span keeps it. A space in a
# pattern means any whitespace.
# fmt: off
PATTERNS: tuple[tuple[str, str], ...] = (
    ("iso", r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"),
    ("numeric", r"(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})(?:[/.-](?P<y>\d{4}|\d{2}))?"
                r"(?![\d/.-]\d|\s*(?:%|€|eur))"),
    ("day_month", rf"(?:(?:{_DAY}),? )?(?P<d>\d{{1,2}})(?:er|st|nd|rd|th|\.)? (?:of |de |di )?"
                  rf"(?P<month>{_MONTH})\.?(?:,? (?:de |del )?(?P<y>\d{{4}}))?"),
    ("month_day", rf"(?P<month>{_MONTH})\.? (?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:,? (?P<y>\d{{4}}))?"),
    ("month_part", rf"(?P<part>debut|mi|fin|early|mid|end of|late|the end of|the beginning of|beginning of"
                   rf"|courant)(?: |-)(?:(?:du )?mois (?:de |d')?)?(?P<month>{_MONTH})\b"
                   rf"(?:,? (?P<y>\d{{4}}))?"),
    ("day_next_month", r"(?:le |the )?(?P<d>\d{1,2})(?:er|st|nd|rd|th)? (?:du|of|de) (?:the )?"
                       r"(?:mois prochain|next month|mois suivant|following month)"),
    ("month_end_next", r"(?:fin|end) (?:du |de |of )?(?:the )?(?:mois prochain|next month|month prochain)"
                       r"|ende (?:des )?(?:nachste[rn]?|kommende[rn]?) monats"
                       r"|(?:a )?(?:fin|finales) del mes (?:que viene|proximo)"
                       r"|(?:a )?fine (?:del )?(?:mese prossimo|prossimo mese)"),
    # "early next month", "mi-mois prochain", "Anfang nächsten Monats": the 10th or the 15th of next month
    ("next_month_part", r"(?P<part>debut|mi|early|mid|beginning of|the beginning of|anfang|mitte|principios"
                        r"|mediados|inizio|meta)(?: |-)(?:(?:du|de|del|of|des) )?(?:the )?(?:le )?"
                        r"(?:mois prochain|next month|nachsten monats|kommenden monats|mes que viene"
                        r"|proximo mes|(?:mese )?prossimo(?: mese)?)"),
    # "avant la fin de l'année", "by year end", "bis Jahresende": the 31st of December
    ("year_end", r"(?:la |the )?fin (?:de l'|d')?annee|(?:the )?end of (?:the |this )?year|year(?: |-)end"
                 r"|jahresende|ende (?:des|dieses) jahres|(?:el )?fin(?:al)? de ano|fine (?:dell')?anno"),
    ("christmas", r"(?:avant |before |vor |antes de |prima di )(?:la |le )?(?:noel|christmas|xmas|weihnachten"
                  r"|navidad|natale)"),
    # "à 60 jours fin de mois": the end of the month in which the 60 days end
    ("days_month_end", r"(?:a |at |within )?(?P<n>\d{1,3}) (?:jours|j|days)"
                       r" (?:fin de mois|end of month|eom)"),
    ("month_end", r"(?:(?:a |by |at )?(?:la |the )?)?(?:fin (?:du |de )?mois|fin de ce mois"
                  r"|end of (?:the |this )?month|month(?: |-)end|eom"
                  r"|(?:zum |bis )?(?:ende (?:des |dieses )?monats|monatsende)"
                  r"|(?:a )?(?:fin|finales|final) (?:de(?:l)? )?mes"
                  r"|(?:a |entro )?(?:la )?fine (?:del )?mese)"),
    ("next_month", r"(?:le |au )?mois prochain|next month|courant du mois prochain"),
    ("next_week_day", rf"(?P<wd>{_DAY}) (?:prochain|prossimo|que viene)|next (?P<wd2>{_DAY})"
                      rf"|(?P<wd3>{_DAY}) (?:de la semaine prochaine|next week\b)"
                      rf"|(?:nachste[rn]?|kommende[rn]?|(?:el )?proximo|(?:il )?prossimo) (?P<wd4>{_DAY})"),
    ("week_day", rf"(?:ce |this |on |le |d'ici )?(?P<wd>{_DAY})"),
    ("next_week_start", r"(?:en |au )?debut (?:de )?(?:la )?semaine prochaine|(?:early|(?:the )?beginning of"
                        r"|(?:the )?start of) next week"),
    ("week_end", r"(?:d'ici |avant |by |before |en )?(?:la |the )?fin (?:de )?(?:la |cette )?semaine"
                 r"(?! prochaine)|(?:the )?end of (?:the |this )?week|cette semaine|this week"
                 r"|ende (?:der|dieser) woche|diese woche|(?:a )?(?:fin|finales) de (?:esta )?semana"
                 r"|esta semana|(?:entro )?(?:la )?fine (?:della |di questa )?settimana|questa settimana"),
    ("next_week", r"(?:la |the )?semaine prochaine|next week\b|(?:nachste[rn]?|kommende[rn]?) woche"
                  r"|(?:la )?(?:semana que viene|proxima semana|semana proxima)"
                  r"|(?:la )?(?:prossima settimana|settimana prossima)"
                  r"|(?:la |the )?(?:semaine|week) (?:du|of) (?P<d>\d{1,2})"),
    ("within", rf"(?:sous|dans|d'ici|within|in|d'ici a|under|en|innerhalb von|binnen|entro|tra|fra)"
               rf" (?:les |the |a |an |los |i )?(?:(?:prochain|next)s? )?(?P<n>{_NUM}) "
               rf"(?P<unit>jours?|j|days?|semaines?|weeks?|mois|months?|tagen?|wochen?|monaten?|dias"
               rf"|semanas|meses|giorni|settimane|mesi)\b"),
    ("within_word", r"sous (?P<word>huitaine|quinzaine|quinze jours|huit jours)"
                    r"|(?:within|in) (?:a |the next )?(?P<word3>fortnight)|(?P<word2>quinzaine|huitaine)"),
    ("tomorrow", r"apres-demain|apres demain|demain|tomorrow|day after tomorrow"),
    ("today", r"aujourd'hui|aujourd hui|today|ce jour(?!-la| la)|ce soir|tonight|dans la journee"),
    # The due date printed in the quoted invoice ("Échéance : 2 juillet 2026"), when the reply points to it.
    ("due", r"(?:a |au |sur |on |at |by )?(?:l'|la |the |son |its )?(?:date d')?echeance(?! (?:du|de|d'|des"
            r"|fournisseurs?)\b|,? le \d)|(?:on|by|at) (?:the )?due date|when (?:it is|it's|its) due"
            r"|a cette date|on that date"),
    ("pay_now", r"(?:pay|paying|paye|payer|regle|regler|vire|virer|half|moitie|virement|paiement)"
                r"(?: \S+){0,2} "
                r"(?:now|right now|right away|straight away|immediately|maintenant|immediatement"
                r"|tout de suite|de suite)\b"),
    ("day_only", r"(?:le|the|on the|du|au|before the|avant le|by the) (?P<d>\d{1,2})(?:er|st|nd|rd|th)?\b"
                 r"(?!\s*(?:[/.-]\d|%|€|eur|h\b|:\d|jours?|days?|ans|\d))"),
)
# fmt: on
COMPILED = tuple(
    (name, re.compile(r"(?<!\w)(?:" + pattern.replace(" ", r"\s+") + ")")) for name, pattern in PATTERNS
)


# A day-first date further than this, when reading it month first gives a date within it: month first.
NEAR = dt.timedelta(days=120)


@dataclass(frozen=True)
class DateHit:
    start: int
    end: int
    value: dt.date
    rule: str


def _safe(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: dt.date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def _without_year(ref: dt.date, month: int, day: int) -> dt.date | None:
    this_year = _safe(ref.year, month, day)
    if this_year is None:
        return _safe(ref.year + 1, month, day)
    if this_year < ref - dt.timedelta(days=60):
        return _safe(ref.year + 1, month, day) or this_year
    return this_year


def _year(raw: str | None) -> int | None:
    if not raw:
        return None
    year = int(raw)
    return 2000 + year if year < 100 else year


def _number(raw: str) -> int:
    return int(raw) if raw.isdigit() else NUMBERS.get(raw, 0)


def _resolve(rule: str, match: re.Match[str], ref: dt.date) -> dt.date | None:
    group = match.groupdict()
    if rule == "iso":
        return _safe(int(group["y"]), int(group["m"]), int(group["d"]))
    if rule == "numeric":
        day, month = int(group["d"]), int(group["m"])
        if month > 12 and day <= 12:
            day, month = month, day
        year = _year(group["y"])
        if month > 12 or not 1 <= day <= 31:
            return None
        if year:
            return _safe(year, month, day)
        day_first = _without_year(ref, month, day)
        if day <= 12 and day != month and day_first is not None and day_first > ref + NEAR:
            # "by 12/06" written in November: 6 December (month first) rather than 12 June, 7 months on
            month_first = _without_year(ref, day, month)
            if month_first is not None and ref <= month_first <= ref + NEAR:
                return month_first
        return day_first
    if rule in ("day_month", "month_day"):
        month, day = MONTHS[group["month"]], int(group["d"])
        year = _year(group["y"])
        return _safe(year, month, day) if year else _without_year(ref, month, day)
    if rule == "month_part":
        month = MONTHS[group["month"]]
        year = _year(group["y"]) or (ref.year + 1 if month < ref.month - 1 else ref.year)
        part = group["part"]
        if part in ("fin", "end of", "the end of", "late", "courant"):
            return _last_day(year, month)
        return _safe(year, month, 15 if part in ("mi", "mid") else 10)
    if rule == "month_end":
        return _last_day(ref.year, ref.month)
    if rule == "days_month_end":
        count = int(group["n"])
        if not 0 < count <= 366:
            return None
        later = ref + dt.timedelta(days=count)
        return _last_day(later.year, later.month)
    if rule == "day_next_month":
        return _safe(*_add_months(ref, 1), int(group["d"]))
    if rule in ("month_end_next", "next_month"):
        return _last_day(*_add_months(ref, 1))
    if rule == "next_month_part":
        return _safe(
            *_add_months(ref, 1), 15 if group["part"] in ("mi", "mid", "mitte", "mediados", "meta") else 10
        )
    if rule == "year_end":
        return dt.date(ref.year, 12, 31)
    if rule == "christmas":
        return dt.date(ref.year if ref <= dt.date(ref.year, 12, 24) else ref.year + 1, 12, 24)
    if rule == "next_week_day":
        weekday = WEEKDAYS[group["wd"] or group["wd2"] or group["wd3"] or group["wd4"]]
        next_monday = ref + dt.timedelta(days=7 - ref.weekday())
        return next_monday + dt.timedelta(days=weekday)
    if rule == "week_day":
        weekday = WEEKDAYS[group["wd"]]
        return ref + dt.timedelta(days=(weekday - ref.weekday() - 1) % 7 + 1)  # said on a Monday: the next
    if rule == "week_end":
        return ref + dt.timedelta(days=max(0, 4 - ref.weekday()))
    if rule == "next_week":
        if group.get("d"):
            day = int(group["d"])
            candidate = _safe(ref.year, ref.month, day)
            if candidate is None or candidate < ref:
                candidate = _safe(*_add_months(ref, 1), day)
            return candidate + dt.timedelta(days=4) if candidate else None
        return ref + dt.timedelta(days=7 - ref.weekday() + 4)
    if rule == "within":
        count, unit = _number(group["n"]), group["unit"]
        if not count or count > 366:
            return None
        if unit.startswith(("sem", "week", "woch", "settiman")):
            return ref + dt.timedelta(weeks=count)
        if unit.startswith(("mois", "month", "monat", "mes")):
            return _safe(*_add_months(ref, count), min(ref.day, 28))
        return ref + dt.timedelta(days=count)
    if rule == "within_word":
        word = group["word"] or group["word2"] or group["word3"]
        return ref + dt.timedelta(days=14 if word == "fortnight" else 15 if "quin" in word else 8)
    if rule == "tomorrow":
        return ref + dt.timedelta(days=2 if ("apres" in match.group(0) or "after" in match.group(0)) else 1)
    if rule in ("today", "pay_now"):
        return ref
    if rule == "next_week_start":
        return ref + dt.timedelta(days=7 - ref.weekday())
    if rule == "day_only":
        day = int(group["d"])
        if not 1 <= day <= 31:
            return None
        candidate = _safe(ref.year, ref.month, day)
        if candidate is None or candidate < ref:
            candidate = _safe(*_add_months(ref, 1), day)
        return candidate
    return None


def find_dates(folded: str, ref: dt.date, due: dt.date | None = None) -> list[DateHit]:
    """Every date expression of a folded text, resolved against `ref`, in text order, none overlapping;
    "à l'échéance" is `due` (the quoted invoice's due date), and nothing when that is not known."""
    taken: list[tuple[int, int]] = []
    hits: list[DateHit] = []
    for rule, regex in COMPILED:
        for match in regex.finditer(folded):
            start, end = match.span()
            if any(start < other_end and other_start < end for other_start, other_end in taken):
                continue
            value = due if rule == "due" else _resolve(rule, match, ref)
            if value is None:
                continue
            taken.append((start, end))
            hits.append(DateHit(start, end, value, rule))
    return sorted(hits, key=lambda hit: hit.start)


# Where the quoted invoice mail states its due date.
DUE_LABEL = re.compile(
    r"(?<!\w)(?:date d'echeance|echeance|due date|payment due|due on|due by|payable (?:le|avant le|by|on)"
    r"|a regler avant le|date limite de paiement)\s*(?:le\s*)?:?\s*"
)
MENTIONS_DUE = COMPILED[[name for name, _ in COMPILED].index("due")][1]


def due_date(folded_quote: str, ref: dt.date) -> dt.date | None:
    """The first due date stated in the quoted original, if any."""
    for label in DUE_LABEL.finditer(folded_quote):
        window = folded_quote[label.end() : label.end() + 40]
        for hit in find_dates(window, ref):
            if hit.start == 0 and hit.rule in ("iso", "numeric", "day_month", "month_day"):
                return hit.value
    return None
