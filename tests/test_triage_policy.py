"""The triage policy in the profile: rejected on load with the field named; rule-8 helper."""

from __future__ import annotations

import re

import pytest

from reports.reply_length import reply_hint, reply_length
from tests.conftest import profile_with
from voelspriet.errors import ConfigError


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t["actions"].pop("other"), r"triage\.actions mist een actie voor other"),
        (lambda t: t["reasons"].pop("offensive"), r"triage\.reasons mist een tekst voor offensive"),
        (lambda t: t["reasons"].update(praise="  "), r"triage\.reasons\.praise is leeg"),
        (lambda t: t["reasons"].update(compliment="x"), r"triage\.reasons\.compliment is geen bekend label"),
        (lambda t: t["per_action"]["respond"].pop("deadline_hours"),
         r"triage\.per_action\.respond\.deadline_hours ontbreekt"),
        (lambda t: t["per_action"].update(answer={"deadline_hours": 1}),
         r"triage\.per_action\.answer is geen bekende actie"),
        (lambda t: t["per_action"]["respond"].update(reply_from="prive"),
         r"triage: per_action\.respond\.reply_from"),
        (lambda t: t["reply_from_by_label"].update(offensive="iedereen"),
         r"triage: reply_from_by_label\.offensive"),
        (lambda t: t["urgency"].update(hoog_from=0.2), r"normaal_from \(0\.3\) moet kleiner zijn dan hoog_from"),
        (lambda t: t["urgency"].update(first_reactions=0), r"triage: urgency\.first_reactions"),
        (lambda t: t["urgency"].update(speed=3), r"triage: urgency\.speed is geen bekend veld"),
        (lambda t: t["reply_limits"].update(x=0), r"triage\.reply_limits\.x moet groter zijn dan 0"),
        (lambda t: t["reply_limits"].update(twitter=280), r"triage\.reply_limits\.twitter is geen bekend platform"),
    ],
)
def test_a_bad_policy_is_rejected_naming_the_field(tmp_path, change, message):
    with pytest.raises(ConfigError, match=message) as info:
        profile_with(tmp_path, lambda d: change(d["triage"]))
    assert str(tmp_path / "profile.yaml") in str(info.value)


def test_the_bundled_policy_cites_the_checklist_for_every_label(profile):
    policy = profile.policy
    for label, reason in policy.reasons.items():
        assert re.match(r"(Regel \d|Niet over)", reason), label


def test_reply_length_counts_links_as_the_platform_does():
    draft = "Zie https://www.heemstede.nl/afval/grofvuil-ophalen-aanvragen-en-kosten voor alles."
    assert reply_length(draft, "x") == len("Zie ") + 23 + len(" voor alles.")
    assert reply_length(draft, "bluesky") == len(draft)


def test_rule_8_hint_suggests_website_or_contact(profile):
    policy = profile.policy
    hint = reply_hint(policy, profile, "x", "X")
    assert hint.limit == 280
    assert "280 tekens" in hint.hint and "https://www.heemstede.nl" in hint.hint
    assert "Klantcontactcentrum, telefoon 14 023" in hint.hint
    assert reply_hint(policy, profile, "mastodon", "Mastodon").limit == 500
    assert reply_hint(policy, profile, "bluesky", "Bluesky").limit == 300
    assert reply_hint(policy, profile, "reddit", "Reddit").limit == 10000
    assert reply_hint(policy, profile, "news", "Nieuws").limit is None

    short = reply_hint(policy, profile, "bluesky", "Bluesky", draft="Dank, we kijken ernaar.")
    assert short.fits is True
    long = reply_hint(policy, profile, "bluesky", "Bluesky", draft="x" * 301)
    assert long.fits is False and "te lang (301 van 300" in long.hint and "14 023" in long.hint
