"""Build the demo's invoice PDFs (jalon/data/demo/) with the test generator's layouts, for the demo customers.

Run once when the demo scenario changes; the PDFs are committed so that `jalon demo` needs no PDF library.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import gen_invoices as gen  # noqa: E402

OUT = ROOT / "jalon" / "data" / "demo"

ACME = gen.Company(
    name="ACME Industries SAS",
    street="8 rue de l'Usine",
    postcode="69007",
    city="Lyon",
    country="FR",
    siren="443061841",
    siret="44306184100047",
    vat="FR64443061841",
    capital="250 000",
    email="factures@acme-industries.example",
)
CUSTOMERS = {
    "C001": gen.Company(
        name="Hôpital Saint-Louis",
        street="1 avenue Claude Vellefaux",
        postcode="75010",
        city="Paris",
        country="FR",
        siren="267500452",
        siret="26750045200011",
        public=True,
        service_code="SERV-ACHATS",
    ),
    "C002": gen.Company(
        name="Bricoles SARL",
        street="14 rue des Artisans",
        postcode="44000",
        city="Nantes",
        country="FR",
        siren="552100554",
        siret="55210055400013",
        vat="FR96552100554",
    ),
    "C003": gen.Company(
        name="Globex Ltd",
        street="14 King Street",
        postcode="EC2V 8EA",
        city="London",
        country="GB",
        country_name="United Kingdom",
        vat="GB980780684",
    ),
    "C004": gen.Company(
        name="Distrib'Ouest SA",
        street="3 quai de la Fosse",
        postcode="44100",
        city="Nantes",
        country="FR",
        siren="732829320",
        siret="73282932000074",
        vat="FR44732829320",
    ),
    "C005": gen.Company(
        name="Atelier Martin",
        street="27 boulevard Voltaire",
        postcode="33000",
        city="Bordeaux",
        country="FR",
        siren="409862455",
        siret="40986245500014",
        vat="FR51409862455",
    ),
    "C006": gen.Company(
        name="Nordique Transports SAS",
        street="58 quai de la Loire",
        postcode="59000",
        city="Lille",
        country="FR",
        siren="384560009",
        siret="38456000900027",
        vat="FR63384560009",
    ),
}
# (file stem, customer, style, number, po, service code, credit note, items)
PLAN = [
    ("01-hopital", "C001", "chorus_form", "FA2026-1101", "EJ-2026-5521", "SERV-ACHATS", False),
    ("02-bricoles", "C002", "classic_fr", "FA2026-1102", None, None, False),
    ("03-globex", "C003", "modern_en", "FA2026-1103", "PO-88121", None, False),
    ("04-distribouest", "C004", "grid_fr", "FA2026-1104", "BC-774512", None, False),
    ("05-distribouest-sans-bc", "C004", "grid_fr", "FA2026-1105", None, None, False),
    ("06-atelier-martin", "C005", "prose_fr", "FA2026-1106", None, None, False),
    ("07-nordique", "C006", "totals_row_fr", "FA2026-1107", "CMD-2026-311", None, False),
    ("08-bricoles-avoir", "C002", "classic_fr", "AV2026-0031", None, None, True),
    ("09-nordique", "C006", "footer_seller", "FA2026-1109", None, None, False),
    ("10-globex", "C003", "modern_en", "FA2026-1110", "PO-88164", None, False),
    ("11-hopital", "C001", "chorus_form", "FA2026-1111", "EJ-2026-5530", "SERV-ACHATS", False),
    ("12-bricoles", "C002", "sidebar", "FA2026-1112", None, None, False),
]
ITEMS = {
    "fr": [
        ("Maintenance préventive trimestrielle", "1", "1450.00", "20"),
        ("Pièces détachées – kit filtration", "4", "86.50", "20"),
        ("Déplacement technicien", "2", "65.00", "20"),
    ],
    "en": [
        ("Quarterly preventive maintenance", "1", "1450.00", "0"),
        ("Spare parts – filter kit", "4", "86.50", "0"),
    ],
}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    manifest = []
    issue = dt.date(2026, 11, 20)
    for index, (stem, code, style, number, po, service, credit) in enumerate(PLAN, start=1):
        buyer = CUSTOMERS[code]
        english = style in {"modern_en", "window_en"}
        items = [
            gen.Item(n, Decimal(q) * (1 + index % 4), Decimal(p) + index, Decimal(r))
            for n, q, p, r in ITEMS["en" if english else "fr"]
        ]
        if credit:
            items = items[1:2]
        doc = gen.Doc(
            style=style,
            key=stem,
            number=number,
            issue=issue,
            due=issue + dt.timedelta(days=30),
            seller=ACME,
            buyer=buyer,
            items=items,
            lang="en" if english else "fr",
            credit_note=credit,
            preceding="FA2026-1002" if credit else None,
            po=po,
            buyer_ref=service,
            exemption="export" if english else None,
        )
        # what a billing tool prints since the 2026 reform: the category of the operation as well
        doc.show = {"buyer_siren": True, "operation_category": True}
        pdf = gen.STYLES[style](doc)
        (OUT / f"{stem}.pdf").write_bytes(pdf)
        manifest.append({"file": f"{stem}.pdf", "customer": code, "number": number})
    (OUT / "invoices.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(manifest)} invoices to {OUT}")


if __name__ == "__main__":
    main()
