"""Invoices sent zipped: the files of a ZIP attachment, taken out in memory within limits.

Some billing tools and ERPs send a month's invoices as one ZIP. Its files become the mail's attachments (a
PDF or an invoice XML is read as any other, the rest travels as supporting documents). Nothing is ever
written to disk, so a member's path is only a name (its last part). A ZIP that would unpack to more than the
limits (a "zip bomb"), holds too many files, is encrypted, nested or broken is not opened: the reason is
said, and the mail is set aside for a person like any mail without an invoice.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath, PureWindowsPath

MAX_MEMBERS = 100
MAX_UNPACKED = 50 * 1024 * 1024  # all members together
MAX_RATIO = 100  # unpacked / packed, per member: PDFs pack 1-3x, XML 5-20x; a bomb packs 1000x
CHUNK = 1024 * 1024
ZIP_TYPES = ("application/zip", "application/x-zip-compressed", "application/x-zip")


@dataclass
class Unpacked:
    members: list[tuple[str, bytes]] = field(default_factory=list)  # (name, data), in archive order
    refused: str | None = None  # why the archive was not opened


def is_zip(filename: str, content_type: str, data: bytes) -> bool:
    named = filename.lower().endswith(".zip") or content_type in ZIP_TYPES
    return named and data[:4] == b"PK\x03\x04"


def unpack(data: bytes, name: str = "archive.zip") -> Unpacked:
    """The files of a ZIP, or why it is refused (then no member at all: half an archive misleads)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [info for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        return Unpacked(refused=f"{name} is not a readable ZIP ({error})")
    if len(infos) > MAX_MEMBERS:
        return Unpacked(refused=f"{name} holds {len(infos)} files (at most {MAX_MEMBERS} are opened)")
    unpacked = Unpacked()
    total = 0
    for info in infos:
        member = _member_name(info.filename)
        if info.flag_bits & 0x1:
            return Unpacked(refused=f"{name} is encrypted ({member}): send the files themselves")
        if member.lower().endswith(".zip"):
            return Unpacked(refused=f"{name} holds another ZIP ({member}): ZIPs are opened one level deep")
        limit = min(MAX_UNPACKED - total, max(info.compress_size, 1) * MAX_RATIO)
        try:
            content = _read_at_most(archive, info, limit)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as error:
            return Unpacked(refused=f"{name}: {member} cannot be unpacked ({error})")
        if content is None:
            return Unpacked(refused=f"{name}: {member} would unpack beyond the limits (a ZIP bomb?)")
        total += len(content)
        unpacked.members.append((member, content))
    return unpacked


def _read_at_most(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes | None:
    """The member's bytes, or None past `limit` (read in chunks: its declared size may lie)."""
    out = bytearray()
    with archive.open(info) as stream:
        while chunk := stream.read(CHUNK):
            out += chunk
            if len(out) > limit:
                return None
    return bytes(out)


def _member_name(path: str) -> str:
    """Only a name: the path's last part, whatever its separators ("../x.pdf", "a\\b.pdf")."""
    name = PureWindowsPath(PurePosixPath(path).name).name.strip() or "file"
    if len(name) > 200:  # as a mail's attachment names: the stored name has room for 255
        stem, dot, extension = name.rpartition(".")
        name = f"{stem[: 190 - len(extension)]}.{extension}" if dot and len(extension) <= 8 else name[:200]
    return name
