"""The daily email's one chart: which topics the day's mentions were about."""

from __future__ import annotations

import io


def topic_chart(counts: dict[str, int]) -> bytes:
    """A small horizontal bar chart (PNG) of mentions per topic, biggest on top."""
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
