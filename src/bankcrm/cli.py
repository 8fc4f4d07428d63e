"""The ``bankcrm`` console command (spec/cli.md).

Each subcommand is a Django management command underneath; this module maps the
operator's words onto them, migrates an empty home or database first, and refuses to run on a
database with migrations not applied (``bankcrm migrate`` does that). Every failure an operator
meets is one line on stderr and a non-zero exit; tracebacks go to ``logs/errors.log`` (issue 15.9).
"""

import os
import sys

# operator's word -> management command
COMMANDS = {
    "demo": "demo",
    "generate": "generate",
    "import": "import_delivery",
    "metrics": "metrics",
    "export": "export",
    "user": "user",
    "serve": "serve",
    "complaints": "complaints",
    "targets": "targets",
    "redline": "redline",
    "campaign": "campaign",
    "compliance": "compliance",
    "migrate": "migrate",
    "worker": "worker",
}

USAGE = """usage: bankcrm COMMAND [options]

commands:
  demo        generate a synthetic bank, import it, compute metrics and serve it
  generate    write a synthetic delivery in the batch-file format
  import      import a delivery folder (spec/batch-files.md)
  metrics     compute the customer_month snapshot and lists for an as-of date
  export      customer-month | list | quality | tier-summary | indicators | targets | scorecard |
              campaign | campaign-summary | suitability | risk-indicators | sample | cases |
              loans | loan-findings | loan-rolls
  user        staff logins: add, set-role, password, disable, enable, token
  serve       run the web app and API (production server)
  complaints  the complaint desk's scheduled sweep
  targets     import targets, weights, coefficients and bonus bases (spec/indicators.md)
  redline     record a red-line (电网) violation for a staff member
  campaign    create (from JSON) | approve | start | close a campaign
  compliance  indicators import | plan create/draw | screen --quarter Q | regulations import
  worker      send queued webhook events to integrators (--once: what is due, then exit)
  migrate     bring the database schema up to date after an upgrade (back it up first)
  manage      any Django management command (migrate, createsuperuser, ...)

'bankcrm COMMAND --help' shows a command's options.
Data lives in $BANKCRM_HOME (default ./var); database from $BANKCRM_DATABASE_URL."""


# `bankcrm manage X` commands that work on a database with pending migrations (they inspect or make them).
MIGRATION_TOOLS = {"migrate", "makemigrations", "showmigrations", "sqlmigrate", "squashmigrations", "check",
                   "makemessages", "compilemessages", "help"}  # fmt: skip


class OperatorError(Exception):
    """A failure the operator can fix: printed as one line, exit status 1 (issue 15.9)."""


def fail(message: str, *, status: int = 1, log: bool = False) -> None:
    if log:
        _log_traceback()
    print(f"bankcrm: {message}", file=sys.stderr)
    sys.exit(status)


def _option(args: list[str], name: str, default: str) -> str:
    for index, arg in enumerate(args):
        if arg == name and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith(f"{name}="):
            return arg.split("=", 1)[1]
    return default


def refuse_port_in_use(name: str, args: list[str]) -> None:
    """``serve``/``demo`` on a port another program holds: say so before doing anything else.

    Without this a demo generated, imported and computed a bank for minutes and only then died
    in gunicorn's bind with a traceback.
    """
    import errno
    import socket

    host = _option(args, "--host", os.environ.get("BANKCRM_HOST", "127.0.0.1") if name == "serve" else "127.0.0.1")
    port_text = _option(args, "--port", os.environ.get("BANKCRM_PORT", "8000") if name == "serve" else "8000")
    try:
        port = int(port_text)
    except ValueError:
        return  # argparse names the bad value
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # what gunicorn sets: TIME_WAIT is no conflict
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                fail(f"port {port} on {host} is already in use (another bankcrm serve?); choose one with --port")
            if exc.errno in (errno.EACCES, errno.EPERM):
                fail(f"not allowed to listen on port {port} (ports below 1024 need privileges); choose one with --port")
            if exc.errno == errno.EADDRNOTAVAIL:
                fail(f"{host} is not an address of this machine; choose one with --host")
            raise


def database_label() -> str:
    """Where the database is, for a message: never its password."""
    from django.db import connection

    conf = connection.settings_dict
    if connection.vendor == "sqlite":
        return str(conf["NAME"])
    where = f"{conf.get('HOST') or 'localhost'}:{conf.get('PORT') or ''}/{conf['NAME']}"
    return f"{connection.vendor} {conf.get('USER') or ''}@{where}"


def prepare_database(stream=sys.stderr) -> None:
    """Migrate an empty database; refuse to run on one with pending migrations (issue 15.8).

    Migrating a database in use is an upgrade step an operator takes on purpose (after a back-up,
    docs/operator-guide.md "Upgrades"), not a side effect of the nightly export. Two first commands
    on an empty home (a cron job and an operator) wait for each other on the "migrate" lock, so the
    second finds the tables made instead of creating them at the same time.
    """
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from bankcrm.core.runlock import exclusive_run

    with exclusive_run("migrate", wait=True):
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if not pending:
            return
        if not executor.loader.applied_migrations:
            # Said only to a person at a terminal: a script's stderr keeps its one line of reason.
            if stream.isatty():
                print("bankcrm: new database: creating its tables …", file=stream)
            call_command("migrate", interactive=False, verbosity=0)
            return
    raise OperatorError(
        f"the database {database_label()} has {len(pending)} migration(s) not applied "
        f"(this bankcrm is newer than it): back it up, then run: bankcrm migrate"
    )


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(USAGE)
        sys.exit(0 if argv else 2)
    name = argv[0]
    if name not in COMMANDS and name != "manage":
        print(f"bankcrm: unknown command {name!r}\n\n{USAGE}", file=sys.stderr)
        sys.exit(2)
    wants_help = any(arg in ("-h", "--help") for arg in argv[1:])
    if name in ("serve", "demo") and not wants_help:
        refuse_port_in_use(name, argv[1:])  # before anything else (issue 15.9)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bankcrm.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db import DatabaseError, InterfaceError

    try:
        django.setup()
    except ImproperlyConfigured as exc:  # bankcrm.toml (file, line, key) or an environment variable
        fail(f"configuration: {exc}")
    manage_command = argv[1] if name == "manage" and len(argv) > 1 else None
    migrating = name == "migrate" or manage_command in MIGRATION_TOOLS
    try:
        if not wants_help and not migrating:
            prepare_database()
    except OperatorError as exc:
        fail(str(exc))
    except (DatabaseError, InterfaceError) as exc:
        fail(f"cannot reach the database {database_label()}: {_first_line(exc)}", log=True)
    from bankcrm.core.context import acting_as
    from bankcrm.core.runlock import exclusive_run

    try:
        # Whatever a command changes is in the change log under the operator who ran it
        # (BANKCRM_OPERATOR, else the OS user); commands with --user set their own inside.
        with acting_as(user_name=operator_name()):
            if name == "migrate" and not wants_help:
                with exclusive_run("migrate", wait=True):  # not while a first command creates the tables
                    execute_from_command_line(["bankcrm", "migrate", *argv[1:]])
            elif name == "manage":
                execute_from_command_line(["bankcrm", *argv[1:]])
            else:
                execute_from_command_line(["bankcrm", COMMANDS[name], *argv[1:]])
    except KeyboardInterrupt:
        print("bankcrm: interrupted", file=sys.stderr)
        sys.exit(130)
    except (DatabaseError, InterfaceError) as exc:
        if _is_unreachable(exc):
            fail(f"{name}: lost the database {database_label()}: {_first_line(exc)}", log=True)
        fail(f"{name} failed: {type(exc).__name__}: {_first_line(exc)} (details in {_error_log_path()})", log=True)
    except Exception as exc:  # an operator gets one line; the traceback goes to the log for support
        fail(f"{name} failed: {type(exc).__name__}: {_first_line(exc)} (details in {_error_log_path()})", log=True)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _is_unreachable(exc: BaseException) -> bool:
    from django.db import OperationalError

    return isinstance(exc, OperationalError) and any(
        word in str(exc).lower() for word in ("connection", "could not connect", "server closed", "unable to open")
    )


def operator_name() -> str:
    """Who is running the command line, for the change log: "<name> (cli)"."""
    import getpass

    name = os.environ.get("BANKCRM_OPERATOR", "").strip()
    if not name:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):  # no passwd entry (some containers)
            name = "unknown"
    return f"{name} (cli)"[:150]


def _error_log_path():
    from django.conf import settings

    return settings.LOG_DIR / "errors.log"


def _log_traceback() -> None:
    """The traceback, with its time, into logs/errors.log (size-rotated: settings.LOGGING)."""
    import logging

    logging.getLogger("bankcrm.errors").error("bankcrm %s", " ".join(sys.argv[1:2]), exc_info=True)


if __name__ == "__main__":
    main()
