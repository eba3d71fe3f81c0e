"""SQLite storage for chipwatch: schema, writes and named queries."""

from db.schema import ensure_schema, open_db

__all__ = ["ensure_schema", "open_db"]
