"""The web app in headless Chromium (Playwright, Debian's chromium, no browser download).

One browser and one server per module; screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import csv

import pytest
from openpyxl import load_workbook

from store import web_queries as q
from store.db import create_engine
from store.migrate import upgrade
from tests.browser_fixtures import ARTIFACTS
from tests.web_support import NOW, LiveServer, seed
from voelspriet.settings import load_settings
from voelspriet.web import create_app
from voelspriet.web.config import WebConfig
from voelspriet.web.passwords import hash_password

pytestmark = pytest.mark.browser

PASSWORD = "een-lang-wachtwoord"


@pytest.fixture(scope="module")
def site(tmp_path_factory, profile):
    tmp = tmp_path_factory.mktemp("web")
    url = f"sqlite:///{tmp / 'voelspriet.db'}"
    upgrade(url)
    engine = create_engine(url)
    ids = seed(engine)
    hashed = hash_password(PASSWORD)
    with engine.begin() as conn:
        q.add_user(conn, "ana", "analyst", hashed, NOW, "Ana Analist")
        q.add_user(conn, "wendy", "webcare", hashed, NOW, "Wendy Webcare")
    config = WebConfig(secret="b" * 40, reports_dir=tmp / "reports", model_card=tmp / "MODEL_CARD.md")
    with LiveServer(create_app(engine, load_settings(), profile, config)) as server:
        yield server, ids, engine
    engine.dispose()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"web-{name}.png"), full_page=True)


def signed_in(browser, site, username: str):
    """A fresh browser context signed in as ``username`` through the login form."""
    server, *_ = site
    context = browser.new_context(accept_downloads=True, locale="nl-NL")
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs
    page.goto(f"{server.url}/inbox")
    assert "/login" in page.url
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Inloggen')")
    page.wait_for_url(f"{server.url}/inbox")
    return context, page


def test_anonymous_visitor_is_sent_to_the_login_page(browser, site):
    server, ids, _ = site
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server.url}/vermeldingen/{ids['question']}")
    assert "/login?next=" in page.url
    assert page.locator("h1").inner_text() == "Inloggen"
    assert "parkeervergunning" not in page.content()
    page.fill("#username", "ana")
    page.fill("#password", "fout-wachtwoord")
    page.click("button:has-text('Inloggen')")
    assert page.locator(".error").inner_text() == "Onbekende gebruikersnaam of onjuist wachtwoord."
    shot(page, "login-failed")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Inloggen')")
    page.wait_for_url(f"{server.url}/vermeldingen/{ids['question']}")
    assert "parkeervergunning" in page.locator("#tekst").inner_text()
    context.close()


def test_analyst_filters_searches_and_exports(browser, site, tmp_path):
    server, ids, _ = site
    context, page = signed_in(browser, site, "ana")
    page.goto(f"{server.url}/vermeldingen")
    assert page.locator("table.mentions tbody tr").count() == 6
    page.select_option("select[name=label]", "policy_question")
    page.click("button:has-text('Toon')")
    page.wait_for_url("**label=policy_question**")
    assert page.locator("table.mentions tbody tr").count() == 2
    assert page.locator("#aantal").inner_text().startswith("2 vermeldingen met deze filters")
    page.fill("input[name=q]", "parkeervergunning")
    page.click("button:has-text('Toon')")
    page.wait_for_url("**q=parkeervergunning**")
    rows = page.locator("table.mentions tbody tr")
    assert rows.count() == 1 and "Binnenweg" in rows.first.inner_text()
    shot(page, "table-filtered")

    with page.expect_download() as csv_download:
        page.click("a:has-text('CSV')")
    path = tmp_path / csv_download.value.suggested_filename
    csv_download.value.save_as(path)
    assert path.suffix == ".csv"
    lines = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    assert lines[0][:3] == ["id", "datum", "platform"]
    assert [int(r[0]) for r in lines[1:]] == [ids["question"]]
    assert lines[1][lines[0].index("labels")] == "Beleidsvraag"

    page.goto(f"{server.url}/vermeldingen?platform=reddit")
    with page.expect_download() as xlsx_download:
        page.click("a:has-text('Excel')")
    path = tmp_path / xlsx_download.value.suggested_filename
    xlsx_download.value.save_as(path)
    sheet = load_workbook(path).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "id" and [r[0] for r in values[1:]] == [ids["urgent"]]
    assert "OZB" in values[1][values[0].index("tekst")]
    context.close()


def test_xss_payloads_render_as_text(browser, site):
    server, ids, _ = site
    context, page = signed_in(browser, site, "wendy")
    for path in (f"/vermeldingen/{ids['xss']}", "/inbox", "/vermeldingen?q=afval"):
        page.goto(f"{server.url}{path}")
        page.wait_for_load_state("load")
        assert page.locator("img[src=x]").count() == 0, path
        assert page.locator("main script").count() == 0, path
        assert '<script>alert("xss")</script>' in page.locator("main").inner_text(), path
    assert page.dialogs == []
    page.goto(f"{server.url}/vermeldingen/{ids['xss']}")
    # The javascript: URL is shown as text, never as a link.
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.locator(".unsafe-url").first.inner_text() == "javascript:alert(document.cookie)"
    shot(page, "xss-inert")
    context.close()


def test_webcare_assigns_and_records_an_outcome(browser, site, tmp_path):
    server, ids, _ = site
    context, page = signed_in(browser, site, "wendy")
    card = page.locator(f"#vermelding-{ids['question']}")
    card.locator("select[name=assignee]").select_option("wendy")
    card.locator("button:has-text('Toewijzen')").click()
    page.wait_for_url(f"{server.url}/inbox")
    assert page.locator(".flash").inner_text() == "Toegewezen aan Wendy Webcare."
    shot(page, "inbox")
    page.locator(f"#vermelding-{ids['question']} a:has-text('Openen en vastleggen')").click()
    page.wait_for_url(f"**/vermeldingen/{ids['question']}")
    # Progressive enhancement: only the fields of the chosen outcome are shown.
    assert not page.locator("fieldset[data-outcome=responded]").is_visible()
    page.check("input[name=outcome][value=responded]")
    assert page.locator("fieldset[data-outcome=responded]").is_visible()
    page.fill("input[name=response_url]", "https://x.com/gemeenteheemstede/status/123")
    page.fill("textarea[name=response_text]", "U vraagt de vergunning aan via MijnHeemstede.")
    assert page.input_value("input[name=account]") == "@gemeenteheemstede"
    page.click("button:has-text('Vastleggen')")
    page.wait_for_url(f"**/vermeldingen/{ids['question']}#uitkomst-*")
    assert page.locator("#status").inner_text() == "Gereageerd"
    assert "Vastgelegd (regel 7)" in page.locator(".flash").inner_text()
    shot(page, "outcome-recorded")
    with page.expect_download() as snapshot:
        page.click("a:has-text('Momentopname (HTML)')")
    path = tmp_path / "snapshot.html"
    snapshot.value.save_as(path)
    html = path.read_text(encoding="utf-8")
    assert "U vraagt de vergunning aan via MijnHeemstede." in html and "wendy" in html
    page.goto(f"{server.url}/inbox")
    assert page.locator(f"#vermelding-{ids['question']}").count() == 0
    context.close()


def test_analyst_corrects_a_label_but_cannot_record_outcomes(browser, site):
    server, ids, _ = site
    context, page = signed_in(browser, site, "ana")
    page.goto(f"{server.url}/vermeldingen/{ids['criticism']}")
    assert page.locator("form.outcome-form").count() == 0
    page.click("summary:has-text('Labels corrigeren')")
    page.uncheck("input[name=labels][value=criticism]")
    page.check("input[name=labels][value=praise]")
    page.fill("input[name=note]", "ironisch bedoeld compliment")
    page.click("button:has-text('Correctie opslaan')")
    page.wait_for_url(f"**/vermeldingen/{ids['criticism']}#labels")
    labels = page.locator("#labels").inner_text()
    assert "Compliment" in labels and "gecorrigeerd" in labels
    assert "Gecorrigeerd door ana" in labels and "ironisch bedoeld compliment" in labels
    shot(page, "label-corrected")
    # Recording an outcome by hand-crafted POST (with a valid CSRF token) is refused.
    csrf = page.locator("input[name=csrf_token]").first.get_attribute("value")
    response = page.request.post(f"{server.url}/vermeldingen/{ids['criticism']}/uitkomst",
                                 form={"csrf_token": csrf, "outcome": "not_responding", "reason": "x"},
                                 max_redirects=0)
    assert response.status == 403
    context.close()

