"""The rule-7 record of one outcome as a stand-alone HTML page or PDF, for the DMS (Verseon).

The page carries its own styles and no scripts or remote resources, so it looks the same
when opened from the archive years later. WeasyPrint fetches nothing from the network.
"""

from __future__ import annotations

from datetime import UTC, datetime

import jinja2

from voelspriet.errors import VoelsprietError

SNAPSHOT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


class SnapshotError(VoelsprietError):
    """The PDF could not be made."""


def render_html(env: jinja2.Environment, record: dict, municipality: str) -> str:
    """The snapshot page for ``record`` (outcome_with_context)."""
    return env.get_template("snapshot.html").render(
        **record, municipality=municipality, generated_at=datetime.now(UTC)
    )


def _no_fetch(url: str, *args, **kwargs):
    raise ValueError(f"snapshot does not load resources ({url[:40]})")


def render_pdf(html: str) -> bytes:
    """The snapshot as PDF (WeasyPrint; no resources are loaded)."""
    try:
        from weasyprint import HTML

        return HTML(string=html, url_fetcher=_no_fetch).write_pdf()
    except (OSError, ValueError) as exc:
        raise SnapshotError(f"de PDF kon niet worden gemaakt: {exc}") from exc
