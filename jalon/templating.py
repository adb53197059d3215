"""Jinja2 rendering of mails (French/English) and portal pages, from jalon/templates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, TemplateNotFound, select_autoescape

LANGUAGES = ("fr", "en")


def _money(value: Any, currency: str = "EUR", language: str = "fr") -> str:
    if value is None or value == "":
        return ""
    amount = Decimal(str(value)).quantize(Decimal("0.01"))
    text = f"{amount:,.2f}"
    if language == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
        return f"{text} {'€' if currency == 'EUR' else currency}"
    return f"{currency} {text}" if currency != "EUR" else f"€{text}"


def _date(value: Any, language: str = "fr") -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return value.strftime("%d/%m/%Y") if language == "fr" else value.strftime("%d %b %Y")


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("jalon", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["money"] = _money
    env.filters["date"] = _date
    return env


def language_of(language: str | None) -> str:
    language = (language or "fr").lower()[:2]
    return language if language in LANGUAGES else "en"


def render_mail(name: str, language: str | None, **context: Any) -> tuple[str, str, str | None]:
    """(subject, text, html) of mail template `name` in the language (English when unknown)."""
    lang = language_of(language)
    env = environment()
    context = {"lang": lang, **context}
    subject = env.get_template(f"mail/{lang}/{name}.subject.j2").render(context).strip()
    text = env.get_template(f"mail/{lang}/{name}.txt.j2").render(context)
    try:
        html = env.get_template(f"mail/{lang}/{name}.html.j2").render(context)
    except TemplateNotFound:
        html = None
    return " ".join(subject.split()), text, html


def render_page(name: str, **context: Any) -> str:
    return environment().get_template(f"portal/{name}.html.j2").render(context)
