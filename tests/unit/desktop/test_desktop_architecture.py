"""The kiosk's core never imports Qt; its UI never runs SQL."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

DESKTOP = Path(__file__).resolve().parents[3] / "desktop"


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_sources_never_import_qt() -> None:
    files = sorted((DESKTOP / "core").rglob("*.py"))
    assert files
    offenders = {
        str(f.relative_to(DESKTOP)): sorted(
            m
            for m in imported_modules(f)
            if m.split(".")[0] in {"PySide6", "PyQt5", "PyQt6", "shiboken6", "qtpy"}
        )
        for f in files
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_importing_and_using_core_loads_no_qt_module() -> None:
    code = (
        "import sys, desktop.app, desktop.core.kiosk, desktop.core.sync.client, "
        "desktop.core.store, desktop.core.credentials, desktop.core.location\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'PySide6', 'shiboken6'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=DESKTOP.parent, check=True
    )
    assert out.stdout.strip() == "[]"


def test_ui_never_touches_sqlite() -> None:
    for f in sorted((DESKTOP / "ui").rglob("*.py")):
        modules = imported_modules(f)
        assert "sqlite3" not in modules, f
        assert not any(m.startswith("desktop.core.store") for m in modules), f
        assert ".execute(" not in f.read_text(encoding="utf-8"), f
