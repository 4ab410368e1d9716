"""Which of the profile's topics a mention is about, and so which departments to inform (rule 4)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from voelspriet.profile import Profile

# Dutch glues words together (afvalcontainer, parkeervergunningen): a keyword this long also
# matches as the start of a longer word. Shorter ones must stand alone, so `raad` does not
# match `Raadhuisstraat` and `kap` not `kapot`.
PREFIX_MIN_LENGTH = 5


@dataclass(frozen=True)
class TopicMatch:
    """The topics found, best first, and the departments that own them, in that order."""

    topics: tuple[str, ...]
    departments: tuple[str, ...]

    @property
    def topic(self) -> str | None:
        return self.topics[0] if self.topics else None


class TopicMatcher:
    """Finds a profile's topics in a text by their keywords."""

    def __init__(self, profile: Profile) -> None:
        self.patterns = {
            name: re.compile("|".join(_keyword_pattern(k) for k in topic.keywords), re.IGNORECASE)
            for name, topic in profile.topics.items()
        }
        self.owners: dict[str, list[str]] = {name: [] for name in profile.topics}
        for department in profile.departments:
            for topic in department.topics:
                self.owners[topic].append(department.name)

    def __call__(self, text: str) -> TopicMatch:
        hits = {name: len(pattern.findall(text)) for name, pattern in self.patterns.items()}
        order = list(self.patterns)
        topics = sorted((n for n, count in hits.items() if count), key=lambda n: (-hits[n], order.index(n)))
        departments: list[str] = []
        for topic in topics:
            departments += [d for d in self.owners[topic] if d not in departments]
        return TopicMatch(tuple(topics), tuple(departments))


def _keyword_pattern(keyword: str) -> str:
    tail = r"\w*" if len(keyword) >= PREFIX_MIN_LENGTH else ""
    return rf"(?<!\w){re.escape(keyword)}{tail}(?!\w)"
