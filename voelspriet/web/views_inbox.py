"""The webcare inbox: what needs a response, assigning it, and the rule-7 record."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from store import web_queries as q
from voelspriet.web import snapshot
from voelspriet.web.forms import parse_outcome
from voelspriet.web.pages import display_names, flash, now, path_id, read, redirect, render, write
from voelspriet.web.security import require_role
from voelspriet.web.views_mentions import detail_context

TABS = {"reageren": "Reactie nodig", "signaleren": "Signaleren", "vastgelegd": "Vastgelegd"}


def inbox(request: Request):
    """GET /inbox?tab=...: open mentions, most urgent first; or the latest rule-7 records."""
    require_role(request, "analyst")
    tab = request.query_params.get("tab", "reageren")
    tab = tab if tab in TABS else "reageren"
    rows = read(request, q.recent_outcomes) if tab == "vastgelegd" else read(request, q.inbox, tab)
    return render(request, "inbox.html", {
        "tab": tab, "tabs": TABS, "rows": rows, "counts": read(request, q.inbox_counts),
        "colleagues": display_names(request), "now": now(),
    })


async def assign(request: Request):
    """POST /vermeldingen/{id}/toewijzen: give the mention to a colleague (webcare and up)."""
    require_role(request, "webcare")
    mention_id = path_id(request)
    form = await request.form()
    assignee = form.get("assignee") or None
    colleagues = await run_in_threadpool(display_names, request)
    if assignee is not None and assignee not in colleagues:
        raise HTTPException(400, "Kies een collega uit de lijst.")
    if not await write(request, q.assign, mention_id, assignee, now()):
        raise HTTPException(404, "Voor deze vermelding is nog geen triagebesluit.")
    flash(request, f"Toegewezen aan {colleagues[assignee]}." if assignee else "Toewijzing opgeheven.")
    back = form.get("back")
    return redirect(back if back in ("/inbox", "/inbox?tab=signaleren") else f"/vermeldingen/{mention_id}")


async def record_outcome(request: Request):
    """POST /vermeldingen/{id}/uitkomst: the rule-7 record (webcare and up)."""
    user = require_role(request, "webcare")
    mention_id = path_id(request)
    form = await request.form()
    profile = request.app.state.profile
    parsed, errors = parse_outcome(form, profile, now())
    if not await write(request, q.mention_exists, mention_id):
        raise HTTPException(404, "Deze vermelding bestaat niet (meer).")
    if errors:
        context = await run_in_threadpool(detail_context, request, mention_id)
        context["errors"] = {"outcome": errors}
        context["form"] = {k: v for k, v in form.items() if isinstance(v, str)}
        return render(request, "mention.html", context, status=400)
    outcome_id = await write(
        request, q.record_outcome, mention_id, parsed.outcome, user["username"], now(),
        responded_at=parsed.responded_at, account=parsed.account,
        response_url=parsed.response_url, response_text=parsed.response_text,
        reason=parsed.reason, department=parsed.department,
    )
    flash(request, "Vastgelegd (regel 7). Download de momentopname voor het DMS hieronder.")
    return redirect(f"/vermeldingen/{mention_id}#uitkomst-{outcome_id}")


def _record(request: Request) -> dict:
    require_role(request, "analyst")
    record = read(request, q.outcome_with_context, path_id(request, "outcome_id"))
    if record is None:
        raise HTTPException(404, "Deze vastlegging bestaat niet.")
    return record


def _snapshot_html(request: Request, record: dict) -> str:
    env = request.app.state.templates.env
    return snapshot.render_html(env, record, request.app.state.profile.municipality.name)


def snapshot_html(request: Request):
    """GET /uitkomsten/{id}.html: the stand-alone page for the DMS."""
    record = _record(request)
    name = f"regel7-vermelding{record['mention']['id']}-uitkomst{record['outcome']['id']}.html"
    return Response(_snapshot_html(request, record), media_type="text/html; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{name}"',
                             "content-security-policy": snapshot.SNAPSHOT_CSP})


def snapshot_pdf(request: Request):
    """GET /uitkomsten/{id}.pdf: the same page as PDF (WeasyPrint)."""
    record = _record(request)
    pdf = snapshot.render_pdf(_snapshot_html(request, record))
    name = f"regel7-vermelding{record['mention']['id']}-uitkomst{record['outcome']['id']}.pdf"
    return Response(pdf, media_type="application/pdf",
                    headers={"content-disposition": f'attachment; filename="{name}"'})
