"""Helpers shared by the collector tests: a profile with one source, fixtures, stored rows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from store.tables import collector_runs, cursors, mention_sightings, mentions
from voelspriet.profile import Profile, Source

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_text(platform: str, name: str) -> str:
    return (FIXTURES / platform / name).read_text(encoding="utf-8")


def fixture_json(platform: str, name: str) -> Any:
    return json.loads(fixture_text(platform, name))


def profile_with(profile: Profile, name: str, **settings: Any) -> Profile:
    """``profile`` with only the source ``name`` (enabled), configured by ``settings``."""
    return profile.model_copy(update={"sources": {name: Source(**settings)}})


def stored(engine: sa.Engine) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.select(mentions).order_by(mentions.c.id))]


def sightings_of(engine: sa.Engine) -> set[tuple[str, str]]:
    query = sa.select(mentions.c.platform_id, mention_sightings.c.source).join(
        mention_sightings, mention_sightings.c.mention_id == mentions.c.id
    )
    with engine.connect() as conn:
        return {(pid, source) for pid, source in conn.execute(query)}


def cursor_of(engine: sa.Engine, source: str) -> dict | None:
    with engine.connect() as conn:
        return conn.execute(sa.select(cursors.c.cursor).where(cursors.c.source == source)).scalar()


def last_run(engine: sa.Engine) -> dict:
    with engine.connect() as conn:
        row = conn.execute(sa.select(collector_runs).order_by(collector_runs.c.id.desc())).first()
    return dict(row._mapping)
