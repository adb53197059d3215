"""The words invoices use for each field, in French, English (and a little German), as folded regexes.

Each entry is (pattern, strength): strength says how sure a match is that the value next to it is this field.
Text is folded first (lower case, no accents), so patterns are written without accents. Read in one screen.
"""

from __future__ import annotations

import re

NO = r"(?:n\s?[°o]\.?|num(?:ero|ber|\.)?|nr\.?|#|ref(?:erence)?\.?)"
HT = r"(?:hors taxes?|hors tva|h\.?\s?t\.?(?:v\.?a\.?)?(?![a-z]))"  # "HT", "H.T.", Belgian "HTVA"
TVA = r"(?:t\.?v\.?a\.?(?![a-z]))"

LABELS: dict[str, tuple[tuple[str, float], ...]] = {
    "invoice_number": (
        (
            r"\b(?:facture|invoice|avoir|credit note|note de credit|bill|(?:handels)?rechnung|"
            rf"note d'honoraires|note de frais|fee note|memoire)s?\s*{NO}\s*:?",
            1.0,
        ),
        (rf"\b{NO}\s*(?:de\s+)?(?:la\s+)?(?:facture|invoice|d'avoir|avoir|credit note)\b\s*:?", 1.0),
        (r"\b(?:invoice|credit note) id\b\s*:?", 1.0),
        (r"\brechnungsnummer\b\s*:?", 1.0),
        (
            r"^(?:facture d'avoir|facture|invoice|tax invoice|avoir|credit note|rechnung|gutschrift)"
            r"\s*:?(?=$|\s*#?\s*[a-z]{0,4}[-/]?\d)",
            0.7,
        ),
        (r"^(?:n\s?[°o]|numero|number)(?![a-z])\.?[\s.:]*(?=[a-z]{0,4}[-/]?\d)", 0.6),
        (r"\bn\s?[°o]\.?\s*:?\s*$", 0.6),  # "Affacturée N° | UC1_2023020": a title ending in N°, value beside
    ),
    "issue_date": (
        # not a payment term counted from it ("30 jours date de facture", "60 days from invoice date")
        (
            r"(?<!jours )(?<!jour )(?<!j )\bdate (?:de (?:la )?)?(?:facture|facturation|d'emission|emission"
            r"|d'edition)\b\s*:?",
            1.0,
        ),
        (r"(?<!days from )(?<!days after )\b(?:invoice|issue|billing|document) date\b\s*:?", 1.0),
        (r"\bdate of (?:issue|invoice)\b\s*:?", 1.0),
        (r"\brechnungsdatum\b\s*:?", 1.0),
        (r"\b(?:emise?|etablie?|issued|dated)(?: (?:le|on|at))?\b\s*:?", 0.8),
        (r"\b(?:facture|invoice|avoir) (?:du|of|dated)\b\s*:?", 0.8),
        # "Facture n° 2026-117 du 8 février 2026", and its second line alone: "du 8 février 2026 — Page 1/2"
        (rf"\b(?:facture|avoir|invoice)\s*{NO}\s*:?\s*[\w/.-]+(?: \d+)*\s+(?:du|of|dated)\b\s*:?", 0.85),
        (r"^du(?=\s+\d)(?!.*\b(?:au|to)\b)", 0.6),
        (r"^date\s*(?::|$|(?=\d))", 0.75),
        (r"(?:^|, )le(?= (?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche) )?\d)", 0.55),
    ),
    "due_date": (
        (r"\bdate d'echeance\b\s*:?|^echeance\b\s*:?|\bdate limite de (?:paiement|reglement)\b\s*:?", 1.0),
        (
            r"\b(?:due date|payment due(?: date| on| by)?|due (?:on|by)|payable (?:by|on|before)|pay by)"
            r"\b\s*:?",
            1.0,
        ),
        (
            r"\bplease (?:pay|remit) (?:by|until|before)\b\s*:?|\bfalligkeitsdatum\b\s*:?"
            r"|\bzahlbar bis\b\s*:?",
            1.0,
        ),
        (r"\b(?:a )?(?:payer|regler|payable|reglement) (?:avant le|au plus tard le|le|avant|au)\b\s*:?", 0.9),
        # "Paiement à 45 jours, soit le 07/09/2026": the term, then the date it gives
        (r"\b(?:paiement|reglement|payable|echeance)\b[^:]{0,40}?\bsoit (?:le |au )?", 0.9),
        (r"\bdate de (?:paiement|reglement)\b\s*:?|\bpayment date\b\s*:?|\becheance\b\s*:?", 0.85),
        (r"^(?:due|payable)\s*:", 0.85),
        (r"^(?:a regler |a payer |payable |due |to be paid )?(?:avant le|before)\b\s*:?", 0.75),  # a deadline
        # a direct debit's date is when the invoice is paid
        (r"\b(?:preleve|prelevement|sera preleve|debited|direct debit)(?: (?:le|on|du))?\b\s*:?$", 0.85),
    ),
    "delivery_date": (
        (r"\bdate (?:de (?:la )?)?(?:livraison|prestation|execution)\b\s*:?|\blivre le\b\s*:?", 1.0),
        (r"\b(?:delivery|supply|service) date\b\s*:?|\bdate of (?:delivery|supply|service)\b\s*:?", 1.0),
    ),
    "purchase_order": (
        # ": PO 2026187" beside "Votre commande" is the value, its "PO" a prefix: no label there
        (rf"\b(?:bon de commande|purchase order|(?<!: )p\.?\s?o\.?(?=[\s:#]|$))\s*(?:{NO})?\s*:?", 1.0),
        (
            rf"\b(?:{NO}\s*(?:de\s+)?(?:votre\s+)?commande|commande\s*{NO}|votre commande|vos commandes?)"
            r"(?![a-z])\s*:?",
            1.0,
        ),
        (rf"\b(?:order|your order)\s*(?:{NO}|id)?\s*:?(?=$| ?[a-z]*\d)", 0.85),
        (rf"\b(?:ordre de transport|transport order)\s*(?:{NO})?\s*:?", 0.85),  # a carrier's order
        (
            rf"\b(?:{NO}\s*d'engagement(?: juridique)?|engagement juridique|bestellnummer|ihre bestellung)\b"
            r"\s*:?",
            0.95,
        ),
    ),
    # a direct debit's mandate (BT-89) and the seller's SEPA creditor identifier (BT-90)
    "mandate_reference": (
        (r"\brum\b\s*:?|\breference unique (?:de|du) mandat\b\s*:?|\bmandate reference\b\s*:?", 1.0),
        (r"\bmandatsreferenz\b\s*:?|\breferencia (?:del|de) mandato\b\s*:?", 1.0),
    ),
    "creditor_id": (
        (r"\bics\b\s*:?|\bidentifiant (?:de )?creancier(?: sepa)?\b\s*:?", 1.0),
        (r"\bcreditor (?:identifier|id)\b\s*:?|\bglaubiger-?id\w*\s*:?", 1.0),
    ),
    "preceding_invoice": (
        (
            r"\bfactures? (?:associee|d'origine|initiale|precedente|liee|rectifiee|corrigee|annulee)s?\b"
            r"\s*(?:n\s?[°o]\.?)?\s*:?",
            1.0,
        ),
        (
            r"\b(?:original|related|corrected|preceding) invoice\b\s*(?:no\.?|#)?\s*:?"
            r"|\brelates to invoice\b\s*:?",
            1.0,
        ),
        (r"\bcredit for invoice\b\s*:?|\bavoir sur (?:la )?facture\b\s*(?:n\s?[°o]\.?)?\s*:?", 1.0),
        (
            r"\bannule et remplace (?:partiellement )?la facture\b\s*(?:n\s?[°o]\.?)?\s*:?"
            r"|\ben reference a la facture\b\s*:?",
            1.0,
        ),
    ),
    "buyer_reference": (
        (r"\bcode service(?: executant)?\b\s*:?|\bservice code\b\s*:?|\bcode du service\b\s*:?", 1.0),
        (r"\bservice executant\b\s*:?", 1.0),
        (r"\b(?:reference|ref\.?) (?:acheteur|de l'acheteur)\b\s*:?|\bbuyer(?:'s)? reference\b\s*:?", 1.0),
        (r"\b(?:votre|vos) (?:reference|ref\.?)s?\b\s*:?|\byour (?:reference|ref\.?)\b\s*:?", 0.6),
        (r"\bleitweg-?id\b\s*:?", 1.0),
    ),
    # "Référence client": the customer's own reference ("DA-2026-280", "Projet 335") or, digits only, the
    # account the seller keeps for it (a customer number, not a buyer reference)
    "customer_reference": (
        (r"^(?:reference|ref\.?) (?:client|du client)\s*(?::|$)", 0.6),
        (r"^customer(?:'s)? reference\b\s*:?", 0.6),
    ),
    "customer_code": (
        (rf"\b(?:code|{NO}|numero|id) client\b\s*:?|\bclient\s*{NO}\s*:?", 1.0),
        (rf"\bcustomer\s*(?:{NO}|id|code|number|account)\s*:?|\baccount (?:no|number)\b\s*:?", 1.0),
        (r"\bkundennummer\b\s*:?", 1.0),
    ),
    "currency": ((r"\b(?:devise|currency|monnaie|wahrung)\b\s*:?", 1.0),),
}

# Totals: each kind of amount and the words that announce it, most specific first.
TOTALS: dict[str, tuple[tuple[str, float], ...]] = {
    "without_vat": (
        (rf"\b(?:total|montant)(?: total)?(?: net)? {HT}", 1.0),
        (rf"\b(?:total|montant) (?:des |de la |du )?[a-z]+(?: net)? {HT}", 0.95),  # "Total honoraires HT"
        (rf"\bnet {HT}|\bbase {HT}|\btotal net\b|\bnet total\b", 0.9),
        (r"\btotal (?:excl\.?|excluding|ex\.?|before|without|net of|hors) (?:vat|tax(?:es)?|tva)\b", 1.0),
        (r"\b(?:net )?amount (?:excl\.?|excluding|before|without) (?:vat|tax)\b|\btaxable amount\b", 0.9),
        (r"\bnettobetrag\b|\bsumme netto\b|\bgesamt netto\b|\bnet amount\b|\btotal net amount\b", 0.85),
        (r"\brechnungssumme ohne ust\b|\bgesamtsumme netto\b|\bsumme ohne (?:ust|mwst)\b", 0.9),
        (rf"\bsous[- ]?total(?: {HT})?|\bsub[- ]?total\b", 0.7),
    ),
    "vat": (
        (rf"\b(?:total|montant)(?: total)? (?:de la )?{TVA}", 1.0),
        (r"\b(?:total )?vat(?: amount| total)?\b|\bvat total\b", 0.9),
        (rf"^{TVA}", 0.85),
        (r"\b(?:total )?(?:sales )?tax(?:es)?(?: amount| total)?\b", 0.75),
        (r"\bmwst\b|\bumsatzsteuer\b|\bust\.?\b|\bsteuerbetrag\b", 0.85),
    ),
    "with_vat": (
        (r"\b(?:total|montant)(?: total)? t\.?t\.?c\.?\b|\btotal toutes taxes comprises\b", 1.0),
        (r"\b(?:total|montant)(?: total)? t\.?v\.?a\.?c\.?(?![a-z])", 1.0),  # Belgian "Total TVAC"
        (r"\b(?:total|montant) (?:des |de la |du )?[a-z]+ t\.?t\.?c\.?\b", 0.95),
        (r"\b(?:total|amount) (?:incl\.?|including|inc\.?|with) (?:vat|tax(?:es)?|tva)\b", 1.0),
        (
            rf"\b(?:total|montant)(?: {TVA}| taxes?)? (?:incluses?|comprises?)\b"
            r"|\btotal (?:vat|tax) included\b",
            1.0,
        ),
        (
            r"\bgrand total\b|\binvoice total\b|\btotal amount\b|\bbruttobetrag\b|\bgesamtbetrag\b"
            r"|\bgross (?:amount|total)\b|\btotal gross\b|\bmontant de la facture\b"
            r"|\bsumme brutto\b|\bbruttosumme\b",
            0.85,
        ),
        (r"^total\s*:?$|^total (?:eur|usd|gbp|chf|\(eur\))\s*:?$", 0.6),
    ),
    "payable": (
        (r"\bnet a payer\b|\b(?:total|montant|reste|solde) a (?:payer|regler)\b", 1.0),
        (r"\b(?:amount|total|balance) (?:due|payable)\b|\bdue payable\b|\bzahlbetrag\b|\bzu zahlen\b", 1.0),
    ),
    "prepaid": (
        (r"\bacomptes?(?: verses?| deja (?:verses?|regles?))?\b|\bdeja (?:paye|regle|verse)\b", 1.0),
        (r"\b(?:amount )?(?:already )?paid\b|\bprepaid(?: amount)?\b|\bdeposit\b|\badvance payment\b", 0.9),
        (r"\berhaltene anzahlungen?\b|\banzahlung\b", 0.9),
        (r"\bprovisions? (?:recues?|versees?|deja versees?)\b|\bretainer (?:received|paid)\b", 0.9),
    ),
    # what the buyer keeps back until the guarantee ends; only read when the amount to pay is printed less it
    "holdback": (
        (r"\bretenues? de garantie\b|\bretention(?: money| amount)?\b(?! of title)|\bretainage\b", 1.0),
        (r"\b(?:sicherheits|garantie)einbehalt\b|\britenuta di garanzia\b|\bretencion de garantia\b", 1.0),
    ),
}

# Cells that look like a totals label but are not: identifiers, running page totals, VAT regime mentions.
NOT_A_TOTAL = re.compile(
    r"\b(?:intra|intracom\w*|n\s?[°o]\.? (?:de )?tva|numero de tva|vat (?:no|number|id|reg\w*)|vat-id|"
    r"tva non "
    r"applicable|a reporter|report(?:e)?\b|carried forward|brought forward|total page|page total|"
    r"identification|siren|siret|taux|rate)\b"
)

_END = (
    r"(?:\s*:|\s*$)"  # a party label is the whole cell or ends with a colon: "Client :" yes, "Client VAT" no
)
# the label said again in a second language: "Facturé à / Invoice to", "Livré à / Delivery address"
_SECOND = r"(?: ?/ ?[a-z][a-z' .-]{1,30})?"
PARTY_LABELS: dict[str, tuple[tuple[str, float], ...]] = {
    "buyer": (
        (
            rf"^(?:client|customer|acheteur|buyer|destinataire|kunde|rechnungsempfanger|kaufer){_SECOND}{_END}",
            1.0,
        ),
        (
            r"^(?:(?:etablissement|service|organisme|societe|entite) )?(?:destinataire|client|acheteur)"
            rf"(?: (?:facture|final|payeur))?(?: \([^)]*\))?{_END}",
            1.0,
        ),
        (
            r"^(?:adresse du client|coordonnees (?:du )?client|customer address|kaufer/leistungsempfanger)"
            + _END,
            1.0,
        ),
        (
            r"^(?:facture a|facturer a|factured? to|bill(?:ed)? to|invoice(?:d)? to|sold to|"
            r"adresse de facturation|"
            rf"billing address|adresse client|adresse a|adressee? a){_SECOND}{_END}",
            1.0,
        ),
        (r"^(?:a l'attention de|attn\.?|to|a|pour|for|recipient)\s*:?$", 0.6),
        (rf"^(?:buyer|consignee|importer) ?/ ?(?:consignee|importer|buyer){_END}", 1.0),
    ),
    "seller": (
        (
            r"^(?:emetteur|vendeur|fournisseur|prestataire|seller|supplier|vendor|issued by|expediteur|"
            rf"societe emettrice|rechnungssteller){_SECOND}{_END}",
            1.0,
        ),
        (r"^(?:from|de)\s*:?$", 0.8),
        (
            r"^(?:seller|supplier|vendor|exporter|shipper) ?/ ?(?:exporter|shipper|seller|supplier|vendor)"
            + _END,
            1.0,
        ),
    ),
    # a payment slip's payer ("Payable par" on a Swiss QR-bill): the buyer again, at the foot of the page
    "payer": ((rf"^(?:payable par|payable by|zahlbar durch){_END}", 1.0),),
    # the account a payment goes to (a Swiss QR-bill's "Compte / Payable à"): the seller or its factor
    "payee": (
        (rf"^(?:compte|account|konto) ?/ ?(?:payable a|payable to|zahlbar an){_END}|^payable a{_END}", 1.0),
        (rf"^(?:beneficiaire|payee|zahlungsempfanger){_END}", 1.0),
    ),
    "delivery": (
        (
            r"^(?:livre a|livraison a|adresse de livraison|lieu de livraison|ship(?:ped)? to|"
            r"deliver(?:ed|y)? to|"
            rf"delivery address|lieferadresse){_SECOND}{_END}",
            1.0,
        ),
    ),
}

# Words that tie an identifier to the buyer rather than the seller ("N° TVA client", "Customer VAT"), in its
# label or in the heading of its block ("Vos identifiants"); and to a third party (neither seller nor buyer).
BUYER_WORDS = re.compile(
    r"\b(?:client|customer|acheteur|buyer|preneur|destinataire|your|votre|vos|du client|kaufer)\b"
)
SELLER_WORDS = re.compile(r"\b(?:nos|notre|our|vendeur|fournisseur|seller|supplier|emetteur|verkaufer)\b")
THIRD_PARTY_WORDS = re.compile(
    r"\b(?:beneficiaire|payee|affacturage|factor|representant fiscal|tax representative|livraison|delivery|"
    r"ship to)\b"
)
SELLER_ID_WORDS = re.compile(
    r"\b(?:siren|siret|rcs|r\.c\.s\.?|n\s?[°o] d'identification|registration|company no)\b"
)
LEGAL_FORMS = re.compile(
    r"\b(?:sas|sasu|sarl|eurl|sa|sci|snc|selarl|scop|eirl|ei|gie|association|gmbh|ag|kg|ltd|limited|plc|llp|inc|"
    r"llc|corp|bv|nv|sprl|srl|spa|s\.a\.s\.?|s\.a\.r\.l\.?|s\.a\.?)\b"
)

COUNTRIES = {
    "france": "FR",
    "allemagne": "DE",
    "germany": "DE",
    "deutschland": "DE",
    "belgique": "BE",
    "belgium": "BE",
    "belgie": "BE",
    "espagne": "ES",
    "spain": "ES",
    "espana": "ES",
    "italie": "IT",
    "italy": "IT",
    "italia": "IT",
    "pays-bas": "NL",
    "netherlands": "NL",
    "nederland": "NL",
    "luxembourg": "LU",
    "suisse": "CH",
    "switzerland": "CH",
    "schweiz": "CH",
    "royaume-uni": "GB",
    "united kingdom": "GB",
    "uk": "GB",
    "irlande": "IE",
    "ireland": "IE",
    "portugal": "PT",
    "autriche": "AT",
    "austria": "AT",
    "osterreich": "AT",
    "danemark": "DK",
    "denmark": "DK",
    "suede": "SE",
    "sweden": "SE",
    "pologne": "PL",
    "poland": "PL",
    "etats-unis": "US",
    "united states": "US",
    "usa": "US",
    "canada": "CA",
    "japon": "JP",
    "japan": "JP",
    "monaco": "MC",
    "norvege": "NO",
    "norway": "NO",
    "finlande": "FI",
    "finland": "FI",
}

MENTIONS: dict[str, re.Pattern[str]] = {
    "penalty_rate": re.compile(
        r"penalites? de retard|interets? de retard|taux d'interet legal|"
        r"retard de (?:paiement|reglement) (?:\S+ ){0,12}?(?:penalit|interets?\b)|"
        r"penalites? (?:\S+ ){0,2}(?:au|a un) taux|"
        r"late (?:payment )?(?:penalt|interest|fee)|late payment\W{1,3}(?:\S+ ){0,3}?(?:interest|penalt)|"
        r"legal (?:interest )?rate|overdue (?:\S+ ){0,3}?(?:bear|incur|accrue|attract)s? (?:\S+ )?interest|"
        r"interest (?:on|for) late|verzugszinsen"
    ),
    "recovery_indemnity": re.compile(
        r"indemnite forfaitaire|frais de recouvrement|recovery (?:fee|cost|indemnity|compensation)|"
        r"fixed (?:compensation|indemnity)"
    ),
    "early_payment_discount": re.compile(
        r"escompte|early payment discount|discount for early payment|skonto"
    ),
    "vat_on_debits": re.compile(r"d'apres les debits|tva (?:sur|acquittee sur) les debits|vat on debits"),
    "vat_exempt_franchise": re.compile(r"293 ?b|tva non applicable|franchise en base|vat not applicable"),
    "reverse_charge": re.compile(r"autoliquidation|reverse charge|283[- ]?2|196 de la directive"),
    "intra_eu_exempt": re.compile(
        r"262 ter|livraison intracommunautaire|intra-?community supply|138 de la directive"
    ),
    "export_exempt": re.compile(r"\b262 ?i\b|exportation|export outside|hors ue|outside the eu"),
    # paid by a direct debit the seller collects (UNTDID 4461 code 59): "Mode de règlement : prélèvement"
    "direct_debit": re.compile(
        r"(?:reglement|paiement|payable|paye|regle)e?s? (?:\S+ ){0,2}par prelevement"
        r"|prelevement (?:sepa|automatique)|(?:mode|moyen) de (?:reglement|paiement)\s*:?\s*prelevement"
        r"|(?:by|via) (?:sepa )?direct debit"
        r"|sepa direct debit|payment (?:method|terms)\s*:?\s*direct debit|(?:sepa-)?lastschrift"
        r"|domiciliacion bancaria|adeudo (?:directo|sepa)|addebito (?:diretto|sdd|rid|sepa)"
    ),
}

# "Prélèvement automatique … si vous avez opté pour ce mode de paiement": a debit only for some customers
OPTIONAL_MEANS = re.compile(
    r"\bsi vous (?:avez )?(?:opte|choisi|souscrit)|\bif you (?:have )?(?:opted|chosen|chose|signed up)"
    r"|\bsur (?:simple )?demande\b|\bon request\b"
)

OPERATION_CATEGORY = (
    (re.compile(r"\b(?:mixte|biens et (?:des )?services|goods and services|both)\b"), "both"),
    (re.compile(r"\b(?:prestations? de services?|services?)\b"), "services"),
    (re.compile(r"\b(?:livraisons? de biens|biens|goods|marchandises)\b"), "goods"),
)
OPERATION_LABEL = re.compile(
    r"\b(?:categorie (?:de l'|d')?operation|nature de l'operation|type d'operation|operation category|"
    r"category of (?:the )?(?:operation|supply)|type of supply)\b"
)
CREDIT_TITLE = re.compile(
    r"^(?:facture d'avoir|avoir|credit note|credit memo|note de credit|gutschrift)\b|\bavoir n\s?[°o]|"
    r"\bcredit note (?:no|number|#)|\bn\s?[°o]\.? (?:d')?avoir\b|\bnumero d'avoir\b"
)
TABLE_HEADER = {
    "description": re.compile(
        r"\b(?:designation|description|libelle|article|produit|product|item|prestation|objet|details?)\b"
    ),
    "quantity": re.compile(
        r"\b(?:qte|quantite|qty|quantity|quant\.?|nb|nombre|units?|heures|hours|jours|days|menge)\b"
    ),
    "price": re.compile(
        r"\b(?:p\.?u\.?|prix|price|unit price|tarif|rate|taux horaire|unit cost|einzelpreis)\b"
    ),
    "amount": re.compile(r"\b(?:montant|total|amount|net|betrag|sum)\b"),
    # a VAT column: each line's rate ("TVA %": 20, 5,5) or code ("Code TVA": A, 1) explained elsewhere
    "vat": re.compile(
        r"^(?:code )?(?:tva|vat|mwst|ust|tax)(?: code| rate| %| \(%\))?$|^(?:taux|rate) (?:tva|vat)$"
        r"|^t\.$|^tx\.?(?: tva)?$|^taux$"
    ),
}


def compile_table(
    table: dict[str, tuple[tuple[str, float], ...]],
) -> dict[str, list[tuple[re.Pattern[str], float]]]:
    return {
        key: [(re.compile(pattern), strength) for pattern, strength in entries]
        for key, entries in table.items()
    }
