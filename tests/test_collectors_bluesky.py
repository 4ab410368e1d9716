"""Bluesky collector: atproto's Client against a loopback XRPC server."""

from __future__ import annotations

import base64
import json
import time

import pytest
from werkzeug import Request, Response

from collectors import http
from collectors.bluesky import BlueskyCollector
from collectors.runner import collect, preview
from tests.collector_support import cursor_of, fixture_text, profile_with, stored

SESSION = "/xrpc/com.atproto.server.createSession"
SEARCH = "/xrpc/app.bsky.feed.searchPosts"


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def fake_jwt() -> str:
    now = int(time.time())
    header = _b64({"alg": "ES256K", "typ": "at+jwt"})
    payload = _b64({"scope": "com.atproto.appPass", "sub": "did:plc:gemeente", "iat": now, "exp": now + 7200,
                    "aud": "did:web:localhost"})
    return f"{header}.{payload}.c2lnbmF0dXJl"


def serve_session(httpserver):
    httpserver.expect_request(SESSION, method="POST").respond_with_json({
        "did": "did:plc:gemeente", "handle": "gemeente.test", "email": "x@example.org",
        "accessJwt": fake_jwt(), "refreshJwt": fake_jwt(), "active": True,
    })


def serve_search(httpserver, routes):
    def search(request: Request) -> Response:
        answer = routes[request.args.get("cursor")]
        if isinstance(answer, Response):
            return answer
        return Response(fixture_text("bluesky", answer), content_type="application/json")

    httpserver.expect_request(SEARCH).respond_with_handler(search)


@pytest.fixture
def bsky_profile(profile, httpserver, monkeypatch):
    monkeypatch.setenv("VOELSPRIET_BLUESKY_HANDLE", "gemeente.test")
    monkeypatch.setenv("VOELSPRIET_BLUESKY_APP_PASSWORD", "app-pass-1234")
    serve_session(httpserver)
    return profile_with(profile, "bluesky", connection="voelspriet_bluesky_test", query="Heemstede",
                        lang="nl", base_url=httpserver.url_for("/"), timeout_seconds=1, max_wait_seconds=5)


def test_authenticated_search_with_paging(sqlite_engine, bsky_profile, httpserver):
    serve_search(httpserver, {None: "search_page1.json", "100": "search_page2.json"})

    result = collect(sqlite_engine, bsky_profile, "bluesky")

    assert result.status == "ok", result.error
    login = httpserver.log[0][0]
    assert login.path == SESSION and login.get_json()["identifier"] == "gemeente.test"
    first, second = [req for req, _ in httpserver.log if req.path == SEARCH]
    assert first.headers["Authorization"].startswith("Bearer ")
    assert first.headers["User-Agent"] == bsky_profile.user_agent
    assert first.args["q"] == "Heemstede" and first.args["sort"] == "latest" and first.args["lang"] == "nl"
    assert second.args["cursor"] == "100"
    rows = {r["platform_id"]: r for r in stored(sqlite_engine)}
    assert set(rows) == {"at://did:plc:anna123/app.bsky.feed.post/3lbx1", "at://did:plc:kees789/app.bsky.feed.post/3lbw9"}
    anna = rows["at://did:plc:anna123/app.bsky.feed.post/3lbx1"]
    assert anna["url"] == "https://bsky.app/profile/anna.bsky.social/post/3lbx1"
    assert (anna["replies"], anna["reposts"], anna["likes"]) == (1, 3, 9)
    # Tagged "en" by the client, but clearly Dutch.
    assert rows["at://did:plc:kees789/app.bsky.feed.post/3lbw9"]["language"] == "nl"
    assert cursor_of(sqlite_engine, "bluesky") == {"since": "2026-11-20T09:00:01.123Z"}


def test_next_run_searches_since_the_newest_post(sqlite_engine, bsky_profile, httpserver):
    serve_search(httpserver, {None: "search_page1.json", "100": "search_page2.json"})
    collect(sqlite_engine, bsky_profile, "bluesky")
    collect(sqlite_engine, bsky_profile, "bluesky")
    last = [req for req, _ in httpserver.log if req.path == SEARCH][-2]
    assert last.args["since"].startswith("2026-11-20T09:00:01.123")
    assert len(stored(sqlite_engine)) == 2


def test_cut_short_resumes_at_the_api_cursor(sqlite_engine, bsky_profile, httpserver):
    serve_search(httpserver, {None: "search_page1.json", "100": "search_page2.json"})
    one = profile_with(bsky_profile, "bluesky", **{**bsky_profile.sources["bluesky"].settings(), "max_pages": 1})
    collect(sqlite_engine, one, "bluesky")
    assert cursor_of(sqlite_engine, "bluesky") == {"since": None, "cursor": "100", "top": "2026-11-20T09:00:01.123Z"}
    collect(sqlite_engine, one, "bluesky")
    assert cursor_of(sqlite_engine, "bluesky") == {"since": "2026-11-20T09:00:01.123Z"}


def test_a_refused_deep_cursor_ends_the_search(sqlite_engine, bsky_profile, httpserver):
    refused = Response('{"error": "Forbidden", "message": "cursor too deep"}', status=403, content_type="application/json")
    serve_search(httpserver, {None: "search_page1.json", "100": refused})
    result = collect(sqlite_engine, bsky_profile, "bluesky")
    assert result.status == "ok" and result.stored == 1
    assert cursor_of(sqlite_engine, "bluesky") == {"since": "2026-11-20T09:00:01.123Z"}


def test_rate_limit_waits_for_the_epoch_reset(sqlite_engine, bsky_profile, httpserver, monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(http, "sleep", waits.append)
    answers = [
        Response('{"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}', status=429,
                 content_type="application/json",
                 headers={"ratelimit-limit": "3000", "ratelimit-remaining": "0",
                          "ratelimit-reset": str(int(time.time()) + 2)}),
        Response(fixture_text("bluesky", "search_page2.json"), content_type="application/json"),
    ]
    httpserver.expect_request(SEARCH).respond_with_handler(lambda _r: answers.pop(0))
    result = collect(sqlite_engine, bsky_profile, "bluesky")
    assert result.status == "ok", result.error
    assert len(waits) == 1 and 0 < waits[0] <= 3


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [(401, '{"error": "AuthenticationRequired", "message": "Invalid identifier or password"}', "401"),
     (500, '{"error": "InternalServerError"}', "500"),
     (200, '{"posts": [', "onverwachte vorm"),
     (200, '{"cursor": 5}', "onverwachte vorm")],
)
def test_failures_are_reported(sqlite_engine, bsky_profile, httpserver, status, body, expected):
    httpserver.expect_request(SEARCH).respond_with_data(body, status=status, content_type="application/json")
    result = collect(sqlite_engine, bsky_profile, "bluesky")
    assert result.status == "failed" and result.error.startswith("bluesky:") and expected in result.error


def test_refused_login_fails_the_source(sqlite_engine, profile, httpserver, monkeypatch):
    monkeypatch.setenv("VOELSPRIET_BLUESKY_HANDLE", "gemeente.test")
    monkeypatch.setenv("VOELSPRIET_BLUESKY_APP_PASSWORD", "wrong")
    httpserver.expect_request(SESSION, method="POST").respond_with_json(
        {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}, status=401)
    prof = profile_with(profile, "bluesky", query="Heemstede", base_url=httpserver.url_for("/"))
    result = collect(sqlite_engine, prof, "bluesky")
    assert result.status == "failed" and "401" in result.error and "wrong" not in result.error


def test_dry_run_preview(bsky_profile, httpserver):
    serve_search(httpserver, {None: "search_page1.json", "100": "search_page2.json"})
    lines = list(preview(bsky_profile, "bluesky"))
    assert len(lines) == 2
    json.dumps(lines)


@pytest.mark.parametrize(
    ("settings", "field"),
    [({}, "query"), ({"query": "Heemstede", "lang": "nederlands"}, "lang"),
     ({"query": "Heemstede", "max_pages": -1}, "max_pages"), ({"query": "x", "cursor": 1}, "cursor")],
)
def test_validate_names_the_bad_field(settings, field):
    with pytest.raises(ValueError, match=rf"^{field}\b"):
        BlueskyCollector.validate(settings)
