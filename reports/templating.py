"""Jinja2 for emails: autoescaped HTML, plain text, Dutch dates, hostile text made inert."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from reports.dutch import local_time

TEMPLATES = Path(__file__).parent / "templates"
# Control characters and bidirectional overrides can make a text or a handle look like
# something it is not (e.g. U+202E reverses what follows); invisible ones (zero-width space,
# word joiner, BOM) can split a handle so part of it escapes pseudonymising. Newlines and
# tabs stay; the zero-width joiner stays (it builds emoji).
_DECEPTIVE = re.compile(
    "[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b\u200e\u200f\u202a-\u202e\u2060"
    "\u2066-\u2069\ufeff]"
)


def inert(value: object) -> str:
    """Text from the internet without control and bidi characters (escaping is Jinja's job)."""
    return _DECEPTIVE.sub("", "" if value is None else str(value))


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
