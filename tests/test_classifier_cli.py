"""The ``voelspriet classify/train/evaluate`` contract, through the real console script."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from classifiers.corpus import load_corpus
from classifiers.labels import ACTIONS, LABELS
from voelspriet.settings import ROOT

VOELSPRIET = ROOT / ".venv" / "bin" / "voelspriet"
MODEL = ROOT / "classifiers" / "model" / "model.skops"


def run(*args: str, stdin: bytes = b"", env: dict | None = None, tmp: Path) -> subprocess.CompletedProcess:
    environment = {**os.environ, "VOELSPRIET_VAR_DIR": str(tmp / "var"), "VOELSPRIET_MODEL": str(MODEL),
                   **(env or {})}
    return subprocess.run([str(VOELSPRIET), *args], input=stdin, capture_output=True,
                          env=environment, timeout=300, check=False)


def lines(stdout: bytes) -> list[dict]:
    return [json.loads(line) for line in stdout.decode("utf-8").splitlines()]


def test_classify_stdin_contract_with_bad_lines(tmp_path):
    long_text = "Waarom is de parkeervergunning zo duur? " * 2600  # about 100 kB
    good = [
        {"id": "a", "text": "Weet iemand hoe je een parkeervergunning aanvraagt in Heemstede?", "lang": "nl"},
        {"id": "b", "text": ""},
        {"id": "c", "text": "😡😡😡 https://t.co/abc"},
        {"id": "d", "text": long_text},
    ]
    raw = b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in good[:2])
    raw += b"this is not json\n" + b'{"id": "e", "text": "caf\xe9"}\n' + b'{"id": "f"}\n' + b'[1, 2]\n'
    raw += b'{"id": "g", "text": 42}\n'
    raw += b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in good[2:])
    result = run("classify", stdin=raw, tmp=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    out = lines(result.stdout)
    assert len(out) == 9
    classified = [o for o in out if "error" not in o]
    assert [o["id"] for o in classified] == ["a", "b", "c", "d"]
    for record, source in zip(classified, good):
        assert {k: record[k] for k in source} == source
        assert record["labels"] and set(record["labels"]) <= set(LABELS)
        assert set(record["scores"]) == set(LABELS)
        assert all(0.0 <= v <= 1.0 for v in record["scores"].values())
        assert record["action"] in ACTIONS and isinstance(record["needs_review"], bool)
    assert classified[0]["labels"] == ["policy_question"] and classified[0]["action"] == "respond"
    errors = [o for o in out if "error" in o]
    assert [o.get("id") for o in errors] == [None, None, "f", None, "g"]
    assert "UTF-8" in errors[1]["error"] and "JSON" in errors[0]["error"]
    assert "5 regels met een fout" in result.stderr.decode()


def test_classify_file_argument_keeps_order(tmp_path):
    corpus = load_corpus()[:300]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps({"id": e.id, "text": e.text}) + "\n" for e in corpus), encoding="utf-8")
    result = run("classify", str(path), tmp=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    assert [o["id"] for o in lines(result.stdout)] == [e.id for e in corpus]


@pytest.mark.parametrize("content", [None, b"not a model", b"PK\x03\x04broken"])
def test_classify_with_bad_model_file_says_which_file(tmp_path, content):
    path = tmp_path / "model.skops"
    if content is not None:
        path.write_bytes(content)
    result = run("classify", stdin=b'{"text": "hoi"}\n', env={"VOELSPRIET_MODEL": str(path)}, tmp=tmp_path)
    assert result.returncode == 1
    message = result.stderr.decode()
    assert str(path) in message.replace("\n", "") and "voelspriet train" in message
    assert "Traceback" not in message and result.stdout == b""


def test_train_and_evaluate_on_a_small_corpus(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    examples = load_corpus()[::12]
    (data / "corpus_part1.jsonl").write_text(
        "".join(json.dumps({"id": e.id, "text": e.text, "labels": list(e.labels)}) + "\n" for e in examples),
        encoding="utf-8")
    model = tmp_path / "small.skops"
    trained = run("train", "--data", str(data), "--no-store", "--output", str(model), tmp=tmp_path)
    assert trained.returncode == 0, trained.stderr.decode()
    assert model.exists() and "macro-F1" in trained.stderr.decode()
    card = tmp_path / "CARD.md"
    evaluated = run("evaluate", "--model", str(model), "--data", str(data), "--card", str(card), tmp=tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr.decode()
    report = json.loads(evaluated.stdout)
    assert report["challenge"] is None and 0 <= report["heldout"]["macro_f1"] <= 1
    text = card.read_text(encoding="utf-8")
    for heading in ("Intended use", "Data", "Metrics", "Known limits", "Human oversight", "Algoritmeregister"):
        assert f"## {heading}" in text
    assert json.loads(model.with_suffix(".json").read_text())["version"] in text
