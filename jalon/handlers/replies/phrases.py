"""The phrase families that decide what a customer's reply means, French and English, as data.

Patterns apply to folded text (lower case, no accents, plain quotes and spaces, see `quotes.fold`). In a
pattern a space means any run of whitespace and `{name}` a word family of LEXICON (spellings and common
typos). Weight 3: says it outright; 2: a strong hint; 1: a weak hint. A `negatable` phrase is dropped when a
negation governs it ("pas de litige", "nous ne contestons pas", "we haven't paid"). An optional fifth item is
a context: the phrase keeps its weight only when the context is in the same sentence, or, written "!…", only
when it is not (a "damaged" file is no damaged goods); otherwise it is a weak hint (weight 1).

The primary intent is the one with the strongest phrase; equal strength goes by PRECEDENCE.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PRECEDENCE = (
    "dispute", "contact_change", "missing_info", "not_received", "resend_request", "paid", "promise_to_pay",
    "question", "acknowledged",
)  # fmt: skip
INTENTS = (*PRECEDENCE, "other")

LEXICON = {
    # What a question about an invoice talks about (a question about anything else is "other").
    "topic": r"(?:bank|banque|bancaires?|sort code|payment details|coordonnees de paiement|factur\w*"
    r"|invoice\w*|montants?|amount|lignes?|line|paiement|payment|reglement|regler"
    r"|payer|pay|echeance|due|delais?|terms|conditions|tarifs?|rates?|prix|price|tva|vat|remises?"
    r"|discount|frais|fees?"
    r"|charged?|surcharge|iban|rib|compte|account|avoir|credit|commande|po|total|ht|ttc|heures|hours|jours"
    r"|days|penalit\w*|interets?|interest|acompte|deposit|solde|balance|contrat|contract|abonnement"
    r"|subscription|adresse|address|virement|transfer|carte|card|index|indice|calcul\w*)s?(?!\w)",
    "facture": r"(?:factur\w*|facure|fature|factrue|fatcure|facutre|fact\.|fac\.)",
    "invoice": r"(?:invoices?|invoce|invioce|inovice|invocie|invoic|bills?)",
    "recu": r"(?:recu|recue|recus|recues|ressu|ressue|resu|recut|receptionnee?s?)",
    "received": r"(?:received|recieved|recived|receved|recevied|receieved|rec'?d)",
    "pas": r"(?:pas|pa)",
    "paye": r"(?:payee?s?|reglee?s?|acquittee?s?|soldee?s?)",
    "paid": r"(?:paid|payed|settled|remitted|wired)",
    "virement": r"(?:virement|virment|paiement|paiment|payement|reglement|transfert|cheque|prelevement"
    r"|versement)",
    # Money on its way, in both languages (not "check": "please check" is no payment).
    "money": r"(?:virements?|paiements?|reglements?|cheques?|versements?|mandat(?:ement)?s?|fonds|argent"
    r"|payments?|remittances?|transfers?|wires?|funds|money)",
    # A document that goes with an invoice or a reference it must bear (what a request to send is about).
    "piece": r"(?:bons? de (?:commande|livraison|cde)|numeros? (?:de )?(?:commande|bon|engagement|po|marche)"
    r"|engagement|proces-verbal|\bpv\b|attestation\w*|justificatif\w*|releves? d'heures|feuilles? de temps"
    r"|time\s*sheets?|delivery (?:note|slip)|proof of delivery|purchase order|\bpo\b|order number"
    r"|references? (?:de )?(?:la )?commande|code (?:du )?service|service code|\bsiret\b|vat number"
    r"|(?:supplier|vendor) (?:number|reference|ref)|signed \w+)",
    "payment": r"(?:payment|remittance|transfer|wire|check|cheque|ach|funds)",
    "goods": r"(?:marchandises?|livraisons?|colis|produits?|articles?|materiels?|pieces?|prestations?"
    r"|commandes?|goods|items?|parts|shipments?|deliver(?:y|ies)|products?|equipment|order)",
    "neg": r"(?:not|never|cannot|can'?t|don'?t|didn'?t|doesn'?t|haven'?t|hasn'?t|hadn'?t|won'?t|wasn'?t"
    r"|weren'?t|isn'?t|aren'?t|couldn'?t)",
    # A sentence that asks whether something could be done ("c'est possible de payer en 2 fois ?").
    "hypothetical": r"(?:possible|peut-on|pouvons-nous|puis-je|pourrions-nous|pourrait-on|can (?:we|i)"
    r"|could (?:we|i)|may (?:we|i)|would it be|is it ok)",
    # What a broken file is (a "damaged" PDF is no damaged goods).
    "file": r"(?:file|fichier|pdf|attachment|piece jointe|pj|document joint|lien|link)s?",
    # A gap of a few words that never crosses a future or a negation ("le virement sera effectué").
    "gap": r"(?:(?!(?:sera|seront|va|vont|devrait|devraient|pourra|pourront|will|shall|would|should|pas|plus"
    r"|not|never|prevu|programme|avant|before|until|demain|tomorrow|prochaine?|next)\b)\S+ ){0,5}",
}

# intent -> (rule, weight, negatable, pattern[, context needed in the same sentence, "!context": must not be])
# fmt: off
PHRASES: dict[str, tuple[tuple[str, int, bool, str] | tuple[str, int, bool, str, str], ...]] = {
    "not_received": (
        ("pas_recu", 3, False, r"{pas} (?:encore |toujours |du tout |bien |ete )*{recu}\b(?! (?:la |les "
         r"|le |l'|de |d'|nos |notre |vos |votre |cette |ces |son |leur )?(?:{goods}|paiement|reglement"
         r"|virement|fonds|avoirs?\b))"),
        ("jamais_recu", 3, False, r"(?:jamais|rien) (?:ete |encore )?{recu}\b(?! (?:la |les |le |l'|de |d'"
         r"|nos |notre |vos |votre )?{goods})"),
        ("pas_eu", 3, False, r"(?:pas|jamais|toujours pas) (?:encore )?eu (?:la |cette |votre |de |d'|l'"
         r"|les |vos )?(?:{facture}|pj|piece jointe|document|mail|courriel|exemplaire)|(?:n'ai|n'avons|n'a"
         r"|nai|navons) (?:toujours |jamais )?pas (?:cette|la|votre|de|vos|les) {facture}|(?:on a|j'ai|jai"
         r"|nous avons|on n'a|je n'ai|nous n'avons) (?:toujours |jamais )?pas (?:cette|la|votre|de|vos"
         r"|les) {facture}"),
        ("rien_eu", 3, False, r"rien (?:\S+ )?(?:eu|recu)\b|(?:n'a|n'ont|n'avons|n'ai) (?:\S+ )?(?:pas"
         r"|jamais) (?:ete )?(?:destinataire|en possession)|aucune? (?:{facture}|document"
         r"|trace) (?:\S+ ){0,5}(?:n'a ete|n'est) (?:\S+ )?(?:enregistre|recu|parvenu|arrive|trouve)e?s?"
         r"|(?:pas|jamais) en possession|(?:pas|jamais|rien) vu passer|(?:arrive|parvenu"
         r"|recu)e?s? sans (?:la |le |l'|aucune? )?(?:{facture}|piece jointe|pj)|(?:remettre"
         r"|mettre) la main sur|(?:arrive|parvenu|recu)e?s? (?:\S+ ){0,2}sans (?:la |le |l'"
         r"|aucune? )?(?:{facture}|piece jointe|pj)|rien (?:\S+ )?dans (?:ma |mes |notre |nos )(?:boite"
         r"|boites|mails|courriels|spams|messagerie)|(?:a"
         r"|en) aucun moment (?:\S+ ){0,2}(?:ete )?(?:destinataire|recu|eu)|rien (?:en"
         r"|dans la) (?:piece jointe|pj)|envoyee? (?:\S+ ){0,3}(?:a|sur) (?:mon|notre|une) (?:ancienne"
         r"|mauvaise) (?:\S+ )?adresse"),
        ("non_recu", 3, False, r"non (?:recu|parvenu|reception)\w*"),
        ("pas_parvenu", 3, False, r"(?:pas|jamais) (?:encore |ete |bien )*(?:parvenu|arrive)e?s?"),
        ("aucune_trace", 3, False, r"(?:aucune?|pas de|pas d'|sans) (?:trace|reception|facture recue"
         r"|document recu)"),
        ("introuvable", 3, False, r"introuvable|(?:n'a|n'ont|n'avons) (?:pas|jamais) (?:ete "
         r")?(?:re)?trouvee?s?|(?:ne|n')\s*(?:la|le|les|l')?\s*(?:trouv|retrouv"
         r"|vo[iy])\w* (?:pas|nulle part|aucune? trace)",
         r"{facture}|{invoice}|mail|courriel|pj|piece jointe|lien"),
        ("pas_l_avoir_recue", 3, False, r"ne pas (?:l'|les |la |le )?avoir (?:{recu}|eu|eue|vu|vue)\b"),
        ("pj_vide", 3, False, r"(?:piece jointe|pj|p\.j\.|fichier|pdf|document joint"
         r"|lien)s? (?:\S+ ){0,2}(?:vide|absente?|manquante?|illisible|corrompue?|endommagee?|vierge"
         r"|blanche?|inaccessible|expire)s?|illisible|corrompue?|unreadable|corrupted"),
        # The covering mail came, the invoice did not: "pas la facture dedans", "without the invoice
        # attached", "only your covering note", "il était vide".
        ("facture_absente", 3, False, r"(?:pas|aucune?|sans|without|no|not) (?:de |d'|la |le |l'|the |an "
         r"|any |your )?(?:{facture}|{invoice}|pj|piece jointe|attachment|document|pdf)s?(?! (?:number|numero"
         r"|no\b|n°|date|ref\w*|reference)) (?:\S+ ){0,3}(?:dans|ds|dedans|in|inside|with|attached|joint"
         r"|attache|n'y (?:figure|etait|est|avait))\w*|(?:seulement|juste|uniquement|only|just) (?:le |la "
         r"|votre |ton |your |the )?(?:texte|text|covering|cover|corps|body)\b|(?:mail|courriel|message"
         r"|e-?mail|envoi)s? (?:\S+ ){0,8}(?:vide|empty|blank)\b|(?:aucune?|pas de|no|without|sans) (?:\S+ "
         r")?(?:document|fichier|file|piece)s? (?:\S+ )?(?:attache|joint|attached|enclosed|included)e?s?"),
        ("arrive_sans", 3, False, r"(?:parvenu|arrive|recu|received|came|arrived|come|got)e?s?,? (?:\S+ "
         r"){0,4}(?:sans|without) (?:la |le |l'|les |the |any |your |votre |vos )?(?:{facture}|{invoice}|pj"
         r"|piece jointe|attachment|fichier|file|pdf)(?! (?:number|numero|no\b|n°|date|ref\w*|reference))"),
        ("rien_de_joint", 3, False, r"nothing (?:was |is |came |got )?(?:attached|enclosed|included)|rien "
         r"(?:n'etait |n'est |de |d')?(?:joint|attache|dedans)"),
        ("jamais_depose", 3, False, r"(?:pas|jamais) (?:\S+ )?ete (?:deposee?|transmise?|recue?"
         r"|envoyee?)s?\b"),
        ("sans_pj", 3, False, r"(?:pas|aucune?|sans|rien|oubli\w*) (?:de |d'|la |le |en "
         r"|dans la )?(?:piece jointe|pj|fichier joint|pdf|document joint)"),
        ("en_not_received", 3, False, r"{neg} (?:yet |been |actually |ever |even |received or "
         r"|seen or )*(?:{received}|receive|recieve)\b(?! (?:the |any |your |our |a |full )?(?:{goods}"
         r"|payment|funds|money|remittance|the money|credit notes?|refunds?))"),
        ("en_not_got", 3, False, r"{neg} (?:yet |actually |ever )*(?:get|got|gotten|see|seen|had) (?:it"
         r"|them|this|that|anything|any|(?:the |this |that |your |an? )?(?:original |actual |first |paper "
         r"|pdf )?(?:{invoice}|copy))"),
        ("en_not_have", 3, False, r"(?:don'?t|do not|doesn'?t|does not) (?:seem to )?have (?:this|that|the"
         r"|your|any|a copy of (?:the|this|your)) (?:\S+ )?{invoice}"),
        ("en_no_record", 3, False, r"no (?:record|trace|sign)s? of (?:the |this |that |your |any "
         r"|an )?(?:{invoice}|it|them|document)|nothing (?:has been |was )?{received}|never (?:arrived"
         r"|reached us|came through|made it)"),
        ("en_nothing_on_file", 3, False, r"nothing (?:on file|in our (?:system|records|inbox|books))"
         r"|(?:have|has|had) (?:nothing|no record|no trace|no invoice)\b|not (?:on file|on our system"
         r"|in our records)|{neg} (?:\S+ ){0,3}ever (?:got|received|had|seen)"
         r"|{invoice} (?:\S+ ){0,2}(?:was|were|is)(?: not|n'?t) (?:attached|included|enclosed)|(?:shows"
         r"|has|finds|found|shows us) no (?:\S+ )?{invoice}|no {invoice} (?:under|with|for"
         r"|matching) (?:that|this|the)|no {invoice} (?:was |is )?(?:attached|included|enclosed)"
         r"|nothing in (?:my|our) (?:inbox|mail|emails|mailbox|junk|spam)"
         r"|{neg} (?:\S+ )?reach(?:ed)? (?:us|our|me|my)\b|at no (?:point|time) (?:\S+ ){0,3}(?:received"
         r"|got|had)|sent (?:\S+ ){0,3}to (?:my|our|an|the|a) (?:old|wrong|previous|former"
         r"|incorrect) (?:\S+ )?(?:e-?mail|mailbox|inbox)"),
        ("en_not_arrived", 3, False, r"{neg} (?:yet |actually )*(?:arrived?|reached us|come through"
         r"|came through|made it)|nothing (?:else )?(?:arrived|came through|came with it)"),
        ("en_cannot_find", 3, False, r"(?:cannot|can'?t|could not|couldn'?t|unable to|not able to) (?:find"
         r"|locate|trace|see) (?:\S+ ){0,2}(?:{invoice}|it|them|anything)|(?:isn'?t|is not|not) (?:in"
         r"|on) (?:our|the) (?:system|records|inbox|books|ledger)", r"{invoice}|it|them|this|anything",
         r"!(?:did|have|had) (?:\S+ )?receive"),  # received, then lost: a copy is asked (resend_request)
        ("ouvre_pas", 3, False, r"(?:impossible|pas|n'arrive pas|narrive pas|ne parviens pas"
         r"|ne parvenons pas) (?:a |d')?(?:l'|les |le |la )?(?:ouvrir|lire|telecharger|afficher)"
         r"|ne s'ouvre pas|ne s'affiche pas|ne se telecharge pas"),
        ("en_attachment", 3, False, r"(?:attachment|pdf|file|link|document)s? (?:\S+ ){0,3}(?:missing"
         r"|empty|blank|corrupt\w*|damaged|unreadable|not attached|not included|expired|broken|(?:has"
         r"|have) expired|no longer (?:valid|available|works?))|(?:no|without|forgot to attach"
         r"|missing) (?:the |an |any )?(?:attachment|pdf|attached file)|(?:cannot|can'?t|could not"
         r"|couldn'?t|unable to|won'?t|doesn'?t|does not) (?:be )?(?:open|read|download|load)(?:ed)?\b"
         r"|(?:ne peut|ne peuvent|n'a pas pu|n'ont pas pu) (?:pas )?etre (?:ouvert|lu|telecharge"
         r"|affiche)e?s?"),
        ("lien_mort", 3, False, r"(?:lien|link|portail|portal|site|acces"
         r"|espace client)s? (?:\S+ ){0,5}(?:ne fonctionne\w* pas|ne marche pas|not working|doesn'?t work"
         r"|does not work|broken|expire|expired|inaccessible)|(?:lien|link|portail"
         r"|portal)s? (?:\S+ ){0,5}(?:error|erreur|access denied|acces refuse|404|won'?t load"
         r"|ne s'ouvre pas|doesn'?t open)"),
    ),
    "resend_request": (
        # had it, lost it: "je ne la retrouve plus", "we did receive it but cannot find it anywhere"
        ("plus_retrouvee", 3, False, r"(?:ne|n')\s*(?:la|le|les|l')?\s*retrouv\w* plus|(?:did|have|had) "
         r"(?:\S+ )?receive\w* (?:this|it|them|the {invoice})\b[^.!?\n]{0,120}(?:cannot|can'?t|could not"
         r"|couldn'?t|unable to) (?:find|locate)|(?:bien )?(?:eu|recu)e? [^.!?\n]{0,60}mais [^.!?\n]{0,40}"
         r"(?:perdue?|egaree?|retrouve\w* (?:pas|plus))"),
        ("need_copy", 3, False, r"(?:need|require|want|would like) (?:\S+ ){0,2}(?:copy|copies|duplicate"
         r"|the pdfs?)\b|besoin (?:d'une|de la|des) (?:copie|duplicata|pdf)"),
        ("renvoyer", 3, True, r"(?:re-?envo|renvo|re-?transm|reexpedi|re-?adress)\w+"),
        ("a_nouveau", 3, True, r"(?:envoy|transm|adress|fair\w* parven)\w* (?:\S+ ){0,3}(?:a nouveau"
         r"|de nouveau|une nouvelle fois|encore une fois|une seconde fois)"),
        ("refaire", 3, True, r"refai\w* (?:un |l'|le )?(?:envoi|passer|parvenir|suivre)"),
        ("perdue", 2, False, r"(?:l'|la |le |les |it |them )?(?:ai|avons|a|have |'ve |ve )?(?:accidentally "
         r"|mistakenly |par erreur )?(?:effacee?|supprimee?|perdue?|egaree?|deleted|lost|misplaced)s? "
         r"(?:\S+ ){0,3}(?:sans faire expres|par erreur|by mistake|accidentally|la facture|the invoice|it"
         r"|the pdf|le pdf|votre mail|your e-?mail)"),
        ("copie", 3, False, r"(?:une |un |la )?(?:copie|duplicata|double|exemplaire|version pdf"
         r"|version dematerialisee|original) (?:de |du |d')?(?:la |cette |votre |l'|notre )?(?:{facture}"
         r"|document|piece)|duplicata"),
        ("merci_envoyer", 2, False, r"(?:merci de|pourriez-vous|pouvez-vous|pourriez vous|pouvez vous"
         r"|veuillez|serait-il possible de|je vous remercie de) (?:bien vouloir )?(?:nous |me "
         r"|m')?(?:(?:la |le |les |l')(?:envoyer|transmettre|faire parvenir|adresser)|(?:envoyer"
         r"|transmettre|faire parvenir|adresser) (?:la |une |cette |votre |le |un |les "
         r"|l')(?:\S+ )?(?:{facture}|copie|duplicata|pdf|document|exemplaire|original|originaux))"),
        ("autre_format", 3, False, r"(?:avoir|recevoir|obtenir|envoyer|transmettre"
         r"|renvoyer) (?:\S+ ){0,2}(?:{facture}|copie|exemplaire) (?:\S+ )?(?:au|en|sous) (?:format"
         r"|version) |(?:deposer|deposez|redeposer|re-deposer) (?:\S+ ){0,3}(?:sur|dans"
         r"|via) (?:le portail |notre portail |la plateforme )?(?:chorus|portail|plateforme)|(?:upload"
         r"|submit|resubmit|send|load|post)\w* (?:\S+ ){0,4}(?:to|on|via|through|into) (?:our "
         r"|the )?(?:\S+ )?(?:portal|platform|coupa|ariba|tungsten|basware|peppol)|(?:get|have|receive"
         r"|send)\w* (?:\S+ ){0,2}(?:{invoice}|copy) (?:\S+ )?(?:in|as) (?:\S+ )?(?:pdf|xml|ubl|factur-x"
         r"|format|version)"),
        ("papier", 3, True, r"(?:version|exemplaire|copie|original|format) papier|paper (?:copy|version"
         r"|original)|hard(?:-|\s)?copy|(?:poster|envoyer|adresser|faire parvenir) (?:\S+ ){0,3}(?:un |en )?"
         r"(?:exemplaire|original)|nouvel envoi"),
        ("resend", 3, True, r"re-?send\w*|re-?transmit\w*|re-?forward\w*|send (?:\S+ ){0,3}(?:again|once more"
         r"|over again|one more time|a second time)|re-?issue (?:the "
         r"|a |your )?(?:pdf|copy|document|file)"),
        ("copy", 3, False, r"(?:a |another |an extra |a new |an? pdf )?(?:copy|duplicate|pdf copy"
         r"|pdf version|soft copy|electronic copy) (?:of )?(?:the |this |that |your |our |invoice"
         r"|{invoice})|(?:send|e-?mail|forward) (?:us |me )?(?:a |another )?(?:copy|duplicate)"
         r"|(?:could|can|may) (?:i"
         r"|we) (?:please )?(?:have|get|receive) (?:a |an |the )?(?:\S+ )?(?:{invoice}|copy)"
         r"|(?:pourrais-je|puis-je|pourrions-nous|pouvons-nous) (?:avoir|recevoir|obtenir) (?:une |la "
         r"|un )?(?:\S+ )?(?:{facture}|copie)"),
        ("please_send", 2, False, r"(?:please|could you|can you|would you|kindly) (?:please "
         r"|kindly )?(?:send|email|e-mail|forward|share|provide) (?:us |me )?(?:it\b|them\b|(?:the |this "
         r"|that |a |your |another |an )?(?:\S+ )?(?:{invoice}|copy|pdf|document|file|statement))"),
    ),
    "missing_info": (
        ("il_manque", 1, False, r"(?:il )?(?:nous )?manqu\w*|absen\w*|oubli\w*"),
        ("il_manque_objet", 2, False, r"il (?:nous |me )?manque (?:juste |seulement |encore "
         r"|simplement )?(?:sur (?:la |votre |cette )?{facture} )?(?:le|la|les|l'|un|une|votre|notre"
         r"|nos)\b"),
        ("il_faut", 1, False, r"(?:il )?(?:nous |me )?(?:faut|faudrait|faudra)|(?:a|ont|avons|ai|aurions"
         r"|aurais) besoin|nous attend\w*|j'attends|attendons|(?:we|i) (?:still )?(?:need|require"
         r"|are waiting for|are still waiting|await)|(?:still )?awaiting|re-?issued?\b|(?:n'est|ne sont"
         r"|n'etait) pas (?:la |le |les )?(?:bon(?:ne)?s?|correcte?s?|exacte?s?)"
         r"|refus\w* de l'(?:enregistrer|integrer|saisir|traiter|comptabiliser)|mauvaise (?:entite"
         r"|raison sociale|societe)|(?:bonne|correcte) (?:societe|entite|adresse)"),
        # A request to send or state a document or reference: missing_info when one is named nearby.
        ("demande_piece", 3, False, r"(?:pourriez|pouvez|pourrais|peux|pourrions)(?:-| )vous (?:\S+ "
         r"){0,2}(?:preciser|indiquer|communiquer|donner|transmettre|fournir|envoyer|joindre"
         r"|faire parvenir)|(?:could|can"
         r"|would) you (?:\S+ ){0,2}(?:send|provide|forward|share|supply|attach|include|confirm|let us have)"
         r"|send (?:us |me )?over|please (?:send|attach|forward|share|supply|provide)|(?:{facture}"
         r"|{invoice}) (?:\S+ )?(?:portant|comportant|mentionnant|indiquant|faisant (?:apparaitre|figurer)"
         r"|reprenant|showing|bearing|quoting|stating)|(?:merci|priere) de (?:nous |me )?(?:transmettre"
         r"|fournir|joindre|faire parvenir|envoyer|communiquer)", r"{piece}"),
        ("il_n_y_a_pas", 1, False, r"(?:il )?n'?y a (?:pas|aucun\w*)|(?:there is|there'?s|there are) no"
         r"|no (?:po|purchase order|reference|ref|vat|address|order number)\b"),
        ("pas_joint", 1, False, r"(?:n'est|n'etait|ne sont|n'etaient|n'a pas ete"
         r"|n'ont pas ete) (?:\S+ )?(?:pas )?(?:joint|jointe|joints|jointes|fourni|fournie|fournis"
         r"|transmis|transmise)s?|(?:was|were|is|are) (?:not|n'?t) (?:attached|included|provided|enclosed"
         r"|supplied)|(?:addressed|made out|issued) to (?:my|our|the) (?:company|business|firm"
         r"|organi[sz]ation)|(?:rather than|instead of|et non|plutot qu'?a) (?:to )?(?:me"
         r"|moi) (?:personally|personnellement|a titre personnel)"),
        ("ne_figure_pas", 1, False, r"(?:ne|n')\s*(?:figur|apparai|apparait|mentionn|comport|indiqu|port"
         r"|contien|repren|precis)\w* (?:\S+ )?(?:pas|aucun\w*|nulle part|ni)"),
        ("non_renseigne", 1, False, r"(?:pas|non|mal) (?:renseigne|mentionne|indique|reporte|precise"
         r"|rempli|present|correcte?|valide)e?s?|errone\w*|incorrect\w*|invalide|faux|fausse|mauvais\w*"
         r"|\bsans (?:le |la |les |l'|aucun\w* |mention |numero|n°|reference|votre |notre )"),
        ("merci_indiquer", 1, False, r"(?:merci|priere|nous vous remercions|je vous remercie) (?:de "
         r"|d')(?:bien vouloir )?(?:nous |me )?(?:la |le |les |l')?(?:indiquer|mentionner|ajouter"
         r"|faire figurer|faire apparaitre|preciser|completer|joindre|rajouter|reporter|renseigner"
         r"|corriger|rectifier|modifier|reediter|refaire|etablir|emettre|communiquer|transmettre|fournir"
         r"|envoyer|faire parvenir|mettre|inscrire|porter|apposer|changer|remplacer|libeller|adresser"
         r"|reemettre)"),
        ("obligatoire", 1, False, r"(?:doit|doivent|devra|devront|devrait|devraient"
         r"|faut) (?:obligatoirement |imperativement |absolument )?(?:comporter|mentionner|figurer"
         r"|faire figurer|faire apparaitre|indiquer|porter|reprendre|rappeler|preciser|contenir"
         r"|etre (?:accompagnee?s?|adressee?s?|libellee?s?|etablie?s?|emise?s?))|obligatoire\w*"
         r"|imperati\w*|indispensable|necessaire|exige\w*|(?:doit|doivent) (?:etre )?facturee?s?"),
        ("incomplete", 2, False, r"incomplet\w*|manquant\w*|irreguliere?|non conforme aux? (?:mentions"
         r"|exigences|regles)|mentions? obligatoires?"),
        ("bloquee", 1, False, r"rejet\w*|bloque\w*|en attente (?:de|du|des|d')|en suspens|(?:ne pouvons"
         r"|ne pourrons|ne peut|ne pourra|ne pouvons donc|impossible) (?:pas )?(?:de |d')?(?:la |le |les "
         r"|l')?(?:traiter|saisir|enregistrer|valider|payer|regler|integrer|comptabiliser"
         r"|mettre en paiement|accepter|deposer|rapprocher|imputer)"),
        ("corriger", 2, False, r"{facture} (?:rectificative|corrigee|rectifiee|modifiee|conforme)"
         r"|(?:refaire|reediter|corriger|rectifier|modifier|reemettre) (?:la |votre |cette "
         r"|une )?{facture}"),
        ("en_missing", 1, False, r"missing|is (?:not|n'?t) (?:shown|stated|quoted|included|mentioned"
         r"|referenced|correct|valid)|(?:does not|doesn'?t|did not|didn'?t) (?:show|include|mention"
         r"|contain|have|reference|quote|state|bear|list|carry)|without (?:a |an |the |any |our |your "
         r"|valid )|wrong|invalid|incorrect"),
        ("en_please_add", 1, False, r"please (?:add|include|quote|mention|state|reference|provide|insert"
         r"|put|update|correct|amend|re-?issue|re-?address)\b|(?:must|should|needs? to|has to"
         r"|have to) (?:be )?(?:show|include|quote|mention|state|reference|bear|addressed|issued|made out"
         r"|have|contain|carry)|(?:is|are) (?:required|mandatory|compulsory|needed)|required|mandatory"
         r"|needs? (?:a |the |your |our |its )|requires? (?:a |the |your |our )|re-?address\w*|(?:raised"
         r"|issued|made out|addressed) (?:against|to) the wrong|(?:kindly|could you"
         r"|can you) (?:please )?(?:add|include|quote|mention|state|reference|insert|put)\b|(?:only "
         r"|can only )(?:accept|process|pay) (?:\S+ )?(?:invoices?|factures?) (?:that|which|with|qui|avec"
         r"|portant)|n'acceptons que|ne (?:traitons|payons|acceptons) que|(?:can"
         r"|could) you (?:please )?(?:update|correct|amend|change) (?:it|the invoice|this)|(?:wrong"
         r"|previous|former) (?:entity|company|name)|re-?invoice|(?:correct|right) (?:company|entity"
         r"|legal entity)"),
        ("en_incomplete", 2, False, r"incomplete|(?:corrected|revised|amended|updated|new) {invoice}"
         r"|re-?issue (?:the |a |your )?{invoice}"),
        ("en_blocked", 1, False, r"(?:cannot|can'?t|unable to|could not|couldn'?t|won'?t|will not"
         r"|not able to) (?:be )?(?:process|approve|book|post|pay|register|enter|accept|match|upload"
         r"|submit)\w*|rejected|on hold|blocked|pending"),
    ),
    "dispute": (
        ("conteste", 3, True, r"contest\w*"),
        ("litige", 3, True, r"litig\w*"),
        ("desaccord", 3, True, r"desaccord"),
        ("pas_d_accord", 3, False, r"pas d'accord (?:avec|sur|pour)|(?:ne |n')?(?:suis|sommes|est"
         r"|sont) pas d'accord"),
        ("reclamation", 2, True, r"reclamation"),
        ("erreur_montant", 3, True, r"(?:erreur|errone\w*|incorrect\w*|faux|fausse"
         r"|inexact\w*) (?:\S+ ){0,3}(?:montants?|prix|tarifs?|quantites?|facturation|calcul|tva|remise"
         r"|taux|total|somme|ht|ttc|unites?|heures|jours)|(?:montants?|prix|tarifs?|quantites?|total|taux"
         r"|remises?|tva|sommes?|nombre d'heures|nombre de jours) (?:\S+ ){0,4}(?:incorrect|faux|fausse"
         r"|errone|inexact|trop eleve|excessif|surevalue)\w*|\d+ (?:\S+ ){0,2}au lieu de \d+"),
        ("ne_correspond_pas", 3, False, r"ne correspond\w* (?:pas|plus|nullement|en rien|aucunement)"
         r"|pas conforme (?:a|au|aux) (?:la |notre |votre )?(?:commande|devis|contrat|bon|tarif|prix"
         r"|livraison)|non conforme (?:a|au|aux) (?:la |notre |votre )?(?:commande|devis|contrat|tarif"
         r"|livraison)", r"!raison sociale|denomination|entite|siret|siren|adresse de facturation|libell"),
        ("ecart", 2, False, r"ecarts?\b|difference de (?:prix|montant|quantite)"),
        ("superieur", 3, False, r"(?:montants?|prix|tarifs?|quantites?|totale?|somme"
         r"|factur\w*) (?:\S+ ){0,3}(?:superieure?s?|plus eleve\w*|different\w*|differe\w*|excede\w*"
         r"|depasse\w*) (?:a |au |aux |de |du )?(?:\S+ )?(?:devis|commande|contrat|convenu|prevu|negocie"
         r"|bon)|(?:higher|more) than (?:\S+ ){0,3}(?:quoted|agreed|the quote|the po|the purchase order"
         r"|the contract|ordered)"),
        ("pas_nous", 3, False, r"ne nous concerne pas|(?:n'est )?pas (?:pour|a) nous|pas notre facture"
         r"|not (?:ours|for us|addressed to us|our invoice)|(?:nothing|not anything) to do with us"
         r"|wrong (?:customer|recipient|client)"),
        ("pas_venu", 3, False, r"(?:technicien|intervenant|livreur|ouvrier|personne|equipe"
         r"|depanneur)s? (?:\S+ ){0,2}(?:(?:n'est|ne sont|n'a|n'ont) )?(?:jamais|pas) (?:ete )?(?:venue?s?"
         r"|passee?s?|intervenue?s?|deplacee?s?)|(?:rien|aucun\w*) a (?:payer|regler)|(?:ne"
         r"|n')\s*(?:vous )?(?:dois|devons|doit) rien|(?:ne|n')\s*(?:\S+ )?(?:paierons|reglerons|payerons"
         r"|paierai|reglerai|payerai) qu(?:e|')|(?:recue?s?|envoyee?s?|adressee?s?) (?:\S+ )?(?:deux fois"
         r"|2 fois|a deux reprises)"),
        ("non_faites", 3, False, r"(?:heures|travaux|jours|journees|interventions?|prestations?|taches"
         r"|deplacements?) (?:\S+ ){0,3}(?:non|pas|jamais) (?:ete )?(?:faite?s?|effectuee?s?|realisee?s?"
         r"|executee?s?|travaillee?s?)|manqu\w* (?:a|lors de) la livraison"),
        ("suspendu", 3, False, r"(?:ne vois pas|ne comprends pas|je ne vois pas) pourquoi (?:je|nous"
         r"|on) (?:devrais|devrions|devrait|dois|devons|doit) (?:la |le |les |l')?(?:payer|regler)"
         r"|reserves? (?:non levees?|pas levees?)|(?:travaux|chantier|prestation"
         r"|installation)s? (?:\S+ ){0,2}(?:pas|non) (?:encore )?(?:termine|acheve|fini|finalise)e?s?"),
        ("quantites", 3, False, r"factur\w* (?:\S+ )?\d+ (?:\S+ ){0,6}(?:recu|livre|received|delivered"
         r"|commande)\w* \d+|(?:recu|livre|commande)\w* \d+ (?:\S+ ){0,6}factur\w* \d+"
         r"|pourquoi (?:\S+ ){0,3}(?:payons|paie|paye|payer|factur\w*) (?:\S+ )?(?:toujours|encore)"),
        # Payment refused until something is put right: a dispute, whatever is said of the rest.
        ("refus_tant_que", 3, False, r"(?:ne |n')(?:\S+ )?(?:paierons|reglerons|payerons|paierai|reglerai"
         r"|payerai|payons|reglons|paie|paye|regle) (?:pas|rien|plus|aucun\w*) (?:\S+ ){0,6}(?:tant qu"
         r"|avant qu|jusqu'a ce qu)|(?:won't|will not|shall not|cannot|can't|refuse to|not going to"
         r"|are not going to) (?:\S+ ){0,2}(?:pay|settle|release (?:the )?payment)\b(?: \S+){0,5} (?:until"
         r"|unless|before|as long as)\b"),
        ("paiement_suspendu", 3, False, r"(?:suspend|bloqu|retien|gel)\w* (?:le |notre |votre "
         r"|tout )?(?:paiement|reglement)|(?:holding|withholding|withhold|suspend\w*) (?:the |our "
         r"|any )?payment"),
        ("moins_que", 3, False, r"(?:moins|plus) (?:d'|de )?(?:\S+ )?que (?:le |la |l'|notre |votre "
         r"|ce qui (?:etait |a ete )?)?(?:facture|commande|prevu|convenu|livre|devis|contrat|tarif|prix"
         r"|bon de commande|annonce)|exorbitant\w*|excessi[fv]\w*|abusi[fv]\w*|(?:bien )?trop cher"
         r"|par rapport a ce qui (?:etait|avait ete) (?:prevu|convenu|annonce)|(?:commande|prestation"
         r"|intervention|contrat|abonnement|livraison)s? (?:\S+ )?(?:a ete |ont ete |est "
         r"|sont )?annulee?s?|{goods} (?:\S+ ){0,2}(?:retournee?s?|renvoyee?s?|rendue?s?)|(?:retourne"
         r"|renvoye|rendu)\w* (?:la |les |le |l')?{goods}|gratuit\w*|offert\w*|(?:devait"
         r"|etait cense) etre (?:gratuit|offert|inclus)\w*"),
        ("annuler_facture", 2, False, r"annul\w* (?:cette|la|votre|ladite) {facture}|(?:souci|probleme"
         r"|anomalie)s? (?:avec|sur|concernant) (?:cette|la|votre) {facture}"),
        ("tva_taux", 3, False, r"(?:tva|vat|taux|rate|tax)\w* (?:\S+ ){0,4}\d+(?:[.,]\d+)?\s?% (?:\S+ ){0,6}"
         r"(?:alors que|au lieu de|au lieu du|instead of|whereas|but|however|mais|while|should be"
         r"|devrait etre|doit etre|relev\w*)"),
        ("droit_avoir", 3, False, r"entitled to (?:a |an )?(?:\S+ )?(?:credit|refund|discount|rebate"
         r"|reduction)|(?:avons|ai|a) droit a (?:un |une )?(?:\S+ )?(?:avoir|remise|reduction"
         r"|remboursement|geste)"),
        ("c_est_faux", 2, False, r"(?:this|that|it|which) (?:is|was|looks|seems) (?:\S+ )?(?:wrong|incorrect"
         r"|not right)|(?:c'est|ce n'est) (?:\S+ )?(?:faux|pas correct|pas juste|errone)"),
        ("pas_le_bon", 3, False, r"(?:pas|not) (?:le |la |the )?(?:bon|bonne|right|correct) (?:montant|prix"
         r"|tarif|somme|total|taux|amount|price|rate|figure|quantite|quantity)"),
        ("remise_oubliee", 3, False, r"(?:remise|discount|rabais|ristourne|reduction|avoir|credit|geste"
         r" commercial|rebate)s? (?:\S+ ){0,6}(?:pas|not|never|n'a pas|wasn'?t|hasn'?t|isn'?t) (?:ete |been "
         r")?(?:appliquee?|applied|deduite?|deducted|pris en compte|taken into account|reflected)"),
        ("facture_fausse", 2, False, r"{facture} (?:\S+ ){0,3}(?:erronee|fausse|incorrecte|inexacte)s?\b"
         r"|(?:est|sont|etait) (?:\S+ )?(?:erronee|fausse|incorrecte|inexacte)s?\b"
         r"|{invoice} (?:\S+ ){0,3}(?:is |seems |looks |was )?(?:wrong|incorrect|inaccurate|erroneous)\b"),
        ("double", 3, False, r"sur-?factur\w*|trop (?:factur|percu)\w*|factur\w* (?:deux|2"
         r"|a deux reprises) fois|factur\w* a deux reprises|double (?:facturation|emploi)"
         r"|en double(?! exemplaire)|doublon\w*|deja (?:ete )?factur\w*"),
        ("pas_commande", 3, False, r"(?:jamais|pas|rien) (?:ete )?command\w*|{goods} (?:\S+ ){0,6}(?:non"
         r"|pas|jamais|toujours pas) (?:\S+ ){0,2}(?:livre|recu|realise|effectue|execute|termine|fourni"
         r"|installe|livrable)e?s?|(?:pas|jamais|toujours pas) (?:encore |ete )*(?:recu|livre)e?s? (?:la "
         r"|les |le |l'|de |d'|nos |notre |vos |votre )?{goods}|(?:avons|avions|ai) (?:\S+ )?(?:resilie"
         r"|annule|denonce|arrete)\w*|(?:ne|n')\s*(?:pouvons|pourrons|reglerons|paierons|payerons|allons"
         r"|paierai|reglerai|payerai|vais) (?:\S+ )?(?:(?:regler|payer) )?qu(?:e|')"),
        ("avoir", 2, False, r"(?:un |d'un |votre |l'|une )avoir\b|note de credit|(?:nous |me )rembourser"
         r"|remboursez|remboursement (?:de|du|des|integral|partiel)"),
        ("refus", 2, True, r"refus\w*(?! de l'(?:enregistrer|integrer|saisir|traiter|comptabiliser))"),
        ("manque_articles", 3, False, r"(?:il )?manqu\w* (?:\S+ ){0,3}(?:articles?|pieces?|colis|produits?"
         r"|cartons?|palettes?|unites?|references? (?:livrees?|commandees?))"),
        ("defaut", 3, False, r"defectu\w*|endommag\w*|abime\w*|casse\w*|en panne|avarie\w*|malfacon\w*"
         r"|colis (?:incomplet|manquant)|(?:{goods}|appareil|machine|climatisation|clim|chaudiere"
         r"|installation|equipement|systeme|logiciel|pompe|moteur) (?:\S+ ){0,4}(?:ne fonctionne\w* pas"
         r"|ne marche pas|non fonctionnel\w*)", r"!{file}"),
        ("paie_pas", 3, False, r"(?:je|j'|on) (?:la |le |les )?(?:paie|paye|paierai|payerai|regle|reglerai)"
         r" (?:pas|rien)\b(?! (?:\S+ ){0,4}(?:tant que|avant|sans|sous reserve))"),
        ("pas_payer", 3, False, r"(?:ne|n')\s*(?:\S+ )?(?:reglerons|paierons|payerons|reglera|paiera"
         r"|reglerai|paierai|payerai|vais payer|vais regler|allons payer|allons regler) (?:\S+ )?(?:pas|rien"
         r"|jamais)(?! (?:\S+ ){0,4}(?:tant que|avant|sans|sous reserve))"),
        ("prix_convenu", 2, False, r"(?:prix|tarif|montant) (?:\S+ )?(?:convenu|negocie|du devis"
         r"|du contrat|contractuel|prevu)"),
        ("en_dispute", 3, True, r"disput\w*|contest\w*|challenge (?:the|this|your)"),
        ("en_incorrect", 3, True, r"(?:incorrect|wrong|inaccurate|erroneous|mistaken?"
         r"|error in) (?:\S+ ){0,3}(?:amount|price|pricing|rate|quantity|total|charge|vat|tax|discount"
         r"|figure|calculation|hours|days|unit)|(?:amounts?|prices?|pricing|rates?|quantit(?:y|ies)"
         r"|totals?|charges?|vat|discounts?|figures?|hours) (?:\S+ ){0,3}(?:is |are |was |seems "
         r"|looks )?(?:incorrect|wrong|inaccurate|too high|overstated|inflated)"),
        ("en_not_match", 3, False, r"(?:does not|doesn'?t|do not|don'?t|did not|didn'?t) (?:match"
         r"|correspond|agree|reflect|tally)|not (?:in line|consistent) with|discrepanc\w*|mismatch\w*"),
        ("en_overcharge", 3, False, r"over-?charg\w*|over-?bill\w*|over-?invoic\w*|double[- ]?(?:billed"
         r"|charged|invoiced|billing)|(?:billed|charged|invoiced) (?:us )?twice|duplicate (?:invoice"
         r"|charge|billing)|already (?:been )?(?:invoiced|billed|charged)"),
        ("en_not_delivered", 3, False, r"(?:never|not|didn'?t|did not) (?:\S+ )?order(?:ed)?\b|(?:never"
         r"|not|n'?t) (?:been |yet been )?(?:delivered|provided|performed|completed|rendered)"
         r"|{neg} (?:\S+ )?(?:received|got|had|seen) (?:the |any |our |your )?{goods}"
         r"|{goods} (?:\S+ ){0,2}(?:never|not|wasn'?t|weren'?t|haven'?t|hasn'?t) (?:\S+ )?(?:delivered"
         r"|arrived|received|provided|performed|completed)"),
        ("en_credit", 2, False, r"credit (?:note|memo)|(?:issue|request|want|need|expect)\w* (?:a |an "
         r"|the |our )?(?:full |partial )?refund|refund (?:us|me|the difference|the amount)"),
        ("en_damaged", 3, False, r"damaged|defective|faulty|broken|short[- ]?shipped|short delivery"
         r"|missing items|not working|doesn'?t work", r"!{file}"),
        ("en_cancelled", 3, False, r"(?:we|i|we'?ve|i'?ve|we have|i have|we had|i had) (?:\S+ )?cancel+ed\b"),
        ("en_higher_than", 3, False, r"(?:higher|more|greater|above|over) than (?:\S+ ){0,5}(?:quoted|agreed"
         r"|contract\w*|msa|agreement|quote|po|purchase order|order|price list|rate card|sla|usual|normal"
         r"|last (?:month|year|time)|previous)"),
        ("en_refuse", 3, False, r"(?:we|i|we'?re|i'?m|we are|i am|we will|i will) (?:\S+ )?(?:will not"
         r"|won'?t|refuse to|not going to|not|are not going to) (?:be )?(?:pay|paying|accept|accepting"
         r"|approve|settle)\b(?! (?:\S+ ){0,4}(?:until|without|unless|before|as long as))"
         r"|not paying (?:this|it|for)|cancel+ed (?:the |our |this )?(?:subscription|contract|order"
         r"|service|account|booking)|(?:and|but|so) (?:will not|won'?t) (?:\S+ )?(?:pay|accept|approve"
         r"|settle)\b(?! (?:\S+ ){0,4}(?:until|without|unless|before|as long as))"),
        ("en_query", 2, False, r"\bquer(?:y|ies|ied)\b|not (?:what (?:we|was) )?(?:agreed|quoted"
         r"|contracted)|(?:agreed|quoted|contract) (?:price|rate|amount)"),
        ("en_not_come", 3, False, r"(?:engineer|technician|driver|nobody|no one|contractor"
         r"|courier)s? (?:\S+ ){0,2}(?:never|didn'?t|did not|has not|hasn'?t) (?:\S+ )?(?:came|come"
         r"|turn(?:ed)? up|show(?:ed)? up|arrived?|visit(?:ed)?)|nothing to pay|(?:don'?t|do not) owe"
         r"|(?:is|looks like|seems to be) a duplicate|duplicate of (?:invoice |our |your |the invoice "
         r"|inv\.? )?(?:\S*\d|{invoice})|(?:charged|billed|invoiced) (?:us )?for (?:\S+ ){0,5}(?:but"
         r"|whereas|while|although|when)|still (?:showing as )?in transit|(?:booked|ordered"
         r"|requested) this (?:job|service|work)|wrong customer|never (?:booked|ordered|requested|agreed)"
         r"|sent (?:\S+ ){0,3}back|should have (?:issued|sent|raised) (?:us )?a credit|(?:issue"
         r"|raise)d? (?:us )?a credit\b|duplicat\w+ (?:invoice |inv\.? )?(?:\S*\d)"),
        ("en_fewer", 3, False, r"(?:fewer|less|more) (?:\S+ ){0,2}than (?:\S+ )?(?:invoiced|billed|charged"
         r"|ordered|agreed|quoted)|excessive|overpriced|too (?:high|expensive)|(?:was|were) (?:supposed"
         r"|meant) to be (?:free|included|complimentary)|free of charge|(?:goods|items|parts|order"
         r"|products?) (?:\S+ ){0,2}(?:were|was|have been|has been) (?:\S+ )?returned|returned (?:the "
         r"|all )?(?:goods|items|parts|order|products?)|(?:order|service|subscription|contract"
         r"|booking) (?:\S+ ){0,2}(?:was|were|has been|had been) cancel+ed|missing (?:(?:on|at"
         r"|from(?: the)?) )?(?:delivery|arrival)|(?:was|were) missing from (?:the )?(?:delivery|order"
         r"|shipment|box|pallet)|(?:items?|parts?|boxes?|units?) (?:\S+ )?(?:were |are )?missing|(?:were"
         r"|was) (?:not|never) (?:done|performed|worked|carried out)"),
        ("en_quantities", 3, False, r"(?:ordered|received|delivered|got) \d+ (?:\S+ ){0,8}(?:invoiced"
         r"|billed|charged) (?:us )?(?:for )?\d+|(?:invoiced|billed"
         r"|charged) (?:us )?(?:for )?\d+ (?:\S+ ){0,8}(?:ordered|received|delivered|got) \d+"
         r"|only \d+ (?:\S+ )?(?:were|was) (?:delivered|received)|downgraded|why (?:are|am|were) (?:we"
         r"|i) (?:still )?(?:paying|being charged|charged|billed)|still (?:being )?(?:paying|charged"
         r"|billed) for"),
        ("en_problem", 2, False, r"(?:problem|issue|concern)s? with (?:this|the|your) {invoice}|(?:cancel"
         r"|void|withdraw)\w* (?:this|the|your) {invoice}"),
    ),
    "promise_to_pay": (
        ("sera_regle", 3, True, r"(?:sera|seront|serez|va etre|vont etre|devrait etre|devraient etre"
         r"|pourra etre|pourront etre) (?:\S+ ){0,2}(?:regle|paye|vire|solde|honore|mis en (?:paiement"
         r"|reglement)|execute|effectue|verse)e?s?"),
        ("allons_regler", 3, True, r"(?:allons|vais|va|vont|comptons|prevoyons|devrions|pourrons"
         r"|souhaitons|esperons) (?:\S+ ){0,2}(?:regler|payer|virer|solder|honorer|mettre en paiement"
         r"|proceder (?:au|a un|a) (?:\S+ )?(?:reglement|paiement|virement)|effectuer (?:le"
         r"|un) (?:reglement|paiement|virement)|lancer le (?:paiement|virement|reglement))"),
        ("futur", 3, True, r"(?:reglerons|paierons|payerons|virerons|solderons|procederons|effectuerons"
         r"|honorerons|reglerai|paierai|payerai|procederai|effectuerai|lancerons)"),
        # "Paiement le 5/12": a hint, a promise when the date is to come (`_dated_promise_strength`)
        ("paiement_le", 2, True, r"(?:paiement|reglement|virement)s? (?:le|pour le|au plus tard le) \d",
         r"!(?:deja|bien|a ete|ont ete|est parti|effectue|envoye|regle|paye|recu)"),
        ("paiement_prevu", 3, False, r"{virement}s? (?:\S+ ){0,3}(?:(?<!comme\s)prevu|programme|planifie"
         r"|interviendra|partira|sera (?:effectue|emis|fait|lance|execute|envoye)|en cours|en preparation"
         r"|a venir|imminent|valide pour)e?s?"),
        ("mise_en_paiement", 3, False, r"(?:mise?|passee?|validee?|bonne?s?|mettre|inscrite?) (?:en|pour"
         r"|au|a) (?:paiement|reglement|bon a payer)|bonn?e? a payer|prochaine? (?:campagne|vague|session|run"
         r"|echeance|lot|date|tour|fichier) de (?:paiement|reglement|virement)s?|prochains? (?:virements?"
         r"|reglements?|paiements?)|echeancier|(?:paiement|reglement|regler|payer) en (?:plusieurs|deux"
         r"|trois|quatre|\d+) (?:fois|echeances|mensualites)|(?:part|partira|passe|passera|ira"
         r"|est envoyee?) (?:au|en|a la|dans le) (?:paiement|reglement|virement|mise en paiement)"
         r"|(?:regler|payer|verser) (?:la moitie|le solde|le reste|une partie|un acompte)|(?:et"
         r"|puis) le (?:reste|solde)\b", r"!{hypothetical}"),
        ("paiement_present", 2, False, r"(?:je|j'|nous|on) (?:vous |te |t')?(?:fais|faisons|fait|lance"
         r"|lancons|passe|passons|envoie|envoyons|envoi|regle|reglons|paie|paye|payons|vire|virons"
         r"|effectue|effectuons|programme|programmons|emets|emettons) (?:le |un |votre |notre |la "
         r"|les )?(?:virement|paiement|reglement|cheque|necessaire|solde|facture)?"),
        # Money in motion ("le virement part demain", "cheque will be in the post"): a promise with a date.
        ("en_route", 1, False, r"{money} (?:\S+ ){0,3}(?:part|partent|partira|partiront|will|'ll|shall|goes"
         r"|going|leaves|arrivera|arriveront|sera|seront)\b"),
        ("proposition", 1, False, r"(?:je peux|nous pouvons|on peut|je pourrais|nous pourrions) (?:vous "
         r"|te )?(?:regler|payer|verser|virer)"),
        ("propose_paiement", 2, False, r"(?:je|nous) vous propos\w* (?:de (?:regler|payer|verser)|\d"
         r"|un (?:echeancier|paiement|reglement|acompte))|(?:i|we) (?:propose|suggest|offer) (?:to pay"
         r"|paying|\d|an? (?:instal\w*|payment plan|part payment))", r"!{hypothetical}"),
        ("m_en_occupe", 2, False, r"(?:je|nous|on) (?:m'en|nous en|s'en) (?:occupe|occupons|charge"
         r"|chargeons)|(?:i'?ll |we'?ll |i will |we will |will )(?:take care of|sort|deal with|handle"
         r"|clear|settle|get|do|pay) (?:it|this|that|the (?:invoice|balance|payment))\b"
         r"|payment order (?:is |has been )?(?:signed|approved|released)|ordre de (?:virement"
         r"|paiement) (?:\S+ )?(?:signe|valide|transmis)"),
        ("va_suivre", 3, False, r"(?:payment|paiement|reglement|virement|cheque|check) (?:will|va|suivra"
         r"|suit|to) (?:\S+ )?(?:follow|suivre)|(?:payment|paiement|reglement|virement"
         r"|cheque) (?:\S+ ){0,3}(?:shortly|sous peu|tres rapidement|rapidement|dans les (?:meilleurs"
         r"|plus brefs) delais|asap|as soon as possible|au plus vite|au plus tot)"),
        ("fonds_partent", 3, False, r"(?:money|funds|payment|transfer|remittance|argent|fonds|virement"
         r"|paiement|reglement|cheque) (?:\S+ ){0,4}(?:should|will|'ll|va|devrait|doit) (?:\S+ )?(?:leave"
         r"|go out|be sent|reach you|arrive|partir|quitter|arriver|intervenir|etre emis|etre envoye"
         r"|parvenir|vous parvenir|reach)|{virement} (?:\S+ ){0,3}(?:se fera|sera fait|interviendra"
         r"|aura lieu|(?:pourra|pourrait) (?:se faire|etre fait|etre effectue|intervenir)(?! pas))"),
        ("en_will_pay", 3, True, r"(?:will|shall|going to|intend to|plan to|expect to|aim to|hope to|i'?ll"
         r"|we'?ll|they'?ll|it'?ll) (?:\S+ ){0,2}(?:pay|settle|remit|clear|process (?:the |your )?payment"
         r"|release (?:the |your )?payment|make (?:the |a )?payment|send (?:the |a |you )?payment|wire"
         r"|transfer (?:the )?(?:funds|payment|amount|money))\b|(?:{money}|it) (?:will|shall|'ll|should"
         r"|is going to) (?:\S+ )?(?:go out|be sent|leave|be in the post|be posted|be mailed"
         r"|reach you)\b|(?:pay|paying|settle) (?:\S+ ){0,2}(?:half|the rest|the balance|the remainder"
         r"|in (?:two|three"
         r"|\d+) (?:instal\w*|parts|payments|halves))|paying (?:it |this |you |the invoice )?(?:now|today"
         r"|tomorrow|right away|straight away|this week|on \w+)"),
        ("en_will_be_paid", 3, True, r"(?:will|shall|should|'ll|is going to"
         r"|are going to) be (?:\S+ )?(?:paid|settled|released|remitted|wired|cleared|included in"
         r"|scheduled)|(?:payment|it|transfer|remittance|funds) (?:will|shall|should|'ll) be (?:made|sent"
         r"|issued|effected|executed|transferred)"),
        ("en_scheduled", 3, False, r"(?:payment|remittance|transfer|wire|check|cheque|it"
         r"|invoice) (?:\S+ ){0,3}(?:is |has been |was |have been |are )?(?:scheduled|planned|queued"
         r"|booked|set up|approved|earmarked) (?:for|on|to|in)|scheduled (?:for )?payment"
         r"|payment (?:is )?(?:in progress|being processed|pending|on its way|going out)|(?:next"
         r"|upcoming) (?:payment|pay|check|cheque) (?:run|cycle|batch|date)|(?:approved|passed|released"
         r"|cleared|validated|authori[sz]ed) for payment|in (?:the|our) (?:next )?(?:payment|pay"
         r"|check) (?:run|cycle|batch)|(?:pay|payment|check|cheque) run|payment plan|instal?lments?"
         r"|(?:we are|we'?re|we are currently|currently) processing (?:the |your )?payment"
         r"|payment (?:\S+ ){0,2}(?:will|shall|'ll) be processed|(?:queued|scheduled|booked"
         r"|lined up) for payment|approved and (?:is |has been )?(?:queued|scheduled|booked)|(?:you'?ll"
         r"|you will) (?:have|receive|get) (?:it|the money|payment|the funds|the payment)|vous (?:l'aurez"
         r"|le recevrez|recevrez (?:le|votre) (?:paiement|reglement|virement))", r"!{hypothetical}"),
        ("en_get_paid", 3, True, r"get (?:this|it|that|the invoice|them|you) paid|(?:is"
         r"|are) due to be (?:released|paid|made|sent|processed)|(?:you )?should (?:receive|get"
         r"|see) (?:the |our |your |a )?(?:payment|funds|money|transfer|cheque|remittance)"
         r"|expect (?:to pay|payment|to settle)"),
    ),
    "paid": (
        ("deja_regle", 3, True, r"(?:deja|bien|bel et bien) (?:ete )?(?:{paye}|regle|paye|vire|verse"
         r"|honore|acquitte|solde)e?s?\b"),
        # "a été payer": the infinitive for the participle, a common slip
        ("ete_payer", 3, True, r"(?:a|ont|est|sont) (?:bien |deja )?ete (?:bien |deja )?(?:payer|regler|virer"
         r"|verser|solder)\b"),
        ("a_ete_regle", 3, True, r"(?:a|ont|avons|avez|ai|est|sont|etait|etaient) (?:bien |deja |ete "
         r"|bel et bien |effectivement |en effet |integralement |totalement )*(?:{paye}|regle|paye|vire"
         r"|verse|honore)e?s?\b"),
        ("virement_fait", 3, True, r"{virement}s? {gap}(?:a ete |ont ete |est |sont )?(?:bien "
         r"|deja )?(?:effectue|emis|envoye|parti|execute|realise|debite|encaisse|transmis|expedie|fait"
         r"|passe|initie|lance|ordonne|pris en charge|mandate|vise)e?s?\b"),
        ("debite", 3, False, r"debitee?s? (?:de|sur|du) (?:notre|mon|nos|mes) comptes?|(?:ont|a|auraient"
         r"|aurait) (?:deja |bien )?du (?:\S+ )?(?:vous )?(?:parvenir|arriver|etre credite\w*)|(?:in"
         r"|on) your "
         r"(?:bank )?(?:account|statement) (?:by now|already|now)|(?:by now"
         r"|already) in your (?:bank )?account"),
        ("cheque_adresse", 3, True, r"(?:cheque|virement|reglement|paiement)s? (?:\S+ ){0,3}(?:a ete"
         r"|a bien ete|est|est bien|vous a ete|vous a bien ete|avons) (?:\S+ )?(?:adresse|poste|envoye"
         r"|expedie|fait|passe|effectue|emis|transmis|parti)e?s?\b"),
        ("preuve", 3, False, r"(?:avis|preuve|justificatif|copie|ordre|confirmation|capture"
         r"|attestation) (?:de |du |d')?(?:virement|paiement|reglement)|(?:swift|mt\s*103"
         r"|remise de cheque)"),
        ("facture_reglee", 3, True, r"{facture} {gap}(?:est |a ete |ont ete |sont )?(?:bien "
         r"|deja )?(?:reglee|payee|soldee|acquittee|honoree)s?\b"),
        ("participe", 3, False, r"(?:^|\n)\W*(?:(?:c'est|c est|facture|deja) )?(?:regle|paye|vire|solde"
         r"|acquitte)e?s?\b"
         r"|(?<!vous\s)(?<!sera\s)(?<!seront\s)(?<!serez\s)(?<!etre\s)(?<!pas\s)(?<!ete\s)(?<!je\s)"
         r"(?<!on\s)(?<!il\s)"
         r"(?<!elle\s)(?<!qui\s)(?:regle|paye|vire|solde)e?s? (?:par (?:virement|cheque|cb|carte"
         r"|prelevement)|le \d|hier|ce matin|depuis|il y a)"),
        ("ai_fait_virement", 3, True, r"(?:ai|avons|a|ont) (?:\S+ ){0,2}(?:fait|effectue|emis|envoye|passe"
         r"|lance|realise|poste|expedie|adresse|transmis|verse|fait parvenir|depose|remis) (?:un|le|votre"
         r"|notre|mon|les|des|la) (?:\S+ )?(?:virement|paiement|reglement|cheque)s?"
         r"|(?<!sera\s)(?<!seront\s)(?<!serez\s)(?<!etre\s)(?<!pas\s)(?<!je\s)(?<!on\s)(?:regle|paye|vire"
         r"|solde|mandate)e?s? (?:par|via|sur) (?:le |la |votre |notre |l')?(?:\S+ )?(?:comptable"
         r"|tresor\w*|banque|site|compte|paypal|carte|cb|virement|cheque)"
         r"|(?<!sera\s)(?<!seront\s)(?<!serez\s)(?<!etre\s)(?<!pas\s)(?<!je\s)(?<!on\s)payee? (?:\S+ ){0,3"
         r"}le \d|(?:avons|ai|a|ont) (?:deja |bien )?procede (?:au|a un|a|a la) (?:\S+ )?(?:reglement"
         r"|paiement|virement|mise en paiement)"),
        ("en_participle", 3, False, r"(?:^|\n)\W*(?:already )?(?:paid|settled)\b"),
        ("en_already_paid", 3, True, r"(?:already|been|was|were|has been|have been"
         r"|had been) (?:\S+ )?(?:paid|payed|settled|remitted|wired|cleared)"),
        ("en_we_paid", 3, True, r"(?:we|i|accounts payable|our (?:\S+ )?(?:team|department)) (?:have |has "
         r"|had |'ve )?(?:already |just |actually |now )?(?:paid|payed|settled|remitted|wired|transferred"
         r"|sent (?:the |a |you |your )?(?:payment|funds|check|cheque|money|amount)|made (?:the "
         r"|a )?payment|processed (?:the |your )?payment)|(?:i|we) (?:have |'ve )?(?:made|sent|did"
         r"|initiated|processed|completed) (?:the |a |our |my )?(?:bank |international |wire )?(?:transfer"
         r"|payment|wire|remittance)"),
        ("en_payment_made", 3, True, r"(?:payment|remittance|transfer|wire|check|cheque|funds) {gap}(?:was"
         r"|were|(?:has|have|had) (?:already |now |just |indeed )?been) (?:\S+ )?(?:made|sent|issued"
         r"|processed|released|remitted|wired|mailed|executed|transferred|initiated|paid|cleared)"
         r"|(?:payment|transfer|wire|funds) (?:went out|left our account|cleared)"),
        ("en_sent_no_aux", 3, False, r"(?:payment|transfer|wire|cheque|check|remittance|funds) (?:sent"
         r"|made|done|released|issued|processed|wired|executed|transferred|went out)\b"),
        ("en_remittance", 3, False, r"remittance advice|proof of payment|payment (?:confirmation|advice"
         r"|receipt|reference)|(?:swift|mt103|bank) (?:confirmation|copy|receipt|transfer confirmation)"
         r"|paid in full|(?<!get\s)(?<!be\s){paid} (?:on|last|yesterday|today)\b"),
        ("en_settled_via", 3, True, r"(?:settled|paid|payed|cleared) (?:this |it |the invoice )?(?:through"
         r"|via|by|with|using) (?:\S+ ){0,2}(?:paypal|card|bacs|transfer|wire|cheque|check|stripe"
         r"|direct debit|bank)"),
        ("en_should_have", 3, False, r"(?:should|must|will) (?:already )?have (?:received|got"
         r"|seen) (?:our |the |my |your )?(?:payment|funds|money|transfer|cheque|check|remittance)"
         r"|(?:devriez|auriez du|devez) (?:deja )?(?:l'|les )?avoir (?:recu|encaisse)"),
    ),
    "contact_change": (
        ("nouvelle_adresse", 3, False, r"(?:nouvel\w*|nouveaux?|autre) (?:\S+ )?(?:adresse|contact"
         r"|interlocut\w*|e-?mail|mail|courriel|boite|destinataire|correspondant|iban|rib|coordonnees"
         r"|domiciliation|compte bancaire|banque|responsable (?:comptable|de la comptabilite|administratif"
         r"|des paiements|fournisseurs?))"),
        ("changement", 3, False, r"(?:changement|modification|mise a jour|change|modifie|mettre a jour"
         r"|mettez a jour) (?:de |d'|des |du |nos |notre |vos |votre |l'|la |le )?(?:\S+ ){0,2}(?:adresse"
         r"|coordonnees|contact|interlocuteur|rib|iban|domiciliation|bancaires?|destinataire|e-?mail"
         r"|fichier (?:fournisseur|client)|liste de diffusion)|(?:adresse|coordonnees|rib|iban|contact"
         r"|interlocuteur|e-?mail|domiciliation|banque|address|bank details"
         r"|e-?mail address)\w* (?:\S+ ){0,3}(?:(?:a|ont|have|has|est|sont) )?(?:change|changed"
         r"|ete modifiee?s?|evolue|been updated|been changed|moved|demenage)",
         r"!(?:votre|vos|your|ton|ta|tes) (?:\S+ )?(?:rib|iban|coordonnees|bank|banking)"),
        ("desormais", 3, False, r"(?:desormais|dorenavant|a l'avenir|a partir de maintenant|a present"
         r"|a compter d\w+ (?:\S+ ){0,3}|a partir d\w+ \d+\w* (?:\S+ )?)(?:[^.!?\n]|\.(?=\S))"
         r"{0,120}(?:@|adress\w*|envoy\w*|transmet\w*|interlocut\w*|contact\w*)|(?:envoy|adress|transm)\w* "
         r"(?:\S+ ){0,8}(?:desormais|dorenavant|a l'avenir|a partir de maintenant)|(?:gere|gerent|s'occupe\w*"
         r"|traite|traitent|suit|suivent|prend en charge|prennent en charge) desormais",
         r"!circuit|processus|procedure|workflow"),
        ("en_copie", 3, False, r"(?:mettre|mettez|ajouter|ajoutez|rajouter|inclure) (?:\S+ ){0,4}en "
         r"(?:copie|cc)\b|(?:copy|cc|add|include|loop) (?:\S+ ){0,4}(?:in|on|to|into) (?:cc|copy"
         r"|the loop)\b"),
        ("prochaines", 3, False, r"(?:les (?:suivantes|prochaines|futures)|(?:nos |vos |les )?(?:prochaines"
         r"|futures) factures|(?:all )?(?:future|subsequent|next) (?:invoices|ones|bills))", r"[\w.+-]+@"),
        ("envoyer_a", 2, False, r"(?:envoy|adress|transm|fair\w* parven|dirig|redirig"
         r"|renvoy)\w* (?:\S+ ){0,10}[<(:]?[\w.+-]+@"),
        ("au_lieu", 3, False, r"[\w.+-]+@[\w.-]+ (?:\S+ ){0,4}(?:instead|plutot|a la place|desormais"
         r"|dorenavant|from now on|going forward|a l'avenir|in future|rather than|au lieu de)|(?:instead"
         r"|plutot|a la place|au lieu de|rather than|not to me|pas a moi"
         r"|et non (?:plus )?a)\b[^.!?\n]{0,80}@"),
        ("ne_plus", 3, False, r"(?:ne|n')\s*(?:fait|fais|travaille|s'occupe|m'occupe|nous occupons|gere"
         r"|est|suis) plus (?:partie|chez|dans|de|en charge|responsable|au|a la|notre)"
         r"|a quitte (?:la societe|l'entreprise|ses fonctions|notre|le groupe|le service|nos)|(?:n'est|est"
         r"|n'|ne sera) plus (?:valide|utilisee?|active|consultee?|en service|lue|relevee?|a jour)"
         r"|remplace\w* par|en remplacement de|(?:reprend|reprise|reprendra) (?:le|ses|les) (?:dossier"
         r"|fonctions|suivi)|(?:contact|interlocut\w*|correspondant\w*) (?:\S+ ){0,2}(?:est"
         r"|sera) (?:desormais|maintenant|dorenavant)|(?:est|sera) (?:desormais|maintenant"
         r"|dorenavant) (?:votre|notre) (?:\S+ )?(?:contact|interlocut\w*|correspondant\w*)|(?:voyez|voir"
         r"|adressez-vous|adressez vous|contactez|voyez desormais) (?:avec|a|aupres de) (?:\S+ )?[A-Z]?\w+"
         r"|(?:pas|plus) (?:la bonne personne|le bon interlocuteur|le bon contact|la bonne adresse)"
         r"|mauvais (?:destinataire|interlocuteur|contact)"),
        ("successeur", 3, False, r"successeur|remplacant\w*|(?:pars|part|depart|partir) (?:a la"
         r"|en) retraite|(?:quitte|quitterai|quittons) (?:mes fonctions|la societe|l'entreprise|le cabinet"
         r"|mon poste)|conge (?:maternite|parental|longue duree)|desormais (?:gere|suivi|traite)e? par"
         r"|vous adresser (?:desormais )?a (?:mon|ma) (?:collegue|remplacant\w*)"),
        # a move says a contact changes only with where to write now ("nous déménageons au 12 rue …")
        ("demenage", 3, False, r"demenag\w*", r"adresse|locaux|nouvel|nouvelle|nouveau|desormais|dorenavant"
         r"|\b\d\d\d\d\d\b|rue|avenue|boulevard|@"),
        ("nouveaux_locaux", 3, False, r"nouveaux locaux", r"adresse|\b\d\d\d\d\d\b|rue|avenue|boulevard|@"),
        ("ne_plus_envoyer", 3, False, r"ne (?:m'|nous )?(?:envoyez|adressez|transmettez) "
         r"plus|(?:retirez|supprimez|enlevez)(?:-| )moi (?:de"
         r"|des)|ne plus m'envoyer|(?:est|sont) desormais (?:gere|traite|centralise)e?s?"),
        ("banque", 3, False, r"(?:(?:nouvelles?|nouveau|nouvel) (?:coordonnees bancaires|rib|iban"
         r"|compte bancaire|domiciliation|banque)|(?:nos|notre) (?:coordonnees bancaires|rib|iban"
         r"|domiciliation))\b(?! (?:\S+ )?(?:restent|reste|sont inchangee?s"
         r"|n'ont pas change))|changement (?:de |d')(?:banque|rib|iban|compte|domiciliation)|(?:rib|iban"
         r"|banque) (?:a |ont )?(?:change|ete modifie|modifie)",
         r"!(?:votre|vos|your|ton|ta|tes) (?:\S+ )?(?:rib|iban|coordonnees|bank|banking|banque)"),
        ("en_new_address", 3, False, r"new (?:\S+ )?(?:e-?mail|address|contact|point of contact"
         r"|ap (?:e-?mail|address|mailbox)|mailbox|bank|banking|account|iban|remit\w*|billing (?:address"
         r"|contact|e-?mail)|invoic\w* (?:address|e-?mail)|person|department|accounts payable)"),
        ("en_send_to", 2, False, r"(?:send|sent|resend|re-send|address|direct|forward|email|e-mail|submit"
         r"|route|redirect|mail)\w* (?:\S+ ){0,10}[<(:]?[\w.+-]+@"),
        ("en_going_forward", 3, False, r"(?:going forward|from now on|in future|in the future|henceforth"
         r"|effective (?:immediately|today|from)|moving forward|as of (?:today|now|\S+ \d+)|from (?:the )?"
         r"\d+(?:st|nd|rd|th)?(?: of)? [a-z]+|from [a-z]+ \d+|starting (?:from )?[a-z]+)(?:[^.!?\n]|\.(?=\S))"
         r"{0,120}(?:@|address|send|contact|bank|account)"),
        ("en_no_longer", 3, False, r"no longer (?:with|works?|working|at|in charge|handl\w*|responsible"
         r"|valid|monitored|used|active|in use|employed|part of)|has (?:left|retired|moved on)|(?:left"
         r"|leaving) the (?:company|business|organi[sz]ation)|taken over by|(?:is|has been) replaced"
         r"|will be (?:taking over|handling|your new)|(?:direct|send|address|forward"
         r"|route)\w* (?:all )?(?:future|further|subsequent) (?:\S+ )?(?:invoices|correspondence"
         r"|statements|reminders|bills|e-?mails) to|no longer (?:the )?(?:right|correct|appropriate"
         r"|best) (?:person|contact)|(?:not|no longer) the (?:right|correct) (?:person|contact|address)"
         r"|wrong (?:person|contact|address)"),
        ("en_successor", 3, False, r"successor|my replacement|(?:retiring|retirement|retire"
         r"|leaving (?:the company|the firm|my role|my position|the business))|maternity leave|(?:is"
         r"|will be) (?:now )?(?:taking over|handling|looking after) (?:my|the|your|all)"),
        ("en_moved", 3, False, r"(?:we have |we'?ve |have |has )?moved (?:our |the )?(?:bank\w*|account"
         r"|offices?|premises|headquarters|registered office)|new (?:premises|offices|head office)"
         r"|(?:remove|take) (?:me|my (?:name|address)) (?:off|from)|stop sending (?:\S+ )?to me|(?:is"
         r"|are) now (?:handled|managed|dealt with|processed|centrali[sz]ed|done)"
         r"|contact (?:\S+ ){0,2}(?:is now|will now be|will be)|(?:is"
         r"|will be) (?:now )?your (?:new )?(?:\S+ )?(?:contact|point of contact)"),
        ("en_update", 3, False, r"(?:update|change|amend|modify) (?:\S+ ){0,3}(?:contact|e-?mail|address"
         r"|bank\w*|vendor (?:file|master|record)|distribution list|billing details|mailing list|remit\w*)",
         r"!never|will not|won'?t notify"),  # "we will never notify you of a change to our bank details"
        ("en_bank", 3, False, r"(?:bank|banking|account|remittance|payment) (?:details|information|info"
         r"|account) (?:\S+ ){0,2}(?:have|has) (?:\S+ )?(?:changed|been updated|been changed)"
         r"|changed (?:our )?(?:bank|banks|banking)|(?:new|updated) (?:bank|banking) (?:details"
         r"|information|account)"),
    ),
    "acknowledged": (
        # nothing to say about it: "aucune remarque sur la facture", "no issues with this one"
        ("rien_a_redire", 3, False, r"(?:aucune?|pas de|sans|rien a) (?:remarques?|observations?|objections?"
         r"|reserves?|redire|commentaires?)\b|no (?:issues?|problems?|remarks|objections?|comments|concerns)"
         r" (?:with|on|about|from)"),
        ("bien_recu", 3, True, r"(?:bien|avons|ai|a|ont) (?:bien |correctement |effectivement "
         r"|ete )?{recu}\b(?! \d)|bonne reception|accus\w* (?:de )?reception"
         r"|reception (?:bien )?(?:confirmee|ok)|{recu} (?:avec )?merci|{recu},? merci"),
        ("pris_note", 2, False, r"bien note|c'est note|(?:pris|prenons|prends) (?:bonne )?note|c'est (?:ok"
         r"|bon|parfait|entendu)|(?:ok|parfait|tres bien|top),? merci|entendu"),
        ("recu_seul", 2, False, r"(?:^|\n)\W*(?:ok,? )?(?:{recu}|{received})\b|(?:bien )?pris en compte"
         r"|c'est enregistre|acknowledged\b"),
        ("bien_arrive", 3, True, r"(?:bien|est) (?:bien )?(?:arrive|parvenu)e?s?\b|(?:arrived|came through"
         r"|got through) (?:safely|fine|ok|okay|well)|(?:has|have) arrived"),
        ("transmis", 2, False, r"(?:transmis|transfere|fait suivre|redirige|passe|remis"
         r"|donne)e?s? (?:\S+ ){0,3}(?:au|a la|a notre|aux|a mon|a ma|en|pour) (?:service|comptabilite"
         r"|compta|direction|responsable|collegue|validation|saisie|approbation|signature)|(?:je"
         r"|nous) (?:la |le |les |l')?(?:transmets|transmettons|transfere|transferons|fais suivre"
         r"|faisons suivre)"),
        ("traitement", 2, True, r"en cours de (?:traitement|validation|saisie|verification"
         r"|comptabilisation|approbation|integration|instruction|circuit)|(?:enregistree?|saisie|integree?"
         r"|comptabilisee?|deposee?)s? (?:dans|en|par|sur) (?:notre|nos|la|le|chorus)"
         r"|circuit de validation"),
        ("en_received", 3, True, r"(?:well |safely |duly )?{received}(?:,| with| -)? (?:thanks|thank you"
         r"|with thanks|ok)|(?:thanks|thank you|merci)[,!.]? (?:\S+ )?(?:{received}|bien {recu}|{recu})"
         r"|(?:we|i) (?:have |'ve |ve )?(?:now |duly |well |safely |indeed )?{received}|(?:confirm"
         r"|acknowledge) (?:the )?receipt|receipt (?:is )?(?:confirmed|acknowledged)|got it"
         r"|has been {received}|(?:well|safely|duly) received|{invoice} (?:(?:duly|well|safely|now"
         r"|has been|was|is) )?{received}\b"),
        # "we have it" is a receipt, "as soon as we have it" a wait for one
        ("en_have_it", 3, True, r"have it\b", r"!as soon as|once (?:we|i)|when (?:we|i)|until|if (?:we|i)"),
        ("en_noted", 2, False, r"\bnoted\b|thanks? (?:you )?for (?:this|that|sending)\b|merci pour "
         r"(?:ceci|cela|l'envoi|votre envoi|ce document|ce mail|votre mail|votre message|votre {facture}"
         r"|la {facture}|cette {facture})"
         r"|thanks? (?:you )?for "
         r"(?:the|your|sending)(?: \S+)? (?:invoice"
         r"|email|document|reminder|note|statement)|will (?:review|process|look into|check|forward|pass)"),
        ("en_forwarded", 2, False, r"(?:forwarded|passed|sent|submitted|routed|handed) (?:\S+ ){0,3}(?:to"
         r"|on to|over to) (?:our |the |my )?(?:\S+ )?(?:accounts|ap|a/p|finance|accounting|payables"
         r"|approver|manager|team|colleague|department|accountant|bookkeeper|office)|being processed"
         r"|in (?:the |our )?(?:approval|validation) (?:workflow|process|queue|circuit)|(?:entered|logged"
         r"|registered|booked|uploaded) (?:in|into|to|on) (?:our|the)|(?:entered|placed|put) into (?:our "
         r"|the )?(?:workflow|system|queue)|(?:registered|logged|recorded|routed|sent"
         r"|passed) (?:\S+ ){0,3}for (?:approval|validation|sign-?off|authori[sz]ation|processing)"),
        ("retrouvee", 3, False, r"(?:je|nous|j')\s*(?:l'|la |les )?(?:ai|avons) (?:re)?trouvee?s?|(?:i"
         r"|we) (?:have |'ve )?(?:found|located|retrieved) (?:it|them|the invoice|your invoice)"),
    ),
    "question": (
        # A customer checking that a change of OUR bank details is genuine (the classic RIB-change fraud):
        # a question to answer by phone, never a contact change to approve (`_decide`).
        ("alerte_rib", 3, False, r"(?:confirmer|verifier|valider|confirm|verify) (?:\S+ ){0,3}"
         r"(?:vos|votre|your) (?:nouvelles? |new )?(?:coordonnees bancaires|rib|iban|bank details"
         r"|banking details)"
         r"|(?:rib|iban|coordonnees bancaires|bank details)\W+(?:\S+ ){0,12}(?:suspect\w*|fraud\w*"
         r"|arnaque|phishing|usurpation|scam)|(?:suspect\w*|fraud\w*|arnaque|phishing|usurpation|scam)\W+"
         r"(?:\S+ ){0,12}(?:rib|iban|coordonnees bancaires|bank details)"),
        ("point_interrogation", 2, False, r"[^\s?]*\?", r"{topic}"),
        ("question_fr", 2, False, r"(?:pourriez|pouvez|pourrais|pouvons|peut|puis)(?:-|\s*)(?:vous|on|nous"
         r"|je)? (?:\S+ ){0,3}(?:indiquer|dire|preciser|expliquer|confirmer|informer|detailler|eclairer"
         r"|renseigner)|est-ce que|savoir (?:si|pourquoi|comment|quand|a quoi|quel|combien|ou)|(?:a quoi"
         r"|pourquoi|comment|quand|combien|quel|quelle|quels|quelles|ou en est)\b[^.!\n]{0,120}\?"
         r"|je souhaiterais (?:savoir|comprendre|connaitre|avoir des precisions)|merci de (?:me "
         r"|nous )?(?:confirmer|preciser|expliquer|indiquer si)|une question|(?:demande"
         r"|besoin) de precisions?|besoin d'(?:explications|informations)|je ne comprends pas"
         r"|petite question", r"{topic}"),
        ("question_en", 2, False, r"(?:could|can|would) you (?:\S+ ){0,2}(?:tell|confirm|explain|clarify"
         r"|let (?:me|us) know|advise|help (?:me|us) understand|check)|(?:what|when|why|how|which|where"
         r"|who|is there|is it|are there|do you|does this|is this)\b[^.!\n]{0,120}\?|quick question"
         r"|i (?:was )?wonder\w*|please (?:confirm|clarify|explain|advise)|need (?:some )?clarification"
         r"|(?:don'?t|do not) understand", r"{topic}"),
    ),
}
# fmt: on

# What is missing, when the reply says something is: topic -> pattern.
MISSING_TOPICS = {
    "purchase_order": r"bons? de (?:commande|cde)|\bbdc\b|\bb\.?c\.?\b|numeros? de (?:commande|bon|bc|po)"
    r"|n\s*[°o]\s*(?:de )?(?:commande|bc|po)|references? (?:de (?:la )?)?commande|(?:numero d'"
    r"|n\s*[°o] d')?engagement(?: juridique)?|\bej\b|\bpo\b|\bp\.o\.|purchase order|order (?:number|no"
    r"|ref\w*)|\bcde\b|\bcommande\b",
    "buyer_reference": r"(?:supplier|vendor) (?:reference|ref|number|id)|(?:numero|code) fournisseur"
    r"|numero de convention|convention de formation|contract number|agreement number"
    r"|references? (?:acheteur|client|interne|de l'acheteur|de dossier|du marche|marche)|(?:nom (?:du "
    r"|de l')?)?(?:demandeur|requisitioner|requester|requestor)|buyer(?:'s)? ref\w*|customer ref\w*"
    r"|(?:votre|notre|our|your) ref\w*|numero (?:de )?(?:dossier|marche|affaire)|cost cent\w*"
    r"|centre (?:de )?(?:cout|frais|couts)|code (?:acheteur|imputation|analytique)|imputation"
    r"|\bleitweg\w*|project (?:code|number)|code projet",
    "service_code": r"codes? (?:du )?services?(?: executant| destinataire)?|services? (?:executant"
    r"|destinataire|facturier)|service code|\bcode se\b",
    "siret": r"\bsiret\b|\bsiren\b|numero (?:de )?tva|tva intra\w*|n\s*[°o] (?:de )?tva"
    r"|identifiant (?:de l'entreprise|fiscal|legal)|vat (?:number|id|no|registration)|tax (?:id|number)"
    r"|company (?:registration|number)|registration number",
    "address": r"lieu de livraison|delivery (?:location|site)|adresse (?:de facturation|de livraison"
    r"|complete|postale|du siege|exacte|de l'entite|de la societe)|(?:billing|invoice|invoicing|delivery"
    r"|postal|registered|company) address|\badresses?\b(?! (?:e-?mail|mail|electronique|email"
    r"|de messagerie)|\s*:?\s*[\w.+-]+@|(?:\S+ ){1,2}[\w.+-]+@)|\baddress\b(?! (?:e-?mail|mail|book))",
    "legal_entity": r"(?:not|pas) (?:to |a )?(?:me|moi) (?:personally|personnellement)|a titre personnel"
    r"|(?:societe|company|entity|entite) (?:\S+ ){0,4}(?:qui )?(?:doit|should|must) (?:etre "
    r"|be )?(?:facturee?|invoiced|billed)|au nom de (?:la |notre |l'|ma |une autre )?(?:sarl|sas|sa|eurl"
    r"|sci|entreprise|association|ste)\b|(?:a|au) (?:mon|son) nom (?:personnel|propre)|nom personnel"
    r"|(?:correct|right|wrong|bonne|mauvaise) (?:company|entity|societe|entite)|head office"
    r"|parent company|maison mere|siege social|(?:addressed|made out|issued|invoiced) to (?:my|our"
    r"|the) (?:company|business|firm|organi[sz]ation)|raison sociale|entite (?:juridique|legale|facturee"
    r"|facturable)|denomination(?: sociale)?|forme juridique|legal (?:entity|name)|company name"
    r"|registered name|(?:bonne|mauvaise|autre) (?:societe|entite|filiale)|wrong (?:entity|company"
    r"|legal entity|subsidiary)|au nom de (?:la|notre|l'|une autre) (?:societe|filiale|maison mere"
    r"|entite|groupe)|libellee? (?:au nom|a l'ordre)|\bentit(?:y|e)\b|filiale|subsidiary",
    "supporting_document": r"fiches? d'intervention|fiches? de travaux|compte rendu d'intervention"
    r"|justificatif\w*|pieces? justificatives?|bons? de livraison|\bbl\b|bordereau\w*|proces-verbal"
    r"|\bpv\b|attestation\w*|releves? d'heures|feuilles? de temps|time\s*sheets?|delivery (?:note|slip"
    r"|receipt|ticket)|proof of delivery|\bpod\b|packing (?:slip|list)|signed (?:receipt|quote|delivery"
    r"|timesheet)|supporting doc\w*|backup documentation|receipts?|rapport d'intervention"
    r"|bon d'intervention|bons? de travaux|service report|work order|devis signe|signed quote"
    r"|copie du contrat|contrat signe|copy of the (?:contract|quote|order)|\bcontrat\b|\bcontract\b",
}  # fmt: skip

# Negations, and where a clause ends (a negation never reaches across one).
NEGATION = re.compile(
    r"(?<!\w)(?:ne|n'|pas|aucun\w*|jamais|sans|ni|non|nullement|not|no|never|nothing|neither|none|nor|without"
    r"|cannot|can'?t|don'?t|didn'?t|doesn'?t|haven'?t|hasn'?t|hadn'?t|won'?t|wasn'?t|weren'?t|isn'?t|aren'?t"
    r"|inutile|no need|nicht|nie|kein\w*|nunca)(?!\w)"
)
NEGATION_AFTER = re.compile(r"\s+(?:pas|plus|jamais|point|nullement|aucunement)\b")
CLAUSE_END = re.compile(
    r"[.,;!?\n:]|\s[-–—]\s|\b(?:mais|but|cependant|however|toutefois|par contre|car|parce que|because|since"
    r"|et|and|puisque|donc|so|alors|sauf|except|aber|pero)\b"
)
NEGATION_REACH = 40  # characters before a phrase where a negation may govern it


@dataclass(frozen=True)
class Phrase:
    intent: str
    rule: str
    weight: int
    negatable: bool
    regex: re.Pattern[str]
    context: re.Pattern[str] | None = None  # needed in the same sentence for the weight; else weight 1
    unless: re.Pattern[str] | None = None  # in the same sentence, the phrase is only a weak hint


def expand(pattern: str) -> str:
    """A table pattern as a regular expression: {families} expanded, a space meaning any whitespace."""
    for _ in range(3):  # families may use families
        pattern = re.sub(r"\{(\w+)\}", lambda match: LEXICON[match.group(1)], pattern)
    return pattern.replace(" ", r"\s+")


def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + expand(pattern) + ")")


def compile_phrases() -> tuple[Phrase, ...]:
    from jalon.handlers.replies.languages import MORE_PHRASES

    compiled = []
    for intent, rows in [*PHRASES.items(), *MORE_PHRASES.items()]:
        for rule, weight, negatable, pattern, *context in rows:
            needed = next((c for c in context if not c.startswith("!")), None)
            unless = next((c[1:] for c in context if c.startswith("!")), None)
            compiled.append(Phrase(intent, f"{intent}.{rule}", weight, negatable, _regex(pattern),
                                   _regex(needed) if needed else None,
                                   _regex(unless) if unless else None))  # fmt: skip
    return tuple(compiled)


def compile_topics() -> dict[str, re.Pattern[str]]:
    from jalon.handlers.replies.languages import MORE_TOPICS

    return {
        topic: _regex(f"{pattern}|{MORE_TOPICS[topic]}" if topic in MORE_TOPICS else pattern)
        for topic, pattern in MISSING_TOPICS.items()
    }
