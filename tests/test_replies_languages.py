"""Customers abroad answer in their own language: German, Spanish and Italian replies are read too."""

from __future__ import annotations

import datetime as dt

import pytest

from jalon.handlers.replies import analyze_text

REFERENCE = dt.date(2026, 11, 20)

SAID = [
    # German
    ("Guten Tag, wir haben Ihre Rechnung leider nicht erhalten.", "not_received"),
    ("Die Rechnung F-2026-0142 ist bei uns nie angekommen.", "not_received"),
    ("Bitte senden Sie uns eine Kopie der Rechnung.", "resend_request"),
    ("Können Sie die Rechnung bitte noch einmal schicken?", "resend_request"),
    (
        "Auf der Rechnung fehlt unsere Bestellnummer. Ohne Bestellnummer können wir nicht buchen.",
        "missing_info",
    ),
    ("Wir beanstanden diese Rechnung: die Menge stimmt nicht mit dem Lieferschein überein.", "dispute"),
    ("Der Betrag ist falsch, wir widersprechen der Rechnung.", "dispute"),
    ("Bitte ergänzen Sie die Bestellnummer auf der Rechnung.", "missing_info"),
    ("Die Rechnung wurde bereits am 10.11. bezahlt.", "paid"),
    ("Wir haben den Betrag gestern überwiesen.", "paid"),
    ("Wir werden die Rechnung bis zum 15.12.2026 begleichen.", "promise_to_pay"),
    ("Die Zahlung erfolgt nächste Woche.", "promise_to_pay"),
    # Spanish
    ("Buenos días, no hemos recibido la factura.", "not_received"),
    ("La factura nunca nos ha llegado.", "not_received"),
    ("¿Podrían reenviar la factura, por favor?", "resend_request"),
    ("Falta el número de pedido en la factura, sin él no podemos tramitarla.", "missing_info"),
    ("No estamos de acuerdo con el importe, la factura es incorrecta.", "dispute"),
    ("La factura ya fue pagada el 5 de noviembre.", "paid"),
    ("Hemos realizado la transferencia esta mañana.", "paid"),
    ("Pagaremos la factura el 15/12/2026.", "promise_to_pay"),
    # Italian
    ("Buongiorno, non abbiamo ricevuto la fattura.", "not_received"),
    ("Potete inviarci una copia della fattura?", "resend_request"),
    ("Nella fattura manca il numero d'ordine.", "missing_info"),
    ("Contestiamo la fattura: il prezzo è sbagliato.", "dispute"),
    ("La fattura è già stata pagata.", "paid"),
    ("Abbiamo effettuato il bonifico ieri.", "paid"),
    ("Provvederemo al pagamento entro il 15/12/2026.", "promise_to_pay"),
    # received, a new address, a question, a dispute, a promise in the passive future
    ("Vielen Dank, Rechnung erhalten.", "acknowledged"),
    ("Recibida, gracias.", "acknowledged"),
    ("Ricevuta, grazie.", "acknowledged"),
    ("Bitte senden Sie Rechnungen künftig an rechnungen@kunde.de.", "contact_change"),
    ("Können Sie mir sagen, welche Bankverbindung wir verwenden sollen?", "question"),
    ("¿A qué corresponde la línea de gastos de envío?", "question"),
    ('Potete spiegarci la voce "spese di trasporto"?', "question"),
    ("No estamos conformes con el importe facturado.", "dispute"),
    ("La factura se abonará a final de mes.", "promise_to_pay"),
    ("La fattura sarà saldata a fine mese.", "promise_to_pay"),
    # the passive, in the past: a payment made
    ("Las facturas FA-1050 y FA-1051 fueron pagadas el 20/11.", "paid"),
    ("El pago fue realizado el 20 de noviembre.", "paid"),
    ("Il bonifico è stato effettuato il 20 novembre.", "paid"),
    ("Die Zahlung ist am 20.11. erfolgt.", "paid"),
]

NOT_SAID = [
    # the negated or the future is not the fact
    ("Wir haben die Rechnung noch nicht bezahlt.", "paid"),
    ("Die Rechnung ist angekommen, vielen Dank.", "not_received"),
    ("No hemos pagado todavía la factura.", "paid"),
    ("Hemos recibido la factura, gracias.", "not_received"),
    ("Non abbiamo ancora pagato la fattura.", "paid"),
    ("Abbiamo ricevuto la fattura, grazie.", "not_received"),
    ("Wir werden die Rechnung nächste Woche bezahlen.", "paid"),
    ("Para no recibir más notificaciones de este tema, haga clic aquí.", "not_received"),
    ("El pago no fue realizado todavía.", "paid"),
    ("Wir haben die Rechnung nicht erhalten.", "acknowledged"),
    ("No hemos recibido la factura.", "acknowledged"),
    ("Il pagamento non è stato effettuato.", "paid"),
]


@pytest.mark.parametrize(("text", "intent"), SAID, ids=[t[:40] for t, _ in SAID])
def test_a_reply_in_german_spanish_or_italian_is_read_for_what_it_says(text: str, intent: str) -> None:
    """The ADV team abroad gets the same actions as for a French reply."""
    assert analyze_text(text, reference=REFERENCE).intent == intent


@pytest.mark.parametrize(("text", "intent"), NOT_SAID, ids=[t[:40] for t, _ in NOT_SAID])
def test_a_negation_or_a_future_in_those_languages_is_not_taken_for_the_fact(text: str, intent: str) -> None:
    """'Noch nicht bezahlt' is no payment; 'la factura ha llegado' is no missing invoice."""
    assert analyze_text(text, reference=REFERENCE).intent != intent


def test_a_promise_in_german_gives_its_date() -> None:
    """The promised date pauses the reminders until then, whatever the language."""
    said = analyze_text("Wir werden die Rechnung bis zum 15.12.2026 begleichen.", reference=REFERENCE)
    assert str(said.promised_date).startswith("2026-12-15")


NOVEMBER_20 = dt.date(2024, 11, 20)
PROMISES = [
    ("La factura se pagará el 30 de noviembre.", "2024-11-30"),
    ("El pago se realizará el 15 de diciembre.", "2024-12-15"),
    ("Pagaremos la factura a finales de mes.", "2024-11-30"),
    ("Il pagamento verrà effettuato il 20/12.", "2024-12-20"),
    ("Il pagamento sarà effettuato il 15 dicembre.", "2024-12-15"),
    ("Pagheremo la fattura entro fine mese.", "2024-11-30"),
    ("Wir überweisen den Betrag bis spätestens 6. Dezember.", "2024-12-06"),
    ("Die Zahlung erfolgt Ende des Monats.", "2024-11-30"),
    ("Wir werden innerhalb von 10 Tagen zahlen.", "2024-11-30"),
    ("Nous réglerons à 60 jours fin de mois.", "2025-01-31"),
    ("Paiement le 5/12/24.", "2024-12-05"),
    ("We will pay by 12/06.", "2024-12-06"),
    # a weekday of next week, a part of next month, the year's end, before Christmas (written on a Wednesday)
    ("Wir zahlen nächsten Freitag.", "2024-11-29"),
    ("Wir überweisen den Betrag in 14 Tagen.", "2024-12-04"),
    ("Wir zahlen bis Ende nächster Woche.", "2024-11-29"),
    ("Die Zahlung erfolgt Anfang nächsten Monats.", "2024-12-10"),
    ("Wir begleichen die Rechnung bis Jahresende.", "2024-12-31"),
    ("Pagaremos el próximo viernes.", "2024-11-29"),
    ("Pagaremos a principios del mes que viene.", "2024-12-10"),
    ("Il pagamento verrà effettuato venerdì prossimo.", "2024-11-29"),
    ("Payment is scheduled for early next month.", "2024-12-10"),
    ("We will pay before Christmas.", "2024-12-24"),
    ("Nous réglerons avant la fin de l'année.", "2024-12-31"),
]


@pytest.mark.parametrize(("text", "day"), PROMISES, ids=[t[:40] for t, _ in PROMISES])
def test_a_promise_gives_the_day_the_customer_means(text: str, day: str) -> None:
    """Reminders pause until the day said, in any of these languages and forms (written on 20 November)."""
    said = analyze_text(text, reference=NOVEMBER_20)
    assert (said.intent, str(said.promised_date)) == ("promise_to_pay", day)


def test_a_payment_already_made_on_a_date_is_no_promise() -> None:
    """'Déjà réglée par virement le 28/02': paid, even when the day without a year could fall ahead."""
    said = analyze_text("Déjà réglée par virement le 28/02.", reference=dt.date(2025, 2, 10))
    assert said.intent == "paid"


def test_the_language_of_the_reply_is_named() -> None:
    """The case shows in which language the customer wrote: the person answering knows whom to ask."""
    said = {
        "de": "Guten Tag, wir haben Ihre Rechnung leider nicht erhalten. Mit freundlichen Grüßen",
        "es": "Buenos días, no hemos recibido la factura. Saludos cordiales",
        "it": "Buongiorno, non abbiamo ricevuto la fattura. Cordiali saluti",
        "fr": "Bonjour, nous n'avons pas reçu la facture. Cordialement",
        "en": "Hello, we have not received the invoice. Kind regards",
    }
    assert {code: analyze_text(text).language for code, text in said.items()} == {c: c for c in said}


def test_invoice_numbers_are_found_after_the_german_spanish_and_italian_words_for_invoice() -> None:
    """'Rechnung Nr. 2025-1050', 'factura núm. 2025-88', 'fattura n. 2025/123', 'Rechnungen 4711 und 4712':
    the invoices a reply names, whatever its language; an order number ('Bestellung Nr.') is not one."""
    named = {
        "Die Rechnung Nr. 2025-1050 wurde bereits bezahlt.": ["2025-1050"],
        "La factura núm. 2025-88 ya está pagada.": ["2025-88"],
        "La fattura n. 2025/123 è stata pagata.": ["2025/123"],
        "Bitte senden Sie die Rechnungen 4711 und 4712 erneut.": ["4711", "4712"],
        "Die Bestellung Nr. 4500012345 fehlt auf der Rechnung 2025-77.": ["2025-77"],
    }
    for text, numbers in named.items():
        assert analyze_text(text).invoice_numbers == numbers, text


def test_what_is_missing_is_named_in_german_spanish_and_italian() -> None:
    """'Die Bestellnummer fehlt', 'Es fehlt der Lieferschein', 'Falta el albarán firmado', 'Manca la bolla':
    the case says what the customer wants added; a 'fehlt nichts' after a payment asks for nothing."""
    said = {
        "Die Bestellnummer fehlt auf der Rechnung.": ["purchase_order"],
        "Es fehlt der Lieferschein, bitte nachreichen.": ["supporting_document"],
        "Die Anschrift fehlt auf der Rechnung.": ["address"],
        "Falta el número de pedido en la factura.": ["purchase_order"],
        "Falta el albarán firmado.": ["supporting_document"],
        "Manca il numero d'ordine sulla fattura.": ["purchase_order"],
        "Manca la bolla di consegna.": ["supporting_document"],
    }
    for text, missing in said.items():
        analysis = analyze_text(text, reference=REFERENCE)
        assert (analysis.intent, analysis.missing) == ("missing_info", missing), text
    assert (
        analyze_text("Die Rechnung 2025-77 ist bezahlt, es fehlt nichts.", reference=REFERENCE).intent
        == "paid"
    )
