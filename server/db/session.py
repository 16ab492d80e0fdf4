"""Engine and session factory for SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin_before_savepoint(connection: Connection, _name: str) -> None:
    """pysqlite opens a transaction only before a data-changing statement, so a SAVEPOINT
    that comes first would itself be the transaction, and releasing it would commit at once:
    a later failure could no longer take back what the savepoint held. Open the outer
    transaction first, as every other database does."""
    driver = connection.connection.driver_connection
    if driver is not None and not driver.in_transaction:
        driver.execute("BEGIN")


def make_engine(url: str, *, pool_size: int = 8, autocommit: bool = False) -> Engine:
    """An engine whose pool holds as many connections as requests run at once.

    Size it to the server's worker threads: a smaller pool would open and close
    connections under load, and each new PostgreSQL connection is a process. An
    ``autocommit`` engine serves single-statement reads without BEGIN and ROLLBACK.
    """
    options: dict[str, Any] = {"isolation_level": "AUTOCOMMIT"} if autocommit else {}
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            pool_size=pool_size,
            max_overflow=0,
            connect_args={"check_same_thread": False, "timeout": 30},
            **options,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        if not autocommit:
            event.listen(engine, "savepoint", _sqlite_begin_before_savepoint)
        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=0, pool_recycle=1800, **options)


#: How the server's sessions behave: loaded objects stay usable after a commit, and nothing
#: is flushed before a query unless the code asks.
SESSION_OPTIONS: dict[str, Any] = {"expire_on_commit": False, "autoflush": False}
