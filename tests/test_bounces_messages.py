"""Delivery reports and bounces as real servers write them: French, German, Postfix, folded fields."""

from __future__ import annotations

from pathlib import Path

from jalon.handlers.classify import Classification, classify

DATA = Path(__file__).parent / "data" / "bounces"
DOMAIN = "acme-industrie.fr"


def read(name: str, **envelope: object) -> Classification:
    return classify((DATA / name).read_bytes(), domain=DOMAIN, **envelope)  # type: ignore[arg-type]


def only_recipient(result: Classification) -> dict:
    assert len(result.recipients) == 1, result.recipients
    return result.recipients[0]


def test_postfix_unknown_user_is_a_hard_bounce_tied_to_its_dispatch() -> None:
    """As the gateway, a Postfix 5.1.1 refusal at RCPT TO tells me which invoice mail failed, for whom, and
    that    the address is dead."""
    result = read("postfix-user-unknown.eml", rcpt_tos=[f"bounces+Q7mZp2LkX9aB4cDe@{DOMAIN}"])
    recipient = only_recipient(result)
    assert result.kind == "bounce"
    assert recipient["address"] == "m.durand@client-exemple.fr"
    assert (recipient["action"], recipient["status"], recipient["hard"]) == ("failed", "5.1.1", True)
    assert recipient["remote_mta"] == "mx.client-exemple.fr"
    assert result.correlation["verp_token"] == "Q7mZp2LkX9aB4cDe"
    assert result.correlation["verp_source"] == "envelope bounces+"
    assert result.correlation["envid"] == "Q7mZp2LkX9aB4cDe"
    assert (
        result.correlation["original_message_id"] == "<jalon.Q7mZp2LkX9aB4cDe.1741770907@acme-industrie.fr>"
    )
    assert result.correlation["invoice_numbers"] == ["FA-2025-0142"]


def test_a_folded_diagnostic_code_is_read_whole() -> None:
    """As sales administration, I read the remote server's full explanation, not its first line."""
    recipient = only_recipient(read("gmail-folded-diagnostic.eml"))
    assert "\n" not in recipient["diagnostic"]
    assert (
        "does not exist. Please try 550-5.1.1 double-checking the recipient's email address"
        in recipient["diagnostic"]
    )
    assert recipient["diagnostic"].endswith("a1-20020a05 - gsmtp")
    assert recipient["hard"] is True


def test_the_token_is_found_in_the_bounce_when_the_envelope_lost_it() -> None:
    """As the gateway, a bounce that reaches me without its VERP envelope still names the dispatch."""
    result = read("gmail-folded-diagnostic.eml", rcpt_tos=[f"postmaster@{DOMAIN}"])
    assert result.correlation["verp_token"] == "Hh3kLq8RtY2wXs0P"
    assert result.correlation["verp_source"] == "headers"


def test_a_delay_then_a_failure_for_the_same_message_read_as_delay_then_bounce() -> None:
    """As the gateway, I see "still retrying" first and "given up" later; the second supersedes the first."""
    delayed, failed = read("postfix-delayed-4.4.1.eml"), read("postfix-failed-4.4.1.eml")
    assert (delayed.kind, failed.kind) == ("delay", "bounce")
    first, final = only_recipient(delayed), only_recipient(failed)
    assert first["address"] == final["address"] == "compta@fournil-du-port.fr"
    assert (first["action"], final["action"]) == ("delayed", "failed")
    assert first["status"] == final["status"] == "4.4.1"
    assert delayed.correlation["envid"] == failed.correlation["envid"] == "Zt4uV9wN2cBq7KmL"
    assert final["hard"] is False  # a host that did not answer may answer tomorrow


def test_relayed_and_expanded_are_weaker_than_delivered_and_say_so() -> None:
    """As sales administration, "relayed" means it left our relay, not that it reached a mailbox."""
    delivered = read("postfix-delivered.eml")
    assert delivered.kind == "delivered"
    assert only_recipient(delivered)["action"] == "delivered"
    assert not any("weaker" in e for e in delivered.evidence)
    for name, action in (("postfix-relayed.eml", "relayed"), ("postfix-expanded.eml", "expanded")):
        result = read(name)
        assert result.kind == "delivered"
        assert only_recipient(result)["action"] == action
        assert any("weaker than delivered" in e for e in result.evidence)


def test_a_french_bounce_without_dsn_names_the_failed_address() -> None:
    """As the gateway, a French "message non remis" from a hosting provider is a hard bounce."""
    result = read("fr-non-remis-exim.eml")
    recipient = only_recipient(result)
    assert result.kind == "bounce"
    assert recipient["address"] == "j.martin@boulangerie-martin.fr"
    assert (recipient["status"], recipient["hard"]) == ("5.1.1", True)
    assert "adresse destinataire inconnue" in recipient["diagnostic"]
    assert (
        result.correlation["original_message_id"] == "<jalon.Kp8sD2fG5hJ7lZ3x.1742294522@acme-industrie.fr>"
    )


def test_a_full_french_mailbox_is_a_soft_bounce() -> None:
    """As the gateway, "boîte aux lettres pleine" means try again later, not a dead contact."""
    recipient = only_recipient(read("fr-boite-pleine.eml"))
    assert recipient["address"] == "secretariat@cabinet-roux.fr"
    assert (recipient["reason"], recipient["hard"], recipient["status"]) == ("mailbox_full", False, "5.2.2")


def test_german_bounces_tell_unknown_recipient_from_full_mailbox() -> None:
    """As the gateway, "Empfänger unbekannt" is hard and "Postfach voll" is soft, in German as in English."""
    unknown = read("de-unzustellbar.eml")
    full = read("de-postfach-voll.eml")
    assert (unknown.kind, full.kind) == ("bounce", "bounce")
    assert only_recipient(unknown)["address"] == "buchhaltung@schmidt-logistik.de"
    assert only_recipient(unknown)["hard"] is True
    assert only_recipient(full)["address"] == "rechnungen@weber-bau.de"
    assert (only_recipient(full)["hard"], only_recipient(full)["reason"]) == (False, "mailbox_full")
    assert unknown.correlation["invoice_numbers"] == ["FA-2025-0175"]


def test_every_rule_that_matched_is_listed_in_order() -> None:
    """As an auditor, the event log shows every rule that matched a bounce, the deciding one first."""
    result = read("postfix-user-unknown.eml")
    assert result.rules_hit[0] == "dsn_failed"
    assert "bounce_wording" in result.rules_hit
    assert result.evidence[0] == "rule dsn_failed"
