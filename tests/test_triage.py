"""Rule-6 triage: every label combination against ARCHITECTURE.md, rule 4/5 details, idempotence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import combinations

import pytest
import sqlalchemy as sa

from classifiers.triage import triage_pending
from store.tables import triage_decisions
from tests.triage_rows import T0, add_mention, classify

NOW = datetime(2026, 11, 19, 12, 0, tzinfo=UTC)
REAL = ("praise", "criticism", "factual_error", "offensive", "policy_question")
# Every combination a model can output: any non-empty set of real labels, or `other` alone.
COMBINATIONS = [list(c) for n in range(1, 6) for c in combinations(REAL, n)] + [["other"]]


def expected_by_table(labels: list[str]) -> tuple[str, str | None, str]:
    """ARCHITECTURE.md's table, written out independently: action, reply from, rule cited."""
    if "policy_question" in labels:
        return "respond", "@gemeenteheemstede (X)", "Regel 6"
    if "factual_error" in labels or "offensive" in labels:
        who = "in overleg met Communicatie" if "offensive" in labels else "@gemeenteheemstede (X)"
        return "consider_response", who, "Regel 6"
    if "praise" in labels or "criticism" in labels:
        return "signal", None, "Regel 4"
    return "none", None, "Niet over het werk van de gemeente"


def decisions(engine) -> dict[int, sa.Row]:
    with engine.connect() as conn:
        return {row.mention_id: row for row in conn.execute(sa.select(triage_decisions))}


def test_every_label_combination_follows_the_architecture_table(engine, profile):
    ids = {add_mention(engine, labels=labels, text="Vraagje over de gemeente Heemstede"): labels
           for labels in COMBINATIONS}
    assert triage_pending(engine, profile, NOW) == len(COMBINATIONS) == 32
    got = decisions(engine)
    for mention_id, labels in ids.items():
        action, reply_from, rule = expected_by_table(labels)
        decision = got[mention_id]
        assert (decision.action, decision.reply_account) == (action, reply_from), labels
        assert decision.reason.startswith(rule), (labels, decision.reason)
        assert decision.decided_at == NOW and decision.status == "open"
        if action in ("respond", "consider_response", "signal"):
            hours = {"respond": 4, "consider_response": 8, "signal": 24}[action]
            assert decision.deadline == T0 + timedelta(hours=2) + timedelta(hours=hours)
        else:
            assert decision.deadline is None and decision.departments == []


def test_reason_names_every_label_that_matters(sqlite_engine, profile):
    mention = add_mention(sqlite_engine, labels=["criticism", "policy_question", "other"])
    triage_pending(sqlite_engine, profile, NOW)
    reason = decisions(sqlite_engine)[mention].reason
    assert reason.startswith("Regel 6: op vragen over gemeentelijk beleid reageren we")
    assert "Regel 4: kritiek" in reason
    assert "Niet over het werk" not in reason


@pytest.mark.parametrize(
    ("text", "departments", "topic"),
    [
        ("Waarom staat de afvalcontainer op de Raadhuisstraat al een week vol?", ["Openbare Ruimte"], "afval"),
        ("Parkeervergunning aanvragen: moet dat aan de balie? En de parkeerplaats?",
         ["Verkeer en Parkeren", "Publiekszaken"], "parkeren"),
        ("De wethouder zei in de raad iets anders", ["Bestuursondersteuning"], "bestuur"),
        ("Ons fietspad is kapot", ["Verkeer en Parkeren"], "verkeer"),
        ("Wat een mooie dag in Heemstede", [], None),
    ],
)
def test_departments_follow_the_topic_rule_4(sqlite_engine, profile, text, departments, topic):
    mention = add_mention(sqlite_engine, labels=["criticism"], text=text)
    triage_pending(sqlite_engine, profile, NOW)
    decision = decisions(sqlite_engine)[mention]
    assert (decision.departments, decision.topic) == (departments, topic)


def test_reply_account_per_platform(sqlite_engine, profile):
    ids = {platform: add_mention(sqlite_engine, labels=["policy_question"], platform=platform)
           for platform in ("x", "mastodon", "reddit", "bluesky")}
    triage_pending(sqlite_engine, profile, NOW)
    got = {platform: decisions(sqlite_engine)[i].reply_account for platform, i in ids.items()}
    assert got == {
        "x": "@gemeenteheemstede (X)",
        "mastodon": "@gemeenteheemstede@social.overheid.nl (Mastodon)",
        "reddit": "u/GemeenteHeemstede (Reddit)",
        "bluesky": "gemeente-account (geen eigen account op Bluesky; overleg met Communicatie)",
    }


@pytest.mark.parametrize(
    ("engagement", "level"),
    [
        # Rule 5: five reactions while the post is fresh: the opinion is being formed now.
        ({"replies": 5, "observed_after": timedelta(hours=3)}, "hoog"),
        ({"replies": 12, "observed_after": timedelta(hours=2)}, "hoog"),
        ({"replies": 2, "observed_after": timedelta(hours=1)}, "normaal"),
        ({"replies": 3, "observed_after": timedelta(hours=30)}, "laag"),
        ({"replies": 0, "reach": 15_000}, "hoog"),
        ({"replies": 0, "reach": 4_000}, "normaal"),
        ({"replies": 0, "reposts": 25}, "hoog"),
        ({"replies": None, "reposts": None, "reach": None}, "laag"),
        # Two replies within a minute are spread over min_age_hours, not extrapolated.
        ({"replies": 2, "observed_after": timedelta(minutes=1)}, "normaal"),
    ],
)
def test_urgency_rises_with_replies_and_reach_rule_5(sqlite_engine, profile, engagement, level):
    mention = add_mention(sqlite_engine, labels=["policy_question"], **engagement)
    triage_pending(sqlite_engine, profile, NOW)
    assert decisions(sqlite_engine)[mention].urgency_level == level


def test_triage_is_idempotent_and_follows_changes(engine, profile):
    mention = add_mention(engine, labels=["criticism"], replies=0)
    assert triage_pending(engine, profile, NOW) == 1
    assert triage_pending(engine, profile, NOW) == 0
    with engine.begin() as conn:
        conn.execute(triage_decisions.update().values(status="assigned", assignee="webcare"))

    # A newer model's classification changes the decision; the inbox's status stays.
    with engine.begin() as conn:
        classify(conn, mention, ["policy_question"], model_version="test-2", at=T0 + timedelta(hours=5))
    later = NOW + timedelta(hours=1)
    assert triage_pending(engine, profile, later) == 1
    decision = decisions(engine)[mention]
    assert (decision.action, decision.status, decision.assignee) == ("respond", "assigned", "webcare")
    assert (decision.decided_at, decision.updated_at) == (NOW, later)

    # Collected again with many replies: urgency follows.
    from store.tables import mentions

    with engine.begin() as conn:
        conn.execute(mentions.update().where(mentions.c.id == mention).values(
            replies=9, updated_at=T0 + timedelta(hours=2, minutes=30)))
    assert triage_pending(engine, profile, later) == 1
    assert decisions(engine)[mention].urgency_level == "hoog"
    assert triage_pending(engine, profile, later) == 0


def test_everything_reapplies_a_changed_policy(sqlite_engine, tmp_path):
    from tests.conftest import profile_with

    mention = add_mention(sqlite_engine, labels=["praise"])
    base = profile_with(tmp_path, lambda d: None)
    triage_pending(sqlite_engine, base, NOW)
    changed = profile_with(tmp_path, lambda d: d["triage"]["actions"].update(praise="none"))
    # Older mentions keep their decision until asked; recent ones are re-decided anyway.
    week_later = NOW + timedelta(days=7)
    assert triage_pending(sqlite_engine, changed, week_later) == 0
    assert triage_pending(sqlite_engine, changed, week_later, everything=True) == 1
    assert decisions(sqlite_engine)[mention].action == "none"


def test_the_municipalitys_own_posts_need_no_action(sqlite_engine, profile):
    own = add_mention(sqlite_engine, labels=["policy_question"], author="@GemeenteHeemstede",
                      text="Vraag over afval? Kijk op onze site.")
    triage_pending(sqlite_engine, profile, NOW)
    decision = decisions(sqlite_engine)[own]
    assert (decision.action, decision.reason) == (
        "none", "Bericht van het eigen gemeente-account; geen actie nodig.")


def test_retention_does_not_make_triage_rewrite_anonymised_decisions(engine, profile):
    # Retention keeps the topic and decision for statistics, and sets updated_at; triage must
    # not re-decide from the emptied text (topic lost, the own account's post made actionable).
    from store.retention import apply_retention

    topical = add_mention(engine, labels=["criticism"],
                          text="Waarom staat de afvalcontainer op de Raadhuisstraat al een week vol?")
    own = add_mention(engine, labels=["policy_question"], author="@GemeenteHeemstede",
                      text="Vraag over afval? Kijk op onze site.")
    triage_pending(engine, profile, NOW)
    before = decisions(engine)

    later = NOW + timedelta(days=profile.retention.mentions_days + 1)
    assert apply_retention(engine, profile, later)["mentions_anonymised"] == 2
    assert triage_pending(engine, profile, later) == 0
    assert triage_pending(engine, profile, later, everything=True) == 0

    after = decisions(engine)
    assert (after[topical].topic, after[topical].departments) == ("afval", ["Openbare Ruimte"])
    assert after[own].action == "none"
    assert {k: v._mapping for k, v in after.items()} == {k: v._mapping for k, v in before.items()}
