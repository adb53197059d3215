"""Classify what comes back: ordered RULES (first hit wins, every hit recorded), and the correlation keys
found in the message (VERP token, ENVID, original Message-ID, In-Reply-To/References, invoice numbers).

Keys are only found here, never resolved: the worker ties them to a dispatch. `classify` never raises; a
message it cannot read comes back as kind "other" with a `reason`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from jalon.handlers import autoreplies, bounce_reasons, bounce_wording, bounces, feedback, receipts
from jalon.handlers.mailtext import filename_of, lazy
from jalon.handlers.mailview import MailView

_ANSWER_SUBJECT = re.compile(r"^\s*(?:re|r[eé]f|aw|antw|sv|tr|fwd?|wg)\s*:", re.IGNORECASE)
KINDS = ("bounce", "delay", "delivered", "read_receipt", "autoreply", "feedback", "reply", "invoice", "other")
TOKEN = r"[A-Za-z0-9_-]{8,64}"


@dataclass
class Classification:
    """What `jalon classify --json` prints, and what the worker's pipelines read."""

    kind: str
    recipients: list[dict[str, Any]] = field(default_factory=list)
    intent: str | None = None
    secondary_intents: list[str] = field(default_factory=list)  # replies: what else the customer says
    confidence: float | None = None  # replies: how sure the reading of the intent is (0..1)
    language: str | None = None  # replies: fr | en | de | es | it
    invoice_numbers: list[str] = field(default_factory=list)
    # replies saying different things of different invoices: the ones named with an intent of their own
    intents_by_invoice: dict[str, str] = field(default_factory=dict)
    amounts: list[str] = field(default_factory=list)  # replies: the sums of money said, as written
    promised_date: str | None = None
    instalments: list[str] = field(default_factory=list)  # replies: the days of a proposed payment plan
    new_contact: str | None = None
    missing: list[str] = field(default_factory=list)
    evidence: list[Any] = field(default_factory=list)  # phrases, fields and rules that decided (str or dict)
    correlation: dict[str, Any] = field(default_factory=dict)
    rules_hit: list[str] = field(default_factory=list)
    reason: str | None = None
    left_company: bool = False
    disposition: str | None = None  # read receipts: displayed | deleted | denied | …
    feedback_type: str | None = None
    new_text: str | None = None  # replies: the customer's own words, quotes and signature removed

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class Facts:
    """Everything the rules look at, each computed once, on first use."""

    def __init__(
        self, view: MailView, mail_from: str | None, rcpt_tos: Sequence[str], domain: str | None
    ) -> None:
        self.view = view
        self.mail_from = mail_from
        self.rcpt_tos = [str(r).strip() for r in rcpt_tos]  # tokens are case-sensitive
        self.domain = domain.lower() if domain else None

    @lazy
    def route(self) -> str | None:
        """bounce | reply | invoices, from the envelope recipient (None when unknown)."""
        for rcpt in self.rcpt_tos:
            local, _, rcpt_domain = rcpt.strip("<>").rpartition("@")
            if self.domain and rcpt_domain.lower() != self.domain:
                continue
            tagged = re.match(rf"^(bounces|reply)\+{TOKEN}$", local, re.IGNORECASE)
            if tagged:
                return "bounce" if tagged.group(1).lower() == "bounces" else "reply"
            if local.lower() in ("invoices", "factures"):
                return "invoices"
        return None

    @lazy
    def dsn(self) -> bounces.Report | None:
        return bounces.read_dsn(self.view)

    @lazy
    def bounce_wording(self) -> bounce_wording.Detection | None:
        route = self.route
        return bounce_wording.detect_text_bounce(self.view, route == "bounce", route in ("bounce", "reply"))

    @lazy
    def text_bounce(self) -> bounces.Report | None:
        return bounces.read_text_bounce(self.view, self.bounce_wording)

    @lazy
    def mdn(self) -> receipts.Receipt | None:
        return receipts.read_receipt(self.view)

    @lazy
    def arf(self) -> feedback.Feedback | None:
        return feedback.read_arf(self.view)

    @lazy
    def provider(self) -> feedback.ProviderEvent | None:
        return feedback.read_provider(self.view)

    @lazy
    def autoreply(self) -> autoreplies.AutoReply | None:
        return autoreplies.read_autoreply(self.view, by_system=self.by_system)

    @lazy
    def by_system(self) -> bool:
        """Sent by a mail system (a daemon) or carrying a machine report."""
        return bool(self.view.report_blocks) or any(
            s.startswith("sender") for s in bounce_wording.bounce_signals(self.view)
        )

    @lazy
    def invoice_attachments(self) -> list[str]:
        names = []
        for leaf in self.view.attachments:
            try:
                name = filename_of(leaf.part) or ""
            except Exception:
                name = ""
            lowered = name.lower()
            if leaf.content_type == "application/pdf" or lowered.endswith(".pdf"):
                names.append(name or "document.pdf")
            elif lowered.endswith(".xml") or leaf.content_type in ("application/xml", "text/xml"):
                names.append(name or "document.xml")
        return names

    @lazy
    def is_invoice_mail(self) -> bool:
        """A PDF or XML invoice sent to be processed: to invoices@, or not an answer in a thread."""
        if not self.invoice_attachments or self.route == "reply":
            return False
        return self.route == "invoices" or not self.is_reply

    @lazy
    def is_reply(self) -> bool:
        view = self.view
        return bool(
            self.route == "reply"
            or view.header("In-Reply-To")
            or view.header("References")
            or _ANSWER_SUBJECT.match(view.subject)
        )


def _provider_is(kind: str) -> Callable[[Facts], bool]:
    return lambda f: f.provider is not None and f.provider.kind == kind


def _dsn_is(kind: str) -> Callable[[Facts], bool]:
    return lambda f: f.dsn is not None and f.dsn.kind == kind


def _text_bounce_is(kind: str) -> Callable[[Facts], bool]:
    return lambda f: f.bounce_wording is not None and f.bounce_wording.kind == kind


Rule = tuple[str, str, Callable[[Facts], bool]]

# (name, kind, test). Machine-readable reports first, then wording, then what a person sends. Every rule is
# tested: the first hit decides the kind, all hits go to `rules_hit` for the event log.
RULES: tuple[Rule, ...] = (
    ("arf_feedback_report", "feedback", lambda f: f.arf is not None),
    ("provider_bounce", "bounce", _provider_is("bounce")),
    ("provider_delay", "delay", _provider_is("delay")),
    ("provider_delivered", "delivered", _provider_is("delivered")),
    ("provider_complaint", "feedback", _provider_is("feedback")),
    ("mdn_rejection", "bounce", lambda f: f.mdn is not None and f.mdn.rejected),
    ("mdn_read_receipt", "read_receipt", lambda f: f.mdn is not None),
    ("dsn_failed", "bounce", _dsn_is("bounce")),
    ("dsn_delayed", "delay", _dsn_is("delay")),
    ("dsn_delivered", "delivered", _dsn_is("delivered")),
    ("bounce_wording", "bounce", _text_bounce_is("bounce")),
    ("delay_wording", "delay", _text_bounce_is("delay")),
    ("autoreply_headers", "autoreply", lambda f: f.autoreply is not None and f.autoreply.by == "headers"),
    ("autoreply_wording", "autoreply", lambda f: f.autoreply is not None and f.autoreply.by == "text"),
    ("invoice_attachment", "invoice", lambda f: f.is_invoice_mail),
    ("human_reply", "reply", lambda f: f.is_reply or f.route == "reply"),
)


_MAIL_HEADERS = ("From", "To", "Date", "Received", "Message-ID", "Return-Path", "Subject", "Content-Type")


def classify(
    raw: bytes,
    *,
    mail_from: str = "",
    rcpt_tos: Sequence[str] = (),
    domain: str | None = None,
    view: MailView | None = None,
) -> Classification:
    """Classify one raw message; never raises (an unreadable message is kind "other" with a reason).
    `view`: the message already parsed (`MailView.parse(raw)`), when the caller reads it too."""
    try:
        view = view or MailView.parse(raw)
    except Exception as error:  # compat32 practically never raises; RecursionError on absurd nesting
        return Classification(
            kind="other", reason=f"unparseable message: {type(error).__name__}: {error}"[:300]
        )
    if not any(view.header(name) for name in _MAIL_HEADERS):
        # No header a mail system writes: a text file, a log, bytes — whatever it says about bounces.
        return Classification(
            kind="other", reason="not a mail: no From, To, Date, Received or Message-ID header"
        )
    facts = Facts(view, mail_from, rcpt_tos, domain)
    result = Classification(kind="other")
    errors: list[str] = []
    for name, kind, test in RULES:
        try:
            hit = test(facts)
        except Exception as error:  # one broken reader must not hide the others
            errors.append(f"{name}: {type(error).__name__}: {error}"[:200])
            continue
        if hit:
            result.rules_hit.append(name)
            if result.kind == "other" and not result.evidence:
                result.kind = kind
                result.evidence.append(f"rule {name}")
    try:
        _fill(result, facts)
    except Exception as error:
        errors.append(f"details: {type(error).__name__}: {error}"[:200])
    try:
        result.correlation = correlation(facts)
        result.invoice_numbers = result.invoice_numbers or result.correlation.get("invoice_numbers", [])
    except Exception as error:
        errors.append(f"correlation: {type(error).__name__}: {error}"[:200])
    if errors:
        result.evidence.append("errors: " + "; ".join(errors))
    if result.kind == "other":
        result.reason = _other_reason(view, errors)
    return result


def _fill(result: Classification, facts: Facts) -> None:
    """Per-kind details from the reader behind the winning rule."""
    kind, winner = result.kind, result.rules_hit[0] if result.rules_hit else ""
    if winner.startswith("provider_") and facts.provider:
        result.recipients = [r.to_json() for r in facts.provider.recipients]
        result.evidence += facts.provider.evidence
        result.feedback_type = facts.provider.feedback_type
    elif kind == "feedback" and facts.arf:
        result.recipients = [_recipient(a, "complained") for a in facts.arf.recipients]
        result.feedback_type = facts.arf.feedback_type
        result.evidence += facts.arf.evidence
    elif winner == "mdn_rejection" and facts.mdn:
        rejected = bounce_reasons.Recipient(
            address=facts.mdn.recipient, diagnostic=facts.mdn.explanation or None
        )
        result.recipients = [bounce_reasons.finish(rejected, facts.view.low).to_json()]
        result.evidence += facts.mdn.evidence
    elif kind == "read_receipt" and facts.mdn:
        result.disposition = facts.mdn.disposition
        result.recipients = [_recipient(facts.mdn.recipient, facts.mdn.disposition)]
        result.evidence += facts.mdn.evidence
    elif winner.startswith("dsn_") and facts.dsn:
        result.recipients = [r.to_json() for r in facts.dsn.recipients]
        result.evidence += facts.dsn.evidence
    elif kind in ("bounce", "delay") and facts.text_bounce:
        result.recipients = [r.to_json() for r in facts.text_bounce.recipients]
        result.evidence += facts.text_bounce.evidence
    elif kind == "autoreply" and facts.autoreply:
        result.left_company = facts.autoreply.left_company
        result.new_contact = facts.autoreply.new_contact
        result.evidence += facts.autoreply.evidence
    elif kind == "invoice":
        result.evidence.append("attachments: " + ", ".join(facts.invoice_attachments))
    elif kind == "reply":
        _analyze_reply(result, facts)


def _recipient(address: str | None, action: str) -> dict[str, Any]:
    """A recipient entry with the same keys as a delivery report's (complaints, read receipts)."""
    return bounce_reasons.Recipient(address=address, action=action).to_json()


def _analyze_reply(result: Classification, facts: Facts) -> None:
    """Delegate to the reply analyser (built separately): intent, dates, new contact, missing items, the
    customer's own words. A failure there leaves intent None and says why; the reply is still a reply."""
    try:
        from jalon.handlers import replies
    except Exception as error:  # ImportError, or a broken module: the classification itself stands
        result.evidence.append(f"reply analysis not available: {type(error).__name__}")
        return
    try:
        analysis = replies.analyze_reply(facts.view.message)  # it reads compat32 messages as well
    except Exception as error:
        result.evidence.append(f"reply analysis failed: {type(error).__name__}: {error}"[:200])
        return
    result.intent = getattr(analysis, "intent", None)
    result.secondary_intents = list(getattr(analysis, "secondary_intents", None) or [])
    result.confidence = getattr(analysis, "confidence", None)
    result.language = getattr(analysis, "language", None)
    result.invoice_numbers = list(getattr(analysis, "invoice_numbers", None) or [])
    result.intents_by_invoice = dict(getattr(analysis, "intents_by_invoice", None) or {})
    result.amounts = list(getattr(analysis, "amounts", None) or [])
    promised = getattr(analysis, "promised_date", None)
    result.promised_date = promised.isoformat() if hasattr(promised, "isoformat") else promised
    result.instalments = list(getattr(analysis, "instalments", None) or [])
    result.new_contact = getattr(analysis, "new_contact", None)
    result.missing = list(getattr(analysis, "missing", None) or [])
    result.new_text = getattr(analysis, "new_text", None)
    result.evidence += [
        e if isinstance(e, str | dict) else str(e) for e in (getattr(analysis, "evidence", None) or [])
    ]


def _other_reason(view: MailView, errors: list[str]) -> str:
    if errors:
        return "could not be read: " + errors[0]
    if not view.notice.strip() and not view.attachments:
        return "no readable text"
    return "no rule matched"


# --- correlation -----------------------------------------------------------------------------------------

_MESSAGE_ID = re.compile(r"<[^<>\s]{1,250}@[^<>\s]{1,250}>")
# Anchored on the "+" (a literal the engine jumps to) rather than on a case-insensitive word.
_TAGGED = re.compile(rf"\+(?:(?<=bounces\+)|(?<=reply\+))({TOKEN})@([a-z0-9.-]+)", re.IGNORECASE)
_ENVELOPE_ID = re.compile(r"^original-envelope-id\s*:\s*(\S+)", re.IGNORECASE | re.MULTILINE)
INVOICE_LABELS = ("factur", "invoice", "rechnung", "fattura", "avoir", "credit note", "fact.", "inv.", "inv#")
# Possessive spaces (`\s*+`): three optional runs of spaces in a row backtracked into each other, so a word
# "invoice" followed by a long run of blanks took time growing with the cube of its length.
INVOICE_NUMBER = re.compile(
    r"\b(?:facture|invoice|rechnung|fattura|factura|avoir|credit note|fact\.|inv[.#])\s*+"
    r"(?:(?:n[°ºo]\.?|no\.?|nr\.?|num(?:[eé]ro|ber)?\.?|#|ref\.?)\s*+)?(?:[:#]\s*+)?"
    r"([A-Z]{0,6}[-/_.]?\d[\w/.-]{1,30}\w|\d{3,})",
    re.IGNORECASE,
)


def _tagged_token(facts: Facts, text: str) -> str | None:
    """A bounces+TOKEN@ / reply+TOKEN@ address of our domain written somewhere in the text."""
    if "s+" not in text and "y+" not in text and "S+" not in text and "Y+" not in text:
        return None
    for found in _TAGGED.finditer(text):
        if not facts.domain or found.group(2).lower() == facts.domain:
            return found.group(1)
    return None


def correlation(facts: Facts) -> dict[str, Any]:
    """Keys to tie this message to a dispatch, strongest first; found, not resolved."""
    view = facts.view
    keys: dict[str, Any] = {}
    for rcpt in facts.rcpt_tos:
        found = re.match(rf"^<?(bounces|reply)\+({TOKEN})@([\w.-]+)>?$", rcpt, re.IGNORECASE)
        if found and (not facts.domain or found.group(3).lower() == facts.domain):
            keys["verp_token"], keys["verp_source"] = found.group(2), f"envelope {found.group(1).lower()}+"
            break
    if "verp_token" not in keys:
        for source, text in (
            ("headers", view.headers_text),
            ("returned message", view.returned_text),
            ("bounce text", view.notice),
            ("report", "\n".join(view.report_blocks.values())),
        ):
            token = _tagged_token(facts, text)
            if token:
                keys["verp_token"], keys["verp_source"] = token, source
                break
    envelope_id = (facts.dsn.envelope_id if facts.dsn else None) or _envelope_id(view)
    if envelope_id:
        keys["envid"] = envelope_id
    original_id = None
    if facts.mdn and facts.mdn.original_message_id:
        original_id = facts.mdn.original_message_id
    elif view.returned is not None:
        original_id = view.header("Message-ID", view.returned) or None
    if original_id:
        keys["original_message_id"] = original_id.strip()
    in_reply_to = _MESSAGE_ID.findall(view.header("In-Reply-To"))
    if in_reply_to:
        keys["in_reply_to"] = in_reply_to[0]
    references = _MESSAGE_ID.findall(view.header("References"))
    if references:
        keys["references"] = references[-20:]
    subjects = [view.subject]
    if view.returned is not None:
        subjects.append(view.header("Subject", view.returned))
    head = " \n".join(subjects)
    # view.low holds the notice lower-cased: no label there nor in the subjects, no number to look for.
    low_head = head.lower()
    if any(label in low_head or label in view.low for label in INVOICE_LABELS):
        numbers = invoice_numbers(head + "\n" + view.notice[:8000])
    else:
        numbers = []
    if numbers:
        keys["invoice_numbers"] = numbers
    return keys


def _envelope_id(view: MailView) -> str | None:
    for text in view.report_blocks.values():
        found = _ENVELOPE_ID.search(text)
        if found:
            return found.group(1)
    return None


def invoice_numbers(text: str) -> list[str]:
    """Invoice numbers named with a label (facture n°, invoice #, Rechnung Nr.), in order, unique."""
    lowered = text.lower()
    if not any(label in lowered for label in INVOICE_LABELS):
        return []
    seen: list[str] = []
    for match in INVOICE_NUMBER.finditer(text):
        number = match.group(1).strip(".-/")
        if any(c.isdigit() for c in number) and number not in seen:
            seen.append(number)
    return seen[:10]
