"""X (Twitter): API v2 recent search through tweepy. See collectors/x.md."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any, ClassVar

import requests
import requests.auth
import tweepy

from collectors import checks
from collectors.base import Collector, Page, RateLimited, SourceError, Window
from collectors.http import find_cause, session_for
from voelspriet.mention import Mention

log = logging.getLogger(__name__)

TWEET_FIELDS = [
    "author_id", "created_at", "lang", "conversation_id", "public_metrics",
    "referenced_tweets", "edit_history_tweet_ids", "entities",
]
USER_FIELDS = ["username", "name", "verified", "public_metrics"]
EXPANSIONS = ["author_id", "referenced_tweets.id", "referenced_tweets.id.author_id"]


TOKEN_PLACEHOLDER = "(set-by-session)"


class BearerAuth(requests.auth.AuthBase):
    """Sets the bearer token on each request, where no library logs it."""

    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request

    def __repr__(self) -> str:
        return "BearerAuth(***)"


def unescape(text: str) -> str:
    """X escapes exactly &, < and > in tweet text; undo only those (``&amp;`` last)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


class XCollector(Collector):
    """Recent search (last seven days) for the profile's query, newest first.

    The cursor is ``{"since_id"}`` once a run has read everything down to the previous
    ``since_id``. While a run is cut short (``max_pages``, a rate limit, an error) the cursor
    also holds ``until_id`` (the oldest tweet stored) and ``newest_id``, so the next run first
    fills the gap below ``until_id`` and only then moves ``since_id`` up.
    """

    platform = "x"
    needs_credentials = True
    credential_fields: ClassVar[dict[str, tuple[str, ...]]] = {"bearer_token": ("password", "extra.bearer_token")}
    required_credentials = ("bearer_token",)

    @staticmethod
    def validate(settings: dict[str, Any]) -> None:
        checks.known_fields(settings, {"query", "max_pages", "max_results"})
        checks.common(settings)
        checks.text(settings, "query")
        if len(settings["query"]) > 512:
            raise ValueError(f"query is {len(settings['query'])} tekens; X staat er 512 toe.")
        checks.number(settings, "max_pages", 1, 50)
        checks.number(settings, "max_results", 10, 100)

    def client(self) -> tweepy.Client:
        # Raw responses: we keep the payload untouched and read `errors` next to `data`.
        # tweepy logs each request's headers at DEBUG, so it only gets a placeholder; the
        # session's auth replaces the header after tweepy has logged it.
        client = tweepy.Client(bearer_token=TOKEN_PLACEHOLDER, return_type=requests.Response)
        client.session = session_for(self, self.settings.get("base_url"))
        client.session.auth = BearerAuth(self.credentials["bearer_token"])
        client.user_agent = self.profile.user_agent
        return client

    def fetch(self, cursor: dict[str, Any] | None, window: Window | None = None) -> Iterator[Page]:
        client = self.client()
        cursor = dict(cursor or {})
        params: dict[str, Any] = {
            "max_results": int(self.settings.get("max_results", 100)),
            "tweet_fields": TWEET_FIELDS, "user_fields": USER_FIELDS, "expansions": EXPANSIONS,
        }
        if window:
            params.update(start_time=window.start, end_time=window.end)
        else:
            if cursor.get("since_id"):
                params["since_id"] = cursor["since_id"]
            if cursor.get("until_id"):
                params["until_id"] = cursor["until_id"]
        newest = cursor.get("newest_id")
        next_token = None
        for _page_no in range(int(self.settings.get("max_pages", 5))):
            body = self._search(client, {**params, "next_token": next_token} if next_token else params)
            meta = body.get("meta") or {}
            items = self._items(body)
            next_token = meta.get("next_token")
            oldest = meta.get("oldest_id") or min((t["id"] for t in body.get("data") or []), key=int, default=None)
            newest = newest or meta.get("newest_id")
            if window:
                page_cursor = None
            elif next_token is None:
                # Everything down to the old since_id is read: the gap is closed.
                page_cursor = {"since_id": newest or cursor.get("since_id")} if (newest or cursor.get("since_id")) else None
            else:
                page_cursor = {"since_id": cursor.get("since_id"), "until_id": oldest, "newest_id": newest}
            yield Page(items, page_cursor)
            # A short page may still carry next_token: stop only when it is absent.
            if next_token is None:
                return

    def _search(self, client: tweepy.Client, params: dict[str, Any]) -> dict[str, Any]:
        try:
            response = client.search_recent_tweets(self.settings["query"], **params)
        except tweepy.TooManyRequests as exc:
            raise RateLimited(f"x: limiet bereikt (HTTP 429), {_reason(exc)}") from exc
        except tweepy.Unauthorized as exc:
            raise SourceError(f"x: de bearer token wordt geweigerd (HTTP 401): {_reason(exc)}") from exc
        except tweepy.Forbidden as exc:
            raise SourceError(f"x: geen toegang tot recent search (HTTP 403): {_reason(exc)}") from exc
        except tweepy.HTTPException as exc:
            raise SourceError(f"x: HTTP {exc.response.status_code}: {_reason(exc)}") from exc
        except requests.RequestException as exc:
            limited = find_cause(exc, RateLimited)
            if limited:
                raise limited from exc
            raise SourceError(f"x: geen antwoord van de API ({type(exc).__name__}).") from exc
        try:
            body = response.json()
        except ValueError:
            raise SourceError(f"x: het antwoord is geen JSON (HTTP {response.status_code}).") from None
        if not isinstance(body, dict):
            raise SourceError("x: het antwoord heeft een onverwachte vorm (geen JSON-object).")
        errors = body.get("errors") or []
        if errors and "data" not in body and "meta" not in body:
            first = errors[0] if isinstance(errors[0], dict) else {}
            raise SourceError(
                f"x: de API gaf alleen fouten terug: {first.get('title') or ''}: "
                f"{first.get('message') or first.get('detail') or ''}"[:400]
            )
        if errors:
            # Partial errors (a deleted referenced tweet, a suspended author) come with data.
            log.warning("x: %d partial errors in a search page", len(errors))
        return body

    @staticmethod
    def _items(body: dict[str, Any]) -> list[dict[str, Any]]:
        """One self-contained item per tweet; a retweet becomes its original from includes."""
        includes = body.get("includes") or {}
        users = {u["id"]: u for u in includes.get("users") or [] if isinstance(u, dict) and "id" in u}
        tweets = {t["id"]: t for t in includes.get("tweets") or [] if isinstance(t, dict) and "id" in t}
        items: dict[str, dict[str, Any]] = {}
        for tweet in body.get("data") or []:
            retweeted = next(
                (r["id"] for r in tweet.get("referenced_tweets") or [] if r.get("type") == "retweeted"),
                None,
            )
            if retweeted and retweeted in tweets:
                original = tweets[retweeted]
                item = items.setdefault(original["id"], {"data": original, "retweeted_by": []})
                item["retweeted_by"].append(tweet["id"])
                tweet = original
            else:
                item = items.setdefault(tweet["id"], {"data": tweet})
            referenced = [tweets[r["id"]] for r in tweet.get("referenced_tweets") or [] if r.get("id") in tweets]
            item["includes"] = {
                "users": [users[tweet["author_id"]]] if tweet.get("author_id") in users else [],
                "tweets": referenced,
            }
        return list(items.values())

    def to_mention(self, raw: dict[str, Any]) -> Mention:
        tweet = raw["data"]
        users = (raw.get("includes") or {}).get("users") or []
        handle = users[0].get("username") if users else None
        metrics = tweet.get("public_metrics") or {}
        author = handle or "i"
        return Mention(
            platform="x",
            platform_id=str(tweet["id"]),
            url=f"https://x.com/{author}/status/{tweet['id']}",
            author_handle=handle,
            text=unescape(tweet["text"]),
            language=tweet.get("lang"),
            created_at=datetime.fromisoformat(tweet["created_at"]),
            replies=metrics.get("reply_count"),
            reposts=_sum(metrics.get("retweet_count"), metrics.get("quote_count")),
            likes=metrics.get("like_count"),
            reach=metrics.get("impression_count"),
            raw=raw,
        )


def _sum(*values: int | None) -> int | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def _reason(exc: tweepy.HTTPException) -> str:
    if exc.api_messages:
        return "; ".join(str(m) for m in exc.api_messages)[:300]
    # An HTML error page (404 from a proxy) has no JSON errors: say so, without the HTML.
    kind = exc.response.headers.get("content-type", "?").split(";")[0]
    return f"{exc.response.reason or 'geen reden'} ({kind})"
