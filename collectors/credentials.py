"""Credentials for a source: from an Airflow connection or from VOELSPRIET_<SOURCE>_* variables.

A source names its Airflow connection in the profile (``connection: voelspriet_x``). The
connection is read, in this order, from

1. the environment variable ``AIRFLOW_CONN_<CONNECTION_ID>`` (Airflow's JSON or URI form; this
   works without Airflow's database),
2. Airflow itself, when running inside Airflow (a connection made in the web interface),
3. ``VOELSPRIET_<SOURCE>_<FIELD>`` variables, one per field (``VOELSPRIET_X_BEARER_TOKEN``).

Each collector says which fields it needs and where they live in a connection
(``credential_fields``). Values are never logged; the messages name only variables.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from collectors.base import MissingCredentials


def parse_connection(value: str) -> dict[str, Any]:
    """An Airflow connection from its JSON or URI form, as a flat dict with ``extra`` a dict."""
    value = value.strip()
    if value.startswith("{"):
        try:
            data = json.loads(value)
        except json.JSONDecodeError:
            raise MissingCredentials("de verbinding is geen geldige JSON.") from None
        extra = data.get("extra") or {}
        if isinstance(extra, str):
            extra = json.loads(extra) if extra.strip() else {}
        return {**data, "extra": extra}
    parts = urlsplit(value)
    extra = dict(parse_qsl(parts.query))
    if "__extra__" in extra:
        extra = json.loads(extra["__extra__"])
    return {
        "conn_type": parts.scheme,
        "login": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
        "host": parts.hostname,
        "port": parts.port,
        "schema": parts.path.lstrip("/") or None,
        "extra": extra,
    }


def _from_airflow(conn_id: str) -> dict[str, Any] | None:
    # Only ask Airflow when we already run inside it: importing it costs seconds, and
    # outside a task there is no API server to ask.
    if "airflow.sdk" not in sys.modules:
        return None
    from airflow.sdk import Connection

    try:
        conn = Connection.get(conn_id)
    except Exception as exc:
        if type(exc).__name__ in {"AirflowNotFoundException", "ConnectionNotFound"}:
            return None
        raise
    return {
        "login": conn.login, "password": conn.password, "host": conn.host,
        "port": conn.port, "schema": conn.schema, "extra": conn.extra_dejson,
    }


def _lookup(conn: Mapping[str, Any], where: str) -> Any:
    if where.startswith("extra."):
        return (conn.get("extra") or {}).get(where.removeprefix("extra."))
    return conn.get(where)


def env_name(source: str, field: str) -> str:
    return f"VOELSPRIET_{source}_{field}".upper().replace("-", "_")


def resolve_credentials(
    source: str,
    platform: str,
    connection_id: str | None,
    fields: Mapping[str, tuple[str, ...]],
    required: tuple[str, ...],
    environ: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The credential fields for ``source``; raise MissingCredentials if a required one lacks.

    ``fields`` maps a credential name to the connection attributes that may hold it, in order
    (``"password"``, ``"extra.bearer_token"``).
    """
    environ = os.environ if environ is None else environ
    conn: dict[str, Any] = {}
    if connection_id:
        raw = environ.get(f"AIRFLOW_CONN_{connection_id.upper()}")
        try:
            conn = parse_connection(raw) if raw else (_from_airflow(connection_id) or {})
        except MissingCredentials as exc:
            raise MissingCredentials(
                f"bron {source} ({platform}): AIRFLOW_CONN_{connection_id.upper()} is onleesbaar: "
                f"{exc} Verbeter de verbinding; de bron wordt overgeslagen."
            ) from None
    found: dict[str, Any] = {}
    for name, places in fields.items():
        value = next((v for v in (_lookup(conn, p) for p in places) if v not in (None, "")), None)
        found[name] = environ.get(env_name(source, name)) or value
    missing = [name for name in required if not found.get(name)]
    if missing:
        where = f"de Airflow-verbinding '{connection_id}' of " if connection_id else ""
        variables = ", ".join(env_name(source, name) for name in missing)
        raise MissingCredentials(
            f"bron {source} ({platform}) heeft geen inloggegevens ({', '.join(missing)}). "
            f"Maak {where}de omgevingsvariabelen {variables} aan; tot dan wordt deze bron overgeslagen."
        )
    return {name: value for name, value in found.items() if value not in (None, "")}
