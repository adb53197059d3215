"""Hostile XML (XXE, billion laughs, DOCTYPE tricks, huge or deep documents) is refused with a clear error,
and no file is opened and no connection made while refusing it."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from jalon.formats import facturx, syntax, xmlsafe
from jalon.formats.cii import read_cii
from jalon.formats.ubl import read_ubl


class Tripwire:
    """A named pipe whose opening by anyone is noticed: a reader that follows an entity to it trips it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        os.mkfifo(path)
        self.opened = threading.Event()
        self._thread = threading.Thread(target=self._wait, daemon=True)
        self._thread.start()

    def _wait(self) -> None:
        with open(self.path, "wb") as pipe:  # blocks until some reader opens the pipe
            self.opened.set()
            pipe.write(b"SECRET-CONTENT")

    def close(self) -> None:
        if not self.opened.is_set():
            fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)  # release the waiting writer
            self._thread.join(timeout=2)
            os.close(fd)


class Listener:
    """A loopback TCP port that records whether anything connected."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]

    def connected(self) -> bool:
        try:
            conn, _ = self.sock.accept()
        except TimeoutError:
            return False
        conn.close()
        return True


@pytest.fixture
def tripwire(tmp_path: Path) -> Iterator[Tripwire]:
    wire = Tripwire(tmp_path / "secret.txt")
    yield wire
    wire.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.sock.close()


CII_HEAD = (
    b'<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">'
)


def _xxe(target: str) -> bytes:
    return (
        b'<?xml version="1.0"?>\n<!DOCTYPE rsm:CrossIndustryInvoice [<!ENTITY x SYSTEM "'
        + target.encode()
        + b'">]>\n'
        + CII_HEAD
        + b"<x>&x;</x></rsm:CrossIndustryInvoice>"
    )


def _every_door(data: bytes) -> list[Exception]:
    """Hand the bytes to every public entry point that takes XML; collect what each raised."""
    errors = []
    for door in (xmlsafe.parse, read_cii, read_ubl, syntax.read_xml, syntax.sniff):
        with pytest.raises(ValueError) as caught:
            door(data)
        errors.append(caught.value)
    return errors


def test_an_external_file_entity_is_refused_and_the_file_is_never_opened(tripwire: Tripwire) -> None:
    """XXE pointing at a local file: refused as hostile, and the file was not even opened."""
    for error in _every_door(_xxe(tripwire.path.as_uri())):
        assert isinstance(error, xmlsafe.HostileXML)
        assert "DOCTYPE" in str(error)
        assert "SECRET" not in str(error)
    assert not tripwire.opened.wait(0.3), "the entity's file was opened"


def test_an_external_url_entity_makes_no_connection(listener: Listener) -> None:
    """XXE and external DTD pointing at a URL: refused, and nothing connects to the URL."""
    url = f"http://127.0.0.1:{listener.port}/evil.dtd"
    _every_door(_xxe(url))
    external_dtd = f'<?xml version="1.0"?><!DOCTYPE x SYSTEM "{url}"><x/>'.encode()
    _every_door(external_dtd)
    parameter = f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY % p SYSTEM "{url}"> %p;]><x/>'.encode()
    _every_door(parameter)
    assert not listener.connected()


def test_billion_laughs_is_refused_at_once() -> None:
    """The exponential entity bomb never expands."""
    lol = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    for level in range(1, 10):
        previous = b"&lol%d;" % (level - 1) if level > 1 else b"&lol;"
        lol += b'<!ENTITY lol%d "%s">' % (level, previous * 10)
    lol += b"]><lolz>&lol9;</lolz>"
    for error in _every_door(lol):
        assert isinstance(error, xmlsafe.HostileXML)


def test_doctype_tricks_in_other_encodings_and_cases_are_refused() -> None:
    """A DOCTYPE hidden in UTF-16, in lower case or after a BOM is still a DOCTYPE."""
    samples = [
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'.encode("utf-16"),
        b"\xef\xbb\xbf<?xml version='1.0'?><!doctype a><a/>",
        b"<?xml version='1.0'?>\n<!DOCTYPE a PUBLIC '-//x//y' 'http://127.0.0.1:9/x.dtd'><a/>",
    ]
    for sample in samples:
        with pytest.raises(xmlsafe.HostileXML):
            xmlsafe.parse(sample)


def test_huge_and_deep_documents_are_refused_with_a_clear_reason() -> None:
    """A 25 MB document is refused by size; 10,000 nested elements are refused by the parser's depth guard."""
    huge = CII_HEAD + b"<a>" + b"x" * (25 * 1024 * 1024) + b"</a></rsm:CrossIndustryInvoice>"
    with pytest.raises(xmlsafe.HostileXML, match="limit"):
        read_cii(huge)
    deep = b"<a>" * 10_000 + b"</a>" * 10_000
    with pytest.raises(ValueError, match="well-formed"):
        xmlsafe.parse(deep)


def test_hostile_xml_inside_a_pdf_is_refused_too(tmp_path: Path, tripwire: Tripwire) -> None:
    """A Factur-X whose embedded XML carries an XXE is refused as hostile; the file is never opened."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_attachment("factur-x.xml", _xxe(tripwire.path.as_uri()))
    out = tmp_path / "evil.pdf"
    with open(out, "wb") as handle:
        writer.write(handle)
    with pytest.raises(xmlsafe.HostileXML):
        facturx.embedded_xml(out.read_bytes())
    assert not tripwire.opened.wait(0.3)


def test_well_formed_but_ordinary_xml_passes_and_a_bom_is_stripped() -> None:
    """The guard does not refuse normal XML: a BOM-prefixed document parses."""
    root = xmlsafe.parse(b"\xef\xbb\xbf" + CII_HEAD + b"</rsm:CrossIndustryInvoice>")
    assert root.tag.endswith("CrossIndustryInvoice")


def test_the_tripwire_does_notice_a_parser_that_follows_entities(tripwire: Tripwire) -> None:
    """Control: an unguarded parser does open the file, so the tripwire tests above can fail."""
    from lxml import etree

    careless = etree.XMLParser(resolve_entities=True, load_dtd=True, no_network=True)
    root = etree.fromstring(_xxe(tripwire.path.as_uri()), parser=careless)
    assert tripwire.opened.wait(2)
    assert "SECRET-CONTENT" in etree.tostring(root).decode()


def test_validate_gives_a_verdict_for_any_bytes() -> None:
    """Empty, binary, truncated PDF, broken EDIFACT, unknown XML: each is an invalid report, never a crash."""
    from jalon.formats import validation

    for data in (b"", b"\x00\x01\x02garbage", b"%PDF-1.4 truncated", b"UNB+x", b"<a/>", b"<cXML/>"):
        report = validation.validate(data)
        assert not report.valid and report.errors, data


def test_an_invoice_written_in_utf16_is_read_and_a_utf16_doctype_still_refused() -> None:
    """Some ERPs write their XML in UTF-16: the official example, re-encoded with a byte-order mark (or
    without, little- and big-endian), is recognised, read and validated like its UTF-8 original; the same
    encodings carrying a DOCTYPE are still refused."""
    from conftest import corpus

    from jalon.formats import extract, validation

    original = corpus("einvoice", "examples/cii/CII_example1.xml").read_bytes()
    text = original.decode("utf-8").lstrip("\ufeff").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    for wide in (text.encode("utf-16"), text.encode("utf-16-le"), text.encode("utf-16-be")):
        assert syntax.sniff(wide) == "cii"
        read = extract.read_invoice(wide)
        assert read.ok and read.invoice.number == extract.read_invoice(original).invoice.number
        assert validation.validate(wide, official=False).valid
    hostile = (
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE Invoice [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&e;</Invoice>'
    )
    for wide in (hostile.encode("utf-16"), hostile.encode("utf-16-be")):
        assert "hostile" in (extract.read_invoice(wide).error or "")
        assert not validation.validate(wide).valid
