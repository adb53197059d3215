"""The mails jalon writes by hand parse back, in any mail reader, to exactly what was meant to be sent."""

from __future__ import annotations

import email
import email.policy
import os

from jalon.config import load_dict
from jalon.mailbox.compose import FileToSend, build_message, compose_invoice_mail

SETTINGS = load_dict(
    {"gateway": {"domain": "jalon.test", "company_name": "Société Générale d'Équipements, S.A."}}
)


def parsed(data: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)  # type: ignore[return-value]


def test_an_invoice_mail_reads_back_with_its_names_subject_bodies_and_files_intact() -> None:
    """Accents in the company, the contact, the subject and the file names; a binary PDF of every byte value:
    the customer's mail reader shows them as written and saves the very bytes jalon attached."""
    pdf = os.urandom(120_000) + bytes(range(256))
    subject = "Votre facture F2026-0001 — 1 234,56 € à régler avant le 12/04/2026, merci de votre confiance"
    delivery_note = "BL n°4521 — livraison du 3 mars, entrepôt de Saint-Étienne (version signée).pdf"
    composed = build_message(
        SETTINGS,
        to="ap@client.test",
        to_name="Hélène O'Brien-Dupont",
        subject=subject,
        text="Bonjour,\n\nVoici la facture.\nLien : https://portal.jalon.test/i/" + "a" * 120 + "\n",
        html="<p>Bonjour,</p><p>Voici la facture à régler.</p>",
        token="Tok3n_x",
        files=[
            FileToSend("F2026-0001.pdf", "application/pdf", pdf),
            FileToSend(delivery_note, "application/pdf", b"%PDF-1.7 note"),
        ],
        read_receipt=True,
        references=["<first.1@jalon.test>"],
        in_reply_to="<first.1@jalon.test>",
    )
    message = parsed(composed.data)
    assert str(message["Subject"]) == subject
    assert b"Subject: Votre facture F2026-0001" in composed.data, (
        "ASCII words stay searchable in the raw mail"
    )
    assert message["To"].addresses[0].display_name == "Hélène O'Brien-Dupont"
    assert message["To"].addresses[0].addr_spec == "ap@client.test"
    assert message["From"].addresses[0].display_name == "Société Générale d'Équipements, S.A."
    assert message["Message-ID"] == composed.message_id
    assert message["Reply-To"] == message["Disposition-Notification-To"] == "reply+Tok3n_x@jalon.test"
    assert message["In-Reply-To"] == message["References"] == "<first.1@jalon.test>"
    assert message.get_body(("plain",)).get_content().endswith("/i/" + "a" * 120 + "\n")
    assert "à régler" in message.get_body(("html",)).get_content()
    files = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
    assert files == {"F2026-0001.pdf": pdf, delivery_note: b"%PDF-1.7 note"}
    assert not message.defects and all(not part.defects for part in message.walk())


def test_every_line_is_seven_bit_and_short_enough_for_any_relay() -> None:
    """No relay needs 8BITMIME to carry jalon's mail, and no line passes RFC 5322's 78 characters."""
    composed = build_message(
        SETTINGS,
        to="ap@client.test",
        to_name="Åsa Ångström",
        subject=("Relance : facture très en retard " * 4).strip(),
        text="Ligne très longue " * 30 + "\n",
        html=None,
        token="t0k",
        files=[FileToSend("é" * 90 + ".pdf", "application/pdf", os.urandom(5000))],
    )
    assert all(byte < 128 for byte in composed.data)
    assert max(len(line) for line in composed.data.split(b"\n")) <= 78
    message = parsed(composed.data)
    assert str(message["Subject"]) == ("Relance : facture très en retard " * 4).strip()
    assert next(message.iter_attachments()).get_filename() == "é" * 90 + ".pdf"


def test_a_line_break_in_a_value_cannot_add_a_header() -> None:
    """A contact name or subject carrying CR/LF (a forged directory entry) stays inside its own header."""
    composed = build_message(
        SETTINGS,
        to="ap@client.test",
        to_name="Eve\r\nBcc: victim@elsewhere.test",
        subject="Facture\nBcc: victim@elsewhere.test",
        text="x",
        html=None,
        token=None,
    )
    message = parsed(composed.data)
    assert message["Bcc"] is None
    assert "victim@elsewhere.test" in str(message["Subject"])


def test_a_plain_text_mail_without_files_is_a_single_part() -> None:
    """A reminder with no HTML and no file is a plain text/plain mail, readable as is."""
    composed = build_message(
        SETTINGS, to="ap@client.test", subject="Reminder", text="Hello,\nplease pay.\n", html=None, token="t"
    )
    message = parsed(composed.data)
    assert message.get_content_type() == "text/plain" and not message.is_multipart()
    assert message.get_content() == "Hello,\nplease pay.\n"
    assert b"Content-Transfer-Encoding: 7bit" in composed.data


def test_the_invoice_mail_template_goes_out_with_the_invoice_first() -> None:
    """The rendered invoice mail carries its link in the text and the invoice as the first attachment."""
    composed = compose_invoice_mail(
        SETTINGS,
        token="AbC123",
        recipient="ap@client.test",
        language="fr",
        invoice={
            "number": "F2026-0042",
            "doc_type": "invoice",
            "issue_date": None,
            "due_date": None,
            "total_with_vat": None,
            "currency": "EUR",
            "purchase_order": None,
        },
        link="https://portal.jalon.test/i/AbC123",
        files=[
            FileToSend("F2026-0042.pdf", "application/pdf", b"%PDF-1.7 invoice"),
            FileToSend("timesheet.pdf", "application/pdf", b"%PDF-1.7 timesheet"),
        ],
    )
    message = parsed(composed.data)
    assert "F2026-0042" in str(message["Subject"])
    assert "https://portal.jalon.test/i/AbC123" in message.get_body(("plain",)).get_content()
    names = [part.get_filename() for part in message.iter_attachments()]
    assert names == ["F2026-0042.pdf", "timesheet.pdf"]
    assert composed.mail_from == "bounces+AbC123@jalon.test" and composed.envid == "AbC123"
