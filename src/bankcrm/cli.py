"""The ``bankcrm`` console command (spec/cli.md).

Each subcommand is a Django management command underneath; this module maps the
operator's words onto them and migrates an empty home or database first.
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
  manage      any Django management command (migrate, createsuperuser, ...)

'bankcrm COMMAND --help' shows a command's options.
Data lives in $BANKCRM_HOME (default ./var); database from $BANKCRM_DATABASE_URL."""


def ensure_migrated(stream=sys.stderr) -> None:
    """Any command against an empty home or database migrates it first (spec/cli.md)."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        print("bankcrm: bringing the database schema up to date …", file=stream)
        call_command("migrate", interactive=False, verbosity=0)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(USAGE)
        sys.exit(0 if argv else 2)
    name = argv[0]
    if name not in COMMANDS and name != "manage":
        print(f"bankcrm: unknown command {name!r}\n\n{USAGE}", file=sys.stderr)
        sys.exit(2)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bankcrm.settings")
    import django
    from django.core.management import execute_from_command_line

    django.setup()
    wants_help = any(arg in ("-h", "--help") for arg in argv[1:])
    if not wants_help and not (name == "manage" and argv[1:2] == ["migrate"]):
        ensure_migrated()
    from bankcrm.core.context import acting_as

    try:
        # Whatever a command changes is in the change log under the operator who ran it
        # (BANKCRM_OPERATOR, else the OS user); commands with --user set their own inside.
        with acting_as(user_name=operator_name()):
            if name == "manage":
                execute_from_command_line(["bankcrm", *argv[1:]])
            else:
                execute_from_command_line(["bankcrm", COMMANDS[name], *argv[1:]])
    except KeyboardInterrupt:
        print("bankcrm: interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # an operator gets one line; the traceback goes to the log for support
        _log_traceback()
        print(f"bankcrm: {name} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(1)


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


def _log_traceback() -> None:
    import traceback

    from django.conf import settings

    settings.LOG_DIR.mkdir(parents=True, exist_ok=True)
    with (settings.LOG_DIR / "errors.log").open("a", encoding="utf-8") as fh:
        fh.write(traceback.format_exc() + "\n")


if __name__ == "__main__":
    main()
