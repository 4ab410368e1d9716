"""Mastodon collector: Mastodon.py against loopback instances answering with Status entities."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from werkzeug import Request, Response

from collectors import http
from collectors.base import Window
from collectors.mastodon import MastodonCollector
from collectors.runner import collect, preview
from tests.collector_support import cursor_of, fixture_text, profile_with, sightings_of, stored

TAG = "/api/v1/timelines/tag/heemstede"


def serve_instance_info(httpserver, prefix: str = ""):
    # Mastodon.py asks once per client whether hashtag timelines are public.
    httpserver.expect_request(prefix + "/api/v2/instance/").respond_with_data(
        fixture_text("mastodon", "instance_v2.json"), content_type="application/json")


def serve_instance(httpserver, prefix: str = ""):
    """A hashtag timeline whose first page links (rel=prev) to an empty newer page."""
    base = httpserver.url_for(prefix).rstrip("/")
    serve_instance_info(httpserver, prefix)

    def timeline(request: Request) -> Response:
        if request.args.get("min_id") == "113500000000000112":
            return Response("[]", content_type="application/json")
        link = (f'<{base}{TAG}?max_id=113500000000000110>; rel="next", '
                f'<{base}{TAG}?min_id=113500000000000112>; rel="prev"')
        return Response(fixture_text("mastodon", "tag_page.json"), content_type="application/json",
                        headers={"Link": link})

    httpserver.expect_request(prefix + TAG).respond_with_handler(timeline)
    httpserver.expect_request(prefix + "/api/v2/search").respond_with_data(
        fixture_text("mastodon", "search.json"), content_type="application/json")
    return base


@pytest.fixture
def instance(httpserver):
    return serve_instance(httpserver)


def mastodon_profile(profile, instances, **extra):
    return profile_with(profile, "mastodon", instances=instances, hashtags=["heemstede"],
                        timeout_seconds=1, max_wait_seconds=5, **extra)


def test_hashtag_timeline_follows_the_link_header(sqlite_engine, profile, instance, httpserver):
    result = collect(sqlite_engine, mastodon_profile(profile, [instance]), "mastodon")

    assert result.status == "ok", result.error
    calls = [req for req, _ in httpserver.log if req.path == TAG]
    assert calls[0].args["limit"] == "40" and calls[1].args["min_id"] == "113500000000000112"
    assert calls[0].headers["User-Agent"] == profile.user_agent
    assert "Authorization" not in calls[0].headers
    rows = {r["platform_id"]: r for r in stored(sqlite_engine)}
    # The boost is stored as the boosted post; the media-only post is not a mention.
    assert set(rows) == {
        "https://social.example/users/anna/statuses/113500000000000112",
        "https://mastodon.example/users/kees/statuses/113400000000000050",
    }
    anna = rows["https://social.example/users/anna/statuses/113500000000000112"]
    assert anna["text"] == "De gemeente #Heemstede plant nieuwe bomen aan de Camplaan & de Glipper Dreef!"
    assert (anna["replies"], anna["reposts"], anna["likes"]) == (2, 5, 11)
    kees = rows["https://mastodon.example/users/kees/statuses/113400000000000050"]
    assert kees["author_handle"] == "kees@mastodon.example"
    assert kees["language"] == "nl", "platform said 'und'; the text is clearly Dutch"
    assert cursor_of(sqlite_engine, "mastodon") == {f"{instance} #heemstede": "113500000000000112"}


def test_next_run_starts_after_the_cursor_and_stores_nothing_twice(sqlite_engine, profile, instance, httpserver):
    prof = mastodon_profile(profile, [instance])
    collect(sqlite_engine, prof, "mastodon")
    collect(sqlite_engine, prof, "mastodon")
    assert [req for req, _ in httpserver.log if req.path == TAG][-1].args["min_id"] == "113500000000000112"
    assert len(stored(sqlite_engine)) == 2


def test_a_window_reads_the_timeline_from_the_window_start(sqlite_engine, profile, instance, httpserver):
    # A backfill must ask for the window (min_id as a snowflake of its start), not the newest page.
    window = Window(datetime(2026, 11, 20, 8, 30, tzinfo=UTC), datetime(2026, 11, 20, 10, 0, tzinfo=UTC))

    result = collect(sqlite_engine, mastodon_profile(profile, [instance]), "mastodon", window)

    assert result.status == "ok", result.error
    calls = [req for req, _ in httpserver.log if req.path == TAG]
    assert calls[0].args["min_id"] == str((int(window.start.timestamp()) << 16) * 1000)
    assert calls[1].args["min_id"] == "113500000000000112"
    assert len(stored(sqlite_engine)) == 2
    assert cursor_of(sqlite_engine, "mastodon") is None


def test_same_post_via_two_instances_is_stored_once_with_both_sightings(sqlite_engine, profile, instance, httpserver):
    second = serve_instance(httpserver, "/tweede")
    collect(sqlite_engine, mastodon_profile(profile, [instance, second]), "mastodon")
    assert len(stored(sqlite_engine)) == 2
    seen = {source for pid, source in sightings_of(sqlite_engine) if "anna" in pid}
    assert len(seen) == 2


def test_an_instance_that_is_down_does_not_keep_the_next_one_from_being_read(
    sqlite_engine, profile, httpserver
):
    second = serve_instance(httpserver, "/tweede")
    httpserver.expect_request("/eerste" + TAG).respond_with_data("<html>down</html>", status=503)
    first = httpserver.url_for("/eerste").rstrip("/")
    serve_instance_info(httpserver, "/eerste")

    result = collect(sqlite_engine, mastodon_profile(profile, [first, second]), "mastodon")

    assert result.status == "failed" and first in result.error and "503" in result.error
    assert len(stored(sqlite_engine)) == 2
    assert cursor_of(sqlite_engine, "mastodon") == {f"{second} #heemstede": "113500000000000112"}


def test_search_uses_the_token_only_on_its_own_instance(sqlite_engine, profile, instance, httpserver, monkeypatch):
    host = httpserver.url_for("/").split("//")[1].split(":")[0]
    monkeypatch.setenv("AIRFLOW_CONN_VOELSPRIET_MASTODON_T", json.dumps({"host": host, "password": "tok"}))
    prof = mastodon_profile(profile, [instance], search_terms=["Heemstede"], connection="voelspriet_mastodon_t")
    result = collect(sqlite_engine, prof, "mastodon")
    assert result.status == "ok", result.error
    search = next(req for req, _ in httpserver.log if req.path == "/api/v2/search")
    assert search.headers["Authorization"] == "Bearer tok" and search.args["type"] == "statuses"
    assert "https://social.example/users/dirk/statuses/113500000000000200" in {r["platform_id"] for r in stored(sqlite_engine)}


def test_rate_limit_iso_reset_is_waited_for_within_budget(sqlite_engine, profile, httpserver, monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(http, "sleep", waits.append)
    reset = (datetime.now(UTC) + timedelta(seconds=3)).isoformat()
    serve_instance_info(httpserver)
    answers = [
        Response('{"error": "Too many requests"}', status=429, content_type="application/json",
                 headers={"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}),
        Response("[]", content_type="application/json"),
    ]
    httpserver.expect_request(TAG).respond_with_handler(lambda _request: answers.pop(0))
    result = collect(sqlite_engine, mastodon_profile(profile, [httpserver.url_for("/").rstrip("/")]), "mastodon")
    assert result.status == "ok", result.error
    assert len(waits) == 1 and 1 < waits[0] <= 3.5


def test_rate_limit_beyond_budget_fails_without_waiting(sqlite_engine, profile, httpserver, monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(http, "sleep", waits.append)
    reset = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    httpserver.expect_request(TAG).respond_with_json(
        {"error": "Too many requests"}, status=429, headers={"X-RateLimit-Reset": reset})
    result = collect(sqlite_engine, mastodon_profile(profile, [httpserver.url_for("/").rstrip("/")]), "mastodon")
    assert result.status == "failed" and "limiet" in result.error and waits == []


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [(500, '{"error": "boom"}', "500"), (503, "<html>down</html>", "503"),
     (401, '{"error": "The access token is invalid"}', "401"),
     (200, '[{"id": "1", "content": ', "JSON"), (404, "<html>nope</html>", "404")],
)
def test_failures_are_reported(sqlite_engine, profile, httpserver, status, body, expected):
    httpserver.expect_request(TAG).respond_with_data(body, status=status, content_type="application/json")
    result = collect(sqlite_engine, mastodon_profile(profile, [httpserver.url_for("/").rstrip("/")]), "mastodon")
    assert result.status == "failed" and result.error.startswith("mastodon:") and expected in result.error


def test_changed_schema_is_reported(sqlite_engine, profile, httpserver):
    httpserver.expect_request(TAG).respond_with_json([{"id": "1", "content": "<p>Heemstede</p>"}])
    result = collect(sqlite_engine, mastodon_profile(profile, [httpserver.url_for("/").rstrip("/")]), "mastodon")
    assert result.status == "failed" and "onverwachte vorm" in result.error


def test_dry_run_preview(profile, instance):
    lines = list(preview(mastodon_profile(profile, [instance]), "mastodon"))
    assert len(lines) == 2
    json.dumps(lines)


@pytest.mark.parametrize(
    ("settings", "field"),
    [({"hashtags": ["heemstede"]}, "instances"),
     ({"instances": ["mastodon.social"], "hashtags": ["heemstede"]}, "instances"),
     ({"instances": ["https://mastodon.social"], "hashtags": ["#heemstede"]}, "hashtags"),
     ({"instances": ["https://mastodon.social"]}, "hashtags"),
     ({"instances": ["https://mastodon.social"], "hashtags": ["h"], "max_pages": 100}, "max_pages")],
)
def test_validate_names_the_bad_field(settings, field):
    with pytest.raises(ValueError, match=rf"^{field}\b"):
        MastodonCollector.validate(settings)
