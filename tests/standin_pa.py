"""A local stand-in for a Plateforme Agréée speaking the AFNOR XP Z12-013 Flow Service 1.3.0 (aiohttp).

POST /token (client credentials); POST /flow-service/v1/flows (multipart flowInfo + file -> 202
FullFlowInfo); POST /flow-service/v1/flows/search (where: updatedAfter strict, flowType, trackingId; limit and
cursor paging); GET /flow-service/v1/flows/{flowId}?docType=Original. The test plays the buyer's side:
`issue_status` publishes a CDAR life-cycle flow built from the FNFE example of that status, `acknowledge`
sets the acknowledgement of one of our invoice flows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web
from lxml import etree

RAM = "{urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100}"
SYNTAXES = {"CII", "UBL", "Factur-X", "CDAR", "FRR"}


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass
class PaStandIn:
    cdar_dir: Path  # the corpus' FNFE CDAR examples (UC1_…-CDV-203_Mise_a_disposition.xml…)
    client_id: str = "pa-client"
    client_secret: str = "pa-secret"
    flows: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    tokens: set[str] = field(default_factory=set)
    searches: list[dict[str, Any]] = field(default_factory=list)
    page_size: int = 2  # small, so that paging is exercised
    url: str = ""

    async def start(self) -> PaStandIn:
        app = web.Application(client_max_size=100 * 1024 * 1024)
        app.router.add_post("/token", self.token)
        app.router.add_post("/flow-service/v1/flows", self.create)
        app.router.add_post("/flow-service/v1/flows/search", self.search)
        app.router.add_get("/flow-service/v1/flows/{flow_id}", self.get)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        await self.runner.cleanup()

    def settings(self) -> dict[str, Any]:
        return {
            "flow_url": f"{self.url}/flow-service",
            "token_url": f"{self.url}/token",
            "poll_interval": "1s",
        }

    def environment(self) -> dict[str, str]:
        return {"JALON_PA_CLIENT_ID": self.client_id, "JALON_PA_CLIENT_SECRET": self.client_secret}

    async def token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if (form.get("grant_type"), form.get("client_id"), form.get("client_secret")) != (
            "client_credentials",
            self.client_id,
            self.client_secret,
        ):
            return web.json_response({"error": "invalid_client"}, status=401)
        value = secrets.token_urlsafe(16)
        self.tokens.add(value)
        return web.json_response({"access_token": value, "token_type": "Bearer", "expires_in": 300})

    def _refused(self, request: web.Request) -> web.Response | None:
        if request.headers.get("Authorization", "").removeprefix("Bearer ") not in self.tokens:
            return web.json_response({"errorCode": "UNAUTHORIZED", "errorMessage": "bad token"}, status=401)
        return None

    async def create(self, request: web.Request) -> web.Response:
        if refused := self._refused(request):
            return refused
        parts: dict[str, tuple[bytes, str]] = {}
        reader = await request.multipart()
        async for part in reader:
            parts[part.name or ""] = (await part.read(decode=False), part.headers.get("Content-Type", ""))
        if "flowInfo" not in parts or "file" not in parts:
            return web.json_response(
                {"errorCode": "MISSING_REQUIRED_FIELD", "errorMessage": "flowInfo and file"}, status=400
            )
        info = json.loads(parts["flowInfo"][0])
        data = parts["file"][0]
        if info.get("flowSyntax") not in SYNTAXES or not info.get("name"):
            return web.json_response(
                {"errorCode": "INVALID_FLOW_INFO", "errorMessage": str(info)}, status=400
            )
        if info.get("sha256") and info["sha256"] != hashlib.sha256(data).hexdigest():
            return web.json_response(
                {"errorCode": "SHA256_MISMATCH", "errorMessage": "fingerprint"}, status=422
            )
        flow_id = str(uuid.uuid4())
        now = _now()
        self.flows[flow_id] = {
            **info,
            "flowId": flow_id,
            "submittedAt": now,
            "updatedAt": now,
            "flowType": "CustomerInvoice",
            "flowDirection": "Out",
            "processingRuleSource": "Input",
            "flowProfile": info.get("flowProfile") or "Undefined",
            "processingRule": info.get("processingRule") or "Undefined",
            "acknowledgement": {"status": "Pending"},
            "contentType": parts["file"][1],
        }
        self.files[flow_id] = data
        full = {
            k: self.flows[flow_id][k] for k in ("flowId", "submittedAt", "name", "flowSyntax", "trackingId")
        }
        return web.json_response(full, status=202)

    async def search(self, request: web.Request) -> web.Response:
        if refused := self._refused(request):
            return refused
        body = await request.json()
        self.searches.append(body)
        where = body.get("where") or {}
        if not where:
            return web.json_response({"errorCode": "MISSING_CRITERIA", "errorMessage": "where"}, status=400)
        found = [
            f
            for f in sorted(self.flows.values(), key=lambda f: f["updatedAt"])
            if (not where.get("updatedAfter") or f["updatedAt"] > where["updatedAfter"])
            and (not where.get("flowType") or f["flowType"] in where["flowType"])
            and (not where.get("trackingId") or f.get("trackingId") == where["trackingId"])
        ]
        start = int(body.get("cursor") or 0)
        limit = min(int(body.get("limit") or 100), self.page_size)
        page = found[start : start + limit]
        answer: dict[str, Any] = {
            "limit": limit,
            "filters": where,
            "results": [{k: v for k, v in f.items() if k != "contentType"} for f in page],
        }
        if start + limit < len(found):
            answer["nextCursor"] = str(start + limit)
        return web.json_response(answer)

    async def get(self, request: web.Request) -> web.Response:
        if refused := self._refused(request):
            return refused
        flow_id = request.match_info["flow_id"]
        if flow_id not in self.flows:
            return web.json_response({"errorCode": "NOT_FOUND", "errorMessage": flow_id}, status=404)
        if request.query.get("docType", "Metadata") == "Metadata":
            return web.json_response(self.flows[flow_id])
        return web.Response(
            body=self.files[flow_id],
            content_type="application/xml",
            headers={"Content-Disposition": f"attachment;filename={flow_id}.xml"},
        )

    # --- the buyer's side, played by the test -------------------------------------------------------------

    def issue_status(self, invoice_number: str, code: str, amount: str | None = None) -> str:
        """Publish a life-cycle flow saying `code` for our invoice, from the FNFE example of that status."""
        example = next(p for p in sorted(self.cdar_dir.glob(f"*-CDV-{code}_*.xml")) if "PPF" not in p.name)
        parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
        root = etree.fromstring(example.read_bytes(), parser)
        for node in root.iter(f"{RAM}IssuerAssignedID"):
            node.text = invoice_number
        if amount is not None:
            for node in root.iter(f"{RAM}ValueAmount"):
                node.text = amount
        flow_id = str(uuid.uuid4())
        self.flows[flow_id] = {
            "flowId": flow_id,
            "name": example.name,
            "flowSyntax": "CDAR",
            "flowProfile": "CIUS",
            "processingRule": "B2B",
            "flowType": "CustomerInvoiceLC",
            "flowDirection": "In",
            "processingRuleSource": "Computed",
            "submittedAt": _now(),
            "updatedAt": _now(),
            "acknowledgement": {"status": "Ok"},
        }
        self.files[flow_id] = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        return flow_id

    def acknowledge(self, tracking_id: str, status: str, details: list[dict[str, str]] | None = None) -> None:
        flow = next(f for f in self.flows.values() if f.get("trackingId") == tracking_id)
        flow["acknowledgement"] = {"status": status, **({"details": details} if details else {})}
        flow["updatedAt"] = _now()
