"""The classifier: the scikit-learn Pipeline, the decision rule, and safe persistence (skops).

Features are word n-gram TF-IDF beside character n-gram TF-IDF (``char_wb``): the character
n-grams catch Dutch compounds ("parkeervergunning", "afvalinzameling") and typos that word
tokens miss. Each label has its own linear SVM (one-vs-rest) whose scores are calibrated to
probabilities (sigmoid, CalibratedClassifierCV).

Decision rule (what ``Model.predict`` returns):

- a content label (everything but ``other``) is assigned when its probability reaches that
  label's threshold; thresholds are chosen by cross-validation on the training part only
  (classifiers/training.py);
- ``other`` is assigned when no content label passes; its score is the ``other`` model's
  probability;
- ``needs_review`` is true when the model is not confident: a content label's probability lies
  within ``REVIEW_MARGIN`` of its threshold (either side), or no content label passes while the
  ``other`` probability is below one half (the model does not think the text is off-topic,
  yet no label fits).

A model file is a skops archive holding the pipeline and its metadata (version, scikit-learn
version, training-data hash, code version, thresholds, cross-validated scores). Loading checks
the archive's types against an allow-list: an arbitrary pickle is never executed.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from classifiers.labels import LABELS
from voelspriet.errors import ModelError

FORMAT_VERSION = 1
MODEL_FAMILY = "tfidf-linsvc"
RANDOM_STATE = 2026
CONTENT_LABELS = tuple(label for label in LABELS if label != "other")
REVIEW_MARGIN = 0.10
# Chosen by 5-fold cross-validation on the training part (C 0.1..1.0, against LogisticRegression
# C 3..30): C=0.3 gave the best macro-F1. char_wb 2-5 or plain char 2-5 scored 0.005-0.011
# higher but classified at 3,400-3,600 mentions/s, below the 5,000/s target.
SVM_C = 0.3
# Longer texts are cut before classification: a 100 kB post says what it says early on,
# and the character n-grams of the whole text would cost time and memory for nothing.
MAX_CHARS = 5_000

# Types inside our own archives that skops does not trust by default. Anything else in a
# model file means it was not written by voelspriet, and it is refused.
TRUSTED_TYPES = frozenset(
    {
        "sklearn.calibration._CalibratedClassifier",
        "sklearn.calibration._SigmoidCalibration",
        "sklearn.utils._metadata_requests.MetadataRequest",
        "sklearn.utils._metadata_requests.MethodMetadataRequest",
        "collections.defaultdict",
        "builtins.int",
        "builtins.float",
        "builtins.str",
        "numpy.float64",
        "numpy.int64",
    }
)


class Prediction(NamedTuple):
    labels: list[str]
    scores: dict[str, float]
    needs_review: bool


def build_pipeline() -> Pipeline:
    """The unfitted Pipeline: FeatureUnion(word 1-3 TF-IDF, char_wb 3-4 TF-IDF) -> one-vs-rest calibrated SVM."""
    features = FeatureUnion(
        [
            (
                "words",
                TfidfVectorizer(
                    lowercase=True,
                    strip_accents="unicode",
                    token_pattern=r"(?u)\b\w+\b|[?!]",
                    ngram_range=(1, 3),
                    min_df=2,
                    sublinear_tf=True,
                    dtype=np.float32,
                ),
            ),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    lowercase=True,
                    strip_accents="unicode",
                    ngram_range=(3, 4),
                    min_df=2,
                    sublinear_tf=True,
                    dtype=np.float32,
                ),
            ),
        ]
    )
    svm = LinearSVC(C=SVM_C, class_weight="balanced", random_state=RANDOM_STATE)
    classifier = OneVsRestClassifier(
        CalibratedClassifierCV(svm, method="sigmoid", cv=3, ensemble=False)
    )
    return Pipeline([("features", features), ("classifier", classifier)])


def label_matrix(label_sets: Sequence[Sequence[str]]) -> np.ndarray:
    """The multi-label indicator matrix, one column per name in LABELS."""
    matrix = np.zeros((len(label_sets), len(LABELS)), dtype=np.int8)
    for row, labels in enumerate(label_sets):
        for label in labels:
            matrix[row, LABELS.index(label)] = 1
    return matrix


def prepare(texts: Sequence[str]) -> list[str]:
    return [t[:MAX_CHARS] if isinstance(t, str) else "" for t in texts]


def decide(probabilities: np.ndarray, thresholds: dict[str, float]) -> list[Prediction]:
    """Apply the decision rule (module docstring) to rows of per-label probabilities."""
    content = [LABELS.index(label) for label in CONTENT_LABELS]
    limits = np.array([thresholds[label] for label in CONTENT_LABELS])
    other = LABELS.index("other")
    passed = probabilities[:, content] >= limits
    near = np.abs(probabilities[:, content] - limits) < REVIEW_MARGIN
    nothing = ~passed.any(axis=1)
    review = near.any(axis=1) | (nothing & (probabilities[:, other] < 0.5))
    predictions = []
    for row in range(probabilities.shape[0]):
        labels = [CONTENT_LABELS[i] for i in np.flatnonzero(passed[row])] or ["other"]
        scores = {label: round(float(probabilities[row, i]), 4) for i, label in enumerate(LABELS)}
        predictions.append(Prediction(labels, scores, bool(review[row])))
    return predictions


class Model:
    """A fitted pipeline with its thresholds and metadata."""

    def __init__(self, pipeline: Pipeline, metadata: dict[str, Any]):
        self.pipeline = pipeline
        self.metadata = metadata

    @property
    def version(self) -> str:
        return self.metadata["version"]

    @property
    def thresholds(self) -> dict[str, float]:
        return self.metadata["thresholds"]

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Per-label probabilities, columns in LABELS order."""
        if not texts:
            return np.zeros((0, len(LABELS)))
        return self.pipeline.predict_proba(prepare(texts))

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """(labels, scores, needs_review) for each text."""
        return decide(self.probabilities(texts), self.thresholds)


def save_model(model: Model, path: Path | str) -> Path:
    """Write the skops archive and, beside it, the metadata as readable JSON; atomic replace."""
    import skops.io

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    content = {"format": FORMAT_VERSION, "pipeline": model.pipeline, "metadata": model.metadata}
    # The vocabularies make a large, repetitive JSON schema: deflate shrinks it about tenfold.
    skops.io.dump(content, tmp, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    tmp.replace(path)
    metadata_path(path).write_text(
        json.dumps(model.metadata, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8"
    )
    return path


def metadata_path(path: Path | str) -> Path:
    path = Path(path)
    return path.with_name(path.stem + ".json")


def load_model(path: Path | str) -> Model:
    """Load a model written by ``save_model``; a ModelError names the file for any problem."""
    import skops.io

    path = Path(path)
    retrain = "Oplossing: voer 'voelspriet train' uit of zet VOELSPRIET_MODEL op een geldig model."
    if not path.is_file():
        raise ModelError(f"model {path} bestaat niet. {retrain}")
    try:
        untrusted = set(skops.io.get_untrusted_types(file=path))
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        raise ModelError(f"model {path} is beschadigd of geen skops-bestand ({type(exc).__name__}). {retrain}") from None
    unknown = sorted(untrusted - TRUSTED_TYPES)
    if unknown:
        raise ModelError(
            f"model {path} bevat typen die voelspriet niet vertrouwt ({', '.join(unknown[:3])}); "
            f"het is niet geladen. {retrain}"
        )
    try:
        content = skops.io.load(path, trusted=sorted(untrusted))
    except Exception as exc:  # noqa: BLE001 -- skops raises many kinds on a damaged archive; all mean the same here
        raise ModelError(f"model {path} is beschadigd ({type(exc).__name__}: {exc}). {retrain}") from None
    if not isinstance(content, dict) or content.get("format") != FORMAT_VERSION:
        raise ModelError(f"model {path} heeft een onbekend formaat. {retrain}")
    pipeline, metadata = content.get("pipeline"), content.get("metadata")
    if not isinstance(pipeline, Pipeline) or not isinstance(metadata, dict):
        raise ModelError(f"model {path} heeft een onbekend formaat. {retrain}")
    trained_with = str(metadata.get("sklearn_version", "?"))
    if trained_with.split(".")[:2] != sklearn.__version__.split(".")[:2]:
        raise ModelError(
            f"model {path} is getraind met scikit-learn {trained_with}, geïnstalleerd is "
            f"{sklearn.__version__}. {retrain}"
        )
    missing = [label for label in CONTENT_LABELS if label not in metadata.get("thresholds", {})]
    if missing or "version" not in metadata:
        raise ModelError(f"model {path} mist metadata ({', '.join(missing) or 'version'}). {retrain}")
    return Model(pipeline, metadata)
