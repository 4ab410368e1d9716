"""Triaged mentions as cards for the daily email and the urgent alert.

A card holds everything a person needs to act on one mention, already made safe for
display: the link only when it is http(s), with the real host shown (so a look-alike link is
visible), and the text stripped of control and bidi characters (escaping is the template's).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from classifiers.labels import LABELS
from classifiers.policy import REPLY_ACTIONS, TriagePolicy
from classifiers.triage import PLATFORM_NAMES
from reports.dutch import ACTION_NAMES, LABEL_NAMES, local_time
from reports.reply_length import reply_hint
from reports.templating import inert
from store.tables import classifications, mentions, triage_decisions
from voelspriet.profile import Profile

# The daily email's groups, in this order (rule 6).
GROUPS = tuple((action, ACTION_NAMES[action]) for action in ("respond", "consider_response", "signal"))
MAX_TEXT = 1200


@dataclass(frozen=True)
class Link:
    """A link to the original, or why there is none."""

    href: str | None
    host: str
    warning: str | None = None


def safe_link(url: str | None) -> Link:
    """Only http(s) links with a host; the host is shown as the browser will resolve it."""
    if not url:
        return Link(None, "", "geen link bekend")
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        port = parts.port  # raises for a port that is not a number from 0 to 65535
    except ValueError:
        return Link(None, "", "link onleesbaar, niet getoond")
    if parts.scheme.lower() not in ("http", "https") or not host:
        return Link(None, "", "link is geen http(s)-adres, niet getoond")
    warning = None
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return Link(None, "", "link met ongeldige domeinnaam, niet getoond")
    if ascii_host != host or "xn--" in ascii_host:
        warning = "let op: domeinnaam met bijzondere tekens"
    if parts.username is not None or parts.password is not None:
        warning = "let op: link bevat een gebruikersnaam vóór het echte domein"
    netloc = ascii_host + (f":{port}" if port else "")
    href = parts._replace(netloc=netloc, scheme=parts.scheme.lower()).geturl()
    return Link(href, ascii_host, warning)


@dataclass(frozen=True)
class Card:
    """One triaged mention, ready to show."""

    mention_id: int
    action: str
    platform: str
    platform_name: str
    author: str
    posted: str
    text: str
    link: Link
    labels: list[tuple[str, int]]
    reason: str
    reply_account: str | None
    departments: list[str]
    topic: str | None
    deadline: str | None
    urgency: float
    urgency_level: str
    needs_review: bool
    reply_hint: str | None
    replies: int | None
    reposts: int | None
    reach: int | None


def card_query():
    """Decisions with their mention and the classification they were made from."""
    return (
        sa.select(
            triage_decisions.c.mention_id, triage_decisions.c.action, triage_decisions.c.reason,
            triage_decisions.c.urgency, triage_decisions.c.urgency_level,
            triage_decisions.c.reply_account, triage_decisions.c.departments,
            triage_decisions.c.topic, triage_decisions.c.deadline, triage_decisions.c.decided_at,
            mentions.c.platform, mentions.c.author_handle, mentions.c.created_at, mentions.c.url,
            mentions.c.title, mentions.c.text, mentions.c.replies, mentions.c.reposts,
            mentions.c.reach,
            classifications.c.labels, classifications.c.scores, classifications.c.needs_review,
        )
        .join(mentions, mentions.c.id == triage_decisions.c.mention_id)
        .outerjoin(classifications, classifications.c.id == triage_decisions.c.classification_id)
    )


def _labels(labels: Iterable[str] | None, scores: dict | None) -> list[tuple[str, int]]:
    scores = scores or {}
    shown = [label for label in LABELS if label in (labels or ())]
    shown.sort(key=lambda label: -float(scores.get(label, 0)))
    return [(LABEL_NAMES[label], round(100 * float(scores.get(label, 0)))) for label in shown]


def _text(title: str | None, text: str) -> str:
    full = inert(f"{title}\n{text}" if title and title not in text else text).strip()
    return full if len(full) <= MAX_TEXT else full[: MAX_TEXT - 1].rstrip() + "…"


def to_card(row, profile: Profile, policy: TriagePolicy) -> Card:
    """A card for one row of ``card_query()``."""
    tz = profile.timezone
    name = PLATFORM_NAMES.get(row.platform, row.platform)
    hint = None
    if row.action in REPLY_ACTIONS:
        hint = reply_hint(policy, profile, row.platform, name).hint
    return Card(
        mention_id=row.mention_id,
        action=row.action,
        platform=row.platform,
        platform_name=name,
        author=inert(row.author_handle) or "onbekend",
        posted=local_time(row.created_at, tz),
        text=_text(row.title, row.text),
        link=safe_link(row.url),
        labels=_labels(row.labels, row.scores),
        reason=row.reason,
        reply_account=row.reply_account,
        departments=list(row.departments or []),
        topic=profile.topics[row.topic].label if row.topic in profile.topics else None,
        deadline=local_time(row.deadline, tz) if row.deadline else None,
        urgency=row.urgency,
        urgency_level=row.urgency_level,
        needs_review=bool(row.needs_review),
        reply_hint=hint,
        replies=row.replies,
        reposts=row.reposts,
        reach=row.reach,
    )


def most_urgent_first(cards: Iterable[Card]) -> list[Card]:
    """Highest urgency first; equal urgency by mention id (oldest stored first)."""
    return sorted(cards, key=lambda card: (-card.urgency, card.mention_id))


def load_cards(conn: Connection, query, profile: Profile, policy: TriagePolicy) -> list[Card]:
    """Cards for a filtered ``card_query()``, most urgent first."""
    return most_urgent_first(to_card(row, profile, policy) for row in conn.execute(query))
