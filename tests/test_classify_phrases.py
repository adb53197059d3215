"""Phrase tables give exactly the answers of the plain regular expressions they stand for."""

from __future__ import annotations

import csv
import re

from conftest import corpus
from hypothesis import given, settings
from hypothesis import strategies as st

from jalon.handlers import bounce_reasons, bounce_wording
from jalon.handlers.mailview import MailView
from jalon.handlers.phrases import AS_WRITTEN, PhraseTable, alternatives, factored, families, required_words

REASON_FAMILIES = bounce_reasons.SPECIFIC_PHRASES + bounce_reasons.GENERIC_PHRASES
WORDING = (  # compiled factored: (as used, as written)
    bounce_wording.FAILURE_PHRASES,
    bounce_wording.DELAY_PHRASES,
    bounce_wording.BOUNCE_SUBJECT,
    bounce_wording.DAEMON_SENDER,
    bounce_wording.FINAL,
)
PLAIN = [(pattern, re.compile(AS_WRITTEN[pattern.pattern])) for pattern in WORDING]
PLAIN += [(re.compile(factored(source)), re.compile(source)) for _, source in REASON_FAMILIES]


def first_family_by_regex(text: str) -> tuple[str, str, int] | None:
    """The plain way: each family's pattern in order, the first that matches anywhere."""
    for name, source in REASON_FAMILIES:
        found = re.search(source, text)
        if found:
            return name, found.group(0), found.start()
    return None


TABLE = PhraseTable(families(REASON_FAMILIES))


def first_family_by_table(text: str) -> tuple[str, str, int] | None:
    found = TABLE.first(text)
    return (found[0], found[1].group(0), found[1].start()) if found else None


def leftmost(pattern: re.Pattern[str], text: str) -> tuple[str, int] | None:
    found = pattern.search(text)
    return (found.group(0), found.start()) if found else None


def test_every_family_splits_back_into_its_own_pattern() -> None:
    """As the maintainer, splitting a family into alternatives loses nothing: joined again, it is the same."""
    for _, source in REASON_FAMILIES:
        assert "|".join(alternatives(source)) == source
    assert alternatives(r"a|(?:b|c)d|[|]e|\|f") == ["a", "(?:b|c)d", "[|]e", r"\|f"]


def test_a_factored_pattern_is_a_trie_of_the_same_alternatives() -> None:
    """As the maintainer, factoring spreads leading groups and classes, shares first characters, keeps the
    order where it matters and leaves alone what it cannot move."""
    assert factored("unable|undeliver|x") == "un(?:able|deliver)|x"
    assert factored("(?:could|can)not") == "c(?:ouldnot|annot)"
    assert factored("[eé]chec") == "echec|échec"
    assert factored(r"ab|\bc|ad") == r"ab|\bc|ad"  # "\bc" may start where "a" does: nothing moves past it
    assert factored("(a)|ab") == "(a)|ab"  # a capturing group: left as it is
    assert factored("a?b|ac") == "a?b|ac"


def test_required_words_are_the_literals_a_match_cannot_do_without() -> None:
    """As the maintainer, the words that gate a pattern are ones every match holds, and no guess is made
    when a pattern has none."""
    assert required_words(r"mailbox (?:is )?full|over ?quota") == {"mailbox ", "quota"}
    assert required_words(r"(?:could|can)(?:n't| not) deliver") == {" deliver"}
    assert required_words(r"\d+ days?") == {" day"}
    assert required_words(r"\d+\w*") is None
    assert required_words(r"spam|x") is None  # "x" is too short to gate anything: the pattern always runs
    assert required_words(r"(?i)mailbox full") is None


def test_reasons_and_wording_of_every_corpus_notice_are_the_plain_ones() -> None:
    """As the maintainer, on the notices of the real bounces the table finds the same reason, phrase and
    position as the families tried one by one, and each factored pattern the same match as written."""
    root = corpus("bounces")
    files = {row["file"] for row in csv.DictReader((root / "manifest.csv").open(encoding="utf-8"))}
    for name in sorted(files):
        view = MailView.parse((root / name).read_bytes())
        for text in (view.low[:4000], view.low[:300], view.subject_low, view.sender[0].lower()):
            assert first_family_by_table(text) == first_family_by_regex(text), name
            for pattern, plain in PLAIN:
                assert leftmost(pattern, text) == leftmost(plain, text), (name, plain.pattern[:60])


WORDS = (
    "user unknown mailbox full over quota no such domain host not found rejected spam policy denied will "
    "retry temporary warning: message delayed account disabled relay access denied mail from dns tls "
    "timed out too many recipients 550 5.1.1 <a@b.c> n'existe pas boîte pleine unbekannt voll could not "
    "be delivered mailer-daemon postmaster échec de remise permanent fatal"
)
PIECES = [" ", ", ", ": ", "\n", "may not exist", "does not exist", "is not", "quota exceeded"]
VOCABULARY = st.sampled_from([*WORDS.split(), *PIECES])


@settings(max_examples=300, deadline=None)
@given(st.lists(VOCABULARY, max_size=40).map("".join))
def test_any_wording_gets_the_plain_answers(text: str) -> None:
    """As the maintainer, any mix of bounce words gets the same reason and the same matches as the plain
    patterns (overlapping and repeated words included)."""
    assert first_family_by_table(text) == first_family_by_regex(text)
    for pattern, plain in PLAIN:
        assert leftmost(pattern, text) == leftmost(plain, text), plain.pattern[:60]


PLAIN_STATUS = re.compile(r"(?<![\w.\-/])([245])\.(\d{1,3})\.(\d{1,3})(?![\w/]|\.\d)")
PLAIN_REPLY_CODE = re.compile(r"(?<![\w.\-/:])([245][0-5]\d)(?=[ \-]|$)", re.MULTILINE)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="245 .-/:x1\n09", max_size=40))
def test_status_and_reply_codes_are_found_where_the_look_behind_finds_them(text: str) -> None:
    """As the maintainer, the status and reply code patterns (their look-behind moved after the first digit
    so the engine can skip ahead) find the same codes at the same places as written the plain way."""

    def spans(pattern: re.Pattern[str]) -> list[tuple[object, ...]]:
        return [found.span() + found.groups() for found in pattern.finditer(text)]

    assert spans(bounce_reasons.STATUS) == spans(PLAIN_STATUS)
    assert spans(bounce_reasons.REPLY_CODE) == spans(PLAIN_REPLY_CODE)
