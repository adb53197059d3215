"""Why a delivery failed, and whether the address itself is dead (hard) or the failure may pass (soft).

The vocabulary is data: phrase families in order, then RFC 3463 status codes. Patterns are written in lower
case and matched on lower-cased text (three times faster than re.IGNORECASE on long notices), each only when
one of the words it needs is there (phrases.py).

`hard` means the address will never work: unknown user, unknown domain, moved, a domain that takes no mail.
Every other failure, permanent policy refusals included, is soft; `permanent` tells a 5xx refusal from a
temporary one. An "unknown user" only counts as hard when something confirms it is about the address: an
X.1.x status, a refusal at RCPT TO, or the recipient directory's own wording. The same words after DATA, or
with no clue, often come from a content filter, and a good contact must not be discarded on them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from jalon.handlers.phrases import PhraseTable, families

HARD_REASONS = frozenset({"user_unknown", "host_unknown", "has_moved", "not_accept"})
# Failures that pass with time even when the server answers 5xx (a full mailbox empties, a limit resets, a
# delivery program is fixed): sent again later, never taken for a refusal of our mail.
PASSING_REASONS = frozenset({"mailbox_full", "rate_limited", "mailer_error", "network", "expired"})


def fate(hard: bool | None, permanent: bool, reason: str | None) -> str:
    """What a failed delivery means for the contact: "hard" (the address is dead), "refused" (their system
    refuses our mail for good: a person calls) or "soft" (it may pass: sent again later)."""
    if hard is not False:
        return "hard"
    return "refused" if permanent and reason not in PASSING_REASONS else "soft"


# (reason, phrases) looked at in order; the first family found names the reason. Families that share words
# with "unknown user" (a refused sender, a failing delivery program, a full or disabled mailbox) come first.
SPECIFIC_PHRASES: tuple[tuple[str, str], ...] = (
    (
        "sender_rejected",
        r"sender (?:address )?(?:rejected|refused|denied|blocked|unknown|verify failed)|"
        r"after mail from|mail from.{0,80}(?:rejected|refused|denied|not allowed)|domain of sender address|"
        r"sender domain (?:must|does not)|sender verification|envelope sender|invalid sender|"
        r"exp[eé]diteur (?:refus|rejet|invalide|inconnu)|absender (?:abgelehnt|ung[uü]ltig|unbekannt)|"
        r"my name (?:was|is) rejected|helo (?:command )?rejected",
    ),
    (
        "rate_limited",
        r"too many (?:recipients|messages|connections|mails?)|rate limit|sending limit|"
        r"(?:per|this|an) hour|throttl",
    ),
    (
        "mailer_error",
        r"procmail|maildrop|mail\.local|(?:could ?n[o']t|cannot|unable to) (?:create|open|write|lock)|"
        r"(?:command|program|pipe)(?: \S+)? (?:failed|died|returned)|exit (?:code|status) [1-9]|lock failure",
    ),
    (
        "mailbox_full",
        r"mailbox (?:is |was )?(?:full|over ?quota|exceeded)|over ?quota|quota (?:exceeded|full)|"
        r"exceed(?:ed|s|ing)? (?:the |his |her |their )?(?:storage |mailbox |disk |user(?:'s)? )*(?:quota|"
        r"allocation)|"
        r"(?:insufficient|not enough|no more) (?:disk |storage )?space|mailbox size limit|mail ?box full|"
        r"storage (?:limit|quota|full)|bo[iî]te[\w '-]{0,40} (?:est )?pleine|quota[\w '-]{0,40} d[eé]pass|"
        r"mailbox (?:ist )?voll|"
        r"postfach (?:ist )?(?:voll|[uü]berf[uü]llt)|speicher(?:platz|grenze).{0,20}(?:ersch[oö]pft|"
        r"[uü]berschritten|voll)",
    ),
    (
        "suspend",
        r"(?:account|mailbox|user|address|recipient|compte|konto)(?: address)? "
        r"(?:has been |is |was |a [eé]t[eé] |est |wurde |ist )?"
        r"(?:temporarily |currently |now )?(?:disabled|suspended|deactivated|inactive|locked|blocked|closed|"
        r"frozen|expired|d[eé]sactiv[eé]|suspendu|bloqu[eé]|ferm[eé]|cl[oô]tur[eé]|deaktiviert|gesperrt)|"
        r"(?:disabled|suspended|inactive|deactivated|expired|locked) (?:account|mailbox|user)|"
        r"not an active (?:account|user|mailbox)|account (?:is )?not active|mailbox is inactive",
    ),
    (
        "has_moved",
        r"has moved|address (?:has )?changed|no longer (?:valid|in use|used|active|available|exists)|"
        r"has been (?:replaced|retired|terminated)|n'est plus (?:valide|utilis[eé]e|active)|"
        r"nicht mehr (?:g[uü]ltig|aktiv)",
    ),
    (
        "host_unknown",
        r"(?:host (?:or domain name )?(?:not found|unknown)|unknown (?:host|domain)|invalid domain|"
        r"(?:could not|couldn't|can't|cannot) find (?:a |an |any )?(?:mail exchanger|mx)|"
        r"domain (?:name )?(?:not found|does not exist|doesn't exist|unknown|not exist|is not reachable)|"
        r"no such (?:domain|host)|nxdomain|unrouteable (?:mail )?domain|domain .{0,40}(?:does not exist|"
        r"not found)|"
        r"bad destination system|no (?:mx|dns) (?:record|entry)|host not reachable by dns|dns lookup fail|"
        r"(?<![@\w.-])[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,} does not exist|"
        r"domaine (?:inexistant|inconnu|introuvable)|domaine[\w ]{0,20} n'existe pas|"
        r"dom[aä]ne? (?:existiert nicht|unbekannt))(?!,? try again)",
    ),
    (
        "user_unknown",
        r"user(?:name)? (?:is )?unknown|unknown (?:user|recipient|mailbox|address|account|local[- ]part|"
        r"alias)|"
        r"no such (?:user|mailbox|recipient|account|address|person|local user)|"
        r"(?:user|recipient|mailbox|address|account|addressee|e-?mail address)(?:'s)?(?: address| name|"
        r" e-?mail)?"
        r" (?:is |was )?(?:not (?:found|known|recogni[sz]ed|listed|valid)|unknown|invalid|not exist|"
        r"does not exist|"
        r"doesn't exist|unavailable:? (?:user|no such)|not in (?:the )?(?:directory|list))|"
        r"(?<!may )(?<!might )(?:does not|doesn't|did not|not) (?:exist|have an? (?:[\w.-]+ )?account)|"
        r"(?:user|recipient|mailbox|address|account)(?: address)? (?:wasn['’]t|isn['’]t|was not|is not|"
        r"could not be) found|"
        r"invalid[\w ]{0,24} (?:recipient|mailbox|user ?id|user|address)|not listed in|"
        r"(?:bad|illegal|unknown) destination mailbox|recip(?:ient)?notfound|recipient not found|"
        r"address not found|"
        r"no mailbox (?:here|by that name|found)|unrouteable address|not our customer|user not found|"
        r"mailbox not (?:found|available|exist)|mailbox unavailable|no account|unknown or illegal alias|"
        r"undeliverable address|no valid recipients?|address is (?:possibly |probably )?(?:incorrect|wrong|"
        r"invalid)|"
        r"check (?:if|that|whether) (?:the )?(?:e-?mail )?address is correct|"
        r"address rejected(?::? ?access denied|\.|\s*$|\s+[\w.+-]+@)|"
        r"(?:destinataire|adresse|utilisateur|bo[iî]te)[\w '-]{0,40} (?:est )?"
        r"(?:introuvable|inconnue?|invalide|inexistante?)|"
        r"n'existe pas|"
        r"(?:benutzer|empf[aä]nger|adresse|postfach|mailbox)[\w -]{0,40} (?:ist |wurde )?"
        r"(?:unbekannt|ung[uü]ltig|existiert nicht|nicht gefunden)|"
        r"unbekannte?r? (?:benutzer|empf[aä]nger|adresse)|ung[uü]ltige (?:e-?mail-?)?adresse|gibt es nicht",
    ),
    ("rejected", r"(?:may|might) not (?:exist|have permission)|il se peut que|n'[eê]tes pas autoris"),
    (
        "too_big",
        r"(?:message|mail|size) (?:is )?too (?:large|big)|exceeds? (?:the )?(?:maximum |"
        r"max )?(?:message )?size|"
        r"size limit|message size|too large|trop volumineux|zu gro[sß]",
    ),
    (
        "spam",
        r"spam|junk|bulk mail|unsolicited|blacklist|blocklist|block ?list|denylist|spamhaus|dnsbl|\brbl\b|"
        r"reputation|virus|malware|infected|phish",
    ),
    (
        "auth_failure",
        r"dmarc|\bspf\b|dkim|unauthenticated|authentication (?:failed|required|failure)|"
        r"not authenticated|reverse (?:dns|lookup)|\bptr\b|rdns|\bhelo\b|starttls|tls required",
    ),
    (
        "not_accept",
        r"does not accept (?:any )?(?:e-?)?mail|not accept(?:ing)? (?:any |network )?(?:e-?)?(?:mail|"
        r"messages)(?! from)|"
        r"null mx|accepts no mail|no (?:mail|smtp) (?:service|server)|domain does not receive",
    ),
)
GENERIC_PHRASES: tuple[tuple[str, str], ...] = (
    (
        "policy",
        r"polic(?:y|ies)|not (?:allowed|permitted|authori[sz]ed)|prohibited|refused|denied|blocked|"
        r"rejected|filtered|content|relay(?:ing)? (?:denied|not permitted|access denied)|administrative|"
        r"permission|restricted|only accepts|too many|rate limit|frequency|refus[eé]|abgelehnt|verweigert",
    ),
    (
        "expired",
        r"(?:too long|too many attempts|retry (?:timeout|time|period) (?:exceeded|expired|reached))|"
        r"(?:could|can)(?:not|n't) (?:be )?(?:deliver(?:ed)?|send)(?: (?:the )?message)? (?:for|within|"
        r"in) (?:the (?:last|past) )?\d+|"
        r"delivery time expired|expired|time(?:d)? ?out|for (?:more than )?\d+ (?:hours|days)|"
        r"given up on|undeliverable for|d[eé]lai (?:de remise )?d[eé]pass[eé]|zeit[uü]berschreitung",
    ),
    (
        "network",
        r"connection (?:refused|reset|timed out|lost|closed|dropped)|could not connect|"
        r"unable to connect|no route|network|unreachable|\bssl\b|\btls\b|\bdns\b|lookup|name serv|temporar|"
        r"try again|greylist|deferred|server busy|too busy|resources|local error|system error|i/o error|"
        r"mailer error|(?:r[eé])?essayez plus tard|r[eé]essayer|sp[aä]ter (?:erneut|noch einmal)",
    ),
)
# RFC 3463 subject.detail -> reason, when no specific phrase names one.
STATUS_REASONS: dict[str, str] = {
    "1.1": "user_unknown",
    "1.2": "host_unknown",
    "1.3": "user_unknown",
    "1.6": "has_moved",
    "1.10": "not_accept",
    "2.1": "suspend",
    "2.2": "mailbox_full",
    "2.3": "too_big",
    "3.4": "too_big",
    "3.1": "mailbox_full",
    "3.2": "not_accept",
    "4.1": "network",
    "4.2": "network",
    "4.4": "host_unknown",
    "4.7": "expired",
    "7.1": "policy",
    "7.25": "auth_failure",
    "7.26": "auth_failure",
}

# Each phrase runs only when its own words are in the text (phrases.py): same answers, a fraction of the time.
_SPECIFIC = PhraseTable(families(SPECIFIC_PHRASES))
_GENERIC = PhraseTable(families(GENERIC_PHRASES))
# The look-behind comes after the first digit (it then looks two characters back): a pattern that starts
# with a character class lets the engine skip to the next 2, 4 or 5 instead of trying every position.
STATUS = re.compile(r"([245])(?<![\w.\-/][245])\.(\d{1,3})\.(\d{1,3})(?![\w/]|\.\d)")
REPLY_CODE = re.compile(r"([245](?<![\w.\-/:][245])[0-5]\d)(?=[ \-]|$)", re.MULTILINE)
# Where in the SMTP dialogue the refusal came ("recipient address rejected" is the answer of a server's
# recipient checks, given to RCPT TO), and wording only a recipient's own directory or router uses (not the
# SMTP vocabulary that any filter can echo).
_RCPT_STAGE = re.compile(r"\brcpt\b|rcpt_?to|does not like recipient|recipient address rejected")
_DIRECTORY = re.compile(
    r"not recogni[sz]ed|not listed in|unrouteable|final delivery|possibly incorrect|"
    r"address is correct|no valid recipients|recip(?:ient)?notfound|resolver\.adr|"
    r"not (?:in|found in) (?:the )?(?:directory|address book)"
)
MAX_TEXT = 4000


@dataclass
class Recipient:
    """One recipient's fate in a delivery report."""

    address: str | None
    original_recipient: str | None = None
    action: str = "failed"
    status: str | None = None
    hard: bool = False
    diagnostic: str | None = None
    remote_mta: str | None = None
    reason: str | None = None
    permanent: bool = False

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def reason_of(text: str, status: str | None = None) -> tuple[str | None, str | None]:
    """(reason, what decided) for a lower-cased diagnostic: a specific phrase, else the status code, else a
    generic phrase."""
    text = text[:MAX_TEXT]
    found = _SPECIFIC.first(text)
    if found:
        return found[0], found[1].group(0)
    if status:
        reason = STATUS_REASONS.get(status.split(".", 1)[1] if "." in status else "")
        if reason:
            return reason, f"status {status}"
    found = _GENERIC.first(text)
    if found:
        return found[0], found[1].group(0)
    return None, None


def _address_refused(status: str | None, text: str) -> bool:
    """Whether an "unknown user" is confirmed to be about the address (see the module docstring)."""
    if status and status[1:4] == ".1.":
        return True
    if _RCPT_STAGE.search(text) or any(m.group(2) == "1" for m in STATUS.finditer(text)):
        return True
    found = _DIRECTORY.search(text)
    return found is not None and not REPLY_CODE.search(text[max(0, found.start() - 60) : found.start()])


def finish(recipient: Recipient, context: str = "", stage: str = "") -> Recipient:
    """Fill status (from the text when missing or generic), reason, hard and permanent. `context` is read
    when the diagnostic names no reason; `stage` tells where in the SMTP dialogue the failure came.
    Both are lower-cased, whitespace-collapsed notice text."""
    text = " ".join((recipient.diagnostic or "")[:MAX_TEXT].split()).lower()
    if not recipient.status or recipient.status.endswith(".0.0"):
        found = STATUS.search(text) or (STATUS.search(context) if context else None)
        if found and (not recipient.status or found.group(1) == recipient.status[0]):
            recipient.status = found.group(0)
    reason, _ = reason_of(text, recipient.status)
    if reason is None and context:
        reason, _ = reason_of(context, recipient.status)
    said = f"{text} {stage}" if stage == context or not context else f"{text} {context} {stage}"
    if reason == "user_unknown" and not _address_refused(recipient.status, said):
        reason = "filtered"
    recipient.reason = reason
    code = recipient.status[0] if recipient.status else None
    if code is None:
        reply = REPLY_CODE.search(text)
        code = reply.group(1)[0] if reply else None
    failed = recipient.action == "failed"
    recipient.permanent = failed and code != "4"
    # A 4.1.x that ends in failure: the destination said the address is bad, then we gave up on it.
    addressing = bool(recipient.status and recipient.status[1:4] == ".1.")
    recipient.hard = failed and reason in HARD_REASONS and (code != "4" or addressing)
    return recipient
