"""chipwatch: a media monitor for semiconductor trade policy (command line, run cycle, digest)."""

__version__ = "0.1.0"
