"""The weekly sentiment report (issue 7): Dutch HTML email with inline charts, plus a PDF.

Pure functions do the work: ``compute_weekly`` (reports.weekly_data) turns store rows into
figures, ``render_charts`` turns figures into PNGs, ``render_html``/``render_text`` fill the
Jinja2 templates beside this module (autoescaped), ``render_pdf`` prints the same HTML with
WeasyPrint. ``send_weekly_report`` reads the store, writes the archive copy and mails it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from classifiers.triage import PLATFORM_NAMES
from reports.dutch import short_day_nl
from reports.mail import deliver, embed_images
from reports.pseudonyms import Pseudonymiser, load_key
from reports.templating import TEMPLATES, render
from reports.weekly_data import (
    LABEL_ORDER,
    LABELS_NL,
    SPIKE_MIN_COUNT,
    TREND_WEEKS,
    WEEKS_TO_LOAD,
    WeeklyFigures,
    compute_weekly,
)
from reports.weeks import Week, parse_week
from voelspriet.errors import VoelsprietError

log = logging.getLogger(__name__)
KIND = "weekly_report"
CHARTS = ("daily", "trend", "topics", "platforms")


class ReportError(VoelsprietError):
    """The report could not be made or sent; the message says what to do."""


@dataclass(frozen=True)
class WeeklyReport:
    """One rendered week: email HTML (cid: images), archive HTML (embedded images), text, PDF."""

    week: str
    subject: str
    html: str
    archive_html: str
    text: str
    images: dict[str, bytes]
    pdf: bytes

    @property
    def pdf_name(self) -> str:
        return f"weekreport-{self.week}.pdf"


def cid(name: str) -> str:
    """The Content-ID of a chart in the email."""
    return f"weekly-{name}"


def load_figures(engine, profile, week: Week, pseudonyms: Pseudonymiser) -> WeeklyFigures:
    """Read the rows the report needs (the trend period up to the week's end) and compute."""
    from store.report_queries import mentions_with_labels, outcomes_for_mentions_between

    start, end = week.utc_bounds(weeks_before=WEEKS_TO_LOAD)
    this_start, _ = week.utc_bounds()
    return compute_weekly(
        mentions_with_labels(engine, start, end),
        outcomes_for_mentions_between(engine, this_start, end),
        week, profile, pseudonyms,
    )


def render_charts(figures: WeeklyFigures) -> dict[str, bytes]:
    """The four charts as PNG bytes, keyed by chart name."""
    from reports import charts

    days = figures.week.days
    spike_days: dict[int, str] = {}
    for spike in figures.spikes:
        i = days.index(spike.day)
        spike_days[i] = (spike_days[i] + " + " if i in spike_days else "piek ") + LABELS_NL[spike.label]
    topics = [t for t in figures.topics if t.count > 0 or t.usual > 0][:8]
    platforms = figures.platforms
    return {
        "daily": charts.daily_volume_chart(
            figures.per_day, [short_day_nl(d) for d in days], LABELS_NL, spike_days),
        "trend": charts.balance_trend_chart(
            figures.trend, [name.split("-W")[1] for name in figures.trend.index]),
        "topics": charts.topics_chart(
            [t.label for t in topics], [t.count for t in topics], [t.usual for t in topics]),
        "platforms": charts.platforms_chart(
            [PLATFORM_NAMES.get(p, p) for p in platforms.index], platforms["totaal"].tolist(),
            platforms["criticism"].tolist()),
    }


def _fmt(value: float) -> str:
    """A Dutch number: '2,5', '3'."""
    return f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",")


def _hours(value: float | None) -> str:
    if value is None:
        return "niet te bepalen"
    if value < 1:
        return f"{round(value * 60)} minuten"
    if value < 48:
        return f"{_fmt(value)} uur"
    return f"{_fmt(value / 24)} dagen"


def subject_for(figures: WeeklyFigures, profile) -> str:
    return (f"Weekrapport sentiment {profile.municipality.name}, week {figures.week.number} "
            f"({figures.week.year})")


def _context(figures: WeeklyFigures, profile, images: dict[str, str]) -> dict:
    trend = figures.trend
    return {
        "f": figures,
        "subject": subject_for(figures, profile),
        "municipality": f"gemeente {profile.municipality.name}",
        "week_title": figures.week.describe().capitalize(),
        "images": images,
        "labels": list(LABEL_ORDER),
        "labels_nl": LABELS_NL,
        "per_day_rows": [(short_day_nl(day), row) for day, row in figures.per_day.iterrows()],
        "platform_rows": [(PLATFORM_NAMES.get(p, p), row) for p, row in figures.platforms.iterrows()],
        "top_keys": {t.key for t in figures.top_topics[:3]},
        "trend_weeks": TREND_WEEKS,
        "trend_praise": int(trend["praise"].sum()),
        "trend_criticism": int(trend["criticism"].sum()),
        "min_rise": SPIKE_MIN_COUNT,
        "fmt": _fmt,
        "hours": _hours,
    }


def render_html(figures: WeeklyFigures, profile, image_sources: dict[str, str]) -> str:
    """The report as HTML; ``image_sources`` maps chart name to an img src (cid: or data:)."""
    return render("weekly.html", **_context(figures, profile, image_sources))


def render_text(figures: WeeklyFigures, profile) -> str:
    """The plain-text part of the email."""
    return render("weekly.txt", **_context(figures, profile, {}))


def render_pdf(html: str) -> bytes:
    """The archive HTML printed to an A4 PDF (fonts: DejaVu).

    WeasyPrint may read embedded data: images only, nothing from the network or the disk;
    a failed fetch stops the rendering instead of printing a report without its charts.
    """
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    return HTML(string=html, url_fetcher=fetcher, base_url=str(TEMPLATES)).write_pdf()


def build_weekly_report(figures: WeeklyFigures, profile) -> WeeklyReport:
    """Charts, email HTML, archive HTML, text and PDF of one week."""
    images = {cid(n): png for n, png in render_charts(figures).items()}
    html = render_html(figures, profile, {n: f"cid:{cid(n)}" for n in CHARTS})
    archive_html = embed_images(html, images)
    return WeeklyReport(
        week=figures.week.name,
        subject=subject_for(figures, profile),
        html=html,
        archive_html=archive_html,
        text=render_text(figures, profile),
        images=images,
        pdf=render_pdf(archive_html),
    )


def make_weekly_report(engine, profile, settings, week: str) -> WeeklyReport:
    """Read the store and render the report of ``week`` ('2026-W47')."""
    parsed = parse_week(week, profile.timezone)
    pseudonyms = Pseudonymiser.for_profile(load_key(settings.var_dir), profile)
    return build_weekly_report(load_figures(engine, profile, parsed, pseudonyms), profile)


def write_weekly_report(report: WeeklyReport, reports_dir: Path) -> tuple[Path, Path]:
    """Write the archive copy: reports_dir/weekly/<week>.html and .pdf."""
    folder = Path(reports_dir) / "weekly"
    folder.mkdir(parents=True, exist_ok=True)
    html_path, pdf_path = folder / f"{report.week}.html", folder / f"{report.week}.pdf"
    html_path.write_text(report.archive_html, encoding="utf-8")
    pdf_path.write_bytes(report.pdf)
    return html_path, pdf_path


def save_weekly_report(engine, profile, settings, week: str) -> tuple[Path, Path]:
    """Render the report of ``week`` and write only the archive copy (HTML and PDF)."""
    return write_weekly_report(make_weekly_report(engine, profile, settings, week),
                               settings.reports_dir)


def send_weekly_report(engine, profile, settings, week: str) -> Path:
    """Render, archive and mail the weekly report once (kind 'weekly_report', key = week)."""
    report = make_weekly_report(engine, profile, settings, week)
    write_weekly_report(report, settings.reports_dir)
    parsed = parse_week(week, profile.timezone)
    return deliver(
        engine, settings, kind=KIND, key=report.week, subject=report.subject, html=report.html,
        text=report.text, recipients=list(profile.recipients.weekly_report),
        inline_images=report.images, attachments={report.pdf_name: report.pdf},
        period=parsed.utc_bounds(),
    )

