"""`scrapy crawl pages -a urls=URL -s CHIPWATCH_FOLLOW_LINKS=1`: article URLs, optional keyword link following."""

from crawler.spiders.base import ChipwatchSpider


class PagesSpider(ChipwatchSpider):
    name = "pages"
    expected_kinds = ("article",)
