"""Reply phrases in German, Spanish and Italian, for the customers abroad: the intents that make jalon act
(not received, send again, missing information, dispute, paid, promise to pay), and those that record or
route (received, a new address, a question), as data.

Same conventions as `phrases.PHRASES` (folded text: lower case, no accents; a space is any whitespace).
Negations: "no", "non", "nunca", "nicht", "nie", "kein…" are in `phrases.NEGATION`, so a `negatable` phrase
here is dropped when one governs it ("noch nicht bezahlt", "no hemos pagado", "non abbiamo pagato"); the
phrases that state an absence carry their own negation and are not negatable.
"""

from __future__ import annotations

# Words these phrases share.
RECHNUNG = r"(?:rechnung\w*|faktura|beleg)"
FACTURA = r"(?:factura\w*|fattur\w*)"
ORDER_NUMBER = (
    r"(?:bestellnummer|bestell-?nr\.?|auftragsnummer|po-?nummer|bestellreferenz|kostenstelle"
    r"|numero de (?:pedido|orden)|n(?:o|\.)? de pedido|orden de compra|referencia (?:de(?:l)? )?pedido"
    r"|numero (?:di |d')?ordine|ordine di acquisto|riferimento (?:dell')?ordine|codice (?:cig|cup))"
)
NOT_YET = r"(?:(?!(?:nicht|nie|kein\w*|no|non|nunca)\b)\S+ )"  # a gap word that is no negation

# intent -> rows (rule, weight, negatable, pattern), as in phrases.PHRASES
MORE_PHRASES: dict[str, tuple[tuple[str, int, bool, str], ...]] = {
    "not_received": (
        ("de_nicht_erhalten", 3, False, r"(?:nicht|nie|noch nicht|keine (?:rechnung|e-?mail|post))"
         r" (?:\S+ ){0,2}(?:erhalten|bekommen|eingegangen|angekommen|zugestellt|zugegangen)"),
        ("es_no_recibido", 3, False, r"(?:no|nunca|todavia no|aun no) (?:nos |me |le |les )?(?:\S+ )?"
         r"(?:hemos recibido|he recibido|ha llegado|han llegado|recibimos|recibi|llego|ha sido recibida)\b"),
        ("it_non_ricevuto", 3, False, r"(?:non|mai) (?:\S+ )?(?:abbiamo|ho|ha|hanno|e|sono)"
         r" (?:\S+ )?(?:ricevut[oaie]|arrivat[oaie]|pervenut[oaie]|giunt[oaie])"),
    ),
    "resend_request": (
        ("de_senden", 3, False, r"(?:senden|schicken|ubermitteln|ubersenden|zusenden|mailen) sie"
         r" (?:uns |mir )?(?:bitte )?(?:\S+ ){0,3}(?:rechnung|kopie|duplikat|zweitschrift)"
         rf"|(?:erneut|nochmals|noch einmal|nochmal) (?:\S+ ){{0,3}}(?:senden|schicken|zusenden|zukommen)"
         rf"|(?:kopie|duplikat|zweitschrift) (?:der |ihrer )?{RECHNUNG}"),
        ("es_reenviar", 3, False, r"(?:reenvi\w+|volver a enviar\w*|enviar\w* de nuevo|enviarnos|envienos"
         r"|mandarnos|mandenos|nos (?:puede|pueden|podria|podrian) (?:enviar|mandar))"
         rf" (?:\S+ ){{0,3}}(?:{FACTURA}|copia|duplicado)"),
        ("it_inviare", 3, False, r"(?:inviar\w*|reinviar\w*|rinviar\w*|rimandar\w*|mandar\w*|spedir\w*"
         rf"|trasmetter\w*) (?:\S+ ){{0,3}}(?:{FACTURA}|copia|duplicato)"),
    ),
    "missing_info": (
        ("de_fehlt", 3, False, rf"{ORDER_NUMBER} (?:\S+ ){{0,4}}(?:fehlt|fehlen|angeben|nachreichen"
         rf"|erforderlich|notwendig|erganzen)|(?:fehlt|fehlende|ohne|keine) (?:\S+ ){{0,3}}{ORDER_NUMBER}"
         rf"|(?:benotigen|brauchen) (?:\S+ ){{0,4}}{ORDER_NUMBER}"
         rf"|(?:erganzen|angeben|nachtragen|hinzufugen|vermerken) sie (?:\S+ ){{0,4}}{ORDER_NUMBER}"),
        ("es_falta", 3, False, rf"(?:falta|sin|no (?:\S+ )?(?:incluye|indica|tiene|figura|aparece|consta))"
         rf" (?:\S+ ){{0,3}}{ORDER_NUMBER}|{ORDER_NUMBER} (?:\S+ ){{0,4}}(?:falta|obligatori[oa]"
         r"|necesari[oa]|imprescindible)"),
        # "fehlt" / "falta" / "manca" alone is a hint; with what is missing in the sentence (a delivery note,
        # an address: phrases.MISSING_TOPICS and MORE_TOPICS) it says it all
        ("de_fehlt_etwas", 1, False, r"(?:fehlt|fehlen|fehlende\w*|nachreichen)"),
        ("es_falta_algo", 1, False, r"(?:falta|faltan)"),
        ("it_manca_qualcosa", 1, False, r"(?:manca|mancano)"),
        ("it_manca", 3, False, rf"(?:manca|mancano|mancante|senza|non (?:\S+ )?(?:riporta|indica|contiene))"
         rf" (?:\S+ ){{0,3}}{ORDER_NUMBER}|{ORDER_NUMBER} (?:\S+ ){{0,4}}(?:mancante|manca"
         r"|obbligatori[oa]|necessari[oa])"),
    ),
    "dispute": (
        ("de_beanstanden", 3, True, r"(?:widersprechen|widerspruch|reklamieren|reklamation|beanstanden"
         r"|beanstandung|bestreiten|nicht einverstanden)"),
        ("de_falsch", 3, True, r"(?:rechnung|betrag|preis|menge|summe)\w* (?:\S+ ){0,4}(?:falsch|fehlerhaft"
         r"|nicht korrekt|zu hoch|stimmt nicht|stimmen nicht)"),
        ("es_reclamar", 3, True, r"(?:reclamamos|reclamacion|impugnamos|disconformidad|no estamos de acuerdo"
         r"|no (?:estamos )?conformes?|disconformes?|rechazamos)"),
        ("es_incorrecta", 3, True, r"(?:factura|importe|precio|cantidad)\w* (?:\S+ ){0,4}(?:incorrect[oa]s?"
         r"|erron[eo]as?|equivocad[oa]s?|no coincide)"),
        ("it_contestare", 3, True, r"(?:contestiamo|contestazione|reclamo|non siamo d'accordo|respingiamo"
         r"|rifiutiamo)"),
        ("it_errata", 3, True, r"(?:fattura|importo|prezzo|quantita)\w* (?:\S+ ){0,4}(?:errat[oaie]"
         r"|sbagliat[oaie]|non corrett[oaie]|non corrisponde)"),
    ),
    "paid": (
        ("de_bezahlt", 3, True, rf"(?:haben|habe|hat|wurde|wurden|ist|sind) {NOT_YET}{{0,5}}"
         r"(?:bereits |schon )?(?:bezahlt|uberwiesen|beglichen|ausgeglichen|gezahlt|angewiesen)\b"),
        ("de_zahlung_erfolgt", 3, True, r"(?:zahlung|uberweisung)\w* (?:\S+ ){0,3}(?:ist|wurde) (?:\S+ ){0,3}"
         r"(?:erfolgt|ausgefuhrt|getatigt|veranlasst)"),
        ("es_pagado", 3, True, rf"(?:hemos|he|ha|han|fue|fueron|ya|esta|estan) {NOT_YET}{{0,3}}(?:pagad[oa]s?"
         r"|abonad[oa]s?|liquidad[oa]s?|transferid[oa]s?|saldad[oa]s?)\b"),
        ("es_transferencia", 3, True, r"(?:hemos|he|ha|se ha) (?:\S+ )?(?:realizado|efectuado|hecho|enviado)"
         r" (?:\S+ )?(?:la |el )?(?:transferencia|pago)"),
        # "el pago fue realizado el 20 de noviembre": the passive, in the past ("será realizado" promises)
        ("es_pago_fue", 3, True, r"(?:pago|transferencia|abono)s? (?:\S+ ){0,2}(?:fue|fueron|ha sido"
         r"|han sido) (?:\S+ )?(?:realizad|efectuad|hech|enviad|emitid|ordenad)[oa]s?\b"),
        ("it_pagato", 3, True, rf"(?:abbiamo|ho|e|sono|e stat[oa]|sono stat[ei]|gia) {NOT_YET}{{0,3}}"
         r"(?:pagat[oaie]|saldat[oaie]|bonificat[oaie]|versat[oaie])\b"),
        ("it_bonifico", 3, True, r"(?:abbiamo|ho|e stato) (?:\S+ )?(?:effettuato|eseguito|disposto|fatto)"
         r" (?:\S+ )?(?:il |un )?(?:bonifico|pagamento)"),
        # "il bonifico è stato effettuato il 20 novembre": the passive, past ("verrà effettuato" promises)
        ("it_bonifico_stato", 3, True, r"(?:bonifico|pagamento|saldo|versamento)(?: \S+){0,2} (?:e|sono)"
         r" stat[oaie] (?:\S+ )?(?:effettuat|eseguit|dispost|inviat|fatt)[oaie]\b"),
    ),
    "promise_to_pay": (
        ("de_werden_zahlen", 3, True, r"(?:werden|wird|werde) (?:\S+ ){0,6}(?:bezahlen|bezahlt|zahlen"
         r"|uberweisen|uberwiesen|begleichen|beglichen|anweisen|angewiesen)"),
        # "wir überweisen den Betrag bis 6. Dezember": the present with a deadline is a promise
        ("de_zahlen_bis", 3, True, r"(?:uberweisen|zahlen|bezahlen|begleichen) (?:\S+ ){0,5}(?:bis|am|in \d+ "
         r"(?:tagen|wochen)|innerhalb|binnen|morgen|nachste\w*|kommende\w*|ende)\b"),
        ("de_zahlung_folgt", 3, True, r"(?:zahlung|uberweisung)\w* (?:erfolgt|folgt) (?:\S+ ){0,2}(?:am|bis"
         r"|nachste|nachsten|morgen|innerhalb|in|zum|ende)\b"),
        ("es_se_realizara", 3, True, r"(?:pago|transferencia|abono) (?:\S+ ){0,2}(?:se (?:realizara|efectuara"
         r"|hara|enviara|abonara)|sera (?:realizad[oa]|efectuad[oa]|hech[oa]|enviad[oa]))"),
        ("es_pagaremos", 3, True, r"(?:pagaremos|abonaremos|transferiremos|liquidaremos|vamos a pagar"
         r"|procederemos al pago|realizaremos (?:el pago|la transferencia))"),
        ("it_verra_effettuato", 3, True, r"(?:pagamento|bonifico|saldo|versamento) (?:\S+ ){0,2}"
         r"(?:verra|sara) (?:\S+ )?(?:effettuat[oa]|eseguit[oa]|dispost[oa]|inviat[oa]|fatt[oa])"),
        ("it_pagheremo", 3, True, r"(?:pagheremo|salderemo|provvederemo al (?:pagamento|saldo)"
         r"|effettueremo (?:il )?(?:pagamento|bonifico)|(?:verra|verranno|sara|saranno) (?:pagat|saldat"
         r"|bonificat|liquidat)[oaie])"),
        # "la factura se abonará a final de mes": the future, with "se" or the passive
        ("es_se_abonara", 3, True, r"se (?:\S+ )?(?:abonara|pagara|liquidara|saldara|transferira)n?\b"
         r"|(?:sera|seran) (?:abonad|pagad|liquidad|saldad|transferid)[oa]s?\b"),
    ),
    "acknowledged": (
        ("de_erhalten", 2, True, rf"{RECHNUNG} (?:\S+ ){{0,3}}(?:dankend )?(?:erhalten|bekommen|eingegangen"
         r"|angekommen)\b|(?:dankend|gut|richtig) erhalten"
         r"|(?:haben|habe) (?:\S+ ){0,3}(?:erhalten|bekommen)\b"),
        ("es_recibida", 2, True, rf"(?:hemos|he) recibido (?:\S+ ){{0,2}}{FACTURA}"
         r"|(?:^|\n)\W*recibid[oa]s?\b|(?:factura|correo) recibid[oa]"),
        ("it_ricevuta", 2, True, rf"(?:abbiamo|ho) ricevuto (?:\S+ ){{0,2}}{FACTURA}"
         r"|(?:^|\n)\W*ricevut[oaie]\b|fattur[ae] ricevut[ae]"),
    ),
    "contact_change": (
        ("de_kunftig", 3, False, r"(?:kunftig|zukunftig|ab sofort|ab jetzt|nur noch) (?:\S+ ){0,6}(?:an \S+@"
         r"|adresse|e-?mail)|neue (?:e-?mail-?)?(?:adresse|anschrift|bankverbindung|ansprechpartner\w*)"),
        ("es_en_adelante", 3, False, r"(?:nueva (?:direccion|cuenta|iban|persona de contacto)|(?:de ahora|en)"
         r" adelante (?:\S+ ){0,6}(?:a \S+@|direccion|correo))"),
        ("it_d_ora_in_poi", 3, False, r"(?:nuovo (?:indirizzo|iban|referente)|nuove coordinate bancarie"
         r"|(?:d'ora|da ora|da adesso) in (?:poi|avanti) (?:\S+ ){0,6}(?:a \S+@|indirizzo|e-?mail))"),
    ),
    "question": (
        ("de_frage", 2, False, r"(?:konnen|konnten|wurden) sie (?:\S+ ){0,3}(?:sagen|erklaren|mitteilen"
         r"|bestatigen)|was bedeutet|wofur (?:steht|ist)|welche\w* (?:\S+ ){0,3}(?:sollen|mussen)"),
        ("es_pregunta", 2, False, r"(?:a que corresponde|que significa|(?:podria|podrian|puede|pueden)\w* "
         r"(?:\S+ ){0,2}(?:explicar|indicar|confirmar|aclarar|decir)|cual es)"),
        ("it_domanda", 2, False, r"(?:a cosa (?:corrisponde|si riferisce)|cosa significa|(?:potete|potreste"
         r"|potrebbe|puo) (?:\S+ ){0,2}(?:spiegar|indicar|confermar|chiarir|dir)\w*)"),
    ),
}  # fmt: skip

# What is missing, in these languages: topic -> pattern, added to `phrases.MISSING_TOPICS`.
MORE_TOPICS: dict[str, str] = {
    "purchase_order": ORDER_NUMBER + r"|bestellung\w*",
    "buyer_reference": r"ihr zeichen|unser zeichen|referencia (?:del cliente|interna)|centro de cost[eo]"
    r"|centro di costo|riferimento (?:cliente|interno)",
    "siret": r"ust-?id\w*|umsatzsteuer-?id\w*|steuernummer|\bnif\b|\bcif\b|partita iva|codice fiscale",
    "address": r"rechnungsadresse|lieferadresse|anschrift|direccion (?:de facturacion|de entrega|fiscal)"
    r"|indirizzo (?:di fatturazione|di consegna)",
    "supporting_document": r"lieferschein\w*|leistungsnachweis\w*|stundenzettel|albaran\w*|nota de entrega"
    r"|\bbolla\b|\bddt\b|documento di trasporto",
}  # fmt: skip
