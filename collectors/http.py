"""Polite HTTP for the collectors: one User-Agent, a timeout, and bounded rate-limit waits.

Every platform library here except atproto talks through a ``requests.Session``; the
collectors hand it one built by :func:`polite_session`. Its adapter

- sets a timeout on every request (tweepy and Mastodon.py send none of their own),
- on HTTP 429 waits as long as the platform asks (Retry-After, X's ``x-rate-limit-reset`` in
  epoch seconds, Mastodon's ``x-ratelimit-reset`` as an ISO time, Reddit's in seconds from
  now) and retries, but never longer than ``max_wait`` seconds in one run,
- after a response that says no requests remain, waits for the reset before the next one,
  again within ``max_wait``; beyond that it raises :class:`RateLimited`.

``base_url`` rewrites the scheme and host of every request: for libraries with a fixed API
host (tweepy) it points them at a proxy or at a test server on loopback.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

from collectors.base import RateLimited

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 20.0
DEFAULT_MAX_WAIT = 60.0
# When a 429 carries no hint at all, wait this long once before giving up.
UNHINTED_WAIT = 5.0
MAX_RETRIES = 3
# Reset values below this are "seconds from now" (Reddit); above it, epoch seconds (X, Bluesky).
EPOCH_THRESHOLD = 1_000_000_000


def sleep(seconds: float) -> None:
    """Indirection so tests can watch the waits without waiting."""
    time.sleep(seconds)


def wait_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds until the platform allows the next request, from any header it uses."""
    now = time.time() if now is None else now
    lowered = {k.lower(): v for k, v in headers.items()}
    retry_after = lowered.get("retry-after")
    if retry_after:
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            try:
                return max(0.0, parsedate_to_datetime(retry_after).timestamp() - now)
            except (TypeError, ValueError):
                pass
    for name in ("x-rate-limit-reset", "x-ratelimit-reset", "ratelimit-reset"):
        value = lowered.get(name)
        if not value:
            continue
        try:
            number = float(value)
        except ValueError:
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                continue
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            return max(0.0, moment.timestamp() - now)
        return max(0.0, number - now if number > EPOCH_THRESHOLD else number)
    return None


def remaining(headers: Mapping[str, str]) -> float | None:
    """Requests left in the current window, if the platform says."""
    lowered = {k.lower(): v for k, v in headers.items()}
    for name in ("x-rate-limit-remaining", "x-ratelimit-remaining", "ratelimit-remaining"):
        if name in lowered:
            try:
                return float(lowered[name])
            except ValueError:
                return None
    return None


class RateBudget:
    """How long one run may still wait for a platform, shared by all its requests."""

    def __init__(self, platform: str, max_wait: float = DEFAULT_MAX_WAIT) -> None:
        self.platform = platform
        self.max_wait = max_wait
        self.waited = 0.0
        self.blocked_until: float | None = None

    def wait(self, seconds: float, why: str) -> None:
        """Wait ``seconds`` if the budget allows, else raise RateLimited."""
        if self.waited + seconds > self.max_wait:
            raise RateLimited(
                f"{self.platform}: de limiet van het platform is bereikt ({why}); wachten zou "
                f"{seconds:.0f} s duren, meer dan de {self.max_wait:.0f} s die een run mag wachten. "
                "De volgende run gaat verder waar deze stopte."
            )
        log.info("%s: rate limit (%s), waiting %.1f s", self.platform, why, seconds)
        self.waited += seconds
        sleep(seconds)

    def before_request(self) -> None:
        """Wait out an exhausted window announced by an earlier response."""
        if self.blocked_until is None:
            return
        seconds = self.blocked_until - time.time()
        self.blocked_until = None
        if seconds > 0:
            self.wait(seconds, "geen verzoeken meer over in dit venster")

    def after_response(self, headers: Mapping[str, str]) -> None:
        left = remaining(headers)
        if left is not None and left <= 0:
            seconds = wait_seconds(headers)
            if seconds:
                self.blocked_until = time.time() + seconds


class PoliteAdapter(HTTPAdapter):
    """A transport adapter with a default timeout, bounded 429 handling and a base URL."""

    def __init__(self, budget: RateBudget, timeout: float, base_url: str | None = None) -> None:
        super().__init__()
        self.budget = budget
        self.timeout = timeout
        self.base = urlsplit(base_url) if base_url else None

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        if self.base is not None:
            parts = urlsplit(request.url)
            prefix = self.base.path.rstrip("/")
            request.url = urlunsplit(
                (self.base.scheme, self.base.netloc, prefix + parts.path, parts.query, "")
            )
        for _attempt in range(MAX_RETRIES):
            self.budget.before_request()
            response = super().send(request, **kwargs)
            if response.status_code != 429:
                self.budget.after_response(response.headers)
                return response
            seconds = wait_seconds(response.headers)
            response.close()
            self.budget.wait(UNHINTED_WAIT if seconds is None else seconds, "HTTP 429")
        return response


def polite_session(
    platform: str,
    user_agent: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_wait: float = DEFAULT_MAX_WAIT,
    base_url: str | None = None,
) -> requests.Session:
    """A ``requests.Session`` with our User-Agent and a :class:`PoliteAdapter` on every URL."""
    session = requests.Session()
    session.headers["User-Agent"] = user_agent
    adapter = PoliteAdapter(RateBudget(platform, max_wait), timeout, base_url)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def budget_of(session: requests.Session) -> RateBudget:
    """The rate budget behind a session made by :func:`polite_session`."""
    adapter = session.get_adapter("https://")
    assert isinstance(adapter, PoliteAdapter)
    return adapter.budget


def find_cause(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    """The first exception of ``kind`` in ``exc``'s chain (libraries re-wrap ours)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def session_for(collector: Any, base_url: str | None = None) -> requests.Session:
    """A polite session configured from a collector's settings and the profile's User-Agent."""
    settings = collector.settings
    return polite_session(
        collector.platform,
        collector.profile.user_agent,
        timeout=float(settings.get("timeout_seconds", DEFAULT_TIMEOUT)),
        max_wait=float(settings.get("max_wait_seconds", DEFAULT_MAX_WAIT)),
        base_url=base_url,
    )
