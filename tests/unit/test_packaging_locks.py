"""The server and the kiosk install separately, from lock files that hold only their side.

A server install (``requirements/server.lock``) carries no Qt, OpenCV, zbar or keyring; a
kiosk install (``kiosk.lock``) no web server or database stack; neither carries test tools.
Every import in ``server/`` and ``desktop/``, including those inside functions, must come
from a distribution of its own side's lock, or production fails where the tests passed.
"""

from __future__ import annotations

import ast
import sys
from functools import cache

import pytest

from tests.lockfiles import (
    FIRST_PARTY,
    ROOT,
    SIDES,
    module_distributions,
    normalize,
    pyproject_requirements,
    read_lock,
)

KIOSK_ONLY = {
    "pyside6",
    "pyside6-essentials",
    "pyside6-addons",
    "shiboken6",
    "opencv-python",
    "opencv-python-headless",
    "opencv-contrib-python",
    "pyzbar",
    "keyring",
}
SERVER_STACK = {
    "fastapi",
    "starlette",
    "uvicorn",
    "sqlalchemy",
    "alembic",
    "psycopg",
    "psycopg-binary",
    "psycopg2",
    "psycopg2-binary",
}


def _is_dev_tool(name: str) -> bool:
    tools = {"hypothesis", "ruff", "mypy", "import-linter", "aiosmtpd", "coverage"}
    return name in tools or name.startswith(("pytest", "types-"))


@pytest.mark.parametrize("side", SIDES)
def test_every_requirement_is_pinned_with_hashes(side: str) -> None:
    lock = read_lock(side)
    assert lock.problems == []
    assert lock.pins, f"{side}.lock pins nothing"
    unhashed = sorted(name for name, pin in lock.pins.items() if not pin.hashes)
    assert unhashed == [], f"{side}.lock: no hash for {unhashed}"


def test_the_server_installs_no_kiosk_packages() -> None:
    assert sorted(KIOSK_ONLY & set(read_lock("server").pins)) == []


def test_the_kiosk_installs_no_server_stack() -> None:
    assert sorted(SERVER_STACK & set(read_lock("kiosk").pins)) == []


@pytest.mark.parametrize("side", ["server", "kiosk"])
def test_production_installs_carry_no_test_tools(side: str) -> None:
    assert sorted(filter(_is_dev_tool, read_lock(side).pins)) == []


@pytest.mark.parametrize("side", ["server", "kiosk"])
def test_the_tests_run_the_versions_production_installs(side: str) -> None:
    dev = read_lock("dev").pins
    differ = {
        name: (pin.version, dev[name].version if name in dev else None)
        for name, pin in read_lock(side).pins.items()
        if name not in dev or dev[name].version != pin.version
    }
    assert differ == {}, f"{side}.lock and dev.lock disagree (recompile: requirements/compile)"


@pytest.mark.parametrize(
    ("side", "groups"),
    [
        ("server", ("base", "server")),
        ("kiosk", ("base", "kiosk")),
        ("dev", ("base", "server", "kiosk", "dev")),
    ],
)
def test_each_lock_holds_what_pyproject_asks_for(side: str, groups: tuple[str, ...]) -> None:
    wanted = set().union(*(pyproject_requirements()[group] for group in groups))
    missing = sorted(wanted - set(read_lock(side).pins))
    assert missing == [], f"not in {side}.lock (recompile: requirements/compile)"


def test_the_extras_keep_to_their_side() -> None:
    extras = pyproject_requirements()
    assert sorted(KIOSK_ONLY & extras["server"]) == []
    assert sorted(SERVER_STACK & extras["kiosk"]) == []
    assert sorted(name for name in extras["base"] if name in KIOSK_ONLY | SERVER_STACK) == []


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


class _Imports(ast.NodeVisitor):
    """Top-level names of every absolute import, at any depth, except under TYPE_CHECKING."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_If(self, node: ast.If) -> None:
        if not _is_type_checking(node.test):
            self.generic_visit(node)
            return
        for statement in node.orelse:
            self.visit(statement)

    def visit_Import(self, node: ast.Import) -> None:
        self.names.update(alias.name.partition(".")[0] for alias in node.names)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level == 0 and node.module:
            self.names.add(node.module.partition(".")[0])


@cache
def third_party_imports(package: str) -> dict[str, list[str]]:
    """Third-party module -> the files of ``package`` that import it."""
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        visitor = _Imports()
        visitor.visit(ast.parse(path.read_text(), str(path)))
        for name in visitor.names - FIRST_PARTY - set(sys.stdlib_module_names):
            found.setdefault(name, []).append(str(path.relative_to(ROOT)))
    return found


def _outside_lock(package: str, allowed: set[str]) -> dict[str, list[str]]:
    provided = module_distributions()
    return {
        module: files
        for module, files in third_party_imports(package).items()
        if not provided.get(module, frozenset()) & allowed
    }


def test_the_server_imports_only_what_its_lock_installs() -> None:
    assert _outside_lock("server", set(read_lock("server").pins)) == {}


def test_the_kiosk_imports_only_what_its_lock_installs() -> None:
    assert _outside_lock("desktop", set(read_lock("kiosk").pins)) == {}


def test_shared_code_imports_only_what_both_sides_install() -> None:
    both = set(read_lock("server").pins) & set(read_lock("kiosk").pins)
    assert _outside_lock("shared", both) == {}


def test_the_import_scan_sees_function_level_imports() -> None:
    # The kiosk imports keyring, and shared code argon2 (the kiosk's PIN check), only inside
    # functions; the scan must see them.
    imports = third_party_imports("desktop")
    assert {"keyring", "PySide6", "cv2", "pyzbar"} <= set(imports)
    assert "argon2" in third_party_imports("shared")
    assert normalize("PySide6_Essentials") in module_distributions()["PySide6"]
    assert {"fastapi", "sqlalchemy", "psycopg"} <= set(third_party_imports("server"))
