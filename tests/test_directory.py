"""The customer directory: imported from the billing tool's CSV, re-imported without duplicates, exported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from harness import CUSTOMERS_CSV

from jalon.__main__ import main
from jalon.db import Database


def run_cli(capsys: pytest.CaptureFixture[str], config: Path, *args: str) -> tuple[int, str]:
    code = main(["--config", str(config), *args])
    return code, capsys.readouterr().out


@pytest.fixture
def config(tmp_path: Path, db_url: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "{db_url}"\n', encoding="utf-8")
    return path


def test_import_then_list_as_json(config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The IT person imports the CSV; `jalon customers --json` shows each customer, contacts by role."""
    csv_path = tmp_path / "clients.csv"
    csv_path.write_text(CUSTOMERS_CSV, encoding="utf-8")
    code, out = run_cli(capsys, config, "customers", "import", str(csv_path))
    report = json.loads(out)
    assert code == 0 and report["customers_created"] == 3 and report["contacts_created"] == 5
    code, out = run_cli(capsys, config, "customers", "--json")
    customers = {c["customer_id"]: c for c in json.loads(out)}
    assert customers["C001"]["siren"] == "732829320"
    assert sorted((c["role"], c["email"]) for c in customers["C001"]["contacts"]) == [
        ("buyer", "compta@hopital.test"),
        ("payer", "payeur@hopital.test"),
    ]
    assert customers["C002"]["language"] == "en"


def test_reimport_updates_and_never_duplicates(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    """Imported twice, then with a changed name: one customer per id, one contact per address and role."""
    csv_path = tmp_path / "clients.csv"
    csv_path.write_text(CUSTOMERS_CSV, encoding="utf-8")
    run_cli(capsys, config, "customers", "import", str(csv_path))
    csv_path.write_text(CUSTOMERS_CSV.replace("Globex Ltd", "Globex Limited"), encoding="utf-8")
    code, out = run_cli(capsys, config, "customers", "import", str(csv_path))
    report = json.loads(out)
    assert code == 0
    assert report["customers_created"] == 0 and report["contacts_created"] == 0
    assert report["customers_updated"] == 3
    _, out = run_cli(capsys, config, "customers", "--json")
    customers = json.loads(out)
    assert len(customers) == 3 and sum(len(c["contacts"]) for c in customers) == 5
    assert {c["name"] for c in customers} >= {"Globex Limited"}


def test_bad_rows_are_reported_with_their_line(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A malformed e-mail or an unknown role is reported with its line; the good rows are imported."""
    csv_path = tmp_path / "clients.csv"
    csv_path.write_text(
        CUSTOMERS_CSV + "C009,Bad,,,not-an-email,buyer,fr,pme\nC010,Odd,,,x@odd.test,boss,fr,pme\n",
        encoding="utf-8",
    )
    code, out = run_cli(capsys, config, "customers", "import", str(csv_path))
    report = json.loads(out)
    assert code == 1
    assert [e["line"] for e in report["errors"]] == [7, 8]
    assert "invalid email" in report["errors"][0]["error"] and "unknown role" in report["errors"][1]["error"]


def test_export_round_trips(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    """Exported CSV imported into an empty database gives the same directory."""
    csv_path = tmp_path / "clients.csv"
    csv_path.write_text(CUSTOMERS_CSV, encoding="utf-8")
    run_cli(capsys, config, "customers", "import", str(csv_path))
    exported = tmp_path / "export.csv"
    run_cli(capsys, config, "customers", "export", "-o", str(exported))
    _, before = run_cli(capsys, config, "customers", "--json")
    database = Database(db_url)
    from sqlalchemy import text

    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM contacts"))
        connection.execute(text("DELETE FROM customers"))
    database.dispose()
    run_cli(capsys, config, "customers", "import", str(exported))
    _, after = run_cli(capsys, config, "customers", "--json")

    def strip(rows: str) -> list[dict]:
        return [
            {
                **{k: v for k, v in c.items() if k != "contacts"},
                "contacts": sorted((x["email"], x["role"]) for x in c["contacts"]),
            }
            for c in json.loads(rows)
        ]

    assert strip(after) == strip(before)


def test_per_customer_settings_are_imported_and_exported(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A customer wanting Factur-X EXTENDED and a gentler scenario says so in the CSV; export keeps it."""
    csv_path = tmp_path / "clients.csv"
    csv_path.write_text(
        "customer_id,name,siren,vat,email,role,language,group,facturx_profile,scenario,dunning\n"
        "C1,Alpha,732829320,,a@alpha.test,buyer,fr,pme,EXTENDED,gentle,no\n",
        encoding="utf-8",
    )
    run_cli(capsys, config, "customers", "import", str(csv_path))
    _, out = run_cli(capsys, config, "customers", "--json")
    [customer] = json.loads(out)
    assert customer["settings"] == {"facturx_profile": "EXTENDED", "scenario": "gentle", "dunning": False}
    exported = tmp_path / "export.csv"
    run_cli(capsys, config, "customers", "export", "-o", str(exported))
    header, row = exported.read_text(encoding="utf-8").splitlines()[:2]
    values = dict(zip(header.split(","), row.split(","), strict=True))
    assert (values["facturx_profile"], values["scenario"], values["dunning"]) == ("EXTENDED", "gentle", "no")
