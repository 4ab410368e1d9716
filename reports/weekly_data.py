"""The figures of the weekly sentiment report: pure pandas, from store rows to a WeeklyFigures.

A mention's labels are those of its latest classification (a mention can carry several). Its
topic is the triage decision's topic when there is one, else the profile topic whose keywords it
mentions most. Topics are counted only for mentions about the municipality's work (not labelled
``other`` alone).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from classifiers.triage import PLATFORM_NAMES
from reports.dutch import LABEL_NAMES, day_nl
from reports.pseudonyms import Pseudonymiser
from reports.templating import inert
from reports.weeks import Week

LABEL_ORDER = ("criticism", "praise", "policy_question", "factual_error", "offensive", "other")
LABELS_NL = {label: LABEL_NAMES[label] for label in LABEL_ORDER}
NEEDS_RESPONSE = ("respond", "consider_response")

TREND_WEEKS = 12          # the balance of praise and criticism over this many weeks
RISE_BASELINE_WEEKS = 4   # a topic's usual level: its mean over this many previous weeks
SPIKE_BASELINE_DAYS = 56  # a day's usual level: the previous 8 weeks of days
SPIKE_MIN_HISTORY_DAYS = 28
SPIKE_K = 3.0             # spike: above median + K * max(1.4826 * MAD, 1)
SPIKE_MIN_COUNT = 3
SPIKE_LABELS = ("criticism", "offensive")
THIN_WEEK = 20            # fewer mentions than this: the figures say little
MIN_FOR_PERCENT = 5       # below this, a change is told in counts, not percentages
EXCERPT_CHARS = 280
WEEKS_TO_LOAD = TREND_WEEKS - 1  # previous weeks needed besides the report week (>= 8 weeks)


@dataclass(frozen=True)
class Example:
    """One mention as the report may show it: pseudonymised, shortened, no private links."""

    mention_id: int
    author: str
    platform: str
    when: str
    text: str
    title: str | None
    link: str | None
    labels: str
    engagement: int


@dataclass(frozen=True)
class TopicFigure:
    key: str
    label: str
    count: int
    previous: int
    usual: float
    criticism: int
    examples: list[Example]

    @property
    def rise(self) -> float:
        return self.count - self.usual


@dataclass(frozen=True)
class Spike:
    day: date
    label: str
    count: int
    usual: float
    threshold: float

    @property
    def description(self) -> str:
        return (f"{day_nl(self.day)}: {self.count} keer {LABELS_NL[self.label]}, "
                f"normaal rond {self.usual:g} per dag")


@dataclass(frozen=True)
class Webcare:
    needed: int
    responded: int
    not_responding: int
    passed_on: int
    median_hours: float | None
    open: list[Example]


@dataclass
class WeeklyFigures:
    """Everything the template and the charts show for one week."""

    week: Week
    total: int
    previous_total: int
    unclassified: int
    per_day: pd.DataFrame            # index: days; columns: labels + 'totaal'
    label_counts: dict[str, tuple[int, int]]  # label -> (this week, previous week)
    trend: pd.DataFrame              # index: week names; columns praise, criticism, balance
    topics: list[TopicFigure]        # all topics with mentions this week or before, by count
    top_topics: list[TopicFigure]
    rising_topics: list[TopicFigure]
    platforms: pd.DataFrame          # index: platform; columns totaal + labels
    top_engagement: list[Example]
    webcare: Webcare
    changes: list[str]
    spikes: list[Spike]
    spike_note: str | None
    notes: list[str] = field(default_factory=list)

    @property
    def thin(self) -> bool:
        return self.total < THIN_WEEK


def mentions_frame(rows: list[dict], week: Week, profile) -> pd.DataFrame:
    """Store rows -> one row per mention with local day, week, labels list and topic."""
    columns = ["mention_id", "platform", "platform_id", "url", "author_handle", "title", "text",
               "created_at", "replies", "reposts", "likes", "reach", "labels", "scores", "action",
               "topic", "status"]
    df = pd.DataFrame(rows, columns=columns)
    df["created_at"] = pd.to_datetime(df["created_at"], utc=True)
    local = df["created_at"].dt.tz_convert(week.tz)
    df["day"] = local.dt.date
    iso = local.dt.isocalendar()
    df["week"] = [f"{y}-W{w:02d}" for y, w in zip(iso["year"], iso["week"])]
    df["classified"] = df["labels"].map(lambda v: isinstance(v, list))
    df["labels"] = df["labels"].map(lambda v: list(v) if isinstance(v, list) else [])
    for col in ("replies", "reposts", "likes"):
        df[col] = pd.to_numeric(df[col], errors="coerce").fillna(0).astype(int)
    df["engagement"] = df["replies"] + df["reposts"] + df["likes"]
    df["about_municipality"] = df["labels"].map(lambda labels: labels != ["other"])
    matcher = TopicMatcher(profile)
    df["topic"] = [
        triage_topic if isinstance(triage_topic, str) and triage_topic else matcher.match(
            f"{title or ''} {text or ''}")
        for triage_topic, title, text in zip(df["topic"], df["title"], df["text"])
    ]
    return df


def outcomes_frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["outcome_id", "mention_id", "outcome", "recorded_at",
                                     "responded_at", "account"])
    for col in ("recorded_at", "responded_at"):
        df[col] = pd.to_datetime(df[col], utc=True)
    return df


class TopicMatcher:
    """The profile topic whose keywords a text mentions most (words starting with a keyword)."""

    def __init__(self, profile):
        self._topics = [
            (key, [re.compile(r"(?<!\w)" + re.escape(kw.lower())) for kw in topic.keywords],
             [len(kw) for kw in topic.keywords])
            for key, topic in profile.topics.items()
        ]

    def match(self, text: str) -> str | None:
        low = text.lower()
        best, best_score = None, (0, 0)
        for key, patterns, lengths in self._topics:
            hits = [n for p, n in zip(patterns, lengths) if p.search(low)]
            score = (len(hits), max(hits, default=0))
            if score > best_score:
                best, best_score = key, score
        return best


def label_long(df: pd.DataFrame) -> pd.DataFrame:
    """One row per (mention, label)."""
    long = df.explode("labels").rename(columns={"labels": "label"})
    return long[long["label"].notna()]


def compute_weekly(mention_rows: list[dict], outcome_rows: list[dict], week: Week, profile,
                   pseudonyms: Pseudonymiser) -> WeeklyFigures:
    """All figures of the report for ``week`` from rows covering at least 11 weeks before it."""
    df = mentions_frame(mention_rows, week, profile)
    out = outcomes_frame(outcome_rows)
    previous_name = week.shifted(-1).name
    this = df[df["week"] == week.name]
    before = df[df["week"] == previous_name]
    long = label_long(df)
    show = _Shower(pseudonyms, week)

    per_day = (
        label_long(this).groupby(["day", "label"]).size().unstack(fill_value=0)
        .reindex(index=week.days, columns=list(LABEL_ORDER), fill_value=0)
    )
    per_day["totaal"] = this.groupby("day").size().reindex(week.days, fill_value=0)
    per_day = per_day.astype(int)

    weekly_labels = long.groupby(["week", "label"]).size().unstack(fill_value=0)
    weekly_labels = weekly_labels.reindex(index=week.names_back(TREND_WEEKS),
                                          columns=list(LABEL_ORDER), fill_value=0).astype(int)
    label_counts = {
        label: (int(weekly_labels.at[week.name, label]), int(weekly_labels.at[previous_name, label]))
        for label in LABEL_ORDER
    }
    trend = weekly_labels[["praise", "criticism"]].copy()
    trend["balance"] = trend["praise"] - trend["criticism"]

    topics = _topics(df, week, profile, show)
    top_topics = [t for t in topics if t.count > 0][:5]
    rising = sorted((t for t in topics if t.count >= SPIKE_MIN_COUNT and t.rise > 0),
                    key=lambda t: (-t.rise, -t.count, t.key))[:3]

    platforms = (
        label_long(this).groupby(["platform", "label"]).size().unstack(fill_value=0)
        .reindex(columns=list(LABEL_ORDER), fill_value=0)
    )
    platforms.insert(0, "totaal", this.groupby("platform").size())
    platforms = platforms.fillna(0).astype(int).sort_values(["totaal"], ascending=False)

    top = this.sort_values(["engagement", "created_at"], ascending=[False, True]).head(5)
    top_engagement = [show.example(row) for row in top.itertuples() if row.engagement > 0]

    webcare = _webcare(this, out, show)
    spikes, spike_note = _spikes(df, week)
    changes = _changes(label_counts, len(this), len(before), this, before, profile)
    return WeeklyFigures(
        week=week, total=len(this), previous_total=len(before),
        unclassified=int((~this["classified"]).sum()), per_day=per_day,
        label_counts=label_counts, trend=trend, topics=topics, top_topics=top_topics,
        rising_topics=rising, platforms=platforms, top_engagement=top_engagement,
        webcare=webcare, changes=changes, spikes=spikes, spike_note=spike_note,
    )


class _Shower:
    """Builds Examples: what a report may show of a mention (inert, pseudonymised, shortened)."""

    def __init__(self, pseudonyms: Pseudonymiser, week: Week):
        self.p = pseudonyms
        self.tz = week.tz

    def example(self, row: Any) -> Example:
        # Made inert before pseudonymising, so a bidi character inside a handle cannot cut
        # the handle short and leave part of it readable.
        handle = inert(row.author_handle) if isinstance(row.author_handle, str) else None
        text = self.p.text(inert(row.text))
        if len(text) > EXCERPT_CHARS:
            text = text[: EXCERPT_CHARS - 1].rstrip() + "…"
        title = inert(row.title) if isinstance(row.title, str) else ""
        local = row.created_at.tz_convert(self.tz)
        return Example(
            mention_id=int(row.mention_id),
            author=self.p.author(row.platform, handle),
            platform=PLATFORM_NAMES.get(row.platform, row.platform),
            when=f"{day_nl(local.date())} {local:%H:%M}",
            text=text,
            title=self.p.text(title) if title else None,
            link=self.p.link(row.platform, handle, inert(row.url) if isinstance(row.url, str) else None),
            labels=", ".join(LABELS_NL.get(lb, lb) for lb in row.labels) or "nog niet gelabeld",
            engagement=int(row.engagement),
        )


def _topics(df: pd.DataFrame, week: Week, profile, show: _Shower) -> list[TopicFigure]:
    relevant = df[df["about_municipality"] & df["topic"].notna()]
    counts = relevant.groupby(["week", "topic"]).size().unstack(fill_value=0)
    baseline_weeks = [week.shifted(-i).name for i in range(1, RISE_BASELINE_WEEKS + 1)]
    counts = counts.reindex(index=[week.name, *baseline_weeks], fill_value=0)
    this = relevant[relevant["week"] == week.name]
    figures = []
    for key in counts.columns:
        mine = this[this["topic"] == key].sort_values(["engagement", "created_at"],
                                                      ascending=[False, True])
        label = profile.topics[key].label if key in profile.topics else key
        figures.append(TopicFigure(
            key=key, label=label, count=int(counts.at[week.name, key]),
            previous=int(counts.at[baseline_weeks[0], key]),
            usual=float(counts.loc[baseline_weeks, key].mean()),
            criticism=int(mine["labels"].map(lambda lb: "criticism" in lb).sum()),
            examples=[show.example(row) for row in mine.head(3).itertuples()],
        ))
    return sorted(figures, key=lambda t: (-t.count, -t.rise, t.key))


def _webcare(this: pd.DataFrame, out: pd.DataFrame, show: _Shower) -> Webcare:
    needed = this[this["action"].isin(NEEDS_RESPONSE)]
    mine = out[out["mention_id"].isin(needed["mention_id"])]
    responded_rows = mine[mine["outcome"] == "responded"]
    responded_ids = set(responded_rows["mention_id"])
    first = responded_rows.dropna(subset=["responded_at"]).groupby("mention_id")["responded_at"].min()
    created = needed.set_index("mention_id")["created_at"]
    hours = ((first - created.reindex(first.index)).dt.total_seconds() / 3600.0)
    outcome_ids = set(mine["mention_id"])
    not_responding = set(mine.loc[mine["outcome"] == "not_responding", "mention_id"]) - responded_ids
    passed_on = (set(mine.loc[mine["outcome"] == "passed_on", "mention_id"]) - responded_ids
                 - not_responding)
    still_open = needed[~needed["mention_id"].isin(outcome_ids)].sort_values("created_at")
    return Webcare(
        needed=len(needed), responded=len(responded_ids), not_responding=len(not_responding),
        passed_on=len(passed_on),
        median_hours=float(hours.median()) if len(hours) else None,
        open=[show.example(row) for row in still_open.itertuples()],
    )


def robust_threshold(history: pd.Series) -> tuple[float, float]:
    """(usual level, spike threshold) of daily counts: median and median + K * scaled MAD."""
    median = float(history.median())
    mad = float((history - median).abs().median()) * 1.4826
    return median, median + SPIKE_K * max(mad, 1.0)


def _spikes(df: pd.DataFrame, week: Week) -> tuple[list[Spike], str | None]:
    first_day = week.days[0]
    history_days = pd.date_range(end=pd.Timestamp(first_day) - pd.Timedelta(days=1),
                                 periods=SPIKE_BASELINE_DAYS, freq="D").date
    if df.empty:
        return [], "Er zijn te weinig gegevens om pieken te herkennen."
    earliest = min(df["day"])
    history_days = [d for d in history_days if d >= earliest]
    if len(history_days) < SPIKE_MIN_HISTORY_DAYS:
        return [], (f"Pieken zijn niet bepaald: er zijn pas {len(history_days)} dagen gegevens "
                    f"voor deze week (minstens {SPIKE_MIN_HISTORY_DAYS} nodig).")
    long = label_long(df)
    daily = long.groupby(["day", "label"]).size().unstack(fill_value=0)
    spikes = []
    for label in SPIKE_LABELS:
        series = daily[label] if label in daily.columns else pd.Series(dtype=int)
        usual, threshold = robust_threshold(series.reindex(history_days, fill_value=0))
        for day in week.days:
            count = int(series.get(day, 0))
            if count >= SPIKE_MIN_COUNT and count > threshold:
                spikes.append(Spike(day, label, count, usual, threshold))
    return sorted(spikes, key=lambda s: (s.day, s.label)), None


def describe_change(now: int, before: int) -> str:
    """'+40% t.o.v. vorige week' or, for small numbers, 'van 2 naar 5'."""
    if before >= MIN_FOR_PERCENT:
        pct = round(100 * (now - before) / before)
        if pct == 0:
            return f"gelijk aan vorige week ({now})"
        return f"{pct:+d}% t.o.v. vorige week ({before} → {now})"
    if now == before:
        return f"gelijk aan vorige week ({now})"
    return f"van {before} naar {now} t.o.v. vorige week"


def _changes(label_counts, total, previous_total, this, before, profile) -> list[str]:
    """What changed, in Dutch sentences, biggest news first."""
    lines = [f"In totaal {total} vermeldingen: {describe_change(total, previous_total)}."]
    for label in ("criticism", "praise", "offensive", "factual_error", "policy_question"):
        now, prev = label_counts[label]
        if label not in ("criticism", "praise") and abs(now - prev) < 3:
            continue
        line = f"{LABELS_NL[label].capitalize()} {describe_change(now, prev)}"
        driver = _driving_topic(label, this, before, rising=now > prev)
        if driver and now != prev:
            name = profile.topics[driver].label.lower() if driver in profile.topics else driver
            line += f", {'vooral' if now > prev else 'minder'} over {name}"
        lines.append(line + ".")
    return lines


def _driving_topic(label: str, this: pd.DataFrame, before: pd.DataFrame, *, rising: bool):
    """The topic whose count of ``label`` mentions changed most in the direction of the change."""
    def counts(frame):
        has = frame[frame["labels"].map(lambda lb: label in lb) & frame["topic"].notna()]
        return has.groupby("topic").size()

    delta = counts(this).subtract(counts(before), fill_value=0)
    delta = delta[delta > 0] if rising else -delta[delta < 0]
    if delta.empty:
        return None
    return min(delta.items(), key=lambda kv: (-kv[1], kv[0]))[0]
