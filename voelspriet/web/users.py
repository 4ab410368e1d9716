"""Managing the people who use the web app (CLI and admin page share these)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from store import web_queries as q
from store.db import transaction
from voelspriet.errors import VoelsprietError
from voelspriet.web.passwords import hash_password, password_problem

ROLES = ("analyst", "webcare", "admin")
ROLE_NAMES = {"analyst": "analist", "webcare": "webcare", "admin": "beheerder"}
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,99}$")


class UserError(VoelsprietError):
    """A user could not be added or changed; the message says why, in Dutch."""


def check_role(role: str) -> str:
    if role not in ROLES:
        raise UserError(f"onbekende rol '{role}'. Kies uit: {', '.join(ROLES)}.")
    return role


def add_user(engine: Engine, username: str, role: str, password: str | None,
             display_name: str | None = None) -> int:
    """Create an active user; ``password`` None means SSO only (no password login)."""
    if not USERNAME.match(username):
        raise UserError(f"gebruikersnaam '{username}' is ongeldig. Gebruik letters, cijfers en . _ @ -.")
    check_role(role)
    if password is not None and (problem := password_problem(password)):
        raise UserError(problem)
    with transaction(engine) as conn:
        if q.get_user(conn, username=username):
            raise UserError(f"gebruiker '{username}' bestaat al.")
        return q.add_user(conn, username, role, hash_password(password) if password else None,
                          datetime.now(UTC), display_name)


def change_user(engine: Engine, username: str, *, role: str | None = None,
                active: bool | None = None, password: str | None = None,
                display_name: str | None = None) -> None:
    """Change a user's role, active flag, password or display name."""
    values: dict = {}
    if role is not None:
        values["role"] = check_role(role)
    if active is not None:
        values["active"] = active
    if display_name is not None:
        values["display_name"] = display_name or None
    if password is not None:
        if problem := password_problem(password):
            raise UserError(problem)
        values["password_hash"] = hash_password(password)
    if not values:
        return
    with transaction(engine) as conn:
        if not q.update_user(conn, username, **values):
            raise UserError(f"gebruiker '{username}' bestaat niet.")


def list_users(engine: Engine) -> list[dict]:
    with transaction(engine) as conn:
        return q.list_users(conn)
