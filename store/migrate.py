"""Alembic migrations, run programmatically (no alembic.ini needed)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.exc import DatabaseError, OperationalError

from store.db import explain, parse_url

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the store at ``url`` to ``revision``."""
    parse_url(url)
    try:
        command.upgrade(alembic_config(url), revision)
    except (OperationalError, DatabaseError) as exc:
        raise explain(url, exc) from exc


def check_current(engine) -> None:
    """Raise a StoreError unless the store at ``engine`` is migrated to head."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from voelspriet.errors import StoreError

    url = str(engine.url)
    heads = set(ScriptDirectory.from_config(alembic_config(url)).get_heads())
    try:
        with engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    except (OperationalError, DatabaseError) as exc:
        raise explain(url, exc) from exc
    if current != heads:
        raise StoreError(
            f"database {engine.url.render_as_string(hide_password=True)} heeft schema "
            f"{', '.join(sorted(current)) or 'geen'}, verwacht {', '.join(sorted(heads))}. "
            "Oplossing: voer 'voelspriet db upgrade' uit."
        )
