"""The store on SQLite and PostgreSQL: migrations, idempotent upsert, cursors, errors."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from store.cursors import get_cursor, set_cursor
from store.db import open_store, transaction
from store.mentions import Sighting, upsert_mentions
from store.tables import mention_sightings, mentions, metadata
from voelspriet.errors import StoreError
from voelspriet.mention import Mention

T0 = datetime(2026, 11, 18, 7, 12, tzinfo=UTC)


def make(pid: str = "1", **kw) -> Mention:
    fields = dict(platform="x", platform_id=pid, url=f"https://x.com/a/status/{pid}",
                  author_handle="a", text="Parkeren op de Binnenweg in Heemstede", created_at=T0,
                  replies=1, reposts=0, likes=2)
    fields.update(kw)
    return Mention(**fields)


def test_migrations_create_every_table(engine):
    names = set(sa.inspect(engine).get_table_names())
    assert set(metadata.tables) <= names
    assert "alembic_version" in names


def test_upsert_updates_engagement_and_never_duplicates(engine):
    with transaction(engine) as conn:
        first = upsert_mentions(conn, [Sighting(make(), "noemt 'heemstede'", "x")])
    with transaction(engine) as conn:
        again = upsert_mentions(conn, [Sighting(make(replies=40, likes=90), "noemt 'heemstede'", "x")])
    assert first == again
    with engine.connect() as conn:
        rows = conn.execute(sa.select(mentions)).mappings().all()
    assert len(rows) == 1
    assert (rows[0]["replies"], rows[0]["likes"]) == (40, 90)
    assert rows[0]["created_at"] == T0  # comes back timezone-aware, in UTC


def test_one_article_in_two_feeds_is_stored_once_with_both_sightings(engine):
    article = make("https://example.nl/a", platform="news")
    with transaction(engine) as conn:
        ids = upsert_mentions(
            conn, [Sighting(article, None, "news:nhnieuws"), Sighting(article, None, "news:google")]
        )
    with engine.connect() as conn:
        sources = conn.execute(sa.select(mention_sightings.c.source)).scalars().all()
        count = conn.execute(sa.select(sa.func.count()).select_from(mentions)).scalar()
    assert count == 1 and len(ids) == 1
    assert sorted(sources) == ["news:google", "news:nhnieuws"]


def test_many_mentions_in_batches(engine):
    batch = [Sighting(make(str(i), created_at=T0 + timedelta(minutes=i)), None, "x") for i in range(1234)]
    with transaction(engine) as conn:
        ids = upsert_mentions(conn, batch)
    assert len(set(ids.values())) == 1234


def test_cursor_is_saved_with_the_data_or_not_at_all(engine):
    with pytest.raises(RuntimeError), transaction(engine) as conn:
        upsert_mentions(conn, [Sighting(make(), None, "x")])
        set_cursor(conn, "x", {"since_id": "1"})
        raise RuntimeError("crash half-way")
    with engine.connect() as conn:
        assert get_cursor(conn, "x") is None
        assert conn.execute(sa.select(sa.func.count()).select_from(mentions)).scalar() == 0
    with transaction(engine) as conn:
        set_cursor(conn, "x", {"since_id": "1"})
        set_cursor(conn, "x", {"since_id": "2"})
    with engine.connect() as conn:
        assert get_cursor(conn, "x") == {"since_id": "2"}


def test_mention_rejects_naive_datetimes_and_unknown_platforms():
    with pytest.raises(ValueError, match="timezone-aware"):
        make(created_at=datetime(2026, 11, 18))
    with pytest.raises(ValueError, match="unknown platform"):
        replace(make(), platform="myspace")


def test_missing_sqlite_file_says_to_run_db_upgrade(tmp_path):
    with pytest.raises(StoreError, match="voelspriet db upgrade"):
        open_store(f"sqlite:///{tmp_path / 'nope.db'}")


def test_corrupt_sqlite_file_is_named(tmp_path):
    path = tmp_path / "voelspriet.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="geen SQLite-database"):
        open_store(f"sqlite:///{path}")


def test_unmigrated_store_is_refused(tmp_path):
    path = tmp_path / "voelspriet.db"
    sa.create_engine(f"sqlite:///{path}").connect().close()
    with pytest.raises(StoreError, match="voelspriet db upgrade"):
        open_store(f"sqlite:///{path}")


def test_unreachable_postgresql_is_one_clear_error():
    with pytest.raises(StoreError, match="niet bereikbaar"):
        open_store("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")


def test_locked_sqlite_gives_a_clear_error(tmp_path, monkeypatch):
    import store.db

    monkeypatch.setattr(store.db, "SQLITE_BUSY_TIMEOUT_S", 0.1)
    url = f"sqlite:///{tmp_path / 'voelspriet.db'}"
    from store.migrate import upgrade

    upgrade(url)
    holder = store.db.create_engine(url)
    conn = holder.connect()
    conn.exec_driver_sql("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError, match="ander proces"):
            with transaction(store.db.create_engine(url)) as other:
                upsert_mentions(other, [Sighting(make(), None, "x")])
    finally:
        conn.rollback()
        conn.close()


def test_migrations_match_the_table_definitions(engine):
    """`alembic upgrade head` builds exactly what store/tables.py declares."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)

    def ours(diff) -> bool:
        # The full-text search structures are built by hand in a migration: SQLite's FTS5
        # tables and PostgreSQL's expression index have no SQLAlchemy Core declaration.
        name = getattr(diff[1], "name", "") if isinstance(diff, tuple) else ""
        return not (name.startswith("mentions_fts") or name == "ix_mentions_search")

    assert [d for d in diffs if ours(d)] == []
