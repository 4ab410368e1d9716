"""The classifier: corpus, split, training, persistence, classify_pending, retraining."""

from __future__ import annotations

import json
import shutil
import zipfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import skops.io
import sqlalchemy as sa

from classifiers.apply import classify_pending
from classifiers.corpus import CorpusError, Example, data_hash, load_corpus, read_jsonl, split
from classifiers.labels import LABELS
from classifiers.model import Model, decide, load_model, save_model
from classifiers.retrain import retrain_if_better
from classifiers.training import train_model, training_set
from store.mentions import Sighting, upsert_mentions
from store.tables import classifications, label_corrections, mentions
from voelspriet.errors import ModelError
from voelspriet.mention import Mention
from voelspriet.settings import Settings

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def subset(examples: list[Example], every: int = 10) -> list[Example]:
    return examples[::every]


def write_corpus(directory: Path, examples: list[Example]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / "corpus_part1.jsonl").open("w", encoding="utf-8") as fh:
        for e in examples:
            fh.write(json.dumps({"id": e.id, "text": e.text, "labels": list(e.labels), **e.extra},
                                ensure_ascii=False) + "\n")
    return directory


@pytest.fixture(scope="module")
def corpus() -> list[Example]:
    return load_corpus()


@pytest.fixture(scope="module")
def small_dir(corpus, tmp_path_factory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("corpus"), subset(corpus))


@pytest.fixture(scope="module")
def small_model(small_dir, tmp_path_factory) -> Path:
    """A model trained on a fifth of the corpus with 3 folds (fast), saved to disk."""
    model = train_model(training_set(load_corpus(small_dir)), folds=3,
                        notes={"corrections": 0, "corrections_through": 0})
    return save_model(model, tmp_path_factory.mktemp("model") / "model.skops")


# --- corpus ---------------------------------------------------------------------------------

def test_corpus_is_valid_and_covers_every_label(corpus):
    counts = {label: sum(label in e.labels for e in corpus) for label in LABELS}
    assert all(n >= 20 for n in counts.values()), counts
    assert all(e.labels == ("other",) or "other" not in e.labels for e in corpus)


@pytest.mark.parametrize(
    "line, message",
    [
        ('{"id": "a", "text": "x", "labels": ["boos"]}', "onbekend label 'boos'"),
        ('{"id": "a", "text": "x", "labels": ["other", "praise"]}', "'other' mag alleen los"),
        ('{"id": "a", "text": "x", "labels": []}', "niet-lege lijst"),
        ('{"id": "a", "text": "  ", "labels": ["praise"]}', "text ontbreekt of is leeg"),
        ('{"id": "a", "text": "x", "labels": ["praise"],}', "geen geldige JSON"),
        ('["a"]', "JSON-object"),
    ],
)
def test_bad_corpus_line_is_named_with_file_and_line(tmp_path, line, message):
    path = tmp_path / "corpus_part1.jsonl"
    path.write_text('{"id": "ok", "text": "fine", "labels": ["praise"]}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=message) as info:
        read_jsonl(path)
    assert f"{path}:2" in str(info.value)


def test_duplicate_ids_across_parts_are_refused(tmp_path):
    for part in ("corpus_part1.jsonl", "corpus_part2.jsonl"):
        (tmp_path / part).write_text('{"id": "dup", "text": "x", "labels": ["other"]}\n', encoding="utf-8")
    with pytest.raises(CorpusError, match="dup"):
        load_corpus(tmp_path)


def test_split_is_deterministic_disjoint_and_stratified(corpus):
    first, again = split(corpus), split(list(reversed(corpus)))
    assert {e.id for e in first.heldout} == {e.id for e in again.heldout}
    assert not {e.id for e in first.train} & {e.id for e in first.heldout}
    assert len(first.train) + len(first.heldout) == len(corpus)
    for label in LABELS:
        total = sum(label in e.labels for e in corpus)
        held = sum(label in e.labels for e in first.heldout)
        assert 0.15 <= held / total <= 0.25, (label, held, total)


def test_data_hash_ignores_order_and_sees_a_label_change(corpus):
    some = corpus[:50]
    assert data_hash(some) == data_hash(list(reversed(some)))
    changed = [replace(some[0], labels=("praise",) if some[0].labels != ("praise",) else ("other",))] + some[1:]
    assert data_hash(changed) != data_hash(some)


# --- training ---------------------------------------------------------------------------------

def test_training_set_never_contains_heldout_records(corpus):
    heldout = split(corpus).heldout
    leaked = Example("store:1", heldout[0].text, ("praise",))
    fresh = Example("store:2", "Een heel nieuwe correctie over de Binnenweg", ("criticism",))
    ids = {e.id for e in training_set(corpus, [leaked, fresh])}
    assert not ids & {e.id for e in heldout}
    assert "store:1" not in ids and "store:2" in ids


def test_thresholds_do_not_depend_on_heldout_records(small_dir):
    """Replacing every held-out text leaves training data, thresholds and version unchanged.

    (The split depends on ids and labels only, so it stays the same; any use of held-out
    records for fitting or threshold choice would show up as a different result.)
    """
    examples = load_corpus(small_dir)
    heldout_ids = {e.id for e in split(examples).heldout}
    swapped = [replace(e, text="lekker bezig gemeente 👏 " + e.text[::-1]) if e.id in heldout_ids else e
               for e in examples]
    assert {e.id for e in split(swapped).heldout} == heldout_ids
    a = train_model(training_set(examples), folds=3)
    b = train_model(training_set(swapped), folds=3)
    assert a.thresholds == b.thresholds
    assert a.version == b.version
    assert a.metadata["training_data_hash"] == data_hash(split(examples).train)


def test_small_training_run_records_metadata_and_predicts(small_model):
    model = load_model(small_model)
    meta = model.metadata
    for key in ("version", "sklearn_version", "training_data_hash", "code_version", "cv_scores", "thresholds"):
        assert meta[key], key
    assert set(meta["thresholds"]) == set(LABELS) - {"other"}
    assert all(0 < t < 1 for t in meta["thresholds"].values())
    assert 0 <= meta["cv_scores"]["macro_f1"] <= 1
    assert json.loads(small_model.with_suffix(".json").read_text())["version"] == model.version
    labels, scores, review = model.predict(["Hoe vraag ik een parkeervergunning aan in Heemstede?"])[0]
    assert "policy_question" in labels
    assert set(scores) == set(LABELS) and isinstance(review, bool)


def test_decision_rule_other_and_needs_review():
    thresholds = dict.fromkeys(("praise", "criticism", "factual_error", "offensive", "policy_question"), 0.5)
    import numpy as np

    rows = np.array([
        [0.9, 0.05, 0.0, 0.0, 0.0, 0.1],   # praise, confident
        [0.05, 0.05, 0.0, 0.0, 0.0, 0.9],  # nothing passes, clearly other
        [0.05, 0.45, 0.0, 0.0, 0.0, 0.6],  # criticism just below its threshold
        [0.05, 0.2, 0.0, 0.0, 0.0, 0.3],   # nothing passes but not clearly other
    ])
    got = decide(rows, thresholds)
    assert [p.labels for p in got] == [["praise"], ["other"], ["other"], ["other"]]
    assert [p.needs_review for p in got] == [False, False, True, True]


# --- model files ---------------------------------------------------------------------------------

def test_missing_model_file_names_the_file(tmp_path):
    path = tmp_path / "nope.skops"
    with pytest.raises(ModelError, match=str(path)):
        load_model(path)


def test_corrupt_model_files_are_refused(small_model, tmp_path):
    garbage = tmp_path / "garbage.skops"
    garbage.write_bytes(b"this is no zip file")
    truncated = tmp_path / "truncated.skops"
    truncated.write_bytes(small_model.read_bytes()[: small_model.stat().st_size // 2])
    for path in (garbage, truncated):
        with pytest.raises(ModelError, match=str(path)):
            load_model(path)


def test_foreign_types_in_a_model_file_are_not_loaded(tmp_path):
    path = tmp_path / "evil.skops"
    skops.io.dump({"format": 1, "pipeline": shutil.rmtree, "metadata": {}}, path)
    with pytest.raises(ModelError, match="niet vertrouwt"):
        load_model(path)


def test_model_from_another_sklearn_version_is_refused(small_model, tmp_path):
    model = load_model(small_model)
    old = Model(model.pipeline, {**model.metadata, "sklearn_version": "0.24.2"})
    path = save_model(old, tmp_path / "old.skops")
    with pytest.raises(ModelError, match="scikit-learn 0.24.2"):
        load_model(path)


def test_wrong_archive_content_is_refused(tmp_path):
    path = tmp_path / "list.skops"
    skops.io.dump([1, 2, 3], path)
    with pytest.raises(ModelError, match="onbekend formaat"):
        load_model(path)
    assert zipfile.is_zipfile(path)


# --- classify_pending ---------------------------------------------------------------------------------

def _add_mentions(engine, texts: list[str]) -> list[int]:
    with engine.begin() as conn:
        ids = []
        for i, text in enumerate(texts):
            result = conn.execute(mentions.insert().values(
                platform="x", platform_id=f"t{i}-{len(text)}", text=text, created_at=NOW,
                collected_at=NOW, updated_at=NOW, title="Kop" if i == 0 else None,
            ))
            ids.append(result.inserted_primary_key[0])
    return ids


def test_classify_pending_writes_once_per_model_version(engine, small_model, tmp_path):
    texts = ["Hoe vraag ik een parkeervergunning aan?", "Mooi weer vandaag in Heemstede ☀️",
             "", "Wanneer wordt de Binnenweg eindelijk eens gerepareerd, gemeente?"] + [
             f"Bericht nummer {i} over de gemeente" for i in range(7)]
    ids = _add_mentions(engine, texts)
    assert classify_pending(engine, small_model) == len(texts)
    assert classify_pending(engine, small_model) == 0
    with engine.connect() as conn:
        rows = conn.execute(sa.select(classifications)).all()
    assert sorted(r.mention_id for r in rows) == sorted(ids)
    version = load_model(small_model).version
    assert {r.model_version for r in rows} == {version}
    assert all(set(r.scores) == set(LABELS) and r.labels for r in rows)

    other = load_model(small_model)
    other.metadata = {**other.metadata, "version": version + "-b"}
    second = save_model(other, tmp_path / "second.skops")
    _add_mentions(engine, ["Nog een nieuw bericht over de raad"])
    assert classify_pending(engine, second) == len(texts) + 1
    assert classify_pending(engine, small_model) == 1


def test_an_edited_post_collected_again_is_classified_again(engine, small_model):
    # upsert_mentions keeps an edited post's latest text; its classification must follow it.
    first = Mention(platform="mastodon", platform_id="https://social.example/s/1", url=None,
                    author_handle="buur", text="Mooi weer vandaag in Heemstede", created_at=NOW)
    with engine.begin() as conn:
        [mention_id] = upsert_mentions(conn, [Sighting(first, "term", "mastodon")]).values()
    assert classify_pending(engine, small_model) == 1
    with engine.connect() as conn:
        before = conn.execute(sa.select(classifications)).one()

    edited = replace(first, text="Hoe vraag ik een parkeervergunning aan? Wanneer hoor ik iets, gemeente?")
    with engine.begin() as conn:
        upsert_mentions(conn, [Sighting(edited, "term", "mastodon")], now=datetime.now(UTC))

    assert classify_pending(engine, small_model) == 1
    assert classify_pending(engine, small_model) == 0
    with engine.connect() as conn:
        after = conn.execute(sa.select(classifications)).one()
    model = load_model(small_model)
    [expected] = model.predict([edited.text])
    assert (after.id, after.mention_id) == (before.id, mention_id)
    assert after.scores == expected.scores and after.scores != before.scores
    assert after.labels == expected.labels
    assert after.classified_at > before.classified_at


# --- retraining ---------------------------------------------------------------------------------

def test_retrain_only_with_new_corrections_and_only_if_not_worse(sqlite_engine, small_dir, small_model, tmp_path):
    model_path = tmp_path / "model" / "model.skops"
    model_path.parent.mkdir()
    shutil.copy(small_model, model_path)
    settings = Settings(tmp_path / "var", "sqlite://", tmp_path / "p.yaml", model_path)

    first = retrain_if_better(sqlite_engine, settings, small_dir)
    assert not first.retrained and "geen nieuwe labelcorrecties" in first.reason

    [mention_id] = _add_mentions(sqlite_engine, ["Wethouder, waarom duurt de vergunning zo lang? Wanneer hoor ik iets?"])
    with sqlite_engine.begin() as conn:
        conn.execute(label_corrections.insert().values(
            mention_id=mention_id, labels=["criticism", "policy_question"], corrected_by="test",
            corrected_at=NOW))
    second = retrain_if_better(sqlite_engine, settings, small_dir)
    assert second.retrained and second.candidate_version
    assert second.replaced == (
        second.candidate_scores["macro_f1"] >= second.current_scores["macro_f1"]
        and second.candidate_scores["response_recall"] >= second.current_scores["response_recall"]
    )
    with sqlite_engine.connect() as conn:
        used = conn.execute(sa.select(label_corrections.c.used_in_model)).scalar()
    if second.replaced:
        assert load_model(model_path).metadata["corrections"] == 1
        assert used == second.candidate_version
    else:
        assert used is None

    third = retrain_if_better(sqlite_engine, settings, small_dir)
    assert not third.retrained
    log = (tmp_path / "var" / "models" / "retrain.jsonl").read_text().splitlines()
    assert [json.loads(line)["retrained"] for line in log] == [False, True, False]
