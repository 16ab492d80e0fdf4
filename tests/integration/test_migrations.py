"""`zmos db upgrade` gives the same schema on SQLite and PostgreSQL, and it matches the models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.types import TypeEngine

from server.db.migrate import upgrade
from server.db.session import make_engine
from server.models import Base
from tests.conftest import PostgresDatabases


def _schema(url: str) -> dict[str, Any]:
    engine = make_engine(url, pool_size=1)
    try:
        inspector = inspect(engine)
        schema: dict[str, Any] = {}
        for table in sorted(inspector.get_table_names()):
            schema[table] = {
                "columns": sorted(
                    (c["name"], c["nullable"], _generic(c["type"]))
                    for c in inspector.get_columns(table)
                ),
                "pk": inspector.get_pk_constraint(table)["constrained_columns"],
                "fks": sorted(
                    (
                        tuple(fk["constrained_columns"]),
                        fk["referred_table"],
                        tuple(fk["referred_columns"]),
                    )
                    for fk in inspector.get_foreign_keys(table)
                ),
                "unique": sorted(
                    tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)
                ),
            }
            # PostgreSQL also lists the index behind each unique constraint; SQLite does not.
            schema[table]["indexes"] = sorted(
                (tuple(ix["column_names"]), bool(ix["unique"]))
                for ix in inspector.get_indexes(table)
                if not (ix["unique"] and tuple(ix["column_names"]) in schema[table]["unique"])
            )
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        schema["__model_diff__"] = [str(d) for d in diff]
        return schema
    finally:
        engine.dispose()


def _generic(sql_type: TypeEngine[Any]) -> str:
    # SQLite has no UUID type: SQLAlchemy's Uuid stores 32 hex characters there.
    if type(sql_type).__name__ in ("UUID", "Uuid") or (
        type(sql_type).__name__ == "CHAR" and getattr(sql_type, "length", None) == 32
    ):
        return "UUID"
    try:
        return (
            sql_type.as_generic()
            .__class__.__name__.upper()
            .replace("TEXT", "STRING")
            .replace("VARCHAR", "STRING")
        )
    except NotImplementedError:
        return sql_type.__class__.__name__.upper()


def test_upgrade_gives_the_same_schema_on_both_databases(
    tmp_path: Path, postgres: PostgresDatabases
) -> None:
    sqlite_url = f"sqlite:///{tmp_path / 'empty.db'}"
    postgres_url = postgres.create("zmos_migrate")
    upgrade(sqlite_url)
    upgrade(postgres_url)
    on_sqlite, on_postgres = _schema(sqlite_url), _schema(postgres_url)
    assert on_sqlite["__model_diff__"] == []
    assert on_postgres["__model_diff__"] == []
    assert on_sqlite == on_postgres
    # Every table's key leads with tenant_id: shardable by tenant.
    for table, shape in on_postgres.items():
        if table in ("__model_diff__", "alembic_version", "tenants"):
            continue
        assert shape["pk"][0] == "tenant_id", table
        for columns, _unique in shape["indexes"]:
            assert columns[0] == "tenant_id", (table, columns)
    # Upgrading again is a no-op.
    upgrade(sqlite_url)
    upgrade(postgres_url)
    assert _schema(postgres_url) == on_postgres
