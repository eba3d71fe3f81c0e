"""The command line through its real entry point: help, one-line errors, export, demo."""

import csv
import io
import json

import pytest
from click.testing import CliRunner

from chipwatch.cli import cli
from db.schema import open_db
from db.store import save_document
from tests.conftest import run_cli


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help_with_an_example(name):
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output, f"{name} --help has no example"


@pytest.mark.parametrize("args,message", [
    (["crawl", "--db", "{tmp}/x.db", "ftp://example.test/feed"], "not an http(s) URL: ftp://example.test/feed"),
    (["crawl", "--db", "{tmp}/x.db", "--sources", "{tmp}/nope.toml"], "sources file not found"),
    (["crawl", "--db", "{tmp}/x.db", "-s", "NOEQUALS", "http://127.0.0.1:9/"], "expected NAME=VALUE"),
    (["crawl", "--db", "{tmp}/missing-dir/x.db", "http://127.0.0.1:9/"], "directory does not exist"),
    (["crawl", "--db", "{tmp}/x.db", "--spider", "nosuch", "http://127.0.0.1:9/"], "unknown spider 'nosuch'"),
    (["export", "--db", "{tmp}/absent.db"], "database not found"),
    (["evaluate", "{tmp}/absent.jsonl"], "file not found"),
])
def test_bad_arguments_are_one_line_errors(tmp_path, args, message):
    result = run_cli(*[a.replace("{tmp}", str(tmp_path)) for a in args])
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert len(error_lines) == 1 and message in error_lines[0], result.stderr


def test_bad_sources_file_is_a_one_line_error(tmp_path):
    sources = tmp_path / "s.toml"
    sources.write_text('[[source]]\nname = "x"\nurl = "not a url"\n')
    result = run_cli("crawl", "--db", str(tmp_path / "x.db"), "--sources", str(sources))
    assert result.returncode == 1 and "needs an http(s) url" in result.stderr and "Traceback" not in result.stderr


def test_bundled_sources_file_loads():
    from crawler.sources import load_sources

    sources = load_sources()
    assert len(sources) >= 15
    assert {s.kind for s in sources} >= {"feed", "youtube"}
    assert all(s.url.startswith("https://") for s in sources)


def test_export_jsonl_and_csv(db_path):
    db = open_db(db_path)
    save_document(db, {"url": "http://a.test/1", "kind": "video", "title": "Déjà vu: H200 \"approved\"", "author": "Chan",
                       "published_at": "2026-01-27", "views": 27, "text": "Line one\nLine two, with comma"})
    db.close()
    runner = CliRunner()
    jsonl = runner.invoke(cli, ["export", "--db", str(db_path)], catch_exceptions=False)
    record = json.loads(jsonl.output.splitlines()[0])
    assert {k: record[k] for k in ("url", "kind", "title", "author", "published_at", "views")} == {
        "url": "http://a.test/1", "kind": "video", "title": "Déjà vu: H200 \"approved\"", "author": "Chan",
        "published_at": "2026-01-27", "views": 27}
    assert {"text", "label", "labels", "scores"} <= set(record)
    out = db_path.parent / "out.csv"
    result = runner.invoke(cli, ["export", "--db", str(db_path), "--format", "csv", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows[0]["text"] == "Line one\nLine two, with comma" and rows[0]["views"] == "27"


def test_demo_runs_offline_and_prints_what_it_stored(tmp_path, model_dir):
    result = run_cli("demo", "--db", str(tmp_path / "chipwatch.db"), model_dir=model_dir, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert "22 new documents" in lines[-1]
    assert sum(1 for l in lines if l.startswith(("article", "video"))) == 22
    db = open_db(tmp_path / "chipwatch.db")
    labels = {r["label"] for r in db.query("select label from documents")}
    assert labels == {"approval", "block", "restriction", "neutral"}
