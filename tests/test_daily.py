"""The daily triage email, sent to a real SMTP server on loopback and read back."""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from classifiers.triage import triage_pending
from reports.daily import daily_period, latest_period_day, send_daily_triage
from store.tables import deliveries
from tests.browser_fixtures import ARTIFACTS
from tests.triage_rows import add_mention
from voelspriet.settings import Settings

DAY = date(2026, 11, 20)
START, END = daily_period(DAY)
IN_PERIOD = START + timedelta(hours=3)  # 2026-11-19 10:30 Amsterdam = 09:30 UTC
HOSTILE = ('<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> '
           'Waarom is de gemeente Heemstede zo traag met de parkeervergunning?')


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(tmp_path / "var", "unused", tmp_path / "profile.yaml", tmp_path / "model.skops")


def seed_day(engine, profile, when: datetime) -> dict[str, int]:
    """A day with every group, hostile text and links; triaged at ``when``."""
    created = when - timedelta(hours=2)
    ids = {
        "slow_question": add_mention(engine, labels=["policy_question"], created_at=created,
                                     text="Wanneer wordt het grofvuil in Heemstede opgehaald?", replies=0),
        "hot_question": add_mention(engine, labels=["policy_question", "criticism"], created_at=created,
                                    text=HOSTILE, replies=9, author="@boze_buurman\u202eLOOF",
                                    url="https://www.heemstede.nl@evil.example/phish"),
        "rumour": add_mention(engine, labels=["factual_error"], created_at=created, needs_review=True,
                              text="De gemeente verkoopt het Wandelbos aan een projectontwikkelaar!",
                              url="https://xn--hemstede-m4a.nl/nieuws", platform="mastodon",
                              scores={"factual_error": 0.58, "criticism": 0.31}),
        "insult": add_mention(engine, labels=["offensive", "criticism"], created_at=created, replies=3,
                              text="Die wethouder is een complete idioot", platform="reddit",
                              url="javascript:alert(1)"),
        "praise": add_mention(engine, labels=["praise"], created_at=created, platform="bluesky",
                              text="Lekker bezig gemeente, de bomen aan de Herenweg zijn prachtig 👏",
                              url="https://bsky.app/profile/a/post/1"),
        "noise": add_mention(engine, labels=["other"], created_at=created, text="Mooie dag in Heemstede"),
    }
    triage_pending(engine, profile, when)
    return ids


def parts(msg):
    """The message's text/plain and text/html bodies and its inline images."""
    text = msg.get_body(preferencelist=("plain",)).get_content()
    html = msg.get_body(preferencelist=("html",)).get_content()
    images = [p for p in msg.walk() if p.get_content_maintype() == "image"]
    return text, html, images


def test_daily_email_arrives_grouped_most_urgent_first(engine, profile, settings, smtp_server):
    ids = seed_day(engine, profile, IN_PERIOD)
    path = send_daily_triage(engine, profile, settings, START, END)

    assert len(smtp_server.envelopes) == 1
    sender, rcpts, _ = smtp_server.envelopes[0]
    assert (sender, rcpts) == ("voelspriet@heemstede.nl", ["communicatie@heemstede.nl"])
    msg = smtp_server.messages[0]
    assert msg["Subject"] == "Triage 20 november 2026: 2 reageren, 2 overwegen, 1 doorgeven"
    assert msg.get_content_type() == "multipart/alternative"
    related = msg.get_payload()[1]
    assert related.get_content_type() == "multipart/related"
    text, html, images = parts(msg)

    # Counts on top, groups in order, the hot question before the slow one.
    assert re.search(r'data-count="respond">2<', html) and re.search(r'data-count="none">1<', html)
    assert re.search(r'data-count="review">1<', html)
    order = [html.index(f'id="{g}"') for g in ("respond", "consider_response", "signal")]
    assert order == sorted(order)
    cards = [int(m) for m in re.findall(r'data-mention="(\d+)"', html)]
    assert cards == [ids["hot_question"], ids["slow_question"], ids["insult"], ids["rumour"], ids["praise"]]
    assert text.index("== REAGEREN (2) ==") < text.index("== OVERWEEG EEN REACTIE (2) ==") \
        < text.index("== DOORGEVEN AAN COLLEGA'S (1) ==")
    assert text.index("boze_buurman") < text.index("grofvuil")
    assert "Mooie dag" not in text

    # Per mention: platform, handle, local time, labels, reason, account, department, deadline.
    assert "@boze_buurmanLOOF · do 19 nov 2026, 08:30" in text  # posted 07:30 UTC = 08:30 CET
    assert "kritiek 90%, beleidsvraag 90%" in text
    assert "onjuiste feiten 58%" in html
    assert "Reageren vanaf: @gemeenteheemstede (X)" in text
    assert "Reageren vanaf: in overleg met Communicatie" in text
    assert "Afdeling: Verkeer en Parkeren · Parkeren" in text
    assert "Uiterlijk: do 19 nov 2026, 14:30" in text  # collected 09:30 UTC + 4 h, in CET
    assert text.count("CONTROLEER DIT") == 1 and html.count("Controleer dit:") == 1
    assert "Regel 8: een reactie op X mag 280 tekens hebben" in text
    assert "Regel 8: een reactie op Mastodon mag 500 tekens hebben" in html
    assert "Regel 6: op vragen over gemeentelijk beleid" in html

    # Hostile text arrives inert; links only http(s) and with their real host.
    assert "<script" not in html and "<img src=x" not in html
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in html
    assert "\u202e" not in html and "\u202e" not in text and "@boze_buurmanLOOF" in text
    assert 'href="https://evil.example/phish"' in html  # the user-info decoy is dropped
    assert "Bekijk het origineel op evil.example" in html
    assert "gebruikersnaam vóór het echte domein" in html
    assert "Bekijk het origineel op xn--hemstede-m4a.nl" in html
    assert "javascript:" not in html and "geen http(s)-adres" in html

    # The topic chart is an inline image the HTML refers to by Content-ID.
    assert len(images) == 1 and images[0].get_content_type() == "image/png"
    cid = images[0]["Content-ID"].strip("<>")
    assert f'src="cid:{cid}"' in html and images[0].get_content().startswith(b"\x89PNG")

    # A copy under var/reports/, recorded once.
    assert path == settings.reports_dir / "daily_triage" / "2026-11-20.eml"
    assert path.read_bytes() and "data:image/png;base64," in path.with_suffix(".html").read_text()
    with engine.connect() as conn:
        row = conn.execute(sa.select(deliveries)).one()
    assert (row.kind, row.key, row.transport) == ("daily_triage", "2026-11-20", "smtp")
    assert (row.period_start, row.period_end) == (START, END)


def test_same_day_is_never_sent_twice(sqlite_engine, profile, settings, smtp_server):
    seed_day(sqlite_engine, profile, IN_PERIOD)
    first = send_daily_triage(sqlite_engine, profile, settings, START, END)
    again = send_daily_triage(sqlite_engine, profile, settings, START, END)
    assert first == again and len(smtp_server.envelopes) == 1


def test_a_failed_day_is_caught_up_and_nothing_twice(sqlite_engine, profile, settings, smtp_server):
    days = [date(2026, 11, 18), date(2026, 11, 19), date(2026, 11, 20)]
    per_day = {}
    for day in days:
        start, _ = daily_period(day)
        per_day[day] = add_mention(sqlite_engine, labels=["criticism"], created_at=start,
                                   text=f"Kritiek op de parkeerregels, dag {day.day}")
        triage_pending(sqlite_engine, profile, start + timedelta(hours=1))

    send_daily_triage(sqlite_engine, profile, settings, *daily_period(days[0]))
    # The run for days[1] failed and nobody re-ran it; days[2]'s email catches up.
    send_daily_triage(sqlite_engine, profile, settings, *daily_period(days[2]))
    # Re-running days[1] later finds it covered and sends nothing.
    covered = send_daily_triage(sqlite_engine, profile, settings, *daily_period(days[1]))

    assert len(smtp_server.envelopes) == 2
    first, second = (parts(m)[0] for m in smtp_server.messages)
    assert "dag 18" in first and "dag 19" not in first
    assert "dag 19" in second and "dag 20" in second and "dag 18" not in second
    assert covered.name == "2026-11-20.eml"


def test_quiet_day_says_so_in_one_line(sqlite_engine, profile, settings, smtp_server):
    add_mention(sqlite_engine, labels=["other"], created_at=IN_PERIOD, text="Mooi weer in Heemstede")
    triage_pending(sqlite_engine, profile, IN_PERIOD)
    send_daily_triage(sqlite_engine, profile, settings, START, END)
    msg = smtp_server.messages[0]
    text, html, images = parts(msg)
    assert msg["Subject"] == "Triage 20 november 2026: rustige dag"
    quiet = [line for line in text.splitlines() if line.startswith("Rustige dag")]
    assert quiet == ["Rustige dag: geen vermeldingen die om een reactie of doorgeven vragen (1 zonder actie)."]
    assert "==" not in text and not images and 'id="rustig"' in html


def test_without_smtp_connection_only_the_files_are_written(sqlite_engine, profile, settings, no_smtp, caplog):
    seed_day(sqlite_engine, profile, IN_PERIOD)
    with caplog.at_level(logging.WARNING, logger="reports.mail"):
        path = send_daily_triage(sqlite_engine, profile, settings, START, END)
    assert path.exists() and path.with_suffix(".html").exists()
    assert "niet verzonden" in caplog.text and str(path) in caplog.text
    with sqlite_engine.connect() as conn:
        assert conn.execute(sa.select(deliveries.c.transport)).scalar_one() == "file"


def test_latest_period_day_is_the_last_finished_period():
    at = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)  # 07:00 in Amsterdam
    assert latest_period_day(at) == date(2026, 11, 19)
    assert latest_period_day(at + timedelta(hours=1)) == date(2026, 11, 20)
    start, end = daily_period(date(2026, 3, 29))  # summer time starts that night
    assert end - start == timedelta(hours=23)


@pytest.mark.browser
def test_daily_email_reads_on_a_phone_and_hostile_text_stays_inert(
    sqlite_engine, profile, settings, no_smtp, browser
):
    seed_day(sqlite_engine, profile, IN_PERIOD)
    html_path = send_daily_triage(sqlite_engine, profile, settings, START, END).with_suffix(".html")
    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=1)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(html_path.as_uri())
    page.screenshot(path=str(ARTIFACTS / "daily-phone.png"), full_page=True)
    assert page.evaluate("window.__pwned") is None
    # Single column: nothing wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.evaluate("document.querySelector('img').naturalWidth") > 0
    assert page.evaluate("document.querySelectorAll('script').length") == 0
    headings = page.locator("h2").all_inner_texts()
    assert headings == ["Reageren (2)", "Overweeg een reactie (2)", "Doorgeven aan collega's (1)"]
    hrefs = page.eval_on_selector_all("a", "links => links.map(a => a.protocol)")
    assert set(hrefs) == {"https:"}
    # Only the page itself (the chart is embedded), nothing fetched from the internet.
    assert [url for url in requests if not url.startswith(("file:", "data:"))] == []


def test_a_link_with_a_malformed_port_does_not_stop_the_email(sqlite_engine, profile, settings, no_smtp):
    """A hostile URL such as ``http://host:99999/`` is shown as unreadable, not a crash."""
    add_mention(sqlite_engine, labels=["policy_question"], created_at=IN_PERIOD - timedelta(hours=2),
                text="Wanneer wordt het grofvuil in Heemstede opgehaald?",
                url="https://www.heemstede.nl:99999/afval")
    add_mention(sqlite_engine, labels=["criticism"], created_at=IN_PERIOD - timedelta(hours=2),
                text="Waarom is de parkeervergunning in Heemstede zo duur?",
                url="https://www.heemstede.nl:poort/parkeren")
    triage_pending(sqlite_engine, profile, IN_PERIOD)
    text = send_daily_triage(sqlite_engine, profile, settings, START, END).with_suffix(".html").read_text()
    assert "grofvuil" in text and "parkeervergunning" in text
    assert "99999" not in text and ":poort" not in text
    assert text.count("link onleesbaar, niet getoond") == 2
