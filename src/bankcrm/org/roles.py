"""Roles of spec/api.md: the one table of what each role may do (read by ``backends.RoleBackend``).

Each role is a list of rules ``(app_label, model_name, actions)``; ``"*"`` matches
any bankcrm app or model. A model added later is covered by the wildcard rules,
so a new app only touches this file when a role must do more than read.
"""

from functools import cache

from django.apps import apps

from .choices import UserRole

BANKCRM_APPS = ("core", "org", "customers", "ingest", "analytics", "campaigns", "complaints", "reports", "compliance")
# Audit trails are for compliance and admins only.
AUDIT_MODELS = {("core", "accesslog"), ("core", "objectchange")}
# Webhook subscriptions hold the integrators' secrets; their deliveries are the admins' log (ADR 0606).
# Like the audit trails, only a rule naming them grants them: head office's read-everything does not.
WEBHOOK_MODELS = (("core", "webhooksubscription"), ("core", "webhookdelivery"), ("core", "webhookattempt"))
AUDIT_MODELS |= set(WEBHOOK_MODELS)
# The compliance desk's records (indicators, plans, cases, regulations) are for compliance and admins
# only (spec/compliance.md): no wildcard app reaches them, only a rule naming the app.
AUDIT_APPS = {"compliance"}
READ = ("view",)
ALL = ("view", "add", "change", "delete")

ROLE_RULES: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    UserRole.ADMIN: [
        ("*", "*", ALL),
        ("compliance", "*", ALL),
        ("core", "accesslog", READ),
        ("core", "objectchange", READ),
        *((app, model, ALL) for app, model in WEBHOOK_MODELS),
        ("customers", "customer", ("reveal",)),
        ("campaigns", "recordedsale", ("review",)),
    ],
    UserRole.HEAD_OFFICE: [("*", "*", READ)],
    UserRole.COMPLIANCE: [
        ("*", "*", READ),
        ("core", "accesslog", READ),
        ("core", "objectchange", READ),
        ("customers", "customer", ("reveal",)),
        ("reports", "redline", ("add",)),  # compliance records red lines (spec/indicators.md)
        ("compliance", "*", ALL),  # the compliance desk (spec/compliance.md)
    ],
    UserRole.BRANCH_MANAGER: [
        ("*", "*", READ),
        ("customers", "customer", ("change", "reveal")),
        ("customers", "kycassessment", ("add", "change")),  # the questionnaire on the 360 (issue 14)
        ("customers", "customertag", ("add", "delete")),  # free tags on the 360 (issue 14)
        ("campaigns", "contactlog", ("add", "change")),
        ("campaigns", "listitem", ("change",)),
        ("campaigns", "sale", ALL),  # the work queue above; contacts are never deleted
        # Sales of the branch: record, cancel in cooling-off, and review (not their own) the 65+ R4/R5
        # ones. Campaigns themselves are marketing's (four eyes between two marketing logins).
        ("campaigns", "recordedsale", ("add", "change", "review")),
        ("campaigns", "refusedsale", ("add",)),
        ("complaints", "*", ("add", "change")),
        # overdue findings escalated to the branch head (spec/compliance.md, docs/compliance.md): only
        # the escalation notice of the desk, not its findings, cases or plans
        ("compliance", "findingescalation", ("view", "change")),
    ],
    UserRole.RM: [
        ("*", "*", READ),
        ("customers", "customer", ("reveal",)),
        ("customers", "kycassessment", ("add", "change")),  # the questionnaire on the 360 (issue 14)
        ("customers", "customertag", ("add", "delete")),  # free tags on the 360 (issue 14)
        ("campaigns", "contactlog", ("add", "change")),
        ("campaigns", "listitem", ("change",)),
        ("campaigns", "recordedsale", ("add", "change")),
        ("campaigns", "refusedsale", ("add",)),
        ("complaints", "complaint", ("add",)),
        # their own tasks and appointments (issue 14); never deleted, only marked done
        ("campaigns", "rmtask", ("add", "change")),
    ],
    # spec/api.md: campaigns (create, approve another's, start, close); all branches' figures, masked.
    UserRole.MARKETING: [
        # customers' records and monthly figures, the org, campaigns — not red lines, bonus bases or
        # weights (personnel matters: reports), nor complaints and imports
        ("customers", "*", READ),
        ("org", "*", READ),
        ("campaigns", "*", READ),
        ("campaigns", "campaign", ("add", "change")),
    ],
    # 大堂经理: the lobby tablet of their branch — look walk-ins up (masked), contacts, sales.
    UserRole.LOBBY: [
        ("customers", "*", READ),  # the snapshot (tier, flags) included
        ("org", "*", READ),
        ("campaigns", "*", READ),
        ("campaigns", "contactlog", ("add",)),
        ("campaigns", "listitem", ("change",)),
        ("campaigns", "recordedsale", ("add", "change")),
        ("campaigns", "refusedsale", ("add",)),
    ],
    UserRole.COMPLAINT_HANDLER: [
        # the customer record, not their monthly figures (the snapshot is customers' too)
        ("customers", "customer", READ),
        ("customers", "account", READ),
        ("customers", "product", READ),
        ("customers", "kycassessment", READ),
        ("org", "*", READ),
        ("complaints", "*", ("view", "add", "change")),
    ],
}


def _matches(rule_app: str, rule_model: str, app: str, model: str) -> bool:
    if (app, model) in AUDIT_MODELS:  # only ever granted by name
        return (rule_app, rule_model) == (app, model)
    if app in AUDIT_APPS:
        return rule_app == app and rule_model in ("*", model)
    return rule_app in ("*", app) and rule_model in ("*", model)


def model_permissions() -> list[tuple[str, str, str, str]]:
    """(app_label, model_name, action, "app.codename") of every bankcrm model, from the app registry."""
    found = []
    for model in apps.get_models():
        opts = model._meta
        if opts.app_label not in BANKCRM_APPS:
            continue
        for action in opts.default_permissions:
            found.append((opts.app_label, opts.model_name, action, f"{opts.app_label}.{action}_{opts.model_name}"))
        for codename, _label in opts.permissions:
            action = codename.split("_", 1)[0]
            found.append((opts.app_label, opts.model_name, action, f"{opts.app_label}.{codename}"))
    return found


@cache
def permissions_for_role(role: str) -> frozenset[str]:
    """The permission names ("app.codename") a role grants; fixed for the process (models do not change)."""
    rules = ROLE_RULES.get(role, [])
    return frozenset(
        name
        for app, model, action, name in model_permissions()
        if any(
            _matches(rule_app, rule_model, app, model) and action in actions for rule_app, rule_model, actions in rules
        )
    )
