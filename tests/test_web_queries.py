"""The web's store queries on SQLite and PostgreSQL: filters, search, inbox, rule-7 records."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from store import web_queries as q
from store.tables import triage_decisions
from tests.web_support import NOW, add_mention, seed


def ids_of(engine, **filters):
    with engine.connect() as conn:
        return [r["id"] for r in q.list_mentions(conn, q.MentionFilter(**filters)).rows]


def test_table_filters_use_latest_classification_and_decision(engine):
    ids = seed(engine)
    assert ids_of(engine, label="policy_question") == [ids["question"], ids["xss"]]
    # The question's older classification said criticism; only the latest counts.
    assert ids_of(engine, label="criticism") == [ids["criticism"]]
    assert ids_of(engine, action="consider_response") == [ids["urgent"]]
    assert ids_of(engine, platform="reddit") == [ids["urgent"]]
    assert ids_of(engine, topic="afval") == [ids["criticism"], ids["xss"]]
    assert ids_of(engine, department="Belastingen") == [ids["urgent"]]
    assert ids_of(engine, language="en") == [ids["wildcard"]]
    assert ids_of(engine, status="open", action="signal") == [ids["criticism"]]
    recent = ids_of(engine, date_from=NOW - timedelta(days=7), date_to=NOW)
    assert ids["old"] not in recent and len(recent) == 5
    assert ids_of(engine, date_to=NOW - timedelta(days=30)) == [ids["old"]]


def test_search_matches_words_and_prefixes_never_syntax(engine):
    ids = seed(engine)
    assert ids_of(engine, q="parkeervergunning binnenweg") == [ids["question"]]
    assert ids_of(engine, q="parkeer") == [ids["question"]]
    assert ids_of(engine, q="OZB") == [ids["urgent"]]
    # Wildcards and query syntax are plain characters, not patterns.
    assert ids_of(engine, q="100%") == [ids["wildcard"]]
    assert ids_of(engine, q="%") == ids_of(engine)
    assert ids_of(engine, q='" OR 1=1 --') == []
    assert ids_of(engine, q="NEAR(x y) AND *") == []


def test_sort_and_pagination_with_capped_count(engine):
    ids = seed(engine)
    with engine.connect() as conn:
        page = q.list_mentions(conn, q.MentionFilter(), sort="urgentie", page=1, page_size=2)
        assert [r["id"] for r in page.rows] == [ids["urgent"], ids["question"]]
        # Urgency order shows only mentions with a decision (the old one has none).
        assert (page.total, page.pages, page.has_next) == (5, 3, True)
        last = q.list_mentions(conn, q.MentionFilter(), sort="oudste", page=3, page_size=2)
        assert [r["id"] for r in last.rows] == [ids["urgent"], ids["question"]]
        assert not last.has_next
        most_replies = q.list_mentions(conn, q.MentionFilter(), sort="reacties", page_size=1)
        assert most_replies.rows[0]["id"] == ids["urgent"]


def test_inbox_orders_by_urgency_and_hides_closed(engine):
    ids = seed(engine)
    with engine.begin() as conn:
        assert [r["id"] for r in q.inbox(conn, "reageren")] == [
            ids["urgent"], ids["question"], ids["xss"]]
        assert [r["id"] for r in q.inbox(conn, "signaleren")] == [ids["criticism"]]
        assert q.inbox_counts(conn) == {"reageren": 3, "signaleren": 1}
        assert q.assign(conn, ids["question"], "ellen", NOW)
        q.record_outcome(conn, ids["urgent"], "responded", "ellen", NOW,
                         response_url="https://x.com/gemeenteheemstede/status/1",
                         response_text="Nee, de OZB stijgt met 3%.", account="@gemeenteheemstede")
        assert not q.assign(conn, ids["old"], "ellen", NOW)  # no decision yet
    with engine.connect() as conn:
        assert [r["id"] for r in q.inbox(conn, "reageren")] == [ids["question"], ids["xss"]]
        status = dict(conn.execute(sa.select(triage_decisions.c.mention_id, triage_decisions.c.status)).all())
        assert status[ids["urgent"]] == "responded" and status[ids["question"]] == "assigned"
        detail = q.mention_detail(conn, ids["urgent"])
        assert detail["outcomes"][0]["response_text"] == "Nee, de OZB stijgt met 3%."
        snapshot = q.outcome_with_context(conn, detail["outcomes"][0]["id"])
        assert snapshot["mention"]["id"] == ids["urgent"]
        assert snapshot["decision"]["action"] == "consider_response"


def test_correction_wins_over_model_labels(engine):
    ids = seed(engine)
    with engine.begin() as conn:
        q.correct_labels(conn, ids["criticism"], ["praise"], "analist", NOW, "sarcasme")
    assert ids_of(engine, label="criticism") == []
    assert ids_of(engine, label="praise") == [ids["criticism"]]
    with engine.connect() as conn:
        detail = q.mention_detail(conn, ids["criticism"])
        assert detail["corrections"][0]["labels"] == ["praise"]
        assert detail["corrections"][0]["corrected_by"] == "analist"
        row = q.list_mentions(conn, q.MentionFilter(label="praise")).rows[0]
        assert q.effective_labels(row) == ["praise"]


def test_search_index_follows_updates_and_deletes(engine):
    with engine.begin() as conn:
        mid = add_mention(conn, 1, text="eerste versie over bomenkap")
    assert ids_of(engine, q="bomenkap") == [mid]
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE mentions SET text = 'geanonimiseerd' WHERE id = :i"), {"i": mid})
    assert ids_of(engine, q="bomenkap") == []
    assert ids_of(engine, q="geanonimiseerd") == [mid]
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM mentions WHERE id = :i"), {"i": mid})
    assert ids_of(engine, q="geanonimiseerd") == []


def test_export_iterates_the_whole_view(engine):
    ids = seed(engine)
    with engine.connect() as conn:
        rows = list(q.iter_mentions(conn, q.MentionFilter(topic="afval"), "oudste"))
    assert [r["id"] for r in rows] == [ids["xss"], ids["criticism"]]
