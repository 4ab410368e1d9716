"""The municipality profile is validated on load; errors name the file and the field."""

from __future__ import annotations

import pytest

from tests.conftest import write_profile
from voelspriet.errors import ConfigError
from voelspriet.profile import load_profile


def test_bundled_profile_loads(profile):
    assert profile.municipality.name == "Heemstede"
    assert "replay" in profile.enabled_sources()
    assert profile.retention.mentions_days > 0


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["municipality"].pop("aliases"), r"municipality\.aliases ontbreekt"),
        (lambda d: d["recipients"].update(daily_triage="communicatie@heemstede.nl"),
         r"recipients\.daily_triage moet een lijst zijn, gevonden: 'communicatie@heemstede.nl'\. Tip: schrijf \["),
        (lambda d: d["retention"].update(mentions_dayz=30), r"retention\.mentions_dayz is geen bekend veld"),
        (lambda d: d["retention"].update(mentions_days=0), r"retention\.mentions_days moet groter zijn dan 0"),
        (lambda d: d["departments"][0].update(topics=["parkeeren"]), r"onbekend onderwerp 'parkeeren'"),
        (lambda d: d["sources"].update(myspace={"enabled": True}), r"sources\.myspace: onbekend platform 'myspace'"),
        (lambda d: d["sources"]["replay"].update(file=None), r"sources\.replay\.file moet een pad"),
        (lambda d: d["triage"]["actions"].pop("offensive"), r"triage\.actions mist een actie voor offensive"),
        (lambda d: d["triage"]["actions"].update(praise="applaud"), r"triage\.actions\.praise heeft onbekende actie 'applaud'"),
    ],
)
def test_bad_profile_names_file_and_field(tmp_path, change, expected):
    path = write_profile(tmp_path, change)
    with pytest.raises(ConfigError, match=expected) as info:
        load_profile(path)
    assert str(path) in str(info.value)


def test_missing_and_broken_files(tmp_path):
    with pytest.raises(ConfigError, match="niet gevonden"):
        load_profile(tmp_path / "nope.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("municipality: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="geen geldige YAML"):
        load_profile(broken)
