"""Queries the reports need: mentions of a period with their latest labels, decision and outcomes.

Rows come back as plain dicts (one per mention or outcome) so that reports can build DataFrames
without this module knowing pandas. Times are timezone-aware UTC.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from store.db import transaction
from store.tables import classifications, mentions, outcomes, triage_decisions


def _latest_classifications() -> sa.Subquery:
    """One row per mention: its most recent classification (ties broken by the higher id)."""
    rank = sa.func.row_number().over(
        partition_by=classifications.c.mention_id,
        order_by=(classifications.c.classified_at.desc(), classifications.c.id.desc()),
    )
    ranked = sa.select(
        classifications.c.mention_id,
        classifications.c.labels,
        classifications.c.scores,
        rank.label("rank"),
    ).subquery("ranked")
    return (
        sa.select(ranked.c.mention_id, ranked.c.labels, ranked.c.scores)
        .where(ranked.c.rank == 1)
        .subquery("latest")
    )


def mentions_with_labels(engine: Engine, start: datetime, end: datetime) -> list[dict]:
    """Mentions created in [start, end) with latest labels, triage action and topic.

    ``labels`` is ``None`` for a mention that has not been classified yet; ``action`` and
    ``topic`` are ``None`` without a triage decision.
    """
    latest = _latest_classifications()
    m = mentions.c
    query = (
        sa.select(
            m.id.label("mention_id"), m.platform, m.platform_id, m.url, m.author_handle, m.title,
            m.text, m.created_at, m.replies, m.reposts, m.likes, m.reach,
            latest.c.labels, latest.c.scores,
            triage_decisions.c.action, triage_decisions.c.topic, triage_decisions.c.status,
        )
        .select_from(mentions)
        .outerjoin(latest, latest.c.mention_id == m.id)
        .outerjoin(triage_decisions, triage_decisions.c.mention_id == m.id)
        .where(m.created_at >= start, m.created_at < end)
        .order_by(m.created_at, m.id)
    )
    with transaction(engine) as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def outcomes_for_mentions_between(engine: Engine, start: datetime, end: datetime) -> list[dict]:
    """Every rule-7 outcome row of the mentions created in [start, end)."""
    o = outcomes.c
    query = (
        sa.select(o.id.label("outcome_id"), o.mention_id, o.outcome, o.recorded_at, o.responded_at,
                  o.account)
        .select_from(outcomes.join(mentions, mentions.c.id == o.mention_id))
        .where(mentions.c.created_at >= start, mentions.c.created_at < end)
        .order_by(o.mention_id, o.recorded_at, o.id)
    )
    with transaction(engine) as conn:
        return [dict(row._mapping) for row in conn.execute(query)]
