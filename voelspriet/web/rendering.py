"""Templates and the Dutch names and formats they show. Autoescape is always on."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

import jinja2
from starlette.requests import Request
from starlette.templating import Jinja2Templates

from classifiers.triage import PLATFORM_NAMES
from reports.dutch import ACTION_NAMES
from reports.dutch import LABEL_NAMES as DUTCH_LABEL_NAMES
from voelspriet.web.security import csrf_token, has_role
from voelspriet.web.users import ROLE_NAMES

TEMPLATES = Path(__file__).parent / "templates"

# One vocabulary for emails, reports and pages; labels stand capitalised in tables.
LABEL_NAMES = {label: name.capitalize() for label, name in DUTCH_LABEL_NAMES.items()}
STATUS_NAMES = {
    "open": "Open", "assigned": "Toegewezen", "responded": "Gereageerd",
    "not_responding": "Niet gereageerd", "passed_on": "Doorgegeven",
}
OUTCOME_NAMES = {
    "responded": "Gereageerd", "not_responding": "Niet reageren", "passed_on": "Doorgegeven",
}
URGENCY_NAMES = {"laag": "laag", "normaal": "normaal", "hoog": "hoog"}


def safe_url(value: str | None) -> str | None:
    """The URL if it is http(s), else None: no javascript:, data: or other schemes in links."""
    if not value or not isinstance(value, str):
        return None
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return value.strip()
    return None


def make_env(timezone: str) -> jinja2.Environment:
    """The Jinja2 environment with autoescape on for every template and the Dutch filters."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    zone = ZoneInfo(timezone)

    def local(value: datetime | None, fmt: str = "%d-%m-%Y %H:%M") -> str:
        return value.astimezone(zone).strftime(fmt) if value else ""

    env.filters.update(
        local=local,
        safe_url=safe_url,
        label_name=lambda v: LABEL_NAMES.get(v, v),
        action_name=lambda v: ACTION_NAMES.get(v, v or ""),
        status_name=lambda v: STATUS_NAMES.get(v, v or ""),
        outcome_name=lambda v: OUTCOME_NAMES.get(v, v),
        platform_name=lambda v: PLATFORM_NAMES.get(v, v),
        role_name=lambda v: ROLE_NAMES.get(v, v),
        excerpt=lambda v, n=180: (v or "")[:n] + ("…" if v and len(v) > n else ""),
        pct=lambda v: f"{v * 100:.0f}%" if isinstance(v, (int, float)) else "",
    )
    env.globals.update(
        LABEL_NAMES=LABEL_NAMES, ACTION_NAMES=ACTION_NAMES, STATUS_NAMES=STATUS_NAMES,
        OUTCOME_NAMES=OUTCOME_NAMES, PLATFORM_NAMES=PLATFORM_NAMES, has_role=has_role,
        urlencode=urlencode,
    )
    return env


def make_templates(timezone: str) -> Jinja2Templates:
    def context(request: Request) -> dict:
        return {
            "user": request.scope.get("user"),
            "csrf_token": csrf_token(request),
            "flash": request.session.pop("flash", None),
            "path": request.url.path,
        }

    return Jinja2Templates(env=make_env(timezone), context_processors=[context])
