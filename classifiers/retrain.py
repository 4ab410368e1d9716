"""Training from corpus + corrections, and the weekly retrain decision.

The weekly DAG calls ``retrain_if_better``: it trains only when staff made label corrections
that no model (current or rejected) has seen, and the candidate replaces the current model
only when it scores at least as well on the held-out split (macro-F1, and recall on mentions
that need a response). Every decision is logged and appended to
``<var>/models/retrain.jsonl``.
"""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from classifiers.corpus import DATA_DIR, load_corpus
from classifiers.corrections import load_corrections, newest_correction_id
from classifiers.evaluation import evaluate
from classifiers.model import Model, load_model, save_model
from classifiers.training import train_model, training_set
from store.tables import label_corrections
from voelspriet.errors import ModelError

log = logging.getLogger(__name__)


def train_all(engine: Engine | None = None, data_dir: Path = DATA_DIR) -> Model:
    """Train on the corpus's training part plus, with a store, all staff corrections."""
    corrections = load_corrections(engine) if engine is not None else []
    through = newest_correction_id(engine) if engine is not None else 0
    examples = training_set(load_corpus(data_dir), corrections)
    return train_model(examples, notes={"corrections": len(corrections), "corrections_through": through})


@dataclass(frozen=True)
class Decision:
    retrained: bool
    replaced: bool
    reason: str
    current_version: str | None = None
    candidate_version: str | None = None
    current_scores: dict | None = None
    candidate_scores: dict | None = None
    corrections_through: int = 0


def _log_path(settings) -> Path:
    return Path(settings.var_dir) / "models" / "retrain.jsonl"


def _last_seen(settings, current: Model | None) -> int:
    seen = int(current.metadata.get("corrections_through", 0)) if current else 0
    path = _log_path(settings)
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                seen = max(seen, int(json.loads(line).get("corrections_through", 0)))
    return seen


def _headline(report: dict) -> dict:
    heldout = report["heldout"]
    return {"macro_f1": heldout["macro_f1"], "response_recall": heldout["response_recall"]}


def _record(settings, decision: Decision) -> Decision:
    path = _log_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    entry = {"decided_at": datetime.now(UTC).isoformat(), **asdict(decision)}
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
    log.info("hertraining: %s", decision.reason)
    return decision


def _mark_used(engine: Engine, through: int, version: str) -> None:
    """Record in the store which model first trained on each correction."""
    with engine.begin() as conn:
        conn.execute(
            sa.update(label_corrections)
            .where(label_corrections.c.id <= through, label_corrections.c.used_in_model.is_(None))
            .values(used_in_model=version)
        )


def retrain_if_better(engine: Engine, settings, data_dir: Path = DATA_DIR) -> Decision:
    """Retrain when there are new corrections; replace the model only if it is not worse."""
    try:
        current = load_model(settings.model_path)
    except ModelError as exc:
        log.warning("huidig model niet bruikbaar: %s", exc)
        current = None
    newest = newest_correction_id(engine)
    if current is not None and newest <= _last_seen(settings, current):
        return _record(settings, Decision(False, False, "geen nieuwe labelcorrecties; model ongewijzigd",
                                          current.version, corrections_through=newest))
    candidate = train_all(engine, data_dir)
    candidate_scores = _headline(evaluate(candidate, data_dir))
    current_scores = _headline(evaluate(current, data_dir)) if current is not None else None
    better = current_scores is None or (
        candidate_scores["macro_f1"] >= current_scores["macro_f1"]
        and candidate_scores["response_recall"] >= current_scores["response_recall"]
    )
    if better:
        if current is not None:
            shutil.copy2(settings.model_path, Path(settings.model_path).with_suffix(".previous.skops"))
        save_model(candidate, settings.model_path)
        _mark_used(engine, newest, candidate.version)
        reason = (f"nieuw model {candidate.version} vervangt {current.version if current else '(geen)'}: "
                  f"held-out {candidate_scores} tegen {current_scores}")
    else:
        reason = (f"nieuw model {candidate.version} scoort slechter op de held-out set "
                  f"({candidate_scores} tegen {current_scores}); huidig model blijft")
    return _record(settings, Decision(
        True, better, reason, current.version if current else None, candidate.version,
        current_scores, candidate_scores, newest,
    ))
