"""Mastodon: hashtag timelines and status search on configured instances, through Mastodon.py.

See collectors/mastodon.md.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

import mastodon as mastodon_py
from mastodon import Mastodon

from collectors import checks
from collectors.base import Collector, Page, RateLimited, SourceError, Window
from collectors.http import find_cause, session_for
from collectors.news import html_to_text
from voelspriet.mention import Mention

log = logging.getLogger(__name__)

PAGE_LIMIT = 40


def _jsonable(value: Any) -> Any:
    """Mastodon.py's parsed entity back to JSON types (it turns times into datetimes)."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


class MastodonCollector(Collector):
    """Per instance: each hashtag timeline (paged along the Link header) and each search term.

    The cursor maps ``"<instance> #<tag>"`` / ``"<instance> ?<term>"`` to the newest status id
    stored. Pages are read oldest-first from that id (``min_id``, then the Link header's
    ``prev`` page), so each page can move its cursor as soon as it is stored.
    """

    platform = "mastodon"
    credential_fields: ClassVar[dict[str, tuple[str, ...]]] = {"access_token": ("password", "extra.access_token"), "instance": ("host",)}
    required_credentials = ()

    @staticmethod
    def validate(settings: dict[str, Any]) -> None:
        checks.known_fields(settings, {"instances", "hashtags", "search_terms", "max_pages"})
        checks.common(settings)
        checks.url_list(settings, "instances")
        checks.text_list(settings, "hashtags", required=False)
        checks.text_list(settings, "search_terms", required=False)
        for tag in settings.get("hashtags") or []:
            if tag.startswith("#") or " " in tag:
                raise ValueError(f"hashtags bevat {tag!r}; schrijf een hashtag zonder # en zonder spaties.")
        if not settings.get("hashtags") and not settings.get("search_terms"):
            raise ValueError("hashtags of search_terms: geef er minstens één op.")
        checks.number(settings, "max_pages", 1, 50)

    def token_for(self, instance: str) -> str | None:
        """A token belongs to one instance: the connection's host, else the first instance."""
        creds = self.credentials or {}
        if not creds.get("access_token"):
            return None
        home = creds.get("instance") or urlsplit(self.settings["instances"][0]).hostname
        home = urlsplit(home).hostname if "//" in home else home
        return creds["access_token"] if urlsplit(instance).hostname == home else None

    def client(self, instance: str) -> Mastodon:
        return Mastodon(
            access_token=self.token_for(instance),
            api_base_url=instance.rstrip("/"),
            session=session_for(self),
            user_agent=self.profile.user_agent,
            ratelimit_method="throw",  # our session waits, within the run's budget
            request_timeout=float(self.settings.get("timeout_seconds", 20)),
            # A fixed version: Mastodon.py would otherwise ask /api/v2/instance before a search.
            mastodon_version="4.3.0",
            version_check_mode="none",
        )

    def fetch(self, cursor: dict[str, Any] | None, window: Window | None = None) -> Iterator[Page]:
        state = dict(cursor or {})
        failures: list[str] = []
        for instance in self.settings["instances"]:
            # An instance that is down must not keep the instances after it from being read,
            # run after run: each is read, and the source fails at the end, naming the failed.
            try:
                yield from self._instance_pages(instance, state, window)
            except SourceError as exc:
                failures.append(str(exc))
        if failures:
            raise SourceError(" ".join(failures))

    def _instance_pages(self, instance: str, state: dict, window: Window | None) -> Iterator[Page]:
        """Pages of one instance's hashtag timelines and searches, moving ``state``."""
        max_pages = int(self.settings.get("max_pages", 5))
        api = self.client(instance)
        for tag in self.settings.get("hashtags") or []:
            key = f"{instance} #{tag}"
            # A window starts at its start: Mastodon.py turns a datetime into a snowflake id.
            min_id = window.start if window else state.get(key)
            page = self._call(instance, api.timeline_hashtag, tag, min_id=min_id, limit=PAGE_LIMIT)
            for _n in range(max_pages):
                if not page:
                    break
                yield self._page(instance, page, key, state, window)
                if window and any(_created(_jsonable(s)) >= window.end for s in page):
                    break  # read past the window's end
                # The Link header's "prev" page holds the statuses newer than this one.
                page = self._call(instance, api.fetch_previous, page)
        for term in self.settings.get("search_terms") or []:
            if not self.token_for(instance):
                log.info("mastodon: no access token for %s, status search skipped", instance)
                continue
            key = f"{instance} ?{term}"
            min_id = None if window else state.get(key)
            result = self._call(instance, api.search_v2, term, result_type="statuses",
                                min_id=min_id, limit=PAGE_LIMIT, resolve=False)
            statuses = list(result.get("statuses") or [])
            if statuses:
                yield self._page(instance, statuses, key, state, window)

    def _page(self, instance: str, statuses: list, key: str, state: dict, window: Window | None) -> Page:
        items = [{"instance": instance, "status": _jsonable(s)} for s in statuses]
        if window:
            return Page([i for i in items if _created(i["status"]) in window], None)
        newest = max((str(s["id"]) for s in statuses), key=lambda i: (len(i), i))
        old = state.get(key)
        if old is None or (len(newest), newest) > (len(str(old)), str(old)):
            state[key] = newest
        return Page(items, dict(state))

    def _call(self, instance: str, method, *args, **kwargs):
        """Call Mastodon.py; its errors become SourceError or RateLimited naming the instance."""
        try:
            return method(*args, **kwargs)
        except mastodon_py.MastodonNetworkError as exc:
            limited = find_cause(exc, RateLimited)
            if limited:
                raise limited from exc
            cause = find_cause(exc, Exception)
            raise SourceError(f"mastodon: {instance}: geen antwoord ({_short(exc)}).") from cause
        except mastodon_py.MastodonRatelimitError as exc:
            raise RateLimited(f"mastodon: {instance}: limiet bereikt (HTTP 429).") from exc
        except mastodon_py.MastodonAPIError as exc:
            raise SourceError(f"mastodon: {instance}: {_short(exc)}") from exc
        except mastodon_py.MastodonError as exc:
            raise SourceError(f"mastodon: {instance}: {type(exc).__name__}: {_short(exc)}") from exc

    def to_mention(self, raw: dict[str, Any]) -> Mention | None:
        status = raw["status"]
        if status.get("reblog"):
            # A boost: the boosted post is the mention.
            status = status["reblog"]
        account = status.get("account") or {}
        text = html_to_text(status.get("content"))
        spoiler = html_to_text(status.get("spoiler_text"))
        if not text and not spoiler:
            return None  # media only
        return Mention(
            platform="mastodon",
            platform_id=status.get("uri") or str(status["id"]),
            url=status.get("url") or status.get("uri"),
            author_handle=account.get("acct"),
            title=spoiler,
            text=text or spoiler,
            language=status.get("language"),
            created_at=_created(status),
            replies=status.get("replies_count"),
            reposts=status.get("reblogs_count"),
            likes=status.get("favourites_count"),
            raw=raw,
        )


    def seen_in(self, raw: dict[str, Any]) -> str | None:
        parts = urlsplit(raw["instance"])
        return parts.netloc + parts.path.rstrip("/")


def _created(status: dict[str, Any]) -> datetime:
    created = datetime.fromisoformat(str(status["created_at"]))
    return created if created.tzinfo else created.replace(tzinfo=UTC)


def _short(exc: Exception) -> str:
    # Mastodon.py puts the whole bad body into its message; keep the reason short.
    return " ".join(str(a) for a in exc.args)[:240]
