"""Retention (AVG): old mentions lose what identifies a person; old collector runs go.

A mention older than ``retention.mentions_days`` keeps what statistics need (platform,
dates, engagement counts, classification, triage decision, topic) and loses its text,
title, url, author handle and raw payload; ``anonymised_at`` records when. What else names
or quotes its author goes with it: the rule-7 reply text, reply link and reason (the DMS
snapshot is the archived record; outcome, who, when, account and department stay), label
correction notes, and the urgent alert about it (its subject names the author; its copies
under var/reports/ are deleted, the ``deliveries`` row stays so it is never sent again), and
the saved copies of daily triage emails whose period ended before the limit (they quote
residents by handle; the weekly report pseudonymises and is kept).
Collector runs older than ``retention.collector_runs_days`` are deleted. Both are
idempotent: applying retention twice for the same moment changes nothing the second time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from store.db import transaction
from store.tables import collector_runs, deliveries, label_corrections, mentions, outcomes

if TYPE_CHECKING:
    from voelspriet.profile import Profile

# What identifies the writer or lets a reader find the post again.
# ``raw`` is a JSON column: sa.null() stores SQL NULL rather than the JSON value null.
ANONYMISED = {"text": "", "title": None, "url": None, "author_handle": None, "raw": sa.null()}
# The kind and the subject of an urgent alert (reports.alerts); its key is the mention id.
ALERT_KIND = "urgent_alert"
ANONYMISED_ALERT_SUBJECT = "Dringend: vermelding geanonimiseerd (bewaartermijn verstreken)"
# Emails that quote residents by handle and text (reports.daily).
DAILY_KIND = "daily_triage"


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
        copies = _clear_free_text(conn) + _old_daily_copies(conn, mentions_before)
        deleted_runs = conn.execute(
            sa.delete(collector_runs).where(collector_runs.c.started_at < runs_before)
        ).rowcount
    for path in copies:  # after the commit: a rolled-back run deletes nothing
        path.unlink(missing_ok=True)
        path.with_suffix(".html").unlink(missing_ok=True)
    return {"mentions_anonymised": anonymised, "collector_runs_deleted": deleted_runs}


def _old_daily_copies(conn: Connection, before: datetime) -> list[Path]:
    """Saved daily triage emails whose period ended before ``before`` (the row stays)."""
    paths = conn.execute(
        sa.select(deliveries.c.path).where(
            deliveries.c.kind == DAILY_KIND, deliveries.c.period_end < before,
            deliveries.c.path.is_not(None))
    ).scalars()
    return [Path(p) for p in paths]


def _clear_free_text(conn: Connection) -> list[Path]:
    """Clear what names or quotes the author of an anonymised mention; return alert copies."""
    anonymised_ids = sa.select(mentions.c.id).where(mentions.c.anonymised_at.is_not(None))
    conn.execute(
        sa.update(outcomes)
        .where(outcomes.c.mention_id.in_(anonymised_ids), sa.or_(
            outcomes.c.response_text.is_not(None), outcomes.c.response_url.is_not(None),
            outcomes.c.reason.is_not(None)))
        .values(response_text=None, response_url=None, reason=None)
    )
    conn.execute(
        sa.update(label_corrections)
        .where(label_corrections.c.mention_id.in_(anonymised_ids),
               label_corrections.c.note.is_not(None))
        .values(note=None)
    )
    alerts = (deliveries.c.kind == ALERT_KIND) & deliveries.c.key.in_(
        sa.select(sa.cast(mentions.c.id, sa.String)).where(mentions.c.anonymised_at.is_not(None)))
    stale = alerts & (deliveries.c.subject != ANONYMISED_ALERT_SUBJECT)
    paths = conn.execute(sa.select(deliveries.c.path).where(stale)).scalars().all()
    conn.execute(sa.update(deliveries).where(stale).values(subject=ANONYMISED_ALERT_SUBJECT))
    return [Path(p) for p in paths if p]
