"""The one object that travels through the pipeline."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

PLATFORMS = ("x", "reddit", "news", "mastodon", "bluesky")


@dataclass(frozen=True, slots=True)
class Mention:
    """A public post, comment or article that mentions the municipality.

    Identity is ``(platform, platform_id)``. A missing value is ``None``, never ``""``.
    Datetimes are timezone-aware UTC. ``raw`` is the platform payload, untouched.
    """

    platform: str
    platform_id: str
    url: str | None
    author_handle: str | None
    text: str
    created_at: datetime
    title: str | None = None
    language: str | None = None
    collected_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    replies: int | None = None
    reposts: int | None = None
    likes: int | None = None
    reach: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.platform not in PLATFORMS:
            raise ValueError(f"unknown platform {self.platform!r}; expected one of {PLATFORMS}")
        if not self.platform_id:
            raise ValueError("platform_id must not be empty")
        for name in ("created_at", "collected_at"):
            if getattr(self, name).tzinfo is None:
                raise ValueError(f"{name} must be timezone-aware")

    @property
    def key(self) -> tuple[str, str]:
        return (self.platform, self.platform_id)

    def to_json_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (datetimes as ISO 8601)."""
        data = asdict(self)
        data["created_at"] = self.created_at.isoformat()
        data["collected_at"] = self.collected_at.isoformat()
        return data
