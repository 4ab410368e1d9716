"""Collector cursors: read before a run, written in the same transaction as the data."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from store.db import upsert_insert
from store.tables import cursors


def get_cursor(conn: Connection, source: str) -> dict[str, Any] | None:
    return conn.execute(sa.select(cursors.c.cursor).where(cursors.c.source == source)).scalar()


def set_cursor(conn: Connection, source: str, cursor: dict[str, Any]) -> None:
    now = datetime.now(UTC)
    stmt = upsert_insert(conn, cursors).values(source=source, cursor=cursor, updated_at=now)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["source"], set_={"cursor": cursor, "updated_at": now}
        )
    )
