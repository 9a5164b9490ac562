"""The package stays free of Streamlit so the CLI, tests and pages share one implementation."""

from __future__ import annotations

import ast

from tests.conftest import APP_ROOT


def imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_nothing_under_tensions_imports_streamlit():
    offenders = [
        str(path.relative_to(APP_ROOT))
        for path in (APP_ROOT / "tensions").rglob("*.py")
        if any(name.split(".")[0] == "streamlit" for name in imported_modules(path))
    ]
    assert offenders == []
