"""Rule 8 helper: does a reply fit the platform, and where does the full answer go if not."""

from __future__ import annotations

import re
from dataclasses import dataclass

from classifiers.policy import TriagePolicy
from voelspriet.profile import Profile

# X and Mastodon count every link as 23 characters, however long it is.
LINK_LENGTH = {"x": 23, "mastodon": 23}
_URL = re.compile(r"https?://\S+")


def reply_length(draft: str, platform: str) -> int:
    """The length of ``draft`` as ``platform`` counts it."""
    fixed = LINK_LENGTH.get(platform)
    if fixed is None:
        return len(draft)
    return len(_URL.sub("x" * fixed, draft))


@dataclass(frozen=True)
class ReplyHint:
    """The platform's limit and, when needed, where to point for the full answer."""

    limit: int | None
    hint: str
    fits: bool | None = None


def reply_hint(
    policy: TriagePolicy, profile: Profile, platform: str, platform_name: str,
    draft: str | None = None,
) -> ReplyHint:
    """Rule 8 in one sentence for a reply on ``platform`` (checked against ``draft`` if given)."""
    town = profile.municipality
    limit = policy.reply_limit(platform)
    elsewhere = f"link dan naar {town.website} of noem {town.contact}"
    if limit is None:
        return ReplyHint(None, f"Regel 8: geen vaste tekenlimiet op {platform_name}; "
                               f"verwijs voor de volledige informatie naar {town.website}.")
    if draft is None:
        return ReplyHint(limit, f"Regel 8: een reactie op {platform_name} mag {limit} tekens hebben. "
                                f"Past het volledige antwoord niet, {elsewhere}.")
    used = reply_length(draft, platform)
    if used <= limit:
        return ReplyHint(limit, f"Regel 8: past ({used} van {limit} tekens op {platform_name}).", True)
    return ReplyHint(limit, f"Regel 8: te lang ({used} van {limit} tekens op {platform_name}); "
                            f"kort in en {elsewhere}.", False)
