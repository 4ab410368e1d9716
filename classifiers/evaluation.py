"""Evaluation of a trained model on the held-out split and the challenge set."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from classifiers import metrics
from classifiers.corpus import DATA_DIR, Example, load_challenge, load_corpus, split
from classifiers.model import Model
from classifiers.policy import TriagePolicy


def score(model: Model, examples: list[Example], policy: TriagePolicy = metrics.RULE6) -> dict:
    """metrics.summary of ``model`` on ``examples`` plus its needs_review rate."""
    predictions = model.predict([e.text for e in examples])
    result = metrics.summary([e.labels for e in examples], [p.labels for p in predictions], policy)
    result["needs_review_rate"] = round(sum(p.needs_review for p in predictions) / len(examples), 4)
    return result


def challenge_score(model: Model, examples: list[Example], policy: TriagePolicy = metrics.RULE6) -> dict:
    """Scores on the challenge set, with exact-match accuracy per kind of hardness."""
    result = score(model, examples, policy)
    predictions = model.predict([e.text for e in examples])
    by_kind: dict[str, list[bool]] = defaultdict(list)
    for e, p in zip(examples, predictions):
        by_kind[str(e.extra.get("hardness", "onbekend"))].append(set(p.labels) == set(e.labels))
    result["by_hardness"] = {
        kind: {"n": len(hits), "exact_match": round(sum(hits) / len(hits), 4)}
        for kind, hits in sorted(by_kind.items())
    }
    return result


def evaluate(model: Model, data_dir: Path = DATA_DIR, policy: TriagePolicy = metrics.RULE6) -> dict:
    """Held-out and challenge scores of ``model`` (the held-out part is never trained on)."""
    parts = split(load_corpus(data_dir))
    report = {
        "model_version": model.version,
        "heldout": score(model, parts.heldout, policy),
        "train_size": len(parts.train),
    }
    challenge_path = Path(data_dir) / "challenge.jsonl"
    report["challenge"] = challenge_score(model, load_challenge(data_dir), policy) if challenge_path.exists() else None
    return report
