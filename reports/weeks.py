"""ISO weeks in the municipality's time zone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from reports.dutch import MONTHS, date_nl
from voelspriet.errors import VoelsprietError

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


class WeekError(VoelsprietError):
    """A week name that is not an ISO week such as 2026-W47."""


@dataclass(frozen=True)
class Week:
    """One ISO week (Monday 00:00 to Monday 00:00 local time)."""

    year: int
    number: int
    tz: ZoneInfo

    @property
    def name(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def days(self) -> list[date]:
        return [self.monday + timedelta(days=i) for i in range(7)]

    def local_start(self, offset_weeks: int = 0) -> datetime:
        return datetime.combine(self.monday + timedelta(weeks=offset_weeks), time(), self.tz)

    def utc_bounds(self, weeks_before: int = 0) -> tuple[datetime, datetime]:
        """[start, end) in UTC, starting ``weeks_before`` weeks before this week."""
        start = self.local_start(-weeks_before).astimezone(UTC)
        return start, self.local_start(1).astimezone(UTC)

    def shifted(self, weeks: int) -> Week:
        iso = (self.monday + timedelta(weeks=weeks)).isocalendar()
        return Week(iso.year, iso.week, self.tz)

    def names_back(self, count: int) -> list[str]:
        """The names of the ``count`` weeks ending with this one, oldest first."""
        return [self.shifted(-i).name for i in range(count - 1, -1, -1)]

    def describe(self) -> str:
        """'week 47 (16 t/m 22 november 2026)' in Dutch."""
        first, last = self.days[0], self.days[-1]
        if first.month == last.month:
            span = f"{first.day} t/m {last.day} {MONTHS[last.month - 1]} {last.year}"
        elif first.year == last.year:
            span = f"{date_nl(first, year=False)} t/m {date_nl(last)}"
        else:
            span = f"{date_nl(first)} t/m {date_nl(last)}"
        return f"week {self.number} ({span})"


def parse_week(name: str, tz: str = "Europe/Amsterdam") -> Week:
    """'2026-W47' -> Week; a WeekError in Dutch for anything else."""
    match = _WEEK.match(name.strip())
    if match:
        year, number = int(match.group(1)), int(match.group(2))
        try:
            date.fromisocalendar(year, number, 1)
        except ValueError:
            pass
        else:
            return Week(year, number, ZoneInfo(tz))
    raise WeekError(f"week {name!r} bestaat niet; verwacht een ISO-week zoals 2026-W47.")


def last_complete_week(now: datetime, tz: str = "Europe/Amsterdam") -> str:
    """The name of the last ISO week that has ended at ``now`` (local time)."""
    local = now.astimezone(ZoneInfo(tz))
    iso = (local.date() - timedelta(weeks=1)).isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def week_of(moment: datetime, tz: ZoneInfo) -> str:
    """The ISO week name of a moment, in local time."""
    iso = moment.astimezone(tz).isocalendar()
    return f"{iso.year}-W{iso.week:02d}"
