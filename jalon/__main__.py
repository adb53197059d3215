"""Command line: `jalon serve | demo | classify | extract | check | convert | validate | customers |
invoices | invoice | hold | release | cancel | tick | timeline | paid | payments | report | db`.

A thin edge: each command parses its arguments, opens what it needs and calls a use case. Commands that take
several files print one JSON object per line, in order.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.exc import DBAPIError

from jalon import config as config_module

Handler = Callable[[argparse.Namespace], int]


def emit(obj: Any) -> None:
    """One JSON object per line on stdout."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def load_settings(args: argparse.Namespace) -> config_module.Settings:
    try:
        return config_module.load(getattr(args, "config", None))
    except config_module.ConfigError as error:
        raise SystemExit(f"jalon: configuration error: {error}") from None


def warn_if_defaults(settings: config_module.Settings) -> None:
    """An operator who forgot --config must not run a gateway on example settings without a word."""
    if settings.config_path is None:
        print(
            "jalon: no configuration file (--config FILE, $JALON_CONFIG or ./config.toml): using the defaults"
            f" (domain {settings.gateway.domain}, database {settings.database.url.split('@')[-1]});"
            " copy config.toml and pass it with --config",
            file=sys.stderr,
        )


def open_database(args: argparse.Namespace) -> Any:
    from jalon.db import Database

    settings = load_settings(args)
    warn_if_defaults(settings)
    database = Database(settings.database.url)
    database.upgrade()
    return database


# --- commands ----------------------------------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> int:
    from jalon.app import run_forever

    settings = load_settings(args)
    warn_if_defaults(settings)
    return run_forever(settings)


def cmd_demo(args: argparse.Namespace) -> int:
    from jalon.demo import run_demo

    return run_demo(once=args.once, workdir=args.workdir, config_path=getattr(args, "config", None))


def cmd_db(args: argparse.Namespace) -> int:
    database = open_database(args)
    print(f"database at {database.url.split('@')[-1]} is up to date")
    return 0


def cmd_customers(args: argparse.Namespace) -> int:
    from jalon import directory

    database = open_database(args)
    if args.action == "statement":
        return _statement(args, database)
    if args.action == "import":
        report = directory.import_csv(database, args.file)
        emit(report)
        return 0 if not report["errors"] else 1
    if args.action == "export":
        text = directory.export_csv(database)
        if args.output:
            with open(args.output, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
        else:
            sys.stdout.write(text)
        return 0
    customers = directory.list_customers(database)
    if args.json:
        emit(customers)
    else:
        for customer in customers:
            roles = ", ".join(f"{c['role']}={c['email']}" for c in customer["contacts"])
            print(f"{customer['customer_id']:<12} {customer['name']:<32} {roles}")
    return 0


def _statement(args: argparse.Namespace, database: Any) -> int:
    """`jalon customers statement CODE`: the customer's open items and what is late, on today's date."""
    from jalon import accounts
    from jalon.businesstime import BusinessCalendar
    from jalon.db import utcnow

    if not args.file:
        print("jalon customers statement CODE: name the customer (its customer_id)", file=sys.stderr)
        return 2
    today = BusinessCalendar.from_settings(load_settings(args)).today(utcnow())
    with database.session() as session:
        account = accounts.statement(session, args.file, today)
    if account is None:
        print(f"no customer {args.file} in the directory", file=sys.stderr)
        return 1
    if args.json:
        emit(account)
    else:
        print(accounts.render(account))
    return 0


def cmd_invoices(args: argparse.Namespace) -> int:
    from jalon.handlers import views

    database = open_database(args)
    with database.session() as session:
        items = views.list_invoices(session, state=args.state)
    if args.json:
        emit(items)
    else:
        for item in items:
            print(
                f"{item['number']:<20} {item['state']:<10} {item['customer'] or '-':<14} "
                f"{item['total_with_vat'] or '':>12} {item['currency']}"
            )
    return 0


def cmd_invoice(args: argparse.Namespace) -> int:
    from jalon.handlers import views

    database = open_database(args)
    with database.session() as session:
        detail = views.invoice_detail(session, args.number)
    if detail is None:
        print(f"jalon: no invoice {args.number}", file=sys.stderr)
        return 1
    if args.json:
        emit(detail)
    else:
        print(views.render_journey(detail, load_settings(args).gateway.timezone))
    return 0


def cmd_hold(args: argparse.Namespace) -> int:
    from jalon.handlers import views

    database = open_database(args)
    with database.session() as session:
        items = views.list_invoices(session, state="held")
    if args.json:
        emit(items)
    else:
        for item in items:
            print(f"{item['number']:<20} {item['customer'] or '-':<14} {item['hold_reason']}")
    return 0


def run_action(args: argparse.Namespace, action: Callable[..., Any], **options: Any) -> int:
    """A use case of handlers/actions on the invoice named on the command line, by its actor: the result is
    printed as JSON, and the exit status is 1 when the action was refused."""
    database = open_database(args)
    settings = load_settings(args)
    result = action(database, settings, args.number, actor=args.actor, **options)
    emit(result.as_dict())
    return 0 if result.ok else 1


def cmd_release(args: argparse.Namespace) -> int:
    from jalon.handlers import actions

    return run_action(args, actions.release, force=args.force, reason=args.reason, customer=args.customer)


def cmd_cancel(args: argparse.Namespace) -> int:
    from jalon.handlers import actions

    return run_action(args, actions.cancel, reason=args.reason)


def cmd_process(args: argparse.Namespace) -> int:
    """Process pending inbound messages and send the outbox once (ops, tests)."""
    import asyncio

    from jalon.app import process_once

    settings = load_settings(args)
    stats = asyncio.run(process_once(settings))
    emit(stats)
    return 0


# --- reading and checking invoices (issue 3) -----------------------------------------------------------


def _read_file(path: str) -> Any:
    from jalon.formats.extract import ReadResult, read_invoice

    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        return ReadResult(None, "none", f"cannot open {path}: {error.strerror}")
    from jalon.formats import syntax
    from jalon.formats.convert import ConversionError, read_any

    kind = syntax.sniff_safely(data)
    if kind in ("edifact", "cxml", "gs1") or (kind == "unknown" and data.lstrip()[:1] == b"<"):
        # the formats jalon writes read back too; an XML no reader takes is said to be one, not "not a PDF"
        try:
            return ReadResult(read_any(data), kind)
        except ConversionError as error:
            return ReadResult(None, "none", str(error))
    return read_invoice(data)


def cmd_classify(args: argparse.Namespace) -> int:
    """Classify each message file (bounce, delivery report, read receipt, auto-reply, reply…), in order."""
    from jalon.handlers.classify import classify

    status = 0
    for path in args.files:
        try:
            with open(path, "rb") as handle:
                raw = handle.read()
        except OSError as error:
            emit({"file": path, "kind": "other", "reason": f"cannot open: {error.strerror}"})
            status = 1
            continue
        result = classify(raw, mail_from=args.mail_from or "", rcpt_tos=args.rcpt or (), domain=args.domain)
        if args.json:
            emit({"file": path, **result.to_json()})
        else:
            print(f"{path}: {_classification_line(result)}")
    return status


FATES = {
    "hard": "hard (address dead)",
    "refused": "refused (their system blocks our mail)",
    "soft": "soft (may pass)",
}


def _classification_line(result: Any) -> str:
    """What a person needs from a classified message, on one line: for a reply its intent and the facts it
    gives (invoices, promised date, new contact, what is missing); for a report each recipient's fate."""
    from jalon.handlers.bounce_reasons import fate

    parts = [result.kind]
    if result.kind == "reply":
        parts.append(result.intent or "?")
        parts += [f"also {', '.join(result.secondary_intents)}"] if result.secondary_intents else []
        parts += [f"invoices {', '.join(result.invoice_numbers)}"] if result.invoice_numbers else []
        own = result.intents_by_invoice
        parts += [f"of {', '.join(f'{n}: {i}' for n, i in own.items())}"] if own else []
        parts += [f"pays on {result.promised_date}"] if result.promised_date else []
        parts += [f"missing {', '.join(result.missing)}"] if result.missing else []
    for recipient in result.recipients:
        line = f"{recipient.get('address')} {recipient.get('action')} {recipient.get('status') or ''}".strip()
        if recipient.get("action") == "failed":
            said = fate(recipient.get("hard"), bool(recipient.get("permanent")), recipient.get("reason"))
            line += f" {FATES[said]}, {recipient.get('reason') or 'no reason given'}"
        parts.append(line)
    if result.left_company:
        parts.append("left the company")
    if result.new_contact:
        parts.append(f"write to {result.new_contact}")
    if result.kind == "other" and result.reason:
        parts.append(result.reason)
    return " ".join(parts)


def cmd_extract(args: argparse.Namespace) -> int:
    """Read each file (PDF or CII/UBL XML) and print the invoice it holds, one JSON object per line."""
    from jalon.formats.extract import result_json

    status = 0
    for path in args.files:
        result = _read_file(path)
        status |= 0 if result.ok else 1
        data = {"file": path, **result_json(result)}
        if args.json:
            emit(data)
        else:
            number, total = data.get("invoice_number") or "-", data.get("total_with_vat") or ""
            currency, error = data.get("currency") or "", data.get("error") or ""
            print(f"{path}: {data.get('source')} {number} {total} {currency} {error}")
    return status


def cmd_check(args: argparse.Namespace) -> int:
    """Read and check each file; print {"ok", "action", "findings"} per file, one JSON object per line."""
    from jalon.formats import rules

    requirements = rules.Requirements()
    if args.customer:
        from sqlalchemy import select

        from jalon.models import Customer

        database = open_database(args)
        with database.session() as session:
            customer = session.scalars(select(Customer).where(Customer.code == args.customer)).first()
            if customer is None:
                print(f"jalon: no customer {args.customer}", file=sys.stderr)
                return 2
            requirements = rules.Requirements.from_customer(customer)
    status = 0
    for path in args.files:
        if not os.path.isfile(path):
            status = 2  # the others are still checked; the missing one is still reported (as held)
        result = _read_file(path)
        findings = rules.check_result(result, requirements)
        action = rules.decision(findings)
        data = {"file": path, "ok": action == "send", "action": action, "source": result.source}
        data["findings"] = [f.as_dict() for f in findings]
        if args.json:
            emit(data)
        else:
            print(f"{path}: {action}")
            for f in findings:
                print(f"  {f.severity:<7} {f.code:<22} {f.message}")
    return status


def _configure_validation(args: argparse.Namespace) -> None:
    from jalon.formats import validation

    settings = load_settings(args)
    validation.configure(settings.validation.rules_dir, settings.validation.xsd_dir)


def cmd_convert(args: argparse.Namespace) -> int:
    """Convert one invoice file to a target format; the output is validated before it is written."""
    from pathlib import Path

    from jalon.formats import convert

    _configure_validation(args)
    source = Path(args.file)
    try:
        done = convert.convert(source.read_bytes(), args.to, profile=args.profile, french=args.french)
    except (OSError, convert.ConversionError) as error:
        print(f"jalon: {source}: {error}", file=sys.stderr)
        return 2
    report = done.report.as_dict()
    if not done.report.valid and not args.force:
        print(f"jalon: {source}: the {args.to} output fails its rules, not written", file=sys.stderr)
        emit({"file": str(source), "output": None, **report})
        return 1
    # By default beside the input, named after the target: the XML formats do not overwrite each other.
    named = source.with_name(f"{source.stem}.{args.to}{convert.SUFFIXES[args.to]}")
    target = Path(args.output) if args.output else named
    if target.is_dir():
        target = target / named.name
    if target.resolve() == source.resolve():
        target = named
    try:
        target.write_bytes(done.output)
    except OSError as error:
        print(f"jalon: cannot write {target}: {error.strerror or error}", file=sys.stderr)
        return 2
    emit({"file": str(source), "output": str(target), **report})
    return 0 if done.report.valid else 1


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate each file; one JSON object per line: valid, format, profile, errors, warnings."""
    from pathlib import Path

    from jalon.formats import validation

    _configure_validation(args)
    status = 0
    for name in args.files:
        try:
            data = Path(name).read_bytes()
        except OSError as error:
            failure = validation.Finding("READ", str(error))
            report = validation.ValidationReport(False, "none", None, [failure])
        else:
            report = validation.validate(data, official=args.official, profile=args.profile)
        status = status if report.valid else 1
        if args.json:
            emit({"file": name, **report.as_dict()})
        else:
            verdict = "valid" if report.valid else "INVALID"
            print(f"{name}: {verdict} ({report.format} {report.profile or ''})")
            for finding in report.errors:
                print(f"  error   {finding.rule:<24} {finding.message[:160]}")
    return status


def cmd_chorus_structures(args: argparse.Namespace) -> int:
    """Ask Chorus Pro what each public buyer requires (service code, engagement number); store it."""
    import asyncio

    from jalon.channels import chorus
    from jalon.channels.oauth import NotConfigured

    settings = load_settings(args)
    try:
        report = asyncio.run(
            chorus.refresh_structures(open_database(args), settings, codes=args.codes or None)
        )
    except NotConfigured as error:
        print(f"jalon: chorus-structures: {error}", file=sys.stderr)
        return 2
    emit(report)
    return 1 if report["errors"] else 0


# --- milestones, scenarios and payments (issue 5) ----------------------------------------------------------


def cmd_tick(args: argparse.Namespace) -> int:
    """Run one scheduler tick now (or at --now, an ISO instant): enrol, run due steps, close unstuck cases."""
    from jalon import scenarios

    settings = load_settings(args)
    database = open_database(args)
    emit(scenarios.tick(database, settings, _instant(args.now)).as_dict())
    return 0


def _instant(text: str | None) -> Any:
    """An ISO 8601 instant from the command line (naive means UTC), or None for now."""
    import datetime as dt

    if not text:
        return None
    instant = dt.datetime.fromisoformat(text)
    return instant if instant.tzinfo else instant.replace(tzinfo=dt.UTC)


def cmd_timeline(args: argparse.Namespace) -> int:
    """One invoice's milestones (state, deadline, evidence) and scenario steps."""
    from jalon.handlers.actions import find_invoice
    from jalon.timeline import timeline

    settings = load_settings(args)
    database = open_database(args)
    with database.session() as session:
        invoice = find_invoice(session, args.number)
        if invoice is None:
            print(f"jalon: no invoice {args.number}", file=sys.stderr)
            return 1
        data = timeline(session, settings, invoice, _instant(args.now))
    if args.json:
        emit(data)
        return 0
    paused = f", paused: {data['pause_reason']}" if data["paused_until"] else ""
    print(f"{data['number']} ({data['state']}){paused}")
    for item in data["milestones"]:
        proof = item["evidence"]["type"] if item["evidence"] else ""
        print(f"  {item['name']:<14} {item['state']:<9} due {item['due_at'] or '-':<26} {proof}")
    for step in data["steps"]:
        print(f"  - {step['name']:<14} {step['action']:<14} {step['due_at']:<26} {step['state']}")
    return 0


def cmd_paid(args: argparse.Namespace) -> int:
    """Record a payment: the whole outstanding amount unless --amount says less."""
    from jalon.handlers import actions

    return run_action(
        args, actions.mark_paid, amount=args.amount, paid_on=args.date, reference=args.reference
    )


def cmd_payments(args: argparse.Namespace) -> int:
    """Import a bank file (camt.053 XML or CSV): matched, partial and unmatched lines are reported."""
    from jalon import payments
    from jalon.statements import PaymentFileError

    database = open_database(args)
    try:
        report = payments.import_file(database, args.file, actor=args.actor)
    except PaymentFileError as error:
        emit({"file": args.file, "ok": False, "line": error.line, "error": error.reason})
        return 1
    except OSError as error:
        emit({"file": args.file, "ok": False, "line": None, "error": error.strerror})
        return 1
    emit({"ok": True, **report})
    return 0


def cmd_cases(args: argparse.Namespace) -> int:
    """Open cases as cards (`jalon cases`), or press a card's button (`jalon cases act ID ACTION`)."""
    from jalon.bot import api, terminal

    database = open_database(args)
    if args.action == "act":
        if args.case is None or not args.button:
            print("jalon cases act: give the case id and the action, e.g. `jalon cases act 12 release`")
            return 2
        given = {k: getattr(args, k) for k in ("email", "reason", "days") if getattr(args, k)}
        outcome = api.act(database, load_settings(args), args.case, args.button, args.actor, given, via="cli")
        emit({"ok": outcome.ok, "case": args.case, "action": args.button, "message": outcome.message})
        return 0 if outcome.ok else 1
    zone = load_settings(args).gateway.timezone
    for card in api.list_cards(database, include_closed=args.all, zone=zone):
        if args.json:
            emit(api.card_dict(card))
        else:
            print(terminal.render(card, color=sys.stdout.isatty()))
    return 0


COMMANDS: dict[str, Handler] = {}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jalon", description="Invoice mail gateway.")
    parser.add_argument("--config", help="config.toml to use (default: $JALON_CONFIG, then ./config.toml)")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, handler: Handler, help_: str) -> argparse.ArgumentParser:
        COMMANDS[name] = handler
        command = sub.add_parser(name, help=help_)
        command.add_argument("--config", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        return command

    add("serve", cmd_serve, "run the gateway: SMTP, IMAP, worker, outbox, web, scheduler")

    demo = add("demo", cmd_demo, "play a billing tool sending invoices, and show their journeys")
    demo.add_argument("--once", action="store_true", help="play the scenario and exit")
    demo.add_argument("--workdir", help="where the demo keeps its database (default: ./demo)")

    database = add("db", cmd_db, "database maintenance")
    database.add_argument("action", choices=["upgrade"])

    customers = add("customers", cmd_customers, "customer directory: import, export, list")
    customers.add_argument(
        "action", nargs="?", choices=["import", "export", "list", "statement"], default="list"
    )
    customers.add_argument("file", nargs="?", help="CSV to import; for statement, the customer's customer_id")
    customers.add_argument("-o", "--output", help="file to export to (default: stdout)")
    customers.add_argument("--json", action="store_true")

    invoices = add("invoices", cmd_invoices, "list invoices with their state")
    invoices.add_argument("--state")
    invoices.add_argument("--json", action="store_true")

    invoice = add("invoice", cmd_invoice, "one invoice: its dispatches and events")
    invoice.add_argument("action", choices=["show"])
    invoice.add_argument("number")
    invoice.add_argument("--json", action="store_true")

    hold = add("hold", cmd_hold, "held invoices")
    hold.add_argument("action", choices=["list"], nargs="?", default="list")
    hold.add_argument("--json", action="store_true")

    release = add("release", cmd_release, "release a held invoice")
    release.add_argument("number")
    release.add_argument("--force", action="store_true", help="release even with blocking findings")
    release.add_argument("--reason")
    release.add_argument("--actor", default="cli")
    release.add_argument("--customer", help="assign this customer (its customer_id) when none matched")

    cancel = add("cancel", cmd_cancel, "cancel an invoice: nothing more is sent")
    cancel.add_argument("number")
    cancel.add_argument("--reason")
    cancel.add_argument("--actor", default="cli")

    add("process", cmd_process, "process pending messages and the outbox once, then exit")

    classify = add("classify", cmd_classify, "classify mail: bounce, delay, receipt, auto-reply, reply…")
    classify.add_argument("files", nargs="+", help=".eml files (one message each)")
    classify.add_argument("--json", action="store_true")
    classify.add_argument("--mail-from", help="envelope sender, when known")
    classify.add_argument("--rcpt", action="append", help="envelope recipient (repeatable): bounces+TOKEN@…")
    classify.add_argument("--domain", help="jalon's mail domain, to recognise its VERP addresses")

    extract = add("extract", cmd_extract, "read invoices (PDF, Factur-X, CII/UBL XML), print what they say")
    extract.add_argument("files", nargs="+")
    extract.add_argument("--json", action="store_true")
    check = add("check", cmd_check, "read and check invoices: legal mentions, EN 16931, customer rules")
    check.add_argument("files", nargs="+")
    check.add_argument("--customer", help="customer code in the directory: apply what this customer requires")
    check.add_argument("--json", action="store_true")

    convert = add("convert", cmd_convert, "convert an invoice (PDF or XML) to the format a recipient expects")
    convert.add_argument("file")
    targets = ["facturx", "cii", "ubl", "peppol", "edifact", "cxml", "gs1"]
    convert.add_argument("--to", required=True, choices=targets)
    convert.add_argument("-o", "--output", help="where to write (default: FILE with the target's suffix)")
    convert.add_argument("--profile", help="EN16931 (default), BASIC-WL, BASIC, EXTENDED, EXTENDED-CTC-FR")
    convert.add_argument("--french", action="store_true", help="add the French reform's codes (BR-FR rules)")
    convert.add_argument("--force", action="store_true", help="write the output even if it fails its rules")
    validate = add("validate", cmd_validate, "validate invoice files: XSD; --official adds the Schematron")
    validate.add_argument("files", nargs="+")
    validate.add_argument("--official", action="store_true", help="run the official Schematron rule sets")
    validate.add_argument("--profile", help="force a profile, e.g. EN16931+BR-FR, PEPPOL, EXTENDED-CTC-FR")
    validate.add_argument("--json", action="store_true")

    structures = add("chorus-structures", cmd_chorus_structures, "public buyers' needs, from Chorus Pro")
    structures.add_argument("codes", nargs="*", help="customer codes (default: public buyers with a SIRET)")

    tick = add("tick", cmd_tick, "run one scheduler tick: reminders, dunning, milestones (ops, tests)")
    tick.add_argument("--now", help="the instant to run at, ISO 8601 (default: now; naive means UTC)")
    timeline = add("timeline", cmd_timeline, "an invoice's milestones and scenario steps")
    timeline.add_argument("number")
    timeline.add_argument("--json", action="store_true")
    timeline.add_argument("--now", help="show the timeline as it stands at this ISO 8601 instant")
    paid = add("paid", cmd_paid, "record a payment for an invoice (whole amount unless --amount)")
    paid.add_argument("number")
    paid.add_argument("--amount", help="amount received (default: what is still owed)")
    paid.add_argument("--date", help="payment date, YYYY-MM-DD (default: today)")
    paid.add_argument("--reference", help="bank reference or remittance text")
    paid.add_argument("--actor", default="cli")
    payments = add("payments", cmd_payments, "import payments from a bank file: camt.053 XML or CSV")
    payments.add_argument("action", choices=["import"])
    payments.add_argument("file")
    payments.add_argument("--actor", default="cli")
    case_cmd = add("cases", cmd_cases, "open cases as cards; `cases act ID ACTION` presses a button")
    case_cmd.add_argument("action", nargs="?", choices=["list", "act"], default="list")
    case_cmd.add_argument("case", nargs="?", type=int, help="case id (act)")
    case_cmd.add_argument("button", nargs="?", help="release, resend_to, snooze… (act)")
    case_cmd.add_argument("--email", help="the other address (resend_to, approve_contact_change)")
    case_cmd.add_argument("--reason", help="why (release_anyway, cancel, mark_disputed…)")
    case_cmd.add_argument("--days", help="how long (snooze)")
    case_cmd.add_argument("--all", action="store_true", help="closed cases too")
    case_cmd.add_argument("--json", action="store_true")
    case_cmd.add_argument("--actor", default="cli")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except config_module.ConfigError as error:
        print(f"jalon: configuration error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `jalon cases | head`: the reader left, nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise
        print(
            f"jalon: cannot listen: {error.strerror or error}; another program uses that port:"
            " change [smtp] port or [web] port in the configuration, or stop the other program",
            file=sys.stderr,
        )
        return 2
    except DBAPIError as error:  # the database server is down, the database is missing, access refused
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        print(f"jalon: cannot use the database ([database] url): {reason}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
