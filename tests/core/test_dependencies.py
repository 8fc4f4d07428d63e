"""Dependency ranges (issue 8, item 8): every requirement is bounded above, and what is installed is inside."""

import ast
import importlib.metadata
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
REQUIREMENTS = [
    Requirement(text)
    for text in [
        *PYPROJECT["dependencies"],
        *(r for extra in PYPROJECT["optional-dependencies"].values() for r in extra),
    ]
]


@pytest.mark.parametrize("req", REQUIREMENTS, ids=lambda r: r.name)
def test_every_requirement_has_an_upper_bound_that_the_installed_version_meets(req):
    uppers = [s for s in req.specifier if s.operator in ("<", "<=", "~=", "==")]
    assert uppers, f"{req} has no upper bound"
    try:
        installed = importlib.metadata.version(req.name)
    except importlib.metadata.PackageNotFoundError:
        pytest.skip(f"{req.name} is not installed here")
    assert req.specifier.contains(Version(installed), prereleases=True), (
        f"installed {req.name} {installed} not in {req}"
    )


def _imported_top_level_modules() -> set[str]:
    names = set()
    for folder in ("src", "tests", "benchmarks"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names.update(a.name.split(".")[0] for a in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names.add(node.module.split(".")[0])
    return names


def test_declared_matches_imported_for_ibis_and_sqlglot():
    declared = {r.name for r in REQUIREMENTS}
    imported = _imported_top_level_modules()
    assert "ibis" not in imported and "ibis-framework" not in declared  # ADR 0301 dropped Ibis
    assert "sqlglot" in imported and "sqlglot" in declared
