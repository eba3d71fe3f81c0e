"""Datasette opens the database with the shipped metadata and runs the canned queries and views."""

import asyncio
import json

from datasette.app import Datasette

from db.queries import DATASETTE_METADATA_PATH, run_query


def fetch(report_db_path, *paths):
    """GET each path from a Datasette serving the fixture database; return the decoded JSON bodies."""
    async def go():
        metadata = json.loads(DATASETTE_METADATA_PATH.read_text(encoding="utf-8"))
        ds = Datasette(files=[str(report_db_path)], metadata=metadata)
        await ds.invoke_startup()
        bodies = []
        for path in paths:
            response = await ds.client.get(path)
            assert response.status_code == 200, (path, response.text[:500])
            bodies.append(response.json())
        return bodies

    return asyncio.run(go())


def test_canned_queries_run_in_datasette(report_db, report_db_path):
    daily, filtered, weekly_view = fetch(
        report_db_path,
        "/chipwatch/stance-daily.json?_shape=array",  # blank parameters: no filter
        "/chipwatch/by-item.json?_shape=array&since=2026-01-15&until=2026-01-15&include_copies=1",
        "/chipwatch/report_stance_weekly.json?_shape=array",
    )
    assert daily == run_query(report_db, "stance-daily")
    assert [(r["item"], r["label"], r["documents"]) for r in filtered] == [
        ("H200", "approval", 1), ("H200", "block", 3), ("HBM", "block", 2)]
    assert weekly_view == run_query(report_db, "stance-weekly")


def test_every_canned_query_is_listed(report_db_path):
    [database] = fetch(report_db_path, "/chipwatch.json")
    names = {query["name"] for query in database["queries"]}
    assert names >= {"stance-daily", "stance-weekly", "by-actor", "by-item", "top-stories", "shifts", "sources",
                     "crawls", "videos"}
