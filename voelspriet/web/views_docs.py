"""The model card and the latest reports, reachable from the app."""

from __future__ import annotations

import mimetypes
from datetime import UTC, datetime
from pathlib import Path

from markdown_it import MarkdownIt
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse

from voelspriet.web.pages import render
from voelspriet.web.security import require_role

REPORT_SUFFIXES = {".html", ".pdf", ".png", ".svg", ".eml", ".csv", ".xlsx", ".txt"}
SHOWN_INLINE = {".html", ".pdf", ".png", ".svg", ".txt"}
REPORTS_SHOWN = 50
# Reports are our own HTML with inline styles and internet text inside: no scripts, sandboxed.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data: cid:; sandbox"


def model_card(request: Request):
    """GET /modelkaart: classifiers/MODEL_CARD.md rendered (raw HTML in it is not passed on)."""
    require_role(request, "analyst")
    path: Path = request.app.state.config.model_card
    html = None
    if path.is_file():
        md = MarkdownIt("commonmark", {"html": False}).enable("table")
        html = md.render(path.read_text(encoding="utf-8"))
    return render(request, "model_card.html", {"card": html})


def _reports_dir(request: Request) -> Path:
    return request.app.state.config.reports_dir.resolve()


def reports(request: Request):
    """GET /rapporten: the newest files under the reports folder."""
    require_role(request, "analyst")
    root = _reports_dir(request)
    files = []
    if root.is_dir():
        found = [p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES]
        found.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        for p in found[:REPORTS_SHOWN]:
            stat = p.stat()
            files.append({
                "path": p.relative_to(root).as_posix(), "name": p.name,
                "modified": datetime.fromtimestamp(stat.st_mtime, UTC),
                "size_kb": max(1, stat.st_size // 1024),
            })
    return render(request, "reports.html", {"files": files})


def report_file(request: Request):
    """GET /rapporten/bestand/{path}: one report file; nothing outside the reports folder."""
    require_role(request, "analyst")
    root = _reports_dir(request)
    target = (root / request.path_params["path"]).resolve()
    if (not target.is_relative_to(root) or not target.is_file()
            or target.suffix.lower() not in REPORT_SUFFIXES):
        raise HTTPException(404, "Dit rapport bestaat niet.")
    media_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    inline = target.suffix.lower() in SHOWN_INLINE
    return FileResponse(
        target, media_type=media_type,
        content_disposition_type="inline" if inline else "attachment",
        filename=target.name, headers={"content-security-policy": REPORT_CSP},
    )
