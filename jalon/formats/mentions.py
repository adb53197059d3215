"""French legal mentions in structured invoices: read them out of notes and codes, and put them back in.

Structured syntaxes carry the French mentions as BT-22 notes with BT-21 subject codes (BR-FR-05: PMD penalty
rate, PMT 40 EUR recovery indemnity, AAB early-payment discount), the category of operation in BT-23
(B goods, S services, M both: B1, S1, M1…), and the VAT-on-debits option in BT-8. `fill_from_codes` fills
the model's mention fields from those; `complete_for_output` does the reverse before a writer runs, so an
invoice read from a PDF's text leaves with its mentions coded.
"""

from __future__ import annotations

import re

from jalon.formats.model import Invoice, Note

NOTE_FIELDS = {
    "PMD": "penalty_rate_text",
    "PMT": "recovery_indemnity_text",
    "AAB": "early_payment_discount_text",
}
PROCESS_CATEGORY = {"B": "goods", "S": "services", "M": "both"}
CATEGORY_PROCESS = {"goods": "B1", "services": "S1", "both": "M1"}
_FR_PROCESS = re.compile(r"^[BSM][1-9]$")
# BT-8 in UNTDID 2005 (what the model keeps): 3 invoice date (VAT on debits), 432 payment date.
VAT_ON_DEBITS_CODE, VAT_ON_PAYMENTS_CODE = "3", "432"
FRENCH_SIREN_SCHEME = "0002"
FRENCH_ADDRESS_SCHEME = "0225"  # SIREN-based electronic address in the French directory
# BR-FR-17: under the French CIUS, BT-123 qualifies a supporting document with one of these codes.
FR_ATTACHMENT_CODES = frozenset(
    {
        "RIB",
        "LISIBLE",
        "FEUILLE_DE_STYLE",
        "PJA",
        "BORDEREAU_SUIVI",
        "DOCUMENT_ANNEXE",
        "BON_LIVRAISON",
        "BON_COMMANDE",
        "BORDEREAU_SUIVI_VALIDATION",
        "ETAT_ACOMPTE",
        "FACTURE_PAIEMENT_DIRECT",
        "RECAPITULATIF_COTRAITANCE",
    }
)
FR_DEFAULT_ATTACHMENT_CODE = "DOCUMENT_ANNEXE"


def fill_from_codes(inv: Invoice) -> None:
    """Fill the French mention fields from notes, BT-23 and BT-8 (readers call this)."""
    for note in inv.notes:
        name = NOTE_FIELDS.get((note.subject_code or "").upper())
        if name and getattr(inv, name) is None:
            setattr(inv, name, note.text)
    process = (inv.business_process or "").strip().upper()
    if inv.operation_category is None and _FR_PROCESS.match(process):
        inv.operation_category = PROCESS_CATEGORY[process[0]]
    if inv.vat_on_debits is None and inv.vat_due_date_code in (VAT_ON_DEBITS_CODE, VAT_ON_PAYMENTS_CODE):
        inv.vat_on_debits = inv.vat_due_date_code == VAT_ON_DEBITS_CODE


def complete_for_output(inv: Invoice, *, french: bool = False) -> Invoice:
    """A copy with the derived codes a writer needs: mention notes, BT-8 from the VAT-on-debits option,
    BT-23 from the operation category (B1/S1/M1), and for the French reform (`french=True`) SIREN-based
    electronic addresses (scheme 0225) when the parties have none and BR-FR-17 attachment codes. Nothing is
    invented beyond these derivations.
    """
    out = inv.copied()
    present = {(n.subject_code or "").upper() for n in out.notes}
    for code, name in NOTE_FIELDS.items():
        value = getattr(out, name)
        if value and code not in present:
            out.notes.append(Note(text=value, subject_code=code))
    if out.vat_due_date_code is None and out.vat_on_debits is not None:
        out.vat_due_date_code = VAT_ON_DEBITS_CODE if out.vat_on_debits else VAT_ON_PAYMENTS_CODE
    if out.business_process is None and out.operation_category in CATEGORY_PROCESS:
        out.business_process = CATEGORY_PROCESS[out.operation_category]
    if french:
        for party in (out.seller, out.buyer):
            if party.electronic_address is None and party.siren:
                party.electronic_address, party.electronic_address_scheme = party.siren, FRENCH_ADDRESS_SCHEME
        for attachment in out.attachments:
            if attachment.description not in FR_ATTACHMENT_CODES:
                attachment.description = FR_DEFAULT_ATTACHMENT_CODE
    return out
