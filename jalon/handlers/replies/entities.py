"""Things named in a reply: invoice numbers (not dates, phones, SIRET, IBAN, amounts or order numbers), e-mail
addresses, and the language it is written in. Works on folded text (see `quotes.fold`), offsets shared with
the original so that values are returned as written."""

from __future__ import annotations

import re

# "facture n° F-2025-0142", "invoice #1187", "fact. 2025/0456", "avoir AV-12", "Rechnung Nr. 4711",
# "factura núm. 2025-88", "fattura n. 123", and lists after them.
KEYWORD = re.compile(
    r"(?<!\w)(?:factures?|fact\.|fac\.|invoices?|inv\.|avoirs?|credit notes?|bills?"
    r"|rechnung(?:en|snummer)?|gutschrift|facturas?|fattur[ae]|nota di credito)\s*"
    r"(?:(?:n\s*[°o]|no|nr|nos|num(?:ero|ber|mer)?s?|#|ref(?:erence)?|n\.?\s*[°º]?)\.?\s*:?\s*|:\s*)?"
)
TOKEN = re.compile(r"(?=[\w/.-]{0,30}\d)[a-z0-9][\w/.-]{1,30}")
LIST_LINK = re.compile(
    r"\s*(?:,|;|&|\+|et|and|ou|or|und|y|e)\s*(?:(?:la |les |the |die |las |le )?"
    r"(?:factures?|invoices?|rechnung(?:en)?|facturas?|fattur[ae])\s*)?(?:n\s*[°o]\s*|#\s*)?"
)
# Numbers shaped like invoice numbers even without the word: a billing prefix, digits, separators.
SHAPED = re.compile(
    r"(?<![\w/-])(?:f|fa|fac|fact|fc|fv|ft|inv|in|av|cn|cr)[-_/]?\d{2,}(?:[-_/]\d{1,10})*(?![\w/-])"
)
# A billing prefix and its digits apart ("Invoice INV 90024", "FA 20261"): not a year ("inv 2026").
SPACED = re.compile(
    r"(?<![\w/-])(?:inv|fact?|fa)\s(?!(?:19|20)\d\d(?![\w/-]))\d{4,}(?:[-_/]\d{1,10})*(?![\w/-])"
)
# Words that make the next number something else than an invoice number.
OTHER_NUMBER = re.compile(
    r"(?:commande|cde|po|p\.o\.|order|bc|bdc|engagement|bl|livraison|delivery|devis|quote|quotation|contrat"
    r"|contract|client|customer|account|compte|dossier|ticket|siret|siren|tva|vat|tel|tél|phone|fax|mobile|iban"
    r"|bic|rib|marche|project|projet|code|acheteur|buyer|cost cent\w*|avenant|lot|colis|tracking|suivi"
    r"|bestellung|bestellnummer|auftrag|kundennummer|lieferschein|pedido|albaran|ordine|cliente|ddt)"
    r"\s*(?:n\s*[°o]|no|number|nr|#|ref)?\.?\s*:?\s*$"
)
DATE_LIKE = re.compile(r"\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?|\d{4}-\d{1,2}-\d{1,2}|(?:19|20)\d{2}")
IBAN_LIKE = re.compile(r"[a-z]{2}\d{2}[a-z0-9]{10,30}")
PHONE_LIKE = re.compile(r"(?:\+|00)\d{8,15}|0\d{9}")
AMOUNT_AFTER = re.compile(r"\s*(?:[.,]\d{1,2}\b|€|eur\b|euros?\b|\$|usd\b|gbp\b|£|%|k€|ht\b|ttc\b)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

FRENCH = re.compile(
    r"(?<!\w)(?:le|la|les|des|du|de|un|une|et|est|sont|nous|vous|je|il|elle|pour|pas|ne|merci|bonjour|facture"
    r"|avec|sur|votre|notre|ce|cette|sera|dans|par|qui|que|au|aux|avons|avez|cordialement|reglement|paiement)(?!\w)"
)
ENGLISH = re.compile(
    r"(?<!\w)(?:the|a|an|and|is|are|was|were|be|been|will|we|you|i|it|this|that|our|your|of|to|in|on|for|not"
    r"|have|has|thanks|thank|hello|hi|invoice|with|please|payment|paid|regards|received)(?!\w)"
)


def _clean(token: str) -> str:
    return token.rstrip("./-_,")


def _acceptable(folded: str, start: int, end: int, keyworded: bool) -> bool:
    token = _clean(folded[start:end])
    if len(token) < 3 or not any(ch.isdigit() for ch in token):
        return False
    if DATE_LIKE.fullmatch(token) or IBAN_LIKE.fullmatch(token) or PHONE_LIKE.fullmatch(token):
        return False
    if AMOUNT_AFTER.match(folded, end):
        return False
    digits = sum(ch.isdigit() for ch in token)
    if token.isdigit() and digits in (9, 14) and not keyworded:  # SIREN, SIRET
        return False
    return not (not keyworded and OTHER_NUMBER.search(folded[max(0, start - 30) : start]))


def invoice_numbers(folded: str, original: str) -> list[tuple[str, int, int]]:
    """(number as written, start, end) of every invoice number, in text order, without duplicates."""
    found: list[tuple[str, int, int]] = []
    for keyword in KEYWORD.finditer(folded):
        position = keyword.end()
        while True:
            token = TOKEN.match(folded, position)
            if token is None:
                break
            start, end = token.start(), token.start() + len(_clean(token.group(0)))
            if not _acceptable(folded, start, end, keyworded=True):
                break
            found.append((original[start:end], start, end))
            link = LIST_LINK.match(folded, end)
            if link is None or link.end() == end:
                break
            position = link.end()
    for shaped in (*SHAPED.finditer(folded), *SPACED.finditer(folded)):
        start, end = shaped.span()
        if _acceptable(folded, start, end, keyworded=False):
            found.append((original[start:end], start, end))
    seen: set[str] = set()
    unique = []
    for value, start, end in sorted(found, key=lambda item: item[1]):
        key = value.upper()
        if key not in seen:
            seen.add(key)
            unique.append((value.upper(), start, end))
    return unique


def shape(number: str) -> str:
    """F-2025-0142 -> A-9999-9999: numbers of one billing system share a shape."""
    return "".join("9" if ch.isdigit() else "A" if ch.isalpha() else ch for ch in number.upper())


CANDIDATE = re.compile(r"(?<![\w/.-])[a-z0-9][\w/.-]{2,30}")


def same_shape(folded: str, original: str, shapes: set[str]) -> list[tuple[str, int, int]]:
    """Numbers shaped like invoice numbers already named ("payée, ainsi que la 2025/0441")."""
    found = []
    for match in CANDIDATE.finditer(folded):
        start, end = match.start(), match.start() + len(_clean(match.group(0)))
        if shape(original[start:end]) in shapes and _acceptable(folded, start, end, keyworded=False):
            found.append((original[start:end].upper(), start, end))
    return found


def emails(text: str) -> list[tuple[str, int, int]]:
    return [
        (match.group(0).rstrip(".").lower(), match.start(), match.end()) for match in EMAIL.finditer(text)
    ]


GERMAN = re.compile(
    r"(?<!\w)(?:der|die|das|und|ist|wir|sie|ich|nicht|ein|eine|mit|fur|den|dem|von|zu|auf|bitte|rechnung"
    r"|zahlung|haben|wurde|werden|vielen|dank|gruße|grusse|freundlichen|sehr|geehrte)(?!\w)"
)
SPANISH = re.compile(
    r"(?<!\w)(?:el|los|las|y|es|son|nosotros|usted|que|por|para|con|una|del|al|hemos|factura|pago|gracias"
    r"|saludos|estimados?|atentamente|buenos|dias|se|su|sus|no|muy)(?!\w)"
)
ITALIAN = re.compile(
    r"(?<!\w)(?:il|lo|gli|e|sono|abbiamo|che|per|con|una|del|della|al|alla|fattura|pagamento|grazie"
    r"|saluti|cordiali|buongiorno|gentili|non|si|vostra|nostra|ci)(?!\w)"
)
LANGUAGES = (("fr", FRENCH), ("en", ENGLISH), ("de", GERMAN), ("es", SPANISH), ("it", ITALIAN))


def language(folded: str) -> str:
    """'fr', 'en', 'de', 'es' or 'it', by the common words each uses (French when undecided: the home
    market). Words two languages share ("la", "que", "con") count for both: the others decide."""
    head = folded[:5000]
    counts = {code: len(pattern.findall(head)) for code, pattern in LANGUAGES}
    best = max(counts, key=lambda code: counts[code])  # the first of equals: French, then English
    return best if counts[best] > counts["fr"] else "fr"


# A sum of money with its currency before or after it: "150 €", "1 200,00 EUR", "€1,200.50", "CHF 80".
_CURRENCY = r"(?:€|eur(?:os?)?\b|\$|usd\b|£|gbp\b|chf\b)"
_FIGURE = r"\d{1,3}(?:[ \u00a0\u202f.,']\d{3})*(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
AMOUNT = re.compile(rf"(?<![\w.,])(?:{_CURRENCY}\s?(?:{_FIGURE})|(?:{_FIGURE})\s?{_CURRENCY})", re.IGNORECASE)


def amounts(text: str) -> list[str]:
    """The sums of money a text says, as written, in text order, without repeats."""
    said: list[str] = []
    for found in AMOUNT.finditer(text):
        value = " ".join(found.group(0).split())
        if value not in said:
            said.append(value)
    return said[:10]
