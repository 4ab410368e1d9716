"""Retention (AVG): old mentions lose what identifies a person; old collector runs go.

A mention older than ``retention.mentions_days`` keeps what statistics need (platform,
dates, engagement counts, classification, triage decision, topic) and loses its text,
title, url, author handle and raw payload; ``anonymised_at`` records when. Collector runs
older than ``retention.collector_runs_days`` are deleted. Both are idempotent: applying
retention twice for the same moment changes nothing the second time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from store.db import transaction
from store.tables import collector_runs, mentions

if TYPE_CHECKING:
    from voelspriet.profile import Profile

# What identifies the writer or lets a reader find the post again.
# ``raw`` is a JSON column: sa.null() stores SQL NULL rather than the JSON value null.
ANONYMISED = {"text": "", "title": None, "url": None, "author_handle": None, "raw": sa.null()}


def apply_retention(engine: Engine, profile: Profile, now: datetime) -> dict[str, int]:
    """Anonymise mentions and delete collector runs older than the profile allows."""
    mentions_before = now - timedelta(days=profile.retention.mentions_days)
    runs_before = now - timedelta(days=profile.retention.collector_runs_days)
    still_personal = sa.or_(
        mentions.c.anonymised_at.is_(None),
        # Collected again after anonymising (a platform re-served an old post).
        mentions.c.text != "",
        mentions.c.author_handle.is_not(None),
        mentions.c.url.is_not(None),
    )
    with transaction(engine) as conn:
        anonymised = conn.execute(
            sa.update(mentions)
            .where(mentions.c.created_at < mentions_before, still_personal)
            .values(**ANONYMISED, anonymised_at=now, updated_at=now)
        ).rowcount
        deleted_runs = conn.execute(
            sa.delete(collector_runs).where(collector_runs.c.started_at < runs_before)
        ).rowcount
    return {"mentions_anonymised": anonymised, "collector_runs_deleted": deleted_runs}
