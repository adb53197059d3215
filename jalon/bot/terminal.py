"""A card as terminal text: what `jalon demo` prints when no chat is configured."""

from __future__ import annotations

import textwrap

from jalon.bot.cards import Card

WIDTH = 100


def render(card: Card, *, width: int = WIDTH, color: bool = False) -> str:
    """A boxed card: title, facts, evidence, status, and the buttons a person would press."""
    bold, dim, reset = ("\033[1m", "\033[2m", "\033[0m") if color else ("", "", "")
    inner = width - 4
    lines: list[str] = []

    def add(text: str, style: str = "", indent: str = "") -> None:
        for piece in textwrap.wrap(text, inner - len(indent)) or [""]:
            lines.append(f"│ {style}{indent}{piece}{reset if style else ''}")

    add(card.headline, bold)
    if card.facts:
        label_width = min(max(len(k) for k, _ in card.facts), 18)
        for key, value in card.facts:
            head = f"{key.ljust(label_width)}  "
            wrapped = textwrap.wrap(value, inner - len(head)) or [""]
            lines.append(f"│ {head}{wrapped[0]}")
            lines.extend(f"│ {' ' * len(head)}{more}" for more in wrapped[1:])
    for line in card.evidence:
        add(line, dim, "> ")
    if card.notice:
        add(f"⛔ {card.notice}")
    for line in card.status:
        add(line, dim)
    if card.buttons:
        add("  ".join(f"[{b.label}]" for b in card.buttons), bold)
    # An open box: emoji have no fixed width in a terminal, so a right border would not line up.
    top = "┌" + "─" * (width - 2)
    bottom = "└" + "─" * (width - 2)
    return "\n".join([top, *lines, bottom])
