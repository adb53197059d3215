"""cXML (or another XML) by HTTPS POST to a supplier portal (Coupa, Ariba…): the contact's `endpoint`.

The cXML Sender SharedSecret is added to the document at send time from the environment (`[https]
shared_secret_env`), so the stored output never holds it. The portal answers with a cXML Response whose
`Status code` follows HTTP: 2xx taken, 4xx refused (a person must look), 5xx try again later.
"""

from __future__ import annotations

import aiohttp
from lxml import etree

from jalon.channels import Accepted, Delivery
from jalon.channels.oauth import NotConfigured, Refused, Temporary
from jalon.config import Settings


def _own_parser() -> etree.XMLParser:
    # Our own output, with the cXML DOCTYPE portals expect: the DTD is never loaded nor any entity resolved.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def with_credentials(data: bytes, *, shared_secret: str | None, identity: str | None) -> bytes:
    """The cXML with the Sender's Identity and SharedSecret set (portals authenticate the sender so)."""
    if not shared_secret and not identity:
        return data
    tree = etree.ElementTree(etree.fromstring(data, _own_parser()))
    credential = tree.getroot().find("Header/Sender/Credential")
    if credential is None:
        raise Refused("not a cXML document with a Header/Sender/Credential")
    if identity:
        node = credential.find("Identity")
        if node is None:
            node = etree.SubElement(credential, "Identity")
        node.text = identity
    if shared_secret:
        for old in credential.findall("SharedSecret"):
            credential.remove(old)
        etree.SubElement(credential, "SharedSecret").text = shared_secret
    docinfo = tree.docinfo
    doctype = docinfo.doctype or None
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", doctype=doctype)


def _response_status(body: bytes) -> tuple[int | None, str]:
    """The cXML Response Status (code, text), if the body is one."""
    try:
        root = etree.fromstring(body, _own_parser())
    except etree.XMLSyntaxError:
        return None, ""
    status = root.find("Response/Status")
    if status is None:
        return None, ""
    try:
        code = int(status.get("code") or "")
    except ValueError:
        code = None
    return code, " ".join(filter(None, [status.get("text"), (status.text or "").strip()]))


async def deliver(settings: Settings, delivery: Delivery) -> Accepted:
    if not delivery.endpoint or not delivery.endpoint.lower().startswith(("https://", "http://")):
        raise NotConfigured(f"the contact {delivery.recipient} has no https:// endpoint for its portal")
    cfg = settings.https
    data = delivery.data
    if delivery.fmt == "cxml":
        secret = settings.secret(cfg.shared_secret_env) if cfg.shared_secret_env else None
        data = with_credentials(data, shared_secret=secret, identity=cfg.sender_identity)
    headers = {"Content-Type": "text/xml; charset=UTF-8" if delivery.fmt == "cxml" else "application/xml"}
    try:
        timeout = aiohttp.ClientTimeout(total=cfg.timeout.total_seconds())
        async with (
            aiohttp.ClientSession(timeout=timeout) as http,
            http.post(delivery.endpoint, data=data, headers=headers) as response,
        ):
            body = await response.read()
            http_status = response.status
    except (aiohttp.ClientError, TimeoutError) as error:
        raise Temporary(f"portal {delivery.endpoint} unreachable: {error}") from None
    code, text = _response_status(body)
    effective = code if code is not None else http_status
    words = text or body[:300].decode("utf-8", "replace")
    if effective >= 500 or effective in (408, 429) or http_status >= 500:
        raise Temporary(f"portal answered {effective}: {words}")
    if effective >= 300 or http_status >= 300:
        raise Refused(f"portal refused the invoice ({effective}): {words}")
    payload = (
        etree.fromstring(delivery.data, _own_parser()).get("payloadID") if delivery.fmt == "cxml" else None
    )
    return Accepted(
        payload or delivery.token, {"endpoint": delivery.endpoint, "response": f"{effective} {text}".strip()}
    )
