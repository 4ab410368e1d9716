"""The labelled corpus: loading, validation, the held-out split and the training-data hash.

The corpus lives in ``classifiers/data/corpus_part*.jsonl`` (all parts are read, in name
order); ``classifiers/data/challenge.jsonl`` holds hard cases that are only ever evaluated.
The format is one JSON object per line with at least ``id``, ``text`` and ``labels``
(see classifiers/ANNOTATION_GUIDELINE.md).

The held-out split is stratified by label combination and decided by a hash of each
record's ``id`` alone, so the same record is always on the same side and no code path can
choose it by looking at predictions. Held-out records are never used for training or for
choosing thresholds.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from classifiers.labels import LABELS
from voelspriet.errors import VoelsprietError
from voelspriet.settings import ROOT

DATA_DIR = ROOT / "classifiers" / "data"
CORPUS_GLOB = "corpus_part*.jsonl"
CHALLENGE_FILE = "challenge.jsonl"
HELDOUT_FRACTION = 0.20
# A label combination rarer than this is stratified by its rarest label instead.
MIN_STRATUM = 5


class CorpusError(VoelsprietError):
    """The labelled corpus is missing or a line does not follow the format."""


@dataclass(frozen=True)
class Example:
    """One labelled text; ``labels`` is a sorted tuple of names from LABELS."""

    id: str
    text: str
    labels: tuple[str, ...]
    extra: dict = field(default_factory=dict, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class Split:
    train: list[Example]
    heldout: list[Example]


def parse_labels(value: object, where: str) -> tuple[str, ...]:
    """Validate a label list: known names, no duplicates, ``other`` only alone."""
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise CorpusError(f"{where}: labels moet een niet-lege lijst met labelnamen zijn, gevonden: {value!r}.")
    unknown = [v for v in value if v not in LABELS]
    if unknown:
        raise CorpusError(f"{where}: onbekend label {unknown[0]!r}; kies uit {', '.join(LABELS)}.")
    if len(set(value)) != len(value):
        raise CorpusError(f"{where}: label staat dubbel in {value!r}.")
    if "other" in value and len(value) > 1:
        raise CorpusError(f"{where}: 'other' mag alleen los voorkomen, gevonden: {value!r}.")
    return tuple(sorted(value))


def read_jsonl(path: Path) -> list[Example]:
    """Read and validate one JSON-lines file; the first bad line raises a CorpusError."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CorpusError(f"{path}: bestand niet gevonden.") from None
    examples = []
    for number, line in enumerate(raw.splitlines(), start=1):
        where = f"{path}:{number}"
        if not line.strip():
            continue
        try:
            record = json.loads(line.decode("utf-8"))
        except UnicodeDecodeError:
            raise CorpusError(f"{where}: geen geldige UTF-8.") from None
        except json.JSONDecodeError as exc:
            raise CorpusError(f"{where}: geen geldige JSON ({exc.msg}).") from None
        if not isinstance(record, dict):
            raise CorpusError(f"{where}: elke regel moet een JSON-object zijn.")
        ident, text = record.get("id"), record.get("text")
        if not isinstance(ident, str) or not ident:
            raise CorpusError(f"{where}: id ontbreekt of is geen tekst.")
        if not isinstance(text, str) or not text.strip():
            raise CorpusError(f"{where}: text ontbreekt of is leeg.")
        labels = parse_labels(record.get("labels"), where)
        extra = {k: v for k, v in record.items() if k not in ("id", "text", "labels")}
        examples.append(Example(ident, text, labels, extra))
    return examples


def _check_unique(examples: Sequence[Example], what: str) -> None:
    counts = Counter(e.id for e in examples)
    dupes = sorted(i for i, n in counts.items() if n > 1)
    if dupes:
        raise CorpusError(f"{what}: id komt meer dan eens voor: {', '.join(dupes[:5])}.")


def load_corpus(data_dir: Path = DATA_DIR) -> list[Example]:
    """All corpus parts in ``data_dir``, validated, ids unique across parts."""
    parts = sorted(Path(data_dir).glob(CORPUS_GLOB))
    if not parts:
        raise CorpusError(
            f"{data_dir}: geen corpusbestanden ({CORPUS_GLOB}) gevonden. "
            "Tip: haal de gelabelde data op (git pull) of geef de juiste map op."
        )
    examples = [e for part in parts for e in read_jsonl(part)]
    _check_unique(examples, str(data_dir))
    return examples


def load_challenge(data_dir: Path = DATA_DIR) -> list[Example]:
    """The challenge set (hard cases); evaluated only, never trained on."""
    examples = read_jsonl(Path(data_dir) / CHALLENGE_FILE)
    _check_unique(examples, str(Path(data_dir) / CHALLENGE_FILE))
    return examples


def id_hash(ident: str) -> str:
    return hashlib.sha256(ident.encode("utf-8")).hexdigest()


def _strata(examples: Sequence[Example]) -> dict[str, list[Example]]:
    combos = Counter(e.labels for e in examples)
    singles = Counter(label for e in examples for label in e.labels)
    strata: dict[str, list[Example]] = defaultdict(list)
    for e in examples:
        if combos[e.labels] >= MIN_STRATUM:
            key = "+".join(e.labels)
        else:
            key = min(e.labels, key=lambda label: (singles[label], label))
        strata[key].append(e)
    return strata


def split(examples: Sequence[Example], fraction: float = HELDOUT_FRACTION) -> Split:
    """Deterministic stratified split: per stratum, the ids with the lowest hashes are held out."""
    heldout_ids: set[str] = set()
    for members in _strata(examples).values():
        ranked = sorted(members, key=lambda e: id_hash(e.id))
        heldout_ids.update(e.id for e in ranked[: round(len(ranked) * fraction)])
    train = [e for e in examples if e.id not in heldout_ids]
    heldout = [e for e in examples if e.id in heldout_ids]
    return Split(train, heldout)


def data_hash(examples: Iterable[Example]) -> str:
    """SHA-256 over the (id, text, labels) of ``examples``, independent of their order."""
    digest = hashlib.sha256()
    for e in sorted(examples, key=lambda e: e.id):
        digest.update(json.dumps([e.id, e.text, list(e.labels)], ensure_ascii=False).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def label_counts(examples: Iterable[Example]) -> dict[str, int]:
    counts = Counter(label for e in examples for label in e.labels)
    return {label: counts.get(label, 0) for label in LABELS}
