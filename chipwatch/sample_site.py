"""The bundled sample site: four outlets, feeds, a news sitemap, a YouTube channel and mirror pages."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from chipwatch.localsite import Route

OUTLETS = {
    # outlet name -> (url prefix, page layout, how the outlet is discovered)
    "Semicon Ledger": ("ledger", "wordpress", "rss"),
    "The Fab Report": ("fabreport", "newsroom", "rss"),
    "Pacific Trade Wire": ("ptw", "wire", "news-sitemap"),
    "Silicon Policy Review": ("spr", "blog", "atom"),
}
CHANNEL_ID = "UCchipwatchDemoChannel01"
XML = "application/xml; charset=utf-8"
ROBOTS_TXT = b"User-agent: *\nDisallow: /private/\nAllow: /\n"


@dataclass
class SampleSite:
    routes: dict[str, Route]
    start_paths: list[str]
    expected: list[dict[str, Any]]  # what each page must come out as: url path, kind, title, author, date, views


def load_content() -> dict:
    """The sample site's articles, videos and mirror pages (chipwatch/sample/site.json)."""
    return json.loads(resources.files("chipwatch").joinpath("sample/site.json").read_text(encoding="utf-8"))


def _env() -> Environment:
    return Environment(loader=PackageLoader("chipwatch", "templates"), autoescape=select_autoescape(["html", "xml"]))


def _utc_iso(stamp: str) -> str:
    return datetime.fromisoformat(stamp).astimezone(timezone.utc).replace(microsecond=0).isoformat()


def _article_json_ld(a: dict, layout: str) -> str:
    people = [{"@type": "Person", "name": n} for n in a["authors"]]
    publisher = {"@type": "Organization", "name": a["outlet"], "logo": {"@type": "ImageObject", "url": "/logo.png"}}
    article = {"@type": "NewsArticle", "headline": a["headline"], "description": a["dek"],
               "datePublished": a["published"], "dateModified": a["published"], "author": people,
               "publisher": publisher, "mainEntityOfPage": a["url"], "articleSection": a["section"]}
    if layout == "wordpress":
        graph = [{"@type": "WebSite", "@id": "/#website", "name": a["outlet"], "url": "/"},
                 {"@type": "Organization", "@id": "/#org", "name": a["outlet"]},
                 {"@type": "WebPage", "@id": a["url"], "name": f"{a['headline']} - {a['outlet']}",
                  "datePublished": a["published"]},
                 dict(article, **{"@type": "Article", "author": people[0] if len(people) == 1 else people})]
        data = {"@context": "https://schema.org", "@graph": graph}
    else:
        data = {"@context": "https://schema.org", **article}
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


UPLOADED_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%b %d, %Y", "%B %d, %Y", "%d %b %Y")


def _uploaded_iso(shown: str) -> str:
    """The ISO date a mirror page's 'Uploaded' value stands for (the formats the sample uses)."""
    for pattern in UPLOADED_FORMATS:
        try:
            return datetime.strptime(shown.strip(), pattern).date().isoformat()
        except ValueError:
            continue
    raise ValueError(f"sample mirror date in an unknown format: {shown!r}")


def _player_json(v: dict) -> str:
    publish = f"{v['published']}T04:00:12-08:00"
    data = {
        "responseContext": {"serviceTrackingParams": []},
        "playabilityStatus": {"status": "OK"},
        "videoDetails": {"videoId": v["video_id"], "title": v["title"], "lengthSeconds": "642",
                         "channelId": CHANNEL_ID, "shortDescription": v["description"], "isCrawlable": True,
                         "viewCount": str(v["views"]), "author": v["channel"], "isLiveContent": False},
        "microformat": {"playerMicroformatRenderer": {
            "title": {"simpleText": v["title"]}, "description": {"simpleText": v["description"]},
            "ownerChannelName": v["channel"], "viewCount": str(v["views"]), "category": "News & Politics",
            "publishDate": publish, "uploadDate": publish}},
    }
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def build_sample_site(base_url: str) -> SampleSite:
    """Render every page of the sample site for a server at base_url."""
    content = load_content()
    env = _env()
    routes: dict[str, Route] = {"/robots.txt": Route(ROBOTS_TXT, "text/plain")}
    expected: list[dict[str, Any]] = []
    by_outlet: dict[str, list[dict]] = {name: [] for name in OUTLETS}

    for raw in content["articles"]:
        prefix, layout, _ = OUTLETS[raw["outlet"]]
        moment = datetime.fromisoformat(raw["published"])
        path = f"/{prefix}/{moment:%Y/%m}/{raw['slug']}"
        a = dict(raw, url=base_url + path, path=path, layout=layout,
                 published_display=f"{moment.day} {moment:%B %Y}", pub_rfc822=format_datetime(moment),
                 dateline=raw.get("dateline") or "SINGAPORE",
                 feed_link=base_url + path + ("?utm_source=rss&utm_medium=feed&utm_campaign=chips" if layout == "newsroom" else ""))
        a["json_ld"] = _article_json_ld(a, layout)
        by_outlet[raw["outlet"]].append(a)
        expected.append({"path": path, "kind": "article", "title": raw["headline"],
                         "author": ", ".join(raw["authors"]), "published_at": _utc_iso(raw["published"]),
                         "views": None, "stance": raw["stance"], "labels": raw["labels"],
                         "first_sentence": raw["paragraphs"][0].split(". ")[0]})

    for outlet, articles in by_outlet.items():
        for a in articles:
            a["others"] = [{"href": o["path"], "headline": o["headline"]} for o in articles if o is not a][:3]
            routes[a["path"]] = Route(env.get_template(f"sample/{a['layout']}.html").render(a=a).encode("utf-8"))

    start_paths = []
    feed_templates = {"rss": "rss.xml", "atom": "atom.xml"}
    for outlet, (prefix, _, discovery) in OUTLETS.items():
        if discovery in feed_templates:
            path = f"/{prefix}/feed.{'atom' if discovery == 'atom' else 'rss'}"
            body = env.get_template(f"sample/{feed_templates[discovery]}").render(
                outlet=outlet, base=base_url, feed_url=base_url + path, articles=by_outlet[outlet])
            routes[path] = Route(body.encode("utf-8"), "application/rss+xml; charset=utf-8" if discovery == "rss" else "application/atom+xml")
            start_paths.append(path)
        else:
            missing = [base_url + f"/{prefix}/2026/01/story-that-was-taken-down", base_url + "/private/embargoed-story"]
            body = env.get_template("sample/news_sitemap.xml").render(articles=by_outlet[outlet], missing=missing)
            routes[f"/{prefix}/news-sitemap.xml"] = Route(body.encode("utf-8"), XML)

    videos = []
    for raw in content["videos"]:
        v = dict(raw, url=f"{base_url}/watch?v={raw['video_id']}", channel_url=f"{base_url}/channel/{CHANNEL_ID}",
                 og_description=raw["description"][:160])
        v["player_json"] = _player_json(v)
        videos.append(v)
        routes[f"/watch?v={raw['video_id']}"] = Route(env.get_template("sample/watch.html").render(v=v).encode("utf-8"))
        expected.append({"path": f"/watch?v={raw['video_id']}", "kind": "video", "title": raw["title"],
                         "author": raw["channel"], "published_at": _utc_iso(f"{raw['published']}T04:00:12-08:00"),
                         "views": raw["views"], "stance": raw["stance"], "labels": raw["labels"],
                         "first_sentence": raw["description"].split("\n")[0]})
    yt_path = f"/feeds/videos.xml?channel_id={CHANNEL_ID}"
    routes[yt_path] = Route(env.get_template("sample/youtube.xml").render(
        base=base_url, feed_url=base_url + yt_path, channel_id=CHANNEL_ID,
        channel=content["videos"][0]["channel"], videos=videos).encode("utf-8"), "application/atom+xml; charset=utf-8")
    start_paths.append(yt_path)

    mirror_urls = []
    for raw in content["mirrors"]:
        path = f"/m/{raw['ui_language']}/{raw['slug']}"
        routes[path] = Route(env.get_template(f"sample/mirror_{raw['ui_language']}.html").render(m=raw).encode("utf-8"))
        mirror_urls.append(base_url + path)
        expected.append({"path": path, "kind": "video", "title": raw["title"], "author": raw["author"],
                         "published_at": _uploaded_iso(raw["uploaded"]), "views": raw["views"], "stance": raw["stance"],
                         "labels": raw["labels"], "first_sentence": raw["description_lines"][1]})
    routes["/m/sitemap.xml"] = Route(env.get_template("sample/pages_sitemap.xml").render(urls=mirror_urls).encode("utf-8"), XML)
    routes["/sitemap_index.xml"] = Route(env.get_template("sample/sitemap_index.xml").render(
        sitemaps=[base_url + "/ptw/news-sitemap.xml", base_url + "/m/sitemap.xml"]).encode("utf-8"), XML)
    start_paths.append("/sitemap_index.xml")
    return SampleSite(routes=routes, start_paths=start_paths, expected=expected)
