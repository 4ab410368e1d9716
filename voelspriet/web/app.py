"""Building the ASGI app: routes, middleware (outermost first: headers, session, login)."""

from __future__ import annotations

from http import HTTPStatus
from pathlib import Path

from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from voelspriet.profile import Profile
from voelspriet.settings import Settings
from voelspriet.web import views_admin, views_auth, views_docs, views_inbox, views_mentions
from voelspriet.web.config import WebConfig, load_web_config
from voelspriet.web.pages import redirect, render
from voelspriet.web.rendering import make_templates
from voelspriet.web.security import (
    LoginRequiredMiddleware,
    SecurityHeadersMiddleware,
    csrf_protected,
)

STATIC = Path(__file__).parent / "static"
ERROR_TITLES = {400: "Dat ging niet goed", 401: "Log eerst in", 403: "Geen toegang",
                404: "Niet gevonden", 405: "Niet toegestaan"}
# Starlette's own errors (unknown path, wrong method) carry the English status phrase.
DEFAULT_MESSAGES = {404: "Deze pagina bestaat niet.", 405: "Deze pagina kan zo niet worden gebruikt.",
                    400: "Het verzoek klopt niet. Laad de pagina opnieuw en probeer het nog eens."}


def _get(path: str, endpoint) -> Route:
    return Route(path, endpoint, methods=["GET"])


def _post(path: str, endpoint) -> Route:
    """Every POST route checks the CSRF token before its endpoint runs."""
    return Route(path, csrf_protected(endpoint), methods=["POST"])


def routes() -> list:
    return [
        _get("/", lambda request: redirect("/inbox")),
        _get("/login", views_auth.login_page),
        _post("/login", views_auth.login),
        _post("/uitloggen", views_auth.logout),
        _get("/inbox", views_inbox.inbox),
        _get("/vermeldingen", views_mentions.mention_table),
        _get("/vermeldingen/export.csv", views_mentions.export_csv),
        _get("/vermeldingen/export.xlsx", views_mentions.export_xlsx),
        _get("/vermeldingen/{mention_id:int}", views_mentions.mention_page),
        _post("/vermeldingen/{mention_id:int}/labels", views_mentions.correct_labels),
        _post("/vermeldingen/{mention_id:int}/toewijzen", views_inbox.assign),
        _post("/vermeldingen/{mention_id:int}/uitkomst", views_inbox.record_outcome),
        _get("/uitkomsten/{outcome_id:int}.html", views_inbox.snapshot_html),
        _get("/uitkomsten/{outcome_id:int}.pdf", views_inbox.snapshot_pdf),
        _get("/modelkaart", views_docs.model_card),
        _get("/rapporten", views_docs.reports),
        _get("/rapporten/bestand/{path:path}", views_docs.report_file),
        _get("/gebruikers", views_admin.users_page),
        _post("/gebruikers", views_admin.add_user),
        _post("/gebruikers/{username}", views_admin.change_user),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]


async def _error_page(request: Request, exc: HTTPException):
    status = exc.status_code
    message = exc.detail
    if message == HTTPStatus(status).phrase:
        message = DEFAULT_MESSAGES.get(status, "Probeer het later nog eens.")
    return render(request, "error.html", {
        "title": ERROR_TITLES.get(status, "Er ging iets mis"), "message": message,
    }, status=status, headers=exc.headers)


def create_app(engine: Engine, settings: Settings, profile: Profile,
               config: WebConfig | None = None) -> Starlette:
    """The web app over ``engine``; ``config`` defaults to the environment's."""
    config = config or load_web_config(settings)
    app = Starlette(
        routes=routes(),
        middleware=[
            Middleware(SecurityHeadersMiddleware),
            Middleware(SessionMiddleware, secret_key=config.secret, session_cookie="voelspriet",
                       max_age=config.session_max_age, same_site="lax",
                       https_only=config.secure_cookie),
            Middleware(LoginRequiredMiddleware),
        ],
        exception_handlers={HTTPException: _error_page},
    )
    app.state.engine = engine
    app.state.settings = settings
    app.state.profile = profile
    app.state.config = config
    app.state.templates = make_templates(profile.timezone)
    return app
