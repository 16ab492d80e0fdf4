"""A savepoint taken before any write still belongs to the unit of work's transaction."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from server.db.session import SESSION_OPTIONS, make_engine
from server.db.uow import SqlAlchemyUnitOfWork


def _factory(url: str) -> sessionmaker[Session]:
    engine = make_engine(url, pool_size=2)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE IF NOT EXISTS notes (body TEXT)")
        connection.exec_driver_sql("DELETE FROM notes")
    return sessionmaker(engine, **SESSION_OPTIONS)


def _count(factory: sessionmaker[Session]) -> int:
    with factory() as db:
        return int(db.execute(text("SELECT count(*) FROM notes")).scalar_one())


def test_a_released_first_savepoint_is_rolled_back_with_its_transaction(tmp_path: Path) -> None:
    # Without the outer BEGIN, pysqlite lets the SAVEPOINT be the transaction and its
    # RELEASE commit the row, so the rollback below would leave it stored.
    factory = _factory(f"sqlite:///{tmp_path / 'savepoints.db'}")
    with SqlAlchemyUnitOfWork(factory) as uow:
        savepoint = uow.db.begin_nested()
        uow.db.execute(text("INSERT INTO notes (body) VALUES ('held')"))
        savepoint.commit()
        # No commit: leaving the unit of work rolls everything back.
    assert _count(factory) == 0

    with SqlAlchemyUnitOfWork(factory) as uow:
        savepoint = uow.db.begin_nested()
        uow.db.execute(text("INSERT INTO notes (body) VALUES ('kept')"))
        savepoint.commit()
        uow.commit()
    assert _count(factory) == 1


def test_a_rolled_back_savepoint_keeps_the_writes_before_it(tmp_path: Path) -> None:
    factory = _factory(f"sqlite:///{tmp_path / 'savepoints.db'}")
    with SqlAlchemyUnitOfWork(factory) as uow:
        uow.db.execute(text("INSERT INTO notes (body) VALUES ('before')"))
        savepoint = uow.db.begin_nested()
        uow.db.execute(text("INSERT INTO notes (body) VALUES ('inside')"))
        savepoint.rollback()
        uow.commit()
    with factory() as db:
        assert db.execute(text("SELECT body FROM notes")).scalars().all() == ["before"]
