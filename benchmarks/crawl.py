"""Crawl throughput and memory: a bare Scrapy fetch against the full chipwatch pipeline.

Serves N generated article pages (with site chrome, JSON-LD, a sitemap index) on 127.0.0.1 and
crawls them twice, each crawl in its own process: a bare spider that only fetches, then
`chipwatch crawl` (fetch, extract, classify, dedupe, store). Prints pages/s and peak memory.

Run: python benchmarks/crawl.py [--pages 2000] [--pages 20000 ...] [--profile]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chipwatch.localsite import LocalSite, Route  # noqa: E402
from classifier.corpus import load_corpus  # noqa: E402

SETTINGS = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "CONCURRENT_REQUESTS=32", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=32",
            "-s", "CHIPWATCH_PROGRESS_INTERVAL=0", "-s", "LOG_LEVEL=ERROR"]
PER_SITEMAP = 1000

PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} - Bench Ledger</title>
<meta property="og:title" content="{title}"><meta property="og:site_name" content="Bench Ledger">
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"NewsArticle","headline":{title_json},
"datePublished":"{date}","author":{{"@type":"Person","name":"{author}"}},"publisher":{{"@type":"Organization","name":"Bench Ledger"}}}}</script>
</head><body><div class="cookie-banner">We use cookies to improve your experience. Accept all</div>
<header><nav><a href="/">Home</a> <a href="/trade">Trade</a> <a href="/chips">Chips</a> <a href="/markets">Markets</a></nav></header>
<main><article><h1>{title}</h1><p class="byline">By {author}</p>{paragraphs}
<aside class="newsletter">Sign up for our daily newsletter.</aside></article>
<section class="related"><h3>Related</h3><ul>{related}</ul></section></main>
<footer>&copy; 2026 Bench Ledger. All rights reserved. <a href="/privacy">Privacy</a></footer></body></html>"""

BARE_SPIDER = '''
import scrapy
from scrapy.spiders import SitemapSpider

class Bare(SitemapSpider):
    name = "bare"

    def __init__(self, sitemap_url=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sitemap_urls = [sitemap_url]

    def parse(self, response):
        return None
'''


def build_site(pages: int, seed: int = 7) -> dict[str, Route]:
    rng = random.Random(seed)
    sentences = [r["text"] for r in load_corpus().passages if len(r["text"].split()) > 12]
    routes: dict[str, Route] = {"/robots.txt": Route(b"User-agent: *\nAllow: /\n", "text/plain")}
    for n in range(pages):
        title = rng.choice(sentences)[:90].rstrip(" ,.")
        paragraphs = "".join(f"<p>{' '.join(rng.sample(sentences, 3))}</p>" for _ in range(6))
        related = "".join(f'<li><a href="/a/{rng.randrange(pages)}">{rng.choice(sentences)[:60]}</a></li>' for _ in range(4))
        html = PAGE.format(title=title, title_json=json.dumps(title), date=f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}T10:00:00Z",
                           author=rng.choice(["Lin Wei", "Anna Berg", "Kenji Sato", "Maria Lopez"]), paragraphs=paragraphs,
                           related=related)
        routes[f"/a/{n}"] = Route(html.encode())
    return routes


def add_sitemaps(site: LocalSite, pages: int) -> str:
    names = []
    for start in range(0, pages, PER_SITEMAP):
        urls = "".join(f"<url><loc>{site.url(f'/a/{n}')}</loc></url>" for n in range(start, min(pages, start + PER_SITEMAP)))
        name = f"/sitemap-{start // PER_SITEMAP}.xml"
        site.routes[name] = Route(f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode(),
                                  "application/xml")
        names.append(name)
    index = "".join(f"<sitemap><loc>{site.url(n)}</loc></sitemap>" for n in names)
    site.routes["/sitemap.xml"] = Route(f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{index}</sitemapindex>'.encode(),
                                        "application/xml")
    return site.url("/sitemap.xml")


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB (from /proc)."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(next(l for l in status.splitlines() if l.startswith("VmRSS")).split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, StopIteration, ValueError):
            continue
    return total / 1024


def timed(command: list[str], env: dict) -> tuple[float, float, str, str]:
    """Run a command; return (seconds, peak resident memory in MB of its whole process tree, output)."""
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0.0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss_mb(child.pid))
            stop.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = child.communicate()
    elapsed = time.perf_counter() - started
    stop.set()
    sampler.join()
    if child.returncode != 0:
        print(err[-2000:], file=sys.stderr)
    return elapsed, peak, out, err


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(pages: int, port: int, ready) -> None:
    """Server process: the generated site on 127.0.0.1:port until terminated."""
    site = LocalSite(port=port)
    site.routes.update(build_site(pages))
    add_sitemaps(site, pages)
    site.thread.start()
    ready.set()
    threading.Event().wait()


def _responses(stderr: str) -> int:
    match = re.search(r"'response_received_count': (\d+)", stderr)
    return int(match.group(1)) if match else 0


def run(pages: int, profile: bool) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    port = _free_port()
    context = multiprocessing.get_context("fork")
    ready = context.Event()
    server = context.Process(target=_serve, args=(pages, port, ready), daemon=True)
    server.start()
    ready.wait(120)
    sitemap = f"http://127.0.0.1:{port}/sitemap.xml"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            spider_file = Path(tmp) / "bare.py"
            spider_file.write_text(BARE_SPIDER)
            bare_seconds, bare_mb, _, bare_err = timed([sys.executable, "-m", "scrapy", "runspider", str(spider_file), "-a",
                                                        f"sitemap_url={sitemap}", *SETTINGS, "-s", "LOG_LEVEL=INFO"], env)
            bare_fetched = _responses(bare_err) - 1 - pages // PER_SITEMAP - (1 if pages % PER_SITEMAP else 0)  # minus robots.txt and sitemaps
            db = Path(tmp) / "bench.db"
            command = [sys.executable, "-m", "chipwatch", "crawl", "--db", str(db), *SETTINGS, sitemap]
            if profile:
                command = [sys.executable, "-m", "cProfile", "-o", str(ROOT / "benchmarks" / f"crawl-{pages}.prof"), "-m",
                           "chipwatch", "crawl", "--db", str(db), *SETTINGS, sitemap]
            full_seconds, full_mb, out, _ = timed(command, env)
            full_fetched = int(re.search(r"(\d+) new documents", out).group(1)) if "new documents" in out else 0
    finally:
        server.terminate()
    return {"pages": pages, "bare_fetched": bare_fetched, "bare_seconds": bare_seconds, "bare_rate": bare_fetched / bare_seconds,
            "bare_peak_mb": bare_mb, "full_fetched": full_fetched, "full_seconds": full_seconds,
            "full_rate": full_fetched / full_seconds, "full_peak_mb": full_mb, "summary": (out or "").strip()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, action="append")
    parser.add_argument("--profile", action="store_true", help="write a cProfile of the full crawl to benchmarks/")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    from classifier.predict import load_or_train

    load_or_train()  # the model is trained before timing, as in production
    for pages in args.pages or [2000]:
        r = run(pages, args.profile)
        print(f"{pages} pages: bare fetch {r['bare_rate']:.0f} pages/s ({r['bare_seconds']:.1f} s, peak {r['bare_peak_mb']:.0f} MB); "
              f"full pipeline {r['full_rate']:.0f} pages/s ({r['full_seconds']:.1f} s, peak {r['full_peak_mb']:.0f} MB, crawl and model worker together); "
              f"ratio {r['full_rate'] / r['bare_rate']:.0%}")
        print(f"  {r['summary']}")


if __name__ == "__main__":
    main()
