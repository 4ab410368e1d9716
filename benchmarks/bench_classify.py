"""Throughput and peak memory of classification on 100k mentions, beside a plain baseline.

Run: ``.venv/bin/python benchmarks/bench_classify.py [--n 100000]``. One process, one core; time is CPU time of the process
(the machine is shared, so wall time would measure the neighbours).
The mentions are corpus texts repeated (with a counter appended so they are not identical).
The baseline is word TF-IDF + LogisticRegression trained on the same data; the ratio shows
what the char n-grams, calibration and decision rule cost. Target: >= 5,000 mentions/s.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline

from classifiers.corpus import load_corpus, split
from classifiers.model import label_matrix, load_model
from voelspriet.settings import load_settings

BATCH = 1_000
TARGET = 5_000


def measure(name: str, predict, texts: list[str]) -> float:
    """Mentions per second of ``predict`` over ``texts`` in batches, then peak memory of a batch.

    Memory is traced separately on a few batches: tracemalloc slows allocation-heavy code
    (n-gram generation) by an order of magnitude, so it must not run during the timing.
    """
    predict(texts[:BATCH])  # warm-up
    start = time.process_time()
    for i in range(0, len(texts), BATCH):
        predict(texts[i : i + BATCH])
    elapsed = time.process_time() - start
    tracemalloc.start()
    for i in range(0, min(len(texts), 3 * BATCH), BATCH):
        predict(texts[i : i + BATCH])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rate = len(texts) / elapsed
    print(f"{name:10} {len(texts):>8} mentions in {elapsed:6.1f} s CPU = {rate:8.0f}/s, "
          f"peak {peak / 2**20:6.1f} MiB per batch of {BATCH}")
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    args = parser.parse_args()
    corpus = load_corpus()
    texts = [f"{corpus[i % len(corpus)].text} {i}" for i in range(args.n)]

    model = load_model(load_settings().model_path)
    train = split(corpus).train
    baseline = make_pipeline(TfidfVectorizer(sublinear_tf=True), OneVsRestClassifier(LogisticRegression(max_iter=1000)))
    baseline.fit([e.text for e in train], label_matrix([e.labels for e in train]))

    print(f"process peak RSS before classifying: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    ours = measure("voelspriet", model.predict, texts)
    base = measure("baseline", baseline.predict_proba, texts)
    print(f"process peak RSS after both runs: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    print(f"ratio voelspriet/baseline throughput: {ours / base:.2f}")
    print(f"target {TARGET}/s: {'met' if ours >= TARGET else 'NOT met'}")
    return 0 if ours >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
