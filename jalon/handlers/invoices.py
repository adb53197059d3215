"""The invoice pipeline: a billing tool's mail becomes invoices, read, matched, checked, held or sent.

`prepare` is pure CPU work (MIME, PDF, XML) and runs in the process pool; the named steps of
`PIPELINES["invoice"]` then run in one transaction over a `Context`.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from decimal import Decimal
from email.message import Message
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from jalon import events
from jalon.config import Settings
from jalon.db import created_here, store_document
from jalon.formats.model import Invoice as InvoiceModel
from jalon.handlers import cases
from jalon.handlers.context import Context
from jalon.handlers.matching import match_customer
from jalon.mailbox import addresses
from jalon.mailbox.mime import Attachment, ParsedMail, parse_mail
from jalon.models import Contact, Customer, Invoice

if TYPE_CHECKING:
    from jalon.formats.split import Part

log = logging.getLogger(__name__)


@dataclass
class ReadDocument:
    """One invoice PDF (or XML) of a mail and what the readers made of it."""

    filename: str
    content_type: str
    data: bytes
    model: InvoiceModel | None
    source: str
    error: str | None
    xml: bytes | None = None
    xml_filename: str | None = None
    model_data: dict[str, Any] | None = None  # model.to_dict(), made in the pool: what Invoice.data stores
    # Outputs made ahead in the pool for the formats the directory says the customer wants (`ahead`).
    made: dict[tuple[str, str | None, bool], Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # the reader's (an embedded XML it could not use…)
    part_of: str | None = None  # cut from a batch PDF holding several invoices: "<its file name> p. 2-3"


@dataclass
class PreparedMail:
    parsed: ParsedMail
    documents: list[ReadDocument] = field(default_factory=list)
    supporting: list[Attachment] = field(default_factory=list)


def _read(
    pdf: bytes, xml_attachments: list[tuple[str, bytes]]
) -> tuple[InvoiceModel | None, str, str | None, bytes | None, list[str]]:
    from jalon.formats.extract import read_invoice

    try:
        result = read_invoice(pdf, xml_attachments)
    except Exception as error:  # the reader promises not to raise; a bug there must not lose the invoice
        log.exception("invoice reader failed")
        return None, "none", f"reader error: {error}", None, []
    return result.invoice, result.source, result.error, getattr(result, "xml", None), list(result.warnings)


def prepare(raw: bytes, message: Message | None = None) -> PreparedMail:
    """Parse the mail and read every invoice in it; a batch PDF holding several invoices gives one document
    per invoice (`formats.split`). Never raises on bad input. `message`: the mail already parsed."""
    from jalon.formats.split import worth_trying

    parsed = parse_mail(raw, message)
    prepared = PreparedMail(parsed)
    pdfs = [a for a in parsed.attachments if a.is_pdf]
    xmls = [a for a in parsed.attachments if a.is_invoice_xml]
    used_xml: set[int] = set()
    for pdf in pdfs:
        # An XML beside a PDF goes with it when the stems match, or when there is one of each.
        stem = PurePath(pdf.filename).stem.lower()
        paired = [x for x in xmls if PurePath(x.filename).stem.lower() == stem] or (
            xmls if len(xmls) == 1 and len(pdfs) == 1 else []
        )
        used_xml.update(id(x) for x in paired)
        model, source, error, xml, warnings = _read(pdf.data, [(x.filename, x.data) for x in paired])
        parts = _batch_parts(pdf.data) if not paired and worth_trying(model) else None
        if parts:
            prepared.documents.extend(_part_documents(pdf.filename, parts))
            continue
        prepared.documents.append(
            ReadDocument(
                pdf.filename,
                "application/pdf",
                pdf.data,
                model,
                source,
                error,
                xml,
                paired[0].filename if paired else None,
                warnings=warnings,
            )
        )
    for xml_only in (x for x in xmls if id(x) not in used_xml):
        model, source, error = _read_xml_only(xml_only.data)
        prepared.documents.append(
            ReadDocument(
                xml_only.filename,
                "application/xml",
                xml_only.data,
                model,
                source,
                error,
                xml_only.data,
                xml_only.filename,
            )
        )
    prepared.supporting = [a for a in parsed.attachments if not a.is_pdf and not a.is_invoice_xml]
    if len(pdfs) > 1:
        # Several PDFs: the ones that are not invoices (delivery notes, timesheets) are supporting documents.
        invoices = [d for d in prepared.documents if d.model is not None and d.model.number]
        if invoices:
            keep = []
            for document in prepared.documents:
                if document in invoices or document.content_type != "application/pdf":
                    keep.append(document)
                else:
                    prepared.supporting.append(
                        Attachment(document.filename, "application/pdf", document.data)
                    )
            prepared.documents = keep
    for document in prepared.documents:
        document.model_data = document.model.to_dict() if document.model is not None else {}
    return prepared


def _batch_parts(pdf: bytes) -> list[Part] | None:
    from jalon.formats.split import split_invoices

    try:
        return split_invoices(pdf)
    except Exception:  # cutting is a service on top of reading: a PDF it cannot cut is read whole
        log.exception("looking for several invoices in one PDF failed")
        return None


def _part_documents(filename: str, parts: list[Part]) -> list[ReadDocument]:
    """One document per invoice of a batch PDF, each read alone, named after its file and its number."""
    stem = PurePath(filename).stem
    documents = []
    for part in parts:
        model, source, error, _, warnings = _read(part.pdf, [])
        pages = f"{part.pages[0] + 1}" + (f"-{part.pages[-1] + 1}" if len(part.pages) > 1 else "")
        safe = re.sub(r"[^A-Za-z0-9._-]+", "-", part.number).strip("-") or str(part.pages[0] + 1)
        document = ReadDocument(f"{stem}-{safe}.pdf", "application/pdf", part.pdf, model, source, error)
        document.warnings = warnings
        document.part_of = f"{filename} p. {pages}"
        documents.append(document)
    return documents


def _read_xml_only(data: bytes) -> tuple[InvoiceModel | None, str, str | None]:
    try:
        head = data[:4096].lower()
        if b"crossindustryinvoice" in head:
            from jalon.formats.cii import read_cii

            return read_cii(data), "xml", None
        from jalon.formats.ubl import read_ubl

        return read_ubl(data), "xml", None
    except Exception as error:
        return None, "none", f"unreadable XML: {error}"


# --- pipeline steps ----------------------------------------------------------------------------------------


def check_sender(ctx: Context) -> None:
    """Only configured senders may hand over invoices at invoices@; a relay client is authenticated."""
    inbound = ctx.inbound
    if inbound.auth_user:
        ctx.facts["handover"] = "relay"
        ctx.facts["sender_ok"] = True
        return
    ctx.facts["handover"] = "drop"
    parsed = ctx.prepared.parsed
    sender = parsed.from_address or inbound.mail_from
    allowed = ctx.settings.intake.allowed_senders
    ok = addresses.sender_allowed(sender, allowed)
    auth = {**parsed.auth_results, **(inbound.auth_results or {})}
    if (
        ok
        and ctx.settings.intake.require_dkim_or_spf
        and not ({auth.get("dkim"), auth.get("spf")} & {"pass"})
    ):
        ok = False
        ctx.facts["sender_reason"] = f"{sender} is allowed but neither DKIM nor SPF passed"
    elif not ok:
        ctx.facts["sender_reason"] = (
            f"{sender or 'an empty sender'} is not an allowed sender"
            if allowed
            else "no allowed senders are configured ([intake] allowed_senders)"
        )
    ctx.facts["sender_ok"] = ok
    ctx.facts["sender"] = sender
    events.record(
        ctx.session,
        "sender.checked",
        inbound_id=inbound.id,
        sender=sender,
        allowed=ok,
        auth_results=auth,
        reason=ctx.facts.get("sender_reason"),
    )


def _issuer(model: InvoiceModel | None, sender: str) -> str:
    if model is not None:
        seller = model.seller
        if seller.siren or seller.siret:
            return (seller.siren or seller.siret or "")[:9]
        if seller.vat_id:
            return seller.vat_id.replace(" ", "").upper()
    return addresses.split(sender)[1] or "unknown"


def _totals(model: InvoiceModel | None) -> dict[str, Any]:
    if model is None:
        return {}
    totals = model.totals
    sign = Decimal(1)
    return {
        "total_without_vat": abs(totals.tax_exclusive) * sign if totals.tax_exclusive is not None else None,
        "total_vat": abs(totals.vat_total) if totals.vat_total is not None else None,
        "total_with_vat": abs(totals.tax_inclusive) if totals.tax_inclusive is not None else None,
        "amount_due": abs(totals.payable) if totals.payable is not None else None,
        "holdback": abs(totals.holdback) if totals.holdback else None,
        "debited": model.payment.debited,
    }


_LATEST_VERSION = (
    select(Invoice)
    .where(Invoice.issuer == bindparam("issuer"), Invoice.number == bindparam("number"))
    .order_by(Invoice.version.desc())
)  # built once: asked for every invoice received


def create_invoices(ctx: Context) -> None:
    """One Invoice per invoice document; the other attachments travel with each as supporting documents."""
    session, inbound = ctx.session, ctx.inbound
    prepared = ctx.prepared
    if not prepared.documents:
        refused = "; ".join(prepared.parsed.archives_refused)
        ctx.stop(
            f"no invoice (PDF or invoice XML) attached to the message from {inbound.mail_from or '?'}"
            + (f": {refused}" if refused else "")
        )
        return
    sender = ctx.facts.get("sender") or inbound.mail_from
    for index, document in enumerate(prepared.documents, start=1):
        model = document.model
        number = (model.number if model and model.number else None) or f"IN{inbound.id}-{index}"
        issuer = _issuer(model, sender)
        if not ctx.facts.get("sender_ok", True):
            # A forged invoice must never become a version of the genuine one (it would replace it).
            issuer = f"suspicious:{addresses.split(sender)[1] or 'unknown'}"[:64]
        # No flush first: what is pending (the last message's closing updates in a group commit) cannot be an
        # invoice, as each is flushed when created; it is written with this invoice's INSERT below.
        with session.no_autoflush:
            previous = session.scalars(_LATEST_VERSION, {"issuer": issuer, "number": number}).first()
        version = previous.version + 1 if previous else 1
        invoice = Invoice(
            number=number,
            version=version,
            issuer=issuer,
            inbound_id=inbound.id,
            state="received",
            doc_type=model.doc_type if model else "invoice",
            issue_date=model.issue_date if model else None,
            due_date=model.due_date if model else None,
            currency=(model.currency if model else None) or "EUR",
            purchase_order=model.purchase_order if model else None,
            source=document.source,
            data=document.model_data
            if document.model_data is not None
            else (model.to_dict() if model else {}),
            **_totals(model),
        )
        session.add(invoice)
        session.flush()
        created_here(session, invoice.id)
        ctx.invoices.append(invoice)
        ctx.documents[invoice.id] = document
        pdf = document.content_type == "application/pdf"
        store_document(
            session,
            invoice.id,
            document.data,
            filename=document.filename,
            content_type=document.content_type,
            role="invoice",
            fmt="pdf" if pdf else "xml",
        )
        if document.xml is not None and pdf:
            store_document(
                session,
                invoice.id,
                document.xml,
                filename=document.xml_filename or "invoice.xml",
                content_type="application/xml",
                role="xml",
                fmt=document.source,
            )
        for attachment in prepared.supporting:
            store_document(
                session,
                invoice.id,
                attachment.data,
                filename=attachment.filename,
                content_type=attachment.content_type,
                role="supporting",
            )
        events.record(
            session,
            "invoice.received",
            invoice_id=invoice.id,
            inbound_id=inbound.id,
            number=number,
            version=version,
            filename=document.filename,
            part_of=document.part_of,
            handover=ctx.facts.get("handover"),
            supporting=[a.filename for a in prepared.supporting],
        )
        events.record(
            session,
            "invoice.read",
            invoice_id=invoice.id,
            source=document.source,
            error=document.error,
            confidence=(model.confidence if model else {}),
        )
        if previous is not None:
            ctx.facts.setdefault("previous", {})[invoice.id] = previous.id


def _match(
    session: Session,
    settings: Settings,
    rcpt_tos: list[str],
    auth_user: str | None,
    parsed: ParsedMail,
    model: InvoiceModel | None,
) -> Any:
    local_domain = settings.gateway.domain
    relay = [r for r in rcpt_tos if not addresses.is_local(r, local_domain)]
    header = [a for a in parsed.to + parsed.cc if not addresses.is_local(a, local_domain)]
    return match_customer(
        session,
        model,
        relay_recipients=relay if auth_user else [],
        forwarded_recipients=parsed.forwarded_to,
        header_recipients=header,
    )


def ahead(
    settings: Settings,
    formats: Any,
    *,
    mail_from: str,
    auth_user: str | None,
    prepared: PreparedMail,
) -> list[tuple[ReadDocument, tuple[str, str | None, bool]]]:
    """The outputs this mail's release will most likely need, from what the directory says the buyer wants
    (`formats`: a `conversion.WantedFormats`), so that the pool makes them in the same pass as the reading
    (the worker's `convert ahead`).

    Only a guess: the pipeline decides as always, and uses an output made ahead only when its format,
    profile and French rules are the ones the release asks for (`conversion.hold_for_conversion`).
    An invoice from a sender that is not allowed will be held: nothing is made for it."""
    sender = prepared.parsed.from_address or mail_from
    if not auth_user and not addresses.sender_allowed(sender, settings.intake.allowed_senders):
        return []
    return [
        (document, target)
        for document in prepared.documents
        if document.model is not None
        for target in formats.targets(document.model)
    ]


def match_customers(ctx: Context) -> None:
    parsed = ctx.prepared.parsed
    relay = [r for r in ctx.inbound.rcpt_tos if not addresses.is_local(r, ctx.settings.gateway.domain)]
    for invoice in ctx.invoices:
        model = ctx.documents[invoice.id].model
        match = _match(
            ctx.session, ctx.settings, list(ctx.inbound.rcpt_tos), ctx.inbound.auth_user, parsed, model
        )
        if match.customer is None and match.method != "conflict" and ctx.inbound.auth_user and relay:
            match = _customer_from_relay(ctx, model, relay)
        ctx.matches[invoice.id] = match
        if match.customer is not None:
            invoice.customer_id = match.customer.id
            events.record(
                ctx.session,
                "invoice.matched",
                invoice_id=invoice.id,
                customer_id=match.customer.id,
                customer=match.customer.code,
                method=match.method,
                reason=match.reason,
            )
        else:
            events.record(
                ctx.session,
                "invoice.unmatched",
                invoice_id=invoice.id,
                method=match.method,
                reason=match.reason,
                candidates=match.candidates,
            )


def _customer_from_relay(ctx: Context, model: InvoiceModel | None, relay: list[str]):  # type: ignore[no-untyped-def]
    """A relayed invoice for a customer not in the directory yet: the billing tool named the recipients,
    so the customer is created from the invoice's buyer (an authenticated client
    decides where its invoices go)."""
    from jalon.handlers.matching import Match

    buyer = model.buyer if model else None
    name = (buyer.name if buyer else None) or addresses.split(relay[0])[1]
    code_base = (buyer.siren if buyer and buyer.siren else None) or addresses.split(relay[0])[1]
    code = f"auto-{code_base}"
    customer = ctx.session.scalar(select(Customer).where(Customer.code == code))
    if customer is None:
        customer = Customer(
            code=code,
            name=name,
            siren=buyer.siren if buyer else None,
            vat=buyer.vat_id if buyer else None,
            language=ctx.settings.gateway.default_language,
        )
        ctx.session.add(customer)
        ctx.session.flush()
        events.record(ctx.session, "customer.created", customer_id=customer.id, code=code, source="relay")
    return Match(customer, "relay", True, "customer created from a relayed invoice")


def record_relay_contacts(ctx: Context) -> None:
    """Relay hand-over: the envelope recipients become the customer's contacts (buyer unless known)."""
    if not ctx.inbound.auth_user:
        return
    relay = [
        r.lower() for r in ctx.inbound.rcpt_tos if not addresses.is_local(r, ctx.settings.gateway.domain)
    ]
    for invoice in ctx.invoices:
        if invoice.customer_id is None:
            continue
        for email in relay:
            known = ctx.session.scalar(
                select(Contact).where(
                    Contact.customer_id == invoice.customer_id, func.lower(Contact.email) == email
                )
            )
            if known is None:
                ctx.session.add(
                    Contact(customer_id=invoice.customer_id, email=email, role="buyer", source="relay")
                )
                events.record(
                    ctx.session,
                    "contact.added",
                    invoice_id=invoice.id,
                    customer_id=invoice.customer_id,
                    email=email,
                    role="buyer",
                    source="relay",
                )
        ctx.session.flush()


def check_invoices(ctx: Context) -> None:
    from jalon.handlers.checks import findings_for

    for invoice in ctx.invoices:
        findings = findings_for(ctx, invoice)
        invoice.findings = findings
        events.record(
            ctx.session,
            "invoice.checked",
            invoice_id=invoice.id,
            findings=[f"{f['severity']}:{f['code']}" for f in findings],
        )


def hold_or_release(ctx: Context) -> None:
    from jalon.handlers.checks import blocking
    from jalon.handlers.dispatching import dispatch_invoice

    for invoice in ctx.invoices:
        previous_id = ctx.facts.get("previous", {}).get(invoice.id)
        if previous_id is not None:
            supersede(ctx, ctx.session.get(Invoice, previous_id), invoice)
        reasons = blocking(invoice.findings, hold_on_warnings=ctx.settings.holds.hold_on_warnings)
        if reasons:
            hold(ctx, invoice, reasons)
            log.info("invoice %s (message %s): held: %s", invoice.number, ctx.inbound.id, invoice.hold_reason)
            continue
        log.info("invoice %s (message %s): released", invoice.number, ctx.inbound.id)
        invoice.state = "ready"
        events.record(ctx.session, "invoice.released", invoice_id=invoice.id, actor="jalon", automatic=True)
        dispatch_invoice(
            ctx.session, ctx.settings, invoice, actor="jalon", made=ctx.documents[invoice.id].made
        )


def supersede(ctx: Context, previous: Invoice | None, invoice: Invoice) -> None:
    """A corrected invoice re-sent with the same number replaces the held one (versioned, nothing deleted)."""
    if previous is None:
        return
    if previous.state in ("held", "received"):
        previous.state = "replaced"
        events.record(
            ctx.session,
            "invoice.replaced",
            invoice_id=previous.id,
            by_version=invoice.version,
            by_invoice_id=invoice.id,
        )
        events.record(ctx.session, "invoice.replaces", invoice_id=invoice.id, version=previous.version)
        cases.close_invoice_cases(
            ctx.session, previous.id, actor="jalon", resolution=f"replaced by version {invoice.version}"
        )
    elif previous.state not in ("cancelled", "replaced"):
        finding = {
            "code": "duplicate_number",
            "severity": "error",
            "message": f"invoice {invoice.number} was already received (version {previous.version}, "
            f"{previous.state}); a second copy is not sent without a person's decision",
            "field": "invoice_number",
            "rule": "jalon",
        }
        invoice.findings = [*invoice.findings, finding]


def hold(ctx: Context, invoice: Invoice, reasons: list[dict[str, Any]]) -> None:
    invoice.state = "held"
    invoice.hold_reason = "; ".join(r["message"] for r in reasons)[:4000]
    invoice.suspicious = any(r["code"] == "sender_not_allowed" for r in reasons)
    events.record(
        ctx.session,
        "invoice.held",
        invoice_id=invoice.id,
        reasons=[r["code"] for r in reasons],
        message=invoice.hold_reason,
    )
    cases.open_held_case(
        ctx.session,
        invoice,
        f"Invoice {invoice.number} held before sending",
        total_with_vat=str(invoice.total_with_vat) if invoice.total_with_vat is not None else None,
        currency=invoice.currency,
        findings=reasons,
        suspicious=invoice.suspicious,
    )


def sender_for_finding(ctx: Context) -> dict[str, Any] | None:
    if ctx.facts.get("sender_ok", True):
        return None
    return {
        "code": "sender_not_allowed",
        "severity": "error",
        "message": f"suspicious: {ctx.facts.get('sender_reason')}; nothing is sent until a person checks it",
        "field": None,
        "rule": "jalon",
    }


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()
