"""Writing mentions: an idempotent upsert keyed on (platform, platform_id)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import NamedTuple

from sqlalchemy.engine import Connection

from store.db import upsert_insert
from store.tables import mention_sightings, mentions
from voelspriet.mention import Mention

# Engagement and the raw payload change as a post travels; an edited post keeps its
# latest text. Identity and the first collection time stay fixed.
REFRESHED_ON_CONFLICT = (
    "url", "author_handle", "title", "text", "language", "replies", "reposts", "likes",
    "reach", "raw", "relevance", "updated_at",
)
BATCH = 500


class Sighting(NamedTuple):
    """A mention as one source saw it, with the reason it was kept."""

    mention: Mention
    relevance: str | None
    source: str


def _row(mention: Mention, relevance: str | None, now: datetime) -> dict:
    return {
        "platform": mention.platform,
        "platform_id": mention.platform_id,
        "url": mention.url,
        "author_handle": mention.author_handle,
        "title": mention.title,
        "text": mention.text,
        "language": mention.language,
        "created_at": mention.created_at,
        "collected_at": mention.collected_at,
        "updated_at": now,
        "replies": mention.replies,
        "reposts": mention.reposts,
        "likes": mention.likes,
        "reach": mention.reach,
        "relevance": relevance,
        "raw": mention.raw,
    }


def upsert_mentions(
    conn: Connection, sightings: Iterable[Sighting], now: datetime | None = None
) -> dict[tuple[str, str], int]:
    """Store mentions and link every source that saw them; return ``key -> mention id``.

    A mention collected again updates its engagement counts; it is never duplicated.
    """
    now = now or datetime.now(UTC)
    sightings = list(sightings)
    rows = {s.mention.key: _row(s.mention, s.relevance, now) for s in sightings}
    ids: dict[tuple[str, str], int] = {}
    values = list(rows.values())
    for start in range(0, len(values), BATCH):
        stmt = upsert_insert(conn, mentions).values(values[start : start + BATCH])
        stmt = stmt.on_conflict_do_update(
            index_elements=["platform", "platform_id"],
            set_={name: stmt.excluded[name] for name in REFRESHED_ON_CONFLICT},
        ).returning(mentions.c.id, mentions.c.platform, mentions.c.platform_id)
        ids.update({(platform, pid): id_ for id_, platform, pid in conn.execute(stmt)})
    links = {(ids[s.mention.key], s.source) for s in sightings}
    link_rows = [
        {"mention_id": mid, "source": source, "first_seen_at": now, "last_seen_at": now}
        for mid, source in sorted(links)
    ]
    for start in range(0, len(link_rows), BATCH):
        seen = upsert_insert(conn, mention_sightings).values(link_rows[start : start + BATCH])
        conn.execute(
            seen.on_conflict_do_update(
                index_elements=["mention_id", "source"],
                set_={"last_seen_at": seen.excluded.last_seen_at},
            )
        )
    return ids
