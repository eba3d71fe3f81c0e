"""`scrapy crawl sitemaps -a urls=SITEMAP`: sitemap indexes, urlsets and news sitemaps."""

from crawler.spiders.base import ChipwatchSpider


class SitemapsSpider(ChipwatchSpider):
    name = "sitemaps"
    expected_kinds = ("sitemap",)
