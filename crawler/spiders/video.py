"""`scrapy crawl video -a urls=URL`: YouTube watch pages and video mirror pages."""

from crawler.spiders.base import ChipwatchSpider


class VideoSpider(ChipwatchSpider):
    name = "video"
    expected_kinds = ("watch", "mirror")
