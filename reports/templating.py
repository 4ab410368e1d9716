"""Jinja2 for emails: autoescaped HTML, plain text, Dutch dates, hostile text made inert."""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).parent / "templates"
MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
MONTHS_LONG = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
               "september", "oktober", "november", "december")
WEEKDAYS = ("ma", "di", "wo", "do", "vr", "za", "zo")
# Control characters and bidirectional overrides can make a text or a handle look like
# something it is not (e.g. U+202E reverses what follows); newlines and tabs stay.
_DECEPTIVE = re.compile("[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def inert(value: object) -> str:
    """Text from the internet without control and bidi characters (escaping is Jinja's job)."""
    return _DECEPTIVE.sub("", "" if value is None else str(value))


def local_time(value: datetime | None, timezone: str = "Europe/Amsterdam") -> str:
    """``vr 20 nov 2026, 14:05`` in the municipality's time zone."""
    if value is None:
        return "onbekend"
    local = value.astimezone(ZoneInfo(timezone))
    return (f"{WEEKDAYS[local.weekday()]} {local.day} {MONTHS[local.month - 1]} {local.year}, "
            f"{local:%H:%M}")


def long_date(value: datetime, timezone: str = "Europe/Amsterdam") -> str:
    """``20 november 2026`` in the municipality's time zone."""
    local = value.astimezone(ZoneInfo(timezone))
    return f"{local.day} {MONTHS_LONG[local.month - 1]} {local.year}"


@cache
def environment() -> Environment:
    """The one template environment: HTML templates autoescaped, a missing value an error."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["inert"] = inert
    env.filters["local_time"] = local_time
    return env


def render(name: str, **context) -> str:
    """Render ``reports/templates/<name>``."""
    return environment().get_template(name).render(**context)
