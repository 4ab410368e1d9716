"""Web benchmark: the mention table and full-text search over a store with 1M mentions.

Bulk-loads N mentions (with a classification and a triage decision each) into a fresh
SQLite file and/or PostgreSQL database migrated with Alembic, serves the real app with
uvicorn on loopback and times whole page requests (median of several, after a warm-up).
It also prints each query's plan, so you can see the indexes being used.

    .venv/bin/python benchmarks/bench_web.py --rows 1000000 --db sqlite --db postgresql

Results go to benchmarks/out/bench_web.md (and the console).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ClauseElement, Executable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from store import web_queries as q
from store.db import create_engine
from store.migrate import upgrade
from tests.web_support import LiveServer
from voelspriet.profile import load_profile
from voelspriet.settings import load_settings
from voelspriet.web import create_app
from voelspriet.web.config import WebConfig
from voelspriet.web.passwords import hash_password

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
WORDS = ["gemeente", "heemstede", "parkeren", "vergunning", "afval", "container", "bomen", "kap", "fiets", "verkeer", "wethouder", "raad", "belasting", "ozb", "woning", "bouw", "wandelbos", "groenendaal", "binnenweg", "zandvaart", "vraag", "klacht", "compliment", "mooi", "slecht", "goed", "waarom", "wanneer", "hoe", "kan", "iemand", "weet", "het", "de", "een", "en", "van", "in", "op", "met", "voor", "niet", "ook", "dat", "is", "zijn", "was", "worden", "heel", "erg", "weer", "straat", "plein", "park", "school", "sport", "zwembad", "bibliotheek", "markt", "evenement", "koningsdag", "kerstmarkt", "politie", "handhaving", "overlast", "veilig", "camera", "boa", "zorg", "wmo", "loket", "paspoort"]
RARE = ["parkeervergunning", "grofvuil", "bestemmingsplan", "kwijtschelding", "rioolheffing"]
PLATFORMS = ["x", "reddit", "news", "mastodon", "bluesky"]
LABEL_SETS = [["other"], ["criticism"], ["praise"], ["policy_question"], ["factual_error"],
              ["offensive"], ["criticism", "policy_question"]]
ACTION_OF = {"other": "none", "criticism": "signal", "praise": "signal",
             "policy_question": "respond", "factual_error": "consider_response",
             "offensive": "consider_response"}
RANK = ["respond", "consider_response", "signal", "none"]
TOPICS = ["parkeren", "verkeer", "afval", "groen", "wonen", "belasting", "zorg", None]

CASES = [
    ("tabel, geen filter", "/vermeldingen"),
    ("laatste 7 dagen", "/vermeldingen?van=2026-11-13&tot=2026-11-20"),
    ("platform reddit", "/vermeldingen?platform=reddit"),
    ("actie reageren", "/vermeldingen?actie=respond"),
    ("label kritiek + 30 dagen", "/vermeldingen?label=criticism&van=2026-10-21&tot=2026-11-20"),
    ("status open + onderwerp parkeren", "/vermeldingen?status=open&onderwerp=parkeren"),
    ("afdeling Belastingen", "/vermeldingen?afdeling=Belastingen"),
    ("sorteer urgentie", "/vermeldingen?sorteer=urgentie"),
    ("pagina 50", "/vermeldingen?pagina=50"),
    ("zoek 1 zeldzaam woord", "/vermeldingen?q=parkeervergunning"),
    ("zoek 2 woorden", "/vermeldingen?q=gemeente+afval"),
    ("zoek + platform + 30 dagen", "/vermeldingen?q=wandelbos&platform=x&van=2026-10-21&tot=2026-11-20"),
    ("inbox", "/inbox"),
]


def rows(n: int, seed: int = 7):
    """Deterministic synthetic mentions, classifications and decisions."""
    rnd = random.Random(seed)
    for i in range(1, n + 1):
        words = rnd.choices(WORDS, k=rnd.randint(12, 30))
        if rnd.random() < 0.002:
            words.insert(rnd.randrange(len(words)), rnd.choice(RARE))
        created = NOW - timedelta(seconds=rnd.randint(0, 365 * 24 * 3600))
        labels = rnd.choices(LABEL_SETS, weights=[50, 20, 10, 8, 5, 2, 5])[0]
        action = min((ACTION_OF[x] for x in labels), key=RANK.index)
        urgency = round(rnd.random() * 10, 2)
        topic = rnd.choice(TOPICS)
        status = "open" if rnd.random() < 0.3 else rnd.choice(["responded", "not_responding", "passed_on"])
        yield (
            (i, rnd.choice(PLATFORMS), f"b{i}", f"https://example.org/{i}", f"user{i % 5000}",
             " ".join(words), rnd.choice(["nl"] * 9 + ["en"]), created, created, created,
             rnd.randint(0, 50)),
            (i, i, "bench-1", json.dumps(labels), json.dumps({x: 0.8 for x in labels}), False, created),
            (i, i, i, action, "benchmark", urgency, "hoog" if urgency > 7 else "normaal",
             json.dumps(["Belastingen"] if topic == "belasting" else []), topic, status, created, created),
        )


def load(engine, n: int) -> float:
    """Bulk insert ``n`` mentions; returns seconds. Uses the driver's fastest path."""
    start = time.perf_counter()
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if engine.dialect.name == "postgresql":
            with cur.copy("COPY mentions (id, platform, platform_id, url, author_handle, text, language, "
                          "created_at, collected_at, updated_at, replies) FROM STDIN") as cp:
                for m, _, _ in rows(n):
                    cp.write_row(m)
            with cur.copy("COPY classifications (id, mention_id, model_version, labels, scores, "
                          "needs_review, classified_at) FROM STDIN") as cp:
                for _, c, _ in rows(n):
                    cp.write_row(c)
            with cur.copy("COPY triage_decisions (id, mention_id, classification_id, action, reason, "
                          "urgency, urgency_level, departments, topic, status, decided_at, updated_at) "
                          "FROM STDIN") as cp:
                for _, _, d in rows(n):
                    cp.write_row(d)
            for table in ("mentions", "classifications", "triage_decisions"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {n})")
            raw.commit()
            cur.execute("ANALYZE")
        else:
            def naive(d):  # UTCDateTime stores naive UTC text on SQLite
                return d.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")

            batch_m, batch_c, batch_d = [], [], []
            for m, c, d in rows(n):
                batch_m.append((*m[:7], naive(m[7]), naive(m[8]), naive(m[9]), m[10]))
                batch_c.append((*c[:6], naive(c[6])))
                batch_d.append((*d[:10], naive(d[10]), naive(d[11])))
                if len(batch_m) == 20_000:
                    _sqlite_flush(cur, batch_m, batch_c, batch_d)
                    raw.commit()  # one huge transaction would grow the WAL to gigabytes
            _sqlite_flush(cur, batch_m, batch_c, batch_d)
            raw.commit()
            cur.execute("ANALYZE")
            raw.commit()
    finally:
        raw.close()
    return time.perf_counter() - start


def _sqlite_flush(cur, batch_m, batch_c, batch_d) -> None:
    cur.executemany("INSERT INTO mentions (id, platform, platform_id, url, author_handle, text, "
                    "language, created_at, collected_at, updated_at, replies) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?)", batch_m)
    cur.executemany("INSERT INTO classifications (id, mention_id, model_version, labels, scores, "
                    "needs_review, classified_at) VALUES (?,?,?,?,?,?,?)", batch_c)
    cur.executemany("INSERT INTO triage_decisions (id, mention_id, classification_id, action, reason, "
                    "urgency, urgency_level, departments, topic, status, decided_at, updated_at) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", batch_d)
    batch_m.clear(), batch_c.clear(), batch_d.clear()


class Explain(Executable, ClauseElement):
    """EXPLAIN of a SELECT, with its parameters bound as usual (SQLAlchemy's recipe)."""

    inherit_cache = False

    def __init__(self, statement, prefix: str):
        self.statement, self.prefix = statement, prefix


@compiles(Explain)
def _compile_explain(element, compiler, **kw):
    return element.prefix + compiler.process(element.statement, **kw)


def plan(engine, profile, path: str) -> str:
    """The database's plan for the query that picks the page's ids behind ``path``."""
    from starlette.datastructures import QueryParams

    from voelspriet.web.forms import parse_table_request

    if not path.startswith("/vermeldingen"):
        return ""
    params = QueryParams(path.partition("?")[2])
    with engine.connect() as conn:
        table = parse_table_request(params, profile, ["en", "nl"])
        query = q.page_ids_query(conn.dialect.name, table.filter, table.sort).limit(50)
        prefix = "EXPLAIN QUERY PLAN " if conn.dialect.name == "sqlite" else "EXPLAIN "
        lines = conn.execute(Explain(query, prefix)).all()
    return "\n".join(str(line[-1]) for line in lines)


def measure(url: str, engine, profile, repeat: int) -> list[dict]:
    settings = load_settings()
    with engine.begin() as conn:
        q.add_user(conn, "bench", "analyst", hash_password("bench-wachtwoord"), NOW)
    config = WebConfig(secret="x" * 40, reports_dir=Path(tempfile.mkdtemp()))
    results = []
    with (LiveServer(create_app(engine, settings, profile, config)) as server,
          httpx.Client(base_url=server.url, timeout=120) as client):
        page = client.get("/login")
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        client.post("/login", data={"username": "bench", "password": "bench-wachtwoord",
                                    "csrf_token": token})
        for name, path in CASES:
            client.get(path)  # warm-up
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, (path, response.status_code)
            results.append({"case": name, "path": path, "median_ms": statistics.median(times),
                            "max_ms": max(times), "plan": plan(engine, profile, path)})
    return results


def database(kind: str, tmp: Path, pg_admin: str):
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'bench.db'}", None
    admin = sa.create_engine(pg_admin, isolation_level="AUTOCOMMIT")
    name = f"voelspriet_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(pg_admin).set(database=name).render_as_string(hide_password=False)

    def drop():
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pg-admin", default=PG_ADMIN)
    args = parser.parse_args()
    profile = load_profile(ROOT / "config" / "heemstede.yaml")
    out = ROOT / "benchmarks" / "out"
    out.mkdir(parents=True, exist_ok=True)
    report = [f"# bench_web: {args.rows:,} mentions\n"]
    for kind in args.db or ["sqlite", "postgresql"]:
        tmp = Path(tempfile.mkdtemp(prefix="bench-web-"))
        url, drop = database(kind, tmp, args.pg_admin)
        try:
            upgrade(url)
            engine = create_engine(url)
            seconds = load(engine, args.rows)
            print(f"{kind}: loaded {args.rows:,} mentions in {seconds:.0f} s", flush=True)
            results = measure(url, engine, profile, args.repeat)
            engine.dispose()
        finally:
            if drop:
                drop()
            shutil.rmtree(tmp, ignore_errors=True)
        report.append(f"\n## {kind} (load {seconds:.0f} s)\n\n| case | median ms | max ms |\n|---|---:|---:|")
        for r in results:
            report.append(f"| {r['case']} | {r['median_ms']:.0f} | {r['max_ms']:.0f} |")
            print(f"{kind:10s} {r['case']:40s} {r['median_ms']:8.0f} ms (max {r['max_ms']:.0f})", flush=True)
        report.append("\n### plans\n")
        for r in results:
            if r["plan"]:
                report.append(f"**{r['case']}** `{r['path']}`\n\n```\n{r['plan']}\n```\n")
    (out / "bench_web.md").write_text("\n".join(report) + "\n", encoding="utf-8")
    print(f"written {out / 'bench_web.md'}")


if __name__ == "__main__":
    main()
