"""The DAGs end to end through Airflow's dag.test(): replay source, real store, loopback SMTP."""

from __future__ import annotations

import pendulum
import pytest
import sqlalchemy as sa

from store.db import transaction
from store.tables import (
    classifications,
    collector_runs,
    deliveries,
    label_corrections,
    mention_sightings,
    mentions,
    triage_decisions,
)
from tests.dags.conftest import FIXTURE_MENTIONS, pipeline_env, run_dag, task_states

TZ = "Europe/Amsterdam"
COLLECT_AT = pendulum.datetime(2026, 11, 18, 23, 0, tz=TZ)
DAILY_AT = pendulum.datetime(2026, 11, 19, 8, 0, tz=TZ)  # period 18 Nov 07:30 - 19 Nov 07:30
WEEKLY_AT = pendulum.datetime(2026, 11, 23, 9, 0, tz=TZ)  # week 2026-W47
DATA_TABLES = (mentions, mention_sightings, classifications, triage_decisions, deliveries)


def snapshot(engine) -> dict[str, list]:
    """Every row of the tables a run writes data to (collector_runs is a log of attempts)."""
    with engine.connect() as conn:
        return {t.name: sorted(map(tuple, conn.execute(sa.select(t))), key=repr)
                for t in DATA_TABLES}


def count(engine, table, *where) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar()


def test_collect_stores_classifies_triages_and_alerts(dagbag, pipeline, smtp):
    run = run_dag(dagbag, "collect", COLLECT_AT)

    assert run.state == "success", task_states(run)
    assert task_states(run)["sources_failed"] == "skipped"
    assert count(pipeline.engine, mentions) == FIXTURE_MENTIONS
    assert count(pipeline.engine, classifications) == FIXTURE_MENTIONS
    assert count(pipeline.engine, triage_decisions) == FIXTURE_MENTIONS
    alerts = count(pipeline.engine, deliveries)
    assert len(smtp.messages) == alerts
    for message in smtp.messages:
        assert "webcare@heemstede.nl" in message["X-Envelope-To"]


def test_the_same_interval_twice_changes_nothing(dagbag, pipeline, smtp):
    first = run_dag(dagbag, "collect", COLLECT_AT)
    before, mails = snapshot(pipeline.engine), len(smtp.messages)
    again = run_dag(dagbag, "collect", COLLECT_AT)

    assert (first.state, again.state) == ("success", "success"), task_states(again)
    assert snapshot(pipeline.engine) == before
    assert len(smtp.messages) == mails


def test_a_backfill_collects_exactly_its_data_interval_once(dagbag, pipeline, smtp):
    # [14:15, 14:30) in Amsterdam holds one fixture mention, posted 13:15 UTC.
    at = pendulum.datetime(2026, 11, 18, 14, 30, tz=TZ)
    conf = {"use_data_interval": True}
    first = run_dag(dagbag, "collect", at, conf=conf)
    second = run_dag(dagbag, "collect", at, conf=conf)

    assert (first.state, second.state) == ("success", "success"), task_states(second)
    with pipeline.engine.connect() as conn:
        assert conn.execute(sa.select(mentions.c.platform_id)).scalars().all() == [
            "1860000000000000003"]


def test_a_failing_source_fails_alone(dagbag, tmp_path, monkeypatch, airflow_db, model_file,
                                      smtp):
    broken = {"enabled": True, "platform": "replay", "file": str(tmp_path / "missing.jsonl")}
    pipeline = pipeline_env(tmp_path, monkeypatch, f"sqlite:///{tmp_path / 'v.db'}", model_file,
                            {"broken": broken})
    run = run_dag(dagbag, "collect", COLLECT_AT)

    states = task_states(run)
    assert run.state == "failed"
    assert sorted(states[f"collect_source[{i}]"] for i in (0, 1)) == ["failed", "success"]
    for step in ("classify", "triage", "urgent_alerts", "source_health"):
        assert states[step] == "success", states
    assert states["sources_failed"] == "failed"
    assert count(pipeline.engine, mentions) == FIXTURE_MENTIONS
    assert count(pipeline.engine, triage_decisions) == FIXTURE_MENTIONS
    with pipeline.engine.connect() as conn:
        runs = conn.execute(sa.select(collector_runs.c.source, collector_runs.c.status)).all()
    assert sorted(map(tuple, runs)) == [("broken", "failed"), ("replay", "ok")]
    # One failed run is no incident, and a failing source mails no one on every run.
    assert not any("voelspriet-beheer@heemstede.nl" in m["X-Envelope-To"] for m in smtp.messages)


@pytest.mark.postgres
def test_collect_classify_triage_on_postgresql(dagbag, tmp_path, monkeypatch, airflow_db,
                                               model_file, pg_server, smtp):
    from tests.conftest import _reset_pg

    _reset_pg(pg_server)
    pipeline = pipeline_env(tmp_path, monkeypatch, pg_server, model_file)
    run = run_dag(dagbag, "collect", COLLECT_AT)

    assert run.state == "success", task_states(run)
    assert pipeline.engine.dialect.name == "postgresql"
    assert count(pipeline.engine, mentions) == FIXTURE_MENTIONS
    assert count(pipeline.engine, classifications) == FIXTURE_MENTIONS
    assert count(pipeline.engine, triage_decisions) == FIXTURE_MENTIONS
    pipeline.engine.dispose()


def test_daily_triage_mails_communicatie_once_per_period(dagbag, pipeline, smtp):
    assert run_dag(dagbag, "collect", COLLECT_AT).state == "success"
    before = len(smtp.messages)
    first = run_dag(dagbag, "daily_triage", DAILY_AT)
    second = run_dag(dagbag, "daily_triage", DAILY_AT)

    assert (first.state, second.state) == ("success", "success"), task_states(second)
    [mail] = smtp.messages[before:]
    assert "communicatie@heemstede.nl" in mail["X-Envelope-To"]
    period_start = pendulum.datetime(2026, 11, 18, 7, 30, tz=TZ)
    assert count(pipeline.engine, deliveries, deliveries.c.period_start == period_start) == 1


def test_weekly_report_mails_once_per_week(dagbag, pipeline, smtp):
    assert run_dag(dagbag, "collect", COLLECT_AT).state == "success"
    before = len(smtp.messages)
    first = run_dag(dagbag, "weekly_report", WEEKLY_AT)
    second = run_dag(dagbag, "weekly_report", WEEKLY_AT)

    assert (first.state, second.state) == ("success", "success"), task_states(second)
    [mail] = smtp.messages[before:]
    assert "directie@heemstede.nl" in mail["X-Envelope-To"]
    assert count(pipeline.engine, deliveries, deliveries.c.key.contains("2026-W47")) == 1


def test_retention_anonymises_mentions_older_than_a_year(dagbag, pipeline, smtp):
    assert run_dag(dagbag, "collect", COLLECT_AT).state == "success"
    # The fixture was posted on 18 Nov 2026; retention runs cover up to 03:15 local.
    too_early = run_dag(dagbag, "retention", pendulum.datetime(2027, 11, 18, 12, 0, tz=TZ))
    kept = count(pipeline.engine, mentions, mentions.c.anonymised_at.is_(None))
    a_year_on = run_dag(dagbag, "retention", pendulum.datetime(2027, 11, 19, 12, 0, tz=TZ))
    before = snapshot(pipeline.engine)
    again = run_dag(dagbag, "retention", pendulum.datetime(2027, 11, 19, 12, 0, tz=TZ))

    assert {too_early.state, a_year_on.state, again.state} == {"success"}, task_states(again)
    assert kept == FIXTURE_MENTIONS
    assert count(pipeline.engine, mentions, mentions.c.author_handle.is_not(None)) == 0
    assert count(pipeline.engine, mentions, mentions.c.text != "") == 0
    assert count(pipeline.engine, classifications) == FIXTURE_MENTIONS  # statistics stay
    assert snapshot(pipeline.engine) == before


def test_retrain_does_nothing_without_new_corrections(dagbag, pipeline, smtp):
    run = run_dag(dagbag, "retrain", pendulum.datetime(2026, 11, 22, 5, 0, tz=TZ))

    states = task_states(run)
    assert run.state == "success"
    assert states == {"new_corrections": "success", "retrain_if_better": "skipped",
                      "model_promoted": "skipped"}


def test_retrain_runs_when_labels_were_corrected(dagbag, pipeline, smtp):
    assert run_dag(dagbag, "collect", COLLECT_AT).state == "success"
    with transaction(pipeline.engine) as conn:
        mention_id = conn.execute(sa.select(mentions.c.id).limit(1)).scalar_one()
        conn.execute(sa.insert(label_corrections).values(
            mention_id=mention_id, labels=["criticism"], corrected_by="communicatie",
            corrected_at=COLLECT_AT))
    run = run_dag(dagbag, "retrain", pendulum.datetime(2026, 11, 22, 5, 0, tz=TZ))

    states = task_states(run)
    assert run.state == "success", states
    assert states["new_corrections"] == "success"
    assert states["retrain_if_better"] == "success"
    assert states["model_promoted"] in ("success", "skipped")  # kept or replaced: both decided


def test_an_unexpected_task_failure_mails_the_maintainers(dagbag, pipeline, smtp, monkeypatch):
    monkeypatch.setenv("VOELSPRIET_DATABASE_URL", f"sqlite:///{pipeline.var_dir / 'absent.db'}")
    run = run_dag(dagbag, "retention", pendulum.datetime(2026, 11, 23, 4, 0, tz=TZ))

    assert run.state == "failed"
    [mail] = smtp.messages
    assert mail["X-Envelope-To"] == "voelspriet-beheer@heemstede.nl"
    assert smtp.subjects() == ["voelspriet: taak apply_retention van retention is mislukt"]
    body = "".join(part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
                   for part in mail.walk() if not part.is_multipart())
    assert "bestaat niet" in body and "apply_retention" in body
