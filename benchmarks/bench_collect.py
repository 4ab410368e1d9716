"""Collect and store 50,000 mentions: from RSS feeds on a local HTTP server, and from replay.

Prints mentions per second and the peak resident memory of each scenario. Each scenario runs
in its own process so the peaks do not mix. Usage::

    .venv/bin/python benchmarks/bench_collect.py [--mentions 50000] [--only feed|replay]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PER_FEED = 1000
TOPICS = ["parkeren bij de Binnenweg", "bomenkap in het Wandelbos", "de OZB-aanslag", "afval ophalen",
          "de raadsvergadering over het Havenkwartier", "een paspoort aanvragen"]


def feed_xml(feed_no: int) -> bytes:
    start = datetime(2026, 11, 20, tzinfo=UTC)
    items = []
    for i in range(PER_FEED):
        n = feed_no * PER_FEED + i
        topic = TOPICS[n % len(TOPICS)]
        items.append(
            f"<item><title>{escape(f'Bericht {n}: {topic}')}</title>"
            f"<link>https://nieuws.example/artikel/{n}?utm_source=rss</link>"
            f"<pubDate>{format_datetime(start - timedelta(minutes=n))}</pubDate>"
            f"<description>{escape(f'<p>Inwoners van Heemstede praten over {topic}. Artikel {n}.</p>')}</description></item>"
        )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed {feed_no}</title>'
            f"{''.join(items)}</channel></rss>").encode()


class FeedHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = feed_xml(int(self.path.strip("/").split(".")[0]))
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def _store(tmp: Path):
    from store.db import create_engine
    from store.migrate import upgrade

    url = f"sqlite:///{tmp / 'bench.db'}"
    upgrade(url)
    return create_engine(url)


def run_feed(mentions: int, tmp: Path) -> dict:
    from collectors.runner import collect
    from voelspriet.profile import Source, load_profile

    server = ThreadingHTTPServer(("127.0.0.1", 0), FeedHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    feeds = [{"name": f"f{i}", "url": f"http://127.0.0.1:{server.server_port}/{i}.xml"}
             for i in range(mentions // PER_FEED)]
    profile = load_profile(ROOT / "config" / "heemstede.yaml")
    profile = profile.model_copy(update={"sources": {"news": Source(feeds=feeds, max_items_per_feed=PER_FEED)}})
    engine = _store(tmp)
    started = time.perf_counter()
    result = collect(engine, profile, "news")
    seconds = time.perf_counter() - started
    server.shutdown()
    return {"scenario": "feed", "status": result.status, "stored": result.stored, "seconds": seconds}


def run_replay(mentions: int, tmp: Path) -> dict:
    from collectors.runner import collect
    from voelspriet.profile import Source, load_profile

    path = tmp / "replay.jsonl"
    start = datetime(2026, 11, 20, tzinfo=UTC)
    with path.open("w", encoding="utf-8") as out:
        for n in range(mentions):
            out.write(json.dumps({
                "platform": "x", "platform_id": str(n), "author_handle": f"inwoner{n % 977}",
                "text": f"Gemeente Heemstede en {TOPICS[n % len(TOPICS)]}, bericht {n}",
                "created_at": (start - timedelta(seconds=n)).isoformat(), "language": "nl",
                "replies": n % 7, "reposts": n % 3, "likes": n % 11,
            }) + "\n")
    profile = load_profile(ROOT / "config" / "heemstede.yaml")
    profile = profile.model_copy(update={"sources": {"replay": Source(file=str(path))}})
    engine = _store(tmp)
    started = time.perf_counter()
    result = collect(engine, profile, "replay")
    seconds = time.perf_counter() - started
    return {"scenario": "replay", "status": result.status, "stored": result.stored, "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=50_000)
    parser.add_argument("--only", choices=["feed", "replay"])
    args = parser.parse_args()
    if args.only is None:
        for scenario in ("feed", "replay"):
            subprocess.run([sys.executable, __file__, "--mentions", str(args.mentions), "--only", scenario], check=True)
        return
    with tempfile.TemporaryDirectory() as tmp:
        result = (run_feed if args.only == "feed" else run_replay)(args.mentions, Path(tmp))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rate = result["stored"] / result["seconds"] if result["seconds"] else 0.0
    print(f"collect {result['scenario']:>6}: {result['stored']} mentions stored in {result['seconds']:.1f} s "
          f"= {rate:,.0f} mentions/s, peak memory {peak_mb:,.0f} MB (status {result['status']})")


if __name__ == "__main__":
    main()
