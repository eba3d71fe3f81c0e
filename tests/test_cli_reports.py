"""The report commands through click: query, sql, search and digest, their formats and one-line errors."""

import csv
import io
import json

import lxml.html
import pytest
from click.testing import CliRunner

from chipwatch.cli import cli
from db.queries import QUERIES
from tests.report_fixtures import DIGEST_DAY
from tests.test_mail import smtp_server  # noqa: F401  (a fixture: a real SMTP server on 127.0.0.1)


def invoke(*args):
    return CliRunner().invoke(cli, [str(arg) for arg in args], catch_exceptions=False)


def assert_one_line_error(result, message):
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and message in errors[0], result.output
    assert "Traceback" not in result.output and "Usage:" not in result.output


def test_query_json_known_answer(report_db_path):
    result = invoke("query", "by-item", "--db", report_db_path, "--since", DIGEST_DAY, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {"item": "H200", "label": "approval", "documents": 1, "share": 0.3333},
        {"item": "H200", "label": "block", "documents": 2, "share": 0.6667},
        {"item": "HBM", "label": "block", "documents": 1, "share": 1.0},
    ]


def test_query_csv_with_filters_and_copies(report_db_path):
    result = invoke("query", "stance-daily", "--db", report_db_path, "--item", "H200", "--include-copies",
                    "--format", "csv")
    assert list(csv.reader(io.StringIO(result.stdout))) == [
        ["day", "label", "documents", "share"], ["2026-01-15", "approval", "1", "0.25"],
        ["2026-01-15", "block", "3", "0.75"]]


def test_query_table_and_limit(report_db_path):
    result = invoke("query", "top-stories", "--db", report_db_path, "--limit", "1", "--actor", "us")
    lines = result.stdout.splitlines()
    assert lines[0].split()[:4] == ["label", "rank", "score", "title"]
    assert len(lines) == 2 + 3  # header, rule, approval 17 / block 10 / restriction 8
    assert "&lt;" not in result.stdout and "<script>alert('x')</script> Lawmakers" in result.stdout


def test_query_with_no_rows(report_db_path):
    result = invoke("query", "videos", "--db", report_db_path, "--until", "2026-01-01")
    assert result.exit_code == 0 and result.stdout == "(no rows)\n"


@pytest.mark.parametrize("args,message", [
    (["query", "stance"], "unknown query 'stance'"),
    (["query", "stance-daily", "--since", "yesterday"], "since must be YYYY-MM-DD"),
    (["query", "stance-daily", "--until", "2026-02-30"], "until is not a real date"),
    (["query", "stance-daily", "--since", "2026-02-01", "--until", "2026-01-01"], "is after until"),
    (["query", "crawls", "--item", "H200"], "'crawls' does not take item"),
    (["sql", "delete from documents"], "refused: chipwatch sql is read-only"),
    (["sql", "select * from nope"], "sql error: no such table: nope"),
    (["sql", "select :a"], "sql error"),
    (["search", "NEAR(", "--raw"], "search failed"),
    (["search", "   "], "nothing to search for"),
    (["digest", "--date", "2026-13-01"], "not a real date"),
    (["digest", "--date", DIGEST_DAY, "--mail-to", "a@chipwatch.test", "--config", "{tmp}/absent.toml"],
     "config file not found"),
])
def test_errors_are_one_line(report_db_path, tmp_path, args, message):
    args = [arg.replace("{tmp}", str(tmp_path)) for arg in args]
    assert_one_line_error(invoke(*args, "--db", report_db_path), message)


@pytest.mark.parametrize("command", ["query stance-daily", "sql 'select 1'", "search H200", "digest"])
def test_missing_database_is_not_created(tmp_path, command):
    name, *rest = command.split(" ", 1)
    args = [name, *[r.strip("'") for r in rest]]
    assert_one_line_error(invoke(*args, "--db", tmp_path / "absent.db"), "database not found")
    assert not (tmp_path / "absent.db").exists()


def test_sql_reads_and_refuses_writes(report_db_path):
    result = invoke("sql", "select count(*) as n from documents where kind = :k", "-p", "k", "video",
                    "--db", report_db_path, "--format", "json")
    assert json.loads(result.stdout) == [{"n": 1}]
    for statement in ("delete from documents", "drop table passages", "update crawls set stored = 0"):
        assert_one_line_error(invoke("sql", statement, "--db", report_db_path), "read-only")
    counts = invoke("sql", "select (select count(*) from documents) d, (select count(*) from passages) p, "
                           "(select sum(stored) from crawls) s", "--db", report_db_path, "--format", "csv")
    assert counts.stdout.splitlines()[1] == "17,5,16"


def test_search_table_shows_snippets_and_urls(report_db_path):
    result = invoke("search", "customs", "--db", report_db_path)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["1.", "2026-01-15", "block", "Wire"]
    assert lines[2].strip() == "https://wire.example/9"
    assert "«Customs»" in lines[3] or "«customs»" in lines[3]


@pytest.mark.parametrize("phrase", ['"', "H200 AND (", "col:", "*", "-x"])
def test_search_survives_fts_syntax(report_db_path, phrase):
    result = invoke("search", "--db", report_db_path, "--format", "json", "--", phrase)  # "--": "-x" is no option
    assert result.exit_code == 0 and isinstance(json.loads(result.stdout), list)


def test_search_json_and_limit(report_db_path):
    rows = json.loads(invoke("search", "H200", "--db", report_db_path, "--limit", "2", "--format", "json").stdout)
    assert len(rows) == 2 and {row["id"] for row in rows} <= {9, 10, 11}


def test_digest_html_file_format_from_suffix(report_db_path, tmp_path):
    out = tmp_path / "digest.html"
    result = invoke("digest", "--db", report_db_path, "--date", DIGEST_DAY, "--days", 7, "--out", out)
    assert result.exit_code == 0 and f"wrote {out}" in result.stderr
    page = lxml.html.parse(str(out)).getroot()
    assert page.xpath("//section[@id='labels']//tr[@data-label='block']/td[@class='today']")[0].text == "2"


def test_digest_markdown_writes_png_beside_it(report_db_path, tmp_path):
    out = tmp_path / "today.md"
    result = invoke("digest", "--db", report_db_path, "--date", DIGEST_DAY, "--format", "md", "--out", out)
    assert result.exit_code == 0
    assert (tmp_path / "today.png").read_bytes()[:4] == b"\x89PNG"
    assert "](today.png)" in out.read_text(encoding="utf-8")


def test_digest_text_to_stdout(report_db_path):
    result = invoke("digest", "--db", report_db_path, "--date", DIGEST_DAY, "--format", "txt")
    assert result.exit_code == 0 and result.stdout.startswith("CHIPWATCH DIGEST: Thursday 15 January 2026")


def test_digest_mail_to(report_db_path, tmp_path, smtp_server):
    controller, inbox = smtp_server
    config = tmp_path / "chipwatch.toml"
    config.write_text(f'[smtp]\nhost = "127.0.0.1"\nport = {controller.port}\nfrom = "cw@chipwatch.test"\n')
    result = invoke("digest", "--db", report_db_path, "--date", DIGEST_DAY, "--out", tmp_path / "d.txt",
                    "--mail-to", "desk@chipwatch.test", "--config", config)
    assert result.exit_code == 0, result.output
    assert "mailed to desk@chipwatch.test" in result.stderr
    [message] = inbox.messages()
    assert message["To"] == "desk@chipwatch.test" and message["Subject"].startswith("chipwatch digest 2026-01-15")


def test_query_help_lists_every_query():
    result = invoke("query", "--help")
    for name in QUERIES:
        assert name in result.output
    assert "Example:" in result.output
