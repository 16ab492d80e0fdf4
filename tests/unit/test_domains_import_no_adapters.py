"""No domain knows which adapters run: outside the adapters themselves and the wiring
(``server.bootstrap``, ``server.main``, ``server.routes``), no module of the server imports
an adapter or the wiring, however it spells the import. (import-linter checks the same in
CI; this runs with the tests.)"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SERVER = Path(__file__).resolve().parents[2] / "server"
#: What only the wiring may import.
WIRING_ONLY = ("server.adapters", "server.bootstrap", "server.main", "server.routes")
#: Where importing them is the point.
ALLOWED = ("server.adapters", "server.bootstrap", "server.main", "server.routes")


def module_name(path: Path) -> str:
    parts = path.relative_to(SERVER.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def imported(source: str, module: str, is_package: bool = False) -> Iterator[str]:
    """Every module ``source`` imports, written as an absolute name (``from x import y`` gives
    both ``x`` and ``x.y``); string arguments of ``import_module``/``__import__`` too."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, module, is_package)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if name in ("import_module", "__import__") and isinstance(first, ast.Constant):
                yield str(first.value)


def forbidden(source: str, module: str, is_package: bool = False) -> list[str]:
    return sorted(
        {
            name
            for name in imported(source, module, is_package)
            if any(name == w or name.startswith(w + ".") for w in WIRING_ONLY)
        }
    )


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_no_domain_module_imports_an_adapter_or_the_wiring() -> None:
    found = {}
    checked = 0
    for path in sorted(SERVER.rglob("*.py")):
        module = module_name(path)
        if _under(module, ALLOWED) or "migrations" in path.parts:
            continue
        checked += 1
        bad = forbidden(path.read_text(), module, path.name == "__init__.py")
        if bad:
            found[module] = bad
    assert checked > 200  # the walk saw the server's domains
    assert found == {}


def test_the_check_catches_every_spelling() -> None:
    spellings = [
        "from server.adapters.zhep_payments import ZhepPayments",
        "import server.adapters.log_events",
        "from server import adapters",
        "from server import bootstrap",
        "from ...adapters import in_person_payments",
        "from ... import main",
        "import importlib\nimportlib.import_module('server.adapters.smtp_notifications')",
        "def f():\n    from server.routes import api_router",
    ]
    for source in spellings:
        assert forbidden(source, "server.sales.deep.service"), source
    assert forbidden("from .adapters import x", "server", is_package=True)
    fine = "from server.ports.payments import PaymentService\nfrom ..plans import service\n"
    assert forbidden(fine, "server.sales.service") == []
