"""Opening the store: one engine per URL, errors a person can act on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError

from voelspriet.errors import StoreError

SQLITE_BUSY_TIMEOUT_S = 15


def parse_url(url: str) -> sa.URL:
    """``url`` parsed; a StoreError (never echoing the URL: it may hold a password) if it is not one."""
    hint = ("verwacht sqlite:///pad/naar/voelspriet.db of postgresql+psycopg://gebruiker@host/database. "
            "Oplossing: verbeter VOELSPRIET_DATABASE_URL.")
    try:
        parsed = sa.make_url(url)
    except ArgumentError:
        raise StoreError(f"VOELSPRIET_DATABASE_URL is geen database-URL; {hint}") from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise StoreError(
            f"VOELSPRIET_DATABASE_URL gebruikt database {parsed.get_backend_name()!r}; {hint}"
        )
    return parsed


def create_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys, WAL and a busy timeout."""
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def describe(url: str) -> str:
    """The URL without its password, for messages and logs."""
    return parse_url(url).render_as_string(hide_password=True)


def explain(url: str, exc: Exception) -> StoreError:
    """Turn a driver error into one line that says what to do."""
    text = str(getattr(exc, "orig", exc) or exc).strip().splitlines()[0]
    where = describe(url)
    low = text.lower()
    if "locked" in low or "busy" in low:
        hint = "een ander proces gebruikt de database; wacht tot het klaar is en probeer opnieuw"
    elif "file is not a database" in low or "malformed" in low or "not a database" in low:
        hint = "het bestand is beschadigd of geen SQLite-database; zet een back-up terug"
    elif "no such table" in low or ("relation" in low and "does not exist" in low):
        hint = "de database is nog niet ingericht; voer 'voelspriet db upgrade' uit"
    elif "connection" in low or "could not connect" in low or "unable to open" in low:
        hint = "de database is niet bereikbaar; controleer VOELSPRIET_DATABASE_URL"
    else:
        hint = "controleer VOELSPRIET_DATABASE_URL en de database"
    return StoreError(f"database {where}: {text}. Oplossing: {hint}.")


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction; driver errors become a StoreError that names the database."""
    try:
        with engine.begin() as conn:
            yield conn
    except (OperationalError, DatabaseError) as exc:
        raise explain(str(engine.url), exc) from exc


def upsert_insert(conn: Connection, table: sa.Table):
    """An INSERT that supports ``on_conflict_do_update`` on SQLite and PostgreSQL."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def open_store(url: str) -> Engine:
    """An engine for an existing, migrated store; a StoreError says what to do otherwise."""
    from store.migrate import check_current

    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database
        if path and path != ":memory:" and not Path(path).exists():
            raise StoreError(
                f"database {path} bestaat niet. Oplossing: voer 'voelspriet db upgrade' uit."
            )
    engine = create_engine(url)
    check_current(engine)
    return engine
