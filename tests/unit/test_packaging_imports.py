"""Each side starts with the other side's packages missing.

A subprocess hides every module that its side's lock does not install (a ``sys.meta_path``
finder raises ``ModuleNotFoundError`` for them, as a real missing package would), imports
every module of the side, and builds the server app or the kiosk core. A stray import of
Qt in the server, or of SQLAlchemy in the kiosk, fails here rather than on a real install.
The ``zmos`` command then names the extra to install instead of printing a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.lockfiles import ROOT, modules_outside

HIDE = textwrap.dedent(
    """
    import importlib, importlib.abc, json, pkgutil, sys

    HIDDEN = frozenset(json.loads(sys.argv[1]))

    class Hide(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] in HIDDEN:
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, Hide())

    def fail(name):
        raise

    def import_all(package):
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, package + ".", onerror=fail):
            if not info.name.endswith(".migrations.env"):  # runs only under Alembic
                importlib.import_module(info.name)
    """
)

SERVER = """
import_all("shared"); import_all("server")
import zmos.cli, zmos.serving
from server.config import Settings
from server.main import create_app
data = sys.argv[2]
app = create_app(Settings(data_dir=data, database_url=f"sqlite:///{data}/zmos.db"))
print(json.dumps(sorted(m for m in HIDDEN if m in sys.modules)))
"""

KIOSK = """
import_all("shared"); import_all("desktop")
import zmos.cli
from desktop.app import build_core
from desktop.config import KioskSettings
build_core(KioskSettings(data_dir=sys.argv[2], credential_store="file")).close()
print(json.dumps(sorted(m for m in HIDDEN if m in sys.modules)))
"""

CLI = """
import contextlib, io
from zmos.cli import main
results = {}
for argv in json.loads(sys.argv[3]):
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        status = main(argv)
    results[" ".join(argv)] = [status, err.getvalue()]
print(json.dumps(results))
"""


def run_hidden(script: str, hidden: frozenset[str], tmp_path: Path, *args: str) -> object:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "HOME": str(tmp_path),
        "ZMOS_DATA_DIR": str(tmp_path / "server"),
        "ZMOS_KIOSK_DATA_DIR": str(tmp_path / "kiosk"),
    }
    env.pop("ZMOS_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", HIDE + script, json.dumps(sorted(hidden)), str(tmp_path), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_hidden_sets_name_each_sides_packages() -> None:
    assert {"PySide6", "cv2", "pyzbar", "keyring", "pytest"} <= modules_outside("server")
    assert {"fastapi", "sqlalchemy", "uvicorn", "alembic", "psycopg"} <= modules_outside("kiosk")


def test_the_server_starts_without_the_kiosk_packages(tmp_path: Path) -> None:
    assert run_hidden(SERVER, modules_outside("server"), tmp_path) == []


def test_the_kiosk_starts_without_the_server_stack(tmp_path: Path) -> None:
    assert run_hidden(KIOSK, modules_outside("kiosk"), tmp_path) == []


def _assert_names_extra(results: object, command: str, extra: str) -> None:
    assert isinstance(results, dict)
    status, stderr = results[command]
    assert status == 1
    assert f"pip install 'zmos[{extra}]'" in stderr
    assert "Traceback" not in stderr


def test_zmos_names_the_extra_a_subcommand_needs(tmp_path: Path) -> None:
    server_only = run_hidden(
        CLI, modules_outside("server"), tmp_path, json.dumps([["kiosk"], ["demo"]])
    )
    _assert_names_extra(server_only, "kiosk", "kiosk")
    _assert_names_extra(server_only, "demo", "server,kiosk")

    kiosk_only = run_hidden(
        CLI, modules_outside("kiosk"), tmp_path, json.dumps([["server"], ["db", "upgrade"]])
    )
    _assert_names_extra(kiosk_only, "server", "server")
    _assert_names_extra(kiosk_only, "db upgrade", "server")
    assert not (tmp_path / "server").exists(), "a failed 'zmos server' must not touch its data"
