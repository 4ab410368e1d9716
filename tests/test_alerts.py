"""Urgent alerts: high-urgency mentions that need a reply, once per mention, over real SMTP."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from classifiers.triage import triage_pending
from reports.alerts import send_urgent_alerts
from reports.mail import DeliveryError, build_message, deliver
from store.tables import deliveries
from tests.mail_fixtures import free_port
from tests.triage_rows import add_mention
from voelspriet.settings import Settings

NOW = datetime(2026, 11, 19, 12, 0, tzinfo=UTC)
POSTED = NOW - timedelta(hours=2)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(tmp_path / "var", "unused", tmp_path / "profile.yaml", tmp_path / "model.skops")


def test_high_urgency_reply_mentions_alert_once(engine, profile, settings, smtp_server):
    hot = add_mention(engine, labels=["policy_question"], created_at=POSTED, replies=8,
                      text="Klopt het dat de OZB in Heemstede 40% omhoog gaat? <b>Graag antwoord</b>",
                      author="@vraagsteller\nBcc: everyone@example.org")
    rumour = add_mention(engine, labels=["factual_error"], created_at=POSTED, reach=50_000,
                         platform="mastodon")
    add_mention(engine, labels=["criticism"], created_at=POSTED, replies=40)  # signal: daily only
    add_mention(engine, labels=["policy_question"], created_at=POSTED, replies=0)  # low urgency
    add_mention(engine, labels=["policy_question"], created_at=NOW - timedelta(days=5),
                replies=30, observed_after=timedelta(hours=1))  # too old for an alert
    triage_pending(engine, profile, NOW)

    assert send_urgent_alerts(engine, profile, settings, NOW) == 2
    assert send_urgent_alerts(engine, profile, settings, NOW + timedelta(minutes=5)) == 0

    assert len(smtp_server.envelopes) == 2
    assert all(rcpts == ["webcare@heemstede.nl", "communicatie@heemstede.nl"]
               for _, rcpts, _ in smtp_server.envelopes)
    by_subject = {m["Subject"]: m for m in smtp_server.messages}
    assert set(by_subject) == {
        "Dringend: reageren op X-bericht van @vraagsteller Bcc: everyone@example.org",
        "Dringend: overweeg een reactie op Mastodon-bericht van @buurman",
    }
    msg = by_subject["Dringend: reageren op X-bericht van @vraagsteller Bcc: everyone@example.org"]
    assert msg["Bcc"] is None
    html = msg.get_body(preferencelist=("html",)).get_content()
    text = msg.get_body(preferencelist=("plain",)).get_content()
    assert "&lt;b&gt;Graag antwoord&lt;/b&gt;" in html and "<b>Graag" not in html
    assert "Urgentie: hoog (8 reacties" in text and "Reageren vanaf: @gemeenteheemstede (X)" in text
    assert "Regel 8: een reactie op X mag 280 tekens hebben" in text
    assert "de mening wordt bepaald na de eerste vijf reacties" in text
    with engine.connect() as conn:
        keys = set(conn.execute(sa.select(deliveries.c.key).where(deliveries.c.kind == "urgent_alert")).scalars())
    assert keys == {str(hot), str(rumour)}


def test_a_failed_send_records_nothing_and_is_retried(sqlite_engine, profile, settings, smtp_server, monkeypatch):
    add_mention(sqlite_engine, labels=["policy_question"], created_at=POSTED, replies=8)
    triage_pending(sqlite_engine, profile, NOW)
    good = os.environ["AIRFLOW_CONN_SMTP_DEFAULT"]
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", json.dumps({**json.loads(good), "port": free_port()}))

    with pytest.raises(DeliveryError, match="kon niet worden verzonden via smtp_default"):
        send_urgent_alerts(sqlite_engine, profile, settings, NOW)
    with sqlite_engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(deliveries)).scalar_one() == 0
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", good)
    assert send_urgent_alerts(sqlite_engine, profile, settings, NOW) == 1
    assert len(smtp_server.envelopes) == 1


def test_deliver_carries_attachments_and_inline_images(sqlite_engine, settings, smtp_server):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
    path = deliver(
        sqlite_engine, settings, kind="test", key="a/b 1", subject="Proef", text="tekst",
        html='<p>html</p><img src="cid:logo.png">', recipients=["a@example.org"],
        inline_images={"logo.png": png}, attachments={"tabel.csv": b"a;b\n1;2\n"},
    )
    assert path.name == "a_b_1.eml"
    msg = smtp_server.messages[0]
    assert msg.get_content_type() == "multipart/mixed"
    inline = [p for p in msg.walk() if p["Content-ID"]]
    assert [(p["Content-ID"], p.get_content_disposition()) for p in inline] == [("<logo.png>", "inline")]
    attached = [p for p in msg.iter_attachments() if p.get_filename() == "tabel.csv"]
    assert attached[0].get_content() == "a;b\n1;2\n"
    assert msg.get_body(preferencelist=("plain",)).get_content().strip() == "tekst"


def test_build_message_rejects_header_injection():
    with pytest.raises(ValueError):
        build_message(subject="Hoi\nBcc: x@example.org", html="<p></p>", text="", sender="a@b.nl",
                      recipients=["c@d.nl"])
