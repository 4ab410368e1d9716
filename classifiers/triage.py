"""Rule-6 triage: turn a mention's latest classification into a decision a person can act on.

A decision says what to do (action), why (the checklist reason), who replies (rule 5), whom to
inform (rule 4, departments by topic), how urgent it is (rule 5) and by when. Decisions are
written to ``triage_decisions``; the web inbox owns ``status`` and ``assignee`` and triage
never touches them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from classifiers.policy import TriagePolicy
from classifiers.topics import TopicMatcher
from store.db import transaction, upsert_insert
from store.tables import classifications, mentions, triage_decisions
from voelspriet.profile import Profile

log = logging.getLogger(__name__)

PLATFORM_NAMES = {"x": "X", "reddit": "Reddit", "news": "Nieuws", "mastodon": "Mastodon",
                  "bluesky": "Bluesky"}
OWN_POST_REASON = "Bericht van het eigen gemeente-account; geen actie nodig."
# Columns triage owns; status, assignee and decided_at belong to the decision's history.
DECIDED_COLUMNS = ("classification_id", "action", "reason", "urgency", "urgency_level",
                   "reply_account", "departments", "topic", "deadline")


@dataclass(frozen=True)
class Decision:
    """What triage decided for one mention (the triage_decisions columns it owns)."""

    mention_id: int
    classification_id: int
    action: str
    reason: str
    urgency: float
    urgency_level: str
    reply_account: str | None
    departments: list[str]
    topic: str | None
    deadline: datetime | None

    def columns(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in DECIDED_COLUMNS}


def account_label(profile: Profile, platform: str, reply_from: str | None) -> str | None:
    """The account to reply from, as a person reads it (rule 5)."""
    if reply_from is None:
        return None
    if reply_from == "communicatie":
        return "in overleg met Communicatie"
    name = PLATFORM_NAMES.get(platform, platform)
    handle = profile.municipality.accounts.get(platform)
    if not handle:
        return f"gemeente-account (geen eigen account op {name}; overleg met Communicatie)"
    if platform == "reddit":
        return f"u/{handle.removeprefix('u/')} ({name})"
    return f"@{handle.removeprefix('@')} ({name})"


class Triage:
    """Decides mentions under one profile's policy."""

    def __init__(self, profile: Profile, policy: TriagePolicy | None = None) -> None:
        self.profile = profile
        self.policy = policy or profile.policy
        self.topics = TopicMatcher(profile)

    def is_own_post(self, mention: Any) -> bool:
        """Whether the municipality's own account wrote it (nothing to triage then)."""
        own = self.profile.municipality.accounts.get(mention.platform)
        handle = (mention.author_handle or "").lstrip("@").removeprefix("u/").lower()
        return bool(own) and handle == own.lstrip("@").removeprefix("u/").lower()

    def decide(self, mention: Any, classification: Any) -> Decision:
        """A decision for a mention row and its classification row (both mappings or rows)."""
        labels = [label for label in classification.labels if label in self.policy.actions]
        if self.is_own_post(mention):
            labels = []
        action = self.policy.action_for(labels)
        observed = mention.updated_at or mention.collected_at
        score, level = self.policy.urgency_for(
            replies=mention.replies, reposts=mention.reposts, reach=mention.reach,
            age=max(observed - mention.created_at, timedelta(0)),
        )
        found = self.topics(f"{mention.title or ''}\n{mention.text}")
        deadline = self.policy.deadline_for(action)
        return Decision(
            mention_id=mention.id,
            classification_id=classification.id,
            action=action,
            reason=self.policy.reason_for(labels) if labels else (
                OWN_POST_REASON if self.is_own_post(mention) else self.policy.reasons["other"]),
            urgency=score,
            urgency_level=level,
            reply_account=account_label(
                self.profile, mention.platform, self.policy.reply_from_for(labels)
            ),
            departments=list(found.departments) if action != "none" else [],
            topic=found.topic,
            deadline=mention.collected_at + deadline if deadline is not None else None,
        )


def _latest_classifications():
    """Each mention's most recent classification (by time, then id)."""
    ranked = sa.select(
        classifications,
        sa.func.row_number().over(
            partition_by=classifications.c.mention_id,
            order_by=(classifications.c.classified_at.desc(), classifications.c.id.desc()),
        ).label("rank"),
    ).subquery("ranked")
    return sa.select(ranked).where(ranked.c.rank == 1).subquery("latest")


def triage_pending(engine: Engine, profile: Profile, now: datetime, *, everything: bool = False) -> int:
    """Write decisions for mentions whose latest classification has none yet, or changed.

    A mention collected again (new engagement counts), and any mention younger than
    ``triage.urgency.alert_max_age_hours``, is decided again, so its urgency follows the
    replies it gathers. Only decisions that actually change are written, so a
    second run returns 0. ``everything`` re-applies the policy to every classified mention
    (after Communicatie changed the policy). Anonymised mentions (retention) keep their
    decision. Returns the number of decisions written.
    """
    triage = Triage(profile)
    latest = _latest_classifications()
    query = (
        sa.select(
            mentions,
            latest.c.id.label("classification_id"),
            latest.c.labels,
            triage_decisions.c.id.label("decision_id"),
            *[triage_decisions.c[name].label(f"current_{name}") for name in DECIDED_COLUMNS],
        )
        .join(latest, latest.c.mention_id == mentions.c.id)
        .outerjoin(triage_decisions, triage_decisions.c.mention_id == mentions.c.id)
        # An anonymised mention's decision is kept for statistics; deciding again from its
        # emptied text and handle would lose the topic and misjudge the municipality's posts.
        .where(mentions.c.anonymised_at.is_(None))
        .order_by(mentions.c.id)
    )
    if not everything:
        query = query.where(
            sa.or_(
                triage_decisions.c.id.is_(None),
                triage_decisions.c.classification_id.is_distinct_from(latest.c.id),
                mentions.c.updated_at > triage_decisions.c.updated_at,
                # Recent mentions are re-scored every run: their engagement still moves, and
                # the collector's clock need not match the ``now`` a scheduler passes in.
                mentions.c.created_at >= now - timedelta(hours=triage.policy.urgency.alert_max_age_hours),
            )
        )
    written = 0
    with transaction(engine) as conn:
        for row in conn.execute(query):
            classification = _ClassificationView(row.classification_id, row.labels)
            decision = triage.decide(row, classification)
            current = {name: getattr(row, f"current_{name}") for name in DECIDED_COLUMNS}
            if row.decision_id is not None and _same(current, decision.columns()):
                continue
            values = {"mention_id": row.id, **decision.columns(), "decided_at": now, "updated_at": now}
            stmt = upsert_insert(conn, triage_decisions).values(values)
            conn.execute(stmt.on_conflict_do_update(
                index_elements=["mention_id"],
                set_={**decision.columns(), "updated_at": now},
            ))
            written += 1
    log.info("triage: %d decisions written", written)
    return written


@dataclass(frozen=True)
class _ClassificationView:
    id: int
    labels: list[str]


def _same(current: dict[str, Any], new: dict[str, Any]) -> bool:
    for name, value in new.items():
        old = current[name]
        if name == "urgency":
            if old is None or abs(old - value) > 1e-9:
                return False
        elif old != value:
            return False
    return True
