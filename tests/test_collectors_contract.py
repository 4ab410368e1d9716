"""Contract: every collector module is described, named, tested and validates its settings."""

from __future__ import annotations

import re

import pytest

from collectors.base import Collector
from collectors.registry import collector_classes
from voelspriet.mention import PLATFORMS
from voelspriet.settings import ROOT

COLLECTORS = sorted(collector_classes().items())
# replay re-plays recorded mentions of the real platforms; it is not a platform itself.
OFFLINE = {"replay"}


def test_every_platform_has_a_collector():
    assert set(PLATFORMS) <= set(collector_classes())


@pytest.mark.parametrize(("platform", "cls"), COLLECTORS)
def test_collector_contract(platform, cls: type[Collector], profile):
    assert platform == cls.platform
    assert platform in PLATFORMS or platform in OFFLINE
    assert cls.__module__ == f"collectors.{platform}", "the module is named after the platform"
    descriptions = [ROOT / "collectors" / f"{platform}.md", ROOT / "collectors" / platform / "DESCRIPTION.md"]
    text = next((p.read_text(encoding="utf-8") for p in descriptions if p.exists()), None)
    assert text, f"collectors/{platform}.md or collectors/{platform}/DESCRIPTION.md is missing"
    if platform not in OFFLINE:
        for part in ("What is collected", "Limits and quirks", "Raw format"):
            assert part in text, f"{platform} description lacks '{part}'"
    tests = [ROOT / "tests" / f"test_collectors_{platform}.py", ROOT / "tests" / f"test_{platform}.py"]
    assert any(p.exists() for p in tests), f"tests/test_collectors_{platform}.py is missing"

    with pytest.raises(ValueError) as bad:
        cls.validate({})
    field = re.match(r"[a-z_.0-9]+", str(bad.value))
    assert field and field.group(0).split(".")[0] in _documented_fields(text, platform), str(bad.value)

    # The constructor only stores its arguments (no network, no validation).
    collector = cls("name", {"anything": object()}, profile, None)
    assert collector.settings["anything"] is not None


@pytest.mark.parametrize("source", ["x", "reddit", "news", "mastodon", "bluesky", "replay"])
def test_the_profile_configures_every_source_validly(profile, source):
    settings = profile.sources[source].settings()
    collector_classes()[profile.source_platform(source)].validate(settings)


def _documented_fields(text: str, platform: str) -> set[str]:
    return set(re.findall(r"`([a-z_]+)`", text)) | ({"file"} if platform in OFFLINE else set())
