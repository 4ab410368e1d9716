"""Is a mention about this municipality? Decided from the profile, with a reason.

The profile lists the municipality's name, aliases, local places and exclusions. Exclusions
come in two kinds:

- those that contain the name (``Kasteel Heemstede``, ``van Heemstede``, ``Heemstede, Iowa``)
  hide that occurrence of the name: the castle in Houten or a surname does not count, but
  another plain "Heemstede" in the same text still does;
- those that do not (``Houten``) say the text is about somewhere else, unless it also names an
  alias of the municipality itself or one of its places.

The reason is stored with a kept mention (``mentions.relevance``) and counted per dropped
mention in ``collector_runs.drop_reasons``.
"""

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
    phrases = [p for p in phrases if p.strip()]
    if not phrases:
        return None
    alternatives = "|".join(re.escape(p.lower()) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<![\w@#])({alternatives})(?!\w)")


class RelevanceFilter:
    """Keeps mentions that name the municipality or its places; drops the exclusions."""

    def __init__(self, profile: Profile) -> None:
        town = profile.municipality
        name = town.name.lower()
        self.strong = _pattern([a for a in town.aliases if a.lower() != name])
        self.names = _pattern([town.name, *town.aliases])
        self.places = _pattern(town.places)
        named_exclusions = [e for e in town.exclusions if name in e.lower()]
        self.masks = _pattern([e for e in named_exclusions if not e[:1].islower()])
        # "van Heemstede" is a surname only after a name, an initial or a title ("Piet van
        # Heemstede", "J. van Heemstede", "jhr. van Heemstede"); "inwoners van Heemstede" and
        # "Inwoners van Heemstede" at the start of a sentence are about the town.
        surnames = [e for e in named_exclusions if e[:1].islower()]
        self.surnames = re.compile(
            r"(?:(?<=[^.!?:\s][ \t])[A-Z][a-z\u00e0-\u00ff]+|\b[A-Z]\.|\b(?i:dhr|mr|mevr|jhr|jonkheer|ir|dr|drs|prof)\.?)"
            rf"\s+(?i:({'|'.join(re.escape(e) for e in surnames)}))(?!\w)"
        ) if surnames else None
        self.elsewhere = _pattern([e for e in town.exclusions if name not in e.lower()])
        self.town = town.name

    def __call__(self, mention: Mention) -> Verdict:
        original = f"{mention.title or ''}\n{mention.text}"
        masked: list[str] = []
        if self.surnames:
            masked = [m.group(1).lower() for m in self.surnames.finditer(original)]
            original = self.surnames.sub(" ", original)
        text = original.lower()
        if self.masks:
            masked += [m.group(1) for m in self.masks.finditer(text)]
            text = self.masks.sub(" ", text)
        strong = self.strong.search(text) if self.strong else None
        if strong:
            return Verdict(True, f"noemt {strong.group(1)!r}")
        place = self.places.search(text) if self.places else None
        elsewhere = self.elsewhere.search(text) if self.elsewhere else None
        named = self.names.search(text) if self.names else None
        if elsewhere and not place and (named or masked):
            return Verdict(False, f"uitgesloten: {(masked[0] if masked else elsewhere.group(1))!r}")
        if named:
            return Verdict(True, f"noemt {named.group(1)!r}")
        if place:
            return Verdict(True, f"noemt {place.group(1)!r}")
        if masked:
            return Verdict(False, f"uitgesloten: {masked[0]!r}")
        return Verdict(False, f"noemt {self.town} en zijn plaatsen niet")
