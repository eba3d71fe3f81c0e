"""Named selectors and patterns for the pages chipwatch reads (like trafilatura's xpaths.py)."""

import re

# Scripts that carry a YouTube watch page's data.
YT_PLAYER_RESPONSE = re.compile(r"ytInitialPlayerResponse\s*=\s*")
# Fallback metadata on watch pages (itemprop microdata and Open Graph).
META_CONTENT = "//meta[@{attr}='{name}']/@content"
ITEMPROP_CONTENT = "//*[@itemprop='{name}']/@content"
ITEMPROP_AUTHOR_NAME = "//*[@itemprop='author']//*[@itemprop='name']/@content | //*[@itemprop='author']//*[@itemprop='name']/text()"
JSON_LD_SCRIPTS = "//script[@type='application/ld+json']/text()"
CANONICAL_LINK = "//link[@rel='canonical']/@href"
HTML_LANG = "/html/@lang"
TIME_DATETIME = "//article//time[@datetime]/@datetime | //time[@pubdate]/@datetime | //time[contains(@class,'publish')]/@datetime"
HEADLINE_H1 = "//h1"
ITEMPROP_AUTHOR = "//*[@itemprop='author']//*[@itemprop='name']/text() | //*[@itemprop='author']//*[@itemprop='name']/@content"
REL_AUTHOR = "//*[@rel='author']/text()"
# Links worth following from an article page (optional keyword-filtered link following).
FOLLOW_LINKS = "//a[@href]"

# Mirror/downloader pages: "Label: value" pairs, English and Russian UIs.
MIRROR_LABELS = {
    "author": ("author", "channel", "uploader", "uploaded by", "автор", "канал"),
    "date": ("uploaded", "upload date", "published", "date", "загружено", "дата загрузки",
             "опубликовано", "дата публикации", "дата"),
    "views": ("views", "view count", "просмотров", "просмотры", "просмотра"),
    "description": ("description", "описание"),
    "duration": ("duration", "длительность", "продолжительность"),
}
# Site chrome that must never end up in a video's text.
MIRROR_CHROME = re.compile(
    r"^(повторяем попытку|доступные форматы|скачать|информация по загрузке|загрузить|"
    r"retrying|available formats|download|downloading|formats? available|click here to download|"
    r"copy link|share|mp4\b|webm\b|m4a\b|\d{3,4}p\b|-+$|—+$)",
    re.IGNORECASE,
)
