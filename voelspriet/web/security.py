"""Who is asking and may they: login required everywhere, roles, CSRF, security headers."""

from __future__ import annotations

import functools
import secrets
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from store import web_queries as q

ROLE_RANK = {"analyst": 1, "webcare": 2, "admin": 3}
PUBLIC_PREFIXES = ("/static/",)
PUBLIC_PATHS = ("/login",)
CSRF_FIELD = "csrf_token"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


class SecurityHeadersMiddleware:
    """Add the security headers to every response (a response may bring its own CSP)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
                if not static and "cache-control" not in headers:
                    headers["cache-control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


class LoginRequiredMiddleware:
    """Put the signed-in user in ``scope['user']``; send anyone else to the login page.

    Runs inside SessionMiddleware. A user is found by the session's user id, or, when
    the trusted-proxy header is configured, by that header from a trusted proxy. Only
    active users count, checked on every request, so deactivation is immediate.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if path.startswith(PUBLIC_PREFIXES):  # static files: no user lookup needed
            scope["user"] = None
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        scope["user"] = await run_in_threadpool(_find_user, conn)
        if scope["user"] is None and path not in PUBLIC_PATHS:
            target = path + (f"?{scope['query_string'].decode('latin-1')}" if scope["query_string"] else "")
            response = RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _find_user(conn: HTTPConnection) -> dict | None:
    app_state = conn.app.state
    config = app_state.config
    with app_state.engine.connect() as db:
        if config.trusted_header and conn.client and conn.client.host in config.trusted_proxies:
            name = conn.headers.get(config.trusted_header)
            if name:
                user = q.get_user(db, username=name.strip())
                return user if user and user["active"] else None
        user_id = conn.session.get("uid")
        if not isinstance(user_id, int):
            return None
        user = q.get_user(db, user_id=user_id)
    if not user or not user["active"] or conn.session.get("pw") != _password_marker(user):
        return None
    return user


def _password_marker(user: dict) -> str:
    """A short piece of the password hash: changing a password ends existing sessions."""
    return (user.get("password_hash") or "")[-12:]


def start_session(request: Request, user: dict) -> None:
    """Sign ``user`` in: a fresh session (new CSRF token) bound to the current password."""
    request.session.clear()
    request.session["uid"] = user["id"]
    request.session["pw"] = _password_marker(user)
    request.session[CSRF_FIELD] = secrets.token_urlsafe(32)


def csrf_token(request: Request) -> str:
    """This session's CSRF token, created on first use."""
    token = request.session.get(CSRF_FIELD)
    if not token:
        token = request.session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return token


def csrf_protected(endpoint):
    """Wrap a POST endpoint: the form must carry this session's CSRF token, else 403."""

    @functools.wraps(endpoint)
    async def checked(request: Request):
        form = await request.form()
        sent = form.get(CSRF_FIELD)
        expected = request.session.get(CSRF_FIELD)
        if not (isinstance(sent, str) and expected and secrets.compare_digest(sent, expected)):
            raise HTTPException(403, "Het formulier is verlopen of komt niet van deze site. "
                                     "Laad de pagina opnieuw en probeer het nog eens.")
        return await endpoint(request)

    return checked


def require_role(request: Request, role: str) -> dict:
    """The signed-in user if their role is at least ``role``, else 403."""
    user = request.scope.get("user")
    if not user:
        raise HTTPException(401, "Log eerst in.")
    if ROLE_RANK.get(user["role"], 0) < ROLE_RANK[role]:
        raise HTTPException(403, "Uw rol mag dit niet. Vraag een beheerder om meer rechten.")
    return user


def has_role(user: dict | None, role: str) -> bool:
    return bool(user) and ROLE_RANK.get(user["role"], 0) >= ROLE_RANK[role]


def safe_next(target: str | None) -> str:
    """Only a local path may follow the login (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"
