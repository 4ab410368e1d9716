"""A known store for the weekly-report tests: 12 weeks of mentions up to 2026-W47.

``seed(engine)`` writes them and returns the records, so tests can compute the expected
figures independently of reports.weekly_data.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from store.tables import classifications, mentions, outcomes, triage_decisions

TZ = ZoneInfo("Europe/Amsterdam")
WEEK = "2026-W47"
MONDAY = date(2026, 11, 16)
FIRST_DAY = MONDAY - timedelta(weeks=11)
SPIKE_DAY = date(2026, 11, 18)
PRIVATE = ["jdevries_hmst", "evastrijbos", "buurman_glip", "mark.heemstede", "oma_truus"]
HOSTILE = ('<script>alert("pwned")</script><img src=x onerror="window.__pwned=1"> '
           'Parkeren bij de Binnenweg is <b>schandalig</b> & duur, vraag maar aan @jdevries_hmst')
TOPIC_TEXT = {
    "parkeren": "weer geen parkeerplaats te vinden, die parkeervergunning is een grap",
    "afval": "de gft container is weer niet geleegd door Meerlanden",
    "groen": "de bomen in het wandelbos worden gekapt",
    "verkeer": "het nieuwe fietspad langs de Herenweg",
    "dienstverlening": "afspraak aan de balie voor een paspoort",
}
LABEL_SETS = [["criticism"], ["praise"], ["policy_question"], ["criticism", "policy_question"],
              ["other"], ["criticism", "offensive"], ["factual_error"], ["praise", "criticism"]]
ACTION = {"policy_question": "respond", "factual_error": "consider_response",
          "offensive": "consider_response", "praise": "signal", "criticism": "signal",
          "other": "none"}
STRENGTH = ["respond", "consider_response", "signal", "none"]


def action_for(labels: list[str]) -> str:
    return min((ACTION[label] for label in labels), key=STRENGTH.index)


def _at(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), TZ).astimezone(UTC)


def records() -> list[dict]:
    """The seeded mentions, deterministic."""
    rng = random.Random(47)
    out: list[dict] = []

    def add(day, labels, topic, *, platform=None, author=None, text=None, engagement=None,
            triage=True, classified=True, old_labels=None):
        i = len(out) + 1
        platform = platform or rng.choice(["x", "reddit", "mastodon", "bluesky", "x"])
        author = author or rng.choice(PRIVATE)
        base = text or (TOPIC_TEXT[topic] if topic else "mooie dag in Heemstede vandaag")
        out.append({
            "id": i, "platform": platform, "platform_id": f"p{i}",
            "url": f"https://example.org/{author}/{i}", "author_handle": author,
            "text": f"{base} ({i})", "created_at": _at(day, rng.randint(7, 22), rng.randint(0, 59)),
            "replies": engagement if engagement is not None else rng.randint(0, 5),
            "reposts": rng.randint(0, 3), "likes": rng.randint(0, 9),
            "labels": labels if classified else None, "old_labels": old_labels,
            "topic": topic if labels != ["other"] else None,
            "triage": triage and classified, "action": action_for(labels) if triage and classified else None,
        })

    for n in range(77):  # the 11 weeks before the report week: quiet background
        day = FIRST_DAY + timedelta(days=n)
        for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
            topic = rng.choice(list(TOPIC_TEXT))
            add(day, rng.choice(LABEL_SETS), topic, triage=rng.random() < 0.8,
                old_labels=["other"] if rng.random() < 0.1 else None)
    for n in range(7):  # the report week: busier, criticism about parking rising
        day = MONDAY + timedelta(days=n)
        for _ in range(rng.randint(2, 4)):
            topic = rng.choice(list(TOPIC_TEXT))
            add(day, rng.choice(LABEL_SETS), topic, triage=rng.random() < 0.8,
                old_labels=["praise"] if rng.random() < 0.15 else None)
    for _ in range(8):
        add(SPIKE_DAY, ["criticism"], "parkeren")
    add(SPIKE_DAY, ["criticism", "policy_question"], "parkeren", text=HOSTILE, engagement=400,
        platform="x", author="evastrijbos")
    add(MONDAY + timedelta(days=4), ["praise"], "afval", platform="x", author="gemeenteheemstede",
        text="Dank aan iedereen die meedeed aan de opschoondag! #afval", engagement=300)
    add(MONDAY + timedelta(days=2), ["other"], None, platform="news", author="Haarlems Dagblad",
        text="RCH wint derby; volle tribunes in Heemstede", engagement=250)
    add(MONDAY + timedelta(days=5), ["criticism"], "afval", classified=False)
    add(MONDAY + timedelta(days=1), ["policy_question"], "groen", triage=False)
    return out


def response_outcomes(recs: list[dict]) -> list[dict]:
    """Outcomes for the mentions that asked for a response: replies, refusals, open ones."""
    rng = random.Random(7)
    rows = []
    for rec in recs:
        if rec["action"] not in ("respond", "consider_response"):
            continue
        roll = rng.random()
        created = rec["created_at"]
        if roll < 0.5:
            if roll < 0.1:  # passed on first, answered later: counts once, as responded
                rows.append({"mention_id": rec["id"], "outcome": "passed_on",
                             "recorded_at": created + timedelta(hours=1), "responded_at": None})
            hours = rng.choice([0.5, 2, 3, 5, 8, 26, 50])
            rows.append({"mention_id": rec["id"], "outcome": "responded",
                         "recorded_at": created + timedelta(hours=hours + 1),
                         "responded_at": created + timedelta(hours=hours)})
        elif roll < 0.65:
            rows.append({"mention_id": rec["id"], "outcome": "not_responding",
                         "recorded_at": created + timedelta(hours=4), "responded_at": None})
    return rows


def seed(engine) -> tuple[list[dict], list[dict]]:
    """Write the records (and their outcomes) to the store; return both."""
    recs = records()
    outs = response_outcomes(recs)
    now = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(mentions.insert(), [
            {"id": r["id"], "platform": r["platform"], "platform_id": r["platform_id"],
             "url": r["url"], "author_handle": r["author_handle"], "text": r["text"],
             "created_at": r["created_at"], "collected_at": r["created_at"], "updated_at": now,
             "replies": r["replies"], "reposts": r["reposts"], "likes": r["likes"]}
            for r in recs
        ])
        rows = []
        for r in recs:
            if r["labels"] is None:
                continue
            at = r["created_at"] + timedelta(hours=1)
            if r["old_labels"]:  # an older model said something else: the latest must win
                rows.append({"mention_id": r["id"], "model_version": "v0", "labels": r["old_labels"],
                             "scores": {}, "needs_review": False, "classified_at": at})
            rows.append({"mention_id": r["id"], "model_version": "v1", "labels": r["labels"],
                         "scores": {}, "needs_review": False, "classified_at": at + timedelta(days=2)})
        conn.execute(classifications.insert(), rows)
        conn.execute(triage_decisions.insert(), [
            {"mention_id": r["id"], "action": r["action"], "reason": "test", "urgency": 0.5,
             "urgency_level": "normaal", "departments": [], "topic": r["topic"],
             "decided_at": r["created_at"], "updated_at": r["created_at"]}
            for r in recs if r["triage"]
        ])
        conn.execute(outcomes.insert(), [
            {**o, "recorded_by": "webcare"} for o in outs
        ])
    return recs, outs
