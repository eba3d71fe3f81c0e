"""Full-text search: ranking (title over text), snippets, originals only, safe quoting of user input."""

import pytest

from db.queries import QueryError, fts_query, search


def ids(rows):
    return [row["id"] for row in rows]


def test_title_matches_rank_above_text_matches(report_db):
    rows = search(report_db, "H200")
    # 9, 10 and 11 name the H200 in the title; 12 only in its text; 13 is a copy of 9
    assert set(ids(rows[:3])) == {9, 10, 11}
    assert ids(rows)[3:] == [12]
    assert [row["rank"] for row in rows] == sorted(row["rank"] for row in rows)  # bm25: lower is better


def test_snippets_mark_the_match_and_rows_carry_urls(report_db):
    rows = search(report_db, "customs officers")
    assert ids(rows) == [9]
    row = rows[0]
    assert "«customs»" in row["snippet"].lower() and "«officers»" in row["snippet"]
    assert row["url"] == "https://wire.example/9" and row["day"] == "2026-01-15" and row["label"] == "block"


def test_all_words_must_occur_in_any_order(report_db):
    assert ids(search(report_db, "imports halt")) == [9]
    assert search(report_db, "halt Shanghai") == []


def test_copies_only_on_request(report_db):
    assert 13 not in ids(search(report_db, "exemptions"))
    assert set(ids(search(report_db, "exemptions", include_copies=True))) == {9, 13}


def test_limit_and_custom_marks(report_db):
    rows = search(report_db, "H200", limit=2, mark=("<b>", "</b>"))
    assert len(rows) == 2 and "<b>H200</b>" in rows[0]["snippet"]


@pytest.mark.parametrize("phrase", [
    '"', 'H200"', "AND", "OR NOT", "(", ")", "*", "NEAR(", "title:", "^H200", "H200 -ban", "a+b", "'", "{x}",
    "col:H200", '"unbalanced quote', "H200 AND", ":", "-", "\\",
])
def test_fts_syntax_characters_do_not_crash(report_db, phrase):
    rows = search(report_db, phrase)  # quoted word by word, so FTS5 never parses user syntax
    assert isinstance(rows, list)


def test_quoted_syntax_is_searched_as_words(report_db):
    assert ids(search(report_db, 'H200"')) == ids(search(report_db, "H200"))
    assert fts_query('say "hi" now') == '"say" """hi""" "now"'


def test_empty_phrase_is_an_error(report_db):
    with pytest.raises(QueryError, match="nothing to search for"):
        search(report_db, "   ")


def test_raw_mode_allows_fts_syntax_and_reports_errors(report_db):
    assert set(ids(search(report_db, "Shanghai OR exemptions", raw=True))) == {9, 15}
    assert ids(search(report_db, "cust*", raw=True)) == [9]
    with pytest.raises(QueryError, match="search failed"):
        search(report_db, "NEAR(", raw=True)
