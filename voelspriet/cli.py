"""The ``voelspriet`` command: one thin subcommand per pipeline step."""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import datetime
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape

from voelspriet.errors import VoelsprietError

app = typer.Typer(
    help="voelspriet: luistert naar wat er publiek over de gemeente wordt gezegd, "
    "sorteert het volgens de social-media-checklist en meldt wat een reactie nodig heeft.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="De database (store) inrichten en bijwerken.", no_args_is_help=True)
app.add_typer(db_app, name="db")
users_app = typer.Typer(help="Gebruikers van de webapp beheren.", no_args_is_help=True)
app.add_typer(users_app, name="users")

err = Console(stderr=True, soft_wrap=True)


def _settings():
    from voelspriet.settings import load_settings

    return load_settings()


def _profile():
    from voelspriet.profile import load_profile

    return load_profile(_settings().profile_path)


def _store():
    from store.db import open_store

    return open_store(_settings().database_url)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Maak de database aan of breng hem naar de nieuwste versie (Alembic)."""
    from store.db import describe
    from store.migrate import upgrade

    url = _settings().database_url
    upgrade(url)
    err.print(f"Database bijgewerkt: {describe(url)}")


@app.command()
def check() -> None:
    """Controleer het profiel en de database zonder iets te veranderen."""
    settings = _settings()
    profile = _profile()
    _store()
    err.print(f"Profiel {settings.profile_path} is in orde; bronnen aan: "
              f"{', '.join(profile.enabled_sources()) or 'geen'}.")


@app.command()
def collect(
    source: Annotated[
        Optional[list[str]], typer.Option("--source", "-s", help="Alleen deze bron (herhaalbaar).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Toon als JSON-regels wat de bron zou opslaan; sla niets op.")
    ] = False,
    since: Annotated[Optional[datetime], typer.Option(help="Begin van een vast tijdvak (backfill).")] = None,
    until: Annotated[Optional[datetime], typer.Option(help="Einde van dat tijdvak.")] = None,
) -> None:
    """Haal nieuwe vermeldingen op bij de ingeschakelde bronnen en sla ze op."""
    from collectors.runner import collect as run_source, preview

    profile = _profile()
    names = source or profile.enabled_sources()
    window = _window(since, until)
    if dry_run:
        for name in names:
            for line in preview(profile, name, window):
                sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
        return
    engine = _store()
    failed = 0
    for name in names:
        result = run_source(engine, profile, name, window)
        if result.status == "ok":
            err.print(f"{name}: {result.fetched} opgehaald, {result.stored} opgeslagen, "
                      f"{result.dropped} niet over Heemstede.")
        else:
            failed += result.status == "failed"
            err.print(f"{name}: {'overgeslagen' if result.status == 'skipped' else 'mislukt'}: {result.error}")
    if failed:
        raise typer.Exit(1)


@app.command()
def web(
    host: Annotated[str, typer.Option(help="Adres om op te luisteren.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Poort.")] = 8000,
) -> None:
    """Start de webapp: inbox voor webcare en tabellen voor analisten."""
    import uvicorn

    from voelspriet.web import create_app

    settings = _settings()
    web_app = create_app(_store(), settings, _profile())
    err.print(f"voelspriet web op http://{host}:{port}/ (stoppen met Ctrl+C)")
    uvicorn.run(web_app, host=host, port=port, log_level="warning", proxy_headers=False)


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="Gebruikersnaam.")],
    role: Annotated[str, typer.Option(help="analyst, webcare of admin.")] = "analyst",
    display_name: Annotated[Optional[str], typer.Option("--name", help="Volledige naam.")] = None,
    sso_only: Annotated[bool, typer.Option("--sso-only", help="Geen wachtwoord: alleen via de SSO-proxy.")] = False,
) -> None:
    """Voeg een gebruiker toe; vraagt om een wachtwoord."""
    from voelspriet.web.users import add_user, check_role

    check_role(role)
    password = None if sso_only else typer.prompt("Wachtwoord", hide_input=True,
                                                  confirmation_prompt="Nogmaals")
    add_user(_store(), name, role, password, display_name)
    err.print(f"Gebruiker {escape(name)} toegevoegd met rol {role}.")


@users_app.command("list")
def users_list() -> None:
    """Toon alle gebruikers met hun rol."""
    from voelspriet.web.users import list_users

    for user in list_users(_store()):
        state = "actief" if user["active"] else "uitgeschakeld"
        sys.stdout.write(f"{user['username']}\t{user['role']}\t{state}\t{user['display_name'] or ''}\n")


@users_app.command("passwd")
def users_passwd(name: Annotated[str, typer.Argument(help="Gebruikersnaam.")]) -> None:
    """Geef een gebruiker een nieuw wachtwoord (lopende sessies vervallen)."""
    from voelspriet.web.users import change_user

    password = typer.prompt("Nieuw wachtwoord", hide_input=True, confirmation_prompt="Nogmaals")
    change_user(_store(), name, password=password)
    err.print(f"Wachtwoord van {escape(name)} gewijzigd.")


@users_app.command("set")
def users_set(
    name: Annotated[str, typer.Argument(help="Gebruikersnaam.")],
    role: Annotated[Optional[str], typer.Option(help="analyst, webcare of admin.")] = None,
    active: Annotated[Optional[bool], typer.Option("--active/--inactive", help="Aan- of uitzetten.")] = None,
) -> None:
    """Wijzig de rol van een gebruiker of zet hem aan of uit."""
    from voelspriet.web.users import change_user

    change_user(_store(), name, role=role, active=active)
    err.print(f"Gebruiker {escape(name)} bijgewerkt.")


def _window(since: datetime | None, until: datetime | None):
    from datetime import timezone

    from collectors.base import Window

    if since is None and until is None:
        return None
    if since is None or until is None:
        raise VoelsprietError("geef --since en --until samen op, of geen van beide.")
    aware = [d if d.tzinfo else d.replace(tzinfo=timezone.utc) for d in (since, until)]
    return Window(*aware)


def main() -> None:
    """Entry point: a VoelsprietError becomes one line on stderr and exit status 1."""
    # Results and errors are reported in Dutch by the commands; library logs only on request.
    level = os.environ.get("VOELSPRIET_LOG_LEVEL", "CRITICAL").upper()
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    try:
        app()
    except VoelsprietError as exc:
        err.print(f"[bold red]fout:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(1)
