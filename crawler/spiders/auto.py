"""`scrapy crawl chipwatch -a urls=URL[,URL]`: any URL, its kind detected from the response."""

from crawler.spiders.base import ChipwatchSpider

__all__ = ["ChipwatchSpider"]
