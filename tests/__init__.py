"""chipwatch tests. Saved pages live under tests/data/."""

from pathlib import Path

from w3lib.encoding import html_to_unicode

DATA = Path(__file__).parent / "data"


def get_testdata(*paths: str) -> bytes:
    """Bytes of a saved test file, e.g. get_testdata("html", "odd.malformed.html")."""
    return DATA.joinpath(*paths).read_bytes()


def get_testpage(*paths: str) -> str:
    """A saved HTML page decoded the way Scrapy decodes responses (meta charset, BOM, fallbacks)."""
    _, text = html_to_unicode(None, get_testdata(*paths))
    return text
