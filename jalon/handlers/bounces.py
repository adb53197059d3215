"""Delivery reports and bounces: RFC 3464 DSNs and the non-standard notices of other MTAs, per recipient.

Two readers share one vocabulary. A DSN is read from its fields (wherever they appear: a
message/delivery-status part or DSN fields pasted into text). A non-standard bounce (qmail, Exim, old
Sendmail and Exchange, Notes, provider formats, French and German wording) is recognised by who sent it, its
subject and phrase families, and its failed addresses are found by where they sit in the notice.

`hard` means the address itself will never work (unknown user, unknown domain, moved, domain takes no
mail): the contact is invalid. Every other failure, permanent policy refusals included, is `hard=False`
with `permanent` telling a 5xx refusal from a temporary one, so the pipeline can open a case instead of
discarding a good contact.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from jalon.handlers.mailview import ADDRESS, MailView, unfold

# --- vocabulary: reasons, from diagnostic text and from RFC 3463 status codes ------------------------------

HARD_REASONS = frozenset({"user_unknown", "host_unknown", "has_moved", "not_accept"})

# (reason, phrases), looked at in order on the diagnostic; the first family that matches names the reason.
# Specific families come first: a refused *sender*, a hedged "may not exist", a full or disabled mailbox
# all share words with "unknown user". Then the RFC 3463 status code, then the generic families.
SPECIFIC_PHRASES: tuple[tuple[str, str], ...] = (
    ("sender_rejected", r"sender (?:address )?(?:rejected|refused|denied|blocked|unknown|verify failed)|"
     r"after mail from|mail from.{0,80}(?:rejected|refused|denied|not allowed)|domain of sender address|"
     r"sender domain (?:must|does not)|sender verification|envelope sender|invalid sender|"
     r"exp[eé]diteur (?:refus|rejet|invalide|inconnu)|absender (?:abgelehnt|ung[uü]ltig|unbekannt)|"
     r"my name (?:was|is) rejected|helo (?:command )?rejected"),
    ("rate_limited", r"too many (?:recipients|messages|connections|mails?)|rate limit|sending limit|"
     r"(?:per|this|an) hour|throttl"),
    ("mailer_error", r"procmail|maildrop|mail\.local|(?:could ?n[o']t|cannot|unable to) (?:create|open|write|lock)|"
     r"(?:command|program|pipe)(?: \S+)? (?:failed|died|returned)|exit (?:code|status) [1-9]|lock failure"),
    ("mailbox_full", r"mailbox (?:is |was )?(?:full|over ?quota|exceeded)|over ?quota|quota (?:exceeded|full)|"
     r"exceed(?:ed|s|ing)? (?:the |his |her |their )?(?:storage |mailbox |disk |user(?:'s)? )*(?:quota|allocation)|"
     r"(?:insufficient|not enough|no more) (?:disk |storage )?space|mailbox size limit|mail ?box full|"
     r"storage (?:limit|quota|full)|bo[iî]te (?:aux lettres |mail )?(?:est )?pleine|quota d[eé]pass|"
     r"postfach (?:ist )?(?:voll|[uü]berf[uü]llt)|speicher(?:platz|grenze).{0,20}(?:ersch[oö]pft|[uü]berschritten|voll)"),
    ("suspend", r"(?:account|mailbox|user|address|recipient|compte|konto)(?: address)? (?:has been |is |was )?"
     r"(?:temporarily |currently |now )?(?:disabled|suspended|deactivated|inactive|locked|blocked|closed|"
     r"frozen|expired|d[eé]sactiv[eé]|suspendu|deaktiviert|gesperrt)|"
     r"(?:disabled|suspended|inactive|deactivated|expired|locked) (?:account|mailbox|user)|"
     r"not an active (?:account|user|mailbox)|account (?:is )?not active|mailbox is inactive"),
    ("has_moved", r"has moved|address (?:has )?changed|no longer (?:valid|in use|used|active|available|exists)|"
     r"has been (?:replaced|retired|terminated)|n'est plus (?:valide|utilis[eé]e|active)|nicht mehr (?:g[uü]ltig|aktiv)"),
    ("host_unknown", r"(?:host (?:or domain name )?(?:not found|unknown)(?!,? try again)|unknown (?:host|domain)|"
     r"invalid domain|(?:could not|couldn't|can't|cannot) find (?:a |an |any )?(?:mail exchanger|mx)|"
     r"domain (?:name )?(?:not found|does not exist|doesn't exist|unknown|not exist|is not reachable)|no such (?:domain|host)|"
     r"nxdomain|unrouteable (?:mail )?domain|domain .{0,40}(?:does not exist|not found)|bad destination system|"
     r"no (?:mx|dns) (?:record|entry)|could not find (?:a |an )?(?:mail exchanger|mx)|host not reachable by dns|"
     r"dns lookup fail|(?<![@\w.-])[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,} does not exist|domaine (?:inexistant|inconnu|introuvable)|dom[aä]ne? (?:existiert nicht|unbekannt))(?!,? try again)"),
    ("user_unknown", r"user(?:name)? (?:is )?unknown|unknown (?:user|recipient|mailbox|address|account|local[- ]part|alias)|"
     r"no such (?:user|mailbox|recipient|account|address|person|local user)|"
     r"(?:user|recipient|mailbox|address|account|addressee|e-?mail address)(?:'s)?(?: address| name| e-?mail)?"
     r" (?:is |was )?(?:not (?:found|known|recogni[sz]ed|listed|valid)|unknown|invalid|not exist|does not exist|"
     r"doesn't exist|unavailable:? (?:user|no such)|not in (?:the )?(?:directory|list))|"
     r"(?<!may )(?<!might )(?:does not|doesn't|did not|not) (?:exist|have an? (?:[\w.-]+ )?account)|"
     r"(?:user|recipient|mailbox|address|account)(?: address)? (?:wasn['’]t|isn['’]t|was not|is not|could not be) found|"
     r"invalid[\w ]{0,24} (?:recipient|mailbox|user ?id|user|address)|not listed in|"
     r"(?:bad|illegal|unknown) destination mailbox|recip(?:ient)?notfound|recipient not found|address not found|"
     r"no mailbox (?:here|by that name|found)|unrouteable address|not our customer|user not found|"
     r"mailbox not (?:found|available|exist)|mailbox unavailable|no account|unknown or illegal alias|"
     r"undeliverable address|no valid recipients?|address is (?:possibly |probably )?(?:incorrect|wrong|invalid)|"
     r"check (?:if|that|whether) (?:the )?(?:e-?mail )?address is correct|"
     r"address rejected(?::? ?access denied|\.|\s*$|\s+[\w.+-]+@)|"
     r"destinataire (?:inconnu|invalide|introuvable)|(?:adresse|utilisateur|bo[iî]te) (?:\w+ )?(?:inconnue?|invalide|inexistante?)|"
     r"destinataire invalide|n'existe pas|"
     r"(?:benutzer|empf[aä]nger|adresse|postfach|mailbox) (?:ist )?(?:unbekannt|ung[uü]ltig|existiert nicht|nicht gefunden)|"
     r"unbekannte?r? (?:benutzer|empf[aä]nger|adresse)|ung[uü]ltige (?:e-?mail-?)?adresse|gibt es nicht"),
    ("rejected", r"(?:may|might) not (?:exist|have permission)|il se peut que|n'[eê]tes pas autoris"),
    ("too_big", r"(?:message|mail|size) (?:is )?too (?:large|big)|exceeds? (?:the )?(?:maximum |max )?(?:message )?size|"
     r"size limit|message size|too large|trop volumineux|zu gro[sß]"),
    ("spam", r"spam|junk|bulk mail|unsolicited|blacklist|blocklist|block ?list|denylist|spamhaus|dnsbl|\brbl\b|"
     r"reputation|virus|malware|infected|phish"),
    ("auth_failure", r"dmarc|\bspf\b|dkim|unauthenticated|authentication (?:failed|required|failure)|"
     r"not authenticated|reverse (?:dns|lookup)|\bptr\b|rdns|\bhelo\b|starttls|tls required"),
    ("not_accept", r"does not accept (?:any )?(?:e-?)?mail|not accept(?:ing)? (?:any |network )?(?:e-?)?(?:mail|messages)(?! from)|"
     r"null mx|accepts no mail|no (?:mail|smtp) (?:service|server)|domain does not receive"),
)
GENERIC_PHRASES: tuple[tuple[str, str], ...] = (
    ("policy", r"polic(?:y|ies)|not (?:allowed|permitted|authori[sz]ed)|prohibited|refused|denied|blocked|"
     r"rejected|filtered|content|relay(?:ing)? (?:denied|not permitted|access denied)|administrative|"
     r"permission|restricted|only accepts|too many|rate limit|frequency|refus[eé]|abgelehnt|verweigert"),
    ("expired", r"(?:too long|too many attempts|retry (?:timeout|time|period) (?:exceeded|expired|reached))|"
     r"(?:could|can)(?:not|n't) (?:be )?(?:deliver(?:ed)?|send)(?: (?:the )?message)? (?:for|within|in) (?:the (?:last|past) )?\d+|"
     r"delivery time expired|expired|time(?:d)? ?out|for (?:more than )?\d+ (?:hours|days)|"
     r"given up on|undeliverable for|d[eé]lai (?:de remise )?d[eé]pass[eé]|zeit[uü]berschreitung"),
    ("network", r"connection (?:refused|reset|timed out|lost|closed|dropped)|could not connect|"
     r"unable to connect|no route|network|unreachable|\bssl\b|\btls\b|\bdns\b|lookup|name serv|temporar|"
     r"try again|greylist|deferred|server busy|too busy|resources|local error|system error|i/o error|mailer error"),
)
_SPECIFIC = tuple((reason, re.compile(pattern, re.IGNORECASE)) for reason, pattern in SPECIFIC_PHRASES)
# Wording of a recipient system's own directory or router (not the SMTP vocabulary any filter can echo).
_DIRECTORY = re.compile(r"not recogni[sz]ed|not listed in|unrouteable|final delivery|possibly incorrect|"
                        r"address is correct|no valid recipients|recip(?:ient)?notfound|resolver\.adr|"
                        r"not (?:in|found in) (?:the )?(?:directory|address book)", re.IGNORECASE)
_GENERIC = tuple((reason, re.compile(pattern, re.IGNORECASE)) for reason, pattern in GENERIC_PHRASES)

# RFC 3463 subject.detail -> reason, used when no specific phrase names one.
STATUS_REASONS: dict[str, str] = {
    "1.1": "user_unknown", "1.2": "host_unknown", "1.3": "user_unknown", "1.6": "has_moved",
    "1.10": "not_accept", "2.1": "suspend", "2.2": "mailbox_full", "2.3": "too_big", "3.4": "too_big",
    "4.4": "host_unknown", "4.7": "expired", "7.1": "policy", "7.26": "auth_failure", "7.25": "auth_failure",
    "3.2": "not_accept", "4.1": "network", "4.2": "network", "3.1": "mailbox_full",
}
# Where in the SMTP dialogue the refusal came: "user unknown" in reply to RCPT TO is about the address;
# the same words after DATA, or with no clue at all, may come from a content filter (the address may be fine).
_RCPT_STAGE = re.compile(r"\brcpt\b|rcpt_?to|does not like recipient", re.IGNORECASE)

ACTIONS = {"failed": "failed", "failure": "failed", "fail": "failed", "delayed": "delayed", "delay": "delayed",
           "delivered": "delivered", "deliver": "delivered", "relayed": "relayed", "expanded": "expanded"}
SUCCESS_ACTIONS = frozenset({"delivered", "relayed", "expanded"})

STATUS = re.compile(r"(?<![\w.\-/])([245])\.(\d{1,3})\.(\d{1,3})(?![\w/]|\.\d)")
REPLY_CODE = re.compile(r"(?<![\w.\-/:])([245][0-5]\d)(?=[ \-]|$)", re.MULTILINE)

# --- who sends bounces, what they say -----------------------------------------------------------------------

DAEMON_SENDER = re.compile(
    r"mailer[-_ ]?daemon|mail[-_ ]?daemon|post[-_]?master|mail ?delivery|delivery ?(?:subsystem|system|notification)|"
    r"mdaemon|mail ?administrator|mail ?system|double-bounce|bounce[sd]?@|nobody@|"
    r"ms?exchange|mailerdaemon|mail ?server|smtp ?gateway|courier mail|daemon@",
    re.IGNORECASE,
)
BOUNCE_SUBJECT = re.compile(
    r"undeliver|undelivered|non[- ]?deliver|not (?:be )?delivered|delivery (?:status notification \((?:failure|delay)|"
    r"failure|failed|problem|error|report|notification)|returned (?:mail|to sender)|return(?:ed|ing) message|"
    r"failure notice|mail delivery (?:failed|failure|system)|(?:mail|message|delivery) failed|failed mail|"
    r"delivery status notification\W{0,3}(?:failure|failed|delay|delayed|warning|error)|could not (?:send|deliver)|mail system error|"
    r"permanent (?:delivery )?(?:failure|error)|delivery status notification \(failure|nondeliverable|"
    r"non remis|non distribu|[eé]chec (?:de (?:la )?)?(?:remise|distribution|d'envoi)|retour (?:de )?(?:message|courrier)|"
    r"unzustellbar|nicht zustellbar|zustellungsfehler|unzustellbare|fehlgeschlagen|warning: could not send|"
    r"delayed mail|mail delayed|delivery delayed|message delayed|rejected|bounce",
    re.IGNORECASE,
)
FAILURE_PHRASES = re.compile(
    r"(?:could|can|was|were|has|have)(?: ?not|n't)(?: (?:yet )?been| be)? (?:delivered|deliver|sent|transmitted|relayed)|"
    r"(?:wasn't|was not|were not|weren't) able to deliver|unable to deliver|(?:delivery|transmission) (?:to .{1,80} )?"
    r"(?:has )?(?:failed|failure|was unsuccessful|problem)|failed permanently|permanent(?:ly)? (?:fatal )?(?:error|failure|failed)|"
    r"(?:fatal|delivery) errors?|did not reach|not (?:be )?delivered|undeliver|returned to sender|(?:message|mail) (?:was )?rejected|"
    r"rejected (?:by|your)|(?:user|recipient|mailbox|address) (?:unknown|not found|invalid|does not exist)|"
    r"unknown (?:user|recipient)|no such (?:user|mailbox|recipient|address|domain)|delivery (?:to the following|has failed)|"
    r"following (?:address(?:es|\(es\))?|recipients?)(?: had| (?:did|could)|:| was| were)|error (?:has )?occurred|error (?:delivering|sending)|error (?:while|when) (?:attempting|trying) to deliver|"
    r"(?:account|mailbox|user)(?:\(s\))?(?:'s)?(?: account)? (?:is|has been|was) (?:disabled|suspended|deactivated|inactive)|"
    r"(?:mail|message) (?:has been|was|is being) returned|encountered an error|error was detected|"
    r"no valid recipients|failed (?:addresses|recipients)|(?:is|been|was) delayed|delayed for|"
    r"there was an error|transcript of (?:the )?session follows|malformed (?:recipient )?address|"
    r"had (?:delivery )?problems|trouble delivering|smtp error|remote (?:host|server) (?:said|returned|replied)|mailbox (?:is )?full|over quota|"
    r"could not be sent|not accepted|message (?:was )?not (?:sent|delivered)|returning message|"
    r"n'a (?:pas )?pu (?:[eê]tre )?(?:remis|distribu|d[eé]livr|transmis|envoy)|non remis|non distribu|"
    r"impossible de (?:remettre|distribuer|d[eé]livrer)|[eé]chec (?:de (?:la )?)?(?:remise|distribution|livraison)|"
    r"destinataire (?:inconnu|invalide)|adresse (?:invalide|inconnue|introuvable)|"
    r"(?:konnte|kann|wurde) nicht (?:zugestellt|ausgeliefert|versendet|[uü]bermittelt)|nicht zugestellt|"
    r"zustellung (?:ist |an .{1,80} )?fehlgeschlagen|unzustellbar|empf[aä]nger (?:unbekannt|ung[uü]ltig)|"
    r"permanenter fehler|dauerhafter fehler",
    re.IGNORECASE,
)
DELAY_PHRASES = re.compile(
    r"will (?:continue|keep|be) (?:trying|retried|retrying|to retry|to try|to attempt)|postponed|will (?:retry|try again)|still (?:trying|undelivered)|"
    r"not yet (?:been )?delivered|has (?:been )?delayed|delivery (?:is )?delayed|(?:this|it) is (?:only )?a warning|"
    r"no action (?:is )?required|warning: (?:message|could not)|temporar(?:y|ily) (?:unable|not|failure|problem)|"
    r"(?:nous|le serveur) (?:allons|va) (?:r[eé])?essayer|erneut versuch|weiterhin versuch",
    re.IGNORECASE,
)
_SUCCESS = re.compile(r"success|delivered|relayed|expanded|r[eé]ussi|zugestellt:", re.IGNORECASE)
_FINAL = re.compile(r"permanent|given up|giving up|gave up|too long|will not (?:try|retry|redeliver)|"
                    r"(?:won't|will not) be (?:retried|delivered)|undeliverable|failed permanently|fatal",
                    re.IGNORECASE)
# Words around an address that say "this is the recipient that failed".
_RECIPIENT_CUE = re.compile(
    r"(?:\bto|\bfor|recipients?|rcpt to|addressee|destinataires?|empf[aä]nger|an|address(?:es)?|adresse|user|"
    r"delivering your (?:mail|message) to|deliver(?:ed)? to|zugestellt an|remis [aà]|generated from|"
    r"expanded from|forwarded to|addressed,?)\s*:?\s*<?\"?$",
    re.IGNORECASE,
)
_SENDER_CUE = re.compile(r"(?:mail from|from|sender|envelope-from|exp[eé]diteur|absender|by|smtp\.mailfrom=)\s*:?\s*<?$",
                         re.IGNORECASE)
_NOT_RECIPIENT_LOCAL = re.compile(r"^(?:mailer-?daemon|mail-?daemon|postmaster|double-bounce|mdaemon|"
                                  r"no-?reply|abuse|hostmaster)$", re.IGNORECASE)


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
        return asdict(self)


@dataclass
class Report:
    """What a DSN or a bounce says; `kind` is bounce | delay | delivered."""

    kind: str
    recipients: list[Recipient] = field(default_factory=list)
    envelope_id: str | None = None
    reporting_mta: str | None = None
    evidence: list[str] = field(default_factory=list)


# --- reasons --------------------------------------------------------------------------------------------


def reason_of(text: str, status: str | None = None) -> tuple[str | None, str | None]:
    """(reason, what decided) from a diagnostic: a specific phrase, else the status code, else a generic
    phrase."""
    text = text[:4000]
    for reason, pattern in _SPECIFIC:
        found = pattern.search(text)
        if found:
            return reason, found.group(0)
    if status:
        reason = STATUS_REASONS.get(status.split(".", 1)[1] if "." in status else "")
        if reason:
            return reason, f"status {status}"
    for reason, pattern in _GENERIC:
        found = pattern.search(text)
        if found:
            return reason, found.group(0)
    return None, None


def _address_refused(status: str | None, text: str) -> bool:
    """An "unknown user" is a fact about the address when the status says so (X.1.x: addressing), when the
    reply answered RCPT TO, or when the recipient's system says it in its directory's own words (no SMTP
    reply code in front). A remote "user unknown" after DATA, or with no clue, may be a content filter
    speaking."""
    if status and status[1:4] == ".1.":
        return True
    if _RCPT_STAGE.search(text) or any(m.group(2) == "1" for m in STATUS.finditer(text)):
        return True
    found = _DIRECTORY.search(text)
    return found is not None and not REPLY_CODE.search(text[max(0, found.start() - 60) : found.start()])


def finish(recipient: Recipient, context: str = "", stage: str = "") -> Recipient:
    """Fill status (from the text when missing or generic), reason, hard and permanent. `context` is read
    when the diagnostic names no reason; `stage` is where the SMTP dialogue says when the failure came."""
    text = " ".join((recipient.diagnostic or "").split())
    context = " ".join(context.split()) if context else ""
    if not recipient.status or recipient.status.endswith(".0.0"):
        found = STATUS.search(text) or (STATUS.search(context) if context else None)
        if found and (not recipient.status or found.group(1) == recipient.status[0]):
            recipient.status = found.group(0)
    reason, _ = reason_of(text, recipient.status)
    if reason is None and context:
        reason, _ = reason_of(context, recipient.status)
    said = f"{text} {context} {stage}"
    if reason == "user_unknown" and not _address_refused(recipient.status, said):
        reason = "filtered"
    recipient.reason = reason
    code = recipient.status[0] if recipient.status else None
    if code is None:
        reply = REPLY_CODE.search(text)
        code = reply.group(1)[0] if reply else None
    failed = recipient.action == "failed"
    recipient.permanent = failed and code != "4"
    recipient.hard = failed and reason in HARD_REASONS and code != "4"
    return recipient


# --- RFC 3464 fields ------------------------------------------------------------------------------------

_FIELD = re.compile(r"^([A-Za-z][A-Za-z0-9-]{1,40})[ \t]*:[ \t]*(.*)$")
_HAS_RECIPIENT_FIELD = re.compile(r"^(?:final|original)-recipient[ \t]*:", re.IGNORECASE | re.MULTILINE)
_RECIPIENT_FIELDS = frozenset({"final-recipient", "original-recipient", "action", "status", "remote-mta",
                               "diagnostic-code", "last-attempt-date", "will-retry-until", "x-actual-recipient",
                               "final-log-id", "x-display-name", "x-supplementary-info"})


def _blocks(text: str) -> list[list[tuple[str, str]]]:
    """Field groups separated by blank lines, folded lines unfolded, names lowercased."""
    blocks: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if not line.strip():
            if current:
                blocks.append(current)
                current = []
            continue
        if line[0] in " \t" and current:
            name, value = current[-1]
            current[-1] = (name, f"{value} {line.strip()}")
            continue
        match = _FIELD.match(line)
        if match:
            current.append((match.group(1).lower(), match.group(2).strip()))
    if current:
        blocks.append(current)
    return blocks


def _address_of(value: str) -> str | None:
    value = value.split(";", 1)[1] if ";" in value else value
    found = ADDRESS.search(value)
    if found:
        return f"{found.group(1)}@{found.group(2)}".lower()
    value = value.strip().strip("<>").strip()
    return value.lower() or None


def _strip_type(value: str) -> str:
    head, sep, tail = value.partition(";")
    if sep and len(head) < 12 and " " not in head.strip():
        return tail.strip()
    return value.strip()


def parse_dsn_fields(text: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Per-message fields and per-recipient field groups of a DSN body (tolerant of missing blank lines)."""
    per_message: dict[str, str] = {}
    recipients: list[dict[str, str]] = []
    for block in _blocks(text):
        names = [name for name, _ in block]
        if "final-recipient" not in names and "original-recipient" not in names:
            for name, value in block:
                per_message.setdefault(name, value)
            continue
        current: dict[str, str] = {}
        for name, value in block:
            # Recipients are separated by blank lines; without them, a repeated recipient field starts one.
            starts = name in ("final-recipient", "original-recipient") and name in current
            if starts:
                recipients.append(current)
                current = {}
            if name in _RECIPIENT_FIELDS:
                current.setdefault(name, value)
            else:
                per_message.setdefault(name, value)
        recipients.append(current)
    return per_message, [r for r in recipients if "final-recipient" in r or "original-recipient" in r]


def read_dsn(view: MailView) -> Report | None:
    """The report of a DSN: from message/delivery-status, DSN fields in the notice text, or a DSN that
    arrives wrapped in another message."""
    report = _read_dsn(view)
    if report is None and view.embedded_report is not None:
        report = _read_dsn(view.embedded_report)
        if report is not None:
            report.evidence.append("DSN found inside a forwarded/wrapped message")
    return report


def _read_dsn(view: MailView) -> Report | None:
    text = view.report_blocks.get("delivery-status", "")
    source = "message/delivery-status"
    if not _HAS_RECIPIENT_FIELD.search(text):
        notice = view.notice
        if not _HAS_RECIPIENT_FIELD.search(notice):
            return None
        text, source = notice, "DSN fields in text"
    per_message, groups = parse_dsn_fields(text)
    if not groups:
        return None
    recipients: list[Recipient] = []
    single = len(groups) == 1
    for group in groups:
        final = group.get("final-recipient") or group.get("x-actual-recipient") or ""
        original = group.get("original-recipient")
        address = _address_of(final) if final else None
        original_address = _address_of(original) if original else None
        if not address or not ADDRESS.fullmatch(address):
            address = original_address or _fallback_address(view, len(groups)) or address
        status = STATUS.search(group.get("status", ""))
        action = ACTIONS.get(group.get("action", "").split()[0].lower().rstrip(".;") if group.get("action") else "")
        diagnostic = _strip_type(unfold(group.get("diagnostic-code", ""))) or None
        if diagnostic:
            diagnostic = " ".join(diagnostic.split())[:1000]
        if action is None:
            action = _guess_action(status.group(0) if status else None, view.flat)
        recipient = Recipient(
            address=address,
            original_recipient=original_address if original_address != address else None,
            action=action,
            status=status.group(0) if status else None,
            diagnostic=diagnostic,
            remote_mta=_strip_type(group["remote-mta"]) if group.get("remote-mta") else None,
        )
        about = _segment(view.flat, address, [g.get("final-recipient", "") for g in groups], single)
        recipients.append(finish(recipient, "" if diagnostic else about, about))
    if not any(r.address for r in recipients):
        return None
    report = Report(
        kind=_kind_of(recipients),
        recipients=recipients,
        envelope_id=_xtext_decode(per_message.get("original-envelope-id", "").strip()) or None,
        reporting_mta=_strip_type(per_message["reporting-mta"]) if per_message.get("reporting-mta") else None,
        evidence=[f"{source}: " + ", ".join(f"{r.address} {r.action} {r.status or ''}".strip() for r in recipients)],
    )
    weak = [r.address for r in recipients if r.action in ("relayed", "expanded")]
    if weak:
        report.evidence.append(f"relayed/expanded is weaker than delivered (left our relay, not a mailbox): {weak}")
    return report


def failed_header(view: MailView) -> list[str]:
    """X-Failed-Recipients (Exim, Gmail and others set it on their bounces)."""
    found: list[str] = []
    for value in view.header_all("X-Failed-Recipients"):
        for item in value.split(","):
            item = item.strip().strip("<>").lower()
            if "@" in item and item not in found:
                found.append(item)
    return found


def _fallback_address(view: MailView, count: int) -> str | None:
    """A DSN whose Final-Recipient is unusable: the failed-recipients header, or the notice's one address."""
    listed = failed_header(view)
    if len(listed) == count == 1:
        return listed[0]
    if count == 1:
        found = _failed_recipients(view, view.notice)
        if len(found) == 1:
            return found[0].address
    return None


def _segment(flat: str, address: str | None, fields: list[str], single: bool) -> str:
    """The part of the notice about this recipient: all of it for a single recipient, else from its address
    to the next other recipient's."""
    if single or not address:
        return flat
    lowered = flat.lower()
    position = lowered.find(address)
    if position < 0:
        return ""
    end = position + 600
    for other in fields:
        other_address = _address_of(other) if other else None
        if other_address and other_address != address:
            found = lowered.find(other_address, position + len(address))
            if 0 <= found < end:
                end = found
    return flat[position:end]


def _xtext_decode(value: str) -> str:
    return re.sub(r"\+([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), value)


def _guess_action(status: str | None, notice: str) -> str:
    if status and status[0] == "2":
        return "delivered"
    if status and status[0] == "4" and DELAY_PHRASES.search(notice) and not _FINAL.search(notice):
        return "delayed"
    return "failed"


def _kind_of(recipients: list[Recipient]) -> str:
    actions = {r.action for r in recipients}
    if "failed" in actions:
        return "bounce"
    if "delayed" in actions:
        return "delay"
    return "delivered"


# --- non-standard bounces -------------------------------------------------------------------------------


def bounce_signals(view: MailView, mail_from: str | None) -> list[str]:
    """The independent hints that a message is a bounce (each named, for the evidence)."""
    signals = []
    name, address = view.sender
    if DAEMON_SENDER.search(f"{name} {address}") or not address:
        signals.append(f"sender {address or name or '<>'}")
    subject = BOUNCE_SUBJECT.search(view.subject)
    if subject:
        signals.append(f"subject '{subject.group(0)}'")
    return_path = view.header("Return-Path")
    if mail_from == "" or return_path.strip() in ("<>", "<<>>"):
        signals.append("null envelope sender")
    return signals


def read_text_bounce(view: MailView, mail_from: str | None = None) -> Report | None:
    """A bounce that is not (only) RFC 3464: detected by sender/subject signals plus failure phrases."""
    notice = view.notice
    head = view.flat
    phrase = FAILURE_PHRASES.search(head) or DELAY_PHRASES.search(head)
    signals = bounce_signals(view, mail_from)
    strong_sender = any(s.startswith("sender") for s in signals)
    strong_subject = any(s.startswith("subject") for s in signals)
    if phrase is None:
        # Wording we do not know (Japanese, Chinese, Russian…): a daemon sending a bounce-like subject, or
        # sending back an attached original.
        if not strong_sender or not (strong_subject or view.returned_attached) or _SUCCESS.search(view.subject):
            return None
    elif not signals and view.returned is None:
        return None
    recipients = _failed_recipients(view, notice)
    delayed = bool(DELAY_PHRASES.search(head)) and not _FINAL.search(head) and not re.search(
        r"(?i)failed|fatal|rejected|unknown", " ".join(r.diagnostic or "" for r in recipients) + view.subject
    )
    for recipient in recipients:
        recipient.action = "delayed" if delayed else "failed"
        finish(recipient, notice if len(recipients) == 1 else "")
    evidence = [f"phrase '{phrase.group(0)}'" if phrase else "unknown wording"] + signals
    return Report(kind="delay" if delayed else "bounce", recipients=recipients, evidence=evidence)


def _excluded(view: MailView) -> tuple[set[str], set[str]]:
    """(never, rather not): the bounce's own sender is never the failed recipient; the bounce's addressee
    and the original's sender rather not (but people do write to themselves)."""
    never = {view.sender[1]}
    rather_not = set()
    for name in ("To", "Delivered-To", "Return-Path"):
        rather_not.update(view.addresses(name))
    original = view.returned
    if original is not None:
        for name in ("From", "Return-Path", "Sender"):
            rather_not.update(view.addresses(name, original))
    return {a for a in never if a}, {a for a in rather_not if a}


_LABEL = re.compile(r"(?:rcpt to|to|recipient|original-recipient|final-recipient)\s*:?\s*(?:rfc822;)?\s*<?|"
                    r"[^:]{0,40}:\s*(?:<|mailto:)?|[^<]{0,30}<(?:mailto:)?", re.IGNORECASE)
# What may follow an address on a list line: nothing, punctuation, a date ("on …"), a bracketed reason,
# or a wide gap before the reason.
_LIST_END = re.compile(r"[>\"']?(?:[ \t]*(?:$|\n|[:;,.(\[<]|\.\.\.|on |--? )|[ \t]{2,}\S)", re.IGNORECASE)
_KEY_PREFIX = re.compile(r"^(?:smtp|rfc822|mailfrom|smtp\.mailfrom|header\.from|envelope-from)=", re.IGNORECASE)


def _returned_recipient(view: MailView, never: set[str], rather_not: set[str]) -> str | None:
    original = view.returned
    if original is None:
        return None
    targets = [a for a in view.addresses("To", original) + view.addresses("Cc", original)
               if a not in never and a not in rather_not]
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


def _failed_recipients(view: MailView, notice: str) -> list[Recipient]:
    """Failed addresses by where they sit: alone on a list line (or after a short label), after a recipient
    cue, anywhere in the notice, or (last resort) the To of the returned message."""
    never, rather_not = _excluded(view)
    tiers: dict[str, dict[str, int]] = {"listed": {}, "cued": {}, "anywhere": {}}
    for match in ADDRESS.finditer(notice):
        local = _KEY_PREFIX.sub("", match.group(1))
        if local.startswith("'") and not local.endswith("'"):
            local = local.lstrip("'")
        address = f"{local}@{match.group(2)}".lower()
        if address in never or _NOT_RECIPIENT_LOCAL.match(local.strip('"')):
            continue
        line_start = notice.rfind("\n", 0, match.start()) + 1
        before = notice[line_start : match.start()]
        tail = before[-50:]
        if (_SENDER_CUE.search(tail) or "message-id" in before.lower()) and not _RECIPIENT_CUE.search(tail):
            continue
        stripped = before.strip(" \t>*-\"'(•·[")
        after = notice[match.end() : match.end() + 40]
        if (not stripped or _LABEL.fullmatch(stripped)) and _LIST_END.match(after):
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
    flat = " ".join(notice.split())[:500] or None
    if not chosen and _returned_recipient(view, never, rather_not) is None:
        chosen = tiers["cued"]
    if not chosen:
        original = view.returned
        targets: list[str] = []
        if original is not None:
            targets = [a for a in view.addresses("To", original) + view.addresses("Cc", original)
                       if a not in never]
        clean = [a for a in targets if a not in rather_not]
        if len(clean) == 1 or len(targets) == 1:
            return [Recipient(address=clean[0] if len(clean) == 1 else targets[0], diagnostic=flat)]
        return [Recipient(address=None, diagnostic=flat)]
    ordered = sorted(chosen.items(), key=lambda item: item[1])
    recipients = []
    for index, (address, position) in enumerate(ordered):
        end = ordered[index + 1][1] if index + 1 < len(ordered) else len(notice)
        start = notice.rfind("\n", 0, position) + 1
        segment = notice[start:end] if end > position else notice[start:]
        recipients.append(Recipient(address=address, diagnostic=" ".join(segment.split())[:500] or None))
    return recipients
