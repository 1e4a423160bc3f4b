"""Feed exports (``scrapy crawl technode -O items.jsonl``) of records in the contract's shape.

Scrapy's exporters would write a record's Python attributes (``web_url``,
``published_at``), its internal fields (the stored previous record, ``unchanged``)
and the whole article text. These write what a document's front matter holds,
with the contract's keys in its order and its values (instants as
``YYYY-MM-DDTHH:MM:SSZ``), plus ``body`` only when the record carries one (the
``DOCUMENT_BODY`` setting). Other items pass through unchanged. ``FEED_EXPORTERS``
in crawler/settings.py names them for every text format.
"""

from __future__ import annotations

from typing import Any

from scrapy import exporters

from crawler.record import Record


def exported(item: Any) -> Any:
    """The data a feed export writes for ``item``: a record's front matter (and body, when it has one)."""
    if not isinstance(item, Record):
        return item
    data = item.as_json()
    if item.body:
        data["body"] = item.body
    return data


class _FrontMatter:
    def export_item(self, item: Any) -> Any:
        return super().export_item(exported(item))  # type: ignore[misc]


class JsonItemExporter(_FrontMatter, exporters.JsonItemExporter):
    pass


class JsonLinesItemExporter(_FrontMatter, exporters.JsonLinesItemExporter):
    pass


class CsvItemExporter(_FrontMatter, exporters.CsvItemExporter):
    pass


class XmlItemExporter(_FrontMatter, exporters.XmlItemExporter):
    pass
