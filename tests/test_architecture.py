"""The import directions that keep the core pure and the shell untangled.

Each rule names a package and what it must never import (at any depth, including imports
inside functions); inside `app/rules/`, the layers of RULES_LAYERS import only downwards; and
no module under tests/ imports a test module. A failure names the module and the import, so
the fix is obvious.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[1] / "app"

SHELL = ("app.web", "app.api", "app.http", "app.db", "app.assessments", "app.report")
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "app.web": ("app.api", "app.report"),
    "app.api": ("app.web",),
    "app.assessments": ("app.report", "app.web", "app.api", "app.services"),
    "app.rules": (*SHELL, "app.services", "app.views"),
    "app.cost_model": (*SHELL, "app.services", "app.views", "app.rules", "app.vocabulary"),
    "app.questions": (*SHELL, "app.services", "app.views", "app.rules", "app.vocabulary"),
    "app.vocabulary": (*SHELL, "app.services", "app.views", "app.rules"),
    "app.views": ("app.web", "app.api", "app.http", "app.db", "app.report", "app.services"),
    "app.services": ("app.web", "app.api", "app.http"),
}


def _module(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every module a file imports, absolute or relative, at any depth."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = _module(path).split(".")
                base = ".".join([*package[: len(package) - node.level + 1], base]).strip(".")
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def violations(package: str, forbidden: tuple[str, ...]) -> list[str]:
    folder = APP.parent.joinpath(*package.split("."))
    return [
        f"{_module(path)} imports {name}"
        for path in sorted(folder.rglob("*.py"))
        for name in sorted(imports_of(path))
        if any(_within(name, f) for f in forbidden)
    ]


RULES_LAYERS = (
    "app.rules.base",
    "app.rules.result",
    "app.rules.decision",
    "app.rules.economics",
    "app.rules.proposal",
    "app.rules.recommend",
)
"""`app/rules/` split by what it decides, lowest first (app/rules/__init__.py says what each
holds): a module imports from its own layer or one below it, never from one above."""


def layer_of(name: str) -> int | None:
    return next((i for i, layer in enumerate(RULES_LAYERS) if _within(name, layer)), None)


def upward_imports() -> list[str]:
    """Every import in `app/rules/` from a module's layer to a higher one."""
    found: list[str] = []
    for path in sorted((APP / "rules").rglob("*.py")):
        module = _module(path)
        own = layer_of(module)
        for name in sorted(imports_of(path)):
            theirs = layer_of(name)
            if own is not None and theirs is not None and theirs > own:
                found.append(f"{module} imports {name}")
    return found


RESULTS_PAGE_MAY_IMPORT = (
    "app.assessments.store",
    "app.http",
    "app.services",
    "app.views",
    "app.web",
)
"""The results page reads the document model (app/views) and the shell; it reaches into no
rules, cost model, vocabulary or report package of its own (issue 22)."""


def imports_outside(path: Path, allowed: tuple[str, ...]) -> list[str]:
    return sorted(
        name
        for name in imports_of(path)
        if name.startswith("app.") and not any(_within(name, a) for a in allowed)
    )


def test_the_results_page_reads_the_document_and_the_shell_only() -> None:
    assert imports_outside(APP / "web" / "results.py", RESULTS_PAGE_MAY_IMPORT) == []


def test_the_page_and_the_pdf_render_the_same_partials() -> None:
    """One Jinja environment; the page-1 and proposal blocks are partials both include."""
    templates = APP.parent / "templates"
    page = (templates / "results.html").read_text(encoding="utf-8")
    report = (templates / "report" / "report.html").read_text(encoding="utf-8")
    for partial in ("page_one", "proposal", "body", "costs", "risks", "appendix"):
        include = f'{{% include "partials/{partial}.html" %}}'
        assert include in page, partial
        assert include in report, partial
    for path in (APP / "report" / "render.py", APP / "http" / "templating.py"):
        assert "Environment(" not in path.read_text(encoding="utf-8"), path


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_import_directions(package: str) -> None:
    assert violations(package, FORBIDDEN[package]) == []


def test_the_check_sees_a_forbidden_import() -> None:
    """The checker itself: a module that imports across a line is reported."""
    bad = APP / "web" / "_probe_forbidden_import.py"
    bad.write_text("def f() -> None:\n    from app.api import reports  # noqa: F401\n")
    try:
        assert violations("app.web", ("app.api",)) == [
            "app.web._probe_forbidden_import imports app.api",
            "app.web._probe_forbidden_import imports app.api.reports",
        ]
    finally:
        bad.unlink()


def test_every_rules_module_sits_in_a_layer() -> None:
    modules = {_module(path) for path in (APP / "rules").rglob("*.py")}
    assert sorted(m for m in modules - {"app.rules"} if layer_of(m) is None) == []


def test_the_rules_layers_import_only_downwards() -> None:
    assert upward_imports() == []


def test_the_check_sees_an_upward_import() -> None:
    """The checker itself: a lower layer that reads a higher one is reported."""
    bad = APP / "rules" / "base" / "_probe_upward_import.py"
    bad.write_text("def f() -> None:\n    from app.rules.decision import engine  # noqa: F401\n")
    try:
        assert upward_imports() == [
            "app.rules.base._probe_upward_import imports app.rules.decision",
            "app.rules.base._probe_upward_import imports app.rules.decision.engine",
        ]
    finally:
        bad.unlink()


def _imported_modules(node: ast.AST, module: str) -> list[str]:
    """The modules an import statement names, relative ones made absolute from `module`."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = node.module or ""
    if node.level:
        package = module.split(".")[: -node.level]
        base = ".".join([*package, base]).strip(".")
    return [base, *(f"{base}.{alias.name}" for alias in node.names)]


def _test_module_in(name: str) -> str | None:
    """The test module (`tests.test_x`, `tests.e2e.test_y`) a dotted name is in, if any."""
    parts = name.split(".")
    if parts[0] != "tests":
        return None
    at = next((i for i, part in enumerate(parts) if part.startswith("test_")), None)
    return None if at is None else ".".join(parts[: at + 1])


READS_TEST_HELPERS = ("tests", "benchmarks")
"""The folders whose modules may import the tests' helper modules, and so might a test module."""


def imports_of_test_modules(root: Path) -> list[str]:
    """Every module under `root`'s tests/ or benchmarks/ that imports a test module other than
    itself: what several modules share lives in a helper module (tests/cases.py,
    tests/strategies.py, tests/wizard.py...), so a test module can be run, moved or deleted on
    its own."""
    found: set[str] = set()
    paths = (path for folder in READS_TEST_HELPERS for path in (root / folder).rglob("*.py"))
    for path in sorted(paths):
        module = ".".join(path.relative_to(root).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for name in _imported_modules(node, module):
                target = _test_module_in(name)
                if target is not None and target != module:
                    found.add(f"{module} imports {target}")
    return sorted(found)


def test_no_test_module_imports_another() -> None:
    assert imports_of_test_modules(APP.parent) == []


def test_the_check_sees_a_test_module_imported(tmp_path: Path) -> None:
    """The checker itself: each way of importing a test module is reported, a helper is not."""
    tests = tmp_path / "tests"
    (tests / "e2e").mkdir(parents=True)
    (tests / "helpers.py").write_text("from tests.test_b import CASE\n")
    (tests / "test_a.py").write_text(
        "import tests.test_b\nfrom tests import test_c\nfrom tests.helpers import x\n"
    )
    (tests / "test_b.py").write_text("def f() -> None:\n    from .test_a import y\n")
    (tests / "e2e" / "test_d.py").write_text("from ..test_b import CASE\n")
    (tests / "test_c.py").write_text("from tests.strategies import answers\n")
    (tmp_path / "benchmarks").mkdir()
    (tmp_path / "benchmarks" / "calibration.py").write_text("from tests.test_c import runs\n")
    assert imports_of_test_modules(tmp_path) == [
        "benchmarks.calibration imports tests.test_c",
        "tests.e2e.test_d imports tests.test_b",
        "tests.helpers imports tests.test_b",
        "tests.test_a imports tests.test_b",
        "tests.test_a imports tests.test_c",
        "tests.test_b imports tests.test_a",
    ]
