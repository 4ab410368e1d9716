"""User management for admins: add people, change roles, deactivate, reset passwords."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from voelspriet.web import users
from voelspriet.web.pages import flash, redirect, render
from voelspriet.web.security import require_role


def users_page(request: Request, errors: list[str] | None = None, status: int = 200):
    """GET /gebruikers."""
    require_role(request, "admin")
    return render(request, "users.html", {
        "users": users.list_users(request.app.state.engine), "roles": users.ROLES,
        "errors": errors or [],
    }, status=status)


async def add_user(request: Request):
    """POST /gebruikers: a new user with a password."""
    require_role(request, "admin")
    form = await request.form()
    try:
        await run_in_threadpool(
            users.add_user, request.app.state.engine, str(form.get("username", "")).strip(),
            str(form.get("role", "")), str(form.get("password", "")),
            str(form.get("display_name", "")).strip()[:200] or None,
        )
    except users.UserError as exc:
        return await run_in_threadpool(users_page, request, [str(exc)], 400)
    flash(request, f"Gebruiker {form.get('username')} is aangemaakt.")
    return redirect("/gebruikers")


async def change_user(request: Request):
    """POST /gebruikers/{username}: role, active, new password."""
    admin = require_role(request, "admin")
    username = request.path_params["username"]
    form = await request.form()
    active = form.get("active") == "1"
    if username == admin["username"] and (not active or form.get("role") != "admin"):
        return await run_in_threadpool(
            users_page, request, ["U kunt uw eigen beheerdersrechten niet intrekken."], 400)
    try:
        await run_in_threadpool(
            users.change_user, request.app.state.engine, username, role=str(form.get("role", "")),
            active=active, password=str(form.get("password", "")) or None,
        )
    except users.UserError as exc:
        return await run_in_threadpool(users_page, request, [str(exc)], 400)
    flash(request, f"Gebruiker {username} is bijgewerkt.")
    return redirect("/gebruikers")
