"""EN 16931 business rules (BR-xx, BR-CO-xx, BR-DEC-xx and the per-VAT-category rules) on the invoice model.

Native Python, so a check takes a fraction of a millisecond and says in plain words what is wrong, with the
amounts. The rules follow CEN/TC 434's validation artefacts (v1.3.x): same ids, same tolerances (BR-S-08/09
and BR-CO-17 accept one unit of difference, the other sums are exact to the cent), same rounding (XPath
`round(x * 100) div 100`, halves upwards). Rules about XML syntax, code lists (BR-CL-*) and what the model
cannot tell apart (an element present but empty) are left to the official Schematron run by validation.py.

`check(invoice)` returns `Failure`s; rules.py turns them into findings. Failures carry the official id.
"""

from __future__ import annotations

from collections.abc import Iterable

from jalon.formats.en16931 import categories, document  # noqa: F401  (registers the rules)
from jalon.formats.en16931.base import RULES, Failure, decimals, money, r0, r2
from jalon.formats.model import Invoice

__all__ = ["Failure", "applies", "check", "decimals", "money", "r0", "r2"]

MINIMUM_RULES = frozenset(
    str.split(
        "BR-01 BR-02 BR-03 BR-04 BR-05 BR-06 BR-07 BR-08 BR-09 BR-13 BR-14 BR-15 BR-CO-09 BR-CO-26 "
        "BR-DEC-12 BR-DEC-13 BR-DEC-14 BR-DEC-18 BR-E-02 BR-E-03 BR-E-04 BR-E-05 BR-E-06 BR-E-07 BR-E-10 "
        "BR-G-02 BR-G-03 BR-G-04 BR-G-05 BR-G-06 BR-G-07 BR-G-08 BR-G-09 BR-G-10 BR-IC-02 BR-IC-03 "
        "BR-IC-04 BR-IC-05 BR-IC-06 BR-IC-07 BR-IC-08 BR-IC-09 BR-IC-10 BR-IC-11 BR-IC-12 BR-O-03 BR-O-04 "
        "BR-O-06 BR-O-08 BR-O-09 BR-O-10 BR-O-11 BR-O-12 BR-O-13 BR-O-14"
    )
)
NOT_IN_PROFILE: dict[str, frozenset[str]] = {
    "BASIC-WL": frozenset(
        str.split(
            "BR-16 BR-21 BR-22 BR-23 BR-24 BR-25 BR-26 BR-27 BR-28 BR-30 BR-41 BR-42 BR-43 BR-44 BR-51 "
            "BR-52 BR-54 BR-64 BR-65 BR-AE-01 BR-AE-02 BR-AE-05 BR-AE-08 BR-AF-01 BR-AF-02 BR-AF-05 "
            "BR-AF-08 BR-AG-01 BR-AG-02 BR-AG-05 BR-AG-08 BR-B-01 BR-B-02 BR-CO-04 BR-CO-07 BR-CO-08 "
            "BR-CO-10 BR-CO-20 BR-CO-23 BR-CO-24 BR-DEC-23 BR-DEC-24 BR-DEC-25 BR-DEC-27 BR-DEC-28 "
            "BR-E-01 BR-E-02 BR-E-05 BR-E-08 BR-G-01 BR-G-02 BR-G-05 BR-G-08 BR-IC-01 BR-IC-02 BR-IC-05 "
            "BR-IC-08 BR-O-01 BR-O-02 BR-O-05 BR-O-08 BR-O-12 BR-S-01 BR-S-02 BR-S-05 BR-S-08 BR-Z-01 "
            "BR-Z-02 BR-Z-05 BR-Z-08"
        )
    ),
    "BASIC": frozenset({"BR-51", "BR-52"}),
    "EXTENDED": frozenset(
        str.split(
            "BR-22 BR-23 BR-24 BR-26 BR-27 BR-28 BR-38 BR-44 BR-54 BR-AE-01 BR-AE-08 BR-AF-01 BR-AF-08 "
            "BR-AF-10 BR-AG-01 BR-AG-08 BR-AG-10 BR-CO-04 BR-CO-06 BR-CO-08 BR-CO-10 BR-CO-11 BR-CO-12 "
            "BR-CO-13 BR-CO-15 BR-CO-16 BR-CO-17 BR-CO-22 BR-CO-24 BR-E-01 BR-E-08 BR-G-01 BR-G-08 "
            "BR-IC-01 BR-IC-08 BR-O-01 BR-O-02 BR-O-03 BR-O-04 BR-O-08 BR-O-11 BR-O-12 BR-O-13 BR-O-14 "
            "BR-S-01 BR-S-08 BR-S-09 BR-S-10 BR-Z-01 BR-Z-08 BR-Z-10"
        )
    ),
}
NOT_IN_PROFILE["EXTENDED-CTC-FR"] = NOT_IN_PROFILE["EXTENDED"]


def applies(rule_id: str, profile: str | None) -> bool:
    """Whether an EN 16931 rule applies to an invoice of this profile (see NOT_IN_PROFILE)."""
    profile = (profile or "").upper()
    if profile == "MINIMUM":
        return rule_id in MINIMUM_RULES
    return rule_id not in NOT_IN_PROFILE.get(profile, ())


def check(inv: Invoice, only: Iterable[str] | None = None) -> list[Failure]:
    """Every EN 16931 rule that fails on `inv` (those that apply to its profile)."""
    wanted = set(only) if only is not None else None
    failures: list[Failure] = []
    for _, function in RULES:
        for failure in function(inv):
            if applies(failure.rule, inv.profile) and (wanted is None or failure.rule in wanted):
                failures.append(failure)
    return failures
