"""The rule-6 triage policy, read from the profile's ``triage`` section."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from classifiers.labels import ACTIONS, LABELS
from voelspriet.errors import ConfigError


class TriagePolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    actions: dict[str, str]

    def action_for(self, labels: list[str] | tuple[str, ...]) -> str:
        """The strongest action any of ``labels`` asks for (``none`` without labels)."""
        wanted = {self.actions[label] for label in labels}
        return next((a for a in ACTIONS if a in wanted), "none")


def load_policy(path: Path | str, data: dict[str, Any], profile: Any = None) -> TriagePolicy:
    """Validate the policy; every label must have a known action."""
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
    return policy
