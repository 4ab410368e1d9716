"""Reddit: posts and comments naming the profile's terms, through praw. See collectors/reddit.md."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar

import praw
import prawcore
import requests

from collectors import checks
from collectors.base import Collector, Page, RateLimited, SourceError, Window
from collectors.http import RateBudget, budget_of, find_cause, session_for
from voelspriet.mention import Mention

log = logging.getLogger(__name__)

PAGE_LIMIT = 100
GONE = {"[deleted]", "[removed]"}


class ListingUnavailable(SourceError):
    """One listing is refused or gone (a private, banned or renamed subreddit)."""


class RedditCollector(Collector):
    """Newest-first listings (searches and comment streams), each with its own cursor.

    A listing's cursor is ``{"floor": created_utc}``: everything newer than ``floor`` is
    stored. A listing cut short by ``max_items`` or an error saves ``{"floor", "after",
    "top"}``: the next run continues below ``after`` down to ``floor`` and then moves
    ``floor`` up to ``top``, so nothing between two runs is skipped.
    """

    platform = "reddit"
    needs_credentials = True
    credential_fields: ClassVar[dict[str, tuple[str, ...]]] = {
        "client_id": ("login", "extra.client_id"),
        "client_secret": ("password", "extra.client_secret"),
    }
    required_credentials = ("client_id", "client_secret")

    @staticmethod
    def validate(settings: dict[str, Any]) -> None:
        checks.known_fields(settings, {"subreddits", "terms", "site_wide", "max_items", "comments"})
        checks.common(settings)
        checks.text_list(settings, "terms")
        checks.text_list(settings, "subreddits", required=not settings.get("site_wide"))
        for name in settings.get("subreddits") or []:
            if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_]{1,20}", name):
                raise ValueError(f"subreddits bevat {name!r}; schrijf de naam zonder r/ (zoals Heemstede).")
        checks.boolean(settings, "site_wide")
        checks.boolean(settings, "comments")
        checks.number(settings, "max_items", 1, 5000)

    def client(self, session: requests.Session) -> praw.Reddit:
        base = self.settings.get("base_url")
        urls = {"oauth_url": base.rstrip("/"), "reddit_url": base.rstrip("/")} if base else {}
        return praw.Reddit(
            client_id=self.credentials["client_id"],
            client_secret=self.credentials["client_secret"],
            user_agent=self.profile.user_agent,
            requestor_kwargs={"session": session},
            timeout=int(self.settings.get("timeout_seconds", 20)),
            check_for_updates=False,
            check_for_async=False,
            **urls,
        )

    def listings(self) -> list[tuple[str, str, dict[str, Any]]]:
        """``(cursor key, path, params)`` for every listing this source reads."""
        terms = self.settings["terms"]
        query = " OR ".join(f'"{t}"' if " " in t else t for t in terms)
        search = {"q": query, "sort": "new", "t": "week", "syntax": "lucene", "type": "link"}
        found = []
        for sub in self.settings.get("subreddits") or []:
            found.append((f"search:r/{sub}", f"/r/{sub}/search/", {**search, "restrict_sr": 1}))
        if self.settings.get("site_wide", False):
            found.append(("search:all", "/search/", search))
        if self.settings.get("comments", True):
            for sub in self.settings.get("subreddits") or []:
                found.append((f"comments:r/{sub}", f"/r/{sub}/comments/", {}))
        return found

    def fetch(self, cursor: dict[str, Any] | None, window: Window | None = None) -> Iterator[Page]:
        session = session_for(self)
        reddit = self.client(session)
        budget = budget_of(session)
        state = {k: dict(v) for k, v in (cursor or {}).items()}
        self._left = int(self.settings.get("max_items", 300))
        terms = re.compile("|".join(re.escape(t) for t in self.settings["terms"]), re.IGNORECASE)
        unavailable: list[str] = []
        for key, path, params in self.listings():
            # A private or banned subreddit must not keep the listings after it from being
            # read, run after run; the source still fails at the end, naming it.
            try:
                yield from self._listing_pages(reddit, budget, terms, key, path, params, state, window)
            except ListingUnavailable as exc:
                unavailable.append(str(exc))
            except SourceError as exc:
                if unavailable:  # name them too: the error that stops the run is not the only one
                    raise type(exc)(" ".join([*unavailable, str(exc)])) from exc
                raise
        if unavailable:
            raise SourceError(" ".join(unavailable))

    def _listing_pages(
        self, reddit: praw.Reddit, budget: RateBudget, terms: re.Pattern, key: str, path: str,
        params: dict[str, Any], state: dict[str, Any], window: Window | None,
    ) -> Iterator[Page]:
        """Pages of one listing, newest first, moving ``state[key]``; uses up ``self._left``."""
        mine = state.get(key, {})
        floor = window.start.timestamp() if window else mine.get("floor")
        after, top = (None, None) if window else (mine.get("after"), mine.get("top"))
        while True:
            if self._left <= 0:
                break
            budget.before_request()
            listing = self._get(reddit, path, {**params, "limit": min(PAGE_LIMIT, self._left), "after": after})
            items, reached_floor = [], False
            for child in listing["data"]["children"]:
                data = child.get("data") or {}
                created = data.get("created_utc")
                # Only the listing's own children are in date order; their nested
                # replies come along with them.
                if child.get("kind") in ("t1", "t3") and created is not None:
                    if floor is not None and float(created) < floor:
                        reached_floor = True
                        continue
                    if window and float(created) >= window.end.timestamp():
                        continue
                    top = max(top or 0.0, float(created))
                for item in _flatten([child]):
                    body = (item.get("data") or {}).get("body") or ""
                    if key.startswith("comments:") and not terms.search(body):
                        continue
                    items.append(item)
            self._left -= len(listing["data"]["children"])
            after = listing["data"].get("after")
            done = reached_floor or not after
            if not window:
                if done:
                    new_floor = top if top is not None else floor
                    state[key] = {"floor": new_floor} if new_floor is not None else {}
                else:
                    state[key] = {"floor": floor, "after": after, "top": top}
            yield Page(items, None if window else {k: v for k, v in state.items() if v})
            if done:
                break

    def _get(self, reddit: praw.Reddit, path: str, params: dict[str, Any]) -> dict[str, Any]:
        params = {k: v for k, v in params.items() if v is not None}
        try:
            # prawcore adds raw_json=1: text arrives unescaped (no &amp;).
            body = reddit.request(method="GET", path=path, params=params)
        except prawcore.exceptions.BadJSON as exc:
            raise SourceError(f"reddit: {path}: het antwoord is geen JSON.") from exc
        except prawcore.exceptions.ResponseException as exc:
            status = exc.response.status_code
            what = {401: "de inloggegevens worden geweigerd", 403: "geen toegang",
                    404: "niet gevonden", 429: "te veel verzoeken"}.get(status, "fout van de server")
            kind = ListingUnavailable if status in (403, 404) else SourceError
            raise kind(f"reddit: {path}: HTTP {status}, {what}.") from exc
        except prawcore.exceptions.OAuthException as exc:
            raise SourceError(f"reddit: inloggen mislukt ({exc.error}).") from exc
        except prawcore.exceptions.RequestException as exc:
            limited = find_cause(exc, RateLimited)
            if limited:
                raise limited from exc
            cause = type(exc.original_exception).__name__
            raise SourceError(f"reddit: {path}: geen antwoord ({cause}).") from exc
        except prawcore.exceptions.PrawcoreException as exc:
            raise SourceError(f"reddit: {path}: {type(exc).__name__}: {exc}") from exc
        if not (isinstance(body, dict) and isinstance(body.get("data"), dict)
                and isinstance(body["data"].get("children"), list)):
            raise SourceError(f"reddit: {path}: het antwoord is geen Listing (onverwachte vorm).")
        return body

    def to_mention(self, raw: dict[str, Any]) -> Mention | None:
        kind, data = raw.get("kind"), raw["data"]
        if kind not in ("t1", "t3"):
            return None  # a "more" stub: the ids of comments not sent
        author = data.get("author")
        if kind == "t1":
            text = data["body"]
            if text in GONE:
                return None
            title = data.get("link_title")
            replies = None
        else:
            if data.get("removed_by_category") or data.get("selftext") in GONE:
                return None
            title = data["title"]
            text = data.get("selftext") or title
            replies = data.get("num_comments")
        return Mention(
            platform="reddit",
            platform_id=data["name"],
            url=f"https://www.reddit.com{data['permalink']}" if data.get("permalink") else None,
            author_handle=None if author in (None, "[deleted]") else author,
            title=title,
            text=text,
            created_at=datetime.fromtimestamp(float(data["created_utc"]), tz=UTC),
            replies=replies,
            reposts=data.get("num_crossposts"),
            likes=data.get("score"),
            raw=raw,
        )


def _flatten(children: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Listing children, with nested comment replies lifted out (``replies`` is "" when none)."""
    for child in children:
        yield child
        replies = (child.get("data") or {}).get("replies")
        if isinstance(replies, dict):
            yield from _flatten(replies.get("data", {}).get("children") or [])
