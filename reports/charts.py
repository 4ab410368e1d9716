"""Charts for the reports: PNG bytes from DataFrames, readable in grayscale and when colour-blind.

Colours are the Okabe-Ito palette; every series also has its own marker, line style or hatching,
and is labelled directly at its end instead of through a legend. matplotlib is imported inside
the functions (Agg backend) because importing it is slow and needs no display.
"""

from __future__ import annotations

import io

import pandas as pd

OKABE_ITO = {
    "orange": "#E69F00", "sky_blue": "#56B4E9", "bluish_green": "#009E73", "yellow": "#F0E442",
    "blue": "#0072B2", "vermillion": "#D55E00", "reddish_purple": "#CC79A7", "black": "#000000",
}
# label -> (colour, marker, line style); chosen to stay apart in grayscale too.
LABEL_STYLE = {
    "criticism": (OKABE_ITO["vermillion"], "s", "-"),
    "praise": (OKABE_ITO["bluish_green"], "o", "--"),
    "policy_question": (OKABE_ITO["blue"], "^", "-."),
    "factual_error": (OKABE_ITO["orange"], "D", ":"),
    "offensive": (OKABE_ITO["reddish_purple"], "X", "-"),
    "other": ("#777777", "v", ":"),
}
DPI = 110


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({
        "font.family": "DejaVu Sans", "font.size": 10, "axes.titlesize": 12,
        "axes.spines.top": False, "axes.spines.right": False,
        "svg.fonttype": "none", "pdf.fonttype": 42,
    })
    return plt


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight", metadata={"Software": None})
    _pyplot().close(fig)
    return buf.getvalue()


def _spread(ys: list[float], gap: float) -> list[float]:
    """Label positions near ``ys`` that are at least ``gap`` apart (for direct labels)."""
    order = sorted(range(len(ys)), key=lambda i: ys[i])
    placed = [0.0] * len(ys)
    last = None
    for i in order:
        y = ys[i] if last is None else max(ys[i], last + gap)
        placed[i] = last = y
    return placed


def _direct_labels(ax, x, items: list[tuple[str, float, str]]) -> None:
    """Write ``text`` at the right end of each series, spread so they do not overlap."""
    low, high = ax.get_ylim()
    positions = _spread([y for _, y, _ in items], gap=(high - low) * 0.06)
    for (text, _, colour), y in zip(items, positions):
        ax.annotate(text, xy=(x, y), xytext=(8, 0), textcoords="offset points", va="center",
                    color=colour, fontsize=9, fontweight="bold", annotation_clip=False)
    top = max(positions, default=high)
    if top > high:
        ax.set_ylim(low, top * 1.05)


def _empty(ax, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, fontsize=11,
            color="#444444")


def _no_bars(ax, message: str) -> None:
    """A bar chart without bars: only the message, no empty axes."""
    _empty(ax, message)
    ax.set_yticks([])
    ax.set_xticks([])


def daily_volume_chart(per_day: pd.DataFrame, day_labels: list[str], labels_nl: dict[str, str],
                       spike_days: dict[int, str] | None = None) -> bytes:
    """Mentions per day: total as grey bars, each label as a line with its own marker."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8.2, 3.8))
    x = list(range(len(per_day)))
    totals = per_day["totaal"].tolist()
    bars = ax.bar(x, totals, color="#E8E8E8", edgecolor="#9A9A9A", hatch="..", width=0.7,
                  label="totaal", zorder=1)
    ax.bar_label(bars, labels=[str(t) for t in totals], padding=2, fontsize=8, color="#555555")
    items = []
    for label, (colour, marker, style) in LABEL_STYLE.items():
        if label not in per_day.columns or per_day[label].sum() == 0:
            continue
        ys = per_day[label].tolist()
        ax.plot(x, ys, color=colour, marker=marker, linestyle=style, linewidth=2, markersize=6,
                zorder=3)
        items.append((labels_nl[label], ys[-1], colour))
    ax.set_ylim(0, max(max(totals, default=0), 1) * 1.15)
    for i, text in (spike_days or {}).items():
        ax.annotate(text, xy=(i, totals[i]), xytext=(0, 14), textcoords="offset points",
                    ha="center", fontsize=8, fontweight="bold",
                    arrowprops={"arrowstyle": "-|>", "color": "black"})
    ax.set_xlim(-0.6, len(x) + 0.9)  # room on the right for the direct labels
    _direct_labels(ax, len(x) - 0.55, items)
    ax.set_xticks(x, day_labels)
    ax.set_title("Vermeldingen per dag en per label")
    ax.set_ylabel("aantal vermeldingen")
    ax.set_xlabel("dag (grijze balk = alle vermeldingen)")
    if sum(totals) == 0:
        _empty(ax, "Geen vermeldingen deze week")
    return _png(fig)


def balance_trend_chart(trend: pd.DataFrame, week_labels: list[str]) -> bytes:
    """Praise and criticism per week over the trend period, with the balance as bars."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8.2, 3.6))
    x = list(range(len(trend)))
    balance = trend["balance"].tolist()
    ax.bar(x, balance, color=["#CCCCCC" if b >= 0 else "#FFFFFF" for b in balance],
           edgecolor="#666666", hatch="//", width=0.6, zorder=1)
    ax.axhline(0, color="black", linewidth=0.8)
    items = []
    for label, text in (("praise", "complimenten"), ("criticism", "kritiek")):
        colour, marker, style = LABEL_STYLE[label]
        ys = trend[label].tolist()
        ax.plot(x, ys, color=colour, marker=marker, linestyle=style, linewidth=2.2, markersize=6,
                zorder=3)
        items.append((f"{text} {ys[-1]}", ys[-1], colour))
    items.append((f"saldo {balance[-1]:+d}", balance[-1], "#444444"))
    low = min(min(balance, default=0), 0)
    high = max(trend[["praise", "criticism"]].to_numpy().max(initial=0), 1)
    ax.set_ylim(low * 1.2 - 0.5, high * 1.2)
    _direct_labels(ax, x[-1], items)
    ax.set_xticks(x, week_labels)
    ax.set_xlim(-0.6, len(x) - 0.4)
    ax.set_title("Complimenten en kritiek per week (balken: saldo complimenten min kritiek)")
    ax.set_ylabel("aantal vermeldingen")
    ax.set_xlabel("week")
    return _png(fig)


def topics_chart(names: list[str], this_week: list[int], usual: list[float]) -> bytes:
    """Topics as horizontal bars: this week (solid) next to the usual level (hatched)."""
    plt = _pyplot()
    height = max(1.6, 0.45 * len(names) + 1.0)
    fig, ax = plt.subplots(figsize=(8.2, height))
    if not names:
        _no_bars(ax, "Geen onderwerpen herkend deze week")
    else:
        y = list(range(len(names)))[::-1]
        now = ax.barh([v + 0.2 for v in y], this_week, height=0.38, color=OKABE_ITO["blue"],
                      label="deze week")
        was = ax.barh([v - 0.2 for v in y], usual, height=0.38, color="white",
                      edgecolor=OKABE_ITO["black"], hatch="///", label="gemiddeld vorige 4 weken")
        ax.bar_label(now, labels=[str(v) for v in this_week], padding=3, fontsize=8)
        ax.bar_label(was, labels=[f"{v:.1f}".replace(".", ",") for v in usual], padding=3,
                     fontsize=8, color="#444444")
        ax.set_yticks(y, names)
        ax.legend(loc="lower right", frameon=False, fontsize=8)
        ax.set_xlabel("aantal vermeldingen")
        ax.set_xlim(0, max(max(this_week), max(usual), 1) * 1.25)
    ax.set_title("Onderwerpen: deze week en normaal")
    return _png(fig)


def platforms_chart(names: list[str], totals: list[int], criticism: list[int]) -> bytes:
    """Mentions per platform, with the share that is criticism hatched inside each bar."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8.2, max(1.6, 0.5 * len(names) + 1.0)))
    if not names:
        _no_bars(ax, "Geen vermeldingen deze week")
    else:
        y = list(range(len(names)))[::-1]
        bars = ax.barh(y, totals, height=0.6, color=OKABE_ITO["sky_blue"], edgecolor="black",
                       label="alle vermeldingen")
        ax.barh(y, criticism, height=0.6, color=LABEL_STYLE["criticism"][0], edgecolor="black",
                hatch="xx", label="waarvan kritiek")
        ax.bar_label(bars, labels=[f"{t} (kritiek {c})" for t, c in zip(totals, criticism)],
                     padding=3, fontsize=8)
        ax.set_yticks(y, names)
        ax.set_xlim(0, max(max(totals), 1) * 1.35)
        ax.legend(loc="lower right", frameon=False, fontsize=8)
        ax.set_xlabel("aantal vermeldingen")
    ax.set_title("Vermeldingen per platform")
    return _png(fig)


def daily_topics_chart(counts: dict[str, int]) -> bytes:
    """The daily email's chart: mentions per topic as horizontal bars, biggest on top."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    items = sorted(counts.items(), key=lambda item: (item[1], item[0]))
    fig = Figure(figsize=(5.6, 0.45 * len(items) + 0.7), dpi=110)
    ax = fig.add_subplot()
    ax.barh([name for name, _ in items], [n for _, n in items], color="#1f5f8b")
    for i, (_, n) in enumerate(items):
        ax.text(n, i, f" {n}", va="center", fontsize=9)
    ax.set_xlabel("vermeldingen")
    ax.xaxis.get_major_locator().set_params(integer=True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
