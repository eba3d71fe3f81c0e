"""Article extraction on saved pages: key snippets in, site chrome out, exact metadata."""

import pytest

from crawler.extract import extract_article
from crawler.extract.video import ExtractionError
from tests import get_testpage

URL = "http://news.example.test/story"

PAGES = {
    # file: (title, author, published_at, date_source, snippet in text)
    "ptw.china-clears-h200-imports.html": (
        "China clears first H200 imports for its biggest tech platforms", "Lin Weijie, Hannah Okafor",
        "2026-01-28T03:20:00+00:00", "json-ld", "Chinese regulators have approved the first purchases"),
    "ledger.us-licence-rule-halts-h20.html": (
        "New US licence rule halts Nvidia's H20 sales to China", "Alicia Brennan",
        "2025-04-16T15:30:00+00:00", "json-ld", "sales of its H20 accelerator to China have been halted"),
    "fabreport.nvidia-amd-15-percent-fee.html": (
        "Nvidia and AMD to hand US 15% of China chip revenue as a condition of licences", "Keiko Matsuda",
        "2025-08-12T01:45:00+00:00", "meta", "15% of the revenue"),
    "spr.gallium-germanium-suspension.html": (
        "China suspends its ban on gallium and germanium exports to the US", "Eleanor Whitcombe",
        "2025-11-10T09:45:00+00:00", "meta", "suspend its ban on exports of gallium and germanium"),
    "odd.no-structured-data.html": (
        "Tokyo adds 23 tool types to export licence list", "Haruka Endo", "2023-03-03", "htmldate",
        "will need a government licence before shipping"),
    "odd.publisher-as-author.html": (
        "Seoul eases HBM export paperwork for allied buyers", "Min-seo Kim", "2025-06-02T05:00:00+00:00",
        "json-ld", "under a single annual approval"),
    "odd.malformed.html": (
        "Customs seize smuggled GPUs at Shenzhen port", None, "2025-03-11T08:00:00+00:00", "meta",
        "seized a container of data-centre graphics processors"),
    "odd.cp1252.html": (
        "Brussels weighs joint licence rules for chip tools", "Renée François", "2024-01-24T10:00:00+00:00",
        "meta", "“forum shopping”"),
}
CHROME = ("cookie", "Sign up for", "newsletter", "Share on", "Related stories", "All rights reserved",
          "Copy link", "Advertisement", "Most read", "Privacy policy", "Reported by", "Reporting by", "Published 3 March")


@pytest.mark.parametrize("filename", PAGES)
def test_article_metadata_and_text(filename):
    title, author, published_at, date_source, snippet = PAGES[filename]
    record = extract_article(get_testpage("html", filename), URL)
    assert record["kind"] == "article"
    assert record["title"] == title
    assert record["author"] == author
    assert record["published_at"] == published_at
    assert record["date_source"] == date_source
    assert snippet in record["text"]
    assert record["language"] == "en"
    for chrome in CHROME:
        assert chrome.lower() not in record["text"].lower(), chrome


def test_title_is_not_repeated_as_first_text_line():
    record = extract_article(get_testpage("html", "ledger.us-licence-rule-halts-h20.html"), URL)
    assert not record["text"].startswith(record["title"])


def test_canonical_link_wins_and_tracking_url_is_kept_as_alias():
    record = extract_article(get_testpage("html", "ptw.china-clears-h200-imports.html"),
                             "http://news.example.test/ptw/x?utm_source=twitter")
    assert record["url"] == "http://news.example.test/ptw/2026/01/china-clears-h200-imports"
    assert record["aliases"] == ["http://news.example.test/ptw/x"]


def test_feed_date_is_used_when_the_page_has_none():
    html = ("<html><body><article><h1>Export rule</h1>" + "<p>The ministry said exporters of etching tools"
            " must apply for licences from next month, officials told reporters on Friday.</p>" * 3 + "</article></body></html>")
    record = extract_article(html, URL, {"published_at": "2025-05-02T08:00:00+00:00", "date_source": "feed"})
    assert (record["published_at"], record["date_source"]) == ("2025-05-02T08:00:00+00:00", "feed")


def test_page_without_text_is_an_extraction_error():
    with pytest.raises(ExtractionError):
        extract_article("<html><head><title>x</title></head><body><nav>Home</nav></body></html>", URL)
