"""End-to-end crawls through Scrapy's real engine against local servers on 127.0.0.1, via the CLI."""

from __future__ import annotations

import json

import pytest

from chipwatch.localsite import LocalSite, Route
from chipwatch.sample_site import build_sample_site
from db.schema import open_db
from tests import get_testdata
from tests.conftest import run_cli

FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "CHIPWATCH_PROGRESS_INTERVAL=0"]


@pytest.fixture
def sample_site():
    with LocalSite() as site:
        sample = build_sample_site(site.base_url)
        site.routes.update(sample.routes)
        site.sample = sample
        yield site


def _documents(db_path):
    db = open_db(db_path)
    rows = {r["url"]: r for r in db.query("select * from documents")}
    db.close()
    return rows


def test_sample_site_crawl_stores_exact_metadata(sample_site, db_path):
    urls = [sample_site.url(p) for p in sample_site.sample.start_paths]
    result = run_cli("crawl", "--db", str(db_path), "--no-classify", *FAST, *urls)
    assert result.returncode == 0, result.stderr
    summary = result.stdout.strip().splitlines()[-1]
    assert summary.startswith("crawl 1: ") and "22 new documents" in summary and "http_404: 1" in summary
    stored = _documents(db_path)
    assert len(stored) == len(sample_site.sample.expected) == 22
    for page in sample_site.sample.expected:
        row = stored[sample_site.url(page["path"])]
        assert (row["kind"], row["title"], row["author"], row["published_at"], row["views"]) == (
            page["kind"], page["title"], page["author"], page["published_at"], page["views"]), page["path"]
        assert page["first_sentence"] in row["text"]
    # tracking parameters from the feed are gone from stored URLs
    assert not [u for u in stored if "utm_" in u]
    db = open_db(db_path)
    crawl = db["crawls"].get(1)
    assert json.loads(crawl["errors"]) == {"http_404": 1, "robots": 1}
    assert crawl["stored"] == 22 and crawl["pages_fetched"] >= 29
    assert {r["kind"] for r in db["failures"].rows} == {"http_404", "robots"}


def test_recrawl_updates_and_never_duplicates(sample_site, db_path):
    urls = [sample_site.url(p) for p in sample_site.sample.start_paths]
    first = run_cli("crawl", "--db", str(db_path), "--no-classify", *FAST, *urls)
    forced = run_cli("crawl", "--db", str(db_path), "--no-classify", "--refresh", *FAST, *urls)
    assert first.returncode == forced.returncode == 0
    assert "0 new documents, 22 updated" in forced.stdout
    db = open_db(db_path)
    assert db["documents"].count == 22
    assert db.execute("select count(*) from documents_fts").fetchone()[0] == 22


def test_unchanged_sources_fetch_nothing_new(sample_site, db_path):
    urls = [sample_site.url(p) for p in sample_site.sample.start_paths]
    run_cli("crawl", "--db", str(db_path), "--no-classify", *FAST, *urls)
    hits_after_first = dict(sample_site.hits)
    again = run_cli("crawl", "--db", str(db_path), "--no-classify", *FAST, *urls)
    assert again.returncode == 0 and "0 new documents, 0 updated" in again.stdout
    article = "/ptw/2026/01/china-clears-h200-imports"
    assert sample_site.hits[article] == hits_after_first[article] == 1
    db = open_db(db_path)
    statuses = {r["url"].split("/", 3)[-1]: r["last_status"] for r in db["sources"].rows}
    assert set(statuses.values()) == {"unchanged"}


ARTICLE = ("<html><head><title>{title}</title><meta charset='{charset}'></head><body><article><h1>{title}</h1>"
           "<p>{body}</p><p>Paragraph two: {body}</p><p>Paragraph three: {body}</p></article></body></html>")


def _article(title, charset="utf-8", body="Officials said licences for AI accelerators would be reviewed case by case from next month."):
    return ARTICLE.format(title=title, charset=charset, body=body)


@pytest.fixture
def hostile_site():
    routes = {
        "/robots.txt": Route(b"User-agent: *\nAllow: /\n", "text/plain"),
        "/ok-1": Route(_article("Good page one").encode()),
        "/ok-2": Route(_article("Good page two").encode()),
        "/slow": Route(_article("Slow page").encode(), delay=4),
        "/500": Route(b"<h1>Server error</h1>", status=500),
        "/missing": Route(b"<h1>Gone</h1>", status=404),
        "/loop-a": Route(b"", status=302, headers={"Location": "/loop-b"}),
        "/loop-b": Route(b"", status=302, headers={"Location": "/loop-a"}),
        "/empty": Route(b""),
        "/image": Route(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "image/png"),
        "/huge": Route(b"<html><body><p>" + b"x" * (3 * 1024 * 1024) + b"</p></body></html>"),
        # declared UTF-8 but sent as Latin-1: decoding must not fail
        "/wrong-charset": Route(_article("Caf\xe9 owners r\xe9act", "utf-8", "Le minist\xe8re a d\xe9cid\xe9 que les licences d'exportation seront accord\xe9es pour les puces d'intelligence artificielle, selon un communiqu\xe9 publi\xe9 vendredi.").encode("latin-1"), "text/html; charset=utf-8"),
        # no charset anywhere, Windows-1252 bytes
        "/no-charset": Route(get_testdata("html", "odd.cp1252.html").replace(b"charset=windows-1252", b""), "text/html"),
        "/malformed": Route(get_testdata("html", "odd.malformed.html")),
        "/broken-feed": Route(get_testdata("feeds", "broken.xml"), "application/rss+xml"),
    }
    with LocalSite(routes) as site:
        yield site


def test_bad_input_never_stops_the_crawl(hostile_site, db_path):
    paths = ["/ok-1", "/slow", "/500", "/missing", "/loop-a", "/empty", "/image", "/huge", "/wrong-charset",
             "/no-charset", "/malformed", "/broken-feed", "/ok-2"]
    urls = [hostile_site.url(p) for p in paths] + ["http://127.0.0.1:9/closed-port"]
    result = run_cli("crawl", "--db", str(db_path), "--no-classify", *FAST, "-s", "DOWNLOAD_TIMEOUT=1",
                     "-s", "RETRY_TIMES=1", "-s", "DOWNLOAD_MAXSIZE=1048576", "-s", "REDIRECT_MAX_TIMES=3", *urls)
    assert result.returncode == 0, result.stderr
    summary = result.stdout.strip().splitlines()[-1]
    assert summary.startswith("crawl ") and "5 new documents" in summary
    stored = _documents(db_path)
    titles = {r["title"] for r in stored.values()}
    assert {"Good page one", "Good page two", "Customs seize smuggled GPUs at Shenzhen port",
            "Brussels weighs joint licence rules for chip tools"} <= titles
    assert any(t.startswith("Caf") for t in titles)
    db = open_db(db_path)
    errors = json.loads(db["crawls"].get(1)["errors"])
    assert errors == {"broken_feed": 1, "connection": 1, "empty": 1, "http_404": 1, "http_500": 1,
                      "not_html": 1, "redirect_loop": 1, "timeout": 1, "too_large": 1}
    failed = {r["url"].rsplit("/", 1)[-1]: r["kind"] for r in db["failures"].rows}
    assert failed["slow"] == "timeout" and failed["huge"] == "too_large" and failed["image"] == "not_html"
    assert hostile_site.hits["/500"] == 2, "one retry, then give up"


def test_crawl_classifies_and_stores_passages(sample_site, db_path, model_dir):
    urls = [sample_site.url("/ptw/news-sitemap.xml")]
    result = run_cli("crawl", "--db", str(db_path), *FAST, *urls, model_dir=model_dir)
    assert result.returncode == 0, result.stderr
    db = open_db(db_path)
    rows = list(db.query("select id, label, labels, scores, model_version from documents"))
    assert rows and all(r["label"] in ("approval", "block", "restriction", "neutral") for r in rows)
    assert all(abs(sum(json.loads(r["scores"]).values()) - 1) < 0.01 for r in rows)
    assert db["passages"].count > len(rows)
    assert db["classifications"].count == len(rows)
    assert len({r["model_version"] for r in rows}) == 1
