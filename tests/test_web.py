"""The web app over HTTP on a live uvicorn server: access, roles, CSRF, headers, exports.

Runs on SQLite and PostgreSQL (the ``engine`` fixture). The browser tests are in
tests/test_web_browser.py.
"""

from __future__ import annotations

import csv
import io
import os
import re
import stat

import httpx
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from store import web_queries as q
from store.tables import label_corrections, outcomes, triage_decisions
from tests.web_support import NOW, LiveServer, add_decision, add_mention, seed
from voelspriet.errors import ConfigError
from voelspriet.settings import ROOT, load_settings
from voelspriet.web import create_app
from voelspriet.web.app import routes
from voelspriet.web.config import WebConfig, load_secret
from voelspriet.web.passwords import hash_password
from voelspriet.web.users import UserError, add_user, change_user

PASSWORD = "een-lang-wachtwoord"


@pytest.fixture(scope="module")
def password_hash() -> str:
    return hash_password(PASSWORD)


def serve(engine, profile, tmp_path, password_hash):
    """A seeded store with one user per role, served on loopback."""
    ids = seed(engine)
    with engine.begin() as conn:
        for name, role in (("ana", "analyst"), ("wendy", "webcare"), ("beheer", "admin")):
            q.add_user(conn, name, role, password_hash, NOW, name.title())
    config = WebConfig(secret="s" * 40, reports_dir=tmp_path / "reports",
                       model_card=tmp_path / "MODEL_CARD.md")
    app = create_app(engine, load_settings(), profile, config)
    with LiveServer(app) as server:
        yield server, ids, engine, config


@pytest.fixture
def site(sqlite_engine, profile, tmp_path, password_hash):
    """The app on SQLite, for what does not depend on the database."""
    yield from serve(sqlite_engine, profile, tmp_path, password_hash)


@pytest.fixture
def both(engine, profile, tmp_path, password_hash):
    """The app on SQLite and on PostgreSQL."""
    yield from serve(engine, profile, tmp_path, password_hash)


def token(response: httpx.Response) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', response.text).group(1)


def login(server, username: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=60)  # the first PDF loads WeasyPrint
    page = client.get("/login")
    response = client.post("/login", data={"username": username, "password": PASSWORD,
                                           "csrf_token": token(page), "next": "/inbox"})
    assert response.status_code == 303, response.text
    return client


def get_routes() -> list[str]:
    found = []
    for route in routes():
        path = getattr(route, "path", "")
        if "GET" in (getattr(route, "methods", None) or ()) and path != "/login":
            found.append(path.replace("{mention_id:int}", "1").replace("{outcome_id:int}", "1")
                         .replace("{path:path}", "x.html"))
    return found


def test_anonymous_gets_only_the_login_page(site):
    server, ids, _, _ = site
    with httpx.Client(base_url=server.url) as anon:
        for path in get_routes() + ["/static/../vermeldingen", "/bestaat-niet"]:
            response = anon.get(path)
            assert response.status_code == 303, path
            assert response.headers["location"].startswith("/login?next="), path
        response = anon.post(f"/vermeldingen/{ids['question']}/uitkomst", data={"outcome": "responded"})
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
        page = anon.get("/login")
        assert page.status_code == 200 and "Inloggen" in page.text
        assert "parkeervergunning" not in page.text
        assert anon.get("/static/app.css").status_code == 200


def test_session_cookie_and_security_headers(site):
    server, *_ = site
    with httpx.Client(base_url=server.url) as client:
        response = client.get("/login")
        cookie = response.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie
        headers = response.headers
        assert "script-src 'self'" in headers["content-security-policy"]
        assert "unsafe-inline" not in headers["content-security-policy"]
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert headers["cache-control"] == "no-store"
        assert "<script>" not in response.text  # no inline script anywhere
        # Wrong password: one message for both unknown names and wrong passwords.
        bad = client.post("/login", data={"username": "wendy", "password": "fout",
                                          "csrf_token": token(response)})
        assert bad.status_code == 400 and "onjuist wachtwoord" in bad.text
        unknown = client.post("/login", data={"username": "niemand", "password": "fout",
                                              "csrf_token": token(response)})
        assert unknown.text.count("Onbekende gebruikersnaam") == 1


def test_login_redirects_only_to_local_paths(site):
    server, *_ = site
    with httpx.Client(base_url=server.url) as client:
        page = client.get("/login")
        response = client.post("/login", data={"username": "ana", "password": PASSWORD,
                                               "csrf_token": token(page),
                                               "next": "//evil.example/steal"})
        assert response.headers["location"] == "/"


def test_every_post_needs_the_csrf_token(site):
    server, ids, engine, _ = site
    client = login(server, "beheer")
    posts = [r.path for r in routes() if "POST" in (getattr(r, "methods", None) or ())]
    assert len(posts) >= 7
    for path in posts:
        path = path.replace("{mention_id:int}", str(ids["question"])).replace("{username}", "ana")
        for data in ({}, {"csrf_token": "vervalst"}):
            response = client.post(path, data={**data, "outcome": "not_responding", "reason": "x",
                                               "labels": "praise", "assignee": "ana"})
            assert response.status_code == 403, path
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(outcomes)).scalar_one() == 0
        assert conn.execute(sa.select(sa.func.count()).select_from(label_corrections)).scalar_one() == 0


def test_analyst_cannot_record_outcomes_assign_or_manage_users(both):
    server, ids, engine, _ = both
    client = login(server, "ana")
    page = client.get(f"/vermeldingen/{ids['question']}")
    assert page.status_code == 200 and "Alleen webcare legt uitkomsten vast" in page.text
    csrf = token(page)
    response = client.post(f"/vermeldingen/{ids['question']}/uitkomst",
                           data={"csrf_token": csrf, "outcome": "not_responding", "reason": "nee"})
    assert response.status_code == 403 and "Geen toegang" in response.text
    assert client.post(f"/vermeldingen/{ids['question']}/toewijzen",
                       data={"csrf_token": csrf, "assignee": "ana"}).status_code == 403
    assert client.get("/gebruikers").status_code == 403
    # Analysts may correct labels.
    response = client.post(f"/vermeldingen/{ids['question']}/labels",
                           data={"csrf_token": csrf, "labels": ["praise"], "note": "compliment"})
    assert response.status_code == 303
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(outcomes)).scalar_one() == 0
        row = conn.execute(sa.select(label_corrections)).mappings().one()
    assert (row["labels"], row["corrected_by"]) == (["praise"], "ana")


def test_webcare_assigns_and_records_each_kind_of_outcome(both):
    server, ids, engine, _ = both
    client = login(server, "wendy")
    csrf = token(client.get("/inbox"))
    assert client.post(f"/vermeldingen/{ids['question']}/toewijzen",
                       data={"csrf_token": csrf, "assignee": "wendy", "back": "/inbox"}
                       ).headers["location"] == "/inbox"
    assert client.post(f"/vermeldingen/{ids['question']}/toewijzen",
                       data={"csrf_token": csrf, "assignee": "onbekend"}).status_code == 400
    bad = client.post(f"/vermeldingen/{ids['urgent']}/uitkomst",
                      data={"csrf_token": csrf, "outcome": "responded",
                            "response_url": "javascript:alert(1)", "response_text": ""})
    assert bad.status_code == 400
    assert "beginnend met https://" in bad.text and "Neem de tekst" in bad.text
    forms = {
        ids["urgent"]: {"outcome": "responded", "response_url": "https://x.com/gemeenteheemstede/status/9",
                        "response_text": "De OZB stijgt met 3%, niet 40%.", "account": "@gemeenteheemstede"},
        ids["xss"]: {"outcome": "not_responding", "reason": "Geen vraag aan de gemeente."},
        ids["criticism"]: {"outcome": "passed_on", "department": "Openbare Ruimte"},
    }
    for mention_id, form in forms.items():
        response = client.post(f"/vermeldingen/{mention_id}/uitkomst", data={"csrf_token": csrf, **form})
        assert response.status_code == 303, response.text
    with engine.connect() as conn:
        status = dict(conn.execute(sa.select(triage_decisions.c.mention_id, triage_decisions.c.status)).all())
        recorded = conn.execute(sa.select(outcomes).order_by(outcomes.c.id)).mappings().all()
    assert status[ids["question"]] == "assigned"
    assert [status[i] for i in forms] == ["responded", "not_responding", "passed_on"]
    assert recorded[0]["recorded_by"] == "wendy" and recorded[0]["responded_at"] is not None
    assert recorded[2]["department"] == "Openbare Ruimte"
    inbox = client.get("/inbox").text
    assert "OZB met 40%" not in inbox and "parkeervergunning" in inbox
    # The DMS snapshot: stand-alone HTML (no scripts, escaped) and a PDF.
    snapshot = client.get(f"/uitkomsten/{recorded[1]['id']}.html")
    assert snapshot.headers["content-disposition"].startswith("attachment")
    assert "sandbox" in snapshot.headers["content-security-policy"]
    assert "<script>" not in snapshot.text and "&lt;script&gt;" in snapshot.text
    assert "Geen vraag aan de gemeente." in snapshot.text
    pdf = client.get(f"/uitkomsten/{recorded[0]['id']}.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_exports_neutralise_formulas(both):
    server, ids, engine, _ = both
    with engine.begin() as conn:
        evil = add_mention(conn, 50, text="=HYPERLINK(\"https://evil.example\",\"klik\")",
                           title="+SUM(A1:A9)", platform="bluesky")
        add_decision(conn, evil, "signal", topic="bestuur", departments=["@Bestuur"])
    client = login(server, "ana")
    response = client.get("/vermeldingen/export.csv", params={"platform": "bluesky"})
    assert response.headers["content-disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header, row = rows[0], rows[1]
    assert len(rows) == 2
    assert row[header.index("tekst")] == "'=HYPERLINK(\"https://evil.example\",\"klik\")"
    assert row[header.index("titel")] == "'+SUM(A1:A9)"
    assert row[header.index("afdelingen")] == "'@Bestuur"
    book = load_workbook(io.BytesIO(client.get("/vermeldingen/export.xlsx",
                                               params={"platform": "bluesky"}).content))
    cells = [c.value for c in list(book.active.iter_rows())[1]]
    assert "'=HYPERLINK(\"https://evil.example\",\"klik\")" in cells
    assert all(not (isinstance(c, str) and c.startswith("=")) for c in cells)
    # The export follows the filters of the view, across pages.
    full = client.get("/vermeldingen/export.csv", params={"label": "policy_question"})
    lines = list(csv.reader(io.StringIO(full.content.decode("utf-8-sig")), delimiter=";"))
    assert sorted(int(r[0]) for r in lines[1:]) == sorted([ids["question"], ids["xss"]])


def test_text_from_the_internet_is_escaped_and_bad_links_are_not_links(both):
    server, ids, *_ = both
    client = login(server, "wendy")
    for path in (f"/vermeldingen/{ids['xss']}", "/inbox", "/vermeldingen"):
        html = client.get(path).text
        assert "<script>alert" not in html and "<img src=x" not in html, path
        assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in html, path
        assert 'href="javascript:' not in html, path


def test_admin_manages_users_and_password_change_ends_sessions(site):
    server, _, engine, _ = site
    admin = login(server, "beheer")
    csrf = token(admin.get("/gebruikers"))
    response = admin.post("/gebruikers", data={"csrf_token": csrf, "username": "nieuw",
                                              "role": "webcare", "password": "kort"})
    assert response.status_code == 400 and "minstens 10 tekens" in response.text
    assert admin.post("/gebruikers", data={"csrf_token": csrf, "username": "nieuw", "role": "webcare",
                                          "password": PASSWORD}).status_code == 303
    assert admin.post("/gebruikers/beheer", data={"csrf_token": csrf, "role": "analyst",
                                                  "active": "1"}).status_code == 400
    newcomer = login(server, "nieuw")
    assert newcomer.get("/inbox").status_code == 200
    change_user(engine, "nieuw", password="een-ander-wachtwoord")
    assert newcomer.get("/inbox").status_code == 303  # the old session ended
    analyst = login(server, "ana")
    assert admin.post("/gebruikers/ana", data={"csrf_token": csrf, "role": "analyst"}).status_code == 303
    assert analyst.get("/inbox").status_code == 303  # deactivated (no 'active' box): out at once
    with pytest.raises(UserError, match="bestaat al"):
        add_user(engine, "ana", "analyst", PASSWORD)
    with pytest.raises(UserError, match="onbekende rol"):
        add_user(engine, "x1", "root", PASSWORD)


def test_trusted_proxy_header_is_off_by_default_and_on_when_configured(site, profile):
    server, _, engine, _ = site
    with httpx.Client(base_url=server.url) as client:
        assert client.get("/inbox", headers={"X-Remote-User": "wendy"}).status_code == 303
    for proxies, expected in ((frozenset({"127.0.0.1"}), 200), (frozenset({"10.0.0.1"}), 303)):
        sso = WebConfig(secret="s" * 40, trusted_header="X-Remote-User", trusted_proxies=proxies)
        with (LiveServer(create_app(engine, load_settings(), profile, sso)) as other,
              httpx.Client(base_url=other.url) as client):
            response = client.get("/inbox", headers={"X-Remote-User": "wendy"})
            assert response.status_code == expected
            assert client.get("/inbox", headers={"X-Remote-User": "niemand"}).status_code == 303


def test_model_card_and_reports(site):
    server, _, _, config = site
    client = login(server, "ana")
    assert "nog niet beschikbaar" in client.get("/modelkaart").text
    config.model_card.write_text("# Modelkaart\n\n| macro-F1 | 0.81 |\n|---|---|\n\n<script>x()</script>\n",
                                 encoding="utf-8")
    card = client.get("/modelkaart").text
    assert "<h1>Modelkaart</h1>" in card and "<table>" in card and "<script>x()" not in card
    assert "Nog geen rapporten" in client.get("/rapporten").text
    (config.reports_dir / "daily").mkdir(parents=True)
    (config.reports_dir / "daily" / "2026-11-20.html").write_text("<h1>Dagoverzicht</h1>", encoding="utf-8")
    (config.reports_dir.parent / "geheim.html").write_text("geheim", encoding="utf-8")
    listing = client.get("/rapporten").text
    assert "daily/2026-11-20.html" in listing
    report = client.get("/rapporten/bestand/daily/2026-11-20.html")
    assert report.status_code == 200 and "Dagoverzicht" in report.text
    assert "sandbox" in report.headers["content-security-policy"]
    for sneaky in ("/rapporten/bestand/../geheim.html", "/rapporten/bestand/%2e%2e/geheim.html",
                   "/rapporten/bestand/..%2fgeheim.html"):
        assert client.get(sneaky).status_code == 404, sneaky


def test_secret_comes_from_env_or_is_generated_once(tmp_path, monkeypatch):
    monkeypatch.delenv("VOELSPRIET_WEB_SECRET", raising=False)
    first = load_secret(tmp_path / "var")
    assert len(first) >= 40 and load_secret(tmp_path / "var") == first
    assert stat.S_IMODE(os.stat(tmp_path / "var" / "web-secret").st_mode) == 0o600
    monkeypatch.setenv("VOELSPRIET_WEB_SECRET", "k" * 40)
    assert load_secret(tmp_path / "var") == "k" * 40
    monkeypatch.setenv("VOELSPRIET_WEB_SECRET", "kort")
    with pytest.raises(ConfigError, match="te kort"):
        load_secret(tmp_path / "var")
    assert not (ROOT / "web-secret").exists()



def test_error_pages_for_unknown_paths_and_methods_are_dutch(site):
    server, *_ = site
    client = login(server, "ana")
    for method, path, status, message in (
        ("GET", "/bestaat-niet", 404, "Deze pagina bestaat niet."),
        ("GET", "/vermeldingen/abc", 404, "Deze pagina bestaat niet."),
        ("PUT", "/inbox", 405, "Deze pagina kan zo niet worden gebruikt."),
    ):
        response = client.request(method, path)
        assert response.status_code == status, path
        assert message in response.text, path
        assert "Not Found" not in response.text and "Method Not Allowed" not in response.text
