"""Scores for label predictions: per label, macro-F1, and the rule-6 actions they lead to."""

from __future__ import annotations

from collections.abc import Sequence

from classifiers.labels import ACTIONS, LABELS
from classifiers.policy import TriagePolicy

# The table of ARCHITECTURE.md / checklist rule 6; the profile's `triage.actions` may differ.
RULE6 = TriagePolicy(
    actions={
        "policy_question": "respond",
        "factual_error": "consider_response",
        "offensive": "consider_response",
        "praise": "signal",
        "criticism": "signal",
        "other": "none",
    }
)
RESPONSE_ACTIONS = ("respond", "consider_response")


def _f(precision: float, recall: float, beta: float = 1.0) -> float:
    if precision + recall == 0:
        return 0.0
    b2 = beta * beta
    return (1 + b2) * precision * recall / (b2 * precision + recall)


def per_label(truth: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]) -> dict[str, dict]:
    """Precision, recall, F1 and support of each label."""
    result = {}
    for label in LABELS:
        tp = sum(label in t and label in p for t, p in zip(truth, predicted))
        fp = sum(label not in t and label in p for t, p in zip(truth, predicted))
        fn = sum(label in t and label not in p for t, p in zip(truth, predicted))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        result[label] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(_f(precision, recall), 4),
            "support": tp + fn,
        }
    return result


def action_confusion(
    truth: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]], policy: TriagePolicy = RULE6
) -> dict[str, dict[str, int]]:
    """Counts of (true action -> predicted action) over ACTIONS."""
    table = {a: {b: 0 for b in ACTIONS} for a in ACTIONS}
    for t, p in zip(truth, predicted):
        table[policy.action_for(list(t))][policy.action_for(list(p))] += 1
    return table


def response_recall(confusion: dict[str, dict[str, int]]) -> float:
    """Share of mentions that need a (considered) response that the model sends to one."""
    wanted = sum(sum(confusion[a].values()) for a in RESPONSE_ACTIONS)
    found = sum(confusion[a][b] for a in RESPONSE_ACTIONS for b in RESPONSE_ACTIONS)
    return round(found / wanted, 4) if wanted else 0.0


def summary(
    truth: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]], policy: TriagePolicy = RULE6
) -> dict:
    """All scores in one dict (what the model metadata and the model card show)."""
    labels = per_label(truth, predicted)
    confusion = action_confusion(truth, predicted, policy)
    exact = sum(set(t) == set(p) for t, p in zip(truth, predicted))
    return {
        "n": len(truth),
        "macro_f1": round(sum(v["f1"] for v in labels.values()) / len(labels), 4),
        "exact_match": round(exact / len(truth), 4) if truth else 0.0,
        "response_recall": response_recall(confusion),
        "per_label": labels,
        "action_confusion": confusion,
    }
