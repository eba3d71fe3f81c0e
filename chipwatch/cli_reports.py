"""Report commands (query, sql, search, digest), registered on the main `cli` group."""
