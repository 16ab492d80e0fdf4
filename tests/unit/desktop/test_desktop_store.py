from __future__ import annotations

import gc
import sqlite3
import threading
from pathlib import Path

import pytest

from desktop.core.store import (
    SCHEMA_VERSION,
    DeviceRepository,
    Store,
    StoreError,
    StoreVersionError,
    SyncStatusRepository,
    connect,
    migrate,
    user_version,
)
from desktop.core.store import migrations as migrations_module
from shared.clock import utcnow


def test_fresh_database_uses_wal_full_sync_foreign_keys_and_latest_version(tmp_path: Path) -> None:
    store = Store(tmp_path / "kiosk.sqlite3")
    conn = store.connection()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert user_version(conn) == SCHEMA_VERSION >= 1
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"device", "tenant", "location", "staff", "sync_status", "store_meta"} <= tables
    store.close()


def test_reopening_is_idempotent_and_keeps_data_and_instance_id(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.sqlite3"
    store = Store(path)
    instance = store.instance_id
    with store.transaction() as conn:
        SyncStatusRepository(conn).record_failure(utcnow(), "boom")
    store.close()

    again = Store(path)
    assert again.instance_id == instance
    assert user_version(again.connection()) == SCHEMA_VERSION
    assert SyncStatusRepository(again.connection()).get().last_error == "boom"
    assert migrate(again.connection()) == SCHEMA_VERSION  # nothing left to apply
    again.close()


def test_newer_database_version_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.sqlite3"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 3}")
    conn.close()
    with pytest.raises(StoreVersionError, match="newer kiosk program"):
        Store(path)


def test_a_failing_migration_leaves_the_previous_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "kiosk.sqlite3"
    Store(path).close()
    broken = (
        *migrations_module.MIGRATIONS,
        migrations_module.Migration("CREATE TABLE ok (x); CREATE TABLE broken (;"),
    )
    monkeypatch.setattr("desktop.core.store.database.MIGRATIONS", broken)
    monkeypatch.setattr("desktop.core.store.database.SCHEMA_VERSION", len(broken))
    conn = connect(path)
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn)
    assert user_version(conn) == SCHEMA_VERSION
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'ok'").fetchone() is None
    conn.close()


def test_each_thread_gets_its_own_connection(tmp_path: Path) -> None:
    store = Store(tmp_path / "kiosk.sqlite3")
    main_conn = store.connection()
    seen: list[sqlite3.Connection] = []
    worker = threading.Thread(target=lambda: seen.append(store.connection()))
    worker.start()
    worker.join()
    assert seen and seen[0] is not main_conn
    assert store.connection() is main_conn
    store.close()


def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    store = Store(tmp_path / "kiosk.sqlite3")
    with pytest.raises(RuntimeError), store.transaction() as conn:
        conn.execute("INSERT INTO tenant (id, name) VALUES ('t', 'T')")
        raise RuntimeError("abort")
    assert store.connection().execute("SELECT count(*) FROM tenant").fetchone()[0] == 0
    assert DeviceRepository(store.connection()).get() is None
    store.close()


def test_close_lets_a_write_in_progress_in_another_thread_commit(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.sqlite3"
    store = Store(path)
    inside, finish = threading.Event(), threading.Event()
    failed: list[BaseException] = []

    def write() -> None:
        try:
            with store.transaction() as conn:
                conn.execute("INSERT INTO tenant (id, name) VALUES ('t', 'T')")
                inside.set()
                finish.wait(5)
                conn.execute("UPDATE tenant SET name = 'Tenant' WHERE id = 't'")
        except BaseException as exc:  # reported by the assertion below
            failed.append(exc)

    writer = threading.Thread(target=write)
    writer.start()
    assert inside.wait(5)
    threading.Timer(0.2, finish.set).start()  # the write goes on while close is called
    store.close()
    writer.join(5)
    assert not failed, failed
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT name FROM tenant").fetchall() == [("Tenant",)]
    finally:
        conn.close()


def test_close_leaves_a_read_in_progress_in_another_thread_to_finish(tmp_path: Path) -> None:
    """Closing a connection under a running statement crashes the process (the sync worker
    reading while the window closed did, in the UI tests): the reading thread finishes its
    read, then closes its connection itself and is refused the next one."""
    store = Store(tmp_path / "kiosk.sqlite3")
    started, answers, failed = threading.Event(), [], []

    def read() -> None:
        conn = store.connection()
        started.set()
        # A read long enough for close() to run in the middle of it.
        answers.append(
            conn.execute(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000)"
                " SELECT count(*) FROM n"
            ).fetchone()[0]
        )
        try:
            store.connection()
        except StoreError as exc:
            failed.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    assert started.wait(5)
    store.close()
    reader.join(30)
    assert answers == [3000000]
    assert len(failed) == 1 and "closed" in str(failed[0])
    with pytest.raises(StoreError, match="closed"):
        store.connection()


def _live_connections() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, sqlite3.Connection))


def test_no_connection_is_left_open_by_threads_that_have_ended(tmp_path: Path) -> None:
    """A kiosk runs every PIN check and enrolment on a thread of its own: each thread's
    connection goes with it, not kept open until the kiosk closes."""
    store = Store(tmp_path / "kiosk.sqlite3")
    before = _live_connections()
    for _ in range(5):
        worker = threading.Thread(target=lambda: store.connection().execute("SELECT 1"))
        worker.start()
        worker.join(5)
    assert _live_connections() == before
    store.close()


def test_a_closed_store_refuses_to_start_a_write(tmp_path: Path) -> None:
    store = Store(tmp_path / "kiosk.sqlite3")
    store.close()
    with pytest.raises(StoreError, match="closed"), store.transaction():
        pass
