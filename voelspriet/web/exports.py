"""The current mention view as CSV or Excel, safe to open in a spreadsheet.

A cell that starts with = + - @ (or a tab or carriage return) would be run as a formula
by Excel or LibreOffice (CSV injection, OWASP); such cells get a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from store.web_queries import effective_labels
from voelspriet.web.rendering import ACTION_NAMES, LABEL_NAMES, PLATFORM_NAMES, STATUS_NAMES

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = (
    ("id", "id"), ("datum", "created_at"), ("platform", "platform"), ("auteur", "author_handle"),
    ("titel", "title"), ("tekst", "text"), ("link", "url"), ("taal", "language"),
    ("labels", "labels"), ("gecorrigeerd", "corrected"), ("actie", "action"),
    ("urgentie", "urgency"), ("urgentieniveau", "urgency_level"), ("onderwerp", "topic"),
    ("afdelingen", "departments"), ("status", "status"), ("toegewezen aan", "assignee"),
    ("deadline", "deadline"), ("reacties", "replies"), ("reposts", "reposts"),
    ("likes", "likes"), ("bereik", "reach"), ("reden", "reason"),
)
HEADER = [name for name, _ in COLUMNS]


def neutralise(value):
    """A cell value that a spreadsheet shows as text, never runs as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def export_values(row: dict, zone: ZoneInfo) -> list:
    """One mention row as the export's cells (Dutch names, local times)."""
    def when(value: datetime | None):
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else None

    cells = {
        **row,
        "created_at": when(row["created_at"]),
        "deadline": when(row["deadline"]),
        "platform": PLATFORM_NAMES.get(row["platform"], row["platform"]),
        "labels": ", ".join(LABEL_NAMES.get(x, x) for x in effective_labels(row)),
        "corrected": "ja" if row.get("corrected_labels") else "nee",
        "action": ACTION_NAMES.get(row["action"], row["action"]),
        "status": STATUS_NAMES.get(row["status"], row["status"]),
        "departments": ", ".join(row["departments"] or []),
        "urgency": round(row["urgency"], 2) if row["urgency"] is not None else None,
    }
    return [neutralise(cells[key]) for _, key in COLUMNS]


def csv_chunks(rows: Iterable[dict], zone: ZoneInfo) -> Iterator[str]:
    """CSV (semicolon-separated, UTF-8 with BOM: what Dutch Excel opens directly), streamed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(HEADER)
    for n, row in enumerate(rows, 1):
        writer.writerow(export_values(row, zone))
        if n % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_bytes(rows: Iterable[dict], zone: ZoneInfo) -> bytes:
    """An Excel workbook of the rows (openpyxl write-only mode keeps memory flat)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Vermeldingen")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(export_values(row, zone))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
