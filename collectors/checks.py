"""Small checks for source settings; each raises ValueError naming the field, the value and a tip.

The registry prefixes the message with ``<profile>: sources.<name>.``, so a message starts with
the field name: ``max_pages moet een geheel getal van 1 t/m 50 zijn, gevonden: 0.``
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

COMMON = {"connection", "timeout_seconds", "max_wait_seconds", "base_url"}


def known_fields(settings: dict[str, Any], allowed: set[str]) -> None:
    for key in settings:
        if key not in allowed | COMMON:
            raise ValueError(
                f"{key} is geen bekende instelling; bekend zijn: {', '.join(sorted(allowed | COMMON))}. "
                "Tip: controleer de spelling."
            )


def text(settings: dict[str, Any], field: str, *, required: bool = True) -> None:
    value = settings.get(field)
    if value is None and not required:
        return
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{field} moet tekst zijn, gevonden: {value!r}.")


def text_list(settings: dict[str, Any], field: str, *, required: bool = True) -> None:
    value = settings.get(field)
    if value is None and not required:
        return
    if not isinstance(value, list) or not value:
        tip = f" Tip: schrijf [{value}]." if isinstance(value, str) else ""
        raise ValueError(f"{field} moet een niet-lege lijst zijn, gevonden: {value!r}.{tip}")
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise ValueError(f"{field} mag alleen tekst bevatten, gevonden: {item!r}.")


def url(value: Any, field: str) -> None:
    parts = urlsplit(value) if isinstance(value, str) else None
    if not parts or parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{field} moet een http(s)-adres zijn, gevonden: {value!r}.")


def url_list(settings: dict[str, Any], field: str) -> None:
    text_list(settings, field)
    for item in settings[field]:
        url(item, field)


def number(settings: dict[str, Any], field: str, low: float, high: float, *, integer: bool = True) -> None:
    value = settings.get(field)
    if value is None:
        return
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or not low <= value <= high:
        kind = "een geheel getal" if integer else "een getal"
        raise ValueError(f"{field} moet {kind} van {low:g} t/m {high:g} zijn, gevonden: {value!r}.")


def boolean(settings: dict[str, Any], field: str) -> None:
    value = settings.get(field)
    if value is not None and not isinstance(value, bool):
        raise ValueError(f"{field} moet true of false zijn, gevonden: {value!r}.")


def common(settings: dict[str, Any]) -> None:
    """Settings every networked collector understands."""
    text(settings, "connection", required=False)
    number(settings, "timeout_seconds", 1, 300, integer=False)
    number(settings, "max_wait_seconds", 0, 3600, integer=False)
    if settings.get("base_url") is not None:
        url(settings["base_url"], "base_url")
