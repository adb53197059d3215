"""The new text of a customer's reply: quoted originals, attributions, signatures and disclaimers removed."""

from __future__ import annotations

import email
import email.policy
import json
import re
from email.message import EmailMessage

from conftest import corpus

from jalon.handlers.quotes import html_to_text, new_text, strip_quotes

ORIGINAL_FR = (
    "Bonjour,\nVeuillez trouver ci-joint la facture F-2025-0142.\nCordialement,\nService facturation"
)
ORIGINAL_EN = "Hello,\nPlease find attached invoice INV-2025-0142.\nRegards,\nBilling"


def quoted(text: str) -> str:
    return "\n".join("> " + line for line in text.split("\n"))


def test_gmail_french_attribution_with_any_space_before_the_colon() -> None:
    """Gmail writes "a écrit :" with a plain, a no-break or a narrow no-break space: all three are cut."""
    for space in (" ", "\u00a0", "\u202f"):
        body = (
            "Nous n'avons pas reçu la facture, merci de la renvoyer.\n\n"
            f"Le lun. 3 mars 2025 à 10:12, Factures <factures@jalon.example> a écrit{space}:\n"
            f"{quoted(ORIGINAL_FR)}\n"
        )
        assert strip_quotes(body) == "Nous n'avons pas reçu la facture, merci de la renvoyer."


def test_attribution_wrapped_over_two_lines_is_cut_whole() -> None:
    """A long "Le … a écrit :" wrapped after the '<' leaves no half line behind."""
    body = (
        "Paiement prévu fin mars.\n\nLe lun. 3 mars 2025 à 10:12, Factures Jalon <\n"
        f"factures@jalon.example> a écrit :\n{quoted(ORIGINAL_FR)}\n"
    )
    assert strip_quotes(body) == "Paiement prévu fin mars."


def test_outlook_header_blocks_in_french_and_english() -> None:
    """Outlook quotes the original unmarked under De/Envoyé/À/Objet or From/Sent/To/Subject."""
    french = (
        "Il manque le bon de commande.\n\n________________________________\n"
        "De\u00a0: Factures <f@jalon.example>\nEnvoyé\u00a0: lundi 3 mars 2025 10:12\n"
        "À\u00a0: compta@client.example\nObjet\u00a0: Facture F-2025-0142\n\n" + ORIGINAL_FR
    )
    english = (
        "Invoice not received, please resend.\n\nFrom: Billing <b@jalon.example>\n"
        "Sent: Monday, March 3, 2025 10:12 AM\nTo: ap@client.example\nSubject: Invoice INV-2025-0142\n\n"
        + ORIGINAL_EN
    )
    assert strip_quotes(french) == "Il manque le bon de commande."
    assert strip_quotes(english) == "Invoice not received, please resend."


def test_original_message_separators() -> None:
    """ "-----Message d'origine-----" and "-----Original Message-----" end the new text."""
    for separator in (
        "-----Message d'origine-----",
        "-------- Message d'origine --------",
        "-----Original Message-----",
    ):
        header = "De : Factures\nEnvoyé : lundi\nÀ : moi\nObjet : F-1"
        body = f"Déjà réglée le 28/02.\n\n{separator}\n{header}\n\n{ORIGINAL_FR}"
        assert strip_quotes(body) == "Déjà réglée le 28/02."


def test_english_on_wrote_and_bottom_posting() -> None:
    """ "On … wrote:" above '>' quotes is cut; text written below the quote (bottom posting) is kept."""
    attribution = "On Mon, Mar 3, 2025 at 10:12 AM Billing <b@jalon.example> wrote:"
    top = f"We already paid this.\n\n{attribution}\n{quoted(ORIGINAL_EN)}"
    bottom = f"{attribution}\n{quoted(ORIGINAL_EN)}\n\nNot received, sorry."
    assert strip_quotes(top) == "We already paid this."
    assert strip_quotes(bottom) == "Not received, sorry."


def test_interleaved_reply_keeps_only_the_customers_lines() -> None:
    """An answer written between quoted lines keeps the answer and drops every quoted line."""
    body = (
        "Bonjour,\n\nLe 03/03/2025 à 10:12, Factures a écrit :\n> Veuillez trouver la facture.\n\n"
        "Pas reçue !\n\n> Cordialement"
    )
    assert strip_quotes(body) == "Bonjour,\n\nPas reçue !"


def test_mobile_signatures_and_disclaimers_are_dropped() -> None:
    """ "Envoyé de mon iPhone", "Sent from my iPhone" and a legal disclaimer are not the customer's words."""
    attribution = "> Le 3 mars 2025 à 10:12, F <f@x.fr> a écrit :"
    iphone = f"Paiement programmé le 15/03.\n\nEnvoyé de mon iPhone\n\n{attribution}\n{quoted(ORIGINAL_FR)}"
    disclaimer = (
        "Merci de renvoyer la facture.\n\nCe message et toutes les pièces jointes sont confidentiels et "
        "établis à l'intention exclusive de ses destinataires."
    )
    assert strip_quotes(iphone) == "Paiement programmé le 15/03."
    assert strip_quotes(disclaimer) == "Merci de renvoyer la facture."
    assert strip_quotes("Paid yesterday.\n\nSent from my iPhone") == "Paid yesterday."


def test_signature_block_after_the_closing_goes_but_a_ps_stays() -> None:
    """Title, company and phone under "Cordialement" go (they would mislead the readers); a P.S. stays."""
    body = (
        "Bonjour,\n\nFacture bien reçue.\n\nCordialement,\nJean Dupont\nResponsable comptable\nACME SAS\n"
        "Tél : 01 23 45 67 89\n\nPS : nouvelle adresse de facturation compta@acme.example"
    )
    text = strip_quotes(body)
    assert "01 23 45 67 89" not in text and "Responsable comptable" not in text
    assert text.startswith("Bonjour,\n\nFacture bien reçue.\n\nCordialement,")
    assert "PS : nouvelle adresse de facturation compta@acme.example" in text


def test_a_short_reply_that_looks_like_a_signature_is_kept() -> None:
    """A two-line reply is not mistaken for a signature block."""
    assert strip_quotes("Bonjour,\n\nPas reçu\nMerci") == "Bonjour,\n\nPas reçu\nMerci"
    assert strip_quotes("Ma nouvelle adresse : compta@client.example\nMerci") == (
        "Ma nouvelle adresse : compta@client.example\nMerci"
    )


def test_html_only_reply_keeps_blockquotes_as_quotes() -> None:
    """An HTML-only Gmail or Outlook reply is rendered to text, and its quoted part is still removed."""
    gmail = (
        '<div dir="ltr">Merci, <b>bien reçu</b>.</div><div class="gmail_quote"><div class="gmail_attr">'
        "Le lun. 3 mars 2025 à 10:12, F &lt;f@x.fr&gt; a écrit&nbsp;:<br></div><blockquote><p>"
        "Veuillez trouver ci-joint la facture.</p></blockquote></div>"
    )
    outlook = (
        "<html><body><p>Not received.</p><hr><div id='divRplyFwdMsg'><b>From:</b> Billing<br>"
        "<b>Sent:</b> Monday<br><b>To:</b> ap<br><b>Subject:</b> Invoice</div>"
        "<p>Please find attached invoice.</p></body></html>"
    )
    assert html_to_text(gmail).startswith("Merci, bien reçu.")
    assert "> Veuillez trouver" in html_to_text(gmail)
    assert strip_quotes(html_to_text(gmail)) == "Merci, bien reçu."
    assert strip_quotes(html_to_text(outlook)) == "Not received."


def test_new_text_of_a_message_prefers_plain_text_and_reads_html_only_mail() -> None:
    """From a message: the plain part when there is one, else the HTML part, never an attachment."""
    both = EmailMessage()
    both.set_content("Bien reçu.\n\nLe 03/03/2025 à 10:12, F a écrit :\n> Facture jointe")
    both.add_alternative("<p>Texte HTML différent</p>", subtype="html")
    both.add_attachment(
        "Pas reçu (dans la PJ)".encode(), maintype="text", subtype="plain", filename="note.txt"
    )
    html_only = EmailMessage()
    html_only.set_content(
        "<p>Nous contestons cette facture.</p><blockquote>Facture</blockquote>", subtype="html"
    )
    assert new_text(both) == "Bien reçu."
    assert new_text(html_only) == "Nous contestons cette facture."


def test_latin1_and_mislabelled_charsets_are_read() -> None:
    """A Windows-1252 body labelled ISO-8859-1, and UTF-8 labelled Latin-1, both read as the sender wrote."""
    raw_cp1252 = (
        b"Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\n"
        b"Pay\xe9 le 3 mars \x96 merci.\n"
    )
    raw_utf8 = b"Content-Type: text/plain; charset=iso-8859-1\n\n" + "Payé le 3 mars.".encode()
    unknown = b"Content-Type: text/plain; charset=x-made-up\n\n" + "Reçu.".encode()
    for raw, expected in (
        (raw_cp1252, "Payé le 3 mars – merci."),
        (raw_utf8, "Payé le 3 mars."),
        (unknown, "Reçu."),
    ):
        message = email.message_from_bytes(raw, policy=email.policy.compat32)
        assert new_text(message) == expected


# --- shared corpora: pass rates printed, and a floor ------------------------------------------------------


def _normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_jalon_probe_invoice_replies() -> None:
    """The synthetic French and English invoice replies: the new text keeps the answer, never the original."""
    cases = json.loads((corpus("replies", "jalon_probe") / "synthetic_fr_en_cases.json").read_text())
    passed = [
        case["id"]
        for case in cases
        if case["new_text_must_contain"] in strip_quotes(case["text"])
        and case["quoted_marker_must_not_appear"] not in strip_quotes(case["text"])
    ]
    print(f"\njalon_probe: {len(passed)}/{len(cases)} pass")
    assert len(passed) == len(cases), sorted({case["id"] for case in cases} - set(passed))


def test_discourse_trimmer_expectations() -> None:
    """discourse/email_reply_trimmer's expected trimmed texts, compared with whitespace normalised.

    A few of its expectations keep '>' quoted lines (it keeps a quote when the message is only a quote, or an
    interleaved reply); jalon never returns quoted lines, by design. The pass rate is printed.
    """
    root = corpus("replies", "discourse_email_reply_trimmer")
    names = sorted(path.name for path in (root / "emails").glob("*.txt"))
    exact = [
        name
        for name in names
        if _normalised(strip_quotes((root / "emails" / name).read_text()))
        == _normalised((root / "trimmed" / name).read_text())
    ]
    without_quotes = [
        name
        for name in names
        if _normalised(strip_quotes((root / "emails" / name).read_text()))
        == _normalised(strip_quotes((root / "trimmed" / name).read_text()))
    ]
    print(
        f"\ndiscourse: {len(exact)}/{len(names)} exact, {len(without_quotes)}/{len(names)} once the expected"
        " text also loses its '>' lines"
    )
    assert len(exact) >= 0.85 * len(names)


def test_talon_standard_client_replies() -> None:
    """mailgun/talon's replies from twelve real clients: the new text is "Hello" (or the file next to it)."""
    root = corpus("replies", "talon", "standard_replies")
    results = {}
    for path in sorted(root.glob("*.eml")):
        expected_file = path.with_name(path.stem + "_reply_text")
        expected = expected_file.read_text().strip() if expected_file.exists() else "Hello"
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.compat32)
        results[path.name] = new_text(message) == strip_quotes(expected)
    print(f"\ntalon standard replies: {sum(results.values())}/{len(results)}")
    assert all(results.values()), [name for name, ok in results.items() if not ok]


def test_talon_html_replies() -> None:
    """talon's HTML replies (Gmail, Outlook 2003-2010, Thunderbird…): only "Hi. I am fine. Thanks, Alex"."""
    root = corpus("replies", "talon", "html_replies")
    results = {
        path.name: _normalised(strip_quotes(html_to_text(path.read_text(errors="replace"))))
        == "Hi. I am fine. Thanks, Alex"
        for path in sorted(root.glob("*.html"))
    }
    print(f"\ntalon html replies: {sum(results.values())}/{len(results)}")
    assert sum(results.values()) >= len(results) - 1, [name for name, ok in results.items() if not ok]


def test_every_corpus_message_is_read_without_error() -> None:
    """All 263 reply-parser messages, text, HTML and .eml, go through without an exception."""
    root = corpus("replies")
    count = 0
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.suffix in (".md", ".csv", ".json") or path.name == "LICENSE":
            continue
        if path.suffix == ".eml":
            new_text(email.message_from_bytes(path.read_bytes(), policy=email.policy.compat32))
        elif path.suffix == ".html":
            strip_quotes(html_to_text(path.read_text(errors="replace")))
        else:
            strip_quotes(path.read_text(errors="replace"))
        count += 1
    assert count >= 250
