"""Layers point down: the lower apps import nothing from the apps built on them.

Every import counts, at module level and inside functions (``ast`` sees both), so a
"lazy" import cannot hide a dependency that points up.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

FEATURE_APPS = {
    "accounts",
    "library",
    "nfo",
    "downloads",
    "system",
    "connect",
    "history",
    "episode_calendar",
}
FEATURE_APPS_ABOVE = {
    "library": FEATURE_APPS - {"library", "accounts"},
    "accounts": FEATURE_APPS - {"accounts"},
}
# The project package's composition root names the apps; the rest of ``aniworld`` is the
# toolkit every app uses, and names none of them.
COMPOSITION_ROOT = {"urls.py", "asgi.py", "routing.py", "startup.py", "serve.py"}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in a file, wherever it stands."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def upward_imports(app: str, apps_above: set[str]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in sorted((ROOT / app).rglob("*.py"))
        if "tests" not in path.relative_to(ROOT / app).parts
        for line, module in imported_modules(path)
        if module.split(".")[0] in apps_above
    ]


def test_imports_inside_functions_are_seen_too(tmp_path):
    module = tmp_path / "example.py"
    module.write_text("import os\n\ndef f():\n    from nfo.views import local_poster\n")
    assert imported_modules(module) == [(1, "os"), (4, "nfo.views")]


@pytest.mark.parametrize("app", sorted(FEATURE_APPS_ABOVE))
def test_an_app_imports_nothing_from_the_apps_above_it(app):
    assert upward_imports(app, FEATURE_APPS_ABOVE[app]) == []


def test_the_toolkit_imports_no_feature_app():
    upward = [
        finding
        for finding in upward_imports("aniworld", FEATURE_APPS)
        if Path(finding.split(":")[0]).name not in COMPOSITION_ROOT
    ]
    assert upward == []
