"""Phrase patterns matched fast, with exactly the results of the plain regular expressions.

Python's engine tries every alternative of a big alternation at every position of the text: a family of fifty
phrases then costs more than the rest of reading a bounce. Two remedies, both exact:

- `factored(pattern)`: the same pattern with its alternatives arranged as a trie of first characters, so that
  the engine follows one branch per position and skips the positions no phrase can start at.
- `PhraseTable`: ordered families of patterns, each alternative gated by the literal words one of which every
  match of it must contain (read once from the pattern's parse tree). One scan for all those words tells which
  alternatives can match at all, and only those run; `first` answers "the first family in order that matches
  anywhere, and where", as trying the families one by one would.

Patterns are written in lower case, without flags, and matched on lower-cased text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

try:  # the parse tree of a pattern: private to `re`; without it every phrase simply always runs
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
        self.patterns = [compile_factored(source) for _, source in entries]
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
        self._words = _word_pattern(by_word) if by_word else None

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


# --- one pattern, factored -------------------------------------------------------------------------------

_QUANTIFIERS = ("?", "*", "+", "{")


def factored(source: str) -> str:
    """The same pattern with its alternatives as a trie of their first characters ("unable|undeliver|x" ->
    "un(?:able|deliver)|x"): at each position the engine then follows one branch instead of trying every
    alternative, and skips positions no alternative can start at. Same matches, same preference: a leading
    group is spread over the rest ("(?:a|b)c" -> "ac|bc"), and alternatives are only moved past ones that
    cannot start at the same position. Patterns with flags or capturing groups are left as they are."""
    if not _plain_groups(source):
        return source
    spread = [alternative for part in alternatives(source) for alternative in _spread(part)]
    return _trie(spread) if len(spread) <= 2000 else source


AS_WRITTEN: dict[str, str] = {}  # factored pattern -> the pattern as written (for tests and debugging)


def compile_factored(source: str) -> re.Pattern[str]:
    """re.compile(factored(source)), for a pattern compiled without flags."""
    pattern = factored(source)
    AS_WRITTEN[pattern] = source
    return re.compile(pattern)


def _spread(alternative: str, depth: int = 0) -> list[str]:
    """Alternatives equal to `alternative`, in order, that start with a character where it can ("[eé]x" ->
    ["ex", "éx"])."""
    if depth > 4:
        return [alternative]
    if alternative.startswith("(?:"):
        end = _closing(alternative, 0)
        if end is not None and not alternative.startswith(_QUANTIFIERS, end + 1):
            rest = alternative[end + 1 :]
            return [x for part in alternatives(alternative[3:end]) for x in _spread(part + rest, depth + 1)]
    if alternative.startswith("["):
        end = alternative.find("]", 1)
        members = alternative[1:end]
        if 0 < end <= 5 and not alternative.startswith(_QUANTIFIERS, end + 1) and members.isalpha():
            return [char + alternative[end + 1 :] for char in dict.fromkeys(members)]
    return [alternative]


def _scan(source: str, start: int = 0) -> Iterator[tuple[int, str]]:
    """(index, character) of the pattern's syntax characters, escapes and classes stepped over."""
    index = start
    while index < len(source):
        char = source[index]
        if char == "\\":
            yield index, source[index : index + 2]
            index += 2
            continue
        if char == "[":
            index += 2 if source[index + 1 : index + 2] == "]" else 1
            while index < len(source) and source[index] != "]":
                index += 2 if source[index] == "\\" else 1
        else:
            yield index, char
        index += 1


def _closing(source: str, start: int) -> int | None:
    """Index of the ")" that closes the "(" at `start`."""
    depth = 0
    for index, char in _scan(source, start):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index
    return None


def _plain_groups(source: str) -> bool:
    """No capturing group, named group, back reference or inline flag: alternatives can be moved freely."""
    for index, char in _scan(source):
        if char == "(" and source[index + 1 : index + 3] not in ("?:", "?=", "?!", "?<"):
            return False
        if char[:1] == "\\" and char[1:].isdigit():
            return False
    return True


def _first_char(alternative: str) -> tuple[str, str] | None:
    """(the literal character the alternative starts with, the rest), if it starts with one."""
    if alternative.startswith("\\"):
        if len(alternative) < 2 or alternative[1].isalnum():
            return None
        char, rest = alternative[1], alternative[2:]
    elif not alternative or alternative[0] in ".^$|()[]{}*+?":
        return None
    else:
        char, rest = alternative[0], alternative[1:]
    return None if rest.startswith(_QUANTIFIERS) else (char, rest)


def _trie(spread: list[str]) -> str:
    slots: list[tuple[str, list[str]] | str] = []  # (first character, rests), or an alternative kept whole
    for alternative in spread:
        first = _first_char(alternative)
        if first is None:
            slots.append(alternative)
            continue
        char, rest = first
        group = None
        for slot in reversed(slots):
            if isinstance(slot, str):  # it may start with any character: nothing moves past it
                break
            if slot[0] == char:
                group = slot
                break
        if group is None:
            slots.append((char, [rest]))
        else:
            group[1].append(rest)
    parts = []
    for slot in slots:
        if isinstance(slot, str):
            parts.append(slot)
            continue
        inner = _trie(slot[1]) if len(slot[1]) > 1 else slot[1][0]
        single = len(slot[1]) == 1 or len(alternatives(inner)) == 1
        parts.append(re.escape(slot[0]) + (inner if single else f"(?:{inner})"))
    return "|".join(parts)


def required_words(source: str) -> frozenset[str] | None:
    """Literal words one of which every match of `source` contains, or None when none can be named."""
    if _sre_parser is None:
        return None
    try:
        tree = _sre_parser.parse(source)
        if tree.state.flags & re.IGNORECASE:
            return None
        words = _required(tree.data)
    except Exception:  # a parse tree laid out otherwise (another Python): no gate, no wrong answer
        return None
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


def _word_pattern(words: Iterable[str]) -> re.Pattern[str]:
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
