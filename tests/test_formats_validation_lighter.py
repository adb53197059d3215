"""The official rule sets, run without their idle walks nor their report's trace (`validation.lighter`),
find exactly what the published stylesheets find, on every observed corpus file."""

from __future__ import annotations

import csv

import pytest
from conftest import corpus, need

from jalon.formats import facturx, validation, xmlsafe

# One rule set per skeleton family, over the documents of its syntax.
FAMILIES = {
    "FX-en16931": "cii",
    "FX-extended": "cii",
    "EN16931-CII": "cii",
    "BR-FR-CII": "cii",
    "EN16931-UBL": "ubl",
    "PEPPOL-UBL": "ubl",
}


def _documents() -> dict[str, list[bytes]]:
    """The corpus files whose verdicts were observed upstream, by syntax (XML beside PDFs included)."""
    found: dict[str, list[bytes]] = {"cii": [], "ubl": []}
    with open(corpus("einvoice", "validation-observed.tsv"), encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            path, _, member = row["file"].partition("!")
            data = corpus("einvoice", path).read_bytes()
            if member:
                data = dict(facturx.xml_attachments(data))[member]
            try:
                root = xmlsafe.parse(data)
            except ValueError:
                continue  # the corpus's broken files test the parser, not the rules
            kind = "ubl" if "oasis" in root.tag else "cii" if "CrossIndustryInvoice" in root.tag else None
            if kind:
                found[kind].append(data)
    return found


@pytest.fixture(scope="module")
def documents() -> dict[str, list[bytes]]:
    return _documents()


def _findings(document: bytes, name: str, published: bool) -> tuple[list, list]:
    errors, warnings = validation.run_rules(document, name, published=published)
    return (
        sorted((f.rule, f.location, f.message) for f in errors),
        sorted((f.rule, f.location, f.message) for f in warnings),
    )


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_the_lighter_rule_set_finds_what_the_published_one_finds(
    name: str, documents: dict[str, list[bytes]]
) -> None:
    """Same failed asserts and reports (rule, location, text) and the same warnings, file by file."""
    need(validation.available(name), f"{name} is not installed here")
    files = documents[FAMILIES[name]]
    assert len(files) >= 10
    differing = [
        i for i, data in enumerate(files) if _findings(data, name, False) != _findings(data, name, True)
    ]
    assert not differing, f"{name}: {len(differing)} of {len(files)} files differ"


def test_a_stylesheet_whose_rules_match_attributes_keeps_its_attribute_walk() -> None:
    """The attribute walk is only left out when no rule could match an attribute: a rule on @currencyID
    keeps it, and the default-mode walk stays when the default mode has templates of its own."""
    stylesheet = """<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
      xmlns:svrl="http://purl.oclc.org/dsdl/svrl">
      <xsl:template match="text()" priority="-1"/>
      <xsl:template match="*" ><xsl:value-of select="name()"/></xsl:template>
      <xsl:template match="/"><svrl:active-pattern><xsl:apply-templates/></svrl:active-pattern>
        <xsl:apply-templates mode="M1" select="/"/></xsl:template>
      <xsl:template match="//*/@currencyID" mode="M1" priority="1000">
        <xsl:apply-templates mode="M1" select="@*|*"/></xsl:template>
      <xsl:template match="@*|node()" mode="M1" priority="-2"><xsl:apply-templates mode="M1" select="@*|*"/>
      </xsl:template>
    </xsl:stylesheet>"""
    lighter = validation.lighter(stylesheet)
    assert 'select="@*|*"' in lighter and "<xsl:apply-templates/>" in lighter
