"""Scrapy project for chipwatch: spiders, items, pipelines, and pure extraction functions."""
