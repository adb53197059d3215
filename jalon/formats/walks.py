"""Each pattern of a compiled Schematron walks the whole document; where the pattern's rules can only match
named elements, its walk goes straight to the elements of those names instead.

The XSLT skeletons run every pattern as a mode: `apply-templates select="/"` starts a walk that visits every
element (each rule, after its asserts, and a default template go on to the children), and at each element the
pattern's first matching rule fires. When every rule of a mode matches by an element name (its match pattern's
last step, predicates aside), no other element can fire a rule, so the walk selects the elements of those
names (`//ram:A | //ram:B`: each once, in document order, as the walk met them) and no template goes on to
children. Template matching does not depend on how a node was reached, so the same rules fire on the same
elements in the same order: the findings are the published stylesheet's (tested on the corpus).
"""

from __future__ import annotations

import re

from lxml import etree

_XSL = "{http://www.w3.org/1999/XSL/Transform}"
_QNAME = re.compile(r"[A-Za-z_][\w.-]*(:[A-Za-z_][\w.-]*)?")


def _outside(text: str, opening: str, closing: str) -> list[str]:
    """`text` cut at its top level: the pieces between brackets of this kind are left out (quotes kept)."""
    pieces, depth, quote, current = [], 0, "", ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
            if depth == 0:
                current += char
            continue
        if char in "'\"":
            quote = char
        elif char == opening:
            depth += 1
            continue
        elif char == closing:
            depth -= 1
            continue
        if depth == 0:
            current += char
    pieces.append(current)
    return pieces


def branches(pattern: str) -> list[str]:
    """The alternatives of a match pattern (split at `|` outside brackets, parentheses and quotes)."""
    out, depth, quote, current = [], 0, "", ""
    for char in pattern:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
        elif char == "|" and depth == 0:
            out.append(current)
            current = ""
            continue
        current += char
    return [*out, current]


def element_names(pattern: str) -> set[str] | None:
    """The element names a match pattern can match (the last step of each alternative, predicates aside), or
    None when an alternative could match anything else: a wildcard, a node test, an attribute, a function."""
    names = set()
    for branch in branches(pattern):
        bare = "".join(_outside(branch, "[", "]"))
        if "(" in bare or "::" in bare or "@" in bare:
            return None
        step = re.split(r"/+", bare)[-1].strip()
        if not _QNAME.fullmatch(step):
            return None
        names.add(step)
    return names


def _recursion(template: etree._Element, mode: str) -> etree._Element | None:
    """The template's walk on to the children in its own mode, when it is its last and only one."""
    walks = [w for w in template.iter(f"{_XSL}apply-templates") if w.get("mode") == mode]
    last = template[-1] if len(template) else None
    if (
        len(walks) == 1
        and walks[0] is last
        and len(last) == 0
        and (last.get("select") or "").replace(" ", "") in ("*", "@*|*")
    ):
        return last
    return None


def direct_walks(root: etree._Element) -> list[str]:
    """Rewrite, in the parsed stylesheet `root`, every pattern mode whose rules only match named elements;
    returns the modes rewritten. A mode that does not have the skeleton's exact shape is left as it is."""
    templates = list(root.iter(f"{_XSL}template"))
    modes = sorted({t.get("mode") for t in templates if (t.get("mode") or "").startswith("M")})
    # every walk into a mode from outside its own templates: the pattern's one start, else no rewrite
    entries: dict[str, list[etree._Element]] = {}
    for walk in root.iter(f"{_XSL}apply-templates"):
        owner = next(walk.iterancestors(f"{_XSL}template"), None)
        if owner is None or owner.get("mode") != walk.get("mode"):
            entries.setdefault(walk.get("mode") or "", []).append(walk)
    if root.xpath("//@xpath-default-namespace"):
        return []  # unprefixed names could then mean other things in a match and in a select
    done = []
    for mode in modes:
        starts = entries.get(mode, [])
        inside = [t for t in templates if t.get("mode") == mode]
        if len(starts) != 1 or len(starts[0]) != 0 or (starts[0].get("select") or "").strip() != "/":
            continue
        names: set[str] = set()
        cuts: list[etree._Element] = []
        for template in inside:
            match = (template.get("match") or "").replace(" ", "")
            if match == "text()" and len(template) == 0 and not (template.text or "").strip():
                continue  # the skeleton's empty text template
            cut = _recursion(template, mode)
            if cut is None:
                break
            if match == "@*|node()" and len(template) == 1:
                cuts.append(cut)  # the default: only walks on
                continue
            found = element_names(template.get("match") or "")
            if not found or any(
                ":" not in n or template.nsmap.get(n.split(":")[0]) != starts[0].nsmap.get(n.split(":")[0])
                for n in found
            ):
                break  # an unprefixed name, or a prefix the start would read otherwise
            names |= found
            cuts.append(cut)
        else:
            if not names:
                continue
            for cut in cuts:
                cut.getparent().remove(cut)
            starts[0].set("select", " | ".join(f"//{n}" for n in sorted(names)))
            done.append(mode)
    return done
