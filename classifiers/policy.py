"""The rule-6 triage policy, read from the profile's ``triage`` section.

Communicatie changes the policy in the profile, not in code. Everything a decision needs is
here: the action per label (rule 6), the reason a person reads (citing the checklist), who
replies (rule 5), how soon (a deadline per action), how urgency is scored (rule 5: opinion is
formed after the first five reactions) and the platforms' character limits (rule 8).
"""

from __future__ import annotations

import math
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from classifiers.labels import ACTIONS, LABELS
from voelspriet.errors import ConfigError

# Who replies: the municipality's own account on the mention's platform, or a decision
# taken together with Communicatie (rule 5).
ReplyFrom = Literal["gemeente", "communicatie"]
UrgencyLevel = Literal["laag", "normaal", "hoog"]
URGENCY_LEVELS: tuple[str, ...] = ("laag", "normaal", "hoog")
# Actions after which somebody (possibly) writes a reply; rule 5 and 8 apply to these.
REPLY_ACTIONS = ("respond", "consider_response")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ActionSettings(_Section):
    """What an action means in practice: who replies and how soon."""

    reply_from: ReplyFrom | None = None
    deadline_hours: float | None = Field(default=None, gt=0)


class UrgencySettings(_Section):
    """Rule 5: respond quickly, because opinion is formed after the first five reactions.

    The score adds three ratios, each 1.0 at its threshold: replies per hour since posting
    against ``replies_per_hour_high``, reach against ``reach_high`` and reposts against
    ``reposts_high``. A mention that already gathered ``first_reactions`` replies counts as
    ``hoog`` while it is younger than ``fresh_hours``: the opinion is being formed now.
    """

    first_reactions: int = Field(default=5, gt=0)
    fresh_hours: float = Field(default=6, gt=0)
    replies_per_hour_high: float = Field(default=5, gt=0)
    reach_high: int = Field(default=10_000, gt=0)
    reposts_high: int = Field(default=20, gt=0)
    # Engagement of a post younger than this is spread over this many hours, so two quick
    # replies in the first minute do not look like a storm.
    min_age_hours: float = Field(default=1, gt=0)
    normaal_from: float = Field(default=0.3, ge=0)
    hoog_from: float = Field(default=1.0, gt=0)
    alert_max_age_hours: float = Field(default=48, gt=0)

    @model_validator(mode="after")
    def _levels_ordered(self):
        if self.normaal_from >= self.hoog_from:
            raise ValueError(
                f"normaal_from ({self.normaal_from}) moet kleiner zijn dan hoog_from ({self.hoog_from})"
            )
        return self


class TriagePolicy(_Section):
    """Labels to actions, with reasons, reply accounts, deadlines, urgency and reply limits."""

    actions: dict[str, str]
    reasons: dict[str, str] = {}
    per_action: dict[str, ActionSettings] = {}
    reply_from_by_label: dict[str, ReplyFrom] = {}
    urgency: UrgencySettings = UrgencySettings()
    # Rule 8: characters a reply may have per platform; null means no practical limit.
    reply_limits: dict[str, int | None] = {}

    def action_for(self, labels: list[str] | tuple[str, ...]) -> str:
        """The strongest action any of ``labels`` asks for (``none`` without labels)."""
        wanted = {self.actions[label] for label in labels}
        return next((a for a in ACTIONS if a in wanted), "none")

    def deciding_labels(self, labels: list[str] | tuple[str, ...]) -> list[str]:
        """The labels whose action won, in the order of LABELS."""
        action = self.action_for(labels)
        return [label for label in LABELS if label in labels and self.actions[label] == action]

    def reason_for(self, labels: list[str] | tuple[str, ...]) -> str:
        """The checklist reasons for ``labels``: the deciding labels first, then the others."""
        deciding = self.deciding_labels(labels)
        rest = [label for label in LABELS if label in labels and label not in deciding]
        if len(deciding) + len(rest) > 1:
            # `other` next to a real label only says the model also saw something unrelated.
            rest = [label for label in rest if label != "other"]
        return " ".join(self.reasons[label] for label in deciding + rest)

    def reply_from_for(self, labels: list[str] | tuple[str, ...]) -> str | None:
        """Who replies (rule 5); a label's own setting wins over its action's, caution first."""
        action = self.action_for(labels)
        overrides = {self.reply_from_by_label[label] for label in self.deciding_labels(labels)
                     if label in self.reply_from_by_label}
        if "communicatie" in overrides:
            # Rule 1 and 4: when in doubt, Communicatie decides who replies.
            return "communicatie"
        if overrides:
            return overrides.pop()
        settings = self.per_action.get(action)
        return settings.reply_from if settings else None

    def deadline_for(self, action: str) -> timedelta | None:
        """How long after collection the action should be done, if the policy sets a deadline."""
        settings = self.per_action.get(action)
        if settings is None or settings.deadline_hours is None:
            return None
        return timedelta(hours=settings.deadline_hours)

    def urgency_for(
        self, *, replies: int | None, reposts: int | None, reach: int | None, age: timedelta
    ) -> tuple[float, str]:
        """The rule-5 urgency score and level for engagement observed ``age`` after posting."""
        u = self.urgency
        hours = max(age.total_seconds() / 3600, u.min_age_hours)
        replies, reposts, reach = replies or 0, reposts or 0, reach or 0
        score = (
            (replies / hours) / u.replies_per_hour_high
            + reach / u.reach_high
            + reposts / u.reposts_high
        )
        score = round(score, 3)
        if replies >= u.first_reactions and age.total_seconds() / 3600 <= u.fresh_hours:
            score = max(score, u.hoog_from)
        if not math.isfinite(score):
            score = u.hoog_from
        if score >= u.hoog_from:
            return score, "hoog"
        if score >= u.normaal_from:
            return score, "normaal"
        return score, "laag"

    def reply_limit(self, platform: str) -> int | None:
        """Rule 8: the characters a reply may have on ``platform`` (None: no practical limit)."""
        return self.reply_limits.get(platform)


def _field_error(path: Path | str, field: str, message: str) -> ConfigError:
    return ConfigError(f"{path}: triage.{field} {message}")


def load_policy(path: Path | str, data: dict[str, Any], profile: Any = None) -> TriagePolicy:
    """Validate the policy; every label needs a known action and a reason."""
    from voelspriet.profile import describe_validation_error

    try:
        policy = TriagePolicy.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(f"{path}: triage", exc)) from None
    missing = [label for label in LABELS if label not in policy.actions]
    if missing:
        raise ConfigError(
            f"{path}: triage.actions mist een actie voor {', '.join(missing)}. "
            f"Tip: geef elk label een actie uit {', '.join(ACTIONS)}."
        )
    for label, action in policy.actions.items():
        if label not in LABELS:
            raise ConfigError(f"{path}: triage.actions.{label} is geen bekend label; kies uit {', '.join(LABELS)}.")
        if action not in ACTIONS:
            raise ConfigError(
                f"{path}: triage.actions.{label} heeft onbekende actie {action!r}; "
                f"kies uit {', '.join(ACTIONS)}."
            )
    _check_labels(path, "reasons", policy.reasons, required=True)
    for label, reason in policy.reasons.items():
        if not reason.strip():
            raise _field_error(path, f"reasons.{label}", "is leeg. Tip: schrijf de reden met de regel uit de checklist.")
    _check_labels(path, "reply_from_by_label", policy.reply_from_by_label, required=False)
    for action in policy.per_action:
        if action not in ACTIONS:
            raise _field_error(
                path, f"per_action.{action}", f"is geen bekende actie; kies uit {', '.join(ACTIONS)}."
            )
    used = set(policy.actions.values())
    for action in REPLY_ACTIONS:
        if action in used and (action not in policy.per_action or policy.per_action[action].deadline_hours is None):
            raise _field_error(
                path, f"per_action.{action}.deadline_hours",
                "ontbreekt. Tip: geef aan binnen hoeveel uur er gereageerd moet zijn (regel 5: reageer snel).",
            )
    for platform, limit in policy.reply_limits.items():
        if limit is not None and limit <= 0:
            raise _field_error(path, f"reply_limits.{platform}", f"moet groter zijn dan 0, gevonden: {limit}.")
    if profile is not None:
        from voelspriet.mention import PLATFORMS

        unknown = sorted(set(policy.reply_limits) - set(PLATFORMS))
        if unknown:
            raise _field_error(
                path, f"reply_limits.{unknown[0]}", f"is geen bekend platform; kies uit {', '.join(PLATFORMS)}."
            )
    return policy


def _check_labels(path: Path | str, field: str, values: dict[str, Any], *, required: bool) -> None:
    for label in values:
        if label not in LABELS:
            raise _field_error(path, f"{field}.{label}", f"is geen bekend label; kies uit {', '.join(LABELS)}.")
    missing = [label for label in LABELS if label not in values]
    if required and missing:
        raise _field_error(
            path, field, f"mist een tekst voor {', '.join(missing)}. "
            "Tip: schrijf per label de reden met de regel uit de checklist."
        )
