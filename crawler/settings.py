"""Scrapy settings for chipwatch: tuned for polite, unattended crawling of news and video pages.

See https://docs.scrapy.org/en/latest/topics/settings.html
"""

BOT_NAME = "chipwatch"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = "chipwatch/0.1 (+https://github.com/chipwatch/chipwatch; semiconductor trade-policy media monitor)"
ROBOTSTXT_OBEY = True

CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0
AUTOTHROTTLE_ENABLED = True  # per-domain delays that follow server latency; honours Crawl-delay via robots
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0

DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024  # news pages are well under this; bigger bodies are not articles
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
REDIRECT_MAX_TIMES = 5
DEPTH_LIMIT = 3
DNS_TIMEOUT = 10

COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

SPIDER_MIDDLEWARES = {
    "crawler.middlewares.KnownUrlFilter": 600,
}
DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.CrawlDelay": 110,  # after RobotsTxtMiddleware (100) has parsed robots.txt
}

ITEM_PIPELINES = {
    "crawler.pipelines.ClassifyPipeline": 300,
    "crawler.pipelines.StorePipeline": 800,
}
EXTENSIONS = {
    "crawler.extensions.ProgressLine": 500,
}

# chipwatch's own settings
CHIPWATCH_DB_PATH = "chipwatch.db"
CHIPWATCH_CLASSIFY = True  # classify documents as they are stored
CHIPWATCH_CLASSIFY_WORKERS = 1  # model processes beside the crawl (0: classify in the crawl process)
CHIPWATCH_MODEL_DIR = None  # default: classifier.config.DEFAULT_MODEL_DIR
CHIPWATCH_FOLLOW_LINKS = False
CHIPWATCH_REFRESH = False  # True: ignore ETag/Last-Modified/body hash and re-fetch known articles
CHIPWATCH_FOLLOW_KEYWORDS = [
    "chip", "semiconductor", "nvidia", "export", "h20", "h200", "hbm", "asml", "lithography",
    "huawei", "ascend", "amd", "tsmc", "smic", "gallium", "germanium", "entity list",
]
CHIPWATCH_PROGRESS_INTERVAL = 5.0  # seconds between progress lines on stderr; 0 disables
