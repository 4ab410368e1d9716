"""Classify stored mentions: one ``classifications`` row per mention and model version."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from classifiers.model import Model, load_model
from store.db import transaction, upsert_insert
from store.tables import classifications, mentions

log = logging.getLogger(__name__)

BATCH = 500


def mention_text(title: str | None, text: str | None) -> str:
    """What the model reads: a news headline and its body together."""
    return "\n".join(part for part in (title, text) if part)


def _pending(model_version: str, after_id: int, limit: int) -> sa.Select:
    # A mention collected again after it was classified may carry edited text (the store
    # keeps a post's latest text): its classification by this version is stale then.
    done = sa.select(classifications.c.mention_id).where(
        classifications.c.model_version == model_version,
        classifications.c.mention_id == mentions.c.id,
        classifications.c.classified_at >= mentions.c.updated_at,
    )
    return (
        sa.select(mentions.c.id, mentions.c.title, mentions.c.text)
        .where(mentions.c.id > after_id, mentions.c.anonymised_at.is_(None), ~sa.exists(done))
        .order_by(mentions.c.id)
        .limit(limit)
    )


def classify_with(
    engine: Engine, model: Model, *, batch: int = BATCH, progress: Callable[[int], None] | None = None
) -> int:
    """Write classifications by ``model`` for every mention that has none by its version.

    A mention collected again since its classification by this version is classified again.
    """
    written, after = 0, 0
    while True:
        with engine.connect() as conn:
            rows = conn.execute(_pending(model.version, after, batch)).all()
        if not rows:
            break
        predictions = model.predict([mention_text(r.title, r.text) for r in rows])
        now = datetime.now(UTC)
        values = [
            {
                "mention_id": r.id,
                "model_version": model.version,
                "labels": p.labels,
                "scores": p.scores,
                "needs_review": p.needs_review,
                "classified_at": now,
            }
            for r, p in zip(rows, predictions)
        ]
        with transaction(engine) as conn:
            # A stale classification (the mention was collected again) is replaced in place;
            # one a concurrent run wrote meanwhile is as new as ours and is kept.
            insert = upsert_insert(conn, classifications)
            insert = insert.on_conflict_do_update(
                index_elements=["mention_id", "model_version"],
                set_={name: insert.excluded[name]
                      for name in ("labels", "scores", "needs_review", "classified_at")},
                where=classifications.c.classified_at < insert.excluded.classified_at,
            )
            conn.execute(insert, values)
        written += len(values)
        after = rows[-1].id
        if progress:
            progress(len(rows))
    log.info("%d vermeldingen geclassificeerd met model %s", written, model.version)
    return written


def classify_pending(engine: Engine, model_path: Path | str) -> int:
    """Classify stored mentions that have no (up-to-date) classification by the current model version."""
    return classify_with(engine, load_model(model_path))
