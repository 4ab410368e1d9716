"""
### retrain

Every Sunday at 04:00 (Europe/Amsterdam), only when colleagues corrected labels since the
current model was trained: train a new model with the corrections. The new model replaces
the current one only when it scores at least as well on the held-out split; the decision and
both scores are logged. A promoted model updates the `model` asset, which starts `collect`,
so stored mentions are reclassified at once.

Code: `classifiers/retrain.py`.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import CronDataIntervalTimetable, dag, task

from voelspriet.runtime import MODEL, task_defaults

TZ = "Europe/Amsterdam"


@dag(
    dag_id="retrain",
    doc_md=__doc__,
    schedule=CronDataIntervalTimetable("0 4 * * 0", timezone=TZ),
    start_date=pendulum.datetime(2026, 11, 1, tz=TZ),
    catchup=False,
    max_active_runs=1,
    tags=["voelspriet", "classify", "model"],
    default_args=task_defaults(
        retries=1, retry_delay=timedelta(minutes=5), max_retry_delay=timedelta(minutes=30),
        execution_timeout=timedelta(hours=1),
    ),
)
def retrain():
    @task.short_circuit
    def new_corrections() -> int:
        """How many label corrections no model has used yet (none: skip the rest).

        A cheap first look; retrain_if_better decides exactly what is new since the model.
        """
        import sqlalchemy as sa

        from store.tables import label_corrections
        from voelspriet.runtime import pipeline

        with pipeline() as p, p.engine.connect() as conn:
            return conn.execute(
                sa.select(sa.func.count()).where(label_corrections.c.used_in_model.is_(None))
            ).scalar_one()

    @task.short_circuit
    def retrain_if_better() -> bool:
        """Train with the corrections; keep the new model only if it scores at least as well."""
        import logging

        from classifiers.retrain import retrain_if_better as retrain_model
        from voelspriet.runtime import pipeline

        with pipeline() as p:
            decision = retrain_model(p.engine, p.settings)  # also logged to var/models/
        logging.getLogger(__name__).info("retrain decision: %s", decision.reason)
        return decision.replaced

    @task(outlets=[MODEL])
    def model_promoted() -> None:
        """Announce the new model: `collect` runs and reclassifies with it."""

    new_corrections() >> retrain_if_better() >> model_promoted()


retrain()
