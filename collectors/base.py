"""The collector interface every platform module implements.

A collector stores its arguments and does nothing else on construction. ``fetch`` lazily
yields pages of raw platform payloads, each with the cursor that may be saved once that
page is stored; ``to_mention`` maps one raw payload, purely. A collector never saves its
own cursor: the runner stores a page and its cursor in one transaction.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from voelspriet.errors import VoelsprietError
from voelspriet.mention import Mention

if TYPE_CHECKING:
    from voelspriet.profile import Profile


class SourceError(VoelsprietError):
    """A source failed (down, refused, garbage); the other sources still run."""


class MissingCredentials(SourceError):
    """No credentials for a source: it is skipped with one warning."""


class RateLimited(SourceError):
    """The platform asked us to wait longer than a run may wait."""


@dataclass(frozen=True)
class Window:
    """An explicit time window (an Airflow data interval) for backfills: [start, end)."""

    start: datetime
    end: datetime

    def __contains__(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


@dataclass
class Page:
    """Raw items plus the cursor to save once they are stored (``None``: keep the old one)."""

    items: list[dict[str, Any]]
    cursor: dict[str, Any] | None = None


class Collector(ABC):
    """One platform. Subclasses set ``platform`` and, when they log in, the credential fields.

    ``credential_fields`` maps a credential name to the Airflow connection attributes that may
    hold it (see collectors/credentials.py); ``required_credentials`` must all be present, or
    the source is skipped.
    """

    platform: ClassVar[str]
    needs_credentials: ClassVar[bool] = False
    credential_fields: ClassVar[dict[str, tuple[str, ...]]] = {}
    required_credentials: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        name: str,
        settings: dict[str, Any],
        profile: Profile,
        credentials: dict[str, Any] | None = None,
    ) -> None:
        self.name = name
        self.settings = settings
        self.profile = profile
        self.credentials = credentials

    @staticmethod  # noqa: B027 (an optional hook: a collector without settings checks nothing)
    def validate(settings: dict[str, Any]) -> None:
        """Raise ``ValueError("field: what is wrong. Tip: ...")`` for bad settings."""

    @abstractmethod
    def fetch(self, cursor: dict[str, Any] | None, window: Window | None = None) -> Iterator[Page]:
        """Yield pages of raw payloads newer than ``cursor`` (or inside ``window``)."""

    @abstractmethod
    def to_mention(self, raw: dict[str, Any]) -> Mention | None:
        """Map one raw payload to a Mention; ``None`` when it is not a mention (a stub)."""

    def seen_in(self, raw: dict[str, Any]) -> str | None:
        """A finer place than the source where ``raw`` was seen (one feed of several)."""
        return None
