"""The analysts' mention table, its exports, a mention's page and label corrections."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from classifiers.labels import ACTIONS, LABELS
from store import web_queries as q
from store.web_queries import OUTCOMES, SORTS, STATUSES
from voelspriet.mention import PLATFORMS
from voelspriet.web import exports
from voelspriet.web.forms import parse_labels, parse_table_request
from voelspriet.web.pages import (
    display_names,
    flash,
    languages,
    now,
    path_id,
    read,
    redirect,
    render,
    write,
)
from voelspriet.web.security import require_role

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000
SORT_NAMES = {"nieuwste": "Nieuwste eerst", "oudste": "Oudste eerst",
              "urgentie": "Meest urgent (met triagebesluit)", "reacties": "Meeste reacties"}


def _table_request(request: Request):
    return parse_table_request(request.query_params, request.app.state.profile, languages(request))


def mention_table(request: Request):
    """GET /vermeldingen: filters, search, sort, pages."""
    require_role(request, "analyst")
    table = _table_request(request)
    page = read(request, q.list_mentions, table.filter, table.sort, table.page, PAGE_SIZE)
    profile = request.app.state.profile
    return render(request, "mentions.html", {
        "table": table, "page": page, "labels": LABELS, "actions": ACTIONS,
        "platforms": PLATFORMS, "statuses": STATUSES, "languages": languages(request),
        "topic_names": {k: t.label for k, t in profile.topics.items()}, "departments": [d.name for d in profile.departments],
        "sorts": {k: SORT_NAMES[k] for k in SORTS}, "effective_labels": q.effective_labels,
        "export_limit": EXPORT_LIMIT,
    })


def _stamp(request: Request) -> str:
    zone = ZoneInfo(request.app.state.profile.timezone)
    return datetime.now(zone).strftime("%Y%m%d-%H%M")


def export_csv(request: Request):
    """GET /vermeldingen/export.csv: the current view, every page, as CSV."""
    require_role(request, "analyst")
    table = _table_request(request)
    zone = ZoneInfo(request.app.state.profile.timezone)
    engine = request.app.state.engine

    def chunks():
        with engine.connect() as conn:
            rows = q.iter_mentions(conn, table.filter, table.sort, EXPORT_LIMIT)
            yield from exports.csv_chunks(rows, zone)

    name = f"voelspriet-vermeldingen-{_stamp(request)}.csv"
    return StreamingResponse(chunks(), media_type="text/csv; charset=utf-8",
                             headers={"content-disposition": f'attachment; filename="{name}"'})


def export_xlsx(request: Request):
    """GET /vermeldingen/export.xlsx: the current view, every page, as an Excel workbook."""
    require_role(request, "analyst")
    table = _table_request(request)
    zone = ZoneInfo(request.app.state.profile.timezone)
    with request.app.state.engine.connect() as conn:
        body = exports.xlsx_bytes(q.iter_mentions(conn, table.filter, table.sort, EXPORT_LIMIT), zone)
    name = f"voelspriet-vermeldingen-{_stamp(request)}.xlsx"
    return Response(
        body,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


def detail_context(request: Request, mention_id: int) -> dict:
    detail = read(request, q.mention_detail, mention_id)
    if detail is None:
        raise HTTPException(404, "Deze vermelding bestaat niet (meer).")
    profile = request.app.state.profile
    latest = detail["classifications"][0] if detail["classifications"] else None
    current = detail["corrections"][0]["labels"] if detail["corrections"] else (
        latest["labels"] if latest else [])
    return {
        **detail, "labels": LABELS, "current_labels": current, "outcomes_list": OUTCOMES,
        "departments": [d.name for d in profile.departments], "errors": {}, "form": {},
        "colleagues": display_names(request),
    }


def mention_page(request: Request):
    """GET /vermeldingen/{id}: the mention, every classification and decision, the forms."""
    require_role(request, "analyst")
    return render(request, "mention.html", detail_context(request, path_id(request)))


async def correct_labels(request: Request):
    """POST /vermeldingen/{id}/labels: store a person's labels (analyst and up)."""
    user = require_role(request, "analyst")
    mention_id = path_id(request)
    form = await request.form()
    labels, note, errors = parse_labels(form)
    if not await write(request, q.mention_exists, mention_id):
        raise HTTPException(404, "Deze vermelding bestaat niet (meer).")
    if errors:
        context = await run_in_threadpool(detail_context, request, mention_id)
        context["errors"] = {"labels": errors}
        return render(request, "mention.html", context, status=400)
    await write(request, q.correct_labels, mention_id, labels, user["username"], now(), note)
    flash(request, "De correctie is opgeslagen; het model leert ervan bij de volgende training.")
    return redirect(f"/vermeldingen/{mention_id}#labels")
