"""Read receipts, auto-replies (with or without headers), complaints, invoices and replies are told apart."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from jalon.handlers.classify import Classification, classify

DATA = Path(__file__).parent / "data" / "bounces"
DOMAIN = "acme-industrie.fr"


def read(name: str, **envelope: object) -> Classification:
    return classify((DATA / name).read_bytes(), domain=DOMAIN, **envelope)  # type: ignore[arg-type]


@pytest.mark.parametrize("disposition", ["displayed", "deleted", "denied"])
def test_a_read_receipt_says_what_the_recipient_did(disposition: str) -> None:
    """As sales administration, an MDN tells me if the invoice mail was opened, deleted unread or refused."""
    result = read(f"mdn-{disposition}.eml")
    assert result.kind == "read_receipt"
    assert result.disposition == disposition
    assert [(r["address"], r["action"], r["hard"]) for r in result.recipients] == [
        ("compta@client-exemple.fr", disposition, False)
    ]
    assert (
        result.correlation["original_message_id"] == "<jalon.Dq1wE3rT5yU7iO9p.1742890000@acme-industrie.fr>"
    )


def test_a_french_holiday_reply_without_any_header_is_an_autoreply() -> None:
    """As the gateway, "je suis en congés du 4 au 22 août" is a machine speaking, not the customer."""
    result = read("fr-conges-sans-entete.eml", rcpt_tos=[f"reply+Bn4vC6xZ8qW1eR3t@{DOMAIN}"])
    assert result.kind == "autoreply"
    assert result.rules_hit[0] == "autoreply_wording"
    assert result.intent is None
    assert result.left_company is False
    assert result.correlation["verp_token"] == "Bn4vC6xZ8qW1eR3t"
    assert result.correlation["in_reply_to"] == "<jalon.Bn4vC6xZ8qW1eR3t.1754287200@acme-industrie.fr>"


def test_a_french_absence_notice_in_html_is_an_autoreply() -> None:
    """As the gateway, an HTML-only "Absence :" notice with a return date is an auto-reply."""
    result = read("fr-absence-sans-entete.eml")
    assert result.kind == "autoreply"
    assert any("serai de retour" in e or "absente" in e for e in result.evidence)


def test_someone_who_left_the_company_opens_a_contact_fix_with_the_new_address() -> None:
    """As sales administration, "ne fait plus partie de la société" flags the contact and offers the address
    to    write to instead (a human approves the change)."""
    french = read("fr-ne-fait-plus-partie.eml")
    english = read("en-no-longer-with.eml")
    assert (french.kind, english.kind) == ("autoreply", "autoreply")
    assert french.left_company and english.left_company
    assert french.new_contact == "comptabilite@cave-des-coteaux.fr"
    assert english.new_contact == "accounts.payable@northwind-traders.example"


def test_a_colleague_saying_someone_left_above_our_quoted_mail_is_a_reply() -> None:
    """As sales administration, a person who writes "David is no longer with the company, send to me" while
    quoting our invoice mail is answering (a contact change for a human to approve), not an auto-reply."""
    result = read("en-colleague-left-reply.eml")
    assert result.kind == "reply"
    assert "autoreply_wording" not in result.rules_hit
    assert result.intent == "contact_change"
    assert result.new_contact == "finance@ward-partners.example"


def test_an_rfc3834_out_of_office_is_not_a_customer_answer() -> None:
    """As the gateway, Auto-Submitted / X-Autoreply headers make an auto-reply whatever the text says."""
    result = read("en-out-of-office.eml")
    assert result.kind == "autoreply"
    assert result.left_company is False
    assert any(e.startswith("Auto-Submitted") for e in result.evidence)


def test_a_customer_reply_quoting_our_automatic_mail_stays_a_reply() -> None:
    """As the gateway, a customer answering "pas reçu" above our quoted mail (which says "message
    automatique")    is a human reply, analysed for its intent."""
    result = read("fr-reponse-pas-recu.eml", rcpt_tos=[f"reply+Vb6nM8qW0eR2tY4u@{DOMAIN}"])
    assert result.kind == "reply"
    assert "autoreply_wording" not in result.rules_hit
    assert result.correlation["verp_token"] == "Vb6nM8qW0eR2tY4u"
    assert result.correlation["verp_source"] == "envelope reply+"
    assert "FA-2025-0195" in result.correlation["invoice_numbers"]
    assert result.intent == "not_received"  # filled by the reply analyser


def test_a_customer_forwarding_our_mail_with_failure_words_is_not_a_bounce() -> None:
    """As the gateway, a person who forwards our mail saying it "could not be delivered" to their accounting
    team is talking to us: their address must not be marked as bouncing."""
    original = (DATA / "fr-non-remis-exim.eml").read_bytes().split(b"------ Ceci est une copie", 1)[0]
    raw = (
        b"From: Paul Henry <p.henry@client-exemple.fr>\nTo: reply+Xy7Zw3Vu5Ts1@acme-industrie.fr\n"
        b"Subject: TR: Facture FA-2025-0170\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=F\n\n"
        b"--F\nContent-Type: text/plain; charset=utf-8\n\n"
        b"Bonjour, votre facture could not be delivered to our accounting team, it was not delivered to the "
        b"right person. Merci de la renvoyer.\n"
        b"--F\nContent-Type: message/rfc822\n\n" + original + b"\n--F--\n"
    )
    result = classify(raw, rcpt_tos=[f"reply+Xy7Zw3Vu5Ts1@{DOMAIN}"], domain=DOMAIN)
    assert result.kind == "reply"
    assert "bounce_wording" not in result.rules_hit


def test_a_customer_answer_titled_not_delivered_is_not_a_bounce() -> None:
    """As the gateway, "RE: Invoice … not delivered" written by a customer in our thread is an answer."""
    raw = (
        b"From: Paul Henry <p.henry@client-exemple.fr>\nTo: reply+Xy7Zw3Vu5Ts1@acme-industrie.fr\n"
        b"Subject: RE: Invoice FA-2025-0170 not delivered\nIn-Reply-To: <jalon.x@acme-industrie.fr>\n"
        b"Content-Type: text/plain\n\n"
        b"Hello, the invoice was not delivered to our accounting team. Please resend.\n"
    )
    result = classify(raw, domain=DOMAIN)
    assert result.kind == "reply"
    assert "bounce_wording" not in result.rules_hit


def test_a_billing_tool_mail_with_a_pdf_is_an_invoice() -> None:
    """As the gateway, the billing tool's mail to invoices@ carrying a PDF is an invoice to process."""
    result = read("facture-logiciel.eml", rcpt_tos=[f"invoices@{DOMAIN}"])
    assert result.kind == "invoice"
    assert any("FA-2025-0200.pdf" in e for e in result.evidence)


def test_a_reply_with_a_pdf_attached_is_still_a_reply() -> None:
    """As the gateway, a customer replying with a signed PDF is answering, not sending us an invoice."""
    raw = (
        (DATA / "facture-logiciel.eml")
        .read_bytes()
        .replace(b"Subject: Facture", b"In-Reply-To: <jalon.x@acme-industrie.fr>\nSubject: RE: Facture")
    )
    assert classify(raw, rcpt_tos=[f"reply+AbCdEfGh1234@{DOMAIN}"], domain=DOMAIN).kind == "reply"


def test_a_spam_complaint_is_feedback_not_a_bounce() -> None:
    """As sales administration, an ARF complaint about our mail is feedback about the recipient."""
    raw = (
        b"From: feedback@mailbox-provider.example\nTo: abuse@acme-industrie.fr\nSubject: Abuse report\n"
        b"MIME-Version: 1.0\nContent-Type: multipart/report; report-type=feedback-report; boundary=B\n\n"
        b"--B\nContent-Type: text/plain\n\nThis is an email abuse report.\n"
        b"--B\nContent-Type: message/feedback-report\n\n"
        b"Feedback-Type: abuse\nUser-Agent: FBL/1.0\nVersion: 1\n"
        b"Original-Rcpt-To: <compta@client-exemple.fr>\n"
        b"--B\nContent-Type: text/rfc822-headers\n\n"
        b"From: factures@acme-industrie.fr\nTo: compta@client-exemple.fr\n"
        b"Message-ID: <jalon.Ab12Cd34Ef56@acme-industrie.fr>\nSubject: Facture FA-2025-0210\n\n--B--\n"
    )
    result = classify(raw, domain=DOMAIN)
    assert (result.kind, result.feedback_type) == ("feedback", "abuse")
    assert result.recipients[0]["address"] == "compta@client-exemple.fr"
    assert result.correlation["original_message_id"] == "<jalon.Ab12Cd34Ef56@acme-industrie.fr>"


def test_a_provider_json_notification_says_its_own_kind() -> None:
    """As the gateway, a sending provider's JSON (Amazon SES via SNS) is a bounce, a delivery or a complaint
    as it    says, with the recipient it names."""

    def sns(body: str) -> bytes:
        return (
            "From: no-reply@sns.amazonaws.com\nTo: ops@acme-industrie.fr\nSubject: AWS Notification Message\n"
            f"Content-Type: text/plain; charset=UTF-8\n\n{body}\n"
        ).encode()

    bounce = classify(
        sns(
            '{"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bouncedRecipients":'
            '[{"emailAddress":"old@client-exemple.fr","status":"5.1.1",'
            '"diagnosticCode":"smtp; 550 5.1.1 user unknown"}]}}'
        )
    )
    complaint = classify(
        sns(
            '{"notificationType":"Complaint","complaint":{"complainedRecipients":'
            '[{"emailAddress":"compta@client-exemple.fr"}],"complaintFeedbackType":"abuse"}}'
        )
    )
    delivery = classify(
        sns(
            '{"notificationType":"Delivery","delivery":{"recipients":["ok@client-exemple.fr"],'
            '"smtpResponse":"250 2.0.0 OK"}}'
        )
    )
    assert bounce.kind == "bounce" and bounce.recipients[0]["address"] == "old@client-exemple.fr"
    assert bounce.recipients[0]["hard"] is True
    assert complaint.kind == "feedback" and complaint.recipients[0]["address"] == "compta@client-exemple.fr"
    assert delivery.kind == "delivered" and delivery.recipients[0]["action"] == "delivered"


def test_classify_prints_one_json_object_per_file_in_order() -> None:
    """As an operator, `jalon classify A.eml B.eml --json` prints one JSON line per file, in order."""
    names = ["postfix-user-unknown.eml", "mdn-displayed.eml", "fr-conges-sans-entete.eml"]
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "jalon",
            "classify",
            "--json",
            "--domain",
            DOMAIN,
            *(str(DATA / n) for n in names),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    lines = [json.loads(line) for line in completed.stdout.splitlines()]
    assert [Path(line["file"]).name for line in lines] == names
    assert [line["kind"] for line in lines] == ["bounce", "read_receipt", "autoreply"]
    for line in lines:
        for key in (
            "recipients",
            "intent",
            "invoice_numbers",
            "promised_date",
            "new_contact",
            "missing",
            "evidence",
            "correlation",
            "rules_hit",
            "reason",
        ):
            assert key in line
    assert set(lines[0]["recipients"][0]) >= {
        "address",
        "action",
        "status",
        "hard",
        "diagnostic",
        "remote_mta",
    }


def _plain(body: str) -> bytes:
    return (
        "From: Claire Martin <c.martin@client-btp.fr>\r\nTo: reply+Bn4vC6xZ8qW1eR3t@acme-industrie.fr\r\n"
        "Subject: RE: Facture F2024-1190\r\nDate: Wed, 20 Nov 2024 10:00:00 +0100\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body
    ).encode("utf-8")


@pytest.mark.parametrize(
    ("body", "intent"),
    [
        (
            "Mme Durand ne fait plus partie de la société, je reprends ses dossiers. Par ailleurs nous "
            "contestons la facture F2024-1190 : le prix unitaire ne correspond pas au devis.",
            "dispute",
        ),
        (
            "Je suis absente à partir de demain jusqu'au 2 décembre, mais je vous confirme que la facture a "
            "été payée ce matin par virement.",
            "paid",
        ),
    ],
)
def test_a_person_mentioning_an_absence_but_saying_something_of_the_invoice_is_a_reply(
    body: str, intent: str
) -> None:
    """No auto-reply header, an absence or a departure, and a dispute or a payment: ADV must see it."""
    result = classify(_plain(body), domain=DOMAIN)
    assert (result.kind, result.intent) == ("reply", intent)


def test_an_absence_notice_without_headers_that_says_nothing_else_stays_an_autoreply() -> None:
    """The same absence, alone, with whom to call: a machine speaking, no answer about the invoice."""
    body = "Bonjour, je suis absente du 18 au 29 novembre. En cas d'urgence : compta@client-btp.fr."
    assert classify(_plain(body), domain=DOMAIN).kind == "autoreply"


def test_classify_without_json_tells_a_person_what_matters(tmp_path: Path) -> None:
    """Without --json: a promise shows its day, a bounce whether the address is dead, JSON has the rest."""
    promise = tmp_path / "promise.eml"
    promise.write_bytes(_plain("Bonjour, nous réglerons la facture F2024-1190 le 15 décembre 2024."))
    bounce = DATA / "postfix-user-unknown.eml"

    def run(*args: str) -> list[str]:
        command = [sys.executable, "-m", "jalon", "classify", "--domain", DOMAIN, *args]
        completed = subprocess.run(command, capture_output=True, text=True, check=True, timeout=60)
        return completed.stdout.splitlines()

    said, failed = run(str(promise), str(bounce))
    [as_json] = run("--json", str(promise))
    assert said.endswith("reply promise_to_pay invoices F2024-1190 pays on 2024-12-15")
    assert "failed 5.1.1 hard (address dead), user_unknown" in failed
    data = json.loads(as_json)
    assert data["language"] == "fr" and data["confidence"] >= 0.75 and data["secondary_intents"] == []
