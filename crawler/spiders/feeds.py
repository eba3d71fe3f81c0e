"""`scrapy crawl feeds -a urls=FEED`: RSS 2.0, RSS 1.0/RDF, Atom and YouTube channel feeds."""

from crawler.spiders.base import ChipwatchSpider


class FeedsSpider(ChipwatchSpider):
    name = "feeds"
    expected_kinds = ("feed",)
