"""X collector: tweepy against a loopback server answering in the API v2 recent-search shapes."""

from __future__ import annotations

import json
import logging
import time

import pytest
from werkzeug import Response

from collectors import http
from collectors.runner import collect, preview
from collectors.x import XCollector
from tests.collector_support import (
    cursor_of,
    fixture_json,
    fixture_text,
    last_run,
    profile_with,
    stored,
)

SEARCH = "/2/tweets/search/recent"


@pytest.fixture
def x_profile(profile, httpserver, monkeypatch):
    monkeypatch.setenv("VOELSPRIET_X_BEARER_TOKEN", "test-bearer-token")
    return profile_with(
        profile, "x", connection="voelspriet_x_test", query="Heemstede -is:retweet",
        max_pages=5, base_url=httpserver.url_for("/"), timeout_seconds=1, max_wait_seconds=5,
    )


def serve_pages(httpserver):
    httpserver.expect_ordered_request(SEARCH).respond_with_json(fixture_json("x", "page1.json"))
    httpserver.expect_ordered_request(SEARCH).respond_with_json(fixture_json("x", "page2.json"))
    httpserver.expect_ordered_request(SEARCH).respond_with_json(fixture_json("x", "empty.json"))


def test_collects_pages_until_next_token_is_absent(sqlite_engine, x_profile, httpserver):
    serve_pages(httpserver)

    result = collect(sqlite_engine, x_profile, "x")

    assert result.status == "ok", result.error
    requests_seen = [req for req, _ in httpserver.log]
    assert len(requests_seen) == 3, "a short page with next_token must not stop the paging"
    assert requests_seen[0].headers["Authorization"] == "Bearer test-bearer-token"
    assert requests_seen[0].headers["User-Agent"] == x_profile.user_agent
    assert "author_id" in requests_seen[0].args["expansions"]
    assert "referenced_tweets.id" in requests_seen[0].args["expansions"]
    assert requests_seen[1].args["next_token"] == "b26v89c19zqg8o3fpzbkk"
    assert requests_seen[2].args["next_token"] == "c37w90d20arh9p4gqcall"

    rows = {r["platform_id"]: r for r in stored(sqlite_engine)}
    # The Houten castle is dropped; the retweet is stored once, as its original, in full.
    assert set(rows) == {"1860000000000000005", "1859999999999999000", "1860000000000000002"}
    original = rows["1859999999999999000"]
    assert original["text"].endswith("#heemstede")
    assert original["author_handle"] == "buurtheemstede"
    first = rows["1860000000000000005"]
    assert "<eindelijk>" in first["text"] and "open & de bomen" in first["text"]
    assert (first["replies"], first["reposts"], first["likes"], first["reach"]) == (2, 4, 14, 812)
    assert first["url"] == "https://x.com/piet_hmst/status/1860000000000000005"
    assert first["language"] == "nl"
    assert result.drop_reasons == {"uitgesloten: 'kasteel heemstede'": 1}
    assert cursor_of(sqlite_engine, "x") == {"since_id": "1860000000000000005"}


def test_next_run_asks_only_for_newer_tweets_and_never_duplicates(sqlite_engine, x_profile, httpserver):
    serve_pages(httpserver)
    collect(sqlite_engine, x_profile, "x")
    httpserver.clear()
    httpserver.expect_request(SEARCH, query_string=None).respond_with_json(fixture_json("x", "newer.json"))

    result = collect(sqlite_engine, x_profile, "x")

    assert result.status == "ok"
    assert httpserver.log[-1][0].args["since_id"] == "1860000000000000005"
    assert len(stored(sqlite_engine)) == 4
    assert cursor_of(sqlite_engine, "x") == {"since_id": "1860000000000000009"}


def test_a_run_cut_short_fills_the_gap_before_moving_since_id(sqlite_engine, profile, httpserver, monkeypatch):
    monkeypatch.setenv("VOELSPRIET_X_BEARER_TOKEN", "t")
    one_page = profile_with(profile, "x", query="Heemstede", max_pages=1, base_url=httpserver.url_for("/"))
    httpserver.expect_ordered_request(SEARCH).respond_with_json(fixture_json("x", "page1.json"))
    collect(sqlite_engine, one_page, "x")
    assert cursor_of(sqlite_engine, "x") == {
        "since_id": None, "until_id": "1860000000000000003", "newest_id": "1860000000000000005",
    }

    httpserver.expect_ordered_request(SEARCH).respond_with_json(fixture_json("x", "newer.json"))
    collect(sqlite_engine, one_page, "x")

    assert httpserver.log[-1][0].args["until_id"] == "1860000000000000003"
    assert cursor_of(sqlite_engine, "x") == {"since_id": "1860000000000000005"}


def test_empty_result_keeps_the_cursor(sqlite_engine, x_profile, httpserver):
    httpserver.expect_request(SEARCH).respond_with_json({"meta": {"result_count": 0}})
    result = collect(sqlite_engine, x_profile, "x")
    assert (result.status, result.stored) == ("ok", 0)
    assert cursor_of(sqlite_engine, "x") is None


@pytest.mark.parametrize(
    ("status", "body", "content_type", "expected"),
    [
        (200, fixture_text("x", "only_errors.json"), "application/json", "Unbalanced parentheses"),
        (400, fixture_text("x", "error_400.json"), "application/json", "since_id"),
        (401, fixture_text("x", "error_401.json"), "application/json", "401"),
        (403, '{"title":"Forbidden","detail":"client-not-enrolled"}', "application/json", "403"),
        (404, fixture_text("x", "not_found.html"), "text/html; charset=utf-8", "404"),
        (503, "<html>over capacity</html>", "text/html", "503"),
        (200, '{"data": [', "application/json", "geen JSON"),
        (200, '["not", "an", "object"]', "application/json", "onverwachte vorm"),
    ],
)
def test_failures_are_reported_with_platform_and_reason(
    sqlite_engine, x_profile, httpserver, status, body, content_type, expected
):
    httpserver.expect_request(SEARCH).respond_with_data(body, status=status, content_type=content_type)
    result = collect(sqlite_engine, x_profile, "x")
    assert result.status == "failed"
    assert result.error.startswith("x:") and expected in result.error
    assert "<html" not in result.error.lower()
    assert last_run(sqlite_engine)["status"] == "failed"
    assert cursor_of(sqlite_engine, "x") is None


def test_changed_schema_fails_the_source(sqlite_engine, x_profile, httpserver):
    page = fixture_json("x", "newer.json")
    del page["data"][0]["created_at"]
    httpserver.expect_request(SEARCH).respond_with_json(page)
    result = collect(sqlite_engine, x_profile, "x")
    assert result.status == "failed" and "onverwachte vorm" in result.error


def test_rate_limit_waits_within_budget_then_retries(sqlite_engine, x_profile, httpserver, monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(http, "sleep", waits.append)
    reset = str(int(time.time()) + 3)
    httpserver.expect_ordered_request(SEARCH).respond_with_json(
        {"title": "Too Many Requests", "status": 429}, status=429,
        headers={"x-rate-limit-reset": reset, "x-rate-limit-remaining": "0"},
    )
    httpserver.expect_ordered_request(SEARCH).respond_with_json(fixture_json("x", "newer.json"))

    result = collect(sqlite_engine, x_profile, "x")

    assert result.status == "ok" and result.stored == 1
    assert len(waits) == 1 and 1 <= waits[0] <= 4


def test_rate_limit_beyond_budget_stops_without_waiting(sqlite_engine, x_profile, httpserver, monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(http, "sleep", waits.append)
    httpserver.expect_request(SEARCH).respond_with_json(
        {"title": "Too Many Requests"}, status=429,
        headers={"x-rate-limit-reset": str(int(time.time()) + 900)},
    )
    result = collect(sqlite_engine, x_profile, "x")
    assert result.status == "failed" and "limiet" in result.error
    assert waits == []


def test_timeout_is_a_failure_not_a_hang(sqlite_engine, x_profile, httpserver):
    def slow(_request):
        time.sleep(1.3)
        return Response("{}", content_type="application/json")

    httpserver.expect_request(SEARCH).respond_with_handler(slow)
    result = collect(sqlite_engine, x_profile, "x")
    assert result.status == "failed" and "ReadTimeout" in result.error


def test_missing_credentials_skip_with_one_dutch_warning(sqlite_engine, profile, monkeypatch, caplog):
    monkeypatch.delenv("VOELSPRIET_X_BEARER_TOKEN", raising=False)
    monkeypatch.delenv("AIRFLOW_CONN_VOELSPRIET_X", raising=False)
    no_creds = profile_with(profile, "x", connection="voelspriet_x", query="Heemstede")
    result = collect(sqlite_engine, no_creds, "x")
    assert result.status == "skipped"
    assert "voelspriet_x" in result.error and "VOELSPRIET_X_BEARER_TOKEN" in result.error
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1


def test_credentials_from_an_airflow_connection_env_var(sqlite_engine, profile, httpserver, monkeypatch):
    monkeypatch.delenv("VOELSPRIET_X_BEARER_TOKEN", raising=False)
    monkeypatch.setenv(
        "AIRFLOW_CONN_VOELSPRIET_X",
        json.dumps({"conn_type": "generic", "password": "token-from-airflow"}),
    )
    httpserver.expect_request(SEARCH).respond_with_json({"meta": {"result_count": 0}})
    x = profile_with(profile, "x", connection="voelspriet_x", query="Heemstede", base_url=httpserver.url_for("/"))
    assert collect(sqlite_engine, x, "x").status == "ok"
    assert httpserver.log[-1][0].headers["Authorization"] == "Bearer token-from-airflow"


def test_bearer_token_never_reaches_the_logs_even_at_debug(sqlite_engine, x_profile, httpserver, caplog):
    # tweepy logs every request's headers at DEBUG (VOELSPRIET_LOG_LEVEL=DEBUG, an Airflow task
    # at DEBUG): the token must not be among them.
    caplog.set_level(logging.DEBUG)
    serve_pages(httpserver)

    assert collect(sqlite_engine, x_profile, "x").status == "ok"

    assert httpserver.log[0][0].headers["Authorization"] == "Bearer test-bearer-token"
    assert any("Making API request" in r.getMessage() for r in caplog.records), "tweepy logged nothing"
    assert "test-bearer-token" not in caplog.text


def test_dry_run_preview_prints_what_would_be_stored(x_profile, httpserver):
    httpserver.expect_request(SEARCH).respond_with_json(fixture_json("x", "newer.json"))
    lines = list(preview(x_profile, "x"))
    assert [line["platform_id"] for line in lines] == ["1860000000000000009"]
    assert lines[0]["seen_in"] == "x" and "raw" not in lines[0]
    json.dumps(lines)


@pytest.mark.parametrize(
    ("settings", "field"),
    [({}, "query"), ({"query": "Heemstede", "max_pages": 0}, "max_pages"),
     ({"query": "Heemstede", "max_results": 500}, "max_results"),
     ({"query": "Heemstede", "querry": "x"}, "querry"),
     ({"query": "Heemstede", "base_url": "ftp://x"}, "base_url")],
)
def test_validate_names_the_bad_field(settings, field):
    with pytest.raises(ValueError, match=rf"^{field}\b"):
        XCollector.validate(settings)
