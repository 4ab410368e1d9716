"""
### weekly_report

Every Monday at 08:00 (Europe/Amsterdam): the weekly sentiment report for the ISO week that
just ended (the run's data interval starts on the Monday before). Sent once per week: a
re-run or backfill finds the delivery already recorded and sends nothing.

Code: `reports/weekly.py`.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import CronDataIntervalTimetable, dag, task

from voelspriet.runtime import task_defaults

TZ = "Europe/Amsterdam"


@dag(
    dag_id="weekly_report",
    doc_md=__doc__,
    schedule=CronDataIntervalTimetable("0 8 * * 1", timezone=TZ),
    start_date=pendulum.datetime(2026, 11, 2, tz=TZ),
    catchup=False,
    tags=["voelspriet", "report"],
    default_args=task_defaults(
        retries=3, retry_delay=timedelta(minutes=2), max_retry_delay=timedelta(minutes=20),
        execution_timeout=timedelta(minutes=30),
    ),
)
def weekly_report():
    @task
    def send_weekly_report(data_interval_start=None) -> str:
        """Render and mail the report for the ISO week the data interval starts in."""
        from reports.weekly import send_weekly_report as send
        from voelspriet.runtime import pipeline

        year, week, _ = pendulum.instance(data_interval_start).in_timezone(TZ).isocalendar()
        with pipeline() as p:
            path = send(p.engine, p.profile, p.settings, f"{year}-W{week:02d}")
        return str(path)

    send_weekly_report()


weekly_report()
