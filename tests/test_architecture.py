"""The layers hold: imports go down (import-linter), and no import hides inside a function."""

import ast
from pathlib import Path

from importlinter.cli import EXIT_STATUS_SUCCESS, lint_imports

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "servicedesk"
# Imports that must wait for Django: the command line sets Django up before it loads anything,
# and AppConfig.ready() runs once the models are loaded (Django's app-loading order).
DEFERRED_ALLOWED = {"cli.py"}


def test_imports_go_down_the_layers():
    """The contracts in pyproject.toml ([tool.importlinter]) are kept."""
    status = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    assert status == EXIT_STATUS_SUCCESS


def _function_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if node.name == "ready":  # AppConfig.ready(): the app-loading hook
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.ImportFrom) and (inner.module or "").startswith("servicedesk"):
                found.append(f"{path.relative_to(PACKAGE)}:{inner.lineno} {inner.module}")
    return found


def test_no_import_of_the_project_inside_a_function():
    """A deferred import is how a cycle hides; the layers make it unnecessary."""
    found = [
        hit
        for path in sorted(PACKAGE.rglob("*.py"))
        if "migrations" not in path.parts and path.name not in DEFERRED_ALLOWED
        for hit in _function_imports(path)
    ]
    assert found == []


def test_core_names_no_app():
    apps = {p.name for p in PACKAGE.iterdir() if (p / "apps.py").exists()} - {"core"}
    for path in (PACKAGE / "core").rglob("*.py"):
        text = path.read_text()
        for app in apps:
            assert f"servicedesk.{app}" not in text, f"core/{path.name} names {app}"
