"""Reddit collector: praw against a loopback server answering with Reddit Listing JSON."""

from __future__ import annotations

import json

import pytest
from werkzeug import Request, Response

from collectors import http
from collectors.reddit import RedditCollector
from collectors.runner import collect, preview
from tests.collector_support import cursor_of, fixture_text, profile_with, stored


def reddit_server(httpserver, routes: dict[tuple[str, str | None], object]):
    """Serve the token endpoint and ``(path, after) -> fixture name | Response`` listings."""
    httpserver.expect_request("/api/v1/access_token", method="POST").respond_with_data(
        fixture_text("reddit", "token.json"), content_type="application/json"
    )

    def listing(request: Request) -> Response:
        answer = routes.get((request.path, request.args.get("after")), "empty.json")
        if isinstance(answer, Response):
            return answer
        return Response(fixture_text("reddit", answer), content_type="application/json")

    for path in {path for path, _after in routes} | {"/r/Heemstede/comments/"}:
        httpserver.expect_request(path, method="GET").respond_with_handler(listing)


ROUTES = {
    ("/r/Heemstede/search/", None): "search_sub_page1.json",
    ("/r/Heemstede/search/", "t3_1h2b"): "search_sub_page2.json",
    ("/search/", None): "search_all.json",
    ("/r/Heemstede/comments/", None): "comments_sub.json",
}


@pytest.fixture
def reddit_profile(profile, httpserver, monkeypatch):
    monkeypatch.setenv("VOELSPRIET_REDDIT_CLIENT_ID", "cid")
    monkeypatch.setenv("VOELSPRIET_REDDIT_CLIENT_SECRET", "secret")
    return profile_with(
        profile, "reddit", connection="voelspriet_reddit_test", subreddits=["Heemstede"],
        terms=["Heemstede"], site_wide=True, max_items=300, base_url=httpserver.url_for("/"),
        timeout_seconds=1,
    )


def test_collects_posts_and_comments_through_praw(sqlite_engine, reddit_profile, httpserver):
    reddit_server(httpserver, ROUTES)

    result = collect(sqlite_engine, reddit_profile, "reddit")

    assert result.status == "ok", result.error
    token_request = httpserver.log[0][0]
    assert token_request.path == "/api/v1/access_token"
    assert token_request.form["grant_type"] == "client_credentials"
    search = next(req for req, _ in httpserver.log if req.path == "/r/Heemstede/search/")
    assert search.args["q"] == "Heemstede" and search.args["restrict_sr"] == "1"
    assert search.args["raw_json"] == "1" and search.args["sort"] == "new"
    assert search.headers["Authorization"] == "bearer reddit-test-token"
    assert search.headers["User-Agent"].startswith(reddit_profile.user_agent)

    rows = {r["platform_id"]: r for r in stored(sqlite_engine)}
    # Removed posts, deleted comments, "more" stubs and the Houten castle are not stored;
    # the post found both in r/Heemstede and site-wide is stored once.
    assert set(rows) == {"t3_1h2c", "t3_1h2b", "t3_9zz1", "t1_c1"}
    post = rows["t3_1h2c"]
    assert "3 weken & niemand weet <waarom>" in post["text"]
    assert post["title"] == "Binnenweg Heemstede weer dicht"
    assert post["url"] == "https://www.reddit.com/r/Heemstede/comments/1h2c/binnenweg_heemstede_weer_dicht/"
    assert post["created_at"].timestamp() == 1763600000.0
    assert rows["t3_1h2b"]["author_handle"] is None
    assert rows["t3_1h2b"]["text"] == "Foto van het Wandelbos in Heemstede vanochtend"
    assert rows["t1_c1"]["title"] == "Binnenweg Heemstede weer dicht"
    assert cursor_of(sqlite_engine, "reddit") == {
        "search:r/Heemstede": {"floor": 1763600000.0},
        "search:all": {"floor": 1763600500.0},
        "comments:r/Heemstede": {"floor": 1763600100.0},
    }


def test_max_items_cut_keeps_a_resumable_cursor(sqlite_engine, reddit_profile, httpserver):
    reddit_server(httpserver, ROUTES)
    small = profile_with(reddit_profile, "reddit", **{
        **reddit_profile.sources["reddit"].settings(), "max_items": 2})

    collect(sqlite_engine, small, "reddit")

    assert cursor_of(sqlite_engine, "reddit") == {
        "search:r/Heemstede": {"floor": None, "after": "t3_1h2b", "top": 1763600000.0},
    }
    collect(sqlite_engine, small, "reddit")
    after = [req.args.get("after") for req, _ in httpserver.log if req.path == "/r/Heemstede/search/"]
    assert after[-1] == "t3_1h2b"
    assert cursor_of(sqlite_engine, "reddit")["search:r/Heemstede"] == {"floor": 1763600000.0}


def test_rerun_never_duplicates(sqlite_engine, reddit_profile, httpserver):
    reddit_server(httpserver, ROUTES)
    collect(sqlite_engine, reddit_profile, "reddit")
    result = collect(sqlite_engine, reddit_profile, "reddit")
    assert result.status == "ok"
    assert len(stored(sqlite_engine)) == 4


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (Response('{"message": "Forbidden", "error": 403}', status=403, content_type="application/json"), "HTTP 403"),
        (Response("<html>not found</html>", status=404, content_type="text/html"), "HTTP 404"),
        (Response('{"kind": "Listing", "data": {"chil', content_type="application/json"), "geen JSON"),
        (Response('{"kind": "Listing", "data": {"items": []}}', content_type="application/json"), "onverwachte vorm"),
    ],
)
def test_failures_are_reported(sqlite_engine, reddit_profile, httpserver, response, expected):
    reddit_server(httpserver, {("/r/Heemstede/search/", None): response})
    result = collect(sqlite_engine, reddit_profile, "reddit")
    assert result.status == "failed"
    assert result.error.startswith("reddit:") and expected in result.error


def test_a_private_subreddit_does_not_keep_the_other_listings_from_being_read(
    sqlite_engine, reddit_profile, httpserver
):
    forbidden = Response('{"reason": "private", "message": "Forbidden", "error": 403}', status=403,
                         content_type="application/json")
    reddit_server(httpserver, {**ROUTES, ("/r/Heemstede/search/", None): forbidden})

    result = collect(sqlite_engine, reddit_profile, "reddit")

    assert result.status == "failed" and "/r/Heemstede/search/" in result.error and "HTTP 403" in result.error
    assert any(req.path == "/search/" for req, _ in httpserver.log)
    assert result.stored > 0
    assert "search:all" in cursor_of(sqlite_engine, "reddit")


def test_rejected_credentials_fail_the_source(sqlite_engine, reddit_profile, httpserver):
    httpserver.expect_request("/api/v1/access_token", method="POST").respond_with_json(
        {"message": "Unauthorized", "error": 401}, status=401
    )
    result = collect(sqlite_engine, reddit_profile, "reddit")
    assert result.status == "failed" and result.error.startswith("reddit:")


def test_exhausted_rate_limit_beyond_budget_stops_before_next_request(
    sqlite_engine, reddit_profile, httpserver, monkeypatch
):
    waits: list[float] = []
    monkeypatch.setattr(http, "sleep", waits.append)
    limited = Response(
        fixture_text("reddit", "search_sub_page1.json"), content_type="application/json",
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-used": "100", "x-ratelimit-reset": "500"},
    )
    reddit_server(httpserver, {("/r/Heemstede/search/", None): limited})

    result = collect(sqlite_engine, reddit_profile, "reddit")

    assert result.status == "failed" and "limiet" in result.error
    assert waits == []
    # The page that arrived is stored, with a cursor to resume below it.
    assert {r["platform_id"] for r in stored(sqlite_engine)} == {"t3_1h2c", "t3_1h2b"}
    assert cursor_of(sqlite_engine, "reddit")["search:r/Heemstede"]["after"] == "t3_1h2b"


def test_dry_run_preview(reddit_profile, httpserver):
    reddit_server(httpserver, ROUTES)
    lines = list(preview(reddit_profile, "reddit"))
    assert {line["platform_id"] for line in lines} >= {"t3_1h2c", "t1_c1"}
    json.dumps(lines)


@pytest.mark.parametrize(
    ("settings", "field"),
    [({"subreddits": ["Heemstede"]}, "terms"),
     ({"terms": ["Heemstede"], "subreddits": "Heemstede"}, "subreddits"),
     ({"terms": ["Heemstede"], "subreddits": ["r/Heemstede"]}, "subreddits"),
     ({"terms": ["Heemstede"], "subreddits": ["Heemstede"], "max_items": 0}, "max_items"),
     ({"terms": ["Heemstede"], "subreddits": ["Heemstede"], "site_wide": "ja"}, "site_wide")],
)
def test_validate_names_the_bad_field(settings, field):
    with pytest.raises(ValueError, match=rf"^{field}\b"):
        RedditCollector.validate(settings)
