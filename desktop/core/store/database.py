"""The kiosk's local SQLite database: one file, WAL, fsync'd commits, its own migrations."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from desktop.core.store.migrations import MIGRATIONS, SCHEMA_VERSION
from shared.ids import new_id

log = logging.getLogger(__name__)

_BUSY_TIMEOUT_MS = 5_000
#: WAL pages before a commit checkpoints by itself. Kept high so that a check-in's commit
#: rarely pays for a checkpoint: the sync worker calls :meth:`Store.checkpoint` instead.
WAL_AUTOCHECKPOINT_PAGES = 8_000


class StoreError(Exception):
    """The local database cannot be used; the message says why in words."""


class StoreVersionError(StoreError):
    """The database was written by a newer kiosk program than this one."""


def connect(path: Path) -> sqlite3.Connection:
    """A connection with the pragmas every kiosk connection needs.

    ``isolation_level=None`` hands transaction control to us: writes happen only inside
    :func:`transaction`, never in a transaction the sqlite3 module opened implicitly.
    """
    conn = sqlite3.connect(
        path, isolation_level=None, check_same_thread=False, timeout=_BUSY_TIMEOUT_MS / 1000
    )
    conn.row_factory = sqlite3.Row
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal" and str(path) != ":memory:":
        conn.close()
        raise StoreError(f"The kiosk database at {path} cannot use write-ahead logging")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
    conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One explicit write transaction: committed on success, rolled back on any error."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, path: Path | str = "the kiosk database") -> int:
    """Apply the scripts this database has not seen yet; returns the resulting version."""
    current = user_version(conn)
    if current > SCHEMA_VERSION:
        raise StoreVersionError(
            f"The kiosk database at {path} has schema version {current}, but this kiosk "
            f"program only knows versions up to {SCHEMA_VERSION}. It was written by a newer "
            "kiosk program: install that version again, or move the data folder aside and "
            "enrol this kiosk again."
        )
    for version in range(current + 1, SCHEMA_VERSION + 1):
        migration = MIGRATIONS[version - 1]
        for name, function in migration.functions.items():
            conn.create_function(name, 1, function, deterministic=True)
        # executescript commits any open transaction first, so BEGIN goes inside the script.
        try:
            conn.executescript(
                f"BEGIN IMMEDIATE;\n{migration.script}\nPRAGMA user_version = {version};\nCOMMIT;"
            )
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    if current < SCHEMA_VERSION:
        # What a migration removed (e.g. PIN hashes) leaves the log too, not only the file.
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return user_version(conn)


class Store:
    """The kiosk database, shared by the UI thread and the sync worker thread.

    Every thread gets its own connection (sqlite3 connections must not be used by two
    threads at once); WAL lets the UI read while the worker writes.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        #: Each thread's connection. Only its thread uses or closes it; a thread that ends
        #: takes its connection with it (the thread's locals are freed, the connection closed).
        self._local = threading.local()
        self._lock = threading.Lock()
        self._closed = False
        #: Write transactions running now, in any thread: :meth:`close` lets them finish.
        self._writing = 0
        self._idle = threading.Condition(self._lock)
        self._outbox_listeners: list[Callable[[], None]] = []
        conn = self.connection()
        migrate(conn, path)
        with transaction(conn):
            conn.execute(
                "INSERT OR IGNORE INTO store_meta (key, value) VALUES ('instance_id', ?)",
                (str(new_id()),),
            )

    def connection(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None and not self._closed:
            return conn
        with self._lock:
            if self._closed:
                if conn is not None:  # left open by close(): this thread was using it
                    self._local.conn = None
                    conn.close()
                raise StoreError("The kiosk database has been closed")
            conn = connect(self.path)
        self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection in a write transaction; outbox listeners hear of it
        once it commits, if it added outbox rows."""
        local = self._local
        local.outbox_written = False
        with self._lock:
            if self._closed:
                raise StoreError("The kiosk database has been closed")
            self._writing += 1
        try:
            with transaction(self.connection()) as conn:
                yield conn
        except BaseException:
            local.outbox_written = False
            raise
        finally:
            with self._lock:
                self._writing -= 1
                self._idle.notify_all()
        if local.outbox_written:
            local.outbox_written = False
            for listener in list(self._outbox_listeners):
                listener()

    def mark_outbox_written(self) -> None:
        """Called by whoever appends to the outbox inside :meth:`transaction`."""
        self._local.outbox_written = True

    def on_outbox_write(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` (in the writing thread) after each committed transaction that
        added outbox rows, so the sync worker can push at once. Returns an unsubscribe."""
        self._outbox_listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._outbox_listeners:
                self._outbox_listeners.remove(listener)

        return unsubscribe

    @property
    def instance_id(self) -> str:
        """A random id made when this database file was created: a copied or restored file
        shows up as another device and must enrol again."""
        row = (
            self.connection()
            .execute("SELECT value FROM store_meta WHERE key = 'instance_id'")
            .fetchone()
        )
        return str(row["value"])

    def checkpoint(self) -> None:
        """Copy committed WAL pages into the database file without blocking writers."""
        self.connection().execute("PRAGMA wal_checkpoint(PASSIVE)")

    def close(self, wait_seconds: float = 2.0) -> None:
        """Refuse new reads and writes, let writes in progress (in other threads) commit or
        roll back, then close this thread's connection.

        Another thread's connection is not closed from here: that thread may be in the
        middle of a read, and closing a connection under a running statement crashes the
        process. The thread closes it itself the next time it asks for it (and gets
        :class:`StoreError`), or as it ends."""
        with self._lock:
            self._closed = True
            if not self._idle.wait_for(lambda: self._writing == 0, wait_seconds):
                log.warning("A write to the kiosk database did not finish before closing")
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            self._local.conn = None
            conn.close()
