"""Offline replay: recorded, normalised mentions from a bundled JSON-lines file.

It lets the demo and the tests run the whole pipeline with no network and no
credentials. See collectors/replay/DESCRIPTION.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from collectors.base import Collector, Page, SourceError, Window
from voelspriet.mention import Mention
from voelspriet.settings import ROOT

PAGE_SIZE = 500


class ReplayCollector(Collector):
    platform = "replay"

    @staticmethod
    def validate(settings: dict[str, Any]) -> None:
        file = settings.get("file")
        if not isinstance(file, str) or not file:
            raise ValueError(f"file moet een pad naar een JSON-lines-bestand zijn, gevonden: {file!r}.")

    @property
    def path(self) -> Path:
        path = Path(self.settings["file"])
        return path if path.is_absolute() else ROOT / path

    def fetch(self, cursor: dict[str, Any] | None, window: Window | None = None) -> Iterator[Page]:
        start = 0 if window else int((cursor or {}).get("line", 0))
        page: list[dict[str, Any]] = []
        line_no = 0
        try:
            with self.path.open(encoding="utf-8") as lines:
                for line_no, line in enumerate(lines, start=1):
                    if line_no <= start or not line.strip():
                        continue
                    try:
                        raw = json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise SourceError(f"replay: {self.path}:{line_no} is geen JSON ({exc.msg}).") from None
                    try:
                        if window and _created_at(raw) not in window:
                            continue
                    except (KeyError, TypeError, ValueError, AttributeError):
                        raise SourceError(
                            f"replay: {self.path}:{line_no} heeft geen geldige created_at."
                        ) from None
                    page.append(raw)
                    if len(page) >= PAGE_SIZE:
                        yield Page(page, None if window else {"line": line_no})
                        page = []
        except FileNotFoundError:
            raise SourceError(f"replay: bestand {self.path} bestaat niet.") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise SourceError(f"replay: {self.path} is niet leesbaar ({exc}).") from None
        yield Page(page, None if window else {"line": max(line_no, start)})

    def to_mention(self, raw: dict[str, Any]) -> Mention:
        return Mention(
            platform=raw["platform"],
            platform_id=str(raw["platform_id"]),
            url=raw.get("url") or None,
            author_handle=raw.get("author_handle") or None,
            title=raw.get("title") or None,
            text=raw["text"],
            language=raw.get("language") or None,
            created_at=_created_at(raw),
            replies=raw.get("replies"),
            reposts=raw.get("reposts"),
            likes=raw.get("likes"),
            reach=raw.get("reach"),
            raw=raw,
        )

    def seen_in(self, raw: dict[str, Any]) -> str | None:
        return raw.get("feed")


def _created_at(raw: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(raw["created_at"].replace("Z", "+00:00"))
