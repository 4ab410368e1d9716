"""The offline replay source, through the runner into a real store."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from collectors.base import Window
from collectors.replay import ReplayCollector
from collectors.runner import collect, preview
from store.tables import collector_runs, mention_sightings, mentions
from tests.conftest import profile_with
from voelspriet.mention import PLATFORMS
from voelspriet.settings import ROOT

SAMPLE = ROOT / "collectors" / "replay" / "sample.jsonl"


def record(pid, text, created="2026-11-18T07:12:31Z", **kw):
    return {"platform": "x", "platform_id": pid, "url": f"https://x.com/a/status/{pid}",
            "author_handle": "a", "text": text, "language": "nl", "created_at": created,
            "replies": 1, "reposts": 0, "likes": 3, "reach": None, **kw}


@pytest.fixture
def replay_profile(tmp_path):
    path = tmp_path / "replay.jsonl"
    lines = [
        record("1", "Weer geen parkeerplek op de Binnenweg. Gemeente Heemstede, wat doen jullie?"),
        record("2", "Prachtige bruiloft gehad op Kasteel Heemstede in Houten 💍"),
        record("3", "Hoe vraag ik een parkeervergunning aan in Heemstede?", created="2026-11-20T09:00:00Z"),
        record("https://nieuws.example/a", "Gemeente Heemstede trekt geld uit voor fietspaden",
               platform="news", feed="nhnieuws"),
        record("https://nieuws.example/a", "Gemeente Heemstede trekt geld uit voor fietspaden",
               platform="news", feed="google-news"),
    ]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    return profile_with(tmp_path, lambda d: d["sources"]["replay"].update(file=str(path))), path


def count(engine, table):
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()


def test_replay_stores_relevant_mentions_once(engine, replay_profile):
    profile, path = replay_profile
    result = collect(engine, profile, "replay")
    assert (result.status, result.fetched, result.dropped) == ("ok", 5, 1)
    assert result.drop_reasons == {"uitgesloten: 'kasteel heemstede'": 1}
    assert count(engine, mentions) == 3
    assert count(engine, mention_sightings) == 4  # the article was seen in two feeds

    again = collect(engine, profile, "replay")
    assert again.fetched == 0  # the cursor moved past what was stored
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(record("4", "Complimenten aan de gemeente Heemstede voor het nieuwe speeltuintje")) + "\n")
    assert collect(engine, profile, "replay").stored == 1
    assert count(engine, mentions) == 4
    assert count(engine, collector_runs) == 3


def test_window_replays_one_interval_without_moving_the_cursor(engine, replay_profile):
    profile, _ = replay_profile
    window = Window(datetime(2026, 11, 20, tzinfo=UTC), datetime(2026, 11, 21, tzinfo=UTC))
    assert collect(engine, profile, "replay", window).stored == 1
    assert collect(engine, profile, "replay", window).stored == 1  # a re-run: same row, no duplicate
    assert count(engine, mentions) == 1
    assert collect(engine, profile, "replay").stored == 3


def test_garbage_line_fails_the_source_but_keeps_earlier_pages(sqlite_engine, replay_profile):
    profile, path = replay_profile
    with path.open("a", encoding="utf-8") as f:
        f.write("{not json\n")
    result = collect(sqlite_engine, profile, "replay")
    assert result.status == "failed"
    assert "geen JSON" in result.error and ":6" in result.error
    assert count(sqlite_engine, mentions) == 0  # the page holding the bad line was not stored


def test_preview_touches_no_store(replay_profile):
    profile, _ = replay_profile
    lines = list(preview(profile, "replay"))
    assert [x["platform_id"] for x in lines][:2] == ["1", "3"]
    assert lines[0]["relevance"].startswith("noemt")


def test_bundled_sample_is_realistic():
    rows = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 300
    platforms = Counter(r["platform"] for r in rows)
    assert set(platforms) <= set(PLATFORMS) and len(platforms) >= 4
    assert {r["language"] for r in rows} >= {"nl", "en"}
    mentions_ = [ReplayCollector("replay", {"file": str(SAMPLE)}, None).to_mention(r) for r in rows]
    assert all(m.created_at.tzinfo for m in mentions_)


def test_a_bad_date_in_window_mode_fails_the_source(sqlite_engine, replay_profile):
    profile, path = replay_profile
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(record("9", "Heemstede", created="gisteren")) + "\n")
    window = Window(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
    result = collect(sqlite_engine, profile, "replay", window)
    assert result.status == "failed" and "geen geldige created_at" in result.error


def test_an_unreadable_file_fails_the_source(sqlite_engine, replay_profile):
    profile, path = replay_profile
    path.write_bytes(b"\xff\xfe not utf-8 \x80")
    result = collect(sqlite_engine, profile, "replay")
    assert result.status == "failed" and "niet leesbaar" in result.error
