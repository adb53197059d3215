"""An incremental update of a PDF (ISO 32000-1 7.5.6): new objects, and new versions of existing ones, are
appended after the original bytes with their own cross-reference section and trailer.

The original file is kept byte for byte: its pages, fonts and content streams are neither parsed nor written
again (a full rewrite with pypdf costs ~4 ms for a one-page invoice; an update ~0.3 ms). The update's
cross-reference section has the kind of the file's last one (a table, or a cross-reference stream), as the
standard asks. Objects are given as PDF syntax; `literal`, `name` and `pdf_object` write the pieces.
"""

from __future__ import annotations

import hashlib
import io
import zlib
from typing import Any


class Unsupported(ValueError):
    """This PDF cannot take an incremental update here (no startxref, encrypted…): rewrite it instead."""


def literal(text: str) -> str:
    """A PDF text string: a literal string in ASCII, else UTF-16BE with its byte order mark, in hex."""
    if text.isascii() and text.isprintable():
        return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


def name(value: str) -> str:
    """A PDF name: `/` then the value, with delimiters, '#' and bytes outside printable ASCII as #XX."""
    out = []
    for byte in value.encode("utf-8"):
        char = chr(byte)
        out.append(char if 33 <= byte <= 126 and char not in "#/()<>[]{}%" else f"#{byte:02X}")
    return "/" + "".join(out)


def pdf_object(value: Any) -> str:
    """A pypdf object read from the original file, written back as PDF syntax (references stay references)."""
    buffer = io.BytesIO()
    value.write_to_stream(buffer)
    return buffer.getvalue().decode("latin-1")


def stream(dictionary: str, data: bytes, *, compress: bool = False) -> bytes:
    """A stream object's body: `dictionary` holds the entries inside << >> besides /Length and /Filter."""
    if compress:
        data = zlib.compress(data)
        dictionary += " /Filter /FlateDecode"
    head = f"<< {dictionary} /Length {len(data)} >>\nstream\n".encode("latin-1")
    return head + data + b"\nendstream"


class Update:
    """Objects to append to `pdf`, whose trailer (as pypdf read it) is `trailer`."""

    def __init__(self, pdf: bytes, trailer: Any) -> None:
        found = pdf.rfind(b"startxref")
        if found < 0:
            raise Unsupported("no startxref: not a PDF that can be updated")
        try:
            self.previous = int(pdf[found + 9 : found + 40].split()[0])
        except (ValueError, IndexError):
            raise Unsupported("unreadable startxref") from None
        if "/Encrypt" in trailer:
            raise Unsupported("encrypted PDF")
        self.pdf = pdf
        self.trailer = trailer
        # The last section's kind: "xref" opens a table, anything else is a cross-reference stream object.
        self.xref_stream = pdf[self.previous : self.previous + 4] != b"xref"
        self.size = int(trailer["/Size"])
        self.objects: dict[int, tuple[int, bytes]] = {}  # number -> (generation, body)

    def add(self, body: str | bytes) -> int:
        """A new object; returns its number."""
        number = self.size
        self.size += 1
        self.objects[number] = (0, body.encode("latin-1") if isinstance(body, str) else body)
        return number

    def replace(self, number: int, generation: int, body: str | bytes) -> None:
        """A new version of an existing object (the catalog, the document information)."""
        self.objects[number] = (generation, body.encode("latin-1") if isinstance(body, str) else body)

    def _id(self) -> str:
        """The file identifier: the first part kept, the second new (this is a new version of the file)."""
        original = self.trailer.get("/ID")
        if original:
            part = original[0].get_object()  # pypdf gives a text or a byte string
            first = part.original_bytes if hasattr(part, "original_bytes") else bytes(part)
        else:
            first = hashlib.md5(self.pdf[:4096]).digest()
        second = hashlib.md5(self.pdf[-1024:] + b"".join(body for _, body in self.objects.values())).digest()
        return f"[<{first.hex()}> <{second.hex()}>]"

    def write(self, *, root: str, info: str | None) -> bytes:
        """The whole updated file: the original bytes, the objects, a cross-reference section, the trailer."""
        out = bytearray(self.pdf)
        if not out.endswith((b"\n", b"\r")):
            out += b"\n"
        offsets: dict[int, tuple[int, int]] = {}
        for number in sorted(self.objects):
            generation, body = self.objects[number]
            offsets[number] = (len(out), generation)
            out += f"{number} {generation} obj\n".encode("ascii") + body + b"\nendobj\n"
        entries = f"/Root {root}" + (f" /Info {info}" if info else "") + f" /ID {self._id()}"
        if self.xref_stream:
            number = self.add(b"")  # the cross-reference stream lists itself
            offsets[number] = (len(out), 0)
            rows = b"".join(
                bytes([1]) + offset.to_bytes(4, "big") + generation.to_bytes(2, "big")
                for _, (offset, generation) in sorted(offsets.items())
            )
            body = stream(
                f"/Type /XRef /Size {self.size} /W [1 4 2] /Index [{_index(offsets)}] /Prev {self.previous} "
                + entries,
                rows,
            )
            start = len(out)
            out += f"{number} 0 obj\n".encode("ascii") + body + b"\nendobj\n"
        else:
            start = len(out)
            out += b"xref\n"
            for first, count in _runs(sorted(offsets)):
                out += f"{first} {count}\n".encode("ascii")
                for number in range(first, first + count):
                    offset, generation = offsets[number]
                    out += f"{offset:010d} {generation:05d} n\r\n".encode("ascii")
            out += f"trailer\n<< /Size {self.size} /Prev {self.previous} {entries} >>\n".encode("latin-1")
        out += f"startxref\n{start}\n%%EOF\n".encode("ascii")
        return bytes(out)


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    """Contiguous runs of object numbers as (first, count): the subsections of a cross-reference section."""
    runs: list[tuple[int, int]] = []
    for number in numbers:
        if runs and runs[-1][0] + runs[-1][1] == number:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((number, 1))
    return runs


def _index(offsets: dict[int, tuple[int, int]]) -> str:
    return " ".join(f"{first} {count}" for first, count in _runs(sorted(offsets)))
