"""Watch pages and mirror pages: exact title, author, date and views, and no site chrome in the text."""

import pytest

from crawler.extract import extract_mirror_page, extract_watch_page
from crawler.extract.detect import detect_kind
from tests import get_testdata, get_testpage


def test_watch_page_player_response():
    record = extract_watch_page(get_testpage("html", "youtube.watch-qH7r2xLm0aZ.html"),
                                "http://news.example.test/watch?v=qH7r2xLm0aZ&feature=youtu.be")
    assert record["kind"] == "video"
    assert record["title"] == "China approves H200 imports for its tech giants: what changes now"
    assert record["author"] == "Trade Desk TV"
    assert record["views"] == 12408
    assert record["video_id"] == "qH7r2xLm0aZ"
    assert record["published_at"] == "2026-01-28T12:00:12+00:00"
    assert record["field_sources"]["title"] == "player"
    assert "green light to buy Nvidia's H200" in record["text"]
    assert "sign in" not in record["text"].lower()


def test_watch_page_json_ld_fallback():
    record = extract_watch_page(get_testpage("html", "odd.watch-jsonld-only.html"), "http://news.example.test/watch?v=m1")
    assert record["title"] == "AMD MI308 licence explained"
    assert record["author"] == "Fab Floor Weekly"
    assert record["views"] == 4521
    assert record["published_at"] == "2025-07-16T16:30:00+00:00"
    assert record["field_sources"]["views"] == "json-ld"


MIRROR_CHROME = ("Повторяем попытку", "Доступные форматы", "Скачать", "Информация по загрузке", "Retrying",
                 "Available formats", "Download", "ВидеоЗагрузчик", "SaveClip")


@pytest.mark.parametrize("filename,title,author,published,views,snippet", [
    ("mirror-ru.h200-purchases-catch.html", "China Approves Nvidia H200 Purchases, But There's a Catch",
     "Chip War Daily", "2026-01-29", 1200, "Beijing has approved the first H200 purchases"),
    ("mirror-en.h200-export-rule.html", "The H200 Export Rule Explained: 25% Cut, Volume Caps and Case-by-Case Licences",
     "Trade Desk TV", "2026-01-16", 12408, "case-by-case licence review"),
])
def test_mirror_page(filename, title, author, published, views, snippet):
    html = get_testpage("html", filename)
    assert detect_kind(get_testdata("html", filename), "text/html") == "mirror"
    record = extract_mirror_page(html, "http://mirror.example.test/v/1")
    assert (record["title"], record["author"], record["published_at"], record["views"]) == (title, author, published, views)
    assert snippet in record["text"]
    assert not record["text"].startswith(title), "the repeated title line is dropped"
    for chrome in MIRROR_CHROME:
        assert chrome not in record["text"], chrome


def test_mirror_page_in_the_seed_layout():
    """Label and value on separate lines, as in shared/seed: the value is still found."""
    html = """<html lang="ru"><body><div>Trade war explainer: HBM curbs</div>
    <div>Автор:</div><div>Memory Matters</div><div>Загружено:</div><div>05.03.2026</div>
    <div>Просмотров:</div><div>3 млн</div><div>Описание:</div>
    <div>Trade war explainer: HBM curbs</div><div>Washington tightened HBM export rules again this week.</div>
    <div>Повторяем попытку...</div><div>Доступные форматы для скачивания:</div><div>Скачать видео</div></body></html>"""
    record = extract_mirror_page(html, "http://mirror.example.test/v/2")
    assert record["author"] == "Memory Matters"
    assert record["published_at"] == "2026-03-05"
    assert record["views"] == 3_000_000
    assert record["text"] == "Washington tightened HBM export rules again this week."
    assert record["title"] == "Trade war explainer: HBM curbs"
