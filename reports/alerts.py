"""Urgent alerts: a mention that needs a reply and is gathering reactions fast (rule 5).

Called right after triage in the collecting DAG, so an alert goes out within minutes of
collection. Each mention is alerted once: the ``deliveries`` key is the mention id.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from classifiers.policy import REPLY_ACTIONS
from reports.mail import deliver
from reports.templating import render
from reports.triage_cards import GROUPS, card_query, load_cards
from store.db import transaction
from store.tables import deliveries, mentions, triage_decisions
from voelspriet.profile import Profile
from voelspriet.settings import Settings

log = logging.getLogger(__name__)

KIND = "urgent_alert"
ACTION_TITLES = dict(GROUPS)


def send_urgent_alerts(engine: Engine, profile: Profile, settings: Settings, now: datetime) -> int:
    """Alert every not yet alerted high-urgency mention that needs a (possible) reply.

    Mentions posted longer than ``triage.urgency.alert_max_age_hours`` before ``now`` are
    left to the daily email. Returns the number of alerts delivered.
    """
    policy = profile.policy
    oldest = now - timedelta(hours=policy.urgency.alert_max_age_hours)
    alerted = sa.select(deliveries.c.id).where(
        deliveries.c.kind == KIND,
        deliveries.c.key == sa.cast(triage_decisions.c.mention_id, sa.String),
    )
    query = card_query().where(
        triage_decisions.c.action.in_(REPLY_ACTIONS),
        triage_decisions.c.urgency_level == "hoog",
        mentions.c.created_at >= oldest,
        ~alerted.exists(),
    )
    with transaction(engine) as conn:
        cards = load_cards(conn, query, profile, policy)
    for c in cards:
        # The handle comes from the internet: one line, so it cannot break the Subject header.
        author = " ".join(c.author.split())[:60]
        title = f"{ACTION_TITLES[c.action].lower()} op {c.platform_name}-bericht van {author}"
        subject = f"Dringend: {title}"
        context = {"subject": subject, "title": title, "c": c}
        deliver(
            engine, settings, kind=KIND, key=str(c.mention_id), subject=subject,
            html=render("alert.html", **context), text=render("alert.txt", **context),
            recipients=profile.recipients.urgent_alert,
        )
    if cards:
        log.info("urgent alerts: %d delivered", len(cards))
    return len(cards)
