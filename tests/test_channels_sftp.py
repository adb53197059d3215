"""A customer whose EDI translator reads a folder gets its EDIFACT INVOIC dropped there over SFTP."""

from __future__ import annotations

import warnings
from pathlib import Path

import aiosmtplib
import asyncssh
import harness
import pytest
from harness import Running, detail, invoice_mail, running, sample
from pydifact.segmentcollection import Interchange
from sqlalchemy import select

from jalon.models import Case


class _Server(asyncssh.SSHServer):
    def __init__(self, client_key: asyncssh.SSHKey) -> None:
        self.client_key = client_key

    def begin_auth(self, username: str) -> bool:
        return True

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        return username == "edi" and key.public_data == self.client_key.public_data


class EdiServer:
    """An SFTP server on loopback (asyncssh) whose users see `root` as `/`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.host_key = asyncssh.generate_private_key("ssh-ed25519")
        self.client_key = asyncssh.generate_private_key("ssh-ed25519")

    async def start(self) -> None:
        self.server = await asyncssh.create_server(
            lambda: _Server(self.client_key),
            "127.0.0.1",
            0,
            server_host_keys=[self.host_key],
            sftp_factory=lambda channel: asyncssh.SFTPServer(channel, chroot=str(self.root)),
        )
        self.port = self.server.sockets[0].getsockname()[1]

    def write_client_files(self, folder: Path, *, trust: bool = True) -> dict[str, str]:
        key = folder / "id_ed25519"
        key.write_bytes(self.client_key.export_private_key())
        known = folder / "known_hosts"
        other = asyncssh.generate_private_key("ssh-ed25519")  # a host we do not talk to
        trusted = self.host_key if trust else other
        known.write_bytes(f"[127.0.0.1]:{self.port} ".encode() + trusted.export_public_key())
        return {"client_key": str(key), "known_hosts": str(known)}


@pytest.fixture
async def edi(tmp_path: Path) -> EdiServer:
    root = tmp_path / "sftp-root"
    (root / "inbox").mkdir(parents=True)
    server = EdiServer(root)
    await server.start()
    yield server
    server.server.close()
    await server.server.wait_closed()


def add_customer(gw: Running, expected: dict, endpoint: str) -> None:
    """The buyer's EDI translator reads EDIFACT from a folder on its SFTP server."""
    contact = {"email": "edi@client.test", "role": "buyer"}
    harness.add_customer(
        gw,
        expected,
        [contact],
        customer_id="C600",
        group="retail",
        channel="sftp",
        format="edifact",
        endpoint=endpoint,
    )


async def test_the_edifact_invoice_lands_whole_in_the_customers_inbox(
    db_url: str, edi: EdiServer, tmp_path: Path
) -> None:
    """The EDIFACT INVOIC appears in the inbox under its final name only (no half-written file), and the
    customer's translator reads the invoice number and total from it."""
    pdf, expected = sample("ledger_mono-01-plain")
    endpoint = f"sftp://edi@127.0.0.1:{edi.port}/inbox"
    async with running(db_url, sftp=edi.write_client_files(tmp_path)) as gw:
        add_customer(gw, expected, endpoint)
        await aiosmtplib.send(
            invoice_mail(pdf, filename="F 2026/0001.pdf"), hostname="127.0.0.1", port=gw.smtp_port
        )
        await gw.settle(rounds=8)
        shown = detail(gw, expected["invoice_number"])
    files = sorted(p.name for p in (edi.root / "inbox").iterdir())
    assert len(files) == 1 and files[0].endswith(".edi") and not files[0].startswith(".")
    with warnings.catch_warnings():  # pydifact ships no D96A directory: its XML validation is skipped
        warnings.simplefilter("ignore")
        interchange = Interchange.from_str((edi.root / "inbox" / files[0]).read_text(encoding="latin-1"))
    bgm = next(s for s in interchange.segments if s.tag == "BGM")
    assert expected["invoice_number"] in str(bgm.elements)
    [dispatch] = shown["dispatches"]
    assert dispatch["state"] == "sent" and dispatch["channel"] == "sftp"
    sent = next(e for e in shown["events"] if e["type"] == "dispatch.sent")
    assert sent["data"]["ref"].endswith(f"/inbox/{files[0]}")


async def test_an_unknown_host_key_is_refused_not_trusted(
    db_url: str, edi: EdiServer, tmp_path: Path
) -> None:
    """The server's key is not the one we know (a man in the middle, or a re-installed server): nothing is
    uploaded, and a person is asked to check the key."""
    pdf, expected = sample("ledger_mono-01-plain")
    endpoint = f"sftp://edi@127.0.0.1:{edi.port}/inbox"
    async with running(db_url, sftp=edi.write_client_files(tmp_path, trust=False)) as gw:
        add_customer(gw, expected, endpoint)
        await gw.receive_invoice(pdf, rounds=8)
        shown = detail(gw, expected["invoice_number"])
        with gw.services.database.session() as session:
            [case] = session.scalars(select(Case).where(Case.kind == "send_failed")).all()
    assert list((edi.root / "inbox").iterdir()) == []
    assert shown["dispatches"][0]["state"] == "failed" and "host key" in case.facts["error"]
