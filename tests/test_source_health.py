"""Silent-source detection: silence beyond the usual gap and failure streaks are incidents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from collectors.health import find_incidents
from store.db import transaction
from store.mentions import Sighting, upsert_mentions
from store.tables import collector_runs
from voelspriet.mention import Mention

T0 = datetime(2026, 11, 1, 0, 0, tzinfo=UTC)


def _new_mentions_at(engine, source: str, moments: list[datetime]) -> None:
    for i, moment in enumerate(moments):
        mention = Mention(platform="x", platform_id=f"{source}-{i}", url=None, author_handle="a",
                          text="Heemstede", created_at=moment)
        with transaction(engine) as conn:
            upsert_mentions(conn, [Sighting(mention, "noemt 'Heemstede'", source)], now=moment)


def _runs(engine, source: str, statuses: list[str], start: datetime) -> None:
    with transaction(engine) as conn:
        for i, status in enumerate(statuses):
            conn.execute(sa.insert(collector_runs).values(
                source=source, started_at=start + timedelta(minutes=15 * i), status=status,
                error="HTTP 503" if status == "failed" else None))


def test_a_source_quiet_far_beyond_its_usual_gap_is_silent(sqlite_engine):
    hourly = [T0 + timedelta(hours=h) for h in range(48)]
    _new_mentions_at(sqlite_engine, "x", hourly)
    last = hourly[-1]
    assert find_incidents(sqlite_engine, ["x"], last + timedelta(hours=5)) == []
    [incident] = find_incidents(sqlite_engine, ["x"], last + timedelta(hours=7))
    assert (incident.source, incident.kind, incident.since) == ("x", "silent", last)
    # Checked again later, it is the same incident: the same key, so one mail.
    [later] = find_incidents(sqlite_engine, ["x"], last + timedelta(hours=30))
    assert later.key == incident.key


def test_a_source_that_usually_posts_daily_may_be_quiet_for_days(sqlite_engine):
    daily = [T0 + timedelta(days=d) for d in range(10)]
    _new_mentions_at(sqlite_engine, "news:gemeente", daily)
    assert find_incidents(sqlite_engine, ["news"], daily[-1] + timedelta(days=3)) == []
    [incident] = find_incidents(sqlite_engine, ["news"], daily[-1] + timedelta(days=5))
    assert incident.kind == "silent" and incident.source == "news"


def test_too_little_history_is_no_incident(sqlite_engine):
    _new_mentions_at(sqlite_engine, "x", [T0, T0 + timedelta(hours=1)])
    assert find_incidents(sqlite_engine, ["x"], T0 + timedelta(days=20)) == []


def test_three_failed_runs_in_a_row_are_one_incident_until_it_recovers(sqlite_engine):
    _runs(sqlite_engine, "reddit", ["ok", "failed", "failed"], T0)
    end = T0 + timedelta(hours=1)
    assert find_incidents(sqlite_engine, ["reddit"], end) == []
    _runs(sqlite_engine, "reddit", ["failed", "failed"], T0 + timedelta(minutes=45))
    [incident] = find_incidents(sqlite_engine, ["reddit"], end + timedelta(hours=1))
    assert incident.kind == "failing"
    assert incident.since == T0 + timedelta(minutes=15)  # the first failure of the streak
    assert "HTTP 503" in incident.detail
    _runs(sqlite_engine, "reddit", ["ok"], T0 + timedelta(hours=3))
    assert find_incidents(sqlite_engine, ["reddit"], T0 + timedelta(hours=4)) == []


def test_only_the_named_sources_are_checked(sqlite_engine):
    _runs(sqlite_engine, "mastodon", ["failed"] * 5, T0)
    assert find_incidents(sqlite_engine, ["x"], T0 + timedelta(hours=2)) == []
