"""``bankcrm user``: add, set-role, password, disable, enable, token (spec/cli.md; issue 8.3, 8.7).

Each change is change-logged under the operator's name: ``--user NAME``, else the OS user running
the command. ``token`` prints the key alone on stdout (``KEY=$(bankcrm user token wf)`` keeps
working) and its expiry on stderr.
"""

import argparse
import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bankcrm.core.context import acting_as
from bankcrm.org.authentication import token_expires_at
from bankcrm.org.choices import UserRole
from bankcrm.org.services import add_user, api_token, disable_user, enable_user, set_password, set_role


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return os.environ.get("USER", "") or "system"


def _password(username: str) -> str:
    password = os.environ.get("BANKCRM_PASSWORD")
    if not password:
        try:
            password = getpass.getpass(f"password for {username}: ")
        except EOFError:
            password = ""
    if not password:
        raise CommandError("no password: set BANKCRM_PASSWORD or type one at the prompt")
    return password


class Command(BaseCommand):
    help = "Manage staff logins: add, set-role, password, disable, enable, token."

    def add_arguments(self, parser):
        who = argparse.ArgumentParser(add_help=False)
        who.add_argument("--user", dest="actor", help="who is making the change (default: the OS user)")
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser(
            "add", parents=[who], help="add a staff login (password from BANKCRM_PASSWORD, else prompted)"
        )
        set_role_parser = sub.add_parser("set-role", parents=[who], help="change a login's role and scope")
        for p in (add, set_role_parser):
            p.add_argument("username")
            p.add_argument("--role", required=True, choices=UserRole.values)
            p.add_argument("--staff-no", dest="staff_no")
            p.add_argument("--branch", dest="branch")
        password = sub.add_parser("password", parents=[who], help="set a login's password (BANKCRM_PASSWORD or prompt)")
        password.add_argument("username")
        disable = sub.add_parser("disable", parents=[who], help="stop a login: sessions end, API token revoked")
        disable.add_argument("username")
        enable = sub.add_parser("enable", parents=[who], help="let a disabled login sign in again")
        enable.add_argument("username")
        token = sub.add_parser("token", parents=[who], help="print the login's API token (and its expiry on stderr)")
        token.add_argument("username")
        token.add_argument("--rotate", action="store_true", help="revoke the current token and issue a new one")

    def handle(self, *args, **options):
        action, username = options["action"], options["username"]
        try:
            with acting_as(user_name=options.get("actor") or _os_user()):
                if action == "add":
                    user = add_user(
                        username,
                        role=options["role"],
                        password=_password(username),
                        staff_no=options["staff_no"],
                        branch_code=options["branch"],
                    )
                    self.stdout.write(f"user {user.username}: role {options['role']}")
                elif action == "set-role":
                    set_role(
                        username, role=options["role"], staff_no=options["staff_no"], branch_code=options["branch"]
                    )
                    self.stdout.write(f"user {username}: role {options['role']}")
                elif action == "password":
                    set_password(username, _password(username))
                    self.stdout.write(f"user {username}: password changed")
                elif action == "disable":
                    disable_user(username)
                    self.stdout.write(f"user {username}: disabled, API token revoked")
                elif action == "enable":
                    enable_user(username)
                    self.stdout.write(f"user {username}: enabled")
                else:
                    token = api_token(username, rotate=options["rotate"])
                    self.stdout.write(token.key)
                    expires = timezone.localtime(token_expires_at(token))
                    self.stderr.write(f"token for {username} expires {expires.isoformat(sep=' ', timespec='minutes')}")
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
