"""Bank statements close the loop: a camt.053 or CSV file pays the right invoices (by number in the remittance
text, then by amount and customer), keeps partial payments, reports unmatched lines, and a malformed file is
refused whole with its line and reason, nothing half-applied."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from xml.sax.saxutils import escape

import pytest
from scenarios_kit import add_customer, add_sent_invoice, paris, settings_for
from sqlalchemy import func, select

from jalon import payments, scenarios, statements
from jalon.db import Database
from jalon.models import Case, Invoice, Payment, ScenarioStep

NS = {
    "02": "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02",
    "08": "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08",
}


def camt053(entries: list[dict], version: str = "08", statement_id: str = "STMT-2026-03-31") -> bytes:
    """A bank-to-customer statement as banks send it; each entry: amount, text, payer, cd (CRDT/DBIT)."""
    parts = []
    for i, e in enumerate(entries):
        payer = escape(e.get("payer", ""))
        party = (
            f"<Dbtr><Pty><Nm>{payer}</Nm></Pty></Dbtr>"
            if version == "08"
            else f"<Dbtr><Nm>{payer}</Nm></Dbtr>"
        )
        status = "<Sts><Cd>BOOK</Cd></Sts>" if version == "08" else "<Sts>BOOK</Sts>"
        parts.append(
            f"""
      <Ntry>
        <NtryRef>{i + 1}</NtryRef>
        <Amt Ccy="{e.get("ccy", "EUR")}">{e["amount"]}</Amt>
        <CdtDbtInd>{e.get("cd", "CRDT")}</CdtDbtInd>
        {status}
        <BookgDt><Dt>{e.get("date", "2026-03-31")}</Dt></BookgDt>
        <ValDt><Dt>{e.get("date", "2026-03-31")}</Dt></ValDt>
        <AcctSvcrRef>BANK-{i + 1:04d}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>E2E-{i + 1}</EndToEndId></Refs>
          <RltdPties>{party}<DbtrAcct><Id><IBAN>FR7630006000011234567890189</IBAN></Id></DbtrAcct></RltdPties>
          <RmtInf><Ustrd>{escape(e.get("text", ""))}</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>"""
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="{NS[version]}">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>MSG-1</MsgId><CreDtTm>2026-03-31T18:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>{statement_id}</Id>
      <CreDtTm>2026-03-31T18:00:00</CreDtTm>
      <Acct><Id><IBAN>FR7612345000011234567890123</IBAN></Id></Acct>{"".join(parts)}
    </Stmt>
  </BkToCstmrStmt>
</Document>
""".encode()


@pytest.fixture
def ledger(db: Database) -> Database:
    """Open invoices of three customers, on their timelines (reminders scheduled)."""
    settings = settings_for(db.url)
    acme = add_customer(db, "C100", name="Hôpital Saint-Louis")
    bricoles = add_customer(db, "C200", name="Bricoles SARL")
    globex = add_customer(db, "C300", name="Globex Ltd")
    sent = paris(2026, 3, 2, 10)
    due = dt.date(2026, 4, 15)
    add_sent_invoice(db, acme, "F-2026-0042", sent_at=sent, due=due, amount="1200.00")
    add_sent_invoice(db, acme, "F-2026-0043", sent_at=sent, due=due, amount="300.00")
    add_sent_invoice(db, acme, "F-2026-0044", sent_at=sent, due=due, amount="450.50")
    add_sent_invoice(db, bricoles, "B-17", sent_at=sent, due=due, amount="987.65")
    add_sent_invoice(db, bricoles, "B-18", sent_at=sent, due=due, amount="120.00")
    add_sent_invoice(db, globex, "G-2026-0001", sent_at=sent, due=due, amount="5000.00")
    add_sent_invoice(db, globex, "G-2026-0002", sent_at=sent, due=due, amount="700.00")
    add_sent_invoice(db, globex, "G-2026-0003", sent_at=sent, due=due, amount="700.00")
    scenarios.tick(db, settings, paris(2026, 3, 2, 12))
    return db


def state_of(database: Database, number: str) -> tuple[str, Decimal]:
    with database.session() as session:
        invoice = session.scalars(select(Invoice).where(Invoice.number == number)).one()
        return invoice.state, invoice.amount_paid


STATEMENT = [
    {"amount": "1200.00", "text": "VIR FACTURE F-2026-0042 HOPITAL", "payer": "HOPITAL ST LOUIS"},
    {"amount": "750.50", "text": "REGLT FACT F2026 0043 ET F-2026-0044", "payer": "HOPITAL ST LOUIS"},
    {"amount": "987.65", "text": "VIREMENT MARS", "payer": "BRICOLES SARL"},
    {"amount": "2000.00", "text": "ACOMPTE G-2026-0001", "payer": "GLOBEX LTD"},
    {"amount": "700.00", "text": "PAYMENT", "payer": "GLOBEX LTD"},
    {"amount": "55.00", "text": "VIR SEPA DIVERS", "payer": "INCONNU SA"},
    {"amount": "80.00", "text": "PRLV ASSURANCE", "payer": "ASSUREUR", "cd": "DBIT"},
]


@pytest.mark.parametrize("version", ["02", "08"])
def test_a_camt053_statement_pays_the_right_invoices(ledger: Database, version: str) -> None:
    """Matched by invoice number (even written 'F2026 0043'), by amount and customer when the text has no
    number, a down payment kept as partial, ambiguous and unknown lines left for a person, debits ignored."""
    report = payments.import_statement(ledger, camt053(STATEMENT, version), actor="test", filename="mars.xml")
    assert report["format"] == "camt053" and report["lines"] == 6
    assert {(m["invoice"], m["method"]) for m in report["matched"]} == {
        ("F-2026-0042", "invoice_number"),
        ("F-2026-0043", "invoice_number"),
        ("F-2026-0044", "invoice_number"),
        ("B-17", "amount_and_customer"),
    }
    assert [(p["invoice"], p["remaining"]) for p in report["partial"]] == [("G-2026-0001", "3000.00")]
    unmatched = {u["amount"]: u["reason"] for u in report["unmatched"]}
    assert "2 open invoices of Globex Ltd owe 700.00" in unmatched["700.00"]
    assert "no known customer" in unmatched["55.00"]
    assert [i["reason"] for i in report["ignored"]] == ["debit"]
    for number in ("F-2026-0042", "F-2026-0043", "F-2026-0044", "B-17"):
        assert state_of(ledger, number)[0] == "paid"
    assert state_of(ledger, "G-2026-0001") == ("sent", Decimal("2000.00"))
    assert state_of(ledger, "B-18") == ("sent", Decimal("0.00"))
    with ledger.session() as session:
        paid_ids = session.scalars(select(Invoice.id).where(Invoice.state == "paid")).all()
        still = session.scalar(
            select(func.count())
            .select_from(ScenarioStep)
            .where(ScenarioStep.invoice_id.in_(paid_ids), ScenarioStep.state == "scheduled")
        )
        assert still == 0, "paid stops every step"
        kept = session.scalars(select(Payment).where(Payment.invoice_id.is_(None))).all()
        assert sorted(str(p.amount) for p in kept) == ["55.00", "700.00"]
        [case] = session.scalars(select(Case).where(Case.kind == "unmatched")).all()
        assert "2 bank line(s)" in case.title


def test_importing_the_same_statement_twice_records_nothing_twice(ledger: Database) -> None:
    data = camt053(STATEMENT)
    payments.import_statement(ledger, data, actor="test")
    again = payments.import_statement(ledger, data, actor="test")
    assert len(again["duplicates"]) == 6 and again["matched"] == again["partial"] == again["unmatched"] == []
    assert state_of(ledger, "G-2026-0001") == ("sent", Decimal("2000.00"))
    with ledger.session() as session:
        assert session.scalar(select(func.count()).select_from(Payment)) == 7


@pytest.mark.parametrize(
    ("mangle", "reason"),
    [
        (lambda x: x.replace(b'<Amt Ccy="EUR">987.65</Amt>', b'<Amt Ccy="EUR">98O,65</Amt>'), "not a number"),
        (lambda x: x.replace(b'<Amt Ccy="EUR">987.65</Amt>', b"<Amt>987.65</Amt>"), "Ccy"),
        (
            lambda x: x.replace(b"<Dt>2026-03-31</Dt></BookgDt>", b"<Dt>2026-02-30</Dt></BookgDt>", 3),
            "bad date",
        ),
        (
            lambda x: x.replace(b"<CdtDbtInd>CRDT</CdtDbtInd>", b"<CdtDbtInd>CREDIT</CdtDbtInd>", 1),
            "CdtDbtInd",
        ),
        (lambda x: x[: len(x) // 2], "not a readable XML file"),
    ],
)
def test_a_malformed_statement_is_refused_whole_with_line_and_reason(
    ledger: Database, mangle, reason: str
) -> None:
    """One bad entry and nothing of the file is applied: not even the good lines before it."""
    data = mangle(camt053(STATEMENT))
    with pytest.raises(statements.PaymentFileError) as refused:
        payments.import_statement(ledger, data, actor="test")
    assert reason in refused.value.reason
    assert refused.value.line is not None and refused.value.line > 1
    lines = data.decode().splitlines()
    assert refused.value.line <= len(lines) + 1
    assert state_of(ledger, "F-2026-0042") == ("sent", Decimal("0.00"))
    with ledger.session() as session:
        assert session.scalar(select(func.count()).select_from(Payment)) == 0


def test_a_statement_with_a_doctype_is_refused() -> None:
    """Entity tricks never reach the parser's expansion."""
    hostile = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><Document>&x;</Document>'
    )
    with pytest.raises(statements.PaymentFileError, match="DOCTYPE"):
        statements.read_statement(hostile)


def test_a_french_bank_csv_pays_invoices(ledger: Database) -> None:
    """Semicolons, French headers, decimal commas and day-first dates, as a French bank exports them."""
    text = (
        "Date opération;Libellé;Montant;Devise;Donneur d'ordre\n"
        "31/03/2026;VIR FACTURE F-2026-0042;1 200,00;EUR;HOPITAL ST LOUIS\n"
        "31/03/2026;VIR B-18;60,00;EUR;BRICOLES SARL\n"
        "31/03/2026;FRAIS BANCAIRES;-12,50;EUR;\n"
    )
    report = payments.import_statement(ledger, text.encode("utf-8"), actor="test", filename="releve.csv")
    assert report["format"] == "csv"
    assert [m["invoice"] for m in report["matched"]] == ["F-2026-0042"]
    assert [(p["invoice"], p["remaining"]) for p in report["partial"]] == [("B-18", "60.00")]
    assert [i["line"] for i in report["ignored"]] == [4]
    assert state_of(ledger, "F-2026-0042")[0] == "paid"


def test_a_bank_csv_with_separate_debit_and_credit_columns_pays_invoices(ledger: Database) -> None:
    """'Date;Libellé;Débit euros;Crédit euros', one of the two empty on each line: debits are left aside,
    credits pay invoices; the first debit line no longer refuses the whole file."""
    text = (
        "Date;Libellé;Débit euros;Crédit euros\n"
        "31/03/2026;PRLV ASSURANCE;80,00;\n"
        "31/03/2026;VIR FACTURE F-2026-0042 HOPITAL;;1 200,00\n"
    )
    report = payments.import_statement(ledger, text.encode("utf-8"), actor="test", filename="releve.csv")
    assert [m["invoice"] for m in report["matched"]] == ["F-2026-0042"]
    assert [(i["line"], i["reason"]) for i in report["ignored"]] == [(2, "debit")]
    assert state_of(ledger, "F-2026-0042")[0] == "paid"


def test_a_transfer_paying_more_than_owed_settles_the_invoice_and_opens_a_case_for_the_excess(
    ledger: Database,
) -> None:
    """The customer pays 1 250,00 for a 1 200,00 invoice: the invoice is paid, the report says 50.00 too
    much, and a case asks a person to refund it or set it against another invoice."""
    text = (
        "Date;Libellé;Montant;Donneur d'ordre\n31/03/2026;VIR FACTURE F-2026-0042;1 250,00;HOPITAL ST LOUIS\n"
    )
    report = payments.import_statement(ledger, text.encode("utf-8"), actor="test", filename="releve.csv")
    assert [(o["invoice"], o["overpaid"]) for o in report["overpaid"]] == [("F-2026-0042", "50.00")]
    assert state_of(ledger, "F-2026-0042")[0] == "paid"
    with ledger.session() as session:
        cases = [(c.kind, c.facts["overpaid"], c.facts["payer"]) for c in session.scalars(select(Case))]
    assert ("overpaid", "50.00", "HOPITAL ST LOUIS") in cases


def test_a_csv_with_a_bad_line_is_refused_whole(ledger: Database) -> None:
    text = "date,amount,reference\n2026-03-31,1200.00,F-2026-0042\n2026-03-32,300.00,F-2026-0043\n"
    with pytest.raises(statements.PaymentFileError) as refused:
        payments.import_statement(ledger, text.encode(), actor="test")
    assert refused.value.line == 3 and "not a date" in refused.value.reason
    assert state_of(ledger, "F-2026-0042") == ("sent", Decimal("0.00"))


def test_a_csv_without_an_amount_column_is_refused_on_its_header() -> None:
    with pytest.raises(statements.PaymentFileError) as refused:
        statements.read_statement(b"date;libelle\n2026-03-31;F-1\n")
    assert refused.value.line == 1 and "amount" in refused.value.reason


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1234.56", "1234.56"),
        ("1 234,56", "1234.56"),
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("12", "12"),
    ],
)
def test_amounts_read_as_banks_write_them(text: str, value: str) -> None:
    assert statements.parse_amount(text) == Decimal(value)


def test_a_few_cents_short_settles_the_invoice_and_keeps_the_difference(ledger: Database) -> None:
    """The bank took 0.50 of charges: F-2026-0042 is paid (no reminder, no formal notice for 0.50), and the
    difference written off is on the invoice's record; 5 euros short is a partial payment as before."""
    from jalon.handlers import actions

    settings = settings_for(ledger.url)
    assert actions.mark_paid(ledger, settings, "F-2026-0042", actor="ana", amount="1199.50").ok
    assert actions.mark_paid(ledger, settings, "B-18", actor="ana", amount="115.00").ok
    with ledger.session() as session:
        from jalon.models import Event

        written_off = [
            e.data["difference"]
            for e in session.scalars(select(Event).where(Event.type.like("%written_off")))
        ]
    assert state_of(ledger, "F-2026-0042")[0] == "paid" and written_off == ["0.50"]
    assert state_of(ledger, "B-18") == ("sent", Decimal("115.00"))


def test_a_batch_credit_entry_with_one_amount_per_transaction_pays_each_invoice(ledger: Database) -> None:
    """One camt.053 entry, two transfers inside, each with its own <Amt> (as banks report batch credits):
    each pays its invoice; the file is not refused for 'a transaction without amount'."""
    txs = "".join(
        f"<TxDtls><Refs><EndToEndId>E2E-{n}</EndToEndId></Refs><Amt Ccy='EUR'>{amount}</Amt>"
        f"<RmtInf><Ustrd>VIR {number}</Ustrd></RmtInf></TxDtls>"
        for n, (number, amount) in enumerate((("F-2026-0043", "300.00"), ("B-17", "987.65")), 1)
    )
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="{NS["08"]}"><BkToCstmrStmt><GrpHdr><MsgId>M</MsgId><CreDtTm>2026-03-31T18:00:00</CreDtTm>
</GrpHdr><Stmt><Id>S-BATCH</Id><CreDtTm>2026-03-31T18:00:00</CreDtTm>
<Acct><Id><IBAN>FR7612345000011234567890123</IBAN></Id></Acct>
<Ntry><Amt Ccy="EUR">1287.65</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
<BookgDt><Dt>2026-03-31</Dt></BookgDt><AcctSvcrRef>BATCH-1</AcctSvcrRef><NtryDtls>{txs}</NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>"""
    report = payments.import_statement(ledger, xml.encode(), actor="test", filename="batch.xml")
    assert sorted(m["invoice"] for m in report["matched"]) == ["B-17", "F-2026-0043"]
    assert state_of(ledger, "F-2026-0043")[0] == state_of(ledger, "B-17")[0] == "paid"


def test_a_number_written_with_another_prefix_still_pays_its_invoice(ledger: Database) -> None:
    """The payer wrote 'FACT 2026 0044' for F-2026-0044: the digits name one invoice, so it is paid; digits
    two invoices share would name none (matched by amount and customer as before, or left for a person)."""
    text = (
        "Date;Libellé;Montant;Donneur d'ordre\n31/03/2026;REGLEMENT FACT 2026 0044;450,50;HOPITAL ST LOUIS\n"
    )
    report = payments.import_statement(ledger, text.encode("utf-8"), actor="test", filename="releve.csv")
    assert [m["invoice"] for m in report["matched"]] == ["F-2026-0044"]
    assert state_of(ledger, "F-2026-0044")[0] == "paid"
