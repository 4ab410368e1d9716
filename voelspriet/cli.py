"""The ``voelspriet`` command: one thin subcommand per pipeline step."""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

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
report_app = typer.Typer(help="E-mails en rapporten maken en versturen.", no_args_is_help=True)
app.add_typer(report_app, name="report")
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
        list[str] | None, typer.Option("--source", "-s", help="Alleen deze bron (herhaalbaar).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Toon als JSON-regels wat de bron zou opslaan; sla niets op.")
    ] = False,
    since: Annotated[datetime | None, typer.Option(help="Begin van een vast tijdvak (backfill).")] = None,
    until: Annotated[datetime | None, typer.Option(help="Einde van dat tijdvak.")] = None,
) -> None:
    """Haal nieuwe vermeldingen op bij de ingeschakelde bronnen en sla ze op."""
    from collectors.runner import collect as run_source
    from collectors.runner import preview

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
def train(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Waar het model komt (standaard VOELSPRIET_MODEL).")] = None,
    data: Annotated[Path | None, typer.Option(help="Map met het gelabelde corpus.")] = None,
    no_store: Annotated[bool, typer.Option("--no-store", help="Gebruik geen labelcorrecties uit de database.")] = False,
) -> None:
    """Train het model op het corpus plus labelcorrecties en toon de kruisvalidatiescores."""
    from classifiers.corpus import DATA_DIR
    from classifiers.model import save_model
    from classifiers.retrain import train_all

    settings = _settings()
    engine = None if no_store or not _store_exists(settings) else _store()
    with err.status("Model trainen (kruisvalidatie)..."):
        model = train_all(engine, data or DATA_DIR)
    path = save_model(model, output or settings.model_path)
    cv = model.metadata["cv_scores"]
    err.print(f"Model {model.version} opgeslagen in {path} ({model.metadata['training_examples']} voorbeelden, "
              f"{model.metadata['corrections']} correcties).")
    err.print(f"Kruisvalidatie: macro-F1 {cv['macro_f1']:.3f}, recall op reactie nodig {cv['response_recall']:.3f}")
    for label, s in cv["per_label"].items():
        err.print(f"  {label:16} precisie {s['precision']:.3f}  recall {s['recall']:.3f}  F1 {s['f1']:.3f}")


def _store_exists(settings) -> bool:
    """Corrections are optional for training: no database yet simply means none."""
    if not settings.database_url.startswith("sqlite"):
        return True
    import sqlalchemy as sa

    path = sa.make_url(settings.database_url).database
    return bool(path) and Path(path).exists()


@app.command()
def evaluate(
    model_path: Annotated[Path | None, typer.Option("--model", help="Het model (standaard VOELSPRIET_MODEL).")] = None,
    data: Annotated[Path | None, typer.Option(help="Map met het gelabelde corpus.")] = None,
    card: Annotated[Path | None, typer.Option(help="Waar de modelkaart komt.")] = None,
) -> None:
    """Meet het model op de apart gehouden testset en de uitdagingsset; schrijf MODEL_CARD.md."""
    from classifiers import model_card
    from classifiers.corpus import DATA_DIR
    from classifiers.evaluation import evaluate as run_evaluation
    from classifiers.model import load_model

    model = load_model(model_path or _settings().model_path)
    report = run_evaluation(model, data or DATA_DIR)
    path = model_card.write(model, report, card or model_card.CARD_PATH)
    h = report["heldout"]
    err.print(f"Held-out ({h['n']}): macro-F1 {h['macro_f1']:.3f}, recall op reactie nodig {h['response_recall']:.3f}")
    for label, s in h["per_label"].items():
        err.print(f"  {label:16} precisie {s['precision']:.3f}  recall {s['recall']:.3f}  F1 {s['f1']:.3f}  (n={s['support']})")
    if report["challenge"]:
        c = report["challenge"]
        err.print(f"Uitdagingsset ({c['n']}): macro-F1 {c['macro_f1']:.3f}, exact {c['exact_match']:.3f}")
    err.print(f"Modelkaart geschreven: {path}")
    sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")


@app.command()
def classify(
    file: Annotated[Path | None, typer.Argument(help="JSON-regels met 'text'; zonder bestand: standaardinvoer.")] = None,
    model_path: Annotated[Path | None, typer.Option("--model", help="Het model (standaard VOELSPRIET_MODEL).")] = None,
    store: Annotated[bool, typer.Option("--store", help="Classificeer de opgeslagen vermeldingen die dit model nog niet zag.")] = False,
) -> None:
    """Label JSON-regels: per regel labels, scores, actie en needs_review (regels met fouten krijgen 'error')."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    if store:
        from classifiers.apply import classify_pending

        done = classify_pending(_store(), model_path or _settings().model_path)
        err.print(f"Classificatie: {done} opgeslagen vermeldingen geclassificeerd.")
        return

    from classifiers.jsonlines import classify_lines
    from classifiers.model import load_model

    settings = _settings()
    model = load_model(model_path or settings.model_path)
    policy = _profile().policy
    if file is not None and not file.is_file():
        raise VoelsprietError(f"invoerbestand {file} bestaat niet.")
    stream = file.open("rb") if file is not None else sys.stdin.buffer
    total = sum(1 for _ in file.open("rb")) if file is not None else None
    columns = [TextColumn("classificeren"), BarColumn(), MofNCompleteColumn()]
    with stream, Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task("classify", total=total)
        done, failed = classify_lines(stream, sys.stdout, model, policy,
                                      progress=lambda n: bar.advance(task, n))
    if failed:
        err.print(f"{done} regels geclassificeerd, {failed} regels met een fout (zie veld 'error').")


@app.command()
def triage(
    everything: Annotated[
        bool, typer.Option("--all", help="Pas het beleid opnieuw toe op alle vermeldingen (na een beleidswijziging).")
    ] = False,
) -> None:
    """Bepaal per geclassificeerde vermelding de actie (regel 6), urgentie, afdeling en deadline."""

    from classifiers.triage import triage_pending

    written = triage_pending(_store(), _profile(), datetime.now(UTC), everything=everything)
    err.print(f"Triage: {written} beslissingen bijgewerkt.")


@report_app.command("daily")
def report_daily(
    day: Annotated[
        datetime | None,
        typer.Option("--date", formats=["%Y-%m-%d"], help="De dag van de mail (standaard: de laatste, 07:30)."),
    ] = None,
) -> None:
    """Maak en verstuur de dagelijkse triage-mail (van 07:30 de dag ervoor tot 07:30)."""

    from reports.daily import daily_period, latest_period_day, send_daily_triage
    from reports.mail import SMTP_CONN_ID, transport_of

    settings, profile, engine = _settings(), _profile(), _store()
    when = day.date() if day else latest_period_day(datetime.now(UTC), profile.timezone)
    path = send_daily_triage(engine, profile, settings, *daily_period(when, profile.timezone))
    if transport_of(engine, path) == "smtp":
        err.print(f"Dagelijkse triage-mail van {when} verzonden; kopie in {path}")
    else:
        err.print(f"Dagelijkse triage-mail van {when} opgeslagen in {path} (niet verzonden: "
                  f"geen Airflow-verbinding {SMTP_CONN_ID}).")


@report_app.command("alerts")
def report_alerts() -> None:
    """Verstuur nu een waarschuwing voor elke dringende vermelding die er nog geen kreeg."""

    from reports.alerts import send_urgent_alerts

    sent = send_urgent_alerts(_store(), _profile(), _settings(), datetime.now(UTC))
    err.print(f"Dringende waarschuwingen: {sent} verstuurd.")


@report_app.command("weekly")
def report_weekly(
    week: Annotated[str | None, typer.Option(help="ISO-week, bijvoorbeeld 2026-W47; "
                                                "standaard de vorige week.")] = None,
    send: Annotated[bool, typer.Option("--send/--no-send", help="Versturen, of alleen "
                                       "HTML en PDF opslaan.")] = True,
) -> None:
    """Maak het weekrapport sentiment (HTML-mail met grafieken en een PDF) en verstuur het."""

    from reports.weekly import save_weekly_report, send_weekly_report
    from reports.weeks import last_complete_week, parse_week

    profile = _profile()
    week = parse_week(week or last_complete_week(datetime.now(UTC), profile.timezone)).name
    engine, settings = _store(), _settings()
    if send:
        err.print(f"Weekrapport {week} verstuurd; kopie: {send_weekly_report(engine, profile, settings, week)}")
    else:
        html, pdf = save_weekly_report(engine, profile, settings, week)
        err.print(f"Weekrapport {week} opgeslagen: {html} en {pdf}")


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
    display_name: Annotated[str | None, typer.Option("--name", help="Volledige naam.")] = None,
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
    role: Annotated[str | None, typer.Option(help="analyst, webcare of admin.")] = None,
    active: Annotated[bool | None, typer.Option("--active/--inactive", help="Aan- of uitzetten.")] = None,
) -> None:
    """Wijzig de rol van een gebruiker of zet hem aan of uit."""
    from voelspriet.web.users import change_user

    change_user(_store(), name, role=role, active=active)
    err.print(f"Gebruiker {escape(name)} bijgewerkt.")


def _window(since: datetime | None, until: datetime | None):

    from collectors.base import Window

    if since is None and until is None:
        return None
    if since is None or until is None:
        raise VoelsprietError("geef --since en --until samen op, of geen van beide.")
    aware = [d if d.tzinfo else d.replace(tzinfo=UTC) for d in (since, until)]
    if aware[0] >= aware[1]:
        raise VoelsprietError(
            f"--since ({since:%Y-%m-%d %H:%M}) moet vóór --until ({until:%Y-%m-%d %H:%M}) liggen; "
            "draai de twee om."
        )
    return Window(*aware)


def main() -> None:
    """Entry point: a VoelsprietError becomes one line on stderr and exit status 1."""
    # Results and errors are reported in Dutch by the commands; library logs only on request.
    level = os.environ.get("VOELSPRIET_LOG_LEVEL", "CRITICAL").upper()
    # Importing Airflow (for its SMTP connection) installs its own stdout logging; keep it quiet too.
    os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", level)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    try:
        app()
    except VoelsprietError as exc:
        err.print(f"[bold red]fout:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(1)
