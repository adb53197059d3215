"""Bounces that are not (only) RFC 3464 (qmail, Exim, old Sendmail and Exchange, Notes, provider formats, in
English, French and German): recognised by who sent them, their subject and phrase families, and their failed
addresses found by where they sit in the notice.

Patterns are lower case and matched on lower-cased text; each is compiled `factored` (phrases.py): the same
pattern with its alternatives arranged as a trie of first characters, several times faster to search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jalon.handlers.bounce_reasons import Recipient
from jalon.handlers.mailtext import ADDRESS
from jalon.handlers.mailview import MailView
from jalon.handlers.phrases import compile_factored

PHRASE_WINDOW = 5000  # bounce notices say what happened in their first lines (corpus: within 500 chars)

# --- who sends bounces and what they say -----------------------------------------------------------------

DAEMON_SENDER = compile_factored(
    r"mailer[-_ ]?daemon|mail[-_ ]?daemon|post[-_]?master|mail ?delivery|delivery ?(?:subsystem|system|"
    r"notification)|mdaemon|mail ?administrator|mail ?system|double-bounce|bounce[sd]?@|nobody@|"
    r"ms?exchange|mailerdaemon|mail ?server|smtp ?gateway|courier mail|daemon@|no-?reply@"
)
BOUNCE_SUBJECT = compile_factored(
    r"undeliver|undelivered|non[- ]?deliver|not (?:be )?delivered|returned (?:mail|to sender)|"
    r"delivery (?:failure|failed|problem|error|report|notification)|return(?:ed|ing) message|"
    r"delivery status notification\W{0,3}(?:\()?(?:failure|failed|delay|delayed|warning|error)|"
    r"failure notice|mail delivery (?:failed|failure|system)|(?:mail|message|delivery) failed|failed mail|"
    r"could not (?:send|deliver)|mail system error|permanent (?:delivery )?(?:failure|error)|nondeliverable|"
    r"non remis|non distribu|non d[eé]livr|[eé]chec (?:de (?:la )?)?(?:remise|distribution|d'envoi)|"
    r"retour (?:de )?(?:message|courrier)|notification d'[eé]tat de (?:la )?(?:remise|distribution)|"
    r"unzustellbar|nicht zustellbar|zustellungsfehler|zustellstatus|[uü]bermittlungsstatus|fehlgeschlagen|"
    r"warning: could not send|delayed mail|mail delayed|delivery delayed|message delayed|rejected|bounce"
)
FAILURE_PHRASES = compile_factored(
    # English
    r"(?:could|can|was|were|has|have)(?: ?not|n't)(?: (?:yet )?been| be)? "
    r"(?:delivered|deliver|sent|transmitted|relayed)|"
    r"(?:wasn't|was not|were not|weren't|not) able to (?:be )?deliver|unable to deliver|"
    r"(?:delivery|transmission) (?:to .{1,80} )?(?:has )?(?:failed|failure|was unsuccessful|problem)|"
    r"failed permanently|permanent(?:ly)? (?:fatal )?(?:error|failure|failed)|(?:fatal|delivery) errors?|"
    r"did not reach|not (?:be )?delivered|undeliver|returned to sender|(?:message|mail) (?:was )?rejected|"
    r"rejected (?:by|your)|(?:user|recipient|mailbox|address) (?:unknown|not found|invalid|does not exist)|"
    r"unknown (?:user|recipient)|no such (?:user|mailbox|recipient|address|domain)|"
    r"delivery (?:to the following|has failed)|"
    r"following (?:address(?:es|\(es\))?|recipients?)(?: had| (?:did|could)|:| was| were)|"
    r"error (?:has )?occurred|error (?:delivering|sending)|"
    r"error (?:while|when) (?:attempting|trying) to deliver|"
    r"(?:mail|message) (?:has been|was|is being) returned|encountered an error|error was detected|"
    r"no valid recipients|failed (?:addresses|recipients)|(?:is|been|was) delayed|delayed for|"
    r"(?:account|mailbox|user)(?:\(s\))?(?:'s)?(?: account)? (?:is|has been|was) "
    r"(?:disabled|suspended|deactivated|inactive)|"
    r"there was an error|transcript of (?:the )?session follows|malformed (?:recipient )?address|"
    r"had (?:delivery )?problems|trouble delivering|smtp error|"
    r"remote (?:host|server) (?:said|returned|replied)|"
    r"mailbox (?:is )?full|over quota|could not be sent|not accepted|message (?:was )?not (?:sent|delivered)|"
    r"returning message|"
    # French
    r"n'a (?:pas )?(?:pu (?:[eê]tre )?|[eé]t[eé] )(?:remis|distribu|d[eé]livr|transmis|envoy)|"
    r"non remis|non d[eé]livr|non distribu|impossible de (?:remettre|distribuer|d[eé]livrer)|"
    r"[eé]chec (?:de (?:la )?)?(?:remise|distribution|livraison)|"
    r"destinataire (?:inconnu|invalide)|adresse (?:invalide|inconnue|introuvable)|"
    # German
    r"(?:konnte|kann|wurde) nicht (?:zugestellt|ausgeliefert|versendet|[uü]bermittelt)|nicht zugestellt|"
    r"zustellung (?:ist |an .{1,80} )?fehlgeschlagen|unzustellbar|empf[aä]nger (?:unbekannt|ung[uü]ltig)|"
    r"permanenter fehler|dauerhafter fehler"
)
DELAY_PHRASES = compile_factored(
    r"will (?:continue|keep|be) (?:trying|retried|retrying|to retry|to try|to attempt)|postponed|"
    r"will (?:retry|try again)|still (?:trying|undelivered)|not yet (?:been )?delivered|"
    r"has (?:been )?delayed|"
    r"delivery (?:is )?delayed|(?:this|it) is (?:only )?a warning|no action (?:is )?required|"
    r"warning: (?:message|could not)|temporar(?:y|ily) (?:unable|not|failure|problem)|"
    r"(?:nous|le serveur) (?:allons|va) (?:r[eé])?essayer|nouvelle tentative|erneut versuch|weiterhin versuch"
)
_ANSWER = re.compile(r"\s*(?:re|r[eé]f|aw|antw|sv)\s*:")
_FORWARD = re.compile(r"\s*(?:tr|fwd?|wg|enc)\s*:")
# "Undelivered" and "not delivered" are failures, not successes.
_SUCCESS = re.compile(r"success|\b(?<!not )delivered|relayed|expanded|r[eé]ussi|zugestellt:")
FINAL = compile_factored(
    r"permanent|given up|giving up|gave up|too long|will not (?:try|retry|redeliver)|"
    r"(?:won't|will not) be (?:retried|delivered)|undeliverable|failed permanently|fatal|"
    r"rejected|unknown"
)
# Around an address: words that make it the failed recipient, or the sender.
_RECIPIENT_CUE = re.compile(
    r"(?:\bto|\bfor|recipients?|rcpt to|addressee|destinataires?|empf[aä]nger|an|address(?:es)?|adresse|user|"
    r"delivering your (?:mail|message) to|deliver(?:ed)? to|zugestellt an|remis [aà]|generated from|"
    r"expanded from|forwarded to|addressed,?)\s*:?\s*<?\"?$"
)
_SENDER_CUE = re.compile(
    r"(?:mail from|from|sender|envelope-from|exp[eé]diteur|absender|by|smtp\.mailfrom=)\s*:?\s*<?$"
)
_NOT_RECIPIENT_LOCAL = re.compile(
    r"^(?:mailer-?daemon|mail-?daemon|postmaster|double-bounce|mdaemon|"
    r"no-?reply|abuse|hostmaster)$"
)
_LABEL = re.compile(
    r"(?:rcpt to|to|recipient|original-recipient|final-recipient)\s*:?\s*(?:rfc822;)?\s*<?|"
    r"[^:]{0,40}:\s*(?:<|mailto:)?|[^<]{0,30}<(?:mailto:)?"
)
# What may follow an address on a list line: nothing, punctuation, a date ("on …"), a bracketed reason, or a
# wide gap before the reason.
_LIST_END = re.compile(r"[>\"']?(?:[ \t]*(?:$|\n|[:;,.(\[<]|\.\.\.|on |--? )|[ \t]{2,}\S)")
_KEY_PREFIX = re.compile(r"^(?:smtp|rfc822|mailfrom|smtp\.mailfrom|header\.from|envelope-from)=")


def failed_header(view: MailView) -> list[str]:
    """X-Failed-Recipients (Exim, Gmail and others set it on their bounces)."""
    found: list[str] = []
    for value in view.header_all("X-Failed-Recipients"):
        for item in value.split(","):
            item = item.strip().strip("<>").lower()
            if "@" in item and item not in found:
                found.append(item)
    return found


@dataclass
class Detection:
    kind: str  # bounce | delay
    evidence: list[str]


def bounce_signals(view: MailView, to_bounce_address: bool = False) -> list[str]:
    """The independent hints that a message is a bounce (each named, for the evidence). A null sender is
    only a weak hint: RFC 3834 asks auto-replies to use one too."""
    signals = view.memo.get("bounce_signals")
    if signals is None:
        signals = view.memo["bounce_signals"] = _message_signals(view)
    return [*signals, "sent to our bounce address"] if to_bounce_address else list(signals)


def _message_signals(view: MailView) -> list[str]:
    signals = []
    name, address = view.sender
    if not address or DAEMON_SENDER.search(f"{name} {address}".lower()):
        signals.append(f"sender {address or name or '<>'}")
    subject = BOUNCE_SUBJECT.search(view.subject_low)
    answering = _answering(view)
    if subject and not (answering and not signals):  # "RE: invoice not delivered" from a person is an answer
        signals.append(f"subject '{subject.group(0)}'")
    if view.header("Return-Path").strip() in ("<>", "<<>>"):
        signals.append("null envelope sender")
    return signals


def _answering(view: MailView, forward_to_us: bool = False) -> bool:
    """An answer in a thread: an answer prefix and In-Reply-To or References. With `forward_to_us`, a
    forward (TR:, Fwd:, WG:) counts too: someone who forwards a bounce to us is writing to us."""
    subject = view.subject_low
    prefixed = _ANSWER.match(subject) or (forward_to_us and _FORWARD.match(subject))
    return bool(prefixed and (view.header("In-Reply-To") or view.header("References")))


def detect_text_bounce(
    view: MailView, to_bounce_address: bool = False, to_us: bool = False
) -> Detection | None:
    """Is this a bounce or a delay warning by its wording? Failure phrases plus a sender, subject or
    returned-message signal; or, in wording we do not know (Japanese, Chinese, Russian…), a daemon sending a
    bounce-like subject or an attached original."""
    low = view.low[:PHRASE_WINDOW]
    delay = DELAY_PHRASES.search(low)
    phrase = FAILURE_PHRASES.search(low) or delay
    signals = bounce_signals(view, to_bounce_address)
    by_daemon = any(s.startswith("sender") for s in signals)
    if not by_daemon and not view.report_blocks and _answering(view, forward_to_us=to_us):
        return None  # a person answering our mail, even at the bounce address, even quoting a bounce
    if phrase is None:
        bouncy = any(s.startswith("subject") for s in signals) or view.returned_attached
        if not by_daemon or not bouncy or _SUCCESS.search(view.subject_low):
            return None
    elif not signals:  # failure words from a person (a customer forwarding our mail) are not a bounce
        return None
    delayed = delay is not None and not FINAL.search(low) and not FINAL.search(view.subject_low)
    evidence = [f"phrase '{phrase.group(0)}'" if phrase else "unknown wording", *signals]
    return Detection("delay" if delayed else "bounce", evidence)


def _excluded(view: MailView) -> tuple[set[str], set[str]]:
    """(never, rather not): the bounce's own sender is never the failed recipient; the bounce's addressee
    and the original's sender rather not (but people do write to themselves)."""
    rather_not: set[str] = set()
    for name in ("To", "Delivered-To", "Return-Path"):
        rather_not.update(view.addresses(name))
    original = view.returned
    if original is not None:
        for name in ("From", "Return-Path", "Sender"):
            rather_not.update(view.addresses(name, original))
    return {view.sender[1]} - {""}, rather_not - {""}


def failed_recipients(view: MailView) -> list[Recipient]:
    """Failed addresses by where they sit: alone on a list line (or after a short label), then the
    X-Failed-Recipients header, after a recipient cue, anywhere in the notice, and last the To of the
    returned message."""
    notice = view.notice
    never, rather_not = _excluded(view)
    tiers: dict[str, dict[str, int]] = {"listed": {}, "cued": {}, "anywhere": {}}
    for match in ADDRESS.finditer(notice):
        local = _KEY_PREFIX.sub("", match.group(1).lower())
        if local.startswith("'") and not local.endswith("'"):
            local = local.lstrip("'")
        address = f"{local}@{match.group(2).lower()}"
        if address in never or _NOT_RECIPIENT_LOCAL.match(local.strip('"')):
            continue
        line_start = notice.rfind("\n", 0, match.start()) + 1
        before = notice[line_start : match.start()].lower()
        tail = before[-50:]
        if (_SENDER_CUE.search(tail) or "message-id" in before) and not _RECIPIENT_CUE.search(tail):
            continue
        stripped = before.strip(" \t>*-\"'(•·[")
        if (not stripped or _LABEL.fullmatch(stripped)) and _LIST_END.match(notice, match.end()):
            tier = "listed"
        elif _RECIPIENT_CUE.search(tail):
            tier = "cued"
        else:
            tier = "anywhere"
        tiers[tier].setdefault(address, match.start())

    def without(found: dict[str, int]) -> dict[str, int]:
        return {a: p for a, p in found.items() if a not in rather_not}

    declared = failed_header(view)
    chosen = without(tiers["listed"])
    if not chosen and declared:
        return [_with_segment(address, notice) for address in declared]
    chosen = chosen or without(tiers["cued"]) or without(tiers["anywhere"]) or tiers["listed"]
    fallback = _returned_target(view, never, rather_not)
    if not chosen and (fallback is None or fallback in rather_not):
        chosen = tiers["cued"]
    if not chosen:
        return [Recipient(address=fallback, diagnostic=view.flat[:500] or None)]
    ordered = sorted(chosen.items(), key=lambda item: item[1])
    recipients = []
    for index, (address, position) in enumerate(ordered):
        end = ordered[index + 1][1] if index + 1 < len(ordered) else len(notice)
        start = notice.rfind("\n", 0, position) + 1
        segment = notice[start:end] if end > position else notice[start:]
        recipients.append(Recipient(address=address, diagnostic=" ".join(segment.split())[:500] or None))
    return recipients


def _returned_target(view: MailView, never: set[str], rather_not: set[str]) -> str | None:
    """The one addressee of the returned message (preferring one that is not its sender), if there is one."""
    original = view.returned
    if original is None:
        return None
    targets = [a for a in view.addresses("To", original) + view.addresses("Cc", original) if a not in never]
    clean = [a for a in targets if a not in rather_not]
    if len(clean) == 1:
        return clean[0]
    return targets[0] if len(targets) == 1 else None


def _with_segment(address: str, notice: str) -> Recipient:
    """A recipient with the notice text about it (from its line to the next blank line) as diagnostic."""
    position = notice.lower().find(address)
    if position < 0:
        return Recipient(address=address, diagnostic=" ".join(notice.split())[:500] or None)
    start = notice.rfind("\n", 0, position) + 1
    end = notice.find("\n\n", position)
    segment = notice[start : end if end > 0 else len(notice)]
    return Recipient(address=address, diagnostic=" ".join(segment.split())[:500] or None)
