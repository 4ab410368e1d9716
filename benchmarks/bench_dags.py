"""How long Airflow spends on the DAGs: parsing each file, and a collect run of 1k and 10k mentions.

Run: ``.venv/bin/python benchmarks/bench_dags.py [--sizes 1000 10000] [--repeat 3]``.
Everything runs offline: a scratch metadata DB under var/airflow-bench, a fresh SQLite store
per run, the replay source reading generated mentions. The baseline is an empty DAG of three
tasks, run the same way, so the difference is what voelspriet's work costs. Results go to
stdout and benchmarks/out/bench_dags.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_HOME = ROOT / "var" / "airflow-bench"
OUT = ROOT / "benchmarks" / "out" / "bench_dags.json"

EMPTY_DAG = '''"""
### bench_empty

Three tasks that do nothing: the cost of a dag.test() run itself.
"""
import pendulum
from airflow.sdk import dag, task


@dag(dag_id="bench_empty", schedule=None, start_date=pendulum.datetime(2026, 11, 1), catchup=False)
def bench_empty():
    @task
    def first() -> int:
        return 1

    @task
    def second(value: int) -> int:
        return value + 1

    @task
    def third(value: int) -> None:
        """Nothing."""

    third(second(first()))


bench_empty()
'''


def parse_times(repeat: int) -> dict[str, float]:
    """Median seconds to parse each DAG file in a fresh interpreter (Airflow already imported)."""
    script = (
        "import sys, time\n"
        "from airflow.dag_processing.dagbag import DagBag\n"
        "start = time.perf_counter()\n"
        "bag = DagBag(dag_folder=sys.argv[1])\n"
        "assert not bag.import_errors, bag.import_errors\n"
        "print(time.perf_counter() - start)\n"
    )
    times = {}
    for path in sorted((ROOT / "dags").glob("*.py")):
        runs = [
            float(subprocess.run([sys.executable, "-c", script, str(path)], check=True,
                                 capture_output=True, text=True, env=os.environ.copy())
                  .stdout.strip().splitlines()[-1])
            for _ in range(repeat)
        ]
        times[path.name] = statistics.median(runs)
    return times


def replay_file(path: Path, count: int) -> Path:
    """``count`` replayable mentions about Heemstede, one minute apart."""
    start = datetime(2026, 11, 1, tzinfo=UTC)
    topics = ["parkeren op de Binnenweg", "het afval in Glip", "de bomen in het Wandelbos",
              "de OZB", "het fietspad op de Heemsteedse Dreef", "de balie van het gemeentehuis"]
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            out.write(json.dumps({
                "platform": "x", "platform_id": str(10**15 + i),
                "url": f"https://x.com/inwoner{i % 97}/status/{10**15 + i}",
                "author_handle": f"inwoner{i % 97}",
                "text": f"Wat vindt de gemeente Heemstede van {topics[i % len(topics)]}? ({i})",
                "language": "nl",
                "created_at": (start + timedelta(minutes=i)).isoformat().replace("+00:00", "Z"),
                "replies": i % 7, "reposts": i % 3, "likes": i % 11,
            }) + "\n")
    return path


def use_store(work: Path, name: str, replay: Path | None) -> str:
    """Point the tasks at a fresh, migrated SQLite store and a profile replaying ``replay``."""
    import yaml

    from store.migrate import upgrade

    data = yaml.safe_load((ROOT / "config" / "heemstede.yaml").read_text(encoding="utf-8"))
    data["sources"] = {"replay": {"enabled": True, "file": str(replay or work / "none.jsonl")}}
    profile = work / f"{name}.yaml"
    profile.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    url = f"sqlite:///{work / name}.db"
    upgrade(url)
    os.environ.update(VOELSPRIET_DATABASE_URL=url, VOELSPRIET_PROFILE=str(profile),
                      VOELSPRIET_VAR_DIR=str(work / f"{name}-var"))
    return url


def timed_run(dag) -> tuple[float, str]:
    for task in dag.tasks:
        task.retries = 0
    start = time.perf_counter()
    run = dag.test()
    return time.perf_counter() - start, str(run.state)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench_dags_"))
    dags = work / "dags"
    dags.mkdir()
    shutil.copy(ROOT / "dags" / "collect.py", dags / "collect.py")
    (dags / "bench_empty.py").write_text(EMPTY_DAG, encoding="utf-8")
    os.environ.update(
        AIRFLOW_HOME=str(BENCH_HOME), AIRFLOW_CONFIG=str(ROOT / "airflow.cfg"),
        AIRFLOW__CORE__DAGS_FOLDER=str(dags), AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__LOGGING__LOGGING_LEVEL="WARNING",
    )
    BENCH_HOME.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(Path(sys.executable).parent / "airflow"), "db", "migrate"], check=True,
                   capture_output=True, env=os.environ.copy())

    results: dict = {"parse_seconds": parse_times(args.repeat)}

    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(dags))
    use_store(work, "warmup", None)
    timed_run(bag.get_dag("bench_empty"))  # the first dag.test() starts the execution API
    empty = [timed_run(bag.get_dag("bench_empty")) for _ in range(args.repeat)]
    results["empty_3_task_dag_seconds"] = statistics.median(t for t, _ in empty)
    results["collect_seconds"] = {}
    for size in args.sizes:
        runs = []
        for i in range(args.repeat):
            use_store(work, f"collect-{size}-{i}", replay_file(work / f"replay-{size}.jsonl", size))
            seconds, state = timed_run(bag.get_dag("collect"))
            if state != "success":
                raise SystemExit(f"collect with {size} mentions ended {state}")
            runs.append(seconds)
        results["collect_seconds"][str(size)] = statistics.median(runs)
    shutil.rmtree(work)

    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print("parse time per DAG file (median, s):")
    for name, seconds in results["parse_seconds"].items():
        print(f"  {name:<20} {seconds:6.3f}")
    print(f"empty 3-task DAG, dag.test() (s): {results['empty_3_task_dag_seconds']:6.2f}")
    for size, seconds in results["collect_seconds"].items():
        print(f"collect, {int(size):>6} mentions (s): {seconds:6.2f}")


if __name__ == "__main__":
    main()
