"""
### daily_triage

Every morning at 07:30 (Europe/Amsterdam): the triage email for Communicatie covering the
run's data interval (yesterday 07:30 up to today 07:30), rule 6: what needs a response, from
which account, by when, and why. Sent once per interval: a re-run or backfill finds the
delivery already recorded and sends nothing.

Code: `reports/daily.py`.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import CronDataIntervalTimetable, dag, task

from voelspriet.runtime import task_defaults

TZ = "Europe/Amsterdam"


@dag(
    dag_id="daily_triage",
    doc_md=__doc__,
    schedule=CronDataIntervalTimetable("30 7 * * *", timezone=TZ),
    start_date=pendulum.datetime(2026, 11, 1, tz=TZ),
    catchup=False,
    tags=["voelspriet", "report", "triage"],
    default_args=task_defaults(
        retries=3, retry_delay=timedelta(minutes=2), max_retry_delay=timedelta(minutes=20),
        execution_timeout=timedelta(minutes=15),
    ),
)
def daily_triage():
    @task
    def send_daily_triage(data_interval_start=None, data_interval_end=None) -> str:
        """Render and mail the daily triage for the data interval; return the report's path."""
        from reports.daily import send_daily_triage as send
        from voelspriet.runtime import pipeline

        with pipeline() as p:
            path = send(p.engine, p.profile, p.settings, data_interval_start, data_interval_end)
        return str(path)

    send_daily_triage()


daily_triage()
