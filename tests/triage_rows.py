"""Store rows for triage and report tests: mentions with a classification, as classify would write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

import sqlalchemy as sa

from store.tables import classifications, mentions

_ids = count(1)
T0 = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)


def add_mention(
    engine, *, labels: list[str], text: str = "Iets over de gemeente Heemstede",
    platform: str = "x", scores: dict | None = None, needs_review: bool = False,
    created_at: datetime = T0, observed_after: timedelta = timedelta(hours=2),
    replies: int | None = 0, reposts: int | None = 0, reach: int | None = None,
    url: str | None = "https://x.com/buurman/status/1", author: str | None = "@buurman",
    title: str | None = None, model_version: str = "test-1",
) -> int:
    """Insert a mention seen ``observed_after`` its posting, with one classification; its id."""
    n = next(_ids)
    seen = created_at + observed_after
    with engine.begin() as conn:
        mention_id = conn.execute(sa.insert(mentions).values(
            platform=platform, platform_id=f"p{n}", url=url, author_handle=author, title=title,
            text=text, language="nl", created_at=created_at, collected_at=seen, updated_at=seen,
            replies=replies, reposts=reposts, likes=0, reach=reach, raw={},
        ).returning(mentions.c.id)).scalar_one()
        classify(conn, mention_id, labels, scores=scores, needs_review=needs_review,
                 model_version=model_version, at=seen)
    return mention_id


def classify(conn, mention_id: int, labels: list[str], *, scores: dict | None = None,
             needs_review: bool = False, model_version: str = "test-1",
             at: datetime = T0) -> int:
    """A classifications row as classifiers.apply.classify_pending writes it."""
    scores = scores or {label: (0.9 if label in labels else 0.05) for label in
                        ("praise", "criticism", "factual_error", "offensive", "policy_question", "other")}
    return conn.execute(sa.insert(classifications).values(
        mention_id=mention_id, model_version=model_version, labels=labels, scores=scores,
        needs_review=needs_review, classified_at=at,
    ).returning(classifications.c.id)).scalar_one()
