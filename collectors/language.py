"""The language of a mention, decided from its text and the platform's own guess.

Neither source is reliable alone: a platform's ``lang`` is often ``und`` (undetermined), empty
or wrong (X tags a Dutch tweet with an English hashtag as ``en``), and a text detector guesses
wildly on a few words. So:

- a text long enough (``MIN_LETTERS`` letters, ``MIN_WORDS`` words, once links, handles and
  hashtags are removed) that the detector is sure of (``SURE``) decides;
- otherwise a real platform language decides (``und``, ``zxx``, ``qme`` … are not real);
- otherwise a fairly confident detection (``LIKELY``) on a long enough text decides;
- otherwise the language is unknown: ``None``.
"""

from __future__ import annotations

import re
from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

# The languages posts about a Dutch municipality are written in. Restricting the detector to
# these keeps Dutch from being taken for Afrikaans or Luxembourgish on short texts.
LANGUAGES = ["nl", "en", "de", "fr", "es", "it", "pt", "pl", "tr", "ar", "da", "sv", "fy", "uk", "ru"]
MIN_LETTERS = 20
MIN_WORDS = 4
SURE = 0.90
LIKELY = 0.70
# Codes platforms use for "no language" (X: und, zxx = no text, qme = media only, qht = hashtags
# only, qam = mentions only, qct = cashtags only, art = emoji only).
NOT_A_LANGUAGE = {"und", "zxx", "qme", "qht", "qam", "qct", "qst", "art", "mul", ""}

NOISE = re.compile(r"https?://\S+|www\.\S+|[@#]\w[\w.]*|\d+")
WORD = re.compile(r"[^\W\d_]{2,}")


@cache
def _identifier() -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(LANGUAGES)
    return identifier


def platform_language(value: str | None) -> str | None:
    """A platform's language tag reduced to its primary subtag, or None if it is no language."""
    if not value:
        return None
    primary = value.strip().lower().replace("_", "-").split("-")[0]
    return None if primary in NOT_A_LANGUAGE or not primary.isalpha() else primary


def detect_language(text: str | None, declared: str | None = None) -> str | None:
    """The language code (ISO 639-1) of ``text``, using ``declared`` where the text is too short."""
    declared = platform_language(declared)
    clean = NOISE.sub(" ", text or "")
    words = WORD.findall(clean)
    letters = sum(len(w) for w in words)
    long_enough = letters >= MIN_LETTERS and len(words) >= MIN_WORDS
    if not long_enough:
        return declared
    language, probability = _identifier().classify(clean)
    if probability >= SURE:
        return language
    if declared:
        return declared
    return language if probability >= LIKELY else None
