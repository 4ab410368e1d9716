"""News sites and RSS/Atom feeds through feedparser. See collectors/news.md."""

from __future__ import annotations

import calendar
import hashlib
import logging
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import feedparser
import requests
import urllib3
from bs4 import BeautifulSoup

from collectors import checks
from collectors.base import Collector, Page, SourceError, Window
from collectors.http import session_for
from voelspriet.mention import Mention

log = logging.getLogger(__name__)

MAX_ID_LENGTH = 300
MAX_BYTES = 10 * 1024 * 1024
TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|ocid|cmpid|xtor|at_medium|at_campaign)$", re.IGNORECASE)
BLOCKS = ["p", "br", "div", "li", "ul", "ol", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
          "blockquote", "pre", "section", "article", "header", "footer", "figcaption", "hr"]
NOT_TEXT = ["script", "style", "iframe", "noscript", "object", "embed", "form", "template"]
SPACE = re.compile(r"\s+")


def normalise_url(url: str) -> str:
    """One spelling per article: lower-case host, no fragment, no tracking parameters."""
    parts = urlsplit(url.strip())
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING.match(k))
    netloc = parts.netloc.lower().removesuffix(":80").removesuffix(":443")
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/")
    return urlunsplit((parts.scheme.lower(), netloc, path, urlencode(query), ""))


def html_to_text(html: str | None) -> str | None:
    """Visible text of an HTML fragment, entities decoded, scripts and frames removed."""
    if not html:
        return None
    if "<" not in html and "&" not in html:
        # Plain text (most titles): no need to parse.
        return SPACE.sub(" ", html).strip() or None
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(NOT_TEXT):
        tag.decompose()
    # Blocks are separated by a space; inline tags (<span>#</span>tag) are not.
    for tag in soup(BLOCKS):
        tag.insert_after(" ")
    text = SPACE.sub(" ", soup.get_text("")).strip()
    return text or None


def _jsonable(value: Any) -> Any:
    if isinstance(value, time.struct_time):
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC).isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def _is_absolute(url: str | None) -> bool:
    parts = urlsplit(url or "")
    return parts.scheme in ("http", "https") and bool(parts.netloc)


class NewsCollector(Collector):
    """Each feed is fetched once per run, conditionally; one page per feed, with its cursor."""

    platform = "news"

    @staticmethod
    def validate(settings: dict[str, Any]) -> None:
        checks.known_fields(settings, {"feeds", "max_items_per_feed"})
        checks.common(settings)
        feeds = settings.get("feeds")
        if not isinstance(feeds, list) or not feeds:
            raise ValueError(f"feeds moet een niet-lege lijst van {{name, url}} zijn, gevonden: {feeds!r}.")
        names = set()
        for i, feed in enumerate(feeds):
            if not isinstance(feed, dict) or set(feed) - {"name", "url"}:
                raise ValueError(f"feeds.{i} moet de vorm {{name: ..., url: ...}} hebben, gevonden: {feed!r}.")
            checks.text(feed, "name")
            checks.url(feed.get("url"), f"feeds.{i}.url")
            if feed["name"] in names:
                raise ValueError(f"feeds.{i}.name {feed['name']!r} komt twee keer voor; namen moeten uniek zijn.")
            names.add(feed["name"])
        checks.number(settings, "max_items_per_feed", 1, 1000)

    def fetch(self, cursor: dict[str, Any] | None, window: Window | None = None) -> Iterator[Page]:
        session = session_for(self)
        state = {k: dict(v) for k, v in (cursor or {}).items()}
        failures: list[str] = []
        for feed in self.settings["feeds"]:
            # A dead feed must not keep the feeds after it from being read, run after run:
            # each feed is read, and the source fails at the end, naming the dead ones.
            try:
                page = self._read_feed(session, feed["name"], feed["url"], state, window)
            except SourceError as exc:
                failures.append(str(exc))
                continue
            if page is not None:
                yield page
        if failures:
            raise SourceError(" ".join(failures))

    def _read_feed(
        self, session: requests.Session, name: str, url: str, state: dict[str, Any],
        window: Window | None,
    ) -> Page | None:
        """One feed as a page (its cursor in ``state``), or None when it has not changed."""
        limit = int(self.settings.get("max_items_per_feed", 200))
        mine = {} if window else state.get(name, {})
        fetched = self._get(session, name, url, mine)
        if fetched is None:  # 304 Not Modified
            return None
        headers, body = fetched
        headers = {k.lower(): v for k, v in headers.items()}
        # Bytes, not a URL: feedparser's own fetching has no timeout. The headers give it
        # the charset and the base for relative links.
        parsed = feedparser.parse(body, response_headers={**headers, "content-location": url})
        entries = parsed.entries
        if parsed.bozo and not entries:
            raise SourceError(
                f"news: feed {name} ({url}) is onleesbaar: {type(parsed.bozo_exception).__name__}: "
                f"{str(parsed.bozo_exception)[:200]}"
            )
        if parsed.bozo:
            log.warning("news: feed %s is partly broken (%s); kept %d entries",
                        name, type(parsed.bozo_exception).__name__, len(entries))
        items = [
            {"feed": name, "feed_url": url, "entry": _jsonable(dict(entry))}
            for entry in entries[:limit]
        ]
        if window:
            return Page([i for i in items if self._created_at(i) in window], None)
        state[name] = {
            k: v for k, v in {"etag": headers.get("etag"),
                              "last_modified": headers.get("last-modified")}.items() if v
        }
        return Page(items, {k: v for k, v in state.items() if v} or None)

    def _get(
        self, session: requests.Session, name: str, url: str, mine: dict[str, Any]
    ) -> tuple[dict[str, str], bytes] | None:
        """The feed's headers and bytes, or None when it has not changed (HTTP 304)."""
        headers = {"Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"}
        if mine.get("etag"):
            headers["If-None-Match"] = mine["etag"]
        if mine.get("last_modified"):
            headers["If-Modified-Since"] = mine["last_modified"]
        try:
            response = session.get(url, headers=headers, stream=True)
            if response.status_code == 304:
                response.close()
                return None
            if response.status_code >= 400:
                response.close()
                raise SourceError(f"news: feed {name} ({url}): HTTP {response.status_code} {response.reason}.")
            body = response.raw.read(MAX_BYTES + 1, decode_content=True)
        # The body comes from the raw stream: a connection that breaks or stalls there raises
        # urllib3's errors, which requests wraps only in iter_content.
        except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
            raise SourceError(f"news: feed {name} ({url}): geen antwoord ({type(exc).__name__}).") from exc
        if len(body) > MAX_BYTES:
            raise SourceError(f"news: feed {name} ({url}) is groter dan {MAX_BYTES // 1_048_576} MB.")
        return dict(response.headers), body

    @staticmethod
    def identity(item: dict[str, Any]) -> str:
        """The article's normalised URL; a guid only when there is no usable link."""
        entry, feed_url = item["entry"], item["feed_url"]
        link = entry.get("link")
        if link and not _is_absolute(link):
            link = urljoin(feed_url, link)
        guid = entry.get("id")
        if _is_absolute(link):
            key = normalise_url(link)
        elif _is_absolute(guid):
            key = normalise_url(guid)
        elif guid and guid.startswith("/"):
            key = normalise_url(urljoin(feed_url, guid))
        elif guid:
            # An opaque guid is only unique within its feed.
            key = f"{normalise_url(feed_url)}#{guid.strip()}"
        else:
            basis = f"{feed_url}\n{entry.get('title')}\n{entry.get('published') or entry.get('updated')}"
            key = "sha256:" + hashlib.sha256(basis.encode()).hexdigest()
        if len(key) > MAX_ID_LENGTH:
            key = "sha256:" + hashlib.sha256(key.encode()).hexdigest()
        return key

    @staticmethod
    def _created_at(item: dict[str, Any]) -> datetime:
        entry = item["entry"]
        for field in ("published_parsed", "updated_parsed", "created_parsed"):
            if entry.get(field):
                return datetime.fromisoformat(entry[field])
        # Undated entries count as seen now; the raw entry keeps what the feed said.
        return datetime.now(UTC)

    def to_mention(self, raw: dict[str, Any]) -> Mention | None:
        entry = raw["entry"]
        content = entry.get("content") or []
        body = content[0].get("value") if content and isinstance(content[0], dict) else None
        title = html_to_text(entry.get("title"))
        text = html_to_text(body) or html_to_text(entry.get("summary")) or title
        if not text:
            return None  # an entry with neither title nor text says nothing
        link = entry.get("link")
        url = urljoin(raw["feed_url"], link) if link else entry.get("id")
        return Mention(
            platform="news",
            platform_id=self.identity(raw),
            url=url if _is_absolute(url) else None,
            author_handle=entry.get("author") or None,
            title=title,
            text=text,
            created_at=self._created_at(raw),
            raw=raw,
        )

    def seen_in(self, raw: dict[str, Any]) -> str | None:
        return raw["feed"]
