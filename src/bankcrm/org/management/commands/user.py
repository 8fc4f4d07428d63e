import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from bankcrm.org.choices import UserRole
from bankcrm.org.services import add_user, issue_token


class Command(BaseCommand):
    help = "Add a staff login or print its API token."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="add a staff login (password from BANKCRM_PASSWORD, else prompted)")
        add.add_argument("username")
        add.add_argument("--role", required=True, choices=UserRole.values)
        add.add_argument("--staff-no", dest="staff_no")
        add.add_argument("--branch", dest="branch")
        token = sub.add_parser("token", help="print an API token for a login")
        token.add_argument("username")

    def handle(self, *args, **options):
        try:
            if options["action"] == "add":
                password = os.environ.get("BANKCRM_PASSWORD")
                if not password:
                    try:
                        password = getpass.getpass(f"password for {options['username']}: ")
                    except EOFError:
                        password = ""
                if not password:
                    raise CommandError("no password: set BANKCRM_PASSWORD or type one at the prompt")
                user = add_user(
                    options["username"],
                    role=options["role"],
                    password=password,
                    staff_no=options["staff_no"],
                    branch_code=options["branch"],
                )
                self.stdout.write(f"user {user.username}: role {options['role']}")
            else:
                self.stdout.write(issue_token(options["username"]))
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
