"""Patterns whose rules only match named elements go straight to those elements: the official rule sets
still write the very report the published stylesheets write, and a pattern that could match anything else
keeps its walk of the whole document."""

from __future__ import annotations

import pytest
from conftest import need
from lxml import etree
from test_formats_validation_lighter import FAMILIES, _documents

from jalon.formats import validation, xmlsafe
from jalon.formats.walks import direct_walks, element_names


@pytest.fixture(scope="module")
def documents() -> dict[str, list[bytes]]:
    return _documents()


def _report(data: bytes, name: str, published: bool) -> str:
    text = etree.tostring(xmlsafe.parse(data), encoding="unicode")
    node = validation._processor().parse_xml(xml_text=text)
    # with its trace of patterns and fired rules, which the gateway's quiet stylesheets leave out
    return validation._stylesheet(name, published=published, trace=True).transform_to_string(xdm_node=node)


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_the_report_is_the_published_stylesheets_byte_for_byte(
    name: str, documents: dict[str, list[bytes]]
) -> None:
    """Same fired rules, failed asserts and reports, in the same order, on every observed corpus file."""
    need(validation.available(name), f"{name} is not installed here")
    files = documents[FAMILIES[name]]
    assert len(files) >= 10
    differing = [i for i, data in enumerate(files) if _report(data, name, False) != _report(data, name, True)]
    assert not differing, f"{name}: {len(differing)} of {len(files)} reports differ"


def test_the_official_patterns_go_straight_to_their_elements() -> None:
    """Nearly every pattern of the Factur-X EN 16931 rules names its elements: those walks are gone."""
    need(validation.available("FX-en16931"), "FX-en16931 is not installed here")
    path = validation._resolve(validation.RULE_SETS["FX-en16931"])
    root = etree.fromstring(path.read_bytes())
    modes = {t.get("mode") for t in root.iter("{http://www.w3.org/1999/XSL/Transform}template")}
    rewritten = direct_walks(root)
    assert len(rewritten) >= 0.9 * len({m for m in modes if m and m.startswith("M")})


def test_what_a_match_pattern_can_match() -> None:
    """Element names from each alternative's last step; anything that could match more is not guessed."""
    assert element_names("//ram:A/ram:B[ram:C = 'x/y'] | rsm:Root") == {"ram:B", "rsm:Root"}
    assert element_names("//ram:A[ram:B[ram:C]]") == {"ram:A"}
    assert element_names("//*[not(*)]") is None
    assert element_names("//ram:A/@currencyID") is None
    assert element_names("//ram:A/text()") is None
    assert element_names("(ram:A | ram:B)/ram:C") is None


STYLESHEET = """<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:svrl="http://purl.oclc.org/dsdl/svrl" xmlns:a="urn:a">
  <xsl:template match="/"><out><xsl:apply-templates mode="M1" select="/"/>
    <xsl:apply-templates mode="M2" select="/"/></out></xsl:template>
  <xsl:template match="a:item" mode="M1" priority="1000"><fired rule="named"/>
    <xsl:apply-templates mode="M1" select="*"/></xsl:template>
  <xsl:template match="text()" mode="M1" priority="-1"/>
  <xsl:template match="@*|node()" mode="M1" priority="-2"><xsl:apply-templates mode="M1" select="*"/>
  </xsl:template>
  <xsl:template match="*[not(*)]" mode="M2" priority="1000"><fired rule="leaf"/>
    <xsl:apply-templates mode="M2" select="*"/></xsl:template>
  <xsl:template match="text()" mode="M2" priority="-1"/>
  <xsl:template match="@*|node()" mode="M2" priority="-2"><xsl:apply-templates mode="M2" select="*"/>
  </xsl:template>
</xsl:stylesheet>"""
DOCUMENT = '<a:doc xmlns:a="urn:a"><a:item><a:item/></a:item><a:other><a:leaf/></a:other></a:doc>'


def test_a_pattern_that_could_match_any_element_keeps_its_walk() -> None:
    """The named pattern goes straight to its items; the one matching every leaf still walks, and both
    fire exactly as the original stylesheet does."""
    root = etree.fromstring(STYLESHEET.encode())
    assert direct_walks(root) == ["M1"]
    processor = validation._processor()
    outputs = []
    for text in (STYLESHEET, etree.tostring(root, encoding="unicode")):
        executable = processor.new_xslt30_processor().compile_stylesheet(stylesheet_text=text)
        outputs.append(executable.transform_to_string(xdm_node=processor.parse_xml(xml_text=DOCUMENT)))
    assert outputs[0] == outputs[1]
    assert outputs[1].count('rule="named"') == 2 and outputs[1].count('rule="leaf"') == 2
