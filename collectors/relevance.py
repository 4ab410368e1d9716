"""Is a mention about this municipality? Decided from the profile, with a reason."""

from __future__ import annotations

import re
from dataclasses import dataclass

from voelspriet.mention import Mention
from voelspriet.profile import Profile


@dataclass(frozen=True)
class Verdict:
    keep: bool
    reason: str


def _pattern(phrases: list[str]) -> re.Pattern[str] | None:
    if not phrases:
        return None
    alternatives = "|".join(re.escape(p.lower()) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<![\w@#])({alternatives})(?!\w)")


class RelevanceFilter:
    """Keeps mentions that name the municipality or its places; drops the exclusions."""

    def __init__(self, profile: Profile) -> None:
        town = profile.municipality
        self.strong = _pattern([a for a in town.aliases if a.lower() != town.name.lower()])
        self.names = _pattern([town.name, *town.aliases, *town.places])
        self.exclusions = _pattern(town.exclusions)

    def __call__(self, mention: Mention) -> Verdict:
        text = f"{mention.title or ''}\n{mention.text}".lower()
        strong = self.strong.search(text) if self.strong else None
        if strong:
            return Verdict(True, f"noemt {strong.group(1)!r}")
        excluded = self.exclusions.search(text) if self.exclusions else None
        if excluded:
            return Verdict(False, f"uitgesloten: {excluded.group(1)!r}")
        named = self.names.search(text) if self.names else None
        if named:
            return Verdict(True, f"noemt {named.group(1)!r}")
        return Verdict(False, "noemt Heemstede en zijn plaatsen niet")
