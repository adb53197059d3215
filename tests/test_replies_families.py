"""Phrase families read by meaning: the same intent in words the labelled sets never used."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage

import pytest

from jalon.handlers.replies import analyze_reply, analyze_text

WEDNESDAY = dt.date(2026, 3, 4)


def intent_of(text: str) -> str:
    return analyze_text(text, reference=WEDNESDAY).intent


@pytest.mark.parametrize(
    "text",
    [
        "Bonjour, votre message m'est bien parvenu, mais sans la facture annoncée.",
        "Hello, your e-mail arrived without any attachment, could you send the invoice?",
        "Bonjour, le mail était vide, juste votre signature.",
        "Hi, I only got the covering text, nothing was attached.",
        "Hi, the PDF cannot be opened. Please send it again.",
    ],
)
def test_a_covering_mail_without_a_readable_invoice_is_not_received(text: str) -> None:
    """The mail came but the invoice did not (no, empty or unreadable attachment): jalon resends at once,
    even when the customer also asks for it again."""
    assert intent_of(text) == "not_received"


@pytest.mark.parametrize(
    "text",
    [
        "J'ai bien eu votre facture en février mais je ne la retrouve plus, pouvez-vous me la renvoyer ?",
        "We did receive this, but I cannot find it anywhere on our system. Could you email a copy?",
    ],
)
def test_an_invoice_received_then_lost_is_a_resend_request(text: str) -> None:
    """The invoice arrived and was usable, but has since been lost or misfiled: a copy is asked."""
    assert intent_of(text) == "resend_request"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("euh 45 couverts facturés on était 38 !! je paie pas ça", "dispute"),
        (
            "Could you resend it?\nWe will never notify you of a change to our bank details by email.",
            "resend_request",
        ),
        ("La facture a été payée le 3 mars. Merci d'envoyer les prochaines à compta@client.fr.", "paid"),
        ("Nous accusons réception ; elle suit désormais notre circuit de validation.", "acknowledged"),
    ],
)
def test_what_looks_like_a_contact_change_or_a_promise_is_read_in_context(text: str, intent: str) -> None:
    """A disclaimer in a signature, a payment with a new address for the next ones, an
    invoice that follows an approval circuit, a refusal in spoken French: each read for what it says."""
    assert intent_of(text) == intent


@pytest.mark.parametrize(
    "text",
    [
        "Bonjour, pouvez-vous me la refaire passer ? Je l'ai supprimée par erreur.",
        "Could you send me that invoice once more please?",
        "hi can u send it over again thx",
    ],
)
def test_asking_for_the_invoice_again_is_a_resend_request(text: str) -> None:
    """Every verb of sending again ("refaire passer", "send once more", "send it over again") asks a copy."""
    assert intent_of(text) == "resend_request"


@pytest.mark.parametrize(
    ("text", "promised"),
    [
        ("Bonjour, le règlement part vendredi.", "2026-03-06"),
        ("The cheque will be in the post on Monday.", "2026-03-09"),
        ("Bonjour, le paiement interviendra en début de semaine prochaine.", "2026-03-09"),
        ("I'll pay next week, Friday at the latest.", "2026-03-06"),
    ],
)
def test_money_in_motion_with_a_date_is_a_promise_with_that_date(text: str, promised: str) -> None:
    """ "Le règlement part vendredi", "cheque will be in the post on Monday": a promise, and its date."""
    analysis = analyze_text(text, reference=WEDNESDAY)
    assert (analysis.intent, analysis.promised_date) == ("promise_to_pay", promised)


def test_a_promise_on_the_due_date_takes_the_due_date_of_the_quoted_invoice() -> None:
    """ "Ce sera réglé à l'échéance": the date is the due date printed in the invoice mail quoted below."""
    message = EmailMessage()
    message["From"] = "compta@client.example"
    message["Subject"] = "RE: Facture FA2026-0412"
    message["Date"] = "Wed, 04 Mar 2026 10:00:00 +0100"
    message.set_content(
        "Bonjour, ce sera réglé à l'échéance.\n\n-----Message d'origine-----\nDe : Facturation\n"
        "Envoyé : lundi 2 mars 2026 09:00\nÀ : Compta\nObjet : Facture FA2026-0412\n\n"
        "Veuillez trouver ci-joint notre facture FA2026-0412.\nMontant TTC : 1 200,00 €\n"
        "Échéance : 1 avril 2026\n"
    )
    analysis = analyze_reply(message)
    assert (analysis.intent, analysis.promised_date) == ("promise_to_pay", "2026-04-01")


@pytest.mark.parametrize(
    "text",
    [
        "Bonjour, la somme a été débitée de notre compte hier.",
        "Bonjour, le mandat a été pris en charge par le comptable public, les fonds ont dû vous parvenir.",
        "Hi, it should be in your account by now.",
    ],
)
def test_a_payment_said_made_in_other_words_is_paid(text: str) -> None:
    """Debited, taken in charge by the treasury, "should be in your account by now": payment announced."""
    assert intent_of(text) == "paid"


@pytest.mark.parametrize(
    "text",
    [
        "Bonjour, nous ne règlerons donc pas ces frais de déplacement non prévus.",
        "The daily rate is higher than the rate in our framework agreement.",
        "Bonjour, la TVA a été facturée à 20 % alors que ces formations en sont exonérées.",
        "Hello, the discount agreed in our quote has not been applied.",
        "nope, wrong. we cancelled that order last month.",
        "c pas le bon montant, on avait dit 450 euros",
        "Nous ne réglerons pas cette facture tant que les réserves ne sont pas levées ; l'acompte est payé.",
        "We will not pay the balance until the heating works; we have paid the deposit.",
    ],
)
def test_refusing_or_objecting_to_what_is_billed_is_a_dispute(text: str) -> None:
    """A refusal, a rate above the contract, a wrong VAT rate, a forgotten discount, a cancelled order."""
    assert intent_of(text) == "dispute"


@pytest.mark.parametrize(
    "text",
    [
        "Bonjour, le bon de livraison n'était pas joint. Sans celui-ci, nous ne pouvons pas valider.",
        "Could you send over the signed proof of delivery? We won't approve the invoice without it.",
        "Bonjour, pourriez-vous nous préciser le numéro de bon de commande ?",
    ],
)
def test_asking_for_a_document_or_reference_is_missing_info(text: str) -> None:
    """A document or reference asked for, or said missing in the sentence before: missing_info."""
    assert intent_of(text) == "missing_info"


def test_a_lasting_request_to_copy_or_send_elsewhere_is_a_contact_change() -> None:
    """ "Mettez ma comptable en copie", "à partir du 1er avril… à", "ne m'envoyez plus": contact changes,
    with the new address read from the sentence that asks it."""
    copy = analyze_text("Merci de mettre désormais mon comptable en copie (expert@cabinet.example).")
    later = analyze_text("From 1st of April our invoices shall be sent to ap@group.example please.")
    stop = analyze_text("Ne m'envoyez plus les factures : c'est désormais Paul (paul.roy@client.example).")
    assert [a.intent for a in (copy, later, stop)] == ["contact_change"] * 3
    assert [a.new_contact for a in (copy, later, stop)] == [
        "expert@cabinet.example",
        "ap@group.example",
        "paul.roy@client.example",
    ]


def test_asking_whether_the_suppliers_bank_details_changed_is_a_question_not_a_change() -> None:
    """ "Votre RIB a-t-il changé ?" checks the supplier's details (a fraud check): a question, never a
    contact change that a human would have to approve."""
    assert intent_of("Bonjour, votre RIB a-t-il changé ? Il diffère de celui de notre fichier.") == "question"


def test_an_acknowledgement_with_anything_else_acts_on_the_anything_else() -> None:
    """ "Bien reçu" and a question, or a new address: the question or the change is what needs acting on."""
    assert intent_of("Bien reçu. Petite question : acceptez-vous les virements instantanés ?") == "question"
    assert intent_of("Bien reçu. Pour les prochaines, utilisez factures@client.example.") == "contact_change"
    assert intent_of("Bien reçu, merci, je transmets à la comptabilité.") == "acknowledged"


def test_no_need_to_resend_because_we_have_it_is_an_acknowledgement() -> None:
    """ "No need to resend - we have it": the negation stops at the dash; the invoice is acknowledged."""
    assert intent_of("No need to resend - we have it, thanks.") == "acknowledged"


def test_asking_whether_paying_in_instalments_is_possible_is_a_question() -> None:
    """ "C'est possible de payer en 3 fois ?" asks; it promises nothing yet."""
    assert intent_of("Bonjour, c'est possible de payer en 3 fois ?") == "question"
