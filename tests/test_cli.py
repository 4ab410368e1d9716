"""The real console script: help, errors as one line, dry-run, and a store round trip."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import write_profile

VOELSPRIET = str(Path(sys.executable).parent / "voelspriet")


def run(*args: str, env: dict | None = None, input: str | None = None):
    return subprocess.run(
        [VOELSPRIET, *args], capture_output=True, text=True, input=input, timeout=120,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def env(tmp_path):
    feed = tmp_path / "replay.jsonl"
    feed.write_text(
        json.dumps({"platform": "reddit", "platform_id": "t3_abc", "url": "https://reddit.com/r/Heemstede/abc",
                    "author_handle": "buurman", "title": "Vraag over afval",
                    "text": "Wanneer haalt de gemeente Heemstede het grofvuil op?", "language": "nl",
                    "created_at": "2026-11-19T10:00:00Z", "replies": 4, "reposts": 0, "likes": 2,
                    "reach": None}) + "\n",
        encoding="utf-8",
    )
    profile = write_profile(tmp_path, lambda d: d["sources"]["replay"].update(file=str(feed)))
    return {"VOELSPRIET_VAR_DIR": str(tmp_path / "var"), "VOELSPRIET_PROFILE": str(profile),
            "VOELSPRIET_DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'voelspriet.db'}"}


def test_help_explains_every_command():
    result = run("--help")
    assert result.returncode == 0
    for command in ("collect", "db", "check"):
        assert command in result.stdout


def test_missing_store_is_one_line_and_nonzero(env):
    result = run("collect", env=env)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "voelspriet db upgrade" in result.stderr
    assert "Traceback" not in result.stderr


def test_broken_profile_is_one_clear_error(env, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("municipality: {name: Heemstede}\n", encoding="utf-8")
    result = run("check", env={**env, "VOELSPRIET_PROFILE": str(bad)})
    assert result.returncode == 1
    assert f"{bad}: municipality.aliases ontbreekt" in result.stderr
    assert "Traceback" not in result.stderr


def test_upgrade_collect_and_dry_run(env):
    assert run("db", "upgrade", env=env).returncode == 0
    dry = run("collect", "--source", "replay", "--dry-run", env=env)
    assert dry.returncode == 0, dry.stderr
    line = json.loads(dry.stdout)
    assert line["platform_id"] == "t3_abc" and line["relevance"] == "noemt 'gemeente heemstede'"
    first = run("collect", env=env)
    assert first.returncode == 0 and "1 opgeslagen" in first.stderr
    second = run("collect", env=env)
    assert "0 opgeslagen" in second.stderr


@pytest.mark.parametrize("url", ["nope", "mysql://u:geheim@host/db"])
@pytest.mark.parametrize("command", [("check",), ("db", "upgrade")])
def test_bad_database_url_is_one_dutch_line(env, url, command):
    result = run(*command, env={**env, "VOELSPRIET_DATABASE_URL": url})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert "VOELSPRIET_DATABASE_URL" in result.stderr
    assert "geheim" not in result.stderr


def test_an_inverted_window_is_refused(env):
    run("db", "upgrade", env=env)
    result = run("collect", "--since", "2026-11-02", "--until", "2026-11-01", env=env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert "--since" in result.stderr and "--until" in result.stderr
