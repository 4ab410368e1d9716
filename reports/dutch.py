"""Dutch names of days and months, and dates written the way a Dutch reader expects."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

DAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december")
# Not simply the first three letters: maart is "mrt".
MONTHS_SHORT = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
# The labels in the checklist's own words (rules 4 and 6), in every email and report.
LABEL_NAMES = {
    "praise": "compliment", "criticism": "kritiek", "factual_error": "onjuiste feiten",
    "offensive": "kwetsend", "policy_question": "beleidsvraag", "other": "overig",
}
# The rule-6 actions as Communicatie reads them, strongest first.
ACTION_NAMES = {
    "respond": "Reageren", "consider_response": "Overweeg een reactie",
    "signal": "Doorgeven aan collega's", "none": "Geen actie",
}


def short_weekday(day: date) -> str:
    """'di'."""
    return DAYS[day.weekday()][:2]


def date_nl(day: date, *, year: bool = True) -> str:
    """'18 november 2026' (or '18 november')."""
    text = f"{day.day} {MONTHS[day.month - 1]}"
    return f"{text} {day.year}" if year else text


def day_nl(day: date) -> str:
    """'dinsdag 18 november'."""
    return f"{DAYS[day.weekday()]} {date_nl(day, year=False)}"


def short_day_nl(day: date) -> str:
    """'di 18/11' for chart axes."""
    return f"{short_weekday(day)} {day.day}/{day.month}"


def local_time(value: datetime | None, timezone: str = "Europe/Amsterdam") -> str:
    """'vr 20 nov 2026, 14:05' in the municipality's time zone."""
    if value is None:
        return "onbekend"
    local = value.astimezone(ZoneInfo(timezone))
    return (f"{short_weekday(local)} {local.day} {MONTHS_SHORT[local.month - 1]} {local.year}, "
            f"{local:%H:%M}")


def long_date(value: datetime, timezone: str = "Europe/Amsterdam") -> str:
    """'20 november 2026' in the municipality's time zone."""
    return date_nl(value.astimezone(ZoneInfo(timezone)).date())
