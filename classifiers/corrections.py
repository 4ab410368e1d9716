"""Label corrections made by staff, read from the store as training examples."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from classifiers.apply import mention_text
from classifiers.corpus import CorpusError, Example, parse_labels
from store.tables import label_corrections, mentions


def load_corrections(engine: Engine) -> list[Example]:
    """The latest correction per mention (id ``store:<mention id>``), anonymised mentions left out."""
    query = (
        sa.select(label_corrections.c.id, label_corrections.c.mention_id, label_corrections.c.labels,
                  mentions.c.title, mentions.c.text)
        .join(mentions, mentions.c.id == label_corrections.c.mention_id)
        .where(mentions.c.anonymised_at.is_(None))
        .order_by(label_corrections.c.corrected_at, label_corrections.c.id)
    )
    latest: dict[int, Example] = {}
    with engine.connect() as conn:
        for row in conn.execute(query):
            try:
                labels = parse_labels(row.labels, f"label_corrections.id={row.id}")
            except CorpusError:
                continue  # a malformed correction is not training data; the web form validates
            text = mention_text(row.title, row.text)
            if text.strip():
                latest[row.mention_id] = Example(f"store:{row.mention_id}", text, labels,
                                                 {"correction_id": row.id})
    return list(latest.values())


def newest_correction_id(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(label_corrections.c.id), 0))).scalar())
