"""``bankcrm campaign create FILE.json --user U | approve CODE --user U | start CODE | close CODE``."""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from bankcrm.core.context import acting_as
from bankcrm.core.exceptions import TransitionNotAllowed

from ... import services
from ...models import Campaign


def _errors(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    return "; ".join(exc.messages)


class Command(BaseCommand):
    help = "Create a draft campaign from JSON, approve it (another user: four eyes), start or close it."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="a draft campaign from a JSON file (spec/campaigns.md)")
        create.add_argument("file", type=Path)
        create.add_argument("--user", required=True, help="the author's login")
        approve = sub.add_parser("approve", help="approve a draft (not by its author)")
        approve.add_argument("code")
        approve.add_argument("--user", required=True, help="the approver's login")
        for name, text in (("start", "freeze members, push targets to the work queue"), ("close", "close it")):
            p = sub.add_parser(name, help=text)
            p.add_argument("code")
            p.add_argument("--user", help="the login doing it (default: system)")

    def _user(self, username):
        if not username:
            return None
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active login named {username!r} (create it with: bankcrm user add)")
        return user

    def handle(self, *args, **options):
        action = options["action"]
        user = self._user(options.get("user"))
        with acting_as(user):
            try:
                if action == "create":
                    self._create(options["file"], user)
                else:
                    self._transition(action, options["code"], user)
            except ValidationError as exc:
                raise CommandError(_errors(exc)) from exc
            except TransitionNotAllowed as exc:
                raise CommandError(str(exc)) from exc

    def _create(self, path: Path, user):
        if user is not None and not user.has_perm("campaigns.add_campaign"):
            raise CommandError(f"{user.username} may not create campaigns (role marketing or admin)")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise CommandError(f"no such file: {path}") from exc
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"{path}: not a JSON file in UTF-8 ({exc})") from exc
        campaign = services.create_campaign(data, user=user)
        preview = services.evaluate(campaign)
        excluded = ", ".join(f"{k} {v}" for k, v in preview.excluded_by_reason().items())
        self.stdout.write(
            f"campaign {campaign.code}: draft; audience {preview.audience}, target {preview.count('target')}, "
            f"control {preview.count('control')}; excluded: {excluded}"
        )

    def _transition(self, action: str, code: str, user):
        campaign = Campaign.objects.filter(code=code).first()
        if campaign is None:
            raise CommandError(f"no campaign with code {code!r}")
        if user is not None and not user.has_perm("campaigns.change_campaign"):
            raise CommandError(f"{user.username} may not {action} campaigns (role marketing or admin)")
        result = services.transition(campaign, action, user=user)
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        c = result.campaign
        extra = ""
        if action == "start":
            extra = f"; {c.members.filter(group='target').count()} targets pushed to the work queue as {c.list_kind}"
        self.stdout.write(f"campaign {c.code}: {c.status}{extra}")
