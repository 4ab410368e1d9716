"""Relevance and language: which mentions are about Heemstede, and in what language."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from collectors.language import detect_language
from collectors.relevance import RelevanceFilter
from voelspriet.mention import Mention


def mention(text: str, title: str | None = None) -> Mention:
    return Mention(platform="news", platform_id="1", url=None, author_handle=None, text=text,
                   title=title, created_at=datetime(2026, 11, 20, tzinfo=UTC))


@pytest.mark.parametrize(
    ("text", "keep", "reason"),
    [
        ("De gemeente Heemstede verhoogt de OZB", True, "noemt 'gemeente heemstede'"),
        ("Drukte op de Binnenweg vandaag", True, "noemt 'binnenweg'"),
        ("Heemstede krijgt een nieuwe bibliotheek", True, "noemt 'heemstede'"),
        ("Open dag bij Kasteel Heemstede in Houten", False, "uitgesloten: 'kasteel heemstede'"),
        ("Morgen markt in Houten", False, "noemt Heemstede en zijn plaatsen niet"),
        ("Jonkheer van Heemstede opende de tentoonstelling", False, "uitgesloten: 'van heemstede'"),
        ("Mr. van Heemstede woont al jaren in Heemstede zelf", True, "noemt 'heemstede'"),
        ("Gisteren sprak Piet van Heemstede in de raad", False, "uitgesloten: 'van heemstede'"),
        ("Inwoners van Heemstede klagen over de drukte", True, "noemt 'heemstede'"),
        ("De burgemeester van Heemstede opende de markt", True, "noemt 'heemstede'"),
        ("Fietsen van Houten naar de Binnenweg", True, "noemt 'binnenweg'"),
        ("Heemstede hockey speelt zondag in Houten", False, "uitgesloten: 'houten'"),
        ("Heemsteder? Heemstedenaar!", False, "noemt Heemstede en zijn plaatsen niet"),
        ("Kijk op #heemstede voor nieuws", True, "noemt '#heemstede'"),
        ("Nieuws over Heemstede, Iowa (USA)", False, "uitgesloten: 'heemstede, iowa'"),
    ],
)
def test_relevance_keeps_and_drops_with_a_reason(profile, text, keep, reason):
    verdict = RelevanceFilter(profile)(mention(text))
    assert (verdict.keep, verdict.reason) == (keep, reason)


def test_a_title_ends_a_sentence(profile):
    verdict = RelevanceFilter(profile)(mention("Inwoners van Heemstede praten erover", title="OZB-aanslag"))
    assert verdict.keep


def test_title_counts_for_relevance(profile):
    assert RelevanceFilter(profile)(mention("Wat vinden jullie?", title="Raadhuisstraat dicht")).keep


@pytest.mark.parametrize(
    ("text", "declared", "expected"),
    [
        ("Waarom is de parkeervergunning in Heemstede zo duur geworden dit jaar?", "en", "nl"),
        ("Waarom is de parkeervergunning in Heemstede zo duur geworden dit jaar?", "und", "nl"),
        ("Lovely walk through the Wandelbos this morning, the trees are beautiful", None, "en"),
        ("Heemstede!", "und", None),
        ("Heemstede!", "nl", "nl"),
        ("Top 👍 #heemstede https://t.co/abc @gemeente", "de", "de"),
        ("", "qme", None),
        ("Wer weiß, wo Heemstede liegt? Ich war dort letzten Sommer im Urlaub.", "nl-NL", "de"),
    ],
)
def test_language_uses_text_when_long_enough_else_the_platform(text, declared, expected):
    assert detect_language(text, declared) == expected
