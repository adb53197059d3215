"""A billing tool that zips its invoices: the ZIP's invoices are read and sent one by one, its other files
travel with them; a ZIP bomb, a broken or encrypted ZIP is set aside with its reason, and the gateway goes
on."""

from __future__ import annotations

import io
import zipfile

import pytest
from harness import detail, invoice_mail, running, sample
from sqlalchemy import select
from test_pipeline_invoices import add_customer, send

from jalon.mailbox.archives import unpack
from jalon.models import Case, Document, InboundMessage, Invoice


def zipped(files: dict[str, bytes]) -> bytes:
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return packed.getvalue()


async def test_the_invoices_of_a_zip_are_each_read_and_sent_with_its_other_files(db_url: str) -> None:
    """Two invoices and a delivery note in one ZIP: two invoices sent, each to its buyer, the note kept with
    each as a supporting document; a path inside the ZIP is only a name."""
    first, first_expected = sample("classic_fr-01-plain")
    second, second_expected = sample("grid_fr-01-plain")
    archive = zipped({"2026-11/F1.pdf": first, "../../F2.pdf": second, "BL-77.txt": b"bon de livraison 77"})
    async with running(db_url) as gw:
        add_customer(gw, first_expected, [("achats@client.test", "buyer")])
        add_customer(gw, second_expected, [("compta@autre.test", "buyer")], code="C200")
        await send(gw, invoice_mail(None, extra=[("factures-novembre.zip", "application/zip", archive)]))
        await gw.settle()
        delivered = await gw.sink.wait_for(2)
        states = {
            n: detail(gw, n)["state"]
            for n in (first_expected["invoice_number"], second_expected["invoice_number"])
        }
        with gw.services.database.session() as session:
            supporting = session.execute(
                select(Invoice.number, Document.filename).join(Invoice).where(Document.role == "supporting")
            ).all()
            originals = sorted(
                session.scalars(select(Document.filename).where(Document.role == "invoice")).all()
            )
    assert set(states.values()) == {"sent"}
    assert sorted(m.rcpt_tos[0] for m in delivered) == ["achats@client.test", "compta@autre.test"]
    assert sorted(name for _, name in supporting) == ["BL-77.txt", "BL-77.txt"]
    assert originals == ["F1.pdf", "F2.pdf"]


@pytest.mark.parametrize(
    ("archive", "reason"),
    [
        (zipped({"F1.pdf": b"\0" * (60 * 1024 * 1024)}), "ZIP bomb"),
        (b"PK\x03\x04 not really a zip", "not a readable ZIP"),
        (zipped({"inner.zip": zipped({"F1.pdf": b"%PDF-1.7"})}), "one level deep"),
    ],
    ids=["bomb", "broken", "nested"],
)
async def test_a_zip_that_cannot_be_opened_safely_is_set_aside_with_its_reason(
    db_url: str, archive: bytes, reason: str
) -> None:
    """The raw message is kept and set aside for a person, who reads why; the next invoice still goes out."""
    pdf, expected = sample("classic_fr-01-plain")
    async with running(db_url) as gw:
        add_customer(gw, expected, [("achats@client.test", "buyer")])
        await send(gw, invoice_mail(None, extra=[("factures.zip", "application/zip", archive)]))
        await send(gw, invoice_mail(pdf))
        await gw.settle()
        await gw.sink.wait_for(1)
        with gw.services.database.session() as session:
            aside = session.scalars(select(InboundMessage).where(InboundMessage.status == "set_aside")).one()
            case = session.scalars(select(Case).where(Case.inbound_id == aside.id)).one()
            raw_kept = aside.blob_sha256 is not None
    assert "factures.zip" in aside.error and reason in aside.error
    assert case.state == "open" and reason in case.facts["reason"]
    assert raw_kept
    assert detail(gw, expected["invoice_number"])["state"] == "sent"


def test_an_encrypted_zip_is_refused_and_names_are_stripped_of_their_path() -> None:
    """A ZIP whose member is encrypted is refused whole; a member's path gives only its last part."""
    packed = bytearray(zipped({"F1.pdf": b"%PDF-1.7 x"}))
    # set the "encrypted" flag of the member in both headers: what a password-protected ZIP carries
    packed[6] |= 0x1
    central = packed.find(b"PK\x01\x02")
    packed[central + 8] |= 0x1
    assert "encrypted" in (unpack(bytes(packed), "secret.zip").refused or "")
    long_name = "facture-" + "x" * 400 + ".pdf"
    members = {"a/b/../../x.pdf": b"1", "c\\d\\y.xml": b"2", long_name: b"3"}
    names = [name for name, _ in unpack(zipped(members)).members]
    assert names[:2] == ["x.pdf", "y.xml"]
    assert len(names[2]) <= 200 and names[2].startswith("facture-x") and names[2].endswith(".pdf")
