"""The daily digest on the report fixture database: structure, numbers, escaping of scraped strings,
self-containment of the HTML, the Markdown + PNG pair and the plain-text form."""

import re
from html.parser import HTMLParser
from pathlib import Path

import lxml.html
import pytest
from markdown_it import MarkdownIt

from chipwatch.digest import (DigestError, build_digest, md_escape, render_digest, safe_url, write_digest,
                              write_digest_files)
from tests.report_fixtures import DIGEST_DAY, SCRIPT_TITLE, VIDEO_TITLE, add_document

SECTIONS = ["labels", "trend", "actors", "items", "stories", "videos", "shifts"]
RESOURCE_TAGS = {"script", "link", "img", "iframe", "object", "embed", "audio", "video", "source", "base", "frame"}


@pytest.fixture
def digest(report_db):
    return build_digest(report_db, DIGEST_DAY, days=14)


@pytest.fixture
def page(digest):
    return lxml.html.document_fromstring(render_digest(digest, "html"))


def texts(elements):
    return [" ".join(element.text_content().split()) for element in elements]


def table(section):
    """A section's table as {row header: [cell texts]}."""
    rows = section.xpath(".//tbody/tr")
    return {row.xpath("./th")[0].text_content().strip(): texts(row.xpath("./td")) for row in rows}


def test_sections_in_order(page):
    assert [s.get("id") for s in page.xpath("//main/section")] == SECTIONS


def test_documents_per_label_against_the_trailing_week(page):
    rows = {row.get("data-label"): row for row in page.xpath("//section[@id='labels']//tbody/tr")}
    assert list(rows) == ["approval", "block", "restriction", "neutral"]

    def cell(label, name):
        return rows[label].xpath(f"./td[@class='{name}' or starts-with(@class, '{name} ')]")[0].text_content()

    assert {label: cell(label, "today") for label in rows} == {
        "approval": "1", "block": "2", "restriction": "1", "neutral": "2"}
    # the 7 days before: 7 neutral, 1 restriction -> 1.0 and 0.1 a day, shares 88% and 12%
    assert cell("neutral", "mean") == "1.0" and cell("restriction", "mean") == "0.1"
    assert cell("neutral", "change") == "+1.0" and cell("restriction", "change") == "+0.9"
    assert cell("neutral", "share-change") == "−54 pts"  # 33% today against 88%
    assert cell("block", "share-change") == "+33 pts"
    lead = page.xpath("//p[@class='lead']")[0].text_content()
    assert lead.startswith("6 classified documents") and "1.1 a day" in lead


def test_actor_and_item_breakdowns(page):
    actors = table(page.xpath("//section[@id='actors']")[0])
    #                    approval block restriction neutral total
    assert actors == {"china": ["1", "1", "1", "0", "3"], "us": ["0", "1", "0", "0", "1"],
                      "company": ["0", "0", "0", "1", "1"], "unknown": ["0", "0", "0", "1", "1"]}
    items = table(page.xpath("//section[@id='items']")[0])
    assert items == {"H200": ["1", "2", "0", "0", "3"], "HBM": ["0", "1", "0", "0", "1"]}


def test_top_stories_per_label_with_evidence_and_links(page):
    section = page.xpath("//section[@id='stories']")[0]
    assert [h.get("data-label") for h in section.xpath("./h3")] == ["approval", "block", "restriction", "neutral"]
    block = section.xpath("./h3[@data-label='block']/following-sibling::ol[1]/li")
    assert [li.xpath("./a")[0].get("href") for li in block] == [
        "https://wire.example/9", "https://ledger.example/h200-ban?a=1&b=2"]
    assert texts(block[0].xpath("./blockquote")) == [
        "Customs officers were told the chips are not allowed into the country."]
    assert texts(block[1].xpath("./blockquote")) == ["Lawmakers urge Commerce to block H200 sales."]
    assert "confidence 0.91" in block[0].xpath(".//div[@class='meta']")[0].text_content()


def test_scraped_script_title_arrives_as_text(digest):
    html = render_digest(digest, "html")
    page = lxml.html.document_fromstring(html)
    assert not page.xpath("//script")
    links = page.xpath("//section[@id='stories']//a[@href='https://ledger.example/h200-ban?a=1&b=2']")
    assert [a.text_content() for a in links] == [SCRIPT_TITLE]
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html and "<script" not in html
    description = page.xpath("//section[@id='videos']//p[@class='description']")[0]
    assert description.text_content().endswith("<b>bold</b> & more") and not description.xpath(".//b")


class TagCollector(HTMLParser):
    """Every start tag with its attributes, and the text of <style> (a second, independent parser)."""

    def __init__(self):
        super().__init__()
        self.tags, self.style, self._in_style = [], "", False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.style += data


def test_html_needs_nothing_from_the_network(digest):
    parser = TagCollector()
    parser.feed(render_digest(digest, "html"))
    tags = {tag for tag, _ in parser.tags}
    assert not tags & RESOURCE_TAGS
    assert "svg" in tags and "polyline" in tags  # the chart is inline
    for tag, attrs in parser.tags:
        assert "src" not in attrs and "srcset" not in attrs and "xlink:href" not in attrs, tag
        assert "url(" not in attrs.get("style", "")
        if "href" in attrs:
            assert tag == "a" and re.match(r"https?://", attrs["href"]), (tag, attrs)
    assert "url(" not in parser.style and "@import" not in parser.style
    csp = [attrs["content"] for tag, attrs in parser.tags if attrs.get("http-equiv") == "Content-Security-Policy"]
    assert csp and csp[0].startswith("default-src 'none'")


def test_trend_chart_has_a_line_per_label_over_every_day(page, digest):
    lines = page.xpath("//section[@id='trend']//*[local-name()='polyline']")
    assert [line.get("data-label") for line in lines] == ["approval", "block", "restriction", "neutral"]
    assert all(len(line.get("points").split()) == 14 for line in lines)
    block = [tuple(map(float, p.split(","))) for p in lines[1].get("points").split()]
    assert block[-1][1] < block[0][1]  # 2 block documents on the last day: the line rises (SVG y grows down)
    assert digest.trend.series["block"] == [0] * 13 + [2]
    assert digest.trend.series["neutral"] == [0] * 6 + [1] * 7 + [2]


def test_new_videos_and_notable_shifts(page):
    videos = page.xpath("//section[@id='videos']/article")
    assert len(videos) == 1
    assert videos[0].xpath(".//a")[0].text_content() == VIDEO_TITLE
    assert "12,345 views" in videos[0].xpath(".//div[@class='meta']")[0].text_content()
    shifts = [texts(row.xpath("./td")) for row in page.xpath("//section[@id='shifts']//tbody/tr")]
    # the 13th moved 50 points, but on 2 documents: not notable; the 15th has 6
    assert shifts == [
        ["2026-01-15", "neutral", "2 of 6", "33%", "88%", "−54 pts"],
        ["2026-01-15", "block", "2 of 6", "33%", "0%", "+33 pts"],
        ["2026-01-15", "approval", "1 of 6", "17%", "0%", "+17 pts"],
    ]


def test_javascript_and_odd_urls_are_never_links(report_db):
    add_document(report_db, id=30, published_at="2026-01-15T13:00:00+00:00", title="Scripted link",
                 label="block", score=0.99, url="javascript:alert(document.cookie)")
    add_document(report_db, id=31, published_at="2026-01-15T13:30:00+00:00", title="Data link",
                 label="approval", score=0.99, url="data:text/html,<script>alert(1)</script>")
    digest = build_digest(report_db, DIGEST_DAY, days=7)
    page = lxml.html.document_fromstring(render_digest(digest, "html"))
    hrefs = [a.get("href") for a in page.xpath("//a")]
    assert hrefs and all(href.startswith(("https://", "http://")) for href in hrefs)
    assert "Scripted link" in page.xpath("//section[@id='stories']")[0].text_content()
    rendered = MarkdownIt("commonmark").render(render_digest(digest, "md"))
    md_hrefs = [a.get("href") for a in lxml.html.fragment_fromstring(rendered, create_parent="div").xpath("//a")]
    assert md_hrefs and all(href.startswith(("https://", "http://")) for href in md_hrefs)
    text = render_digest(digest, "txt")
    assert "javascript:alert(document.cookie)" not in text and "data:text/html" not in text
    assert "Scripted link" in text and "(no link)" in text


@pytest.mark.parametrize("url,expected", [
    ("https://a.example/x?y=1&z=2", "https://a.example/x?y=1&z=2"),
    ("http://a.example/a b", "http://a.example/a%20b"),
    ("https://a.example/(x)", "https://a.example/%28x%29"),
    ('https://a.example/"><script>', "https://a.example/%22%3E%3Cscript%3E"),
    ("javascript:alert(1)", None), ("JAVASCRIPT:alert(1)", None), ("data:text/html,x", None),
    ("//a.example/x", None), ("https:///nohost", None), ("", None), (None, None),
    ("java\nscript:alert(1)", None), ("https://a.example/\x1b[31m", None),
    (" https://a.example/ ", "https://a.example/"),
])
def test_safe_url(url, expected):
    assert safe_url(url) == expected


@pytest.mark.parametrize("text,expected", [
    ("<script>x</script>", "\\<script\\>x\\</script\\>"),
    ("[a](javascript:x)", "\\[a\\](javascript:x)"),
    ("*bold* _it_ `code` | ~s~", "\\*bold\\* \\_it\\_ \\`code\\` \\| \\~s\\~"),
    ("# heading", "\\# heading"),
    ("- item", "\\- item"),
    ("1. first", "1\\. first"),
    ("1.5 million", "1.5 million"),
    ("line\nbreak\tand\x1b[31m colour", "line break and \\[31m colour"),
])
def test_md_escape(text, expected):
    assert md_escape(text) == expected


def test_markdown_renders_scraped_text_inert(digest, tmp_path):
    result = write_digest(digest, "md", tmp_path / "digest.md")
    md = (tmp_path / "digest.md").read_text(encoding="utf-8")
    html = MarkdownIt("commonmark").enable("table").render(md)  # raw HTML allowed: the worst case
    page = lxml.html.fragment_fromstring(html, create_parent="div")
    assert not page.xpath("//script | //b | //em[contains(., 'again')]")
    anchors = {a.text_content(): a.get("href") for a in page.xpath("//a")}
    assert anchors[SCRIPT_TITLE] == "https://ledger.example/h200-ban?a=1&b=2"
    assert anchors[VIDEO_TITLE] == "https://video.example/watch?v=abc&t=1"  # no nested javascript: link
    assert all(href.startswith("https://") for href in anchors.values())
    assert len(page.xpath("//table")) == 4  # labels, actors, items, shifts: no table from scraped pipes
    assert result.files == [tmp_path / "digest.md", tmp_path / "digest.png"]


def test_markdown_has_a_png_chart_beside_it(digest, tmp_path):
    out = tmp_path / "reports" / "2026-01-15 digest.md"
    out.parent.mkdir()
    write_digest(digest, "md", out)
    png = out.with_suffix(".png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
    md = out.read_text(encoding="utf-8")
    assert "](2026-01-15%20digest.png)" in md


def test_markdown_tables_count(digest):
    md = render_digest(digest, "md")
    assert "| block | 2 | 33% | 0.0 | +2.0 | 0% | +33 pts |" in md
    assert "| china | 1 | 1 | 1 | 0 | 3 |" in md


def test_plain_text_is_fit_for_an_email_body(report_db):
    add_document(report_db, id=32, published_at="2026-01-15T14:00:00+00:00",
                 title="Red \x1b[31malert\x1b[0m\r\nBcc: x@y", label="block", score=0.95)
    text = render_digest(build_digest(report_db, DIGEST_DAY, days=14), "txt")
    assert "\x1b" not in text and "\r" not in text
    assert "Red [31malert [0m Bcc: x@y" in text  # one line, no header-like line of its own
    assert not re.search(r"<(html|table|div|section)\b", text)
    assert all(len(line) <= 100 for line in text.splitlines())
    for heading in ("DOCUMENTS PER LABEL", "THE LAST 14 DAYS", "BY ACTOR", "BY CHIP OR TOOL", "TOP STORIES",
                    "NEW VIDEOS", "NOTABLE SHIFTS"):
        assert heading in text
    assert "  block              3    43%" in text  # 3 of 7 once the extra block story is in
    assert "     > Customs officers were told the chips are not allowed into the" in text
    assert "https://ledger.example/h200-ban?a=1&b=2" in text


def test_empty_day_still_renders(report_db):
    digest = build_digest(report_db, "2026-02-01", days=3)
    assert digest.total == 0 and digest.stories == {} and digest.videos == [] and digest.actors == []
    for fmt in ("html", "md", "txt"):
        assert "No classified documents on this day" in render_digest(digest, fmt)


@pytest.mark.parametrize("day,days,message", [
    ("2026-02-30", 7, "not a real date"), ("15/01/2026", 7, "must be YYYY-MM-DD"),
    (DIGEST_DAY, 0, "days must be between 1 and 366"), (DIGEST_DAY, 367, "days must be between"),
])
def test_bad_arguments_are_digest_errors(report_db, day, days, message):
    with pytest.raises(DigestError, match=message):
        build_digest(report_db, day, days=days)


def test_unknown_format(digest):
    with pytest.raises(DigestError, match="unknown digest format 'pdf'"):
        render_digest(digest, "pdf")


def test_write_digest_files_for_the_run_cycle(report_db, tmp_path):
    path = write_digest_files(report_db, tmp_path / "reports", DIGEST_DAY)
    assert path == tmp_path / "reports" / "digest-2026-01-15.html"
    assert lxml.html.parse(str(path)).getroot().xpath("//h1")[0].text_content().endswith("15 January 2026")


def test_write_into_a_missing_directory_is_an_error(digest, tmp_path):
    with pytest.raises(DigestError, match="directory does not exist"):
        write_digest(digest, "html", tmp_path / "nope" / "d.html")
    assert not Path(tmp_path / "nope").exists()


def test_markdown_out_cannot_be_its_own_chart(digest, tmp_path):
    with pytest.raises(DigestError, match="its PNG chart goes there"):
        write_digest(digest, "md", tmp_path / "chart.png")
