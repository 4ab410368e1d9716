"""Signing in and out with a username and an argon2-hashed password."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from store import web_queries as q
from store.db import transaction
from voelspriet.web.pages import redirect, render
from voelspriet.web.passwords import hash_password, needs_rehash, verify_password
from voelspriet.web.security import safe_next, start_session

FAILED = "Onbekende gebruikersnaam of onjuist wachtwoord."


def login_page(request: Request):
    """GET /login."""
    if request.scope.get("user"):
        return redirect(safe_next(request.query_params.get("next")))
    return render(request, "login.html", {"next": safe_next(request.query_params.get("next")),
                                          "error": None, "username": ""})


def _check(engine, username: str, password: str) -> dict | None:
    with engine.connect() as conn:
        user = q.get_user(conn, username=username)
    if not verify_password(user["password_hash"] if user else None, password):
        return None
    if not user["active"]:
        return None
    if needs_rehash(user["password_hash"]):
        with transaction(engine) as conn:
            q.update_user(conn, username, password_hash=hash_password(password))
        with engine.connect() as conn:
            user = q.get_user(conn, username=username)
    return user


async def login(request: Request):
    """POST /login: start a session, then go where the person was heading."""
    form = await request.form()
    username = str(form.get("username", "")).strip()[:200]
    password = str(form.get("password", ""))[:1000]
    target = safe_next(str(form.get("next", "")))
    user = await run_in_threadpool(_check, request.app.state.engine, username, password)
    if user is None:
        return render(request, "login.html", {"next": target, "error": FAILED,
                                              "username": username}, status=400)
    start_session(request, user)
    return redirect(target)


async def logout(request: Request):
    """POST /uitloggen."""
    request.session.clear()
    return redirect("/login")
