"""
### retention

Every night at 03:15 (Europe/Amsterdam), AVG: mentions older than the profile's
`retention.mentions_days` lose their text, author and link (the counts stay for
statistics); collector runs older than `retention.collector_runs_days` are deleted.
Keyed on the data interval's end, so a re-run changes nothing.

Code: `store/retention.py`.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import CronDataIntervalTimetable, dag, task

from voelspriet.runtime import task_defaults

TZ = "Europe/Amsterdam"


@dag(
    dag_id="retention",
    doc_md=__doc__,
    schedule=CronDataIntervalTimetable("15 3 * * *", timezone=TZ),
    start_date=pendulum.datetime(2026, 11, 1, tz=TZ),
    catchup=False,
    tags=["voelspriet", "retention"],
    default_args=task_defaults(
        retries=2, retry_delay=timedelta(minutes=5), max_retry_delay=timedelta(minutes=30),
        execution_timeout=timedelta(minutes=30),
    ),
)
def retention():
    @task
    def apply_retention(data_interval_end=None) -> dict:
        """Anonymise old mentions and prune old collector runs; return the counts."""
        from store.retention import apply_retention as apply
        from voelspriet.runtime import pipeline

        with pipeline() as p:
            return apply(p.engine, p.profile, data_interval_end)

    apply_retention()


retention()
