"""Phrase tables give exactly the answers of the plain regular expressions they stand for."""

from __future__ import annotations

import csv
import re

from conftest import corpus
from hypothesis import given, settings
from hypothesis import strategies as st

from jalon.handlers import bounce_reasons, bounce_wording
from jalon.handlers.mailview import MailView
from jalon.handlers.phrases import PhraseTable, alternatives, families, required_words

REASON_FAMILIES = bounce_reasons.SPECIFIC_PHRASES + bounce_reasons.GENERIC_PHRASES
DELAY_SOURCE = "|".join(bounce_wording.DELAY_PHRASES.names)  # the table's alternatives, joined again


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


def leftmost(pattern: re.Pattern[str] | PhraseTable, text: str) -> tuple[str, int] | None:
    found = pattern.search(text)
    return (found.group(0), found.start()) if found else None


def test_every_family_splits_back_into_its_own_pattern() -> None:
    """As the maintainer, splitting a family into alternatives loses nothing: joined again, it is the same."""
    for _, source in REASON_FAMILIES:
        assert "|".join(alternatives(source)) == source
    assert alternatives(r"a|(?:b|c)d|[|]e|\|f") == ["a", "(?:b|c)d", "[|]e", r"\|f"]


def test_required_words_are_the_literals_a_match_cannot_do_without() -> None:
    """As the maintainer, the words that gate a pattern are ones every match holds, and no guess is made
    when a pattern has none."""
    assert required_words(r"mailbox (?:is )?full|over ?quota") == {"mailbox ", "quota"}
    assert required_words(r"(?:could|can)(?:n't| not) deliver") == {" deliver"}
    assert required_words(r"\d+ days?") == {" day"}
    assert required_words(r"\d+\w*") is None
    assert required_words(r"spam|x") is None  # "x" is too short to gate anything: the pattern always runs
    assert required_words(r"(?i)mailbox full") is None


def test_reasons_and_delays_of_every_corpus_notice_are_the_plain_ones() -> None:
    """As the maintainer, on the notices of the real bounces the table finds the same reason, phrase and
    position as the families tried one by one, and the delay table the same phrase as the joined pattern."""
    root = corpus("bounces")
    files = {row["file"] for row in csv.DictReader((root / "manifest.csv").open(encoding="utf-8"))}
    plain_delay = re.compile(DELAY_SOURCE)
    for name in sorted(files):
        view = MailView.parse((root / name).read_bytes())
        for text in (view.low[:4000], view.low[:300], view.subject_low):
            assert first_family_by_table(text) == first_family_by_regex(text), name
            assert leftmost(bounce_wording.DELAY_PHRASES, text) == leftmost(plain_delay, text), name


WORDS = (
    "user unknown mailbox full over quota no such domain host not found rejected spam policy denied will "
    "retry temporary warning: message delayed account disabled relay access denied mail from dns tls "
    "timed out too many recipients 550 5.1.1 <a@b.c> n'existe pas boîte pleine unbekannt voll"
)
PIECES = [" ", ", ", ": ", "\n", "may not exist", "does not exist", "is not", "quota exceeded"]
VOCABULARY = st.sampled_from([*WORDS.split(), *PIECES])


@settings(max_examples=300, deadline=None)
@given(st.lists(VOCABULARY, max_size=40).map("".join))
def test_any_wording_gets_the_plain_answers(text: str) -> None:
    """As the maintainer, any mix of bounce words gets the same reason and delay phrase as the plain
    patterns (overlapping and repeated words included)."""
    assert first_family_by_table(text) == first_family_by_regex(text)
    assert leftmost(bounce_wording.DELAY_PHRASES, text) == leftmost(re.compile(DELAY_SOURCE), text)
