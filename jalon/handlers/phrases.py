"""Phrase families matched fast, with the results of plain regular expressions.

A family is an ordered list of patterns (lower case, matched on lower-cased text). Python's engine tries every
alternative of a big alternation at every position of the text, which makes a family of fifty phrases cost
more than the rest of reading a bounce. Here each pattern gets, once, the literal words one of which every
match of it must contain (read from the pattern's parse tree); one search for all those words, through a
single trie-shaped expression the engine scans quickly, tells which patterns can match at all, and only those
run. The answers are exactly the plain ones: `first` is "the first pattern in order that matches anywhere",
`search` is `re.search` of all the patterns joined with "|".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

try:  # the parse tree of a pattern (Python 3.11+: re._parser; earlier: sre_parse)
    import re._constants as _sre_constants
    import re._parser as _sre_parser
except ImportError:  # pragma: no cover
    _sre_parser = None  # type: ignore[assignment]
    _sre_constants = None  # type: ignore[assignment]

MIN_WORD = 3  # shorter required words gate nothing useful: such a pattern just always runs


class PhraseTable:
    """Ordered named patterns; each runs only when one of its required words is in the text. Consecutive
    entries with the same name form one family (a family's alternatives, see `families`)."""

    def __init__(self, entries: Sequence[tuple[str, str]]) -> None:
        self.names = [name for name, _ in entries]
        self.patterns = [re.compile(source) for _, source in entries]
        self._family: list[int] = []  # entry index -> family number (a run of the same name)
        family = -1
        for index, name in enumerate(self.names):
            if index == 0 or name != self.names[index - 1]:
                family += 1
            self._family.append(family)
        self.always: set[int] = set()  # patterns with no usable required word
        by_word: dict[str, set[int]] = {}
        for index, (_, source) in enumerate(entries):
            words = required_words(source)
            if not words:
                self.always.add(index)
                continue
            for word in words:
                by_word.setdefault(word, set()).add(index)
        # A word found at a position stands for every shorter word that is a prefix of it there.
        self._owners = {
            word: set().union(*(by_word.get(word[:end], ()) for end in range(MIN_WORD, len(word) + 1)))
            for word in by_word
        }
        self._words = trie_pattern(by_word) if by_word else None

    @classmethod
    def split(cls, source: str) -> PhraseTable:
        """A table of the top-level alternatives of one pattern: its `search` is that pattern's."""
        return cls([(part, part) for part in alternatives(source)])

    def candidates(self, text: str) -> list[int]:
        """Indexes, in order, of the patterns that may match `text`."""
        found = set(self.always)
        if self._words is not None:
            search, owners, position = self._words.search, self._owners, 0
            while (word := search(text, position)) is not None:
                found |= owners[word.group()]
                position = word.start() + 1
        return sorted(found)

    def first(self, text: str) -> tuple[str, re.Match[str]] | None:
        """(name, match) of the first family in order that matches anywhere in `text`, with the leftmost
        match of that family (its alternatives joined by "|" would find the same)."""
        best: re.Match[str] | None = None
        chosen = 0
        for index in self.candidates(text):
            if best is not None and self._family[index] != self._family[chosen]:
                break
            found = self.patterns[index].search(text)
            if found is not None and (best is None or found.start() < best.start()):
                best, chosen = found, index
        return None if best is None else (self.names[chosen], best)

    def search(self, text: str) -> re.Match[str] | None:
        """The leftmost match of any pattern (the earlier pattern on a tie), as the patterns joined by "|"
        would find it; the match object is the matching pattern's own."""
        best: re.Match[str] | None = None
        for index in self.candidates(text):
            found = self.patterns[index].search(text)
            if found is not None and (best is None or found.start() < best.start()):
                best = found
        return best


def families(entries: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(name, pattern) families as PhraseTable entries: one per top-level alternative, so that each runs
    only when its own words are there."""
    return [(name, part) for name, source in entries for part in alternatives(source)]


def alternatives(source: str) -> list[str]:
    """The top-level alternatives of a pattern ("a|(b|c)d" -> ["a", "(b|c)d"])."""
    parts: list[str] = []
    depth = start = index = 0
    while index < len(source):
        char = source[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":  # a class: "]" first is a member, escapes inside
            index += 2 if source[index + 1 : index + 2] == "]" else 1
            while index < len(source) and source[index] != "]":
                index += 2 if source[index] == "\\" else 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(source[start:index])
            start = index + 1
        index += 1
    parts.append(source[start:])
    return parts


def required_words(source: str) -> frozenset[str] | None:
    """Literal words one of which every match of `source` contains, or None when none can be named."""
    if _sre_parser is None:
        return None
    try:
        tree = _sre_parser.parse(source)
    except Exception:
        return None
    if tree.state.flags & re.IGNORECASE:
        return None
    words = _required(tree.data)
    if not words or min(map(len, words)) < MIN_WORD:
        return None
    return frozenset(words)


def _required(items: Iterable[tuple[Any, Any]]) -> set[str] | None:
    """For a sequence of parse-tree items: the best set of words one of which every match contains."""
    c = _sre_constants
    candidates: list[set[str]] = []
    run = ""
    for op, argument in items:
        if op is c.LITERAL:
            run += chr(argument)
            continue
        if run:
            candidates.append({run})
            run = ""
        inner: set[str] | None = None
        if op is c.BRANCH:
            inner = set()
            for branch in argument[1]:
                words = _required(branch)
                if words is None:
                    inner = None
                    break
                inner |= words
        elif op is c.SUBPATTERN:
            _, add_flags, _, pattern = argument
            inner = None if add_flags & re.IGNORECASE else _required(pattern)
        elif op is c.ATOMIC_GROUP:
            inner = _required(argument)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and argument[0] >= 1:
            inner = _required(argument[2])
        if inner:
            candidates.append(inner)
    if run:
        candidates.append({run})
    if not candidates:
        return None
    return max(candidates, key=lambda words: (min(map(len, words)), -len(words)))


def trie_pattern(words: Iterable[str]) -> re.Pattern[str]:
    """One expression for a set of words, shaped as a trie: every alternative starts with a literal (so the
    engine skips positions whose character starts no word) and the longest word at a position wins."""
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def expression(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + expression(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:  # a word ends here; a longer one, when there, is preferred
            return body + "?" if len(branches) == 1 and len(body) == len(branches[0]) == 1 else f"(?:{body})?"
        return body

    return re.compile(expression(root))
