"""Unattended running: conditional GET, disabled sources, SIGKILL and resume, concurrent writers,
Crawl-delay, the single-instance lock and the scheduler's clean stop."""

from __future__ import annotations

import os
from pathlib import Path
import signal
import subprocess
import sys
import time

import pytest

from chipwatch.cycle import ALREADY_RUNNING_EXIT, single_instance
from chipwatch.localsite import LocalSite, Route
from db.schema import open_db
from tests.conftest import ROOT, run_cli

FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "CHIPWATCH_PROGRESS_INTERVAL=0"]
PARAGRAPHS = ("Officials said exporters of advanced accelerators would need a licence for each shipment to the region.",
              "The rule takes effect next month after a short comment period, the ministry said in a notice.",
              "Analysts said most applications for older chips were likely to be approved within weeks.")


def article(n: int) -> bytes:
    body = "".join(f"<p>Story {n}. {p}</p>" for p in PARAGRAPHS)
    return f"<html><head><title>Story number {n}</title></head><body><article><h1>Story number {n}</h1>{body}</article></body></html>".encode()


def sitemap(site_paths) -> bytes:
    urls = "".join(f"<url><loc>{p}</loc></url>" for p in site_paths)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode()


def site_with_articles(count: int, delay: float = 0.0, prefix: str = "/a") -> LocalSite:
    site = LocalSite()
    site.routes.update({f"{prefix}/{n}": Route(article(n), delay=delay) for n in range(count)})
    site.routes["/sitemap.xml"] = Route(sitemap([site.url(f"{prefix}/{n}") for n in range(count)]), "application/xml")
    return site


def sources_file(tmp_path, *urls) -> str:
    path = tmp_path / "sources.toml"
    path.write_text("".join(f'[[source]]\nname = "s{i}"\nurl = "{u}"\n\n' for i, u in enumerate(urls)))
    return str(path)


def test_conditional_get_304_is_not_modified(tmp_path, db_path):
    feed = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>Story number 1</title>'
            b"<link>LINK</link></item></channel></rss>")
    with LocalSite() as site:
        site.routes["/a/1"] = Route(article(1))
        body = feed.replace(b"LINK", site.url("/a/1").encode())

        def conditional(handler):
            if handler.headers.get("If-None-Match") == '"v1"':
                return Route(b"", status=304, headers={"ETag": '"v1"'})
            return Route(body, "application/rss+xml", headers={"ETag": '"v1"', "Last-Modified": "Wed, 28 Jan 2026 03:00:00 GMT"})

        site.routes["/feed.xml"] = conditional
        first = run_cli("crawl", "--db", str(db_path), "--no-classify", *FAST, site.url("/feed.xml"))
        second = run_cli("crawl", "--db", str(db_path), "--no-classify", *FAST, site.url("/feed.xml"))
    assert first.returncode == second.returncode == 0
    state = open_db(db_path)["sources"].get(site.url("/feed.xml"))
    assert state["etag"] == '"v1"' and state["last_modified"] == "Wed, 28 Jan 2026 03:00:00 GMT"
    assert state["last_status"] == "not_modified"
    # first poll: every entry new, 6 h default halved to 3 h; then 304: doubled back to 6 h
    assert state["poll_interval_s"] == 6 * 3600
    assert site.hits["/a/1"] == 1


def test_failing_source_is_disabled_after_30_failures_and_reported(tmp_path, db_path):
    dead = "http://127.0.0.1:9/feed.xml"
    db = open_db(db_path)
    db["sources"].insert({"name": "dead", "url": dead, "kind": "feed", "consecutive_failures": 29, "disabled": 0}, pk="url")
    db.close()
    result = run_cli("run", "--db", str(db_path), "--sources", sources_file(tmp_path, dead), "-s", "RETRY_TIMES=0", *FAST)
    assert result.returncode == 0, result.stderr
    assert "disabled source: http://127.0.0.1:9/feed.xml (30 failures in a row)" in result.stderr
    assert "1 sources disabled" in result.stdout
    state = open_db(db_path)["sources"].get(dead)
    assert state["disabled"] == 1 and state["consecutive_failures"] == 30
    again = run_cli("run", "--db", str(db_path), "--sources", sources_file(tmp_path, dead), *FAST)
    assert "no source due" in again.stdout, "a disabled source is not polled again"


def _children(pid: int) -> list[int]:
    """Direct child processes of pid, from /proc."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _alive(pid: int) -> bool:
    """True while pid exists and is not a zombie."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def test_sigkill_mid_crawl_loses_nothing_and_resume_completes(tmp_path, db_path):
    with site_with_articles(30, delay=0.15) as site:
        command = [sys.executable, "-m", "chipwatch", "crawl", "--db", str(db_path), "--no-classify", *FAST,
                   "-s", "CONCURRENT_REQUESTS=2", site.url("/sitemap.xml")]
        child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        stored = 0
        while time.monotonic() < deadline and stored < 6:
            time.sleep(0.2)
            if db_path.exists():
                try:
                    stored = open_db(db_path)["documents"].count
                except Exception:
                    stored = 0
        workers = _children(child.pid)
        assert workers, "the crawl runs its worker process"
        child.kill()
        child.wait()
        assert child.returncode == -signal.SIGKILL
        deadline = time.monotonic() + 10
        while any(map(_alive, workers)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(map(_alive, workers)), "the killed crawl's worker exited too (no orphan holding the model)"
        db = open_db(db_path)
        kept = db["documents"].count
        assert 6 <= kept < 30, "some pages were stored before the kill, not all"
        db.close()
        resumed = run_cli("crawl", "--db", str(db_path), "--no-classify", *FAST, site.url("/sitemap.xml"))
        assert resumed.returncode == 0
        assert f"{30 - kept} new documents" in resumed.stdout
    db = open_db(db_path)
    assert db["documents"].count == 30
    assert db.execute("select count(distinct url) from documents").fetchone()[0] == 30


def test_two_crawls_on_one_database_at_once(tmp_path, db_path):
    with site_with_articles(25, prefix="/x") as one, site_with_articles(25, prefix="/y") as two:
        commands = [[sys.executable, "-m", "chipwatch", "crawl", "--db", str(db_path), "--no-classify", *FAST, s.url("/sitemap.xml")]
                    for s in (one, two)]
        children = [subprocess.Popen(c, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for c in commands]
        outputs = [c.communicate(timeout=120) for c in children]
    for child, (out, err) in zip(children, outputs):
        assert child.returncode == 0, err
        assert "locked" not in err and "25 new documents" in out
    assert open_db(db_path)["documents"].count == 50


def test_robots_crawl_delay_is_honoured(db_path):
    with site_with_articles(4) as site:
        site.routes["/robots.txt"] = Route(b"User-agent: *\nCrawl-delay: 1\nAllow: /\n", "text/plain")
        stamps = {}
        for n in range(4):
            route = site.routes[f"/a/{n}"]

            def stamped(handler, route=route, n=n):
                stamps[n] = time.monotonic()
                return route

            site.routes[f"/a/{n}"] = stamped
        result = run_cli("crawl", "--db", str(db_path), "--no-classify", *FAST, site.url("/sitemap.xml"))
    assert result.returncode == 0 and "4 new documents" in result.stdout
    times = sorted(stamps.values())
    assert all(later - earlier >= 0.9 for earlier, later in zip(times, times[1:])), times


def test_second_run_on_the_same_database_exits_at_once(tmp_path, db_path):
    with single_instance(db_path):
        result = run_cli("run", "--db", str(db_path), "--sources", sources_file(tmp_path, "http://127.0.0.1:9/x"))
    assert result.returncode == ALREADY_RUNNING_EXIT
    assert result.stderr.strip() == f"Error: another chipwatch run is already working on {db_path}"


def test_schedule_finishes_the_current_cycle_on_sigterm(tmp_path, db_path, model_dir):
    with site_with_articles(8, delay=0.3) as site:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        child = subprocess.Popen([sys.executable, "-m", "chipwatch", "schedule", "--every", "1h", "--db", str(db_path),
                                  "--sources", sources_file(tmp_path, site.url("/sitemap.xml"))],
                                 cwd=ROOT, env={**env, "CHIPWATCH_MODEL_DIR": str(model_dir)}, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any(k.startswith("/a/") for k in site.hits):
            time.sleep(0.1)
        child.send_signal(signal.SIGTERM)
        out, err = child.communicate(timeout=180)
    assert child.returncode == 0
    assert "stopping after the current cycle" in err and "cycle 1 finished with exit code 0" in err
    assert open_db(db_path)["documents"].count == 8, "the interrupted cycle still stored every page"


def test_run_cycle_crawls_classifies_and_writes_the_digest(tmp_path, db_path, model_dir):
    reports = tmp_path / "reports"
    with site_with_articles(5) as site:
        result = run_cli("run", "--db", str(db_path), "--sources", sources_file(tmp_path, site.url("/sitemap.xml")),
                         "--reports", str(reports), *FAST, model_dir=model_dir)
        again = run_cli("run", "--db", str(db_path), "--sources", sources_file(tmp_path, site.url("/sitemap.xml")),
                        "--reports", str(reports), *FAST, model_dir=model_dir)
    assert result.returncode == 0, result.stderr
    assert "5 new documents" in result.stdout and "digest" in result.stdout
    digests = list(reports.glob("digest-*.html"))
    assert len(digests) == 1 and "Story number" in digests[0].read_text(encoding="utf-8")
    db = open_db(db_path)
    assert all(r["label"] for r in db.query("select label from documents"))
    assert "no source due" in again.stdout, "the sitemap's next poll is hours away"
