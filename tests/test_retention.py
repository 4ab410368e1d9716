"""Retention on SQLite and PostgreSQL: old mentions lose what identifies a person, counts stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from store.db import transaction
from store.mentions import Sighting, upsert_mentions
from store.retention import apply_retention
from store.tables import collector_runs, mentions
from voelspriet.mention import Mention

NOW = datetime(2026, 11, 24, 3, 15, tzinfo=UTC)


def _mention(pid: str, age_days: int) -> Mention:
    return Mention(
        platform="x", platform_id=pid, url=f"https://x.com/jan/status/{pid}", author_handle="jan",
        title=None, text=f"Parkeren op de Binnenweg in Heemstede ({pid})",
        created_at=NOW - timedelta(days=age_days), replies=3, reposts=1, likes=7, reach=100,
        raw={"id": pid, "author": "jan"},
    )


def _store(engine, *ages: int) -> None:
    with transaction(engine) as conn:
        upsert_mentions(conn, [Sighting(_mention(str(age), age), "noemt 'Heemstede'", "x")
                               for age in ages])
        for age in ages:
            conn.execute(sa.insert(collector_runs).values(
                source="x", started_at=NOW - timedelta(days=age), status="ok"))


def _rows(engine) -> dict[str, dict]:
    with engine.connect() as conn:
        return {r.platform_id: r._asdict() for r in conn.execute(sa.select(mentions))}


def test_old_mentions_are_anonymised_and_keep_their_counts(engine, profile):
    _store(engine, 10, 364, 366, 400)  # the profile keeps mentions 365 days
    result = apply_retention(engine, profile, NOW)
    rows = _rows(engine)
    assert result["mentions_anonymised"] == 2
    for pid in ("366", "400"):
        old = rows[pid]
        assert (old["text"], old["url"], old["author_handle"], old["title"], old["raw"]) == (
            "", None, None, None, None)
        assert (old["replies"], old["reposts"], old["likes"], old["reach"]) == (3, 1, 7, 100)
        assert old["anonymised_at"] == NOW
    for pid in ("10", "364"):
        assert rows[pid]["author_handle"] == "jan" and rows[pid]["anonymised_at"] is None
        assert rows[pid]["raw"] == {"id": pid, "author": "jan"}


def test_old_collector_runs_are_deleted(engine, profile):
    _store(engine, 10, 89, 91, 400)  # the profile keeps collector runs 90 days
    result = apply_retention(engine, profile, NOW)
    with engine.connect() as conn:
        left = conn.execute(sa.select(collector_runs.c.started_at)).scalars().all()
    assert result["collector_runs_deleted"] == 2
    assert sorted(NOW - t for t in left) == [timedelta(days=10), timedelta(days=89)]


def test_applying_twice_changes_nothing(engine, profile):
    _store(engine, 10, 400)
    apply_retention(engine, profile, NOW)
    before = _rows(engine)
    assert apply_retention(engine, profile, NOW) == {
        "mentions_anonymised": 0, "collector_runs_deleted": 0}
    assert _rows(engine) == before


def test_a_post_collected_again_after_anonymising_is_anonymised_again(engine, profile):
    _store(engine, 400)
    apply_retention(engine, profile, NOW)
    _store(engine, 400)  # a platform re-served the old post
    assert _rows(engine)["400"]["author_handle"] == "jan"
    assert apply_retention(engine, profile, NOW)["mentions_anonymised"] == 1
    assert _rows(engine)["400"]["author_handle"] is None


def test_free_text_about_an_anonymised_mention_goes_too(engine, profile, tmp_path):
    """The rule-7 reply, reasons, correction notes and alert emails quote or name the resident."""
    from store.tables import deliveries, label_corrections, outcomes

    _store(engine, 10, 400)
    ids = {r["platform_id"]: r["id"] for r in _rows(engine).values()}
    files = {}
    with transaction(engine) as conn:
        for pid, mention_id in ids.items():
            conn.execute(sa.insert(outcomes).values(
                mention_id=mention_id, outcome="responded", recorded_by="webcare1",
                recorded_at=NOW - timedelta(days=int(pid)), responded_at=NOW - timedelta(days=int(pid)),
                account="gemeenteheemstede", response_url=f"https://x.com/jan/status/{pid}9",
                response_text="Beste @jan, u schreef 'parkeren op de Binnenweg'...",
                reason="jan woont aan de Binnenweg", department="Parkeren"))
            conn.execute(sa.insert(label_corrections).values(
                mention_id=mention_id, labels=["criticism"], corrected_by="analist",
                corrected_at=NOW, note="jan is boos"))
            eml = tmp_path / f"{mention_id}.eml"
            eml.write_text("Van @jan")
            eml.with_suffix(".html").write_text("Van @jan")
            files[pid] = eml
            conn.execute(sa.insert(deliveries).values(
                kind="urgent_alert", key=str(mention_id), sent_at=NOW - timedelta(days=int(pid)),
                recipients=["webcare@heemstede.nl"], path=str(eml),
                subject="Dringend: reageren op X-bericht van jan"))
    apply_retention(engine, profile, NOW)
    with engine.connect() as conn:
        kept = {r.mention_id: r for r in conn.execute(sa.select(outcomes))}
        notes = {r.mention_id: r.note for r in conn.execute(sa.select(label_corrections))}
        sent = {r.key: r for r in conn.execute(sa.select(deliveries))}
    old, recent = ids["400"], ids["10"]
    assert (kept[old].response_text, kept[old].response_url, kept[old].reason, notes[old]) == (
        None, None, None, None)
    # What the weekly figures need stays: outcome, who, when, account, department.
    assert (kept[old].outcome, kept[old].recorded_by, kept[old].account, kept[old].department) == (
        "responded", "webcare1", "gemeenteheemstede", "Parkeren")
    assert kept[old].responded_at == NOW - timedelta(days=400)
    assert "jan" not in sent[str(old)].subject and sent[str(old)].path == str(files["400"])
    assert not files["400"].exists() and not files["400"].with_suffix(".html").exists()
    # The recent mention keeps everything.
    assert kept[recent].response_text.startswith("Beste @jan") and notes[recent] == "jan is boos"
    assert sent[str(recent)].subject.endswith("van jan") and files["10"].exists()
    assert files["10"].with_suffix(".html").exists()


def test_saved_daily_emails_older_than_the_limit_are_deleted(engine, profile, tmp_path):
    """A daily triage email quotes residents; its saved copy goes when its mentions would."""
    from store.tables import deliveries

    limit = timedelta(days=profile.retention.mentions_days)
    copies = {}
    with transaction(engine) as conn:
        for name, end in (("old", NOW - limit - timedelta(days=1)), ("new", NOW - limit + timedelta(days=1))):
            eml = tmp_path / f"{name}.eml"
            eml.write_text("@jan schreef: parkeren op de Binnenweg")
            eml.with_suffix(".html").write_text("@jan")
            copies[name] = eml
            conn.execute(sa.insert(deliveries).values(
                kind="daily_triage", key=name, period_start=end - timedelta(days=1), period_end=end,
                sent_at=end, recipients=["communicatie@heemstede.nl"], subject="Triage", path=str(eml)))
    apply_retention(engine, profile, NOW)
    assert not copies["old"].exists() and not copies["old"].with_suffix(".html").exists()
    assert copies["new"].exists() and copies["new"].with_suffix(".html").exists()
    with engine.connect() as conn:  # the rows stay, so neither period is ever sent again
        assert conn.execute(sa.select(sa.func.count()).select_from(deliveries)).scalar() == 2
