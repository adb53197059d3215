"""Conversion in the pipeline: a released invoice whose recipients want another format than the billing
tool's PDF gets it made, proven valid, and only then sent. Nothing invalid ever leaves.

At release (`hold_for_conversion`, called by dispatching), if some dispatch needs a format not converted yet,
all of the release's dispatches wait in state "converting" and one outbox item of kind "convert" per
missing format is queued: the CPU work never runs inside the database transaction nor on the event loop.
The "convert" sender (`convert_sender`) runs `convert.write` + `validation.check_output` in the process
pool (`run`), stores the output as a Document (role "converted", content-addressed), then in one
transaction either sends the waiting dispatches (`send_dispatch`: mail with the converted file, or the
channel outbox) or, when the output fails its official rules, holds the invoice with the failed rule ids as
findings and opens a "held" case.

Made ahead: when the directory already says what the buyer wants (`WantedFormats`, by SIREN or VAT), the
worker has the pool make those outputs right after reading the mail (`make_job` + `run`), and the release
uses them in its own transaction (`Made`): stored and sent at once when all are there and valid, else
finished as the sender would. The release alone decides; a guess that does not fit is simply not used.
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from collections.abc import Iterable
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from jalon import events
from jalon.config import Settings
from jalon.db import Database, fresh_documents, load_blob, store_document
from jalon.handlers import cases
from jalon.models import Customer, Dispatch, Document, Invoice, Outbox

log = logging.getLogger(__name__)

NATIVE = "pdf"  # what the billing tool hands over: sent as it is
# target -> (content type, file suffix)
FILES = {
    "facturx": ("application/pdf", ".pdf"),
    "cii": ("application/xml", "-cii.xml"),
    "ubl": ("application/xml", "-ubl.xml"),
    "peppol": ("application/xml", "-peppol.xml"),
    "edifact": ("application/EDIFACT", ".edi"),
    "cxml": ("text/xml", "-cxml.xml"),
    "gs1": ("application/xml", "-gs1.xml"),
}
MAX_FINDINGS = 20  # a broken output can fail hundreds of rules; the case shows the first ones


# --- deciding, inside the release transaction -------------------------------------------------------------


_CONVERTED = (
    select(Document)
    .where(
        Document.invoice_id == bindparam("invoice_id"),
        Document.role == "converted",
        Document.format == bindparam("format"),
    )
    .order_by(Document.id.desc())
)  # built once: asked for every dispatch released


def converted(session: Session, invoice_id: int, fmt: str) -> bool:
    """Whether the invoice has a valid output in this format."""
    fresh = fresh_documents(session, invoice_id)
    if fresh is not None:  # created in this transaction: its documents are known
        return any(d.role == "converted" and d.format == fmt for d in fresh)
    # No flush first: documents are written by plain INSERTs (db.store_document), never pending here.
    with session.no_autoflush:
        return session.scalars(_CONVERTED, {"invoice_id": invoice_id, "format": fmt}).first() is not None


def options_for(settings: Settings, customer: Customer | None, fmt: str) -> tuple[str | None, bool]:
    """(profile, french) for a target: the customer's settings first, then `[formats]`."""
    own = (customer.settings or {}) if customer is not None else {}
    french = bool(own.get("french", settings.formats.french))
    if fmt == "facturx":
        return str(own.get("facturx_profile") or settings.formats.facturx_profile), french
    if fmt in ("cii", "ubl"):
        return str(own.get("profile") or "EN16931"), french
    return None, french


def _queued(session: Session, invoice_id: int, fmt: str) -> bool:
    pending = session.scalars(
        select(Outbox.payload).where(Outbox.kind == "convert", Outbox.status == "pending")
    )
    return any(p.get("invoice_id") == invoice_id and p.get("format") == fmt for p in pending if p)


@dataclass
class Made:
    """An output made ahead, while the mail was read (`early_jobs`), for the options it was made with."""

    stem: str  # the billing tool's file name without its suffix: the output's file is named after it
    result: dict[str, Any]  # what `run` returned


def hold_for_conversion(
    session: Session,
    settings: Settings,
    invoice: Invoice,
    dispatches: Iterable[Dispatch],
    *,
    actor: str,
    made: dict[tuple[str, str | None, bool], Made] | None = None,
) -> bool:
    """When some of these dispatches need a format not converted yet, they all wait ("converting") and the
    conversions are queued; returns True then. A channel left at "pdf" gets the channel's own format.

    `made`: outputs already made in the pool for (format, profile, french). When every missing format was
    made and is valid, they are stored and False is returned: the dispatches leave with this release. Else
    the ones made are finished here, in this transaction, as the "convert" sender would finish them (stored,
    then sent or held), and the others are queued as usual."""
    from jalon.channels import effective_format

    waiting = list(dispatches)
    for dispatch in waiting:
        dispatch.format = effective_format(dispatch.channel or "email", dispatch.format)
    missing = sorted(
        {d.format for d in waiting if d.format != NATIVE and not converted(session, invoice.id, d.format)}
    )
    if not missing:
        return False
    customer = session.get(Customer, invoice.customer_id) if invoice.customer_id else None
    options = {fmt: options_for(settings, customer, fmt) for fmt in missing}
    ready = {fmt: (made or {}).get((fmt, *options[fmt])) for fmt in missing}
    # Every missing format made ahead and valid: stored now, and the dispatches leave with this release.
    at_once = all(early is not None and early.result["valid"] for early in ready.values())
    if not at_once:
        for dispatch in waiting:
            dispatch.state = "converting"
    for fmt in missing:
        profile, french = options[fmt]
        if ready[fmt] is None and not _queued(session, invoice.id, fmt):
            session.add(
                Outbox(
                    kind="convert",
                    payload={"invoice_id": invoice.id, "format": fmt, "profile": profile, "french": french},
                )
            )
        events.record(
            session,
            "invoice.converting",
            invoice_id=invoice.id,
            actor=actor,
            format=fmt,
            profile=profile,
            french=french,
            dispatches=[d.id for d in waiting if d.format == fmt],
        )
    for fmt, early in ready.items():
        if early is None:
            continue
        if at_once:
            _store(session, invoice, fmt, early.stem, early.result)
        else:
            finish(session, settings, invoice, fmt, early.stem, early.result)
    return not at_once


def wanted(settings: Settings, customer: Customer | None) -> list[tuple[str, str | None, bool]]:
    """The (format, profile, french) outputs a release to this customer needs, from its directory entry:
    what `dispatch_invoice` + `hold_for_conversion` will ask for, known before the pipeline runs."""
    from jalon.channels import effective_format
    from jalon.handlers.dispatching import recipients

    if customer is None or customer.blocked:
        return []
    formats = {effective_format(c.channel or "email", c.format) for c in recipients(customer.contacts)}
    return [(fmt, *options_for(settings, customer, fmt)) for fmt in sorted(formats - {NATIVE})]


class WantedFormats:
    """The outputs each customer of the directory wants, by SIREN and by VAT number, read in one query and
    kept a while as plain data: the worker's guess, before the pipeline runs, of what an invoice's release
    will need (`handlers.invoices.ahead`). A stale or missing guess costs only a second conversion round."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.by_siren: dict[str, list[tuple[str, str | None, bool]] | None] = {}
        self.by_vat: dict[str, list[tuple[str, str | None, bool]] | None] = {}
        self.loaded_at = float("-inf")
        self.interval = 10.0  # seconds; longer for a large directory (never more than ~2% of the time)

    def stale(self) -> bool:
        return time.monotonic() - self.loaded_at > self.interval

    def load(self, session: Session) -> None:
        from sqlalchemy.orm import selectinload

        start = time.monotonic()
        by_siren: dict[str, Any] = {}
        by_vat: dict[str, Any] = {}
        for customer in session.scalars(select(Customer).options(selectinload(Customer.contacts))):
            targets = wanted(self.settings, customer)
            for table, key in ((by_siren, customer.siren), (by_vat, customer.vat)):
                if key:
                    table[key] = None if key in table else targets  # two customers: the pipeline decides
        self.by_siren, self.by_vat = by_siren, by_vat
        self.loaded_at = time.monotonic()
        self.interval = max(10.0, 50 * (self.loaded_at - start))

    def targets(self, model: Any) -> list[tuple[str, str | None, bool]]:
        """What the release of this invoice model will most likely need; [] when the buyer is not known
        by its SIREN or VAT number (as `matching.match_customer` finds it first)."""
        from jalon.handlers.matching import buyer_siren, compact_vat

        siren = buyer_siren(model.buyer)
        if siren and siren in self.by_siren:
            return self.by_siren[siren] or []
        vat = compact_vat(model.buyer.vat_id)
        return (self.by_vat.get(vat) or []) if vat else []


def make_job(
    settings: Settings,
    model: dict[str, Any] | Any,
    pdf: bytes | None,
    target: tuple[str, str | None, bool],
    **extra: Any,
) -> dict[str, Any]:
    """The pool's job (`run`) that makes one target from an invoice's model and the billing tool's PDF.
    `model`: the model itself when it is at hand (made ahead: pickled as it is, ~10x cheaper than turning
    it into its dict and back), else its dict as stored (`Invoice.data`)."""
    fmt, profile, french = target
    return {
        **extra,
        "model": model,
        "pdf": pdf,
        "format": fmt,
        "profile": profile,
        "french": french,
        "validate": settings.validation.validate_outputs,
    }


# --- the CPU work, in the pool ------------------------------------------------------------------------------


def _already_facturx(pdf: bytes) -> bool:
    from jalon.formats import facturx

    try:
        found = facturx.embedded_xml(pdf)
    except ValueError:
        return False
    return found is not None and found[0].lower() == "factur-x.xml"


def _model(given: Any) -> Any:
    from jalon.formats.model import Invoice as Model

    return given if isinstance(given, Model) else Model.from_dict(given)  # writers never change their input


def run(job: dict[str, Any]) -> dict[str, Any]:
    """Write the target and validate it with the official rules. Runs in the process pool; never raises
    for bad data (a finding comes back instead)."""
    from jalon.formats import convert, validation

    fmt, profile, french = job["format"], job.get("profile"), bool(job.get("french"))
    pdf = job.get("pdf")
    try:
        if fmt == "facturx" and pdf is not None and _already_facturx(pdf):
            output = pdf  # the billing tool already made it: validated below like any output
        else:
            output = convert.write(_model(job["model"]), fmt, profile=profile, french=french, pdf=pdf)
    except Exception as error:  # a writer's ValueError, Ghostscript's PdfaError, a bug: never a crash
        message = str(error) or type(error).__name__
        return {
            "valid": False,
            "output": None,
            "profile": profile,
            "errors": [{"rule": "CONVERSION", "message": message[:500], "location": ""}],
            "warnings": [],
            "ran": [],
            "trace": traceback.format_exc(limit=3),
        }
    if not job.get("validate", True):
        return {"valid": True, "output": output, "profile": profile, "errors": [], "warnings": [], "ran": []}
    wanted = profile or convert.DEFAULT_PROFILES.get(fmt)
    if french and wanted and fmt in ("facturx", "cii", "ubl") and wanted != "EXTENDED-CTC-FR":
        wanted += "+BR-FR"
    report = validation.check_output(output, fmt=fmt, profile=wanted)
    return {**report.as_dict(), "output": output, "profile": wanted, "ran": report.ran}


def warm_up(targets: Iterable[str], facturx_profile: str = "EN16931") -> list[str]:
    """Compile the rule sets of these targets now (pool start) instead of on their first invoice."""
    from jalon.formats import convert, validation

    names: list[str] = []
    for fmt in targets:
        if fmt not in ("facturx", "cii", "ubl", "peppol"):
            continue
        profile = facturx_profile if fmt == "facturx" else convert.DEFAULT_PROFILES.get(fmt)
        names.extend(n for n in validation.plan(fmt, profile).schematron if n not in names)
    return validation.warm_up(names) if names else []


# --- the outbox sender -----------------------------------------------------------------------------------


def _job(database: Database, settings: Settings, item: Outbox) -> dict[str, Any] | None:
    payload = item.payload or {}
    with database.session() as session:
        invoice = session.get(Invoice, payload.get("invoice_id"))
        if invoice is None or invoice.state in ("cancelled", "replaced"):
            return None
        original = session.scalars(
            select(Document)
            .where(Document.invoice_id == invoice.id, Document.role == "invoice")
            .order_by(Document.id)
        ).first()
        pdf = None
        if original is not None and original.content_type == "application/pdf":
            pdf = load_blob(session, original.blob_sha256)
        stem = PurePath(original.filename).stem if original is not None else invoice.number
        target = (payload.get("format"), payload.get("profile"), bool(payload.get("french")))
        return make_job(
            settings,
            invoice.data or {},
            pdf,
            target,
            invoice_id=invoice.id,
            number=invoice.number,
            stem=stem or invoice.number,
        )


def _finish(database: Database, settings: Settings, job: dict[str, Any], result: dict[str, Any]) -> None:
    with database.session() as session:
        # Row lock: two formats of one invoice finishing at once must not both think the other is pending.
        invoice = session.get(Invoice, job["invoice_id"], with_for_update=True)
        assert invoice is not None
        finish(session, settings, invoice, job["format"], job["stem"], result)


def finish(
    session: Session, settings: Settings, invoice: Invoice, fmt: str, stem: str, result: dict[str, Any]
) -> None:
    """A conversion's result, in the caller's transaction: the output stored, then either the waiting
    dispatches sent (once every format of the release is made) or the invoice held with the failed rules."""
    from jalon.handlers.dispatching import send_dispatch

    waiting = list(
        session.scalars(
            select(Dispatch)
            .where(Dispatch.invoice_id == invoice.id, Dispatch.state == "converting")
            .order_by(Dispatch.id)
        )
    )
    _store(session, invoice, fmt, stem, result)
    if not result["valid"]:
        _hold(session, invoice, waiting, fmt, result)
        return
    session.flush()
    if invoice.state not in ("ready", "sent") or not waiting:
        return
    if any(d.format != NATIVE and not converted(session, invoice.id, d.format) for d in waiting):
        return  # another format of this release is still being made
    for dispatch in waiting:
        dispatch.state = "pending"
        send_dispatch(session, settings, dispatch, actor="jalon")


def _store(session: Session, invoice: Invoice, fmt: str, stem: str, result: dict[str, Any]) -> None:
    """The output kept as a Document (role "converted", or "conversion_failed" for a person to look at)."""
    content_type, suffix = FILES.get(fmt, ("application/octet-stream", f".{fmt}"))
    filename = f"{stem}{suffix}"
    if result.get("output") is not None:
        store_document(
            session,
            invoice.id,
            result["output"],
            filename=filename,
            content_type=content_type,
            role="converted" if result["valid"] else "conversion_failed",
            fmt=fmt,
        )
    if result["valid"]:
        events.record(
            session,
            "invoice.converted",
            invoice_id=invoice.id,
            format=fmt,
            profile=result.get("profile"),
            filename=filename,
            rules=result.get("ran") or [],
            warnings=len(result.get("warnings") or []),
        )


def _hold(
    session: Session, invoice: Invoice, waiting: list[Dispatch], fmt: str, result: dict[str, Any]
) -> None:
    """The output fails its official rules: nothing of this release leaves, a person decides."""
    errors = result.get("errors") or []
    failed = sorted({e["rule"] for e in errors})
    findings = [
        {
            "code": "output_invalid",
            "severity": "error",
            "field": None,
            "rule": e["rule"],
            "message": f"{fmt} output fails {e['rule']}: {e['message']}"[:500],
        }
        for e in errors[:MAX_FINDINGS]
    ]
    invoice.findings = [*(invoice.findings or []), *findings]
    for dispatch in waiting:
        dispatch.state = "cancelled"
        dispatch.diagnostic = f"not sent: the {fmt} output fails {', '.join(failed[:10])}"
        events.record(
            session,
            "dispatch.cancelled",
            invoice_id=invoice.id,
            dispatch_id=dispatch.id,
            recipient=dispatch.recipient,
            reason="conversion_invalid",
            format=fmt,
        )
    reason = f"the {fmt} output fails its official rules: {', '.join(failed[:10])}"
    if invoice.state == "ready":
        invoice.state = "held"
        invoice.hold_reason = reason[:4000]
    events.record(
        session,
        "invoice.held",
        invoice_id=invoice.id,
        reasons=["output_invalid"],
        message=reason,
        format=fmt,
        failed_rules=failed,
    )
    cases.open_held_case(
        session,
        invoice,
        f"Invoice {invoice.number} held: its {fmt} output fails the official rules",
        format=fmt,
        profile=result.get("profile"),
        failed_rules=failed,
        findings=findings,
    )


def convert_sender(pool: Executor | None, *, concurrency: int = 2) -> Any:
    """The outbox sender of kind "convert": CPU work in `pool` (None: a thread), then one transaction."""

    async def send_convert(database: Database, settings: Settings, item: Outbox) -> None:
        job = await asyncio.to_thread(_job, database, settings, item)
        if job is None:
            return
        loop = asyncio.get_running_loop()
        try:
            result = await loop.run_in_executor(pool, run, job)
        except Exception as error:  # the pool itself broke (a worker killed): retry, then hold
            if item.attempts + 1 < settings.outbound.max_attempts:
                raise
            log.exception("conversion of invoice %s to %s could not run", job["number"], job["format"])
            result = {
                "valid": False,
                "output": None,
                "profile": job.get("profile"),
                "warnings": [],
                "errors": [{"rule": "CONVERSION", "message": f"conversion could not run: {error!r}"[:500]}],
            }
        await asyncio.to_thread(_finish, database, settings, job, result)

    send_convert.concurrency = max(1, concurrency)  # type: ignore[attr-defined]
    return send_convert
