"""`voelspriet triage` and `voelspriet report daily|alerts` through the real console script."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from store.db import create_engine
from tests.test_cli import run
from tests.triage_rows import add_mention


def test_triage_then_daily_report_writes_the_email(tmp_path):
    var = tmp_path / "var"
    env = {"VOELSPRIET_VAR_DIR": str(var), "AIRFLOW_HOME": str(tmp_path / "airflow"),
           "VOELSPRIET_DATABASE_URL": f"sqlite:///{var / 'voelspriet.db'}"}
    os.environ.pop("AIRFLOW_CONN_SMTP_DEFAULT", None)
    assert run("db", "upgrade", env=env).returncode == 0
    engine = create_engine(env["VOELSPRIET_DATABASE_URL"])
    posted = datetime.now(UTC) - timedelta(hours=30)
    add_mention(engine, labels=["policy_question"], created_at=posted, observed_after=timedelta(hours=1),
                text="Hoe vraag ik een parkeervergunning aan in Heemstede?")
    engine.dispose()

    result = run("triage", env=env)
    assert result.returncode == 0, result.stderr
    assert "Triage: 1 beslissingen bijgewerkt." in result.stderr

    today = datetime.now(UTC).date().isoformat()
    result = run("report", "daily", "--date", today, env=env)
    assert result.returncode == 0, result.stderr
    path = var / "reports" / "daily_triage" / f"{today}.eml"
    assert f"opgeslagen in {path} (niet verzonden: geen Airflow-verbinding smtp_default)" in result.stderr
    assert path.exists() and path.with_suffix(".html").exists()
    assert result.stdout == ""  # Airflow's logging, imported for the SMTP connection, stays quiet

    result = run("report", "daily", "--date", "gisteren", env=env)
    assert result.returncode == 2 and "--date" in result.stderr

    result = run("report", "alerts", env=env)
    assert result.returncode == 0 and "Dringende waarschuwingen: 0 verstuurd." in result.stderr
