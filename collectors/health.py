"""Silent-source detection: a source that stopped producing, or keeps failing, is an incident.

A source is **silent** when it brought no new mention for much longer than its usual gap
(the median gap between the moments it brought new mentions over the last 30 days), and
**failing** when its last few runs all failed. The maintainers get one mail per incident:
the incident is keyed on the source and the moment it began (the last new mention, or the
first failure of the streak), so the 15-minute checks, re-runs and backfills never repeat it,
and a new incident after a recovery is mailed again.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING

import sqlalchemy as sa
from markupsafe import escape
from sqlalchemy.engine import Connection, Engine

from store.tables import collector_runs, mention_sightings

if TYPE_CHECKING:
    from voelspriet.profile import Profile
    from voelspriet.settings import Settings

HISTORY = timedelta(days=30)
SILENCE_FACTOR = 4
MIN_SILENCE = timedelta(hours=6)
MIN_PRODUCTIVE_MOMENTS = 3  # fewer and the usual gap is a guess
FAILING_RUNS = 3


@dataclass(frozen=True)
class Incident:
    """One problem with one source, from ``since`` until it recovers."""

    source: str
    kind: str  # silent | failing
    since: datetime
    detail: str

    @property
    def key(self) -> str:
        return f"{self.source}:{self.kind}:{self.since.isoformat()}"


def _new_mention_moments(conn: Connection, source: str, now: datetime) -> list[datetime]:
    """When ``source`` first saw mentions (one moment per stored batch), oldest first."""
    seen_by = sa.or_(mention_sightings.c.source == source,
                     mention_sightings.c.source.like(f"{source}:%"))
    rows = conn.execute(
        sa.select(mention_sightings.c.first_seen_at)
        .where(seen_by, mention_sightings.c.first_seen_at <= now,
               mention_sightings.c.first_seen_at > now - HISTORY)
        .distinct()
        .order_by(mention_sightings.c.first_seen_at)
    )
    return [row.first_seen_at for row in rows]


def silence(conn: Connection, source: str, now: datetime) -> Incident | None:
    """A silent incident when the time since the last new mention is far beyond the usual gap."""
    moments = _new_mention_moments(conn, source, now)
    if len(moments) < MIN_PRODUCTIVE_MOMENTS:
        return None
    usual = statistics.median(b - a for a, b in pairwise(moments))
    quiet = now - moments[-1]
    if quiet <= max(SILENCE_FACTOR * usual, MIN_SILENCE):
        return None
    return Incident(
        source, "silent", moments[-1],
        f"Bron {source} heeft sinds {moments[-1]:%Y-%m-%d %H:%M} UTC ({_hours(quiet)}) niets "
        f"nieuws opgeleverd; normaal zit er ongeveer {_hours(usual)} tussen.",
    )


def failing(conn: Connection, source: str, now: datetime) -> Incident | None:
    """A failing incident when the last ``FAILING_RUNS`` runs of ``source`` all failed."""
    runs = conn.execute(
        sa.select(collector_runs.c.started_at, collector_runs.c.status, collector_runs.c.error)
        .where(collector_runs.c.source == source, collector_runs.c.started_at <= now)
        .order_by(collector_runs.c.started_at.desc())
        .limit(1000)
    ).all()
    streak = []
    for run in runs:
        if run.status != "failed":
            break
        streak.append(run)
    if len(streak) < FAILING_RUNS:
        return None
    first = streak[-1]
    return Incident(
        source, "failing", first.started_at,
        f"Bron {source} is de laatste {len(streak)} keer mislukt, sinds "
        f"{first.started_at:%Y-%m-%d %H:%M} UTC. Laatste fout: {streak[0].error}",
    )


def find_incidents(engine: Engine, sources: list[str], now: datetime) -> list[Incident]:
    """Every open incident among ``sources`` at ``now``."""
    found = []
    with engine.connect() as conn:
        for source in sources:
            found += [i for i in (failing(conn, source, now), silence(conn, source, now)) if i]
    return found


def alert_silent_sources(
    engine: Engine, profile: Profile, settings: Settings, now: datetime
) -> list[str]:
    """Mail the maintainers once per open incident; return the incidents' keys."""
    from reports.mail import deliver

    incidents = find_incidents(engine, profile.enabled_sources(), now)
    for incident in incidents:
        deliver(
            engine, settings,
            kind="source_health",
            key=incident.key,
            subject=f"voelspriet: bron {incident.source} "
                    f"{'is stil gevallen' if incident.kind == 'silent' else 'blijft mislukken'}",
            html=f"<p>{escape(incident.detail)}</p><p>{escape(_ADVICE)}</p>",
            text=f"{incident.detail}\n\n{_ADVICE}\n",
            recipients=profile.recipients.maintainers,
        )
    return [incident.key for incident in incidents]


_ADVICE = (
    "Controleer de verbinding (Airflow-connection) en de instellingen van deze bron in het "
    "profiel, en bekijk de logs van de taak collect_source in Airflow. U krijgt over dit "
    "probleem geen nieuwe mail; wel als de bron herstelt en later opnieuw uitvalt."
)


def _hours(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.0f} uur" if hours >= 1 else f"{delta.total_seconds() / 60:.0f} minuten"
