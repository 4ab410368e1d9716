"""The daily triage email: what needs a reply, a consideration or passing on (rule 6).

The Airflow DAG runs at 07:30 Europe/Amsterdam and passes its data interval as the period.
Mentions belong to the period in which they were first triaged (``decided_at``), so each
appears in exactly one email. When a day's email was never delivered (a failed run nobody
re-ran), the next email starts where the last delivered one ended, so nothing is skipped;
re-running an interval a later email already covered sends nothing again.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from reports.dutch import local_time, long_date
from reports.mail import deliver, delivered_path
from reports.templating import render
from reports.triage_cards import GROUPS, card_query, load_cards
from store.db import transaction
from store.tables import deliveries, triage_decisions
from voelspriet.errors import VoelsprietError
from voelspriet.profile import Profile
from voelspriet.settings import Settings

KIND = "daily_triage"
DAILY_AT = time(7, 30)
CHART_CID = "onderwerpen.png"


def daily_period(day: date, timezone: str = "Europe/Amsterdam") -> tuple[datetime, datetime]:
    """The period the email of ``day`` covers: 07:30 the day before until 07:30 that day."""
    zone = ZoneInfo(timezone)
    end = datetime.combine(day, DAILY_AT, tzinfo=zone)
    start = datetime.combine(day - timedelta(days=1), DAILY_AT, tzinfo=zone)
    # In UTC: Python subtracts and compares datetimes that share a zone by wall-clock time.
    return start.astimezone(UTC), end.astimezone(UTC)


def latest_period_day(now: datetime, timezone: str = "Europe/Amsterdam") -> date:
    """The day of the most recent period that has ended at ``now``."""
    local = now.astimezone(ZoneInfo(timezone))
    return local.date() if local.time() >= DAILY_AT else local.date() - timedelta(days=1)


def _covering_path(conn, period_start: datetime, period_end: datetime) -> Path | None:
    """The copy of an earlier-sent email that already covered the whole period, if any."""
    path = conn.execute(
        sa.select(deliveries.c.path).where(
            deliveries.c.kind == KIND,
            deliveries.c.period_start <= period_start,
            deliveries.c.period_end >= period_end,
        ).order_by(deliveries.c.period_end).limit(1)
    ).scalar_one_or_none()
    return None if path is None else Path(path)


def _effective_start(conn, period_start: datetime, period_end: datetime) -> datetime:
    """Where this email starts: where the last one sent before it ended, else the period start."""
    previous_end = conn.execute(
        sa.select(sa.func.max(deliveries.c.period_end)).where(
            deliveries.c.kind == KIND, deliveries.c.period_end <= period_end
        )
    ).scalar_one_or_none()
    if previous_end is None:
        return period_start
    return previous_end


def build_daily(engine: Engine, profile: Profile, start: datetime, end: datetime) -> dict:
    """Subject, HTML, text and inline images of the daily email for [start, end)."""
    policy = profile.policy
    in_period = (triage_decisions.c.decided_at >= start) & (triage_decisions.c.decided_at < end)
    with transaction(engine) as conn:
        cards = load_cards(
            conn,
            card_query().where(in_period, triage_decisions.c.action.in_([a for a, _ in GROUPS])),
            profile, policy,
        )
        without_action = conn.execute(
            sa.select(sa.func.count()).select_from(triage_decisions)
            .where(in_period, triage_decisions.c.action == "none")
        ).scalar_one()
    groups = [
        {"action": action, "title": title, "cards": [c for c in cards if c.action == action]}
        for action, title in GROUPS
    ]
    counts = {g["action"]: len(g["cards"]) for g in groups}
    topics = Counter(card.topic or "geen onderwerp herkend" for card in cards)
    inline = {}
    if cards:
        from reports.charts import daily_topics_chart

        inline[CHART_CID] = daily_topics_chart(dict(topics))
    tz = profile.timezone
    day = long_date(end, tz)
    if cards:
        subject = (f"Triage {day}: {counts['respond']} reageren, "
                   f"{counts['consider_response']} overwegen, {counts['signal']} doorgeven")
    else:
        subject = f"Triage {day}: rustige dag"
    context = {
        "subject": subject,
        "municipality": profile.municipality.name,
        "day": day,
        "period": f"van {local_time(start, tz)} tot {local_time(end, tz)}",
        "groups": groups,
        "counts": counts,
        "without_action": without_action,
        "needs_review": sum(card.needs_review for card in cards),
        "quiet": not cards,
        "chart_cid": CHART_CID if inline else None,
        "topics": topics.most_common(),
    }
    return {
        "subject": subject,
        "html": render("daily.html", **context),
        "text": render("daily.txt", **context),
        "inline_images": inline,
    }


def send_daily_triage(
    engine: Engine, profile: Profile, settings: Settings,
    period_start: datetime, period_end: datetime,
) -> Path:
    """Build and deliver the daily triage email for the period; return the .eml copy."""
    if period_start.tzinfo is None or period_end.tzinfo is None or period_start >= period_end:
        raise VoelsprietError(
            f"ongeldig tijdvak {period_start} tot {period_end}: geef twee tijden met tijdzone, "
            "de eerste vóór de tweede."
        )
    key = period_end.astimezone(ZoneInfo(profile.timezone)).date().isoformat()
    already = delivered_path(engine, KIND, key)
    if already is not None:
        return already
    with transaction(engine) as conn:
        covering = _covering_path(conn, period_start, period_end)
        if covering is not None:
            return covering
        start = _effective_start(conn, period_start, period_end)
    email = build_daily(engine, profile, start, period_end)
    return deliver(
        engine, settings, kind=KIND, key=key, subject=email["subject"], html=email["html"],
        text=email["text"], recipients=profile.recipients.daily_triage,
        inline_images=email["inline_images"], period=(start, period_end),
    )
