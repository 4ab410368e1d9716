"""Helpers for the web tests: rows written straight into the store, a live uvicorn server."""

from __future__ import annotations

import socket
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Self

import sqlalchemy as sa
import uvicorn

from store.tables import classifications, mentions, triage_decisions

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
XSS = '<script>alert("xss")</script><img src=x onerror=alert(1)> "quote" & <b>vet</b>'


def add_mention(conn, n: int, *, text: str, platform: str = "x", language: str = "nl",
                created_at: datetime | None = None, title: str | None = None,
                url: str | None = None, replies: int | None = 0) -> int:
    """Insert one mention and return its id."""
    created = created_at or NOW - timedelta(hours=n)
    return conn.execute(
        sa.insert(mentions).values(
            platform=platform, platform_id=f"p{n}", url=url or f"https://example.org/{n}",
            author_handle=f"inwoner{n}", title=title, text=text, language=language,
            created_at=created, collected_at=created, updated_at=created, replies=replies,
            reposts=0, likes=0, raw={},
        ).returning(mentions.c.id)
    ).scalar_one()


def add_classification(conn, mention_id: int, labels: list[str], version: str = "m1",
                       needs_review: bool = False) -> int:
    return conn.execute(
        sa.insert(classifications).values(
            mention_id=mention_id, model_version=version, labels=labels,
            scores={label: 0.9 for label in labels}, needs_review=needs_review,
            classified_at=NOW,
        ).returning(classifications.c.id)
    ).scalar_one()


def add_decision(conn, mention_id: int, action: str, *, urgency: float = 1.0,
                 topic: str | None = "parkeren", departments=("Verkeer en Parkeren",),
                 status: str = "open", deadline: datetime | None = None,
                 reason: str = "Vraag over beleid: regel 6 zegt dat we antwoorden.") -> int:
    level = "hoog" if urgency >= 5 else "normaal" if urgency >= 1 else "laag"
    return conn.execute(
        sa.insert(triage_decisions).values(
            mention_id=mention_id, action=action, reason=reason, urgency=urgency,
            urgency_level=level, reply_account="@gemeenteheemstede",
            departments=list(departments), topic=topic, deadline=deadline, status=status,
            decided_at=NOW, updated_at=NOW,
        ).returning(triage_decisions.c.id)
    ).scalar_one()


def seed(engine) -> dict[str, int]:
    """A small store: questions, criticism, an XSS payload, wildcard characters, languages."""
    ids = {}
    with engine.begin() as conn:
        ids["question"] = add_mention(conn, 1, text="Hoe vraag ik een parkeervergunning aan op de Binnenweg?")
        add_classification(conn, ids["question"], ["criticism"], "m0")
        add_classification(conn, ids["question"], ["policy_question"], "m1")
        add_decision(conn, ids["question"], "respond", urgency=3.0,
                     deadline=NOW + timedelta(hours=4))
        ids["urgent"] = add_mention(conn, 2, text="Klopt het dat de OZB met 40% omhoog gaat?",
                                    platform="reddit", replies=40)
        add_classification(conn, ids["urgent"], ["factual_error"])
        add_decision(conn, ids["urgent"], "consider_response", urgency=8.0, topic="belasting",
                     departments=["Belastingen"], deadline=NOW + timedelta(hours=1))
        ids["criticism"] = add_mention(conn, 3, text="De gft-container is weer niet geleegd, slecht!",
                                       platform="mastodon")
        add_classification(conn, ids["criticism"], ["criticism"])
        add_decision(conn, ids["criticism"], "signal", urgency=0.5, topic="afval",
                     departments=["Openbare Ruimte"], reason="Kritiek: regel 4, doorgeven.")
        ids["xss"] = add_mention(conn, 4, text=f"Vraag over afval {XSS}",
                                 url="javascript:alert(document.cookie)", title=XSS)
        add_classification(conn, ids["xss"], ["policy_question"])
        add_decision(conn, ids["xss"], "respond", urgency=2.0, topic="afval",
                     departments=["Openbare Ruimte"])
        ids["wildcard"] = add_mention(conn, 5, text="Korting van 100% op de_hondenbelasting?",
                                      language="en", platform="news")
        add_classification(conn, ids["wildcard"], ["other"])
        add_decision(conn, ids["wildcard"], "none", urgency=0.0, topic=None, departments=[])
        ids["old"] = add_mention(conn, 6, text="Oude vermelding over de Zandvaart",
                                 created_at=NOW - timedelta(days=40))
    return ids


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """An ASGI app served by uvicorn on a free loopback port, in a thread."""

    def __init__(self, app):
        self.port = free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Self:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
