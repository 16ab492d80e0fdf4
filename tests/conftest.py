"""Fixtures shared by the whole suite.

Integration tests run once on SQLite and once on PostgreSQL. The PostgreSQL server is the one
the test command (``./dev test``) installs and starts; it passes an admin URL in
``ZMOS_TEST_POSTGRES_URL``. Tests run in parallel (pytest-xdist): each worker process gets its
own new databases on that server (named after the worker, dropped when it ends) and its own
temporary directories, so no two workers ever share a database or a file.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Generator, Iterator
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import HealthCheck, settings
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from server.db.migrate import upgrade
from server.db.session import make_engine
from server.models import Base
from tests import integrated_mode

POSTGRES_ENV = "ZMOS_TEST_POSTGRES_URL"

# Hypothesis's own timing checks (an example slower than 200 ms, slow data generation) are
# wall-clock assertions: they fail a correct rule on a busy machine. Speed is measured by
# the benchmarks; here only the properties count.
settings.register_profile("zmos", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("zmos")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "default_workers",
        "pytest-xdist workers (a number or 'auto') when -n is not given; 0 runs in-process",
        default="0",
    )


@pytest.hookimpl(wrapper=True)
def pytest_cmdline_main(config: pytest.Config) -> Generator[None, object, object]:
    """Run in parallel by default (the ``default_workers`` setting), as if ``-n`` had been
    given. Not ``-n`` in ``addopts``: that option exists only with pytest-xdist loaded, and
    ``-p no:xdist`` (or ``-n 0``) must still give a plain in-process run for debugging."""
    option = config.option
    wanted = (
        config.pluginmanager.hasplugin("xdist")
        and not hasattr(config, "workerinput")  # a worker is told what to do by the main process
        and getattr(option, "numprocesses", 0) is None
        and not option.usepdb
    )
    if wanted:
        workers = str(config.getini("default_workers")).strip()
        option.numprocesses = workers if workers in ("auto", "logical") else int(workers)
        if option.numprocesses and option.dist == "no":
            option.dist = "loadgroup"
    return (yield)


def pytest_configure(config: pytest.Config) -> None:
    integrated_mode.configure(config)


def pytest_unconfigure(config: pytest.Config) -> None:
    integrated_mode.unconfigure()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``slow`` (each runs for many seconds) go first, so that the parallel
    workers share them out at the start instead of one worker running them at the end while
    the others are idle. A stable sort: the order is otherwise unchanged, and the same in
    every worker, as pytest-xdist requires."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """What the OpenAPI fuzz ran (operations and cases per role and backend): its tests
    record it as a user property, which pytest-xdist carries back from the workers."""
    lines = [
        f"{report.nodeid.rsplit('::', 1)[-1]}: {value}"
        for kind in ("passed", "failed")
        for report in terminalreporter.stats.get(kind, [])
        if getattr(report, "when", None) == "call"
        for name, value in getattr(report, "user_properties", [])
        if name == "fuzz"
    ]
    if lines:
        terminalreporter.write_sep("-", "OpenAPI fuzz")
        for line in sorted(lines):
            terminalreporter.write_line(line)


def postgres_admin_url() -> str:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.fail(
            f"PostgreSQL tests need {POSTGRES_ENV} (an admin URL such as "
            "postgresql+psycopg://zmos:zmos@127.0.0.1:5432/postgres); './dev test' sets it up",
            pytrace=False,
        )
    return url


def worker_id() -> str:
    """This pytest-xdist worker's name ("gw0", "gw1"…), or "main" without xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


class PostgresDatabases:
    """Creates throw-away databases on the test PostgreSQL server and drops them at the end."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self._admin: Engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []

    def create(self, prefix: str = "zmos_test") -> str:
        name = f"{prefix}_{worker_id()}_{uuid.uuid4().hex[:12]}"
        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
            # A commit need not wait for its WAL to reach the disk: a throw-away database
            # loses nothing a test looks at (only an operating-system crash would lose the
            # last commits), and the suite's many small transactions stop waiting on fsync.
            connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit TO off'))
        self.created.append(name)
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        with self._admin.connect() as connection:
            for name in self.created:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self._admin.dispose()


@pytest.fixture
def midday() -> Iterator[datetime]:
    """The wall clock set to noon today in London (it keeps ticking from there).

    For tests about "today" that place classes hours before or after now: run near midnight
    they would fall on another day. The servers these tests start run in this process, so
    they read the same clock. Request it before any fixture that issues tokens (first in the
    argument list, or with ``usefixtures``), so that nothing is stamped after the clock's
    new now."""
    zone = ZoneInfo("Europe/London")
    noon = datetime.combine(datetime.now(zone).date(), time(12), zone)
    with time_machine.travel(noon, tick=True):
        yield noon


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresDatabases]:
    databases = PostgresDatabases(postgres_admin_url())
    yield databases
    databases.drop_all()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "zmos.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_migrated(postgres: PostgresDatabases) -> str:
    url = postgres.create()
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def postgres_cleaner(postgres_migrated: str) -> Iterator[Engine]:
    """One connection that empties the worker's database before each test: opening one
    (a new server process and a SCRAM handshake) cost more than the emptying itself."""
    engine = make_engine(postgres_migrated, pool_size=1)
    yield engine
    engine.dispose()


#: A table holding at least this many rows is truncated rather than deleted from.
MANY_ROWS = 1000


def _empty_all_tables(engine: Engine) -> None:
    """Remove every row a test left, in one transaction.

    TRUNCATE makes new files for every table it names: 0.15-0.4 s a test for all of them,
    where deleting the few rows a test wrote takes milliseconds. But a DELETE checks each
    row's foreign keys against its child tables, where the rows just deleted still lie
    (dead, until vacuumed): after an import of 10,000 members that took 15 s. So tables
    with many rows are truncated, the others deleted from, children before parents. The
    only trigger TRUNCATE skips is the audit log's (which refuses to DELETE young entries).
    """
    names = [table.name for table in Base.metadata.sorted_tables]
    probe = " UNION ALL ".join(
        f"SELECT '{name}', count(*) FROM (SELECT 1 FROM \"{name}\" LIMIT {MANY_ROWS}) AS r"
        for name in names
    )
    with engine.begin() as connection:
        rows: dict[str, int] = {name: count for name, count in connection.exec_driver_sql(probe)}
        # The audit log refuses to DELETE young entries (a trigger); TRUNCATE fires no
        # row trigger.
        many = [
            name
            for name in names
            if rows[name] >= MANY_ROWS or (name == "audit_entries" and rows[name] > 0)
        ]
        if many:
            listed = ", ".join(f'"{name}"' for name in many)
            connection.exec_driver_sql(f"TRUNCATE {listed} CASCADE")
        few = [name for name in reversed(names) if 0 < rows[name] < MANY_ROWS and name not in many]
        if few:
            connection.exec_driver_sql("; ".join(f'DELETE FROM "{name}"' for name in few))


#: The database backends integration tests run on: both, unless ``ZMOS_TEST_BACKENDS`` names
#: some (the integrated pass of ``./dev test`` runs on SQLite only: the mode changes which
#: adapters run, not how the databases behave, and the standalone pass ran both).
BACKENDS = [
    name.strip()
    for name in os.environ.get("ZMOS_TEST_BACKENDS", "sqlite,postgresql").split(",")
    if name.strip() in ("sqlite", "postgresql")
] or ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "zmos.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url: str = request.getfixturevalue("postgres_migrated")
    _empty_all_tables(request.getfixturevalue("postgres_cleaner"))
    yield url
