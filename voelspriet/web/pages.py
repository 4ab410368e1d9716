"""Small helpers every view uses: render a template, say something once, run a DB call."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse

from store import web_queries as q
from store.db import transaction

LANGUAGE_CACHE_S = 300


def render(request: Request, name: str, context: dict | None = None, status: int = 200,
           headers: dict | None = None):
    return request.app.state.templates.TemplateResponse(
        request, name, context or {}, status_code=status, headers=headers
    )


def flash(request: Request, message: str) -> None:
    """A message shown once, on the next page."""
    request.session["flash"] = message


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def now() -> datetime:
    return datetime.now(UTC)


def read(request: Request, fn, *args, **kwargs):
    """Run ``fn(conn, ...)`` in a read connection (call from a sync endpoint)."""
    with request.app.state.engine.connect() as conn:
        return fn(conn, *args, **kwargs)


async def write(request: Request, fn, *args, **kwargs):
    """Run ``fn(conn, ...)`` in one transaction, off the event loop."""

    def run():
        with transaction(request.app.state.engine) as conn:
            return fn(conn, *args, **kwargs)

    return await run_in_threadpool(run)


def path_id(request: Request, name: str = "mention_id") -> int:
    value = request.path_params[name]
    if not isinstance(value, int) or value < 1:
        raise HTTPException(404, "Deze pagina bestaat niet.")
    return value


def languages(request: Request) -> list[str]:
    """Languages in the store, cached a few minutes (a DISTINCT over every mention)."""
    state = request.app.state
    cached = getattr(state, "languages_cache", None)
    if cached and time.monotonic() - cached[0] < LANGUAGE_CACHE_S:
        return cached[1]
    values = read(request, q.languages)
    state.languages_cache = (time.monotonic(), values)
    return values


def display_names(request: Request) -> dict[str, str]:
    """username -> display name of every user (for assignee lists)."""
    return {
        u["username"]: u["display_name"] or u["username"] for u in read(request, q.list_users)
    }
