"""Bluesky: authenticated app.bsky.feed.searchPosts through atproto. See collectors/bluesky.md."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any, ClassVar

from atproto import Client, models
from atproto_client import exceptions as at_errors
from atproto_client.request import Request

from collectors import checks
from collectors.base import Collector, Page, RateLimited, SourceError, Window
from collectors.http import DEFAULT_MAX_WAIT, MAX_RETRIES, UNHINTED_WAIT, RateBudget, wait_seconds
from voelspriet.mention import Mention

log = logging.getLogger(__name__)

DEFAULT_BASE = "https://bsky.social"
PAGE_LIMIT = 100


class BlueskyCollector(Collector):
    """searchPosts sorted latest, newest first, from a ``since`` time.

    The cursor is ``{"since": ISO time}`` (the newest ``indexedAt`` stored). A run cut short
    stores ``{"since", "cursor", "top"}`` and the next run continues at the API cursor before
    moving ``since`` up to ``top``.
    """

    platform = "bluesky"
    needs_credentials = True
    credential_fields: ClassVar[dict[str, tuple[str, ...]]] = {"handle": ("login", "extra.handle"), "app_password": ("password", "extra.app_password")}
    required_credentials = ("handle", "app_password")

    @staticmethod
    def validate(settings: dict[str, Any]) -> None:
        checks.known_fields(settings, {"query", "lang", "max_pages"})
        checks.common(settings)
        checks.text(settings, "query")
        lang = settings.get("lang")
        if lang is not None and (not isinstance(lang, str) or not lang.isalpha() or len(lang) not in (2, 3)):
            raise ValueError(f"lang moet een taalcode zijn zoals nl, gevonden: {lang!r}.")
        checks.number(settings, "max_pages", 1, 50)

    def client(self) -> Client:
        request = Request(timeout=float(self.settings.get("timeout_seconds", 20)))
        request.add_additional_header("User-Agent", self.profile.user_agent)
        return Client(base_url=self.settings.get("base_url") or DEFAULT_BASE, request=request)

    def fetch(self, cursor: dict[str, Any] | None, window: Window | None = None) -> Iterator[Page]:
        budget = RateBudget("bluesky", float(self.settings.get("max_wait_seconds", DEFAULT_MAX_WAIT)))
        client = self.client()
        self._call(budget, client.login, self.credentials["handle"], self.credentials["app_password"],
                   fetch_bsky_profile=False)
        state = {} if window else dict(cursor or {})
        since = window.start.isoformat() if window else state.get("since")
        api_cursor, top = state.get("cursor"), state.get("top")
        for page_no in range(int(self.settings.get("max_pages", 5))):
            params = models.AppBskyFeedSearchPosts.Params(
                q=self.settings["query"], lang=self.settings.get("lang"), sort="latest",
                limit=PAGE_LIMIT, since=since, until=window.end.isoformat() if window else None,
                cursor=api_cursor,
            )
            try:
                response = self._call(budget, client.app.bsky.feed.search_posts, params)
            except SourceError as exc:
                # Deep cursors are refused with 403: the results end there for us too.
                if api_cursor and "HTTP 403" in str(exc):
                    log.warning("bluesky: cursor refused after %d pages; ending this search", page_no)
                    api_cursor = None
                    yield Page([], None if window else ({"since": top or since} if (top or since) else None))
                    return
                raise
            body = response.model_dump(mode="json", by_alias=True, exclude_none=True)
            posts = body.get("posts") or []
            for post in posts:
                stamp = post.get("indexedAt")
                if stamp and (top is None or _when(stamp) > _when(top)):
                    top = stamp
            api_cursor = body.get("cursor") if posts else None
            if window:
                yield Page(posts, None)
            elif api_cursor is None:
                yield Page(posts, {"since": top or since} if (top or since) else None)
            else:
                yield Page(posts, {"since": since, "cursor": api_cursor, "top": top})
            if api_cursor is None:
                return

    def _call(self, budget: RateBudget, method, *args, **kwargs):
        """Call atproto, waiting out 429s within the budget; errors become SourceError."""
        for _attempt in range(MAX_RETRIES):
            try:
                return method(*args, **kwargs)
            except at_errors.RateLimitExceededError as exc:
                headers = exc.response.headers if exc.response else {}
                seconds = wait_seconds(headers)
                budget.wait(UNHINTED_WAIT if seconds is None else seconds, "HTTP 429")
            except at_errors.InvokeTimeoutError as exc:
                raise SourceError("bluesky: geen antwoord binnen de tijd (timeout).") from exc
            except at_errors.NetworkError as exc:
                raise SourceError(f"bluesky: netwerkfout ({_describe(exc)}).") from exc
            except at_errors.UnauthorizedError as exc:
                raise SourceError(f"bluesky: geweigerd: {_describe(exc)}") from exc
            except at_errors.RequestErrorBase as exc:
                raise SourceError(f"bluesky: {_describe(exc)}") from exc
            except (at_errors.ModelError, ValueError) as exc:
                raise SourceError(
                    f"bluesky: het antwoord heeft een onverwachte vorm of is geen JSON ({str(exc)[:200]})."
                ) from exc
        raise RateLimited("bluesky: limiet bereikt (HTTP 429), ook na wachten.")

    def to_mention(self, raw: dict[str, Any]) -> Mention | None:
        record = raw["record"]
        text = record.get("text")
        if not text:
            return None  # an image-only post
        author = raw.get("author") or {}
        handle = author.get("handle")
        rkey = raw["uri"].rsplit("/", 1)[-1]
        langs = record.get("langs") or []
        return Mention(
            platform="bluesky",
            platform_id=raw["uri"],
            url=f"https://bsky.app/profile/{handle or author.get('did')}/post/{rkey}",
            author_handle=handle,
            text=text,
            language=langs[0] if langs else None,
            created_at=_when(record.get("createdAt") or raw["indexedAt"]),
            replies=raw.get("replyCount"),
            reposts=_sum(raw.get("repostCount"), raw.get("quoteCount")),
            likes=raw.get("likeCount"),
            raw=raw,
        )


def _when(stamp: str) -> datetime:
    moment = datetime.fromisoformat(stamp)
    if moment.tzinfo is None:
        raise ValueError(f"time without zone: {stamp!r}")
    return moment


def _sum(*values: int | None) -> int | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def _describe(exc: at_errors.RequestErrorBase) -> str:
    response = getattr(exc, "response", None)
    if response is None:
        return type(exc).__name__
    content = response.content
    detail = getattr(content, "message", None) or getattr(content, "error", None)
    return f"HTTP {response.status_code}" + (f": {detail}" if detail else "")
