"""Chorus Pro (the French public sector's invoicing portal) through PISTE: deposit a flow, follow it, and
look up what a public buyer requires.

Every call carries a PISTE OAuth2 bearer token (client credentials) and the technical account in the
`cpro-account` header (base64 of login:password). Services used, all POST with JSON bodies:
- `factures/v1/deposer/flux`: fichierFlux (base64), nomFichier, syntaxeFlux, avecSignature -> numeroFluxDepot
- `transverses/v1/consulterCR`: numeroFluxDepot -> etatCourantFlux (the deposit report: IN_INTEGRE…)
- `factures/v1/rechercher/fournisseur`: numeroFluxDepot -> listeFactures[{numeroFacture, statut…}]
- `structures/v1/rechercher` (SIRET -> idStructureCPP) and `structures/v1/consulter` (-> parametres:
  codeServiceDoitEtreRenseigne, numeroEJDoitEtreRenseigne, gestionNumeroEJOuCodeService)
Every answer carries codeRetour (0: done) and libelle.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

import aiohttp

from jalon.channels import Accepted, Delivery, Followed, Update
from jalon.channels.lifecycle import Status
from jalon.channels.oauth import Refused, Temporary, classify, forget, secret, token
from jalon.config import Settings
from jalon.db import Database, utcnow

SYNTAXES = {"facturx": "IN_DP_E2_CII_FACTURX", "ubl": "IN_DP_E1_UBL_INVOICE", "cii": "IN_DP_E1_CII_16B"}
# The deposit report (consulterCR): None while Chorus Pro is still working on the flow.
FLOW_STATES: dict[str, str | None] = {
    "IN_RECU": None,
    "IN_TRAITE_SE_CPP": None,
    "IN_EN_ATTENTE_TRAITEMENT_CPP": None,
    "IN_EN_COURS_TRAITEMENT_CPP": None,
    "IN_EN_ATTENTE_RETRAITEMENT_CPP": None,
    "IN_INTEGRE": "deposited",
    "IN_INTEGRE_PARTIEL": "deposited",
    "IN_REJETE": "rejected",
    "IN_INCIDENTE": "rejected",
}
# An integrated invoice's status (rechercher/fournisseur), read as the reform's.
INVOICE_STATES = {
    "DEPOSEE": "deposited",
    "EN_COURS_ACHEMINEMENT": "issued",
    "MISE_A_DISPOSITION": "made_available",
    "PRISE_EN_COMPTE_DESTINATAIRE": "taken_over",
    "SUSPENDUE": "suspended",
    "A_RECYCLER": "suspended",
    "COMPLETEE": "completed",
    "SERVICE_FAIT": "approved",
    "MANDATEE": "approved",
    "COMPTABILISEE": "approved",
    "MISE_A_DISPOSITION_COMPTABLE": "approved",
    "MISE_EN_PAIEMENT": "payment_sent",
    "REJETEE": "refused",
}
FINAL = {"MISE_EN_PAIEMENT", "REJETEE"}


def _url(settings: Settings, path: str) -> str:
    return settings.chorus.api_url.rstrip("/") + "/" + path


def _credentials(settings: Settings) -> tuple[str, str, str, str]:
    """PISTE client id and secret, technical account login and password (NotConfigured: which is missing)."""
    cfg = settings.chorus
    return (
        secret(settings, cfg.client_id_env, "the PISTE client id"),
        secret(settings, cfg.client_secret_env, "the PISTE client secret"),
        secret(settings, cfg.login_env, "the Chorus Pro technical account login"),
        secret(settings, cfg.password_env, "the Chorus Pro technical account password"),
    )


async def _call(settings: Settings, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """One Chorus Pro service call; raises Temporary / Refused as the outbox needs."""
    cfg = settings.chorus
    client_id, client_secret, login, password = _credentials(settings)
    account = base64.b64encode(f"{login}:{password}".encode()).decode("ascii")
    timeout = aiohttp.ClientTimeout(total=cfg.timeout.total_seconds())
    async with aiohttp.ClientSession(timeout=timeout) as http:
        bearer = await token(http, cfg.token_url, client_id, client_secret, scope="openid")
        headers = {
            "Authorization": f"Bearer {bearer}",
            "cpro-account": account,
            "Content-Type": "application/json;charset=utf-8",
            "Accept": "application/json",
        }
        try:
            async with http.post(_url(settings, path), json=body, headers=headers) as response:
                status = response.status
                answer = await response.json(content_type=None) if response.content_length != 0 else {}
        except (aiohttp.ClientError, TimeoutError) as error:
            raise Temporary(f"Chorus Pro unreachable ({path}): {error}") from None
        except ValueError:
            answer = {}
    if status == 401:
        forget(cfg.token_url, client_id)
    classify(status, answer, f"Chorus Pro {path}")
    if not isinstance(answer, dict):
        raise Temporary(f"Chorus Pro {path}: unexpected answer {str(answer)[:200]}")
    code = answer.get("codeRetour")
    if code not in (0, "0", None):
        raise Refused(f"Chorus Pro {path}: {code} {answer.get('libelle') or ''}".strip())
    return answer


async def deliver(settings: Settings, delivery: Delivery) -> Accepted:
    """Deposit the file as a flow; its deposit report and the invoice's statuses are followed later."""
    syntax = SYNTAXES.get(delivery.fmt)
    if syntax is None:
        raise Refused(f"Chorus Pro takes {', '.join(SYNTAXES)}, not {delivery.fmt}")
    answer = await _call(
        settings,
        "factures/v1/deposer/flux",
        {
            "fichierFlux": base64.b64encode(delivery.data).decode("ascii"),
            "nomFichier": delivery.filename,
            "syntaxeFlux": syntax,
            "avecSignature": False,
        },
    )
    flow = str(answer.get("numeroFluxDepot") or "")
    if not flow:
        raise Temporary(f"Chorus Pro accepted the deposit without a flow number: {answer}")
    follow = {
        "dispatch_id": delivery.dispatch_id,
        "flow": flow,
        "stage": "flow",
        "number": delivery.invoice_number,
        "since": utcnow().isoformat(),
    }
    return Accepted(flow, {"syntax": syntax, "deposited_on": answer.get("dateDepot")}, follow)


async def follow(database: Database, settings: Settings, payload: dict[str, Any]) -> Followed:
    """Read the deposit report (consulterCR) until the flow is integrated or rejected, then the invoice's
    status (rechercher/fournisseur) until payment or refusal, or until `follow_for` has passed."""
    since = dt.datetime.fromisoformat(payload.get("since") or utcnow().isoformat())
    expired = utcnow() - since > settings.chorus.follow_for
    dispatch_id = payload.get("dispatch_id")
    if payload.get("stage", "flow") == "flow":
        answer = await _call(settings, "transverses/v1/consulterCR", {"numeroFluxDepot": payload["flow"]})
        state = str(answer.get("etatCourantFlux") or "")
        meaning = FLOW_STATES.get(state)
        if meaning is None:
            return Followed(next=None if expired else payload)
        status = Status(
            meaning,
            state,
            answer.get("libelle") or state,
            ref=f"{payload['flow']}:{state}",
            detail={"flow": payload["flow"]},
        )
        nxt = None if meaning == "rejected" or expired else {**payload, "stage": "invoice"}
        return Followed([Update(status, dispatch_id)], nxt)
    answer = await _call(settings, "factures/v1/rechercher/fournisseur", {"numeroFluxDepot": payload["flow"]})
    found = [f for f in answer.get("listeFactures") or [] if str(f.get("numeroFacture")) == payload["number"]]
    if not found:
        return Followed(next=None if expired else payload)
    code = str(found[0].get("statut") or "")
    updates = []
    if code and code != payload.get("last") and code in INVOICE_STATES:
        ref = f"{payload['flow']}:{found[0].get('identifiantFactureCPP', '')}:{code}"
        status = Status(
            INVOICE_STATES[code],
            code,
            code.replace("_", " ").lower(),
            ref=ref,
            detail={"flow": payload["flow"], "chorus_id": found[0].get("identifiantFactureCPP")},
        )
        updates.append(Update(status, dispatch_id))
    done = expired or code in FINAL
    return Followed(updates, None if done else {**payload, "last": code})


# --- Structures: what a public buyer requires on its invoices --------------------------------------------


@dataclass
class Structure:
    siret: str
    chorus_id: int | None
    name: str
    service_code_required: bool = False
    engagement_required: bool = False
    service_or_engagement: bool = False  # one of the two is enough


async def lookup_structure(settings: Settings, siret: str) -> Structure | None:
    """A public buyer's Chorus Pro structure by SIRET, with what its invoices must carry; None if unknown."""
    found = await _call(
        settings,
        "structures/v1/rechercher",
        {"structure": {"identifiantStructure": siret, "typeIdentifiantStructure": "SIRET"}},
    )
    structures = found.get("listeStructures") or []
    if not structures:
        return None
    first = structures[0]
    detail = await _call(
        settings,
        "structures/v1/consulter",
        {"idStructureCPP": first.get("idStructureCPP"), "codeLangue": "fr"},
    )
    params = detail.get("parametres") or {}
    return Structure(
        siret=siret,
        chorus_id=first.get("idStructureCPP"),
        name=str(detail.get("raisonSociale") or first.get("designationStructure") or ""),
        service_code_required=bool(params.get("codeServiceDoitEtreRenseigne")),
        engagement_required=bool(params.get("numeroEJDoitEtreRenseigne")),
        service_or_engagement=bool(params.get("gestionNumeroEJOuCodeService")),
    )


def requirements_of(customer: Any) -> dict[str, bool]:
    """What the last look-up stored on a customer, as `Requirements` fields (for handlers.checks)."""
    stored = ((getattr(customer, "settings", None) or {}).get("chorus")) or {}
    if not stored.get("chorus_id"):
        return {}  # never looked up, or unknown to Chorus Pro: the directory's flags stand
    out = {"is_public_buyer": True}
    if stored.get("service_code_required"):
        out["requires_buyer_reference"] = True  # BT-10 carries the Chorus Pro service code
    if stored.get("engagement_required"):
        out["requires_po"] = True  # BT-13 carries the engagement (EJ) number
    return out


async def refresh_structures(
    database: Database, settings: Settings, *, codes: list[str] | None = None
) -> dict[str, Any]:
    """Look up every public buyer (or the customers named) and store what Chorus Pro says they require in
    `customer.settings["chorus"]`; the checks then hold invoices that lack a required service code or
    engagement number before they are deposited."""
    import asyncio

    from sqlalchemy import select

    from jalon import events
    from jalon.models import Customer

    def targets() -> list[tuple[int, str, str]]:
        with database.session() as session:
            query = select(Customer).where(Customer.siret.is_not(None))
            query = (
                query.where(Customer.code.in_(codes))
                if codes
                else query.where(Customer.public_buyer.is_(True))
            )
            return [(c.id, c.code, c.siret or "") for c in session.scalars(query)]

    report: dict[str, Any] = {"looked_up": 0, "not_found": [], "errors": {}}
    found = await asyncio.to_thread(targets)
    if codes:
        known = {code for _, code, _ in found}
        unknown = [code for code in codes if code not in known]
        if unknown:
            report["errors"].update({code: "no such customer, or it has no SIRET" for code in unknown})
    elif not found:
        report["note"] = (
            "no public buyer with a SIRET in the directory: mark them public_buyer in the customers file, "
            "or name customer codes"
        )
    if found:
        _credentials(settings)  # raises NotConfigured with the variable to set: nothing can be looked up
    for customer_id, code, siret in found:
        try:
            structure = await lookup_structure(settings, siret)
        except (Temporary, Refused) as error:
            report["errors"][code] = str(error)
            continue
        report["looked_up"] += 1
        if structure is None:
            report["not_found"].append(code)

        def store(customer_id: int = customer_id, structure: Structure | None = structure) -> None:
            with database.session() as session:
                customer = session.get(Customer, customer_id)
                assert customer is not None
                found = asdict(structure) if structure else {"siret": customer.siret, "chorus_id": None}
                customer.settings = {
                    **(customer.settings or {}),
                    "chorus": {**found, "checked_at": utcnow().isoformat()},
                }
                if structure is not None:
                    customer.public_buyer = True
                events.record(
                    session,
                    "customer.chorus_checked",
                    customer_id=customer.id,
                    actor="chorus",
                    found=structure is not None,
                    **{k: v for k, v in found.items() if k != "siret"},
                )

        await asyncio.to_thread(store)
    return report
