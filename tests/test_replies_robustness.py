"""Hostile replies never crash the reading: huge quotes, odd charsets, broken MIME, empty bodies, any text."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jalon.handlers.quotes import html_to_text, new_text, strip_quotes
from jalon.handlers.replies import INTENTS, analyze_reply, analyze_text

# Pieces that the patterns look for, so that random text often comes close to matching them.
NEAR_MISSES = [
    "Le lun. 3 mars 2025 à 10:12, ", "a écrit :", "On Mon, Mar 3, 2025 ", "wrote:", "> ", ">>", "De : ",
    "From: ", "Envoyé : ", "Sent: ", "Objet : ", "-----Message d'origine-----", "____", "--", "Cordialement",
    "pas reçu", "ne contestons pas", "facture F-2025-0142", "n°", "le 15", "fin du mois", "<", "@", "\u00a0",
    "\u202f", "\n", "  ", "\t", "?", "payé", "will pay", "not", "aaaa", "0123456789", "é", "\r\n", "*", "|",
]  # fmt: skip
pieces = st.one_of(st.sampled_from(NEAR_MISSES), st.text(max_size=20))
texts = st.lists(pieces, max_size=60).map("".join)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_any_text_is_read_without_error(text: str) -> None:
    """Whatever the text, the stripper returns a part of it and the reader returns a known intent."""
    stripped = strip_quotes(text)
    assert len(stripped) <= len(text) + 1
    analysis = analyze_text(text)
    assert analysis.intent in INTENTS
    assert 0.0 <= analysis.confidence <= 1.0


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_any_html_is_rendered_without_error(markup: str) -> None:
    """Random text given as HTML renders to text without raising."""
    assert isinstance(html_to_text(f"<div>{markup}</div><blockquote>{markup}</blockquote>"), str)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_as_a_message_are_read_without_error(data: bytes) -> None:
    """Arbitrary bytes parsed as a message: the reply reader answers, never raises."""
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    assert analyze_reply(message).intent in INTENTS


def test_a_separator_or_an_attribution_with_nothing_after_it() -> None:
    """A reply that ends on "-----Message d'origine-----" or "wrote:" (the original cut off) reads fine."""
    for body in (
        "-----Message d'origine-----\r\n",
        "Payé.\n\n-----Original Message-----\n\n\n",
        "Reçu.\nLe 3 mars 2025, X <x@y.fr> a écrit :",
        "________________________________\n",
        "De : x\n",
    ):
        assert isinstance(strip_quotes(body), str)
    assert strip_quotes("Payé.\n\n-----Original Message-----\n\n\n") == "Payé."


def test_ten_megabytes_of_quoted_text_keep_only_the_answer() -> None:
    """A 10 MB thread of quotes under a one-line answer: the answer is found, the rest ignored."""
    quote = "> Veuillez trouver ci-joint la facture F-2025-0142 d'un montant de 1 250,00 EUR.\n" * 125_000
    body = f"Pas reçu.\n\nLe lun. 3 mars 2025 à 10:12, X <x@y.fr> a écrit :\n{quote}"
    assert len(body) > 10_000_000
    message = EmailMessage()
    message["From"] = "compta@client.example"
    message["Subject"] = "Re: facture"
    message.set_content(body)
    analysis = analyze_reply(message)
    assert analysis.new_text == "Pas reçu."
    assert analysis.intent == "not_received"


def test_huge_unquoted_or_single_line_bodies_are_capped() -> None:
    """10 MB without a line break, or of plain text, give a bounded new text and an answer."""
    for body in ("a" * 10_000_000, "La facture est payée.\n" * 500_000, " " * 5_000_000, ">" * 5_000_000):
        text = strip_quotes(body)
        assert len(text) <= 100_000
        assert analyze_text(text).intent in INTENTS


def test_empty_and_body_less_messages() -> None:
    """No body, an empty body, only an attachment, only headers: intent "other", no crash."""
    empty = EmailMessage()
    empty["Subject"] = "Re: Facture"
    attachment_only = EmailMessage()
    attachment_only.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="f.pdf")
    headers_only = email.message_from_bytes(
        b"Subject: =?utf-8?q?Facture\nFrom: \n\n", policy=email.policy.compat32
    )
    for message in (empty, attachment_only, headers_only):
        assert new_text(message) == ""
        assert analyze_reply(message).intent == "other"


def test_weird_charsets_and_encodings() -> None:
    """Unknown charset, bad base64, bad quoted-printable, UTF-16 without saying so: all read."""
    samples = [
        b"Content-Type: text/plain; charset=unknown-8bit\n\nPay\xe9 hier.\n",
        b"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n!!!not base64!!!\n",
        b"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
        b"Pay=E9=\n=ZZ\n",
        b"Content-Type: text/plain; charset=utf-16\n\n" + "Reçu, merci".encode("utf-16"),
        b"Content-Type: text/html; charset=gb2312\n\n<p>\xc4\xe3\xba\xc3</p>",
        b"Content-Type: multipart/alternative; boundary=XYZ\n\n--XYZ\nContent-Type: text/plain\n\n"
        b"Bien re\xe7u\n",
    ]
    for raw in samples:
        message = email.message_from_bytes(raw, policy=email.policy.compat32)
        assert isinstance(new_text(message), str)
        assert analyze_reply(message).intent in INTENTS
    latin = email.message_from_bytes(samples[0], policy=email.policy.compat32)
    assert analyze_reply(latin).intent == "paid"


def test_nested_forwarded_messages_ten_deep() -> None:
    """A reply that carries a message/rfc822 inside a message/rfc822 ten times: the top text is read."""
    inner = EmailMessage()
    inner.set_content("Veuillez trouver la facture.")
    for _ in range(10):
        outer = EmailMessage()
        outer.set_content("niveau")
        outer.add_attachment(inner)
        inner = outer
    top = EmailMessage()
    top["From"] = "compta@client.example"
    top.set_content("Déjà réglée le 28/02.")
    top.add_attachment(inner)
    parsed = email.message_from_bytes(top.as_bytes(), policy=email.policy.compat32)
    assert new_text(parsed) == "Déjà réglée le 28/02."
    assert analyze_reply(parsed).intent == "paid"


def test_deeply_nested_html_is_rendered() -> None:
    """HTML nested thousands of levels (a known parser trap) renders without recursion errors."""
    markup = "<div>" * 5000 + "Bien reçu" + "</div>" * 5000
    assert isinstance(html_to_text(markup), str)
    assert html_to_text("<blockquote>" * 300 + "x" + "</blockquote>" * 300).endswith("x")
