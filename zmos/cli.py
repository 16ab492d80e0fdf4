"""``zmos`` — one entry point with subcommands (server, kiosk, demo, migrations and the rest)."""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date

# Packages of this repository: a missing one is a bug, not a missing extra.
FIRST_PARTY = frozenset({"zmos", "server", "desktop", "shared"})


class MissingExtra(Exception):
    """The packages of a subcommand's side (``zmos[server]``, ``zmos[kiosk]``) are not
    installed: the server and the kiosk install separately."""


@contextmanager
def needs_extra(extra: str, command: str) -> Iterator[None]:
    """Turns a third-party ``ModuleNotFoundError`` into the install command that fixes it."""
    try:
        yield
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").partition(".")[0]
        if not missing or missing in FIRST_PARTY:
            raise
        raise MissingExtra(
            f"'zmos {command}' needs zmos[{extra}] ({missing} is not installed): "
            f"pip install 'zmos[{extra}]'"
        ) from None


def _server(args: argparse.Namespace) -> int:
    from server.config import Settings
    from server.db.migrate import upgrade
    from zmos.serving import serve

    settings = Settings()
    # Every worker process must sign tokens with the same key.
    os.environ["ZMOS_SECRET_KEY"] = settings.resolved_secret_key
    if settings.auto_migrate and not args.no_migrate:
        upgrade(settings.resolved_database_url, secret_key=settings.resolved_secret_key)
    serve(
        "server.main:app_from_env",
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        access_log=args.access_log,
    )
    return 0


def _db_upgrade(args: argparse.Namespace) -> int:
    from server.config import Settings
    from server.db.migrate import upgrade

    settings = Settings()
    upgrade(settings.resolved_database_url, args.revision, secret_key=settings.resolved_secret_key)
    print(f"database is at revision {args.revision}: {_redact(settings.resolved_database_url)}")
    return 0


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _kiosk(args: argparse.Namespace) -> int:
    # The kiosk imports these late (the window shows sooner); without them it would fail
    # halfway, e.g. after enrolling.
    _require(*KIOSK_MODULES)
    from desktop.app import main as kiosk_main

    argv: list[str] = []
    if args.data_dir:
        argv += ["--data-dir", args.data_dir]
    if args.server:
        argv += ["--server", args.server]
    if args.enrol:
        argv += ["--enrol", args.enrol]
    if args.windowed:
        argv.append("--windowed")
    return kiosk_main(argv)


#: What the kiosk imports late (besides what the server shares with it, such as httpx).
KIOSK_MODULES = ("PySide6", "cv2", "pyzbar", "keyring", "httpx", "argon2")


def _require(*modules: str) -> None:
    for name in modules:
        if importlib.util.find_spec(name) is None:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)


def _demo(args: argparse.Namespace) -> int:
    # The demo starts a server before its kiosk: name a missing kiosk package first.
    _require(*KIOSK_MODULES)
    from zmos.demo import run_demo

    return run_demo(
        port=args.port, data_dir=args.data_dir, headless=args.no_window, kiosk_mode=args.kiosk_mode
    )


def _engagement_rebuild(args: argparse.Namespace) -> int:
    from server.bootstrap import build_container
    from server.config import Settings
    from server.engagement.projection import rebuild_tenants

    container = build_container(Settings())
    try:
        done = rebuild_tenants(
            container.uow,
            projector=container.projector(),
            slug=args.tenant,
        )
    finally:
        container.dispose()
    for slug, rows in done.items():
        print(f"{slug}: engagement rebuilt from {rows} ledger rows")
    return 0


def _journeys_rollup(args: argparse.Namespace) -> int:
    from server.bootstrap import build_container
    from server.config import Settings
    from server.journeys.adherence import rollup_all

    container = build_container(Settings())
    try:
        published = rollup_all(container.uow)
    finally:
        container.dispose()
    print(f"journeys rolled up: {published} events recorded for delivery")
    return 0


def _corporate_invoice(args: argparse.Namespace) -> int:
    from server.bootstrap import build_container
    from server.config import Settings
    from server.corporate_billing.jobs import issue_all_tenants

    container = build_container(Settings())
    try:
        done = issue_all_tenants(container.uow, month=args.month, slug=args.tenant)
    finally:
        container.dispose()
    for slug, issued in done.items():
        for invoice in issued.items:
            print(f"{slug}: {invoice.number} {invoice.month} {invoice.total} {invoice.currency}")
    return 0


def _audit_purge(args: argparse.Namespace) -> int:
    from server.audit.rules import MIN_RETENTION_DAYS
    from server.audit.service import purge
    from server.bootstrap import build_container
    from server.config import Settings

    settings = Settings()
    days = args.days if args.days is not None else settings.audit_retention_days
    if days < MIN_RETENTION_DAYS:
        print(f"--days: the audit log keeps entries at least {MIN_RETENTION_DAYS} days")
        return 2
    container = build_container(settings)
    try:
        done = purge(uow=container.uow(), retention_days=days)
    finally:
        container.dispose()
    print(f"audit log: {done.deleted} entries older than {done.cutoff.isoformat()} purged")
    return 0


def _archive_export(args: argparse.Namespace) -> int:
    from server.archive import service as archive
    from server.bootstrap import build_container
    from server.config import Settings

    container = build_container(Settings())
    partial = f"{args.out}.partial"
    try:
        tenant = archive.export_slug(container.uow(), args.tenant)
        # Written beside the target and renamed once whole: a broken run leaves no
        # archive that looks complete.
        with open(partial, "wb") as out:
            for chunk in archive.export_tenant(container.uow(), container.sealer, tenant.id):
                out.write(chunk)
        os.replace(partial, args.out)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
        container.dispose()
    print(f"{args.tenant}: archive written to {args.out}")
    return 0


def _archive_import(args: argparse.Namespace) -> int:
    from server.archive import service as archive
    from server.bootstrap import build_container
    from server.config import Settings
    from server.errors import DomainError

    container = build_container(Settings())
    try:
        with open(args.file, "rb") as file:
            done = archive.import_archive(
                container.uow(), container.sealer, file, slug=args.into, name=args.name
            )
    except DomainError as exc:
        print(f"zmos archive import: {exc.detail}", file=sys.stderr)
        return 1
    finally:
        container.dispose()
    total = sum(done.rows.values())
    made = "made and filled" if done.created else "filled"
    print(f"{done.slug}: {made} with {total} rows from {len(done.rows)} tables")
    return 0


def _payments_reconcile(args: argparse.Namespace) -> int:
    from server.bootstrap import build_container
    from server.config import Settings
    from server.errors import DomainError
    from server.payments.reconcile import reconcile_tenant
    from shared.enums import PaymentProvider

    container = build_container(Settings())
    try:
        report = reconcile_tenant(
            uow=container.uow(),
            accounts=container.payment_accounts,
            gateways=container.payment_gateways,
            slug=args.tenant,
            provider=PaymentProvider(args.provider),
            start=args.date,
            end=args.end or args.date,
        )
    except DomainError as exc:
        print(f"zmos payments reconcile: {exc.detail}", file=sys.stderr)
        return 2
    finally:
        container.dispose()
    print(
        f"{args.tenant} {report.provider.value} {report.start}..{report.end}: "
        f"{report.matched} matched, {len(report.mismatches)} mismatched"
    )
    for item in report.mismatches:
        print(
            f"{item.kind}\t{item.reference}\t{item.sale_id}\t{item.ours}\t{item.theirs}\t{item.currency}"
        )
    return 1 if report.mismatches else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zmos", description="Zimasa MotionOS")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    server = commands.add_parser("server", help="run the API server (uvicorn)")
    server.add_argument("--host", default="127.0.0.1")
    server.add_argument("--port", type=int, default=8000)
    server.add_argument("--workers", type=int, default=1, help="server processes (default 1)")
    server.add_argument("--log-level", default="info")
    server.add_argument("--access-log", action="store_true", help="log every request")
    server.add_argument("--no-migrate", action="store_true", help="do not run migrations at start")
    server.set_defaults(handler=_server, extra="server")

    kiosk = commands.add_parser("kiosk", help="run the front-desk kiosk")
    kiosk.add_argument("--data-dir")
    kiosk.add_argument("--server", help="server URL, e.g. http://127.0.0.1:8000")
    kiosk.add_argument("--enrol", metavar="CODE", help="enrol with this code before starting")
    kiosk.add_argument("--windowed", action="store_true", help="not full screen")
    kiosk.set_defaults(handler=_kiosk, extra="kiosk")

    demo = commands.add_parser("demo", help="a seeded demo server plus an enrolled kiosk")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--data-dir", help="default: a new folder under ~/.local/share/zmos-demo")
    demo.add_argument("--no-window", action="store_true", help="only the server, no kiosk window")
    demo.add_argument(
        "--kiosk-mode", action="store_true", help="open the kiosk full screen, as at a front desk"
    )
    demo.set_defaults(handler=_demo, extra="server,kiosk")

    db = commands.add_parser("db", help="database tools")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="DB_COMMAND")
    db_upgrade = db_commands.add_parser("upgrade", help="apply schema migrations")
    db_upgrade.add_argument("revision", nargs="?", default="head")
    db_upgrade.set_defaults(handler=_db_upgrade, extra="server")

    engagement = commands.add_parser("engagement", help="engagement tools")
    engagement_commands = engagement.add_subparsers(
        dest="engagement_command", required=True, metavar="ENGAGEMENT_COMMAND"
    )
    rebuild = engagement_commands.add_parser(
        "rebuild", help="rebuild streaks, scores, points and badges from the movement ledger"
    )
    rebuild.add_argument("--tenant", metavar="SLUG", help="only this tenant (default: all)")
    rebuild.set_defaults(handler=_engagement_rebuild, extra="server")

    journeys = commands.add_parser("journeys", help="journey tools")
    journeys_commands = journeys.add_subparsers(
        dest="journeys_command", required=True, metavar="JOURNEYS_COMMAND"
    )
    rollup = journeys_commands.add_parser(
        "rollup", help="roll up every live enrolment's weeks now (the job does it every 10 min)"
    )
    rollup.set_defaults(handler=_journeys_rollup, extra="server")

    corporate = commands.add_parser("corporate", help="corporate client tools")
    corporate_commands = corporate.add_subparsers(
        dest="corporate_command", required=True, metavar="CORPORATE_COMMAND"
    )
    invoice = corporate_commands.add_parser(
        "invoice", help="issue a month's invoices to every company (again: the same ones)"
    )
    invoice.add_argument("--month", required=True, metavar="YYYY-MM")
    invoice.add_argument("--tenant", metavar="SLUG", help="only this tenant (default: all)")
    invoice.set_defaults(handler=_corporate_invoice, extra="server")

    audit = commands.add_parser("audit", help="audit log tools")
    audit_commands = audit.add_subparsers(
        dest="audit_command", required=True, metavar="AUDIT_COMMAND"
    )
    purge = audit_commands.add_parser(
        "purge", help="delete audit entries older than the retention (the job does it hourly)"
    )
    purge.add_argument(
        "--days",
        type=int,
        default=None,
        help="keep this many days (default: ZMOS_AUDIT_RETENTION_DAYS; at least 30)",
    )
    purge.set_defaults(handler=_audit_purge, extra="server")

    archive = commands.add_parser("archive", help="a tenant's whole data as one file, and back")
    archive_commands = archive.add_subparsers(
        dest="archive_command", required=True, metavar="ARCHIVE_COMMAND"
    )
    export = archive_commands.add_parser("export", help="write a tenant's archive (a ZIP)")
    export.add_argument("--tenant", required=True, metavar="SLUG")
    export.add_argument("--out", required=True, metavar="FILE")
    export.set_defaults(handler=_archive_export, extra="server")
    into = archive_commands.add_parser(
        "import", help="read an archive into a new or empty tenant (all or nothing)"
    )
    into.add_argument("file", metavar="FILE")
    into.add_argument("--into", required=True, metavar="SLUG")
    into.add_argument("--name", help="the tenant's name (default: the archive's)")
    into.set_defaults(handler=_archive_import, extra="server")

    payments = commands.add_parser("payments", help="card and mobile-money payments (PSPs)")
    payments_commands = payments.add_subparsers(
        dest="payments_command", required=True, metavar="PAYMENTS_COMMAND"
    )
    reconcile = payments_commands.add_parser(
        "reconcile",
        help="compare the sales ledger with a PSP's records (exit 1 if anything differs)",
    )
    reconcile.add_argument("--tenant", required=True, metavar="SLUG")
    reconcile.add_argument("--provider", choices=["stripe", "paystack"], required=True)
    reconcile.add_argument("--date", required=True, type=date.fromisoformat, metavar="YYYY-MM-DD")
    reconcile.add_argument(
        "--end", type=date.fromisoformat, metavar="YYYY-MM-DD", help="last day (default: --date)"
    )
    reconcile.set_defaults(handler=_payments_reconcile, extra="server")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    args = build_parser().parse_args(argv)
    sub = (
        getattr(args, "db_command", None)
        or getattr(args, "engagement_command", None)
        or getattr(args, "journeys_command", None)
        or getattr(args, "audit_command", None)
        or getattr(args, "payments_command", None)
        or getattr(args, "archive_command", None)
        or getattr(args, "corporate_command", None)
    )
    command = " ".join(filter(None, (args.command, sub)))
    try:
        with needs_extra(args.extra, command):
            result: int = args.handler(args)
        return result
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the last line of defence: a message, not a traceback
        from pydantic import ValidationError

        if isinstance(exc, ValidationError):
            for error in exc.errors():
                field = ".".join(str(part) for part in error["loc"])
                message = str(error["msg"]).removeprefix("Value error, ")
                print(f"zmos: invalid setting {field}: {message}", file=sys.stderr)
            return 2
        logging.getLogger("zmos").debug("failed", exc_info=exc)
        print(f"zmos: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
