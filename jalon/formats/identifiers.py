"""Company identifiers, accepted only when their check digits hold: SIREN, SIRET, VAT numbers, IBAN, BIC.

Every function takes what a person or a PDF wrote (spaces, dots, dashes, lower case) and returns the compact
canonical form, or None when the value is not a valid identifier. python-stdnum does the arithmetic.
"""

from __future__ import annotations

import re

from stdnum import bic as _bic
from stdnum import iban as _iban
from stdnum.ch import vat as _ch_vat
from stdnum.eu import vat as _eu_vat
from stdnum.fr import siren as _siren
from stdnum.fr import siret as _siret
from stdnum.fr import tva as _tva
from stdnum.gb import vat as _gb_vat
from stdnum.no import mva as _no_mva

_SEPARATORS = re.compile(r"[\s.\-/\u00a0\u202f]")
# VAT prefixes of the EU (EL is Greece's VAT prefix, XI Northern Ireland) plus close neighbours.
EU_VAT_PREFIXES = frozenset(p.upper() for p in _eu_vat.MEMBER_STATES) | {"EL"}
_OTHER_VAT = {"GB": _gb_vat, "CH": _ch_vat, "NO": _no_mva}
EU_COUNTRIES = frozenset(
    str.split("AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK")
)


def _digits(value: str) -> str:
    return _SEPARATORS.sub("", value or "")


def siren(value: str | None) -> str | None:
    """A valid 9-digit SIREN (Luhn), or None."""
    compact = _digits(value or "")
    return compact if len(compact) == 9 and compact.isdigit() and _siren.is_valid(compact) else None


def siret(value: str | None) -> str | None:
    """A valid 14-digit SIRET (Luhn, with La Poste's exception handled by stdnum), or None."""
    compact = _digits(value or "")
    return compact if len(compact) == 14 and compact.isdigit() and _siret.is_valid(compact) else None


def french_vat(value: str | None) -> str | None:
    """A valid French VAT number (FR + key + SIREN), or None."""
    compact = _digits(value or "").upper()
    if not compact.startswith("FR"):
        return None
    return compact if _tva.is_valid(compact) else None


def vat(value: str | None) -> str | None:
    """A valid VAT number of an EU country (or GB, CH, NO), prefix included, or None."""
    compact = _digits(value or "").upper()
    if len(compact) < 4 or not compact[:2].isalpha():
        return None
    prefix = compact[:2]
    try:
        if prefix in EU_VAT_PREFIXES:
            return compact if _eu_vat.is_valid(compact) else None
        module = _OTHER_VAT.get(prefix)
        if module is not None:
            return compact if module.is_valid(compact) else None
    except Exception:  # stdnum raises on odd input in a few country modules; odd input is just invalid
        return None
    return None


def vat_country(value: str | None) -> str | None:
    """ISO country of a VAT number (EL -> GR, XI -> GB)."""
    if not value or len(value) < 2:
        return None
    prefix = value[:2].upper()
    return {"EL": "GR", "XI": "GB"}.get(prefix, prefix)


def siren_of_vat(value: str | None) -> str | None:
    """The SIREN inside a French VAT number, when there is one."""
    compact = french_vat(value)
    if compact is None or not compact[4:].isdigit():
        return None
    return siren(compact[4:])


def iban(value: str | None) -> str | None:
    """A valid IBAN (mod 97), or None."""
    compact = _digits(value or "").upper()
    return compact if 15 <= len(compact) <= 34 and _iban.is_valid(compact) else None


def bic(value: str | None) -> str | None:
    compact = _digits(value or "").upper()
    return compact if _bic.is_valid(compact) else None
