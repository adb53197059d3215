"""IMAP has no envelope: the sender and recipients jalon routes on are rebuilt from the headers."""

from __future__ import annotations

import pytest

from jalon.config import ConfigError, ImapSettings, load_dict
from jalon.mailbox.imap import envelope_for, imap_url

MAILBOX = ImapSettings(user="factures@acme.example", host="imap.acme.example", port=993)


def mail(*headers: str, body: str = "Invoice attached.") -> bytes:
    return ("\r\n".join(headers) + "\r\n\r\n" + body + "\r\n").encode()


def test_the_delivering_server_headers_give_the_envelope() -> None:
    """Return-Path and Delivered-To, written at delivery, win over what the sender put in From and To."""
    raw = mail(
        "Return-Path: <bounces-42@billing.example>",
        "Delivered-To: invoices@jalon.example",
        "From: Acme <accounts@acme.example>",
        "To: someone-else@acme.example",
    )
    envelope = envelope_for(raw, MAILBOX)
    assert envelope.mail_from == "bounces-42@billing.example"
    assert envelope.rcpt_tos == ("invoices@jalon.example",)
    assert envelope.source == "imap"
    assert envelope.auth_user is None  # a mailbox is never an authenticated relay client


def test_every_delivery_hop_is_a_recipient_most_recent_first() -> None:
    """A mail forwarded from invoices@ to the polled mailbox keeps both addresses, once each."""
    raw = mail(
        "Delivered-To: factures@acme.example",
        "X-Original-To: invoices@jalon.example",
        "Delivered-To: INVOICES@jalon.example",
        "To: invoices@jalon.example",
    )
    assert envelope_for(raw, MAILBOX).rcpt_tos == ("factures@acme.example", "INVOICES@jalon.example")


def test_without_delivery_headers_to_and_cc_are_the_recipients() -> None:
    """A mail copied into the mailbox by hand has only what the sender wrote: To and Cc, then From."""
    raw = mail(
        "From: Billing <billing@acme.example>",
        "To: Invoices <invoices@jalon.example>, payer@customer.example",
        "Cc: invoices@jalon.example, ap@customer.example",
    )
    envelope = envelope_for(raw, MAILBOX)
    assert envelope.mail_from == "billing@acme.example"
    assert envelope.rcpt_tos == ("invoices@jalon.example", "payer@customer.example", "ap@customer.example")


def test_a_bounce_has_an_empty_sender() -> None:
    """Return-Path <> marks a delivery report: its sender stays empty whatever From says."""
    raw = mail(
        "Return-Path: <>", "From: MAILER-DAEMON@mx.customer.example", "To: bounces+Ab12Cd34@jalon.example"
    )
    envelope = envelope_for(raw, MAILBOX)
    assert envelope.mail_from == ""
    assert envelope.rcpt_tos == ("bounces+Ab12Cd34@jalon.example",)


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"no headers at all, just text\r\n",
        b"To: undisclosed-recipients:;\r\nFrom: \xff\xfe<<>>\r\n\r\nbody",
        b"\x00\x01\x02" * 1000,
    ],
)
def test_a_message_without_usable_headers_goes_to_the_mailbox_itself(raw: bytes) -> None:
    """Garbage never crashes the poller: the recipient falls back to the polled mailbox's own address."""
    envelope = envelope_for(raw, MAILBOX)
    assert envelope.rcpt_tos == ("factures@acme.example",)
    assert envelope.mail_from == ""


def test_the_journal_says_where_a_message_came_from() -> None:
    """The peer recorded for an IMAP message points at the mailbox, folder and UID it was taken from."""
    url = imap_url(MAILBOX, uidvalidity=1795836016, uid=42)
    assert url == "imap://factures%40acme.example@imap.acme.example:993/INBOX;UIDVALIDITY=1795836016/;UID=42"


def test_imap_settings_name_a_bad_timeout() -> None:
    """A bad `[imap] timeout` stops jalon at start with the key named; a good one reads as a duration."""
    assert load_dict({"imap": {"timeout": "30s", "starttls": True}}).imap.timeout.total_seconds() == 30
    with pytest.raises(ConfigError, match=r"imap\.timeout"):
        load_dict({"imap": {"timeout": "soon"}})
