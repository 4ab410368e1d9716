"""The weekly sentiment report: figures against an independent pandas count, HTML, PDF, browser.

The store is seeded by tests/weekly_seed.py. Rendering (charts + PDF) is slow, so one report is
rendered per module and shared; the figures are checked on SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reports.pseudonyms import Pseudonymiser
from reports.weekly import (
    build_weekly_report,
    load_figures,
    make_weekly_report,
    render_html,
    render_text,
    send_weekly_report,
    write_weekly_report,
)
from reports.weekly_data import compute_weekly
from reports.weeks import WeekError, parse_week
from store.db import create_engine
from store.migrate import upgrade
from store.tables import classifications, mentions
from tests.browser_fixtures import ARTIFACTS
from tests.weekly_seed import HOSTILE, MONDAY, PRIVATE, SPIKE_DAY, TZ, WEEK, seed
from voelspriet.settings import ROOT, Settings

KEY = b"test-key"
MONDAY_NOON = datetime.combine(MONDAY, datetime.min.time(), TZ).replace(hour=12)


# ---------------------------------------------------------------- independent expectations

def _frame(recs: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(recs)
    local = [t.astimezone(TZ) for t in df["created_at"]]
    df["date"] = [t.date() for t in local]
    df["isoweek"] = [f"{t.isocalendar()[0]}-W{t.isocalendar()[1]:02d}" for t in local]
    df["engagement"] = df["replies"] + df["reposts"] + df["likes"]
    return df


def _label_pairs(df: pd.DataFrame, key: str) -> Counter:
    return Counter((getattr(r, key), label) for r in df.itertuples() for label in (r.labels or []))


def expected_figures(recs: list[dict], outs: list[dict]) -> dict:
    df = _frame(recs)
    week = df[df["isoweek"] == WEEK]
    per_day = _label_pairs(week, "date")
    weekly = _label_pairs(df, "isoweek")

    topics = Counter(r.topic for r in week.itertuples() if r.labels != ["other"] and r.topic)

    needed = week[week["action"].isin(["respond", "consider_response"])]
    out = pd.DataFrame(outs)
    out = out[out["mention_id"].isin(needed["id"])]
    answered = out[out["outcome"] == "responded"].groupby("mention_id")["responded_at"].min()
    created = needed.set_index("id")["created_at"]
    delays = [(answered[i] - created[i]).total_seconds() / 3600 for i in answered.index]

    history = [MONDAY - timedelta(days=d) for d in range(1, 57)]
    spikes = []
    for label in ("criticism", "offensive"):
        counts = Counter(r.date for r in df.itertuples() if label in (r.labels or []))
        base = np.array([counts.get(d, 0) for d in history])
        med = np.median(base)
        threshold = med + 3 * max(np.median(np.abs(base - med)) * 1.4826, 1)
        spikes += [(d, label) for d in (MONDAY + timedelta(days=i) for i in range(7))
                   if counts.get(d, 0) >= 3 and counts.get(d, 0) > threshold]

    top = week.sort_values(["engagement", "created_at"], ascending=[False, True]).head(5)
    return {
        "total": len(week),
        "per_day": per_day,
        "weekly": weekly,
        "topics": topics,
        "needed": len(needed),
        "responded": len(answered),
        "median_hours": float(np.median(delays)),
        "open": sorted(set(needed["id"]) - set(out["mention_id"])),
        "spikes": sorted(spikes),
        "top": top["id"].tolist(),
        "platforms": Counter(week["platform"]),
    }


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def rendered(tmp_path_factory, profile):
    """One seeded SQLite store and its W47 report, rendered once for the module."""
    tmp = tmp_path_factory.mktemp("weekly")
    url = f"sqlite:///{tmp / 'voelspriet.db'}"
    upgrade(url)
    engine = create_engine(url)
    recs, outs = seed(engine)
    settings = Settings(tmp / "var", url, ROOT / "config" / "heemstede.yaml", tmp / "model.skops")
    report = make_weekly_report(engine, profile, settings, WEEK)
    html_path, pdf_path = write_weekly_report(report, settings.reports_dir)
    yield {"engine": engine, "settings": settings, "report": report, "html_path": html_path,
           "pdf_path": pdf_path, "recs": recs, "outs": outs, "tmp": tmp}
    engine.dispose()


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


# ---------------------------------------------------------------- figures

def test_figures_match_an_independent_count(engine, profile):
    recs, outs = seed(engine)
    want = expected_figures(recs, outs)
    week = parse_week(WEEK)
    f = load_figures(engine, profile, week, Pseudonymiser(KEY, profile.municipality.accounts))

    assert f.total == want["total"]
    for day in week.days:
        for label in ("criticism", "praise", "policy_question", "factual_error", "offensive",
                      "other"):
            assert f.per_day.at[day, label] == want["per_day"].get((day, label), 0), (day, label)
    assert f.per_day["totaal"].sum() == want["total"]
    for name in week.names_back(12):
        assert f.trend.at[name, "praise"] == want["weekly"].get((name, "praise"), 0)
        assert f.trend.at[name, "criticism"] == want["weekly"].get((name, "criticism"), 0)
    assert {t.key: t.count for t in f.topics if t.count} == dict(want["topics"])
    assert f.top_topics[0].key == "parkeren"
    assert f.rising_topics[0].key == "parkeren"
    assert dict(f.platforms["totaal"]) == dict(want["platforms"])

    assert f.webcare.needed == want["needed"] > 0
    assert f.webcare.responded == want["responded"] > 0
    assert f.webcare.median_hours == pytest.approx(want["median_hours"])
    assert sorted(e.mention_id for e in f.webcare.open) == want["open"]

    assert [(s.day, s.label) for s in f.spikes] == want["spikes"] == [(SPIKE_DAY, "criticism")]
    assert [e.mention_id for e in f.top_engagement] == want["top"]

    crit_now = want["weekly"][(WEEK, "criticism")]
    crit_before = want["weekly"][("2026-W46", "criticism")]
    assert f.label_counts["criticism"] == (crit_now, crit_before)
    line = next(c for c in f.changes if c.startswith("Kritiek"))
    assert f"{crit_before} naar {crit_now}" in line or f"{crit_before} → {crit_now}" in line
    assert line.endswith("vooral over parkeren.")


def test_latest_classification_decides_the_labels(sqlite_engine, profile):
    """A mention reclassified by a newer model counts with its newest labels only."""
    at = datetime(2026, 11, 17, 9, tzinfo=UTC)
    with sqlite_engine.begin() as conn:
        conn.execute(mentions.insert(), [{
            "id": 1, "platform": "x", "platform_id": "1", "text": "parkeren is duur",
            "created_at": at, "collected_at": at, "updated_at": at}])
        conn.execute(classifications.insert(), [
            {"mention_id": 1, "model_version": "new", "labels": ["criticism"], "scores": {},
             "needs_review": False, "classified_at": at + timedelta(days=1)},
            {"mention_id": 1, "model_version": "old", "labels": ["praise"], "scores": {},
             "needs_review": False, "classified_at": at},
        ])
    f = load_figures(sqlite_engine, profile, parse_week(WEEK), Pseudonymiser(KEY, {}))
    assert f.label_counts["criticism"] == (1, 0)
    assert f.label_counts["praise"] == (0, 0)
    assert f.thin


def test_an_empty_week_renders_and_says_so(sqlite_engine, profile):
    f = load_figures(sqlite_engine, profile, parse_week("2026-W01"), Pseudonymiser(KEY, {}))
    html = render_html(f, profile, {n: "data:," for n in ("daily", "trend", "topics", "platforms")})
    assert f.total == 0 and f.webcare.median_hours is None
    assert "dunne cijfers" in html and "geen vermeldingen gevonden" in html
    assert "te weinig gegevens" in html.lower()


def test_thin_week_report_renders_with_charts_and_pdf(sqlite_engine, profile):
    at = datetime(2026, 11, 18, 10, tzinfo=UTC)
    with sqlite_engine.begin() as conn:
        conn.execute(mentions.insert(), [
            {"id": i, "platform": "reddit", "platform_id": str(i), "author_handle": "buur",
             "text": "Wanneer wordt het grofvuil opgehaald?", "created_at": at,
             "collected_at": at, "updated_at": at} for i in (1, 2)])
        conn.execute(classifications.insert(), [
            {"mention_id": i, "model_version": "v1", "labels": ["policy_question"], "scores": {},
             "needs_review": False, "classified_at": at} for i in (1, 2)])
    f = load_figures(sqlite_engine, profile, parse_week(WEEK), Pseudonymiser(KEY, {}))
    report = build_weekly_report(f, profile)
    assert "maar\n2 vermeldingen" in report.html or "maar 2 vermeldingen" in report.html
    assert "Pieken zijn niet bepaald" in report.html
    assert report.pdf.startswith(b"%PDF") and len(report.images) == 4
    assert "buur" not in report.html.replace("buurt", "")


def test_week_names_are_checked():
    assert parse_week("2026-W53").days[0] == date(2026, 12, 28)
    with pytest.raises(WeekError, match="2026-W54"):
        parse_week("2026-W54")
    with pytest.raises(WeekError, match="ISO-week"):
        parse_week("week 47")
    w = parse_week(WEEK)
    assert w.days[0] == date(2026, 11, 16) and w.describe() == "week 47 (16 t/m 22 november 2026)"
    start, end = w.utc_bounds()
    assert start == datetime(2026, 11, 15, 23, tzinfo=UTC)
    assert end - start == timedelta(days=7)


# ---------------------------------------------------------------- privacy and hostile text

def test_pseudonyms_hide_residents_but_not_the_municipality_or_news(profile):
    p = Pseudonymiser(KEY, profile.municipality.accounts)
    resident = p.author("x", "jdevries_hmst")
    assert re.fullmatch(r"inwoner [0-9a-f]{4}", resident)
    assert p.author("x", "@JDevries_hmst") == resident  # same person, same pseudonym
    assert Pseudonymiser(b"other", {}).author("x", "jdevries_hmst") != resident
    assert p.author("x", "gemeenteheemstede") == "gemeenteheemstede"
    assert p.author("mastodon", "gemeenteheemstede@social.overheid.nl").startswith("gemeente")
    assert p.author("news", "Haarlems Dagblad") == "Haarlems Dagblad"
    text = p.text("vraag @jdevries_hmst of u/buurman_glip, mail info@heemstede.nl, @gemeenteheemstede")
    assert "jdevries" not in text and "buurman" not in text
    assert "info@heemstede.nl" in text and "@gemeenteheemstede" in text
    assert p.link("x", "jdevries_hmst", "https://x.com/jdevries_hmst/status/1") is None
    assert p.link("news", "NH Nieuws", "https://nhnieuws.nl/a") == "https://nhnieuws.nl/a"


def test_handles_inside_links_in_a_text_are_not_shown(profile):
    """A pasted profile or post link names its author: the report shows '[link]' instead."""
    p = Pseudonymiser(KEY, profile.municipality.accounts)
    text = p.text("zie https://mastodon.social/@jdevries_hmst en https://x.com/buurman_glip/status/1, "
                  "www.reddit.com/user/henk_hmst en HTTPS://bsky.app/profile/kees_hmst.bsky.social!")
    for handle in ("jdevries", "buurman", "henk_hmst", "kees_hmst"):
        assert handle not in text
    assert text == "zie [link] en [link], [link] en [link]!"
    assert "jdevries" not in p.text("@jdevries\u200b_hmst") and "_hmst" not in p.text("@jdevries\u200b_hmst")


def test_no_private_handle_and_hostile_text_escaped(rendered):
    report = rendered["report"]
    pdf_text = _pdf_text(rendered["pdf_path"])
    for shown in (report.html, report.archive_html, report.text, pdf_text):
        for handle in PRIVATE:
            assert handle not in shown
    assert "<script>alert" not in report.html
    assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;" in report.html
    assert "&lt;b&gt;schandalig&lt;/b&gt; &amp; duur" in report.html
    assert "gemeenteheemstede" in report.html and "Haarlems Dagblad" in report.html
    # In the PDF the markup is printed as text, not interpreted.
    assert '<script>alert("pwned")</script>' in pdf_text.replace("\n", "")
    assert HOSTILE.split(" @")[0][-40:] in " ".join(pdf_text.split())


def test_control_and_bidi_characters_never_reach_the_report(profile):
    """A reversed or hidden handle or text (U+202E, BEL) is shown as its plain characters."""
    week = parse_week(WEEK)
    row = {
        "mention_id": 1, "platform": "x", "platform_id": "1", "url": None,
        "author_handle": "@boze_buurman\u202eLOOF", "title": "Kop\u2066 met\u0007 tekens",
        "text": "Parkeren is \u202edrama\u202c @jdevries\u200f_hmst", "created_at": MONDAY_NOON,
        "replies": 9, "reposts": 0, "likes": 0, "reach": None, "labels": ["criticism"],
        "scores": {"criticism": 0.9}, "action": "respond", "topic": None, "status": None,
    }
    figures = compute_weekly([row], [], week, profile, Pseudonymiser(KEY, {}))
    html = render_html(figures, profile, {n: "data:," for n in ("daily", "trend", "topics", "platforms")})
    text = render_text(figures, profile)
    [shown] = figures.top_engagement
    for part in (shown.author, shown.title, shown.text, html, text):
        assert not set(part) & {"\u202e", "\u202c", "\u2066", "\u200f", "\u0007"}
    assert "Parkeren is drama" in html and "Kop met tekens" in html
    assert "jdevries" not in html and "boze_buurman" not in html


# ---------------------------------------------------------------- PDF, HTML in a browser, email

def test_pdf_has_pages_in_dutch(rendered):
    out = rendered["tmp"] / "pages"
    out.mkdir()
    subprocess.run(["pdftoppm", "-r", "70", "-png", str(rendered["pdf_path"]), str(out / "p")],
                   check=True)
    pages = sorted(out.glob("p-*.png"))
    assert len(pages) >= 3
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(pages[0], ARTIFACTS / "weekly-pdf-page1.png")
    text = _pdf_text(rendered["pdf_path"])
    for heading in ("Weekrapport sentiment gemeente Heemstede", "Wat is er veranderd", "Pieken",
                    "Complimenten en kritiek", "Onderwerpen", "Per platform", "Meeste interactie",
                    "Webcare", "woensdag 18 november: 9 keer kritiek"):
        assert heading in text, heading


@pytest.mark.browser
def test_html_renders_in_chromium(rendered, browser):
    page = browser.new_page(viewport={"width": 900, "height": 1200})
    page.goto(rendered["html_path"].as_uri())
    widths = page.eval_on_selector_all("img.chart", "els => els.map(e => e.naturalWidth)")
    assert len(widths) == 4 and all(w > 300 for w in widths)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("script").count() == 0
    assert '<script>alert("pwned")</script>' in page.inner_text("body")
    assert page.locator("h1").inner_text().startswith("Weekrapport sentiment")
    page.screenshot(path=str(ARTIFACTS / "weekly-report.png"), full_page=True)
    page.close()


def test_email_arrives_with_inline_charts_and_pdf(rendered, profile, smtp_server):
    path = send_weekly_report(rendered["engine"], profile, rendered["settings"], WEEK)
    assert Path(path).exists()
    assert len(smtp_server.messages) == 1
    msg = smtp_server.messages[0]
    assert "week 47" in msg["Subject"]
    parts = list(msg.walk())
    images = {p["Content-ID"].strip("<>"): p.get_content() for p in parts
              if p.get_content_type() == "image/png"}
    assert set(images) == set(rendered["report"].images)
    html = next(p for p in parts if p.get_content_type() == "text/html").get_content()
    for cid in images:
        assert f"cid:{cid}" in html
    pdfs = [p for p in parts if p.get_filename() == f"weekreport-{WEEK}.pdf"]
    assert len(pdfs) == 1 and pdfs[0].get_content().startswith(b"%PDF")


def test_cli_rejects_a_bad_week(tmp_path):
    cli = str(Path(sys.executable).parent / "voelspriet")
    result = subprocess.run([cli, "report", "weekly", "--week", "2026-47"], capture_output=True,
                            text=True, timeout=120, check=False,
                            env={**os.environ, "VOELSPRIET_VAR_DIR": str(tmp_path)})
    assert result.returncode == 1
    assert "ISO-week zoals 2026-W47" in result.stderr
