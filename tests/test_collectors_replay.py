"""Replay collector through the runner: cursor by line, no duplicates, window filter."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from collectors.base import Window
from collectors.runner import collect
from tests.collector_support import cursor_of, profile_with, sightings_of, stored


def write_lines(path, count, start=0):
    with path.open("a", encoding="utf-8") as out:
        for i in range(start, start + count):
            out.write(json.dumps({
                "platform": "x", "platform_id": str(i), "text": f"Bericht {i} over de gemeente Heemstede",
                "created_at": f"2026-11-{10 + i % 10:02d}T12:00:00Z", "language": "nl", "feed": "a" if i % 2 else None,
            }) + "\n")


def test_replay_is_incremental_and_exactly_once(sqlite_engine, profile, tmp_path):
    path = tmp_path / "sample.jsonl"
    write_lines(path, 5)
    prof = profile_with(profile, "replay", file=str(path))

    first = collect(sqlite_engine, prof, "replay")
    write_lines(path, 2, start=5)
    second = collect(sqlite_engine, prof, "replay")

    assert (first.stored, second.stored) == (5, 2)
    assert len(stored(sqlite_engine)) == 7
    assert cursor_of(sqlite_engine, "replay") == {"line": 7}
    assert ("1", "replay:a") in sightings_of(sqlite_engine)


def test_window_leaves_the_cursor_alone(sqlite_engine, profile, tmp_path):
    path = tmp_path / "sample.jsonl"
    write_lines(path, 10)
    prof = profile_with(profile, "replay", file=str(path))
    window = Window(datetime(2026, 11, 10, tzinfo=UTC), datetime(2026, 11, 12, tzinfo=UTC))
    result = collect(sqlite_engine, prof, "replay", window)
    assert result.stored == 2 and cursor_of(sqlite_engine, "replay") is None


def test_missing_file_fails_the_source(sqlite_engine, profile, tmp_path):
    result = collect(sqlite_engine, profile_with(profile, "replay", file=str(tmp_path / "nope.jsonl")), "replay")
    assert result.status == "failed" and "bestaat niet" in result.error
