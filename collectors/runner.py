"""Runs one source: fetch pages, keep relevant mentions, store each page with its cursor."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from collectors.base import Collector, MissingCredentials, SourceError, Window
from collectors.credentials import resolve_credentials
from collectors.language import detect_language
from collectors.registry import collector_class
from collectors.relevance import RelevanceFilter
from store.cursors import get_cursor, set_cursor
from store.db import transaction
from store.mentions import Sighting, upsert_mentions
from store.tables import collector_runs
from voelspriet.mention import Mention
from voelspriet.profile import Profile

log = logging.getLogger(__name__)


@dataclass
class RunResult:
    source: str
    status: str = "ok"  # ok | skipped | failed
    fetched: int = 0
    stored: int = 0
    dropped: int = 0
    drop_reasons: Counter = field(default_factory=Counter)
    mention_ids: set[int] = field(default_factory=set)
    error: str | None = None


def build_collector(profile: Profile, source: str) -> Collector:
    if source not in profile.sources:
        known = ", ".join(profile.sources)
        raise SourceError(f"onbekende bron {source!r}; het profiel kent: {known}.")
    platform = profile.source_platform(source)
    cls = collector_class(platform)
    settings = profile.sources[source].settings()
    credentials = None
    if cls.credential_fields:
        credentials = resolve_credentials(
            source, platform, settings.get("connection"), cls.credential_fields,
            cls.required_credentials,
        )
    return cls(source, settings, profile, credentials)


def _map(collector: Collector, raw: dict) -> Mention | None:
    """``to_mention`` with a changed payload shape reported as a failure of the source."""
    try:
        mention = collector.to_mention(raw)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise SourceError(
            f"{collector.platform}: een item heeft een onverwachte vorm ({type(exc).__name__}: "
            f"{str(exc)[:200]}); is de API veranderd?"
        ) from exc
    return mention


def with_language(mention: Mention) -> Mention:
    """The mention with its language decided from text and platform tag (collectors/language.py)."""
    language = detect_language(f"{mention.title or ''}\n{mention.text}", mention.language)
    return mention if language == mention.language else replace(mention, language=language)


def sightings(
    collector: Collector, profile: Profile, cursor: dict | None, window: Window | None,
    result: RunResult,
) -> Iterator[tuple[list[Sighting], dict | None]]:
    """Pages of relevant mentions, with the cursor that each page allows to save."""
    relevant = RelevanceFilter(profile)
    for page in collector.fetch(cursor, window):
        kept = []
        for raw in page.items:
            result.fetched += 1
            mention = _map(collector, raw)
            if mention is None:
                continue
            verdict = relevant(mention)
            if not verdict.keep:
                result.dropped += 1
                result.drop_reasons[verdict.reason] += 1
                continue
            mention = with_language(mention)
            seen = collector.seen_in(raw)
            kept.append(Sighting(mention, verdict.reason, f"{collector.name}:{seen}" if seen else collector.name))
        yield kept, page.cursor


def collect(
    engine: Engine, profile: Profile, source: str, window: Window | None = None
) -> RunResult:
    """Collect one source into the store. Never raises for a failing source: see ``status``."""
    result = RunResult(source)
    started = datetime.now(UTC)
    try:
        collector = build_collector(profile, source)
        with engine.connect() as conn:
            cursor = get_cursor(conn, source)
        for kept, page_cursor in sightings(collector, profile, cursor, window, result):
            with transaction(engine) as conn:
                ids = upsert_mentions(conn, kept)
                if page_cursor is not None:
                    set_cursor(conn, source, page_cursor)
            result.stored += len(ids)
            result.mention_ids.update(ids.values())
    except MissingCredentials as exc:
        result.status, result.error = "skipped", str(exc)
        log.warning("source %s skipped: %s", source, exc)
    except SourceError as exc:
        result.status, result.error = "failed", str(exc)
        log.error("source %s failed: %s", source, exc)
    with transaction(engine) as conn:
        conn.execute(
            sa.insert(collector_runs).values(
                source=source, started_at=started, finished_at=datetime.now(UTC),
                status=result.status, fetched=result.fetched, stored=result.stored,
                dropped=result.dropped, drop_reasons=dict(result.drop_reasons), error=result.error,
            )
        )
    return result


def preview(profile: Profile, source: str, window: Window | None = None) -> Iterator[dict]:
    """What ``source`` would store, as JSON-ready dicts; touches no store."""
    result = RunResult(source)
    collector = build_collector(profile, source)
    for kept, _cursor in sightings(collector, profile, None, window, result):
        for sighting in kept:
            line = sighting.mention.to_json_dict()
            line.pop("raw")
            yield {**line, "relevance": sighting.relevance, "seen_in": sighting.source}
