"""
### collect

Every 15 minutes, and at once when `retrain` promotes a new model:

1. **collect_source**, one mapped task per enabled source in the profile. Live runs continue
   from the source's stored cursor; a backfill run (or `use_data_interval`) collects exactly
   the run's data interval. Mentions are upserted, so no run ever duplicates one.
   A failing source fails alone and is retried with exponential backoff; the others go on.
2. **classify** what was stored and has no classification by the current model, then
   **triage** it (rule 6), then send **urgent_alerts** (each alert once, whatever re-runs).
3. **source_health** mails the maintainers once per incident when a source falls silent
   or keeps failing (`collectors/health.py`).
4. **sources_failed** fails the run when a source failed, so the run shows red after
   everything else still ran.

Code: `collectors/runner.py`, `classifiers/apply.py`, `classifiers/triage.py`,
`reports/alerts.py`, `collectors/health.py`.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import (
    AssetOrTimeSchedule,
    CronDataIntervalTimetable,
    Param,
    TriggerRule,
    dag,
    task,
)

from voelspriet.runtime import MENTIONS, MODEL, TRIAGE, task_defaults

TZ = "Europe/Amsterdam"


@dag(
    dag_id="collect",
    doc_md=__doc__,
    schedule=AssetOrTimeSchedule(
        timetable=CronDataIntervalTimetable("*/15 * * * *", timezone=TZ), assets=[MODEL]
    ),
    start_date=pendulum.datetime(2026, 11, 1, tz=TZ),
    catchup=False,
    max_active_runs=1,  # runs share the sources' cursors
    dagrun_timeout=timedelta(minutes=45),
    tags=["voelspriet", "collect", "classify", "triage", "alerts"],
    default_args=task_defaults(
        retries=3, retry_delay=timedelta(seconds=30), max_retry_delay=timedelta(minutes=5),
        execution_timeout=timedelta(minutes=10),
    ),
    params={
        "use_data_interval": Param(
            False, type="boolean",
            description="Collect exactly the data interval instead of continuing from the cursor.",
        ),
    },
)
def collect():
    @task
    def enabled_sources() -> list[str]:
        """The profile's enabled sources: one collect_source task each."""
        from voelspriet.runtime import pipeline

        with pipeline() as p:
            return p.profile.enabled_sources()

    # A source that keeps failing is reported once per incident by source_health, not on
    # every 15-minute run, so this task has no failure mail of its own.
    @task(outlets=[MENTIONS], on_failure_callback=None, map_index_template="{{ source }}")
    def collect_source(source: str, **context) -> dict:
        """Collect one source into the store; raise when the source failed, so it is retried."""
        from airflow.sdk.exceptions import AirflowSkipException

        from collectors.base import SourceError, Window
        from collectors.runner import collect as collect_into_store
        from voelspriet.runtime import pipeline

        start, end = context.get("data_interval_start"), context.get("data_interval_end")
        exact = context["params"]["use_data_interval"] or context["dag_run"].run_type == "backfill"
        window = Window(start, end) if exact and start is not None else None
        with pipeline() as p:
            result = collect_into_store(p.engine, p.profile, source, window)
        if result.status == "skipped":
            raise AirflowSkipException(result.error)
        if result.status == "failed":
            raise SourceError(f"bron {source} is mislukt: {result.error}")
        return {"source": source, "fetched": result.fetched, "stored": result.stored,
                "dropped": result.dropped}

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def classify() -> int:
        """Classify every stored mention that the current model has not classified yet."""
        from classifiers.apply import classify_pending
        from voelspriet.runtime import pipeline

        with pipeline() as p:
            return classify_pending(p.engine, p.settings.model_path)

    @task(outlets=[TRIAGE])
    def triage(**context) -> int:
        """Decide the rule-6 action for every new or changed classification."""
        from classifiers.triage import triage_pending
        from voelspriet.runtime import pipeline, run_moment

        with pipeline() as p:
            return triage_pending(p.engine, p.profile, run_moment(context))

    @task
    def urgent_alerts(**context) -> int:
        """Mail the urgent mentions to webcare; each mention is alerted once."""
        from reports.alerts import send_urgent_alerts
        from voelspriet.runtime import pipeline, run_moment

        with pipeline() as p:
            return send_urgent_alerts(p.engine, p.profile, p.settings, run_moment(context))

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def source_health(**context) -> list[str]:
        """Mail the maintainers about sources that fell silent or keep failing, once each."""
        from collectors.health import alert_silent_sources
        from voelspriet.runtime import pipeline, run_moment

        with pipeline() as p:
            return alert_silent_sources(p.engine, p.profile, p.settings, run_moment(context))

    @task(trigger_rule=TriggerRule.ONE_FAILED, on_failure_callback=None, retries=0)
    def sources_failed() -> None:
        """Fail the run when a source failed (skipped when none did)."""
        from collectors.base import SourceError

        raise SourceError("een of meer bronnen zijn mislukt; zie de taken collect_source.")

    collected = collect_source.expand(source=enabled_sources())
    triaged = triage()
    collected >> classify() >> triaged >> urgent_alerts()
    collected >> source_health()
    collected >> sources_failed()


collect()
