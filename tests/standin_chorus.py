"""A local stand-in for PISTE + Chorus Pro (aiohttp), speaking the documented services jalon uses.

PISTE: POST /api/oauth/token (client_credentials) -> a bearer token. Chorus Pro, all POST + JSON, each call
checked for the bearer token and the `cpro-account` header (base64 login:password): factures/v1/deposer/flux,
transverses/v1/consulterCR, factures/v1/rechercher/fournisseur, structures/v1/rechercher,
structures/v1/consulter. A deposit moves through `report_states` one consulterCR at a time, and its invoice
through `invoice_states` one rechercher/fournisseur at a time; a Factur-X deposit without its embedded XML
is rejected (IN_REJETE), as Chorus Pro's checks would.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from lxml import etree

SYNTAXES = {
    "IN_DP_E1_UBL_INVOICE",
    "IN_DP_E1_CII_16B",
    "IN_DP_E2_CII_FACTURX",
    "IN_DP_E2_UBL_INVOICE_MIN",
    "IN_DP_E2_CII_MIN_16B",
    "IN_DP_E2_CPP_FACTURE_MIN",
}


@dataclass
class Deposit:
    number: str
    filename: str
    syntax: str
    data: bytes
    invoice_number: str | None
    report: list[str]
    statuses: list[str]
    seen_report: str | None = None
    seen_status: str | None = None


def _invoice_number(data: bytes) -> str | None:
    """BT-1 of the deposited file (Factur-X PDF, CII or UBL), read with the factur-x library and lxml."""
    xml = data
    if data.startswith(b"%PDF"):
        from facturx import get_xml_from_pdf

        _, xml = get_xml_from_pdf(data, check_xsd=False)
        if not xml:
            return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(xml, parser)
    for path in ("{*}ExchangedDocument/{*}ID", "{*}ID"):
        found = root.find(path)
        if found is not None and found.text:
            return found.text.strip()
    return None


@dataclass
class ChorusStandIn:
    client_id: str = "piste-client"
    client_secret: str = "piste-secret"
    login: str = "TECH_1_acme@cpro.fr"
    password: str = "tech-password"
    report_states: list[str] = field(default_factory=lambda: ["IN_EN_COURS_TRAITEMENT_CPP", "IN_INTEGRE"])
    invoice_states: list[str] = field(default_factory=lambda: ["MISE_A_DISPOSITION", "MANDATEE"])
    structures: dict[str, dict[str, Any]] = field(default_factory=dict)  # SIRET -> parametres
    deposits: dict[str, Deposit] = field(default_factory=dict)
    calls: list[tuple[str, dict[str, str], Any]] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    url: str = ""

    async def start(self) -> ChorusStandIn:
        app = web.Application()
        app.router.add_post("/api/oauth/token", self.token)
        for path, handler in (
            ("factures/v1/deposer/flux", self.deposit),
            ("transverses/v1/consulterCR", self.report),
            ("factures/v1/rechercher/fournisseur", self.search_invoices),
            ("structures/v1/rechercher", self.search_structures),
            ("structures/v1/consulter", self.structure),
        ):
            app.router.add_post(f"/cpro/{path}", self._guarded(path, handler))
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        await self.runner.cleanup()

    def settings(self) -> dict[str, Any]:
        return {
            "api_url": f"{self.url}/cpro/",
            "token_url": f"{self.url}/api/oauth/token",
            "poll_interval": "1s",
        }

    def environment(self) -> dict[str, str]:
        return {
            "JALON_PISTE_CLIENT_ID": self.client_id,
            "JALON_PISTE_CLIENT_SECRET": self.client_secret,
            "JALON_CHORUS_LOGIN": self.login,
            "JALON_CHORUS_PASSWORD": self.password,
        }

    # --- PISTE ----------------------------------------------------------------------------------------------

    async def token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if form.get("grant_type") != "client_credentials":
            return web.json_response({"error": "unsupported_grant_type"}, status=400)
        if (form.get("client_id"), form.get("client_secret")) != (self.client_id, self.client_secret):
            return web.json_response({"error": "invalid_client"}, status=401)
        value = secrets.token_urlsafe(16)
        self.tokens.add(value)
        return web.json_response(
            {"access_token": value, "token_type": "Bearer", "expires_in": 3600, "scope": "openid"}
        )

    def _guarded(self, path: str, handler: Any) -> Any:
        async def guarded(request: web.Request) -> web.Response:
            bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
            account = request.headers.get("cpro-account", "")
            expected = base64.b64encode(f"{self.login}:{self.password}".encode()).decode()
            body = await request.json()
            self.calls.append((path, dict(request.headers), body))
            if bearer not in self.tokens:
                return web.json_response({"error": "invalid_token"}, status=401)
            if account != expected:
                return web.json_response(
                    {"codeRetour": 20001, "libelle": "compte technique inconnu"}, status=401
                )
            return await handler(body)

        return guarded

    # --- Chorus Pro -----------------------------------------------------------------------------------------

    async def deposit(self, body: dict[str, Any]) -> web.Response:
        syntax, name = body.get("syntaxeFlux"), body.get("nomFichier")
        if syntax not in SYNTAXES or not name:
            return web.json_response({"codeRetour": 20003, "libelle": "GCU_MSG_01_002 syntaxe inconnue"})
        try:
            data = base64.b64decode(body.get("fichierFlux") or "", validate=True)
        except ValueError:
            return web.json_response({"codeRetour": 20004, "libelle": "fichier non base64"})
        number = f"CPP{len(self.deposits) + 1:07d}"
        invoice_number = _invoice_number(data)
        report = list(self.report_states) if invoice_number else ["IN_REJETE"]
        self.deposits[number] = Deposit(
            number, name, syntax, data, invoice_number, report, list(self.invoice_states)
        )
        return web.json_response(
            {
                "codeRetour": 0,
                "libelle": "GCU_MSG_01_000",
                "numeroFluxDepot": number,
                "dateDepot": dt.date.today().isoformat(),
            }
        )

    async def report(self, body: dict[str, Any]) -> web.Response:
        deposit = self.deposits.get(str(body.get("numeroFluxDepot")))
        if deposit is None:
            return web.json_response({"codeRetour": 20010, "libelle": "flux inconnu"})
        if deposit.report:
            deposit.seen_report = deposit.report.pop(0)
        return web.json_response(
            {
                "codeRetour": 0,
                "libelle": "TRA_MSG_00.000",
                "numeroFluxDepot": deposit.number,
                "nomFichierFlux": deposit.filename,
                "etatCourantFlux": deposit.seen_report,
                "dateHeureEtatCourantFlux": dt.datetime.now(dt.UTC).isoformat(),
            }
        )

    async def search_invoices(self, body: dict[str, Any]) -> web.Response:
        deposit = self.deposits.get(str(body.get("numeroFluxDepot")))
        if deposit is None or deposit.seen_report != "IN_INTEGRE":
            return web.json_response({"codeRetour": 0, "libelle": "", "listeFactures": []})
        if deposit.statuses:
            deposit.seen_status = deposit.statuses.pop(0)
        found = {
            "numeroFacture": deposit.invoice_number,
            "identifiantFactureCPP": 4242,
            "statut": deposit.seen_status or "DEPOSEE",
            "numeroFluxDepot": deposit.number,
        }
        return web.json_response({"codeRetour": 0, "libelle": "", "listeFactures": [found]})

    async def search_structures(self, body: dict[str, Any]) -> web.Response:
        wanted = (body.get("structure") or {}).get("identifiantStructure")
        if wanted not in self.structures:
            return web.json_response({"codeRetour": 0, "libelle": "", "listeStructures": []})
        index = list(self.structures).index(wanted) + 1000
        return web.json_response(
            {
                "codeRetour": 0,
                "libelle": "",
                "listeStructures": [
                    {
                        "idStructureCPP": index,
                        "identifiantStructure": wanted,
                        "designationStructure": f"ENTITE {wanted}",
                    }
                ],
            }
        )

    async def structure(self, body: dict[str, Any]) -> web.Response:
        index = int(body.get("idStructureCPP") or 0) - 1000
        if not 0 <= index < len(self.structures):
            return web.json_response({"codeRetour": 20020, "libelle": "structure inconnue"})
        siret = list(self.structures)[index]
        return web.json_response(
            {
                "codeRetour": 0,
                "libelle": "",
                "raisonSociale": f"Entité publique {siret}",
                "parametres": self.structures[siret],
            }
        )
