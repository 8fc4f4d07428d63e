"""The layers of docs/architecture.md, executable: every import in src/bankcrm points down.

Walks every module with ``ast`` — imports inside functions (lazy ones) included, relative imports
resolved, ``apps.get_model("app", …)`` and string model references (``ForeignKey("app.Model")``)
counted as imports — and fails on:

* an app importing an app of a higher layer, or another app of its own layer;
* an app importing the project package (settings aside, which go through ``django.conf``);
* anyone importing another app's ``views`` or ``api.views`` (core's base classes excepted);
* the synthetic bank generator importing anything of bankcrm but the import contract.

Migrations are history and are not checked.
"""

import ast
from pathlib import Path

import pytest

import bankcrm

# Lowest first. Apps of one layer may not import each other.
LAYERS: list[tuple[str, ...]] = [
    ("core",),
    ("org",),
    ("customers",),
    ("complaints", "loans"),
    ("campaigns",),  # reads open complaints (eligibility) and, with loans, fills the collection list
    ("ingest",),
    ("analytics",),
    ("reports",),
    ("compliance",),
]
LAYER_OF = {app: level for level, apps in enumerate(LAYERS) for app in apps}
PROJECT_LAYER = len(LAYERS)  # settings, urls, cli, views/, api/, management/: composes the apps
GENERATOR = "synthetic"
GENERATOR_MAY_IMPORT = ("bankcrm.ingest.tables",)
BASE_VIEWS = ("bankcrm.core.views", "bankcrm.core.api.views")
MODEL_FIELDS = {"ForeignKey", "OneToOneField", "ManyToManyField"}


def owner(module: str) -> str:
    """'bankcrm.customers.models' -> 'customers'; project modules -> 'project'."""
    parts = module.split(".")
    if len(parts) < 2 or parts[0] != "bankcrm":
        return ""
    if parts[1] in LAYER_OF or parts[1] == GENERATOR:
        return parts[1]
    return "project"


def module_name(root: Path, path: Path) -> str:
    rel = path.relative_to(root.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(root: Path, path: Path) -> list[tuple[int, str]]:
    """(line, module) for every bankcrm module ``path`` depends on."""
    here = module_name(root, path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            # ``from bankcrm.x import views`` may import the module bankcrm.x.views
            found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Call):
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            args = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            model_reference = name in MODEL_FIELDS and args and "." in args[0]
            if (name == "get_model" and args) or model_reference:
                found.append((node.lineno, f"bankcrm.{args[0].split('.')[0]}.models"))
    return [(line, m) for line, m in found if m == "bankcrm" or m.startswith("bankcrm.")]


def violations(root: Path) -> list[str]:
    problems = []
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        here = module_name(root, path)
        mine = owner(here)
        seen: set[tuple[int, str]] = set()
        # shortest first, so ``from bankcrm.x.views import y`` is reported once, as bankcrm.x.views
        for line, target in sorted(set(imports_of(root, path)), key=lambda item: (item[0], len(item[1]))):
            theirs = owner(target)
            if (line, theirs) in seen:
                continue
            where = f"{path.relative_to(root.parent)}:{line} imports {target}"
            if not theirs or theirs == mine:
                continue
            problem = judge(mine, theirs, target)
            if problem:
                seen.add((line, theirs))
                problems.append(f"{where}: {problem}")
    return problems


def judge(mine: str, theirs: str, target: str) -> str | None:
    if ".views" in target and not target.startswith(BASE_VIEWS):
        return "another app's views"
    if mine == GENERATOR:
        return None if target.startswith(GENERATOR_MAY_IMPORT) else "the generator reads only the import contract"
    if theirs == GENERATOR:
        return None if mine == "project" else "only the project package runs the generator"
    level = PROJECT_LAYER if mine == "project" else LAYER_OF[mine]
    other = PROJECT_LAYER if theirs == "project" else LAYER_OF[theirs]
    if mine != "project" and theirs == "project":
        return "an app imports the project package"
    if other > level:
        return f"{mine} (layer {level}) imports {theirs} (layer {other}), a higher layer"
    if other == level and mine != "project":
        return f"{mine} and {theirs} share layer {level}"
    return None


def test_every_import_points_down():
    root = Path(bankcrm.__file__).parent
    assert violations(root) == []


# ---------------------------------------------------------------- the checker itself


def write(tree: Path, name: str, text: str) -> None:
    path = tree / "bankcrm" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    for parent in path.relative_to(tree).parents:
        init = tree / parent / "__init__.py"
        if parent != Path(".") and not init.exists():
            init.write_text("")
    path.write_text(text)


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("core/querysets.py", "def f():\n    from bankcrm.org.scope import scope_for\n", "core (layer 0) imports org"),
        ("customers/overview.py", "from bankcrm.analytics.snapshots import run_metrics\n", "imports analytics"),
        ("complaints/x.py", "from bankcrm.loans.models import Loan\n", "share layer 3"),
        ("complaints/y.py", "from bankcrm.campaigns.models import Sale\n", "complaints (layer 3) imports campaigns"),
        (
            "customers/x.py",
            "from django.apps import apps\nM = apps.get_model('compliance', 'AccessLog')\n",
            "compliance",
        ),
        (
            "customers/models.py",
            "from django.db import models\nF = models.ForeignKey('campaigns.ListItem')\n",
            "campaigns",
        ),
        ("reports/x.py", "from bankcrm.analytics import views\n", "another app's views"),
        ("core/x.py", "from bankcrm import urls\n", "imports the project package"),
        ("synthetic/bank.py", "from bankcrm.customers.models import Customer\n", "only the import contract"),
        ("org/x.py", "from ..customers import models\n", "org (layer 1) imports customers"),
    ],
)
def test_checker_finds_a_back_edge(tmp_path, name, text, expected):
    write(tmp_path, name, text)
    found = violations(tmp_path / "bankcrm")
    assert len(found) == 1 and expected in found[0], found


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "analytics/x.py",
            "from bankcrm.customers.models import Customer\nfrom bankcrm.core.views import render_page\n",
        ),
        ("views/customer360.py", "from bankcrm.customers.models import CustomerMonth\n"),
        ("synthetic/bank.py", "from bankcrm.ingest.tables import TABLES\n"),
        ("compliance/x.py", "def f():\n    from bankcrm.reports.models import RedLine\n"),
    ],
)
def test_checker_lets_downward_imports_pass(tmp_path, name, text):
    write(tmp_path, name, text)
    assert violations(tmp_path / "bankcrm") == []


def test_forms_and_serializers_get_scoped_records_from_one_helper():
    """Choices and looked-up numbers come from core/forms.py (scoped_choices, find_in_scope)."""
    root = Path(bankcrm.__file__).parent
    direct = [
        f"{path.relative_to(root.parent)}:{n}"
        for path in root.rglob("*.py")
        if path.name in ("forms.py", "serializers.py") and path.parent.name != "core"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ".restrict(" in line
    ]
    assert direct == []
