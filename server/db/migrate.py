"""Schema migrations through Alembic, driven from code (``zmos db upgrade``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head", *, secret_key: str | None = None) -> None:
    """``secret_key``: the server's, for migrations that seal health data already stored
    (without it they read the settings, and only when there is something to seal)."""
    config = alembic_config(url)
    if secret_key is not None:
        config.attributes["secret_key"] = secret_key
    command.upgrade(config, revision)


def downgrade(url: str, revision: str, *, secret_key: str | None = None) -> None:
    config = alembic_config(url)
    if secret_key is not None:
        config.attributes["secret_key"] = secret_key
    command.downgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()
