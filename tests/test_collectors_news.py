"""News collector: requests + feedparser against feeds served on loopback."""

from __future__ import annotations

import json
import time

import pytest
from werkzeug import Request, Response

from collectors.news import NewsCollector, html_to_text, normalise_url
from collectors.runner import collect, preview
from tests.collector_support import (
    FIXTURES,
    cursor_of,
    last_run,
    profile_with,
    sightings_of,
    stored,
)


def serve_feed(httpserver, path, fixture, content_type, etag=None, last_modified=None):
    body = (FIXTURES / "news" / fixture).read_bytes()

    def handler(request: Request) -> Response:
        if etag and request.headers.get("If-None-Match") == etag:
            return Response(status=304)
        headers = {k: v for k, v in {"ETag": etag, "Last-Modified": last_modified}.items() if v}
        return Response(body, content_type=content_type, headers=headers)

    httpserver.expect_request(path).respond_with_handler(handler)


def news_profile(profile, httpserver, *feeds):
    return profile_with(
        profile, "news", timeout_seconds=1,
        feeds=[{"name": name, "url": httpserver.url_for(path)} for name, path in feeds],
    )


@pytest.fixture
def two_feeds(profile, httpserver):
    serve_feed(httpserver, "/nieuws/rss", "gemeente.xml", "application/rss+xml; charset=utf-8",
               etag='"v1"', last_modified="Thu, 20 Nov 2026 08:00:00 GMT")
    serve_feed(httpserver, "/regio.atom", "regio.atom", "application/atom+xml")
    return news_profile(profile, httpserver, ("gemeente", "/nieuws/rss"), ("regio", "/regio.atom"))


def test_collects_feeds_as_clean_text_with_stable_identity(sqlite_engine, two_feeds, httpserver):
    result = collect(sqlite_engine, two_feeds, "news")

    assert result.status == "ok", result.error
    rows = {r["platform_id"]: r for r in stored(sqlite_engine)}
    base = httpserver.url_for("/").rstrip("/")
    works = rows[f"{base}/nieuws/werkzaamheden-binnenweg"]
    assert works["title"] == "Werkzaamheden Binnenweg & Raadhuisstraat"
    assert works["text"] == (
        "Vanaf maandag werkt de gemeente aan de Binnenweg én de Raadhuisstraat. Fietsers worden omgeleid."
    )
    assert "evil" not in works["text"] and "cookie" not in works["text"]
    assert works["author_handle"] == "Gemeente Heemstede"
    assert works["created_at"].isoformat() == "2026-11-20T08:00:00+00:00"
    # No link: the relative guid is made absolute against the feed's URL.
    assert any(pid.endswith("/nieuws/rss#zonder-link-1") for pid in rows)
    # Kasteel Heemstede in Houten is not about the municipality.
    assert not any("kasteelheemstede" in pid for pid in rows)
    # The same article in two feeds (tracking parameters, host case, fragment) is stored once.
    playground = "https://www.heemstede.nl/nieuws/speeltuin-wandelbos"
    assert playground in rows and len(rows) == 3
    assert {(playground, "news:gemeente"), (playground, "news:regio")} <= sightings_of(sqlite_engine)
    assert cursor_of(sqlite_engine, "news") == {
        "gemeente": {"etag": '"v1"', "last_modified": "Thu, 20 Nov 2026 08:00:00 GMT"},
    }


def test_conditional_get_on_the_next_run(sqlite_engine, two_feeds, httpserver):
    collect(sqlite_engine, two_feeds, "news")
    result = collect(sqlite_engine, two_feeds, "news")
    gemeente = [req for req, _ in httpserver.log if req.path == "/nieuws/rss"]
    assert gemeente[-1].headers["If-None-Match"] == '"v1"'
    assert gemeente[-1].headers["If-Modified-Since"] == "Thu, 20 Nov 2026 08:00:00 GMT"
    assert gemeente[-1].headers["User-Agent"] == two_feeds.user_agent
    assert result.status == "ok" and len(stored(sqlite_engine)) == 3


@pytest.mark.parametrize(
    ("fixture", "content_type", "expected"),
    [
        ("cp1252_undeclared.xml", "text/xml", "Café aan de Binnenweg in Heemstede krijgt ‘terrasvergunning’"),
        ("big5.xml", "application/xml", "荷蘭 Heemstede 市政府新聞"),
        ("broken.xml", "application/xml", "Heemstede nieuws met onbekende entiteit"),
    ],
)
def test_wrong_encodings_and_broken_xml_are_read(sqlite_engine, profile, httpserver, fixture, content_type, expected):
    serve_feed(httpserver, "/feed", fixture, content_type)
    result = collect(sqlite_engine, news_profile(profile, httpserver, ("f", "/feed")), "news")
    assert result.status == "ok", result.error
    assert expected in [r["title"] for r in stored(sqlite_engine)]


def test_a_broken_feed_fails_but_the_next_source_still_runs(sqlite_engine, profile, httpserver):
    serve_feed(httpserver, "/garbage", "garbage.bin", "text/html")
    serve_feed(httpserver, "/nieuws/rss", "gemeente.xml", "application/rss+xml")
    broken = news_profile(profile, httpserver, ("kapot", "/garbage"))
    fine = news_profile(profile, httpserver, ("gemeente", "/nieuws/rss"))

    failed = collect(sqlite_engine, broken, "news")
    ok = collect(sqlite_engine, fine, "news")

    assert failed.status == "failed" and "kapot" in failed.error and failed.error.startswith("news:")
    assert ok.status == "ok" and ok.stored == 3


def test_a_failing_feed_keeps_the_pages_before_it(sqlite_engine, profile, httpserver):
    serve_feed(httpserver, "/nieuws/rss", "gemeente.xml", "application/rss+xml", etag='"v1"')
    httpserver.expect_request("/down").respond_with_data("<h1>502 Bad Gateway</h1>", status=502, content_type="text/html")
    prof = news_profile(profile, httpserver, ("gemeente", "/nieuws/rss"), ("down", "/down"))
    result = collect(sqlite_engine, prof, "news")
    assert result.status == "failed" and "HTTP 502" in result.error
    assert result.stored == 3 and cursor_of(sqlite_engine, "news") == {"gemeente": {"etag": '"v1"'}}


def test_a_connection_dropped_mid_body_fails_the_source_not_the_run(sqlite_engine, profile, httpserver):
    # The body is read from the raw stream, where urllib3's errors are not requests' errors.
    def truncated(_request):
        def body():
            yield b"<?xml version='1.0'?><rss><channel><title>Heemstede</title>"
            raise ConnectionResetError("the server went away")

        return Response(body(), content_type="application/rss+xml", headers={"Content-Length": "100000"})

    httpserver.expect_request("/cut").respond_with_handler(truncated)
    result = collect(sqlite_engine, news_profile(profile, httpserver, ("afgebroken", "/cut")), "news")
    assert result.status == "failed", result.error
    assert result.error.startswith("news: feed afgebroken") and "geen antwoord" in result.error
    assert last_run(sqlite_engine)["status"] == "failed"


def test_a_dead_feed_does_not_keep_the_feeds_after_it_from_being_read(sqlite_engine, profile, httpserver):
    httpserver.expect_request("/down").respond_with_data("weg", status=404, content_type="text/plain")
    serve_feed(httpserver, "/nieuws/rss", "gemeente.xml", "application/rss+xml", etag='"v1"')
    prof = news_profile(profile, httpserver, ("down", "/down"), ("gemeente", "/nieuws/rss"))

    result = collect(sqlite_engine, prof, "news")

    assert result.status == "failed" and "feed down" in result.error and "HTTP 404" in result.error
    assert result.stored == 3 and cursor_of(sqlite_engine, "news") == {"gemeente": {"etag": '"v1"'}}


def test_timeout(sqlite_engine, profile, httpserver):
    def slow(_request):
        time.sleep(1.3)
        return Response("<rss/>", content_type="application/xml")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    result = collect(sqlite_engine, news_profile(profile, httpserver, ("slow", "/slow")), "news")
    assert result.status == "failed" and "Timeout" in result.error


def test_dry_run_preview(two_feeds):
    lines = list(preview(two_feeds, "news"))
    assert len({line["platform_id"] for line in lines}) == 3
    json.dumps(lines)


def test_normalise_url_and_html_to_text():
    assert normalise_url("HTTPS://Example.NL:443/a/?utm_source=x&b=2&a=1#frag") == "https://example.nl/a?a=1&b=2"
    assert html_to_text("<p>a &amp; b</p><script>alert(1)</script><iframe>x</iframe>") == "a & b"
    assert html_to_text("  ") is None


@pytest.mark.parametrize(
    ("settings", "field"),
    [({}, "feeds"), ({"feeds": "https://x.nl/rss"}, "feeds"),
     ({"feeds": [{"name": "a", "url": "nieuws.rss"}]}, "feeds.0.url"),
     ({"feeds": [{"name": "a", "url": "https://a.nl"}, {"name": "a", "url": "https://b.nl"}]}, "feeds.1.name"),
     ({"feeds": [{"name": "a", "url": "https://a.nl"}], "timeout_seconds": 0}, "timeout_seconds")],
)
def test_validate_names_the_bad_field(settings, field):
    with pytest.raises(ValueError, match=rf"^{field}\b"):
        NewsCollector.validate(settings)
