"""Every DAG file parses, cheaply and without credentials, into the DAG it promises to be."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta

import pendulum
import pytest

from voelspriet.settings import ROOT

DAGS = {
    "collect": "*/15 * * * *",
    "daily_triage": "30 7 * * *",
    "weekly_report": "0 8 * * 1",
    "retrain": "0 4 * * 0",
    "retention": "15 3 * * *",
}
# Failing sources are mailed once per incident by source_health, not on every run.
NO_FAILURE_MAIL = {("collect", "collect_source"), ("collect", "sources_failed")}
HEAVY = ["pandas", "sklearn", "matplotlib", "tweepy", "praw", "feedparser", "mastodon",
         "atproto", "weasyprint", "store.db", "collectors.runner",
         "classifiers.apply", "reports.mail"]


def test_every_dag_file_imports(dagbag):
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) == set(DAGS)
    files = {path.stem for path in (ROOT / "dags").glob("*.py")}
    assert files == set(DAGS), "one DAG per file, file name = dag_id"


@pytest.mark.parametrize("dag_id", DAGS)
def test_dag_is_documented_tagged_and_not_catching_up(dagbag, dag_id):
    dag = dagbag.get_dag(dag_id)
    assert dag.doc_md and f"### {dag_id}" in dag.doc_md
    assert "voelspriet" in dag.tags
    assert dag.catchup is False
    local = pendulum.instance(dag.start_date).in_timezone("Europe/Amsterdam")
    assert (local.year, local.hour, local.minute) == (2026, 0, 0), "a fixed local midnight"


@pytest.mark.parametrize("dag_id", DAGS)
def test_schedule_is_a_cron_interval_in_amsterdam(dagbag, dag_id):
    from airflow.sdk import AssetOrTimeSchedule, CronDataIntervalTimetable

    timetable = dagbag.get_dag(dag_id).timetable
    if dag_id == "collect":
        assert isinstance(timetable, AssetOrTimeSchedule)
        assert [a.name for a in timetable.asset_condition.objects] == ["model"]
        timetable = timetable.timetable
    assert isinstance(timetable, CronDataIntervalTimetable)
    assert timetable.expression == DAGS[dag_id]
    assert str(timetable.timezone) == "Europe/Amsterdam"


def test_daily_triage_covers_the_day_before_in_local_time(dagbag):
    from airflow.serialization.encoders import coerce_to_core_timetable

    timetable = coerce_to_core_timetable(dagbag.get_dag("daily_triage").timetable)
    # 29 March 2026: clocks go forward in Amsterdam; the period still starts at 07:30 local.
    interval = timetable.infer_manual_data_interval(
        run_after=pendulum.datetime(2026, 3, 30, 9, 0, tz="Europe/Amsterdam"))
    assert interval.start == pendulum.datetime(2026, 3, 29, 7, 30, tz="Europe/Amsterdam")
    assert interval.end == pendulum.datetime(2026, 3, 30, 7, 30, tz="Europe/Amsterdam")


@pytest.mark.parametrize("dag_id", DAGS)
def test_tasks_retry_with_backoff_time_out_and_mail_maintainers(dagbag, dag_id):
    from voelspriet.runtime import MaintainerNotifier

    for task in dagbag.get_dag(dag_id).tasks:
        where = f"{dag_id}.{task.task_id}"
        if task.task_id != "sources_failed":
            assert task.retries >= 1, where
            assert task.retry_exponential_backoff >= 2, where
            assert task.max_retry_delay is not None, where
        assert task.execution_timeout and task.execution_timeout <= timedelta(hours=1), where
        callbacks = task.on_failure_callback or []
        if (dag_id, task.task_id) in NO_FAILURE_MAIL:
            assert not callbacks, where
        else:
            assert any(isinstance(c, MaintainerNotifier) for c in callbacks), where


def test_collect_fans_out_per_source_and_runs_on_after_a_failure(dagbag):
    dag = dagbag.get_dag("collect")
    collect_source = dag.get_task("collect_source")
    assert type(collect_source).__name__.endswith("MappedOperator")
    assert [a.name for a in collect_source.outlets] == ["mentions"]
    assert dag.get_task("classify").trigger_rule == "all_done"
    assert dag.get_task("source_health").trigger_rule == "all_done"
    assert dag.get_task("sources_failed").trigger_rule == "one_failed"
    assert dag.get_task("triage").upstream_task_ids == {"classify"}
    assert dag.get_task("urgent_alerts").upstream_task_ids == {"triage"}
    assert dag.max_active_runs == 1


def test_retrain_promotes_only_through_short_circuits(dagbag):
    dag = dagbag.get_dag("retrain")
    assert dag.get_task("model_promoted").upstream_task_ids == {"retrain_if_better"}
    assert [a.name for a in dag.get_task("model_promoted").outlets] == ["model"]
    assert dag.get_task("retrain_if_better").upstream_task_ids == {"new_corrections"}


def test_parsing_imports_nothing_heavy_and_needs_no_credentials():
    """Parse every DAG file in a fresh interpreter with no connections; list what got imported."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AIRFLOW_CONN_", "AIRFLOW_VAR_", "VOELSPRIET_"))}
    env["VOELSPRIET_PROFILE"] = "/nonexistent/profile.yaml"  # parsing must not read it
    script = (
        "import json, sys\n"
        "from airflow.dag_processing.dagbag import DagBag\n"
        f"bag = DagBag(dag_folder={str(ROOT / 'dags')!r})\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print(json.dumps({'errors': list(bag.import_errors), 'dags': len(bag.dags), 'heavy': heavy}))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                         check=True, cwd="/")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {"errors": [], "dags": len(DAGS), "heavy": []}
