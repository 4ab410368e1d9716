"""The web app's settings from the environment, and its signing secret."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from voelspriet.errors import ConfigError
from voelspriet.settings import ROOT, Settings

SECRET_ENV = "VOELSPRIET_WEB_SECRET"
SECRET_FILE = "web-secret"


@dataclass(frozen=True)
class WebConfig:
    """How the web app behaves; every field has a safe default.

    ``trusted_header`` (``VOELSPRIET_WEB_TRUSTED_HEADER``, e.g. ``X-Remote-User``) turns on
    single sign-on through a reverse proxy: a request from one of ``trusted_proxies``
    carrying that header is the named, active user. Off unless set.
    """

    secret: str
    trusted_header: str | None = None
    trusted_proxies: frozenset[str] = frozenset({"127.0.0.1", "::1"})
    secure_cookie: bool = False
    session_max_age: int = 12 * 60 * 60
    model_card: Path = ROOT / "classifiers" / "MODEL_CARD.md"
    reports_dir: Path = field(default_factory=lambda: ROOT / "var" / "reports")


def load_secret(var_dir: Path) -> str:
    """The session-signing key: env VOELSPRIET_WEB_SECRET, else one kept in var/web-secret."""
    value = os.environ.get(SECRET_ENV, "").strip()
    if value:
        if len(value) < 32:
            raise ConfigError(
                f"{SECRET_ENV} is te kort ({len(value)} tekens). Oplossing: gebruik minstens 32 "
                "willekeurige tekens, bijvoorbeeld uit 'python -c \"import secrets; "
                "print(secrets.token_urlsafe(48))\"'."
            )
        return value
    path = var_dir / SECRET_FILE
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text(encoding="ascii").strip()
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="ascii").strip()


def load_web_config(settings: Settings) -> WebConfig:
    """Read ``VOELSPRIET_WEB_*`` environment variables."""
    proxies = os.environ.get("VOELSPRIET_WEB_TRUSTED_PROXIES", "127.0.0.1,::1")
    return WebConfig(
        secret=load_secret(settings.var_dir),
        trusted_header=os.environ.get("VOELSPRIET_WEB_TRUSTED_HEADER") or None,
        trusted_proxies=frozenset(p.strip() for p in proxies.split(",") if p.strip()),
        secure_cookie=os.environ.get("VOELSPRIET_WEB_SECURE_COOKIE", "").lower() in ("1", "true", "yes"),
        reports_dir=settings.reports_dir,
    )
