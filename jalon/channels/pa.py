"""A Plateforme Agréée over the AFNOR XP Z12-013 Flow Service (OpenAPI 1.3.0): hand over an invoice, then
read the life-cycle statuses the platform returns.

- `POST /v1/flows` (multipart: `flowInfo` JSON + `file`) -> 202 FullFlowInfo {flowId, submittedAt}. Our
  `trackingId` is the dispatch token, so the flow is ours to find again.
- `POST /v1/flows/search` {where: {updatedAfter, flowType…}} -> {results: [Flow…], nextCursor}: our invoice
  flows come back with their `acknowledgement` (Ok / Error, with details), the life-cycle flows
  (`CustomerInvoiceLC`) with a CDAR file to fetch.
- `GET /v1/flows/{flowId}?docType=Original` -> the CDAR (CrossDomainAcknowledgementAndResponse D22B): per
  invoice number (MDT-87) a status code (MDT-105: 200 Déposée … 212 Encaissée, 213 Rejetée…), its label,
  a reason, and for 212 the amounts collected (MDT-215).
One follow-up item per platform (not per invoice) reads everything updated since the last pass.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

import aiohttp

from jalon.channels import Accepted, Delivery, Followed, Update
from jalon.channels.lifecycle import Status
from jalon.channels.oauth import Refused, Temporary, classify, forget, secret, token
from jalon.config import Settings
from jalon.db import Database, utcnow

SYNTAXES = {"facturx": "Factur-X", "cii": "CII", "ubl": "UBL", "peppol": "UBL"}
# CDAR status codes (XP Z12-012 annex; MDT-105) read as jalon's life-cycle statuses.
CDAR_CODES = {
    "200": "deposited",
    "201": "issued",
    "202": "received",
    "203": "made_available",
    "204": "taken_over",
    "205": "approved",
    "206": "partially_approved",
    "207": "disputed",
    "208": "suspended",
    "209": "completed",
    "210": "refused",
    "211": "payment_sent",
    "212": "paid",
    "213": "rejected",
    "214": "approved",  # Visée
    "220": "cancelled",
    "221": "routing_error",
    "501": "rejected",  # Irrecevable
}
CURSOR_KEY = "pa.updated_after"
RSM = "{urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100}"
RAM = "{urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100}"
UDT = "{urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100}"


def _profile(fmt: str, profile: str | None) -> str:
    if (profile or "").upper() == "EXTENDED-CTC-FR":
        return "Extended-CTC-FR"
    if (profile or "").upper() in ("BASIC", "BASIC-WL", "MINIMUM"):
        return "Basic"
    return "CIUS"


class _Api:
    """The Flow Service with a bearer token; one aiohttp session per use."""

    def __init__(self, settings: Settings) -> None:
        cfg = settings.pa
        if not cfg.flow_url or not cfg.token_url:
            from jalon.channels.oauth import NotConfigured

            raise NotConfigured("[pa] flow_url and token_url must be set to send through a Plateforme Agréée")
        self.cfg = cfg
        self.client_id = secret(settings, cfg.client_id_env, "the PA client id")
        self.client_secret = secret(settings, cfg.client_secret_env, "the PA client secret")
        self.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=cfg.timeout.total_seconds()))

    async def __aenter__(self) -> _Api:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.http.close()

    async def headers(self) -> dict[str, str]:
        bearer = await token(self.http, self.cfg.token_url, self.client_id, self.client_secret)
        out = {"Authorization": f"Bearer {bearer}", "Request-Id": str(uuid.uuid4())}
        if self.cfg.organization_id:
            out["Organization-Id"] = self.cfg.organization_id
        return out

    async def request(self, method: str, path: str, what: str, **kwargs: Any) -> tuple[bytes, str]:
        url = self.cfg.flow_url.rstrip("/") + path
        try:
            async with self.http.request(method, url, headers=await self.headers(), **kwargs) as response:
                body = await response.read()
                status, ctype = response.status, response.headers.get("Content-Type", "")
        except (aiohttp.ClientError, TimeoutError) as error:
            raise Temporary(f"PA unreachable ({what}): {error}") from None
        if status == 401:
            forget(self.cfg.token_url, self.client_id)
        classify(status, body[:500].decode("utf-8", "replace"), f"PA {what}")
        return body, ctype

    async def json(self, method: str, path: str, what: str, **kwargs: Any) -> dict[str, Any]:
        body, _ = await self.request(method, path, what, **kwargs)
        try:
            value = json.loads(body or b"{}")
        except ValueError:
            raise Temporary(f"PA {what}: not JSON: {body[:200]!r}") from None
        return value if isinstance(value, dict) else {}


async def deliver(settings: Settings, delivery: Delivery) -> Accepted:
    syntax = SYNTAXES.get(delivery.fmt)
    if syntax is None:
        raise Refused(f"a PA takes {', '.join(sorted(set(SYNTAXES)))}, not {delivery.fmt}")
    info = {
        "trackingId": delivery.token,
        "name": delivery.filename[:255],
        "processingRule": settings.pa.processing_rule,
        "flowSyntax": syntax,
        "flowProfile": _profile(delivery.fmt, delivery.profile),
        "sha256": hashlib.sha256(delivery.data).hexdigest(),
    }
    form = aiohttp.FormData()
    form.add_field("flowInfo", json.dumps(info), content_type="application/json")
    form.add_field("file", delivery.data, filename=delivery.filename, content_type=delivery.content_type)
    async with _Api(settings) as api:
        answer = await api.json("POST", "/v1/flows", "createFlow", data=form)
    flow_id = str(answer.get("flowId") or "")
    if not flow_id:
        raise Temporary(f"PA accepted the flow without a flowId: {answer}")
    return Accepted(
        flow_id,
        {"flow_syntax": syntax, "submitted_at": answer.get("submittedAt")},
        follow={"since": utcnow().isoformat(), "singleton": True},
    )


# --- follow-up ---------------------------------------------------------------------------------------------


def _cursor(database: Database) -> str | None:
    from jalon.models import KeyValue

    with database.session() as session:
        row = session.get(KeyValue, CURSOR_KEY)
        return row.value if row else None


def _save_cursor(database: Database, value: str) -> None:
    from jalon.models import KeyValue

    with database.session() as session:
        row = session.get(KeyValue, CURSOR_KEY)
        if row is None:
            session.add(KeyValue(key=CURSOR_KEY, value=value))
        elif value > row.value:
            row.value = value


async def follow(database: Database, settings: Settings, payload: dict[str, Any]) -> Followed:
    """Everything the platform updated since the last pass: acknowledgements of our flows and the CDAR
    life-cycle flows. One item for the whole platform; it plans the next pass itself."""
    import asyncio

    after = await asyncio.to_thread(_cursor, database) or payload.get("since")
    updates: list[Update] = []
    newest = after or ""
    async with _Api(settings) as api:
        cursor: str | None = None
        for _page in range(50):  # bounded: a platform that pages forever must not hold the outbox
            where: dict[str, Any] = {"flowType": ["CustomerInvoice", "CustomerInvoiceLC"]}
            if after:
                where["updatedAfter"] = after
            query: dict[str, Any] = {"where": where, "limit": 100}
            if cursor:
                query["cursor"] = cursor
            page = await api.json("POST", "/v1/flows/search", "searchFlows", json=query)
            for flow in page.get("results") or []:
                newest = max(newest, str(flow.get("updatedAt") or ""))
                updates.extend(await _read_flow(api, flow))
            cursor = page.get("nextCursor")
            if not cursor:
                break
    if newest:
        await asyncio.to_thread(_save_cursor, database, newest)
    still_open = await asyncio.to_thread(_open_dispatches, database, settings)
    return Followed(updates, next=payload if still_open or updates else None)


def _open_dispatches(database: Database, settings: Settings) -> int:
    """PA dispatches whose invoice may still change status (not paid, cancelled nor replaced)."""
    from sqlalchemy import func, select

    from jalon.models import Dispatch, Invoice

    with database.session() as session:
        query = (
            select(func.count(Dispatch.id))
            .join(Invoice, Invoice.id == Dispatch.invoice_id)
            .where(Dispatch.channel == "pa", Dispatch.state.in_(("queued", "sent", "delivered")))
            .where(Invoice.state.in_(("ready", "sent")))
        )
        return int(session.scalar(query) or 0)


async def _read_flow(api: _Api, flow: dict[str, Any]) -> list[Update]:
    kind = flow.get("flowType")
    flow_id = str(flow.get("flowId") or "")
    if kind == "CustomerInvoice":
        ack = flow.get("acknowledgement") or {}
        if ack.get("status") != "Error" or not flow.get("trackingId"):
            return []
        details = "; ".join(
            f"{d.get('reasonCode')}: {d.get('reasonMessage')}"
            for d in ack.get("details") or []
            if isinstance(d, dict)
        )
        status = Status(
            "rejected",
            "Error",
            "refused by the platform's checks",
            details or None,
            ref=f"{flow_id}:ack",
            detail={"flow_id": flow_id},
        )
        return [Update(status, token=str(flow["trackingId"]))]
    if kind != "CustomerInvoiceLC":
        return []
    body, _ = await api.request("GET", f"/v1/flows/{flow_id}", "getFlow", params={"docType": "Original"})
    return [Update(s, invoice_number=number) for number, s in read_cdar(body, flow_id)]


def read_cdar(data: bytes, flow_id: str = "") -> list[tuple[str, Status]]:
    """(invoice number, status) for each document a CDAR life-cycle message speaks of."""
    from jalon.formats import xmlsafe

    root = xmlsafe.parse(data)
    if root.tag != f"{RSM}CrossDomainAcknowledgementAndResponse":
        raise ValueError("not a CDAR (CrossDomainAcknowledgementAndResponse) message")
    out = []
    for ack in root.iter(f"{RSM}AcknowledgementDocument"):
        stamp = ack.findtext(f"{RAM}IssueDateTime/{UDT}DateTimeString")
        for ref in ack.iter(f"{RAM}ReferenceReferencedDocument"):
            number = (ref.findtext(f"{RAM}IssuerAssignedID") or "").strip()
            code = (ref.findtext(f"{RAM}ProcessConditionCode") or "").strip()
            if not number or code not in CDAR_CODES:
                continue
            label = (ref.findtext(f"{RAM}ProcessCondition") or "").strip()
            reasons = [
                " ".join(
                    filter(
                        None,
                        [
                            (s.findtext(f"{RAM}ReasonCode") or "").strip(),
                            (s.findtext(f"{RAM}Reason") or "").strip(),
                        ],
                    )
                )
                for s in ref.iter(f"{RAM}SpecifiedDocumentStatus")
            ]
            amount, currency = _collected(ref)
            out.append(
                (
                    number,
                    Status(
                        CDAR_CODES[code],
                        code,
                        label,
                        "; ".join(r for r in reasons if r) or None,
                        at=_stamp(stamp),
                        ref=f"{flow_id}:{number}:{code}",
                        amount=amount,
                        currency=currency,
                        detail={"flow_id": flow_id},
                    ),
                )
            )
    return out


def _collected(ref: Any) -> tuple[Decimal | None, str | None]:
    """MDT-215 amounts of the MEN characteristics (212 Encaissée: one per VAT rate), added up."""
    total, currency = None, None
    for char in ref.iter(f"{RAM}SpecifiedDocumentCharacteristic"):
        if (char.findtext(f"{RAM}TypeCode") or "").strip() != "MEN":
            continue
        node = char.find(f"{RAM}ValueAmount")
        if node is None or not (node.text or "").strip():
            continue
        try:
            value = Decimal(node.text.strip())
        except InvalidOperation:
            continue
        total = (total or Decimal(0)) + value
        currency = node.get("currencyID") or currency
    return total, currency


def _stamp(text: str | None) -> dt.datetime | None:
    """Format 204 (YYYYMMDDHHMMSS), read as UTC."""
    if not text or len(text.strip()) < 14:
        return None
    try:
        return dt.datetime.strptime(text.strip()[:14], "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)
    except ValueError:
        return None
