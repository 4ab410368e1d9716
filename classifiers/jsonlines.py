"""The ``voelspriet classify`` contract: JSON lines in, the same lines plus the verdict out.

Each input line is a JSON object with at least ``text``. Each output line carries the input
fields plus ``labels``, ``scores`` (label -> probability), ``action`` (rule 6, from the
profile's triage policy) and ``needs_review``. A line that cannot be read (invalid UTF-8, not
JSON, not an object, no text) produces one output line with an ``error`` field (and the input
fields where they could be read); the batch carries on. Output order equals input order.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import TextIO

from classifiers.model import Model
from classifiers.policy import TriagePolicy

BATCH = 1_000


def parse_line(raw: bytes) -> tuple[dict, str | None]:
    """The record of one input line and the error that stops it being classified, if any."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return {}, f"geen geldige UTF-8 (byte {exc.start})"
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return {}, f"geen geldige JSON ({exc.msg}, kolom {exc.colno})"
    if not isinstance(record, dict):
        return {}, "een regel moet een JSON-object zijn"
    if "text" not in record:
        return record, "veld 'text' ontbreekt"
    if not isinstance(record["text"], str):
        return record, "veld 'text' moet tekst zijn"
    return record, None


def classify_lines(
    lines: Iterable[bytes],
    out: TextIO,
    model: Model,
    policy: TriagePolicy,
    *,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, int]:
    """Classify JSON lines in batches; returns (lines classified, lines with an error)."""
    done = failed = 0
    pending: list[tuple[dict, str | None]] = []

    def flush() -> None:
        nonlocal done, failed
        good = [record for record, error in pending if error is None]
        predictions = iter(model.predict([record["text"] for record in good]))
        for record, error in pending:
            if error is None:
                labels, scores, review = next(predictions)
                record = {**record, "labels": labels, "scores": scores,
                          "action": policy.action_for(labels), "needs_review": review}
                done += 1
            else:
                record = {**record, "error": error}
                failed += 1
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        if progress:
            progress(len(pending))
        pending.clear()

    for raw in lines:
        raw = raw.rstrip(b"\r\n")
        if not raw.strip():
            continue
        pending.append(parse_line(raw))
        if len(pending) >= BATCH:
            flush()
    if pending:
        flush()
    out.flush()
    return done, failed

