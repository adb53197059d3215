"""What a customer's reply says: its new text (quotes and signature removed), one primary intent with the
phrases that decided it, and the facts the actions need (invoice numbers, promised date, new contact, what
is missing).

    analyze_reply(message, received_at=...) -> ReplyAnalysis

Rules are the phrase tables of `phrases.py`; the primary intent is the one with the strongest phrase, ties
going by `phrases.PRECEDENCE`; the others are kept as secondary intents. Every decision is in `evidence`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import re
from dataclasses import asdict, dataclass, field
from email.header import decode_header, make_header
from email.message import Message
from email.utils import parseaddr, parsedate_to_datetime
from typing import Any

from jalon.handlers import quotes
from jalon.handlers.replies import dates, entities, model
from jalon.handlers.replies.phrases import (
    CLAUSE_END,
    INTENTS,
    NEGATION,
    NEGATION_AFTER,
    NEGATION_REACH,
    PRECEDENCE,
    compile_phrases,
    compile_topics,
)

__all__ = ["INTENTS", "ReplyAnalysis", "analyze_reply", "analyze_text"]

MAX_CLASSIFIED = 20_000  # characters of new text read; a human reply is shorter
DECISIVE = 0.75  # from this sure on (an intent said outright, rivals ranked by precedence) phrases decide
MODEL_TEMPERATURE = 10.0  # tempers naive Bayes' overconfidence before it meets the phrase weights
RULE_WEIGHT = 2.0  # what one step of phrase weight is worth against the model's log-probability
MODEL_ALONE = 0.7  # the model alone overrules the phrases only when it prefers one intent to all the others
MODEL_CONFIDENCE = 0.85  # a decision the model took part in is never as sure as a phrase said outright
OVERRULED_CONFIDENCE = 0.7  # nor as sure when the model read it otherwise than the phrases
MAX_QUOTED = 200_000  # characters of the whole body searched for invoice numbers when the new text has none
PHRASES = compile_phrases()
TOPICS = compile_topics()
CONTEXTUAL = frozenset(phrase.rule for phrase in PHRASES if phrase.context or phrase.unless)
# A sentence that points back to the one before ("celui-ci n'était pas joint", "without them").
ANAPHORA = re.compile(r"(?<!\w)(?:celui-ci|celle-ci|ceux-ci|celles-ci|ce document|ces documents|them|they"
                      r"|these|those|it)(?!\w)")  # fmt: skip
REPLY_PREFIX = re.compile(
    r"^\s*(?:(?:re|tr|fw|fwd|aw|wg|ref|rep|r|sv|vs)\s*(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE
)
# A full stop ends a sentence, except after an abbreviation ("org. no.", "n°", "réf.") or an initial ("J.").
SENTENCE_END = re.compile(
    r"(?<!\borg)(?<!\bno)(?<!\bnr)(?<!\bref)(?<!\bcf)(?<!\betc)(?<!\bfact)(?<!\bfac)(?<!\binv)(?<!\bmme)"
    r"(?<!\bdr)(?<!\bst)(?<!\b\w)\.(?=\s|$)|[!?;](?=\s|$)|\n\s*\n"
)
THANKS_ONLY = re.compile(
    r"\W*(?:(?:bonjour|hello|hi|bonsoir)\b\W*)?(?:merci(?!\s+(?:de|d')\b)|thanks|thank you|ok|okay"
    r"|parfait|super|top"
    r"|d'accord|entendu|great)\b"
)


@dataclass
class ReplyAnalysis:
    """The reading of one reply. `evidence` says which phrase (and which rule) decided each field."""

    intent: str
    new_text: str
    invoice_numbers: list[str] = field(default_factory=list)
    promised_date: str | None = None
    # Several days to come in the promise ("half on 15/12, the rest on 15/01"): a payment plan, oldest first
    instalments: list[str] = field(default_factory=list)
    new_contact: str | None = None
    missing: list[str] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    secondary_intents: list[str] = field(default_factory=list)
    confidence: float = 0.0
    language: str = "fr"
    # One reply, different things of different invoices ("1050 est réglée, la 0990 jamais reçue"): the
    # invoices the new text names with an intent of their own, when one differs from `intent`; else {}
    intents_by_invoice: dict[str, str] = field(default_factory=dict)
    # Sums of money the new text says, as written ("150 €", "1 200,00 EUR"): put before the person who reads
    # a dispute or a partial payment, who would look for them in the words
    amounts: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)


@dataclass(frozen=True)
class _Hit:
    intent: str
    rule: str
    weight: int
    start: int
    end: int
    where: str
    negated: bool = False


# --- from a message ---------------------------------------------------------------------------------------


def analyze_reply(
    message: Message, *, received_at: dt.datetime | None = None, reader: model.NaiveBayes | None = None
) -> ReplyAnalysis:
    """Read a customer's reply. Relative dates resolve against its Date header, else `received_at`;
    `reader` is the model consulted when no phrase decides (the shipped one by default)."""
    try:
        body = quotes.body_text(message)
    except Exception:  # a body that cannot be decoded reads as empty, never as a crash
        body = ""
    try:
        text = quotes.strip_quotes(body)
    except Exception:  # a stripper bug must not lose the reply: read it whole (capped) instead
        text = body[:MAX_CLASSIFIED]
    return analyze_text(
        text,
        subject=_header_text(message, "Subject"),
        reference=_reference_date(message, received_at),
        sender=parseaddr(_header_text(message, "From"))[1].lower(),
        quoted=body[:MAX_QUOTED],
        reader=reader,
    )


def _header_text(message: Message, name: str) -> str:
    try:
        value = message.get(name)
        if value is None:
            return ""
        return str(make_header(decode_header(str(value))))
    except Exception:
        try:
            return str(message.get(name, ""))
        except Exception:
            return ""


def _reference_date(message: Message, received_at: dt.datetime | None) -> dt.date:
    try:
        sent = parsedate_to_datetime(_header_text(message, "Date"))
        if sent is not None:
            return sent.date()  # the sender's own calendar day: "demain" is relative to it
    except (TypeError, ValueError, IndexError):
        pass
    if received_at is not None:
        return received_at.date()
    return dt.datetime.now(dt.UTC).date()


# --- from text --------------------------------------------------------------------------------------------


def analyze_text(
    new_text: str,
    *,
    subject: str = "",
    reference: dt.date | None = None,
    sender: str = "",
    quoted: str = "",
    reader: model.NaiveBayes | None = None,
) -> ReplyAnalysis:
    """Read the new text of a reply (and its subject) into an intent and its facts."""
    reference = reference or dt.datetime.now(dt.UTC).date()
    text = new_text[:MAX_CLASSIFIED]
    folded = quotes.fold(text)
    topic_line = REPLY_PREFIX.sub("", subject or "")[:500]
    folded_subject = quotes.fold(topic_line)

    due = None
    if dates.MENTIONS_DUE.search(folded) and quoted:
        due = dates.due_date(quotes.fold(quoted), reference)
    found_dates = dates.find_dates(folded, reference, due)
    hits = _hits(folded, "body") + [_weaker(hit) for hit in _hits(folded_subject, "subject")]
    hits = _missing_info_strength(folded, hits)
    hits = _for_next_invoices(folded, hits)
    hits = _dated_promise_strength(folded, hits, found_dates, reference)
    thanks = THANKS_ONLY.match(folded)
    strong = any(hit.weight >= 2 and not hit.negated for hit in hits)
    if thanks and not strong and len(folded[thanks.end() :].split()) <= 6:
        hits.append(_Hit("acknowledged", "acknowledged.merci_court", 1, thanks.start(), thanks.end(), "body"))

    intent, secondary, confidence = _decide(hits, bool(text.strip()))
    evidence = [_evidence(hit, text, topic_line) for hit in hits]
    if confidence < DECISIVE and text.strip():
        intent, secondary, confidence = _second_opinion(text, hits, intent, confidence, evidence, reader)
    intents = {intent, *secondary}

    analysis = ReplyAnalysis(
        intent=intent,
        new_text=new_text,
        secondary_intents=secondary,
        confidence=confidence,
        language=entities.language(folded or folded_subject),
    )
    analysis.invoice_numbers = _invoice_numbers(folded_subject, topic_line, folded, text, quoted, evidence)
    analysis.intents_by_invoice = _intents_by_invoice(folded, text, hits, intent, evidence)
    analysis.amounts = entities.amounts(text)
    if "promise_to_pay" in intents:
        promising = _promise_sentences(folded, hits)
        analysis.promised_date = _promised_date(text, folded, promising, found_dates, reference, evidence)
        analysis.instalments = _instalments(promising, found_dates, reference)
    if intent == "contact_change" or any(
        hit.intent == "contact_change" and hit.weight >= 2 and not hit.negated for hit in hits
    ):
        analysis.new_contact = _new_contact(folded, text, hits, sender, evidence)
    if "missing_info" in intents:
        analysis.missing = _missing(folded, text, hits, evidence)
    analysis.evidence = evidence
    return analysis


def _hits(folded: str, where: str) -> list[_Hit]:
    hits = []
    for phrase in PHRASES:
        for match in phrase.regex.finditer(folded):
            start, end = match.span()
            negated = phrase.negatable and _negated(folded, start, end)
            weight = phrase.weight
            if phrase.context is not None or phrase.unless is not None:
                span = _sentence(folded, start)
                if (phrase.context is not None and not phrase.context.search(folded, *span)) or (
                    phrase.unless is not None and phrase.unless.search(folded, *span)
                ):
                    weight = 1
            hits.append(_Hit(phrase.intent, phrase.rule, weight, start, end, where, negated))
    return hits


def _negated(folded: str, start: int, end: int) -> bool:
    """A negation in the phrase's own gap words, in the clause just before it, or "pas" right after it."""
    window_start = max(0, start - NEGATION_REACH)
    window = folded[window_start:start]
    boundaries = list(CLAUSE_END.finditer(window))
    if boundaries:
        window = window[boundaries[-1].end() :]
    inside = NEGATION.search(folded, start + 1, end) is not None  # "will not pay": a gap word negates too
    return inside or NEGATION.search(window) is not None or NEGATION_AFTER.match(folded, end) is not None


def _weaker(hit: _Hit) -> _Hit:
    """A subject line is a hint: one step weaker than the same words in the body."""
    return _Hit(hit.intent, hit.rule, max(1, hit.weight - 1), hit.start, hit.end, hit.where, hit.negated)


def _sentence(folded: str, position: int) -> tuple[int, int]:
    start = 0
    for boundary in SENTENCE_END.finditer(folded, 0, position):
        start = boundary.end()
    following = SENTENCE_END.search(folded, position)
    return start, following.start() if following else len(folded)


def _missing_info_strength(folded: str, hits: list[_Hit]) -> list[_Hit]:
    """ "Il manque" says little alone; with what is missing in the same sentence, it says it all, and so
    it does when the sentence points back to it ("Celui-ci n'était pas joint", "not without them")."""
    upgraded = []
    for hit in hits:
        if (
            hit.intent == "missing_info"
            and hit.where == "body"
            and not hit.negated
            and hit.weight < 3
            and hit.rule not in CONTEXTUAL  # a phrase that names its own context was weakened on purpose
        ):
            start, end = _sentence(folded, hit.start)
            if ANAPHORA.search(folded, start, end) and start > 0:
                start = _sentence(folded, max(0, start - 2))[0]
            if any(regex.search(folded, start, end) for regex in TOPICS.values()):
                hit = _Hit(hit.intent, hit.rule, 3, hit.start, hit.end, hit.where)
        upgraded.append(hit)
    return upgraded


# "Pour les prochaines, pensez à indiquer notre référence": a wish for the invoices to come, not a piece
# missing from this one.
NEXT_INVOICES = re.compile(
    r"pour les (?:prochaines|suivantes|futures)|(?:a l'avenir|dorenavant|desormais)\b|(?:for|on) (?:future"
    r"|upcoming|next|subsequent) (?:invoices|bills|ones)|\bin (?:the )?future\b|next time|going forward"
    r"|from now on"
)


def _for_next_invoices(folded: str, hits: list[_Hit]) -> list[_Hit]:
    """A missing-information request made for the invoices to come is a weak hint about this one."""
    weakened = []
    for hit in hits:
        if hit.intent == "missing_info" and hit.where == "body" and hit.weight > 1:
            start, end = _sentence(folded, hit.start)
            if NEXT_INVOICES.search(folded, start, end):
                hit = _Hit(hit.intent, hit.rule, 1, hit.start, hit.end, hit.where, hit.negated)
        weakened.append(hit)
    return weakened


def _dated_promise_strength(
    folded: str, hits: list[_Hit], found: list[dates.DateHit], reference: dt.date
) -> list[_Hit]:
    """ "Je fais le virement" is a promise when a date to come stands in the same sentence; then "je vous
    règle le 5" in that sentence is no payment made."""
    upgraded = []
    for hit in hits:
        weakened = hit.weight == 1 and hit.rule in CONTEXTUAL  # its sentence says otherwise ("déjà", "reçu")
        hint = hit.intent == "promise_to_pay" and hit.where == "body" and hit.weight < 3
        if hint and not hit.negated and not weakened:
            start, end = _sentence(folded, hit.start)
            if any(start <= day.start < end and day.value > reference for day in found):
                hit = _Hit(hit.intent, hit.rule, 3, hit.start, hit.end, hit.where)
        upgraded.append(hit)
    promised = {
        _sentence(folded, hit.start)
        for hit in upgraded
        if hit.intent == "promise_to_pay" and hit.where == "body" and hit.weight >= 3 and not hit.negated
    }
    dated = {span for span in promised if any(span[0] <= day.start < span[1] and day.value > reference
                                              for day in found)}  # fmt: skip
    return [
        _Hit(hit.intent, hit.rule, 1, hit.start, hit.end, hit.where, hit.negated)
        if hit.intent == "paid" and hit.where == "body" and _sentence(folded, hit.start) in dated
        else hit
        for hit in upgraded
    ]


def _decide(hits: list[_Hit], has_text: bool) -> tuple[str, list[str], float]:
    strength: dict[str, int] = {}
    for hit in hits:
        if not hit.negated:
            strength[hit.intent] = max(strength.get(hit.intent, 0), hit.weight)
    order = sorted(strength, key=lambda intent: (-strength[intent], PRECEDENCE.index(intent)))
    # A weak hint alone decides nothing, except a bare thank-you.
    candidates = [intent for intent in order if strength[intent] >= 2 or intent == "acknowledged"]
    if not candidates:
        return "other", [], 0.3 if has_text else 0.1
    primary = candidates[0]
    others = [intent for intent in candidates[1:] if strength[intent] >= 2]
    if primary == "acknowledged" and others:  # "bien reçu" and something else: the something else acts
        primary = others[0]
    if primary == "contact_change" and strength.get("paid", 0) >= 3:
        primary = "paid"  # "paid on the 3rd; send the next ones to ap@…": the invoice is settled first
    if primary == "contact_change" and any(hit.rule == "question.alerte_rib" for hit in hits):
        primary = "question"  # "a mail says your RIB changed, can you confirm?": nothing to approve
    secondary = [intent for intent in order if intent != primary and strength[intent] >= 2]
    top = strength[primary]
    if top >= 3:
        rivals = sum(1 for intent in secondary if strength[intent] >= 3)
        confidence = 0.9 if not rivals else 0.75
    else:
        confidence = 0.6 if top == 2 else 0.4
    return primary, secondary, confidence


def _strengths(hits: list[_Hit]) -> dict[str, int]:
    strength: dict[str, int] = {}
    for hit in hits:
        if not hit.negated:
            strength[hit.intent] = max(strength.get(hit.intent, 0), hit.weight)
    return strength


def _second_opinion(
    text: str,
    hits: list[_Hit],
    said: str,
    confidence: float,
    evidence: list[dict[str, Any]],
    reader: model.NaiveBayes | None,
) -> tuple[str, list[str], float]:
    """When no phrase says it outright, the model's reading weighs in: each intent scores the log of its
    (tempered) probability plus RULE_WEIGHT per step of its strongest phrase, so a phrase still counts, and
    wording the tables do not know is read by what it resembles."""
    strength = _strengths(hits)
    view = model.opinion(text, MODEL_TEMPERATURE, reader)
    if view is None:
        secondary = [name for name in sorted(strength, key=_rank) if name != said and strength[name] >= 2]
        return said, secondary, confidence
    fused = {
        intent: math.log(max(p, 1e-12)) + RULE_WEIGHT * strength.get(intent, 0)
        for intent, p in view.posterior.items()
    }
    top = max(fused.values())
    weights = {intent: math.exp(score - top) for intent, score in fused.items()}
    intent = max(fused, key=lambda name: (fused[name], -_rank(name)))
    if strength.get(intent, 0) < 2 and view.posterior[intent] < MODEL_ALONE:
        intent = said  # wording no phrase supports, and a model unsure of it: it does not overrule
    evidence.append({
        "intent": intent, "rule": "model.naive_bayes", "phrase": ", ".join(view.evidence),
        "probability": round(view.posterior[intent], 2), "rules_said": said, "decided": intent != said,
    })  # fmt: skip
    secondary = [name for name in sorted(strength, key=_rank) if name != intent and strength[name] >= 2]
    fused_confidence = weights[intent] / sum(weights.values())
    ceiling = MODEL_CONFIDENCE if intent == said else OVERRULED_CONFIDENCE
    return intent, secondary, round(min(ceiling, max(confidence, fused_confidence)), 2)


def _rank(intent: str) -> int:
    return PRECEDENCE.index(intent) if intent in PRECEDENCE else len(PRECEDENCE)


def _evidence(hit: _Hit, text: str, subject: str) -> dict[str, Any]:
    source = text if hit.where == "body" else subject
    item: dict[str, Any] = {
        "intent": hit.intent,
        "rule": hit.rule,
        "phrase": source[hit.start : hit.end],
        "weight": hit.weight,
        "where": hit.where,
    }
    if hit.negated:
        item["negated"] = True
    return item


# --- facts ------------------------------------------------------------------------------------------------


def _invoice_numbers(
    folded_subject: str, subject: str, folded: str, text: str, quoted: str, evidence: list[dict[str, Any]]
) -> list[str]:
    """Numbers named in the subject and the new text (else in the quoted original), in that order."""
    sources = [("subject", folded_subject, subject), ("body", folded, text)]
    named = [
        (where, *item) for where, fold_src, src in sources for item in entities.invoice_numbers(fold_src, src)
    ]
    if not named and quoted:
        named = [("quoted", *item) for item in entities.invoice_numbers(quotes.fold(quoted), quoted)]
    shapes = {
        entities.shape(value) for _where, value, _start, _end in named if sum(map(str.isdigit, value)) >= 4
    }
    if shapes:
        for where, fold_src, src in sources:
            for item in entities.same_shape(fold_src, src, shapes):
                named.append((where, *item))
    rank = {"subject": 0, "body": 1, "quoted": 2}
    numbers: list[str] = []
    for where, value, _start, _end in sorted(named, key=lambda item: (rank[item[0]], item[2])):
        if value not in numbers:
            numbers.append(value)
            evidence.append({"field": "invoice_numbers", "rule": "entities.invoice_number", "phrase": value,
                             "where": where})  # fmt: skip
    return numbers


# What one invoice's own words can ask for; a question, thanks or a contact change is about the whole mail.
OWN_INTENTS = ("not_received", "resend_request", "dispute", "missing_info", "promise_to_pay", "paid")
# Where the words about one invoice end: a comma, a full stop, "mais", "but"... Not "et" / "and", which join
# a list of numbers ("1107 et 1109 seront payées le 25"): within a part, an intent goes to the number said
# just before it ("la 1050 est payée et la 0990 n'est jamais arrivée"), else to the first after it.
PART_END = re.compile(
    r"[,;!?\n]|\.(?=\s|$)|\s[-–—]\s|\b(?:mais|but|cependant|however|toutefois|par contre|tandis que"
    r"|alors que|whereas|while|aber|pero|sauf|except)\b"
)
# A part that takes an invoice out of what the rest says: "payées, mais pas la 0990", "but not INV-0990",
# "toutes réglées sauf la 0990". Such an invoice gets EXCEPTED: nothing is done to it on the reply's word.
EXCEPTION = re.compile(r"\b(?:sauf|except|hormis|excepte|ausser|salvo|tranne)\b")
CONTRAST = re.compile(r"\b(?:mais|but|aber|pero)\b")
EXCEPTED = "excepted"


def _intents_by_invoice(
    folded: str, text: str, hits: list[_Hit], intent: str, evidence: list[dict[str, Any]]
) -> dict[str, str]:
    """{number: intent} for the invoices the new text names with an intent of their own, when the reply says
    something else of one of them than its main intent; {} when it says one thing of all (the usual case)."""
    named = _every_mention(folded, entities.invoice_numbers(folded, text))
    if len({value for value, _start, _end in named}) < 2:
        return {}
    parts = list(itertools.pairwise([0, *(m.end() for m in PART_END.finditer(folded)), len(folded) + 1]))
    own: dict[str, _Hit] = {}
    for hit in hits:
        if hit.where != "body" or hit.negated or hit.weight < 2 or hit.intent not in OWN_INTENTS:
            continue
        number = _spoken_of(folded, parts, named, hit.start)
        held = own.get(number) if number else None
        if number and (held is None or (hit.weight, -_rank(hit.intent)) > (held.weight, -_rank(held.intent))):
            own[number] = hit
    found = {number: hit.intent for number, hit in own.items()}
    rules = {number: hit.rule for number, hit in own.items()}
    for value, start, _end in named:
        if value in found:
            continue
        part_start, part_end = next((a, b) for a, b in parts if a <= start < b)
        opening = folded[max(0, part_start - 8) : start]
        said = folded[part_start:start]
        if EXCEPTION.search(opening) or (CONTRAST.search(opening) and NEGATION.search(said)):
            found[value], rules[value] = EXCEPTED, "replies.exception"
        elif folded[part_end - 1 : part_end] == "?" and len(folded[part_start:part_end].split()) <= 5:
            # "la 1050 est payée, et la 0990 ?": asked about, not said of: a person answers
            found[value], rules[value] = "question", "replies.asked_about"
    for value, listed_with in _listed_with(folded, parts, named, found).items():
        found[value], rules[value] = found[listed_with], "replies.listed_with"
    unread = {value for value, _start, _end in named if own and value not in found}
    for index, (value, _start, _end) in enumerate(named):
        if value in unread and len(_own_words(folded, parts, named, hits, index)) < 2:
            unread.discard(value)  # said once among others, with nothing of its own: the reply's intent
    for value in unread:
        # "la 1050 est payée ; la 0990, je vois avec la compta": words no phrase reads: a person does
        found[value], rules[value] = "question", "replies.unread_words"
    if all(value == intent for value in found.values()):
        return {}
    for number, value in found.items():
        evidence.append({"field": "intents_by_invoice", "rule": rules[number], "phrase": number,
                         "intent": value})  # fmt: skip
    return found


def _every_mention(folded: str, named: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Every place each number is said, in text order ("suite à votre relance sur la F-1050, … la F-1050 et
    la F-1051 ont été payées": what is said goes to the second)."""
    mentions = set(named)
    for value, _start, _end in named:
        for found in re.finditer(rf"(?<![\w-]){re.escape(value.lower())}(?![\w-])", folded):
            mentions.add((value, found.start(), found.end()))
    return sorted(mentions, key=lambda item: item[1])


def _spoken_of(
    folded: str, parts: list[tuple[int, int]], named: list[tuple[str, int, int]], position: int
) -> str | None:
    """The invoice an intent phrase at `position` speaks of: in its part, the number said just before it,
    else the first after it; in a part naming none ("la F-0990, nous ne l'avons jamais reçue"), the last
    number said before it in its sentence."""
    part_start, part_end = next((a, b) for a, b in parts if a <= position < b)
    in_part = [item for item in named if part_start <= item[1] < part_end]
    if in_part:
        before = [item for item in in_part if item[2] <= position]
        return (before[-1] if before else in_part[0])[0]
    sentence_start, _ = _sentence(folded, position)
    earlier = [item for item in named if sentence_start <= item[1] < part_start]
    return earlier[-1][0] if earlier else None


# What may stand between the numbers of one list: "F-1050, F-1051 et la F-1052", "INV-1 and INV-2".
LIST_GLUE = re.compile(
    r"(?:[\s,/&]|(?<![a-z])(?:et|and|und|y|e|ou|or|ni|nor|la|le|les|l'|the|facture|factures|invoice|invoices"
    r"|rechnung|rechnungen|factura|facturas|fattura|fatture|n°|no|nr|n)(?![a-z])\.?)*"
)
# Words that say nothing of an invoice by themselves (`_own_words`).
_FILLER_WORDS = (
    "je j' nous on vous ce ca cela celle celle-ci celle-la la le les l' de du des un une et ou a au aux pour"
    " par avec en y est sont bien aussi egalement deja concernant quant i we you it that this the an and or"
    " of for with to is are also ich wir sie es der die das und yo la el los y io noi il lo e facture invoice"
    " factures invoices"
)
FILLER = frozenset(_FILLER_WORDS.split())
WORD = re.compile(r"[a-z][a-z'-]+")


def _content_words(folded: str) -> list[str]:
    return [word for word in WORD.findall(folded) if word not in FILLER]


def _before_in_part(folded: str, parts: list[tuple[int, int]], named: list[tuple[str, int, int]],
                    index: int) -> str:  # fmt: skip
    """The words of the number `named[index]`'s part said before it (after the number before it, if any)."""
    start = named[index][1]
    part_start = next(a for a, b in parts if a <= start < b)
    if index and named[index - 1][2] > part_start:
        part_start = named[index - 1][2]
    return folded[part_start:start]


def _own_words(
    folded: str, parts: list[tuple[int, int]], named: list[tuple[str, int, int]], hits: list[_Hit], index: int
) -> list[str]:
    """The words said of `named[index]` alone: before it in its part, and after it up to the next number,
    phrase or end of sentence; without the words that say nothing by themselves."""
    end = named[index][2]
    _, stop = _sentence(folded, end)
    stop = min([start for _value, start, _end in named[index + 1 :]] + [stop])
    stop = min([hit.start for hit in hits if hit.where == "body" and end <= hit.start < stop] + [stop])
    return _content_words(_before_in_part(folded, parts, named, index) + " " + folded[end:stop])


def _listed_with(
    folded: str, parts: list[tuple[int, int]], named: list[tuple[str, int, int]], found: dict[str, str]
) -> dict[str, str]:
    """{number: number it is listed with} for the numbers with no words of their own listed next to one said
    something of ("la F-1050, la F-1051 et la F-1052 ont été réglées", "payé F-1050, F-1051 et F-1052")."""
    shared: dict[str, str] = {}
    for step in (1, -1):  # the words usually follow a list ("X et Y sont payées"), else open it ("payé X, Y")
        for index in range(len(named))[::-step]:
            value, start, end = named[index]
            near = index + step
            if value in found or value in shared or not 0 <= near < len(named):
                continue
            other, other_start, other_end = named[near]
            gap = folded[end:other_start] if step == 1 else folded[other_end:start]
            source = shared.get(other, other)
            # a verb before the first of a list goes with all of it ("nous avons payé la F-1 et la F-2"), not
            # across a comma ("nous avons reçu la F-1, et la F-2 n'est jamais arrivée")
            bare = not _content_words(_before_in_part(folded, parts, named, index)) or not PART_END.search(
                gap
            )
            if source in found and bare and LIST_GLUE.fullmatch(gap):
                shared[value] = source
    return shared


def _promise_sentences(folded: str, hits: list[_Hit]) -> list[tuple[int, int]]:
    """Where the sentences that promise begin and end in the folded text."""
    return [_sentence(folded, hit.start) for hit in hits
            if hit.intent == "promise_to_pay" and hit.where == "body" and not hit.negated]  # fmt: skip


def _promised_date(
    text: str,
    folded: str,
    sentences: list[tuple[int, int]],
    found: list[dates.DateHit],
    reference: dt.date,
    evidence: list[dict[str, Any]],
) -> str | None:
    """The latest date to come in the sentences that promise (a balance paid "fin mai" after half "now")."""
    if not found:
        return None
    in_promise = [day for day in found if any(start <= day.start < end for start, end in sentences)]
    to_come = [day for day in in_promise if day.value >= reference] or [
        day for day in found if day.value >= reference and day.rule != "pay_now"
    ]
    # "Monday at the latest" binds, whatever else the reply says.
    binding = [day for day in found if day.value >= reference and LATEST.match(folded, day.end)]
    choice = max(binding or to_come, key=lambda day: day.value) if to_come else (in_promise or [None])[0]
    if choice is None:
        return None
    phrase = text[choice.start : choice.end]
    evidence.append({"field": "promised_date", "rule": f"dates.{choice.rule}", "phrase": phrase,
                     "value": choice.value.isoformat(), "reference": reference.isoformat()})  # fmt: skip
    return choice.value.isoformat()


def _instalments(
    sentences: list[tuple[int, int]], found: list[dates.DateHit], reference: dt.date
) -> list[str]:
    """The distinct days to come named in the sentences that promise, when there are several."""
    days = sorted({day.value for day in found
                   if day.value > reference and day.rule not in ("pay_now", "today")
                   and any(start <= day.start < end for start, end in sentences)})  # fmt: skip
    return [day.isoformat() for day in days] if len(days) > 1 else []


LATEST = re.compile(r"\W{0,3}(?:at the (?:very )?latest|au plus tard|latest|dernier delai)\b")
STALE_AFTER = re.compile(
    r"^\W{0,3}(?:\S+ ){0,3}(?:n'est plus|ne sera plus|n'existe plus|plus (?:valide|utilisee|consultee"
    r"|active|lue)"
    r"|no longer|is not (?:monitored|used)|will be (?:closed|deleted)|est (?:fermee|supprimee|obsolete))"
)
STALE_BEFORE = re.compile(
    r"(?:ancienne adresse|old address|previous address|au lieu de|instead of|rather than|et non (?:plus "
    r")?(?:a|sur)"
    r"|plus a|not to|pas a)\W{0,3}(?:l'adresse )?$"
)


def _new_contact(
    folded: str, text: str, hits: list[_Hit], sender: str, evidence: list[dict[str, Any]]
) -> str | None:
    """The address the customer gives to send to: in a sentence that asks it, not one said to be stale."""
    addresses = [
        item for item in entities.emails(text)
        if not item[0].startswith(("reply+", "bounces+"))
        and not STALE_AFTER.search(folded[item[2] : item[2] + 60])
        and not STALE_BEFORE.search(folded[max(0, item[1] - 40) : item[1]])
    ]  # fmt: skip
    if not addresses:
        return None
    sentences = [
        _sentence(folded, hit.start) for hit in hits if hit.intent == "contact_change" and not hit.negated
    ]
    in_change = [item for item in addresses if any(start <= item[1] < end for start, end in sentences)]
    others = [item for item in addresses if item[0] != sender]
    choice = (in_change or others or [None])[0]
    if choice is None:
        return None
    evidence.append({"field": "new_contact", "rule": "entities.email", "phrase": text[choice[1] : choice[2]]})
    return choice[0]


def _missing(folded: str, text: str, hits: list[_Hit], evidence: list[dict[str, Any]]) -> list[str]:
    spans = sorted(
        {_sentence(folded, hit.start) for hit in hits if hit.intent == "missing_info" and hit.where == "body"}
    )
    found: list[tuple[int, str, int]] = []
    for topic, regex in TOPICS.items():
        for start, end in spans:
            match = regex.search(folded, start, end)
            if match:
                found.append((match.start(), topic, match.end()))
                break
    topics = []
    for start, topic, end in sorted(found):
        if topic not in topics:
            topics.append(topic)
            evidence.append({"field": "missing", "rule": f"missing.{topic}", "phrase": text[start:end]})
    return topics
