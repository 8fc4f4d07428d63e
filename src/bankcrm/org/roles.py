"""Roles of spec/api.md as Django groups, so scoping and permissions stay one mechanism.

Each role is a list of rules ``(app_label, model_name, actions)``; ``"*"`` matches
any bankcrm app or model. A model added later is covered by the wildcard rules,
so a new app only touches this file when a role must do more than read.
"""

from django.contrib.auth.models import Group, Permission

from .choices import UserRole

BANKCRM_APPS = ("core", "org", "customers", "ingest", "analytics", "campaigns", "complaints", "reports", "compliance")
# Audit trails are for compliance and admins only.
AUDIT_MODELS = {("compliance", "accesslog"), ("core", "objectchange")}
READ = ("view",)
ALL = ("view", "add", "change", "delete")

ROLE_RULES: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    UserRole.ADMIN: [
        ("*", "*", ALL),
        ("compliance", "accesslog", READ),
        ("core", "objectchange", READ),
        ("customers", "customer", ("reveal",)),
        ("campaigns", "recordedsale", ("review",)),
    ],
    UserRole.HEAD_OFFICE: [("*", "*", READ)],
    UserRole.COMPLIANCE: [
        ("*", "*", READ),
        ("compliance", "accesslog", READ),
        ("core", "objectchange", READ),
        ("customers", "customer", ("reveal",)),
    ],
    UserRole.BRANCH_MANAGER: [
        ("*", "*", READ),
        ("customers", "customer", ("change", "reveal")),
        ("customers", "contactlog", ("add", "change")),
        ("analytics", "listitem", ("change",)),
        # Sales of the branch: record, cancel in cooling-off, and review (not their own) the 65+ R4/R5
        # ones. Campaigns themselves are marketing's (four eyes between two marketing logins).
        ("campaigns", "sale", ALL),
        ("campaigns", "recordedsale", ("add", "change", "review")),
        ("campaigns", "refusedsale", ("add",)),
        ("complaints", "*", ("add", "change")),
    ],
    UserRole.RM: [
        ("*", "*", READ),
        ("customers", "customer", ("reveal",)),
        ("customers", "contactlog", ("add", "change")),
        ("analytics", "listitem", ("change",)),
        ("campaigns", "recordedsale", ("add", "change")),
        ("campaigns", "refusedsale", ("add",)),
        ("complaints", "complaint", ("add",)),
    ],
    # spec/api.md: campaigns (create, approve another's, start, close); all branches' figures, masked.
    UserRole.MARKETING: [
        ("*", "*", READ),
        ("campaigns", "campaign", ("add", "change")),
    ],
    # 大堂经理: the lobby tablet of their branch — look walk-ins up (masked), contacts, sales.
    UserRole.LOBBY: [
        ("customers", "*", READ),
        ("org", "*", READ),
        ("analytics", "*", READ),
        ("campaigns", "*", READ),
        ("customers", "contactlog", ("add",)),
        ("analytics", "listitem", ("change",)),
        ("campaigns", "recordedsale", ("add", "change")),
        ("campaigns", "refusedsale", ("add",)),
    ],
    UserRole.COMPLAINT_HANDLER: [
        ("customers", "*", READ),
        ("org", "*", READ),
        ("complaints", "*", ("view", "add", "change")),
    ],
}


def _matches(rule_app: str, rule_model: str, app: str, model: str) -> bool:
    if (app, model) in AUDIT_MODELS:  # only ever granted by name
        return (rule_app, rule_model) == (app, model)
    return rule_app in ("*", app) and rule_model in ("*", model)


def permissions_for_role(role: str) -> list[Permission]:
    rules = ROLE_RULES.get(role, [])
    granted = []
    for perm in Permission.objects.filter(content_type__app_label__in=BANKCRM_APPS).select_related("content_type"):
        app, model = perm.content_type.app_label, perm.content_type.model
        action = perm.codename.split("_", 1)[0]
        if perm.codename == f"reveal_{model}":
            action = "reveal"
        for rule_app, rule_model, actions in rules:
            if _matches(rule_app, rule_model, app, model) and action in actions:
                granted.append(perm)
                break
    return granted


def group_name(role: str) -> str:
    return f"role:{role}"


def sync_role_groups() -> None:
    """Create or refresh one group per role (runs after every migrate)."""
    for role in UserRole.values:
        group, _ = Group.objects.get_or_create(name=group_name(role))
        group.permissions.set(permissions_for_role(role))
