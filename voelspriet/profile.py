"""The municipality profile (config/<municipality>.yaml), validated on load.

Each section is a pydantic model that forbids unknown fields, so a typo is reported by
name. Source settings are checked by the collector that owns them; the triage policy by
classifiers.policy.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from voelspriet.errors import ConfigError

if TYPE_CHECKING:
    from classifiers.policy import TriagePolicy


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Municipality(Section):
    name: str
    aliases: list[str] = Field(min_length=1)
    accounts: dict[str, str] = {}
    website: str
    contact: str
    places: list[str] = []
    local_links: list[str] = []
    exclusions: list[str] = []


class Department(Section):
    name: str
    email: str | None = None
    topics: list[str] = Field(min_length=1)


class Topic(Section):
    label: str
    keywords: list[str] = Field(min_length=1)


class Recipients(Section):
    daily_triage: list[str] = Field(min_length=1)
    urgent_alert: list[str] = Field(min_length=1)
    weekly_report: list[str] = Field(min_length=1)
    maintainers: list[str] = Field(min_length=1)


class Retention(Section):
    mentions_days: int = Field(gt=0)
    collector_runs_days: int = Field(gt=0)


class Source(Section):
    """Common switches; the rest belongs to the collector (see collectors/<platform>)."""

    model_config = ConfigDict(extra="allow", frozen=True)
    enabled: bool = True
    platform: str | None = None

    def settings(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class Profile(Section):
    municipality: Municipality
    user_agent: str
    timezone: str = "Europe/Amsterdam"
    sources: dict[str, Source]
    topics: dict[str, Topic]
    departments: list[Department]
    recipients: Recipients
    retention: Retention
    triage: dict[str, Any]
    _policy: Any = PrivateAttr(default=None)

    @field_validator("departments")
    @classmethod
    def _topics_known(cls, departments: list[Department], info):
        topics = info.data.get("topics") or {}
        for i, dept in enumerate(departments):
            for topic in dept.topics:
                if topic not in topics:
                    raise ValueError(
                        f"departments.{i}.topics: onbekend onderwerp {topic!r}; "
                        f"kies uit {sorted(topics)}"
                    )
        return departments

    @property
    def policy(self) -> TriagePolicy:
        """The triage policy (classifiers.policy.TriagePolicy), validated once."""
        if self._policy is None:
            from classifiers.policy import load_policy

            self._policy = load_policy("profiel", self.triage, self)
        return self._policy

    def source_platform(self, name: str) -> str:
        return self.sources[name].platform or name

    def enabled_sources(self) -> list[str]:
        return [name for name, source in self.sources.items() if source.enabled]


_MESSAGES = {
    "missing": "ontbreekt",
    "extra_forbidden": "is geen bekend veld",
    "list_type": "moet een lijst zijn",
    "dict_type": "moet een tabel (sleutel: waarde) zijn",
    "string_type": "moet tekst zijn",
    "int_type": "moet een geheel getal zijn",
    "int_parsing": "moet een geheel getal zijn",
    "bool_type": "moet true of false zijn",
    "bool_parsing": "moet true of false zijn",
    "too_short": "mag niet leeg zijn",
    "greater_than": "moet groter zijn dan 0",
}
_HINTS = {
    "list_type": "Tip: schrijf [{value}].",
    "extra_forbidden": "Tip: controleer de spelling.",
    "missing": "Tip: voeg het veld toe.",
}


def describe_validation_error(path: Path | str, exc: ValidationError) -> str:
    """One line per problem: file, dotted field name, what is wrong, and a hint."""
    lines = []
    for err in exc.errors():
        where = ".".join(str(part) for part in err["loc"]) or "(bestand)"
        kind = err["type"]
        what = _MESSAGES.get(kind, err["msg"])
        got = "" if kind in ("missing",) else f", gevonden: {err.get('input')!r}"
        hint = _HINTS.get(kind, "").format(value=err.get("input"))
        lines.append(f"{path}: {where} {what}{got}. {hint}".strip())
    return "\n".join(lines)


def load_profile(path: Path | str) -> Profile:
    """Load and validate a profile, including source settings and the triage policy."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: profiel niet gevonden. Tip: zet VOELSPRIET_PROFILE.") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: geen geldige YAML ({exc}).".replace("\n", " ")) from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: het profiel moet een YAML-tabel zijn.")
    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(path, exc)) from None

    from classifiers.policy import load_policy
    from collectors.registry import validate_source

    for name, source in profile.sources.items():
        validate_source(path, name, profile.source_platform(name), source.settings())
    profile._policy = load_policy(path, profile.triage, profile)
    return profile
